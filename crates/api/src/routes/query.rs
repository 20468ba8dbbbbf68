//! `POST /api/v2/query`: Flux as `application/vnd.flux` or JSON (`query`, `type`,
//! `dialect`, `extern`, `now`), answered as annotated CSV (gzip on request).

use edgeflux_auth::Principal;
use edgeflux_types::Id;
use serde::Deserialize;
use serde_json::Value;

use crate::engine::{Ctx, Reply};
use crate::http::{accepts_gzip, gzip, no_content, HttpError, HttpResult};
use crate::Response;
use edgeflux_types::time::parse_rfc3339;

/// The org of a write/query/delete: `orgID` (an ID) or `org` (ID or name).
pub(crate) fn org_param(ctx: &Ctx) -> HttpResult<Id> {
    let c = ctx.catalog();
    if let Some(id) = ctx.params.get("orgID") {
        let id = super::parse_id_field(id)?;
        return c
            .org(id)
            .map(|o| o.id)
            .ok_or_else(|| HttpError::not_found("organization not found"));
    }
    if let Some(name) = ctx.params.get("org") {
        return c.org_by_id_or_name(name).map(|o| o.id).ok_or_else(|| {
            HttpError::not_found(format!("organization name \"{name}\" not found"))
        });
    }
    Err(HttpError::invalid("Please provide either orgID or org"))
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DialectBody {
    #[serde(default)]
    header: Option<bool>,
    #[serde(default)]
    delimiter: Option<String>,
    #[serde(default)]
    annotations: Option<Vec<String>>,
    #[serde(default)]
    comment_prefix: Option<String>,
    #[serde(default)]
    date_time_format: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct QueryBody {
    #[serde(default)]
    query: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    dialect: Option<DialectBody>,
    #[serde(default)]
    r#extern: Option<Value>,
    #[serde(default)]
    params: Option<Value>,
    #[serde(default)]
    now: Option<String>,
}

/// A parsed query request.
#[derive(Debug)]
pub(crate) struct QueryRequest {
    pub flux: String,
    pub prelude: Option<String>,
    pub now: i64,
    pub dialect: edgeflux_flux::Dialect,
}

pub(crate) fn parse_request(
    req: &crate::Request,
    now: i64,
    body: &[u8],
) -> HttpResult<QueryRequest> {
    let content_type = req
        .header("Content-Type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if content_type == "application/vnd.flux" {
        let flux = String::from_utf8(body.to_vec())
            .map_err(|_| HttpError::invalid("failed to decode request body: invalid UTF-8"))?;
        return Ok(QueryRequest {
            flux,
            prelude: None,
            now,
            dialect: edgeflux_flux::Dialect::default(),
        });
    }
    let req: QueryBody = serde_json::from_slice(body).map_err(|e| {
        HttpError::invalid(format!(
            "failed parsing request body as JSON; if sending a raw Flux script, set 'Content-Type: application/vnd.flux' in your request headers: {e}"
        ))
    })?;
    if let Some(kind) = req.kind.as_deref() {
        if !kind.is_empty() && kind != "flux" {
            return Err(HttpError::invalid(format!("unknown query type: {kind}")));
        }
    }
    let flux = req.query.filter(|q| !q.is_empty()).ok_or_else(|| {
        HttpError::invalid(
            "failed to decode request body: request body requires either query or AST",
        )
    })?;
    let now = match req.now.as_deref() {
        Some(t) if !t.is_empty() => parse_rfc3339(t).ok_or_else(|| {
            HttpError::invalid(format!("failed to decode request body: invalid time {t:?}"))
        })?,
        _ => now,
    };
    let dialect = dialect(req.dialect.unwrap_or_default())?;
    let params = req.params.filter(|p| !p.is_null());
    let prelude = match (req.r#extern, params) {
        (Some(Value::Null) | None, None) => None,
        (Some(Value::Null) | None, Some(params)) => {
            Some(crate::flux_extern::render_params(&params).map_err(|e| {
                HttpError::invalid(format!("failed to decode request body: params: {e}"))
            })?)
        }
        (Some(_), Some(_)) => {
            return Err(HttpError::invalid(
                "failed to decode request body: params cannot be used together with extern",
            ))
        }
        (Some(file), None) => {
            let text = crate::flux_extern::render_file(&file).map_err(|e| {
                HttpError::invalid(format!("failed to decode request body: extern: {e}"))
            })?;
            (!text.is_empty()).then_some(text)
        }
    };
    Ok(QueryRequest {
        flux,
        prelude,
        now,
        dialect,
    })
}

fn dialect(d: DialectBody) -> HttpResult<edgeflux_flux::Dialect> {
    let mut out = edgeflux_flux::Dialect::default();
    if let Some(h) = d.header {
        out.header = h;
    }
    if let Some(delim) = d.delimiter {
        let b = delim.as_bytes();
        if b.len() != 1 {
            return Err(HttpError::invalid(
                "invalid dialect delimiter: must be exactly one character",
            ));
        }
        out.delimiter = b[0];
    }
    if let Some(prefix) = d.comment_prefix {
        if prefix.chars().count() > 1 {
            return Err(HttpError::invalid(
                "invalid dialect comment prefix: must be at most one character",
            ));
        }
    }
    if let Some(fmt) = d.date_time_format {
        if fmt != "RFC3339" && fmt != "RFC3339Nano" {
            return Err(HttpError::invalid(format!(
                "invalid dialect date time format {fmt:?}"
            )));
        }
    }
    if let Some(list) = d.annotations {
        for a in &list {
            if !matches!(a.as_str(), "group" | "datatype" | "default") {
                return Err(HttpError::invalid(format!("unknown annotation type {a:?}")));
            }
        }
        out.annotations = list;
    }
    Ok(out)
}

pub fn v2(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let org = org_param(ctx)?;
    let body = ctx.body()?;
    let request = parse_request(ctx.req, ctx.now, &body)?;
    run(ctx, &p, org, request)
}

/// Runs a parsed query for a principal in an org and renders the response.
pub(crate) fn run(ctx: &Ctx, p: &Principal, org: Id, request: QueryRequest) -> HttpResult<Reply> {
    let c = ctx.catalog();
    let org_name = c.org(org).map(|o| o.name.clone()).unwrap_or_default();
    let options = edgeflux_flux::QueryOptions {
        now_ns: request.now,
        prelude: request.prelude,
        org: Some(org_name),
    };
    let env: &dyn crate::Env = &*ctx.env;
    let interrupted = || env.query_interrupted();
    let limits = edgeflux_flux::QueryLimits {
        max_bytes: ctx.engine.options.query_memory_bytes,
        interrupt: Some(&interrupted),
    };
    // `to()` writes come back as log records, made durable before the answer goes out.
    let (results, log) =
        crate::flux_writes::execute(ctx.engine, p, org, &request.flux, &options, limits, ctx.now)?;
    let prefer = ctx.req.header("Prefer").unwrap_or("");
    if prefer.contains("return-no-content") {
        return Ok(Reply {
            response: no_content(),
            log,
        });
    }
    let mut csv = Vec::new();
    edgeflux_flux::encode_csv(&results, &request.dialect, &mut csv);
    let mut headers = vec![(
        "Content-Type".to_string(),
        "text/csv; charset=utf-8".to_string(),
    )];
    let body = if accepts_gzip(ctx.req) {
        headers.push(("Content-Encoding".into(), "gzip".into()));
        gzip(&csv)
    } else {
        csv
    };
    Ok(Reply {
        response: Response {
            status: 200,
            headers,
            body,
        },
        log,
    })
}

/// Flux's error codes as InfluxDB maps them to HTTP.
pub(crate) fn flux_error(e: edgeflux_flux::FluxError) -> HttpError {
    use edgeflux_flux::FluxError as F;
    match e {
        F::NotFound(m) => HttpError::not_found(m),
        F::Invalid(m) | F::Unimplemented(m) | F::ResourceExhausted(m) => HttpError::invalid(m),
        F::PermissionDenied(m) => HttpError::forbidden(m),
        F::Internal(m) => HttpError::internal(m),
        // InfluxDB answers a query whose deadline passed with 408, keeping the error's code.
        F::Canceled(m) => HttpError {
            status: 408,
            ..HttpError::invalid(m)
        },
    }
}
