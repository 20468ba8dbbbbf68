//! `/private/legacy/authorizations` (the contract lists it as `/legacy/authorizations` under
//! the `/private` server; both paths answer): v1 authorizations for InfluxQL and v1 clients.
//! One is a user name (InfluxDB calls it the token; it is not secret) plus a password set
//! with `POST {id}/password`, holding v2 permissions. v1 `/write` and `/query` accept it as
//! `u`/`p` parameters or HTTP Basic (crate::authn). Access rules are those of
//! `/api/v2/authorizations`.

use edgeflux_auth::{Action, Principal, ResourceType, TokenHash};
use edgeflux_types::Id;
use serde::Deserialize;
use serde_json::{json, Value};

use super::authorizations::{
    granted_owner, may, may_create_in, owner_filters, CreateAuth, PatchAuth,
};
use super::users::{hash, PasswordBody};
use super::{deny, only, parse_id, parse_id_field};
use crate::catalog::{Change, Key, LegacyAuth};
use crate::engine::{Ctx, Reply};
use crate::http::{json_response, no_content, parse_json, HttpError, HttpResult};
use crate::shapes;

const PREFIX: &str = "/private/legacy/authorizations";

/// Routes `…/legacy/authorizations/<rest>`.
pub fn route(ctx: &mut Ctx, method: &str, rest: &[&str]) -> HttpResult<Reply> {
    match rest {
        [] => match method {
            "GET" => list(ctx),
            "POST" => create(ctx),
            _ => Err(HttpError::method_not_allowed()),
        },
        [id] => {
            let id = parse_id(id)?;
            match method {
                "GET" => get(ctx, id),
                "PATCH" => patch(ctx, id),
                "DELETE" => delete(ctx, id),
                _ => Err(HttpError::method_not_allowed()),
            }
        }
        [id, "password"] => {
            let id = parse_id(id)?;
            only(method, &["POST"], || set_password(ctx, id))
        }
        _ => Err(HttpError::not_found("path not found")),
    }
}

/// The v1 authorization as InfluxDB shows it: the v2 shape with its user name as `token`.
fn shape(ctx: &Ctx, l: &LegacyAuth) -> Value {
    let mut v = shapes::authorization(ctx.catalog(), &l.auth, Some(&l.token));
    v["links"]["self"] = json!(format!("{PREFIX}/{}", l.auth.id));
    v
}

fn list(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let (org, user) = owner_filters(ctx)?;
    let token = ctx.params.get("token");
    let id = match ctx.params.get("authID").or_else(|| ctx.params.get("id")) {
        Some(text) => Some(parse_id_field(text)?),
        None => None,
    };
    let list: Vec<Value> = ctx
        .catalog()
        .legacy_auths
        .values()
        .filter(|l| org.is_none_or(|o| l.auth.org_id == o))
        .filter(|l| user.is_none_or(|u| l.auth.user_id == u))
        .filter(|l| token.is_none_or(|t| l.token == t))
        .filter(|l| id.is_none_or(|i| l.auth.id == i))
        .filter(|l| may(&p, Action::Read, &l.auth))
        .map(|l| shape(ctx, l))
        .collect();
    Ok(json_response(
        200,
        &json!({"links": {"self": PREFIX}, "authorizations": list}),
    )
    .into())
}

#[derive(Debug, Deserialize)]
struct CreateLegacyAuth {
    #[serde(default)]
    token: Option<String>,
    #[serde(flatten)]
    auth: CreateAuth,
}

fn create(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let body = ctx.body()?;
    let CreateLegacyAuth {
        token,
        auth: mut req,
    } = parse_json(&body)?;
    // InfluxDB validates the body in this order before it looks at permissions.
    let permissions = req.permissions.take().unwrap_or_default();
    if permissions.is_empty() {
        return Err(HttpError::invalid("authorization must include permissions"));
    }
    let org_id = match req.org_id.as_deref().filter(|s| !s.is_empty()) {
        Some(text) => parse_id_field(text)?,
        None => return Err(HttpError::invalid("org id required")),
    };
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| HttpError::invalid("token required for v1 user authorization type"))?;
    may_create_in(ctx, &p, org_id)?;
    let user_id = granted_owner(ctx, &p, &permissions, req.user_id.as_deref())?;
    if ctx.catalog().legacy_auth_by_token(&token).is_some() {
        return Err(HttpError::conflict("token already exists"));
    }
    let auth = req.into_authorization(ctx, org_id, user_id, permissions, TokenHash::of(&token));
    let legacy = LegacyAuth {
        auth,
        token,
        password: None,
    };
    let body = shape(ctx, &legacy);
    Reply::with_changes(json_response(201, &body), &[Change::PutLegacyAuth(legacy)])
}

/// The v1 authorization `id` if the caller may `action` it (401 as InfluxDB's service
/// layer answers otherwise; 404 when there is none).
fn find(ctx: &Ctx, p: &Principal, id: Id, action: Action) -> HttpResult<LegacyAuth> {
    let l = ctx
        .catalog()
        .legacy_auths
        .get(&id.0)
        .cloned()
        .ok_or_else(|| HttpError::not_found("authorization not found"))?;
    if !may(p, action, &l.auth) {
        return Err(deny(
            action,
            ResourceType::Authorizations,
            Some(l.auth.org_id),
            Some(id),
        ));
    }
    Ok(l)
}

fn get(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let l = find(ctx, &p, id, Action::Read)?;
    Ok(json_response(200, &shape(ctx, &l)).into())
}

fn patch(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let mut l = find(ctx, &p, id, Action::Write)?;
    let body = ctx.body()?;
    parse_json::<PatchAuth>(&body)?.apply_to(&mut l.auth, ctx.now);
    let body = shape(ctx, &l);
    Reply::with_changes(json_response(200, &body), &[Change::PutLegacyAuth(l)])
}

fn delete(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    find(ctx, &p, id, Action::Write)?;
    Reply::with_changes(no_content(), &[Change::DeleteLegacyAuth(Key(id))])
}

fn set_password(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let mut l = find(ctx, &p, id, Action::Write)?;
    let body = ctx.body()?;
    let req: PasswordBody = parse_json(&body)?;
    l.password = Some(hash(ctx, &req.password)?);
    l.auth.updated_at = ctx.now;
    Reply::with_changes(no_content(), &[Change::PutLegacyAuth(l)])
}
