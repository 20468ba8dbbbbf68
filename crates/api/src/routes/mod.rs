//! Request dispatch: one module per area, each route a plain function of the context.

mod authorizations;
mod buckets;
mod dbrps;
mod delete;
mod legacy_authorizations;
mod orgs;
pub(crate) mod query;
mod setup;
mod signin;
mod system;
mod task_runs;
mod tasks;
mod users;
mod v1;
mod write;

use edgeflux_types::Id;

use crate::engine::{Ctx, Reply};
use crate::http::{HttpError, HttpResult};

pub(crate) fn dispatch(ctx: &mut Ctx) -> HttpResult<Reply> {
    let method = ctx.req.method.to_ascii_uppercase();
    let path = ctx.req.path.clone();
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path.as_str()
    };
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let m = method.as_str();
    match segs.as_slice() {
        ["health"] => only(m, &["GET", "HEAD"], || system::health(ctx)),
        ["ready"] => only(m, &["GET", "HEAD"], || system::ready(ctx)),
        ["ping"] => only(m, &["GET", "HEAD"], || system::ping(ctx)),
        ["metrics"] => only(m, &["GET"], || system::metrics(ctx)),
        ["api", "v2"] => only(m, &["GET"], || system::routes(ctx)),
        ["api", "v2", "setup"] => match m {
            "GET" => setup::get(ctx),
            "POST" => setup::post(ctx),
            _ => Err(HttpError::method_not_allowed()),
        },
        ["api", "v2", "signin"] => only(m, &["POST"], || signin::signin(ctx)),
        ["api", "v2", "signout"] => only(m, &["POST"], || signin::signout(ctx)),
        ["api", "v2", "me"] => only(m, &["GET"], || users::me(ctx)),
        ["api", "v2", "me", "password"] => only(m, &["PUT"], || users::me_password(ctx)),
        ["api", "v2", "users"] => match m {
            "GET" => users::list(ctx),
            "POST" => users::create(ctx),
            _ => Err(HttpError::method_not_allowed()),
        },
        ["api", "v2", "users", id] => {
            let id = parse_id(id)?;
            match m {
                "GET" => users::get(ctx, id),
                "PATCH" => users::patch(ctx, id),
                "DELETE" => users::delete(ctx, id),
                _ => Err(HttpError::method_not_allowed()),
            }
        }
        ["api", "v2", "users", id, "password"] => {
            let id = parse_id(id)?;
            only(m, &["POST", "PUT"], || users::set_password(ctx, id))
        }
        ["api", "v2", "orgs"] => match m {
            "GET" => orgs::list(ctx),
            "POST" => orgs::create(ctx),
            _ => Err(HttpError::method_not_allowed()),
        },
        ["api", "v2", "orgs", id] => {
            let id = parse_id(id)?;
            match m {
                "GET" => orgs::get(ctx, id),
                "PATCH" => orgs::patch(ctx, id),
                "DELETE" => orgs::delete(ctx, id),
                _ => Err(HttpError::method_not_allowed()),
            }
        }
        ["api", "v2", "buckets"] => match m {
            "GET" => buckets::list(ctx),
            "POST" => buckets::create(ctx),
            _ => Err(HttpError::method_not_allowed()),
        },
        ["api", "v2", "buckets", id] => {
            let id = parse_id(id)?;
            match m {
                "GET" => buckets::get(ctx, id),
                "PATCH" => buckets::patch(ctx, id),
                "DELETE" => buckets::delete(ctx, id),
                _ => Err(HttpError::method_not_allowed()),
            }
        }
        ["api", "v2", "authorizations"] => match m {
            "GET" => authorizations::list(ctx),
            "POST" => authorizations::create(ctx),
            _ => Err(HttpError::method_not_allowed()),
        },
        ["api", "v2", "authorizations", id] => {
            let id = parse_id(id)?;
            match m {
                "GET" => authorizations::get(ctx, id),
                "PATCH" => authorizations::patch(ctx, id),
                "DELETE" => authorizations::delete(ctx, id),
                _ => Err(HttpError::method_not_allowed()),
            }
        }
        ["api", "v2", "write"] => only(m, &["POST"], || write::v2(ctx)),
        ["api", "v2", "query"] => only(m, &["POST"], || query::v2(ctx)),
        ["api", "v2", "delete"] => only(m, &["POST"], || delete::v2(ctx)),
        ["api", "v2", "dbrps"] => match m {
            "GET" => dbrps::list(ctx),
            "POST" => dbrps::create(ctx),
            _ => Err(HttpError::method_not_allowed()),
        },
        ["api", "v2", "dbrps", id] => {
            let id = parse_id(id)?;
            match m {
                "GET" => dbrps::get(ctx, id),
                "PATCH" => dbrps::patch(ctx, id),
                "DELETE" => dbrps::delete(ctx, id),
                _ => Err(HttpError::method_not_allowed()),
            }
        }
        ["api", "v2", "tasks", ..] => tasks_routes(ctx, m, &segs[3..]),
        ["private", "legacy", "authorizations", rest @ ..]
        | ["legacy", "authorizations", rest @ ..] => legacy_authorizations::route(ctx, m, rest),
        ["write"] => only(m, &["POST"], || v1::write(ctx)),
        ["query"] => only(m, &["GET", "POST"], || v1::query(ctx)),
        _ => Err(HttpError::not_found("path not found")),
    }
}

