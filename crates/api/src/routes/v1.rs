//! The v1 compatibility paths: `POST /write?db=&rp=&precision=` through the DBRP
//! mappings, and `/query` (InfluxQL is not implemented yet: a clear 501 after auth).

use edgeflux_auth::Principal;
use edgeflux_types::{Id, Precision};

use crate::engine::{Ctx, Reply};
use crate::http::{HttpError, HttpResult};

/// The org a v1 request runs in: the token's org, else the first org the user owns.
fn org_of(ctx: &Ctx, p: &Principal) -> HttpResult<Id> {
    let c = ctx.catalog();
    if let Some(org) = p
        .authorization_id
        .and_then(|a| c.auths.get(&a.0))
        .map(|a| a.org_id)
    {
        return Ok(org);
    }
    c.users
        .get(&p.user_id.0)
        .and_then(|u| u.owner_of.first().copied())
        .or_else(|| c.orgs.values().next().map(|o| o.id))
        .ok_or_else(|| HttpError::not_found("organization not found"))
}

pub fn write(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal_v1()?;
    let db = ctx
        .params
        .get("db")
        .ok_or_else(|| HttpError::invalid("missing db"))?
        .to_string();
    let rp = ctx.params.get("rp").map(str::to_string);
    // v1 quirk: only us, ms and s scale timestamps; anything else is nanoseconds.
    let precision = match ctx.params.get("precision") {
        Some("us") => Precision::Microseconds,
        Some("ms") => Precision::Milliseconds,
        Some("s") => Precision::Seconds,
        _ => Precision::Nanoseconds,
    };
    let body = ctx.body()?;
    let org = org_of(ctx, &p)?;
    let bucket_id = super::dbrps::resolve(ctx.catalog(), org, &db, rp.as_deref())
        .ok_or_else(|| HttpError::not_found("no dbrp mapping found"))?;
    let bucket = ctx
        .catalog()
        .bucket(bucket_id)
        .cloned()
        .ok_or_else(|| HttpError::not_found("bucket not found"))?;
    super::write::write_lines(ctx, &p, &bucket, precision, &body)
}

pub fn query(ctx: &mut Ctx) -> HttpResult<Reply> {
    let _p = ctx.principal_v1()?;
    let has_q = ctx.params.get("q").is_some()
        || crate::http::Params::parse(&String::from_utf8_lossy(&ctx.req.body))
            .get("q")
            .is_some()
        || ctx
            .req
            .header("Content-Type")
            .is_some_and(|t| t.starts_with("application/vnd.influxql"));
    if !has_q {
        return Err(HttpError::invalid("missing required parameter \"q\""));
    }
    Err(HttpError::not_implemented(
        "InfluxQL is not supported by edgeflux yet; query with Flux through POST /api/v2/query",
    ))
}
