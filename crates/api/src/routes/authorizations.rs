//! `/api/v2/authorizations`: tokens with permissions. The token is shown once, at creation.

use edgeflux_auth::{
    token_from_random, Action, Authorization, Permission, Principal, ResourceType, Status,
    TokenHash, TOKEN_RANDOM_BYTES,
};
use edgeflux_types::Id;
use serde::Deserialize;
use serde_json::json;

use super::{deny, parse_id_field};
use crate::catalog::Change;
use crate::engine::{Ctx, Reply};
use crate::http::{json_response, no_content, parse_json, HttpError, HttpResult};
use crate::shapes;

pub(super) fn may(p: &Principal, action: Action, a: &Authorization) -> bool {
    p.may(
        action,
        ResourceType::Authorizations,
        Some(a.org_id),
        Some(a.id),
    ) || (action == Action::Read && p.authorization_id == Some(a.id))
}

/// The `orgID`/`org` and `userID`/`user` filters of a listing.
pub(super) fn owner_filters(ctx: &Ctx) -> HttpResult<(Option<Id>, Option<Id>)> {
    let c = ctx.catalog();
    let org = match (ctx.params.get("orgID"), ctx.params.get("org")) {
        (Some(id), _) => Some(parse_id_field(id)?),
        (None, Some(name)) => Some(
            c.org_by_id_or_name(name)
                .ok_or_else(|| HttpError::not_found("organization not found"))?
                .id,
        ),
        _ => None,
    };
    let user = match (ctx.params.get("userID"), ctx.params.get("user")) {
        (Some(id), _) => Some(parse_id_field(id)?),
        (None, Some(name)) => Some(
            c.user_by_name(name)
                .ok_or_else(|| HttpError::not_found("user not found"))?
                .id,
        ),
        _ => None,
    };
    Ok((org, user))
}

pub fn list(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let c = ctx.catalog();
    let (org, user) = owner_filters(ctx)?;
    let token = ctx.params.get("token");
    let list: Vec<serde_json::Value> = c
        .auths
        .values()
        .filter(|a| org.is_none_or(|o| a.org_id == o))
        .filter(|a| user.is_none_or(|u| a.user_id == u))
        .filter(|a| token.is_none_or(|t| a.token_hash.matches(t)))
        .filter(|a| may(&p, Action::Read, a))
        .map(|a| shapes::authorization(c, a, None))
        .collect();
    Ok(json_response(
        200,
        &json!({"links": {"self": "/api/v2/authorizations"}, "authorizations": list}),
    )
    .into())
}

/// The body that creates an authorization (v2, and v1 with a `token` beside it).
#[derive(Debug, Deserialize)]
pub(super) struct CreateAuth {
    #[serde(default, rename = "orgID")]
    pub(super) org_id: Option<String>,
    #[serde(default, rename = "userID")]
    pub(super) user_id: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    status: Option<Status>,
    #[serde(default)]
    pub(super) permissions: Option<Vec<Permission>>,
}

impl CreateAuth {
    /// The new authorization, its org, user and permissions checked by the caller.
    pub(super) fn into_authorization(
        self,
        ctx: &mut Ctx,
        org_id: Id,
        user_id: Id,
        permissions: Vec<Permission>,
        token_hash: TokenHash,
    ) -> Authorization {
        Authorization {
            id: ctx.new_id(),
            token_hash,
            status: self.status.unwrap_or_default(),
            description: self.description.unwrap_or_default(),
            org_id,
            user_id,
            permissions,
            created_at: ctx.now,
            updated_at: ctx.now,
        }
    }
}

pub fn create(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let body = ctx.body()?;
    let mut req: CreateAuth = parse_json(&body)?;
    let org_id = parse_id_field(
        req.org_id
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| HttpError::invalid("org id is required"))?,
    )?;
    may_create_in(ctx, &p, org_id)?;
    let permissions = req.permissions.take().unwrap_or_default();
    if permissions.is_empty() {
        return Err(HttpError::invalid(
            "authorization must have at least one permission",
        ));
    }
    let user_id = granted_owner(ctx, &p, &permissions, req.user_id.as_deref())?;
    let token = token_from_random(&ctx.random::<TOKEN_RANDOM_BYTES>());
    let auth = req.into_authorization(ctx, org_id, user_id, permissions, TokenHash::of(&token));
    let body = shapes::authorization(ctx.catalog(), &auth, Some(&token));
    Reply::with_changes(json_response(201, &body), &[Change::PutAuth(auth)])
}

