//! `/api/v2/users` and `/api/v2/me`.

use edgeflux_auth::{Action, PasswordHash, ResourceType, Status, User, MIN_PASSWORD_LEN};
use edgeflux_types::Id;
use serde::Deserialize;
use serde_json::json;

use super::deny;
use crate::catalog::Change;
use crate::engine::{Ctx, Reply};
use crate::http::{json_response, no_content, parse_json, HttpError, HttpResult};
use crate::shapes;

pub fn me(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let user = ctx
        .catalog()
        .users
        .get(&p.user_id.0)
        .ok_or_else(|| HttpError::not_found("user not found"))?;
    Ok(json_response(200, &shapes::user(user)).into())
}

#[derive(Debug, Deserialize)]
pub(super) struct PasswordBody {
    #[serde(default)]
    pub(super) password: String,
}

pub(super) fn hash(ctx: &mut Ctx, password: &str) -> HttpResult<PasswordHash> {
    if password.len() < MIN_PASSWORD_LEN {
        return Err(HttpError::invalid(
            "passwords must be at least 8 characters long",
        ));
    }
    let salt = ctx.random::<16>();
    PasswordHash::new(password, salt, ctx.engine.options.password_cost)
        .map_err(|e| HttpError::internal(e.to_string()))
}

pub fn me_password(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    set_password_of(ctx, p.user_id)
}

pub fn set_password(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    if !ctx.catalog().users.contains_key(&id.0) {
        return Err(HttpError::not_found("user not found"));
    }
    if !p.may(Action::Write, ResourceType::Users, None, Some(id)) {
        return Err(deny(Action::Write, ResourceType::Users, None, Some(id)));
    }
    set_password_of(ctx, id)
}

fn set_password_of(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let body = ctx.body()?;
    let req: PasswordBody = parse_json(&body)?;
    let mut user = ctx
        .catalog()
        .users
        .get(&id.0)
        .cloned()
        .ok_or_else(|| HttpError::not_found("user not found"))?;
    user.password = Some(hash(ctx, &req.password)?);
    Reply::with_changes(no_content(), &[Change::PutUser(user)])
}

pub fn list(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let name = ctx.params.get("name");
    let users: Vec<serde_json::Value> = ctx
        .catalog()
        .users
        .values()
        .filter(|u| name.is_none_or(|n| u.name == n))
        .filter(|u| p.may(Action::Read, ResourceType::Users, None, Some(u.id)))
        .map(shapes::user)
        .collect();
    Ok(json_response(
        200,
        &json!({"links": {"self": "/api/v2/users"}, "users": users}),
    )
    .into())
}

#[derive(Debug, Deserialize)]
struct UserBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    status: Option<Status>,
}

pub fn create(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    if !p.may(Action::Write, ResourceType::Users, None, None) {
        return Err(deny(Action::Write, ResourceType::Users, None, None));
    }
    let body = ctx.body()?;
    let req: UserBody = parse_json(&body)?;
    let name = req.name.unwrap_or_default();
    if name.trim().is_empty() {
        return Err(HttpError::invalid("user name is empty"));
    }
    if ctx.catalog().user_by_name(&name).is_some() {
        return Err(HttpError::conflict(format!(
            "user with name {name} already exists"
        )));
    }
    let user = User {
        id: ctx.new_id(),
        name,
        status: req.status.unwrap_or_default(),
        password: None,
        owner_of: Vec::new(),
    };
    Reply::with_changes(
        json_response(201, &shapes::user(&user)),
        &[Change::PutUser(user)],
    )
}

fn find(ctx: &Ctx, id: Id) -> HttpResult<User> {
    ctx.catalog()
        .users
        .get(&id.0)
        .cloned()
        .ok_or_else(|| HttpError::not_found("user not found"))
}

pub fn get(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let user = find(ctx, id)?;
    if !p.may(Action::Read, ResourceType::Users, None, Some(id)) {
        return Err(deny(Action::Read, ResourceType::Users, None, Some(id)));
    }
    Ok(json_response(200, &shapes::user(&user)).into())
}

pub fn patch(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let mut user = find(ctx, id)?;
    if !p.may(Action::Write, ResourceType::Users, None, Some(id)) {
        return Err(deny(Action::Write, ResourceType::Users, None, Some(id)));
    }
    let body = ctx.body()?;
    let req: UserBody = parse_json(&body)?;
    if let Some(name) = req.name {
        if name != user.name && ctx.catalog().user_by_name(&name).is_some() {
            return Err(HttpError::conflict(format!(
                "user with name {name} already exists"
            )));
        }
        user.name = name;
    }
    if let Some(s) = req.status {
        user.status = s;
    }
    Reply::with_changes(
        json_response(200, &shapes::user(&user)),
        &[Change::PutUser(user)],
    )
}

pub fn delete(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    find(ctx, id)?;
    if !p.may(Action::Write, ResourceType::Users, None, Some(id)) {
        return Err(deny(Action::Write, ResourceType::Users, None, Some(id)));
    }
    Reply::with_changes(no_content(), &[Change::DeleteUser(crate::catalog::Key(id))])
}
