//! `POST /api/v2/write`: line protocol into a bucket. Parsing is all-or-nothing (400);
//! storage drops are partial (422, the good points are written); success is 204.

use edgeflux_auth::{Action, Principal, ResourceType};
use edgeflux_lineproto::{parse, ParseOptions};
use edgeflux_types::Precision;

use crate::catalog::Bucket;
use crate::engine::{Ctx, Reply};
use crate::http::{no_content, HttpError, HttpResult};
use crate::record::{frame, Kind};

pub fn v2(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let precision = match ctx.params.get("precision") {
        None => Precision::Nanoseconds,
        Some(text) => Precision::from_v2_param(text).ok_or_else(|| {
            HttpError::invalid("invalid precision; valid precision units are ns, us, ms, and s")
        })?,
    };
    let bucket_text = ctx
        .params
        .get("bucket")
        .ok_or_else(|| HttpError::not_found("bucket not found"))?
        .to_string();
    let body = ctx.body()?;
    let org = super::query::org_param(ctx)?;
    let bucket = ctx
        .catalog()
        .bucket_by_id_or_name(org, &bucket_text)
        .cloned()
        .ok_or_else(|| HttpError::not_found(format!("bucket \"{bucket_text}\" not found")))?;
    write_lines(ctx, &p, &bucket, precision, &body)
}

/// Checks write permission, parses and prepares the write; shared with v1 `/write`.
pub(crate) fn write_lines(
    ctx: &mut Ctx,
    p: &Principal,
    bucket: &Bucket,
    precision: Precision,
    body: &[u8],
) -> HttpResult<Reply> {
    if !p.may(
        Action::Write,
        ResourceType::Buckets,
        Some(bucket.org_id),
        Some(bucket.id),
    ) {
        return Err(HttpError::forbidden("insufficient permissions for write"));
    }
    let text = std::str::from_utf8(body)
        .map_err(|e| HttpError::invalid(format!("unable to parse points: invalid UTF-8: {e}")))?;
    let m = precision.multiplier();
    let options = ParseOptions {
        precision,
        default_time: ctx.now - ctx.now.rem_euclid(m),
    };
    let parsed = parse(text, &options);
    if !parsed.errors.is_empty() {
        let message: Vec<String> = parsed.errors.iter().map(|e| e.to_string()).collect();
        return Err(HttpError::invalid(message.join("\n")));
    }
    if parsed.lines.is_empty() {
        return Ok(no_content().into());
    }
    let prepared = ctx
        .engine
        .data
        .prepare_write(bucket, &parsed.lines, ctx.now)
        .map_err(|e| {
            HttpError::internal(format!("unexpected error writing points to database: {e}"))
        })?;
    let log = prepared
        .payload
        .map(|payload| vec![frame(Kind::Write, &payload)])
        .unwrap_or_default();
    let response = match prepared.partial {
        Some(partial) => {
            HttpError::unprocessable(format!("failure writing points to database: {partial}"))
                .into_response()
        }
        None => no_content(),
    };
    Ok(Reply { response, log })
}