/// The caller may create authorizations in `org_id` (which must exist).
pub(super) fn may_create_in(ctx: &Ctx, p: &Principal, org_id: Id) -> HttpResult<()> {
    if ctx.catalog().org(org_id).is_none() {
        return Err(HttpError::not_found("organization not found"));
    }
    if !p.may(
        Action::Write,
        ResourceType::Authorizations,
        Some(org_id),
        None,
    ) {
        return Err(deny(
            Action::Write,
            ResourceType::Authorizations,
            Some(org_id),
            None,
        ));
    }
    Ok(())
}

/// Checks that the caller holds every permission it hands out, and resolves the new
/// authorization's user (`userID`, else the caller).
pub(super) fn granted_owner(
    ctx: &Ctx,
    p: &Principal,
    permissions: &[Permission],
    user_id: Option<&str>,
) -> HttpResult<Id> {
    for perm in permissions {
        // A token can only hand out what it holds itself.
        if !p.allows(perm) {
            return Err(HttpError::forbidden(format!(
                "permission {perm} is not allowed"
            )));
        }
        if let Some(o) = perm.resource.org_id {
            if ctx.catalog().org(o).is_none() {
                return Err(HttpError::invalid(format!(
                    "invalid permission {perm}: organization not found"
                )));
            }
        }
    }
    match user_id.filter(|s| !s.is_empty()) {
        Some(u) => {
            let id = parse_id_field(u)?;
            if !ctx.catalog().users.contains_key(&id.0) {
                return Err(HttpError::not_found("user not found"));
            }
            Ok(id)
        }
        None => Ok(p.user_id),
    }
}

fn find(ctx: &Ctx, id: Id) -> HttpResult<Authorization> {
    ctx.catalog()
        .auths
        .get(&id.0)
        .cloned()
        .ok_or_else(|| HttpError::not_found("authorization not found"))
}

pub fn get(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let a = find(ctx, id)?;
    if !may(&p, Action::Read, &a) {
        return Err(deny(
            Action::Read,
            ResourceType::Authorizations,
            Some(a.org_id),
            Some(id),
        ));
    }
    Ok(json_response(200, &shapes::authorization(ctx.catalog(), &a, None)).into())
}

/// The body of a PATCH: new status and/or description.
#[derive(Debug, Deserialize)]
pub(super) struct PatchAuth {
    #[serde(default)]
    status: Option<Status>,
    #[serde(default)]
    description: Option<String>,
}

impl PatchAuth {
    pub(super) fn apply_to(self, a: &mut Authorization, now: i64) {
        if let Some(s) = self.status {
            a.status = s;
        }
        if let Some(d) = self.description {
            a.description = d;
        }
        a.updated_at = now;
    }
}

pub fn patch(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let mut a = find(ctx, id)?;
    if !may(&p, Action::Write, &a) {
        return Err(deny(
            Action::Write,
            ResourceType::Authorizations,
            Some(a.org_id),
            Some(id),
        ));
    }
    let body = ctx.body()?;
    parse_json::<PatchAuth>(&body)?.apply_to(&mut a, ctx.now);
    let body = shapes::authorization(ctx.catalog(), &a, None);
    Reply::with_changes(json_response(200, &body), &[Change::PutAuth(a)])
}

pub fn delete(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let a = find(ctx, id)?;
    if !may(&p, Action::Write, &a) {
        return Err(deny(
            Action::Write,
            ResourceType::Authorizations,
            Some(a.org_id),
            Some(id),
        ));
    }
    Reply::with_changes(no_content(), &[Change::DeleteAuth(crate::catalog::Key(id))])
}
