//! `/health`, `/ready`, `/ping`, `/metrics`, `GET /api/v2`: unauthenticated.

use serde_json::json;

use crate::engine::{Ctx, Reply};
use crate::http::{json_response, no_content, HttpResult, INFLUX_VERSION};
use crate::Response;
use edgeflux_types::time::rfc3339_nano as format_rfc3339_nano;

pub fn health(_ctx: &mut Ctx) -> HttpResult<Reply> {
    Ok(json_response(
        200,
        &json!({
            "name": "influxdb",
            "message": "ready for queries and writes",
            "status": "pass",
            "checks": [],
            "version": INFLUX_VERSION,
            "commit": "edgeflux",
        }),
    )
    .into())
}

pub fn ready(ctx: &mut Ctx) -> HttpResult<Reply> {
    let started = if ctx.engine.started_ns == 0 {
        ctx.now
    } else {
        ctx.engine.started_ns
    };
    Ok(json_response(
        200,
        &json!({
            "status": "ready",
            "started": format_rfc3339_nano(started),
            "up": go_duration(ctx.now.saturating_sub(started)),
        }),
    )
    .into())
}

pub fn ping(_ctx: &mut Ctx) -> HttpResult<Reply> {
    Ok(no_content().into())
}

pub fn metrics(ctx: &mut Ctx) -> HttpResult<Reply> {
    let c = ctx.catalog();
    let body = format!(
        "# HELP influxdb_organizations_total Number of total organizations on the server\n\
         # TYPE influxdb_organizations_total counter\n\
         influxdb_organizations_total {}\n\
         # HELP influxdb_buckets_total Number of total buckets on the server\n\
         # TYPE influxdb_buckets_total counter\n\
         influxdb_buckets_total {}\n\
         # HELP influxdb_users_total Number of total users on the server\n\
         # TYPE influxdb_users_total counter\n\
         influxdb_users_total {}\n\
         # HELP influxdb_tokens_total Number of total tokens on the server\n\
         # TYPE influxdb_tokens_total counter\n\
         influxdb_tokens_total {}\n\
         # HELP http_api_requests_total Number of API requests handled\n\
         # TYPE http_api_requests_total counter\n\
         http_api_requests_total {}\n\
         # HELP edgeflux_series_total Number of series stored\n\
         # TYPE edgeflux_series_total gauge\n\
         edgeflux_series_total {}\n",
        c.orgs.len(),
        c.buckets.len(),
        c.users.len(),
        c.auths.len(),
        ctx.engine.request_count(),
        ctx.engine.data.series_count(),
    );
    Ok(Response {
        status: 200,
        headers: vec![(
            "Content-Type".into(),
            "text/plain; version=0.0.4; charset=utf-8".into(),
        )],
        body: body.into_bytes(),
    }
    .into())
}

pub fn routes(_ctx: &mut Ctx) -> HttpResult<Reply> {
    Ok(json_response(
        200,
        &json!({
            "authorizations": "/api/v2/authorizations",
            "buckets": "/api/v2/buckets",
            "dbrps": "/api/v2/dbrps",
            "delete": "/api/v2/delete",
            "health": "/health",
            "me": "/api/v2/me",
            "metrics": "/metrics",
            "orgs": "/api/v2/orgs",
            "query": {
                "self": "/api/v2/query",
            },
            "ready": "/ready",
            "setup": "/api/v2/setup",
            "signin": "/api/v2/signin",
            "signout": "/api/v2/signout",
            "system": {
                "debug": "/debug/pprof",
                "health": "/health",
                "metrics": "/metrics",
            },
            "users": "/api/v2/users",
            "write": "/api/v2/write",
        }),
    )
    .into())
}

/// Go's `time.Duration.String()` (e.g. `1h2m3.5s`), as `/ready` reports uptime.
fn go_duration(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    if ns < 1_000_000_000 {
        return if ns < 1_000 {
            format!("{ns}ns")
        } else if ns < 1_000_000 {
            trim_float(ns as f64 / 1e3) + "µs"
        } else {
            trim_float(ns as f64 / 1e6) + "ms"
        };
    }
    let h = ns / 3_600_000_000_000;
    let m = (ns / 60_000_000_000) % 60;
    let s = (ns % 60_000_000_000) as f64 / 1e9;
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}m"));
    }
    out.push_str(&trim_float(s));
    out.push('s');
    out
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.9}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn go_durations() {
        assert_eq!(super::go_duration(0), "0s");
        assert_eq!(super::go_duration(1_500_000_000), "1.5s");
        assert_eq!(super::go_duration(3_723_000_000_000), "1h2m3s");
        assert_eq!(super::go_duration(2_000_000), "2ms");
    }
}
