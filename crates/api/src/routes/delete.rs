//! `POST /api/v2/delete`: drop points of a bucket in a time range matching a predicate.

use edgeflux_auth::{Action, ResourceType};
use serde::Deserialize;

use crate::data::DeleteFailure;
use crate::engine::{Ctx, Reply};
use crate::http::{no_content, HttpError, HttpResult};
use crate::record::{frame, Kind};
use edgeflux_types::time::parse_rfc3339;

#[derive(Debug, Deserialize)]
struct DeleteBody {
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    stop: Option<String>,
    #[serde(default)]
    predicate: Option<String>,
}

pub fn v2(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let org = super::query::org_param(ctx)?;
    let bucket_text = match (ctx.params.get("bucketID"), ctx.params.get("bucket")) {
        (Some(b), _) | (None, Some(b)) => b.to_string(),
        (None, None) => {
            return Err(HttpError::invalid(
                "Please provide either bucketID or bucket",
            ))
        }
    };
    let bucket = ctx
        .catalog()
        .bucket_by_id_or_name(org, &bucket_text)
        .cloned()
        .ok_or_else(|| HttpError::not_found(format!("bucket \"{bucket_text}\" not found")))?;
    if !p.may(
        Action::Write,
        ResourceType::Buckets,
        Some(bucket.org_id),
        Some(bucket.id),
    ) {
        return Err(HttpError::forbidden("insufficient permissions to delete"));
    }
    let body = ctx.body()?;
    let req: DeleteBody = serde_json::from_slice(&body)
        .map_err(|e| HttpError::invalid(format!("error decoding json body: {e}")))?;
    let time = |v: &Option<String>, name: &str| -> HttpResult<i64> {
        let text = v.as_deref().ok_or_else(|| {
            HttpError::invalid(format!(
                "invalid request; error parsing request json: {name} is required"
            ))
        })?;
        parse_rfc3339(text).ok_or_else(|| {
            HttpError::invalid(format!(
                "invalid request; error parsing request json: invalid RFC3339Nano for field {name}, please format your time with RFC3339Nano format, example: 2009-01-02T23:00:00Z"
            ))
        })
    };
    let start = time(&req.start, "start")?;
    let stop = time(&req.stop, "stop")?;
    let payload = ctx
        .engine
        .data
        .prepare_delete(&bucket, start, stop, req.predicate.as_deref().unwrap_or(""))
        .map_err(|e| match e {
            DeleteFailure::Invalid(m) => HttpError::invalid(m),
            DeleteFailure::NotImplemented(m) => HttpError::not_implemented(m),
        })?;
    Ok(Reply {
        response: no_content(),
        log: vec![frame(Kind::Delete, &payload)],
    })
}