/// `/api/v2/tasks/...` (the segments after `tasks`).
fn tasks_routes(ctx: &mut Ctx, m: &str, rest: &[&str]) -> HttpResult<Reply> {
    let not_allowed = || Err(HttpError::method_not_allowed());
    match rest {
        [] => match m {
            "GET" => tasks::list(ctx),
            "POST" => tasks::create(ctx),
            _ => not_allowed(),
        },
        [id] => {
            let id = parse_id(id)?;
            match m {
                "GET" => tasks::get(ctx, id),
                "PATCH" => tasks::patch(ctx, id),
                "DELETE" => tasks::delete(ctx, id),
                _ => not_allowed(),
            }
        }
        [id, "runs"] => {
            let id = parse_id(id)?;
            match m {
                "GET" => task_runs::list(ctx, id),
                "POST" => task_runs::create(ctx, id),
                _ => not_allowed(),
            }
        }
        [id, "logs"] => {
            let id = parse_id(id)?;
            only(m, &["GET"], || task_runs::task_logs(ctx, id))
        }
        [id, "runs", run] => {
            let (id, run) = (parse_id(id)?, parse_id(run)?);
            match m {
                "GET" => task_runs::get(ctx, id, run),
                "DELETE" => task_runs::delete(ctx, id, run),
                _ => not_allowed(),
            }
        }
        [id, "runs", run, "retry"] => {
            let (id, run) = (parse_id(id)?, parse_id(run)?);
            only(m, &["POST"], || task_runs::retry(ctx, id, run))
        }
        [id, "runs", run, "logs"] => {
            let (id, run) = (parse_id(id)?, parse_id(run)?);
            only(m, &["GET"], || task_runs::run_logs(ctx, id, run))
        }
        _ => Err(HttpError::not_found("path not found")),
    }
}

fn only(
    method: &str,
    allowed: &[&str],
    f: impl FnOnce() -> HttpResult<Reply>,
) -> HttpResult<Reply> {
    if allowed.contains(&method) {
        f()
    } else {
        Err(HttpError::method_not_allowed())
    }
}

/// A path ID; InfluxDB answers malformed ones with 400 `invalid`.
pub(crate) fn parse_id(text: &str) -> HttpResult<Id> {
    text.parse::<Id>()
        .map_err(|e| HttpError::invalid(e.to_string()))
}

/// The `orgID` / `org` (ID or name) filter of a list request; None lists every org.
/// An unknown org is 404, as InfluxDB answers.
pub(crate) fn org_filter(ctx: &Ctx) -> HttpResult<Option<Id>> {
    let c = ctx.catalog();
    Ok(match (ctx.params.get("orgID"), ctx.params.get("org")) {
        (Some(id), _) => Some(
            c.org(parse_id_field(id)?)
                .ok_or_else(|| HttpError::not_found("organization not found"))?
                .id,
        ),
        (None, Some(name)) => Some(
            c.org_by_id_or_name(name)
                .ok_or_else(|| {
                    HttpError::not_found(format!("organization name \"{name}\" not found"))
                })?
                .id,
        ),
        _ => None,
    })
}

/// An ID from a JSON body or query parameter.
pub(crate) fn parse_id_field(text: &str) -> HttpResult<Id> {
    parse_id(text)
}

/// The service-layer denial: InfluxDB answers 401 `<action>:orgs/<org>/<type>/<id> is unauthorized`.
pub(crate) fn deny(
    action: edgeflux_auth::Action,
    kind: edgeflux_auth::ResourceType,
    org: Option<Id>,
    id: Option<Id>,
) -> HttpError {
    let resource = edgeflux_auth::Resource {
        id,
        org_id: org,
        ..edgeflux_auth::Resource::new(kind)
    };
    HttpError::unauthorized(format!(
        "{} is unauthorized",
        edgeflux_auth::Permission::new(action, resource)
    ))
}
