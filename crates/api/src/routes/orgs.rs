//! `/api/v2/orgs`: list, create (with the `_monitoring` and `_tasks` system buckets),
//! get, patch, delete.

use edgeflux_auth::{Action, Org, ResourceType};
use edgeflux_types::Id;
use serde::Deserialize;
use serde_json::json;

use super::deny;
use crate::catalog::{Bucket, BucketKind, Change};
use crate::engine::{Ctx, Reply};
use crate::http::{json_response, no_content, parse_json, HttpError, HttpResult};
use crate::shapes;

/// The system buckets every org has (retention 7 days and 3 days, as in InfluxDB).
pub(crate) fn system_buckets(ctx: &mut Ctx, org_id: Id) -> Vec<Change> {
    let mut out = Vec::new();
    for (name, days) in [("_monitoring", 7), ("_tasks", 3)] {
        let secs = days * 86_400;
        out.push(Change::PutBucket(Bucket {
            id: ctx.new_id(),
            org_id,
            name: name.into(),
            description: format!(
                "System bucket for {}",
                if name == "_tasks" {
                    "task logs"
                } else {
                    "monitoring logs"
                }
            ),
            kind: BucketKind::System,
            retention_seconds: secs,
            shard_group_seconds: crate::catalog::default_shard_group_seconds(secs),
            created_at: ctx.now,
            updated_at: ctx.now,
        }));
    }
    out
}

pub fn list(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let c = ctx.catalog();
    let name = ctx.params.get("org");
    let id = ctx
        .params
        .get("orgID")
        .map(super::parse_id_field)
        .transpose()?;
    let orgs: Vec<serde_json::Value> = c
        .orgs
        .values()
        .filter(|o| name.is_none_or(|n| o.name == n))
        .filter(|o| id.is_none_or(|i| o.id == i))
        .filter(|o| p.may(Action::Read, ResourceType::Orgs, None, Some(o.id)))
        .map(shapes::org)
        .collect();
    if orgs.is_empty() && (name.is_some() || id.is_some()) {
        return Err(HttpError::not_found("organization not found"));
    }
    Ok(json_response(
        200,
        &json!({"links": {"self": "/api/v2/orgs"}, "orgs": orgs}),
    )
    .into())
}

#[derive(Debug, Deserialize)]
struct OrgBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

pub fn create(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    if !p.may(Action::Write, ResourceType::Orgs, None, None) {
        return Err(deny(Action::Write, ResourceType::Orgs, None, None));
    }
    let body = ctx.body()?;
    let req: OrgBody = parse_json(&body)?;
    let name = req.name.unwrap_or_default();
    if name.trim().is_empty() {
        return Err(HttpError::invalid("org name is empty"));
    }
    if ctx.catalog().org_by_name(&name).is_some() {
        return Err(HttpError::conflict(format!(
            "organization with name {name} already exists"
        )));
    }
    let org = Org {
        id: ctx.new_id(),
        name,
        description: req.description.unwrap_or_default(),
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let mut changes = vec![Change::PutOrg(org.clone())];
    changes.extend(system_buckets(ctx, org.id));
    // The creator owns the new org.
    if let Some(mut user) = ctx.catalog().users.get(&p.user_id.0).cloned() {
        user.owner_of.push(org.id);
        changes.push(Change::PutUser(user));
    }
    Reply::with_changes(json_response(201, &shapes::org(&org)), &changes)
}

fn find(ctx: &Ctx, id: Id) -> HttpResult<Org> {
    ctx.catalog()
        .org(id)
        .cloned()
        .ok_or_else(|| HttpError::not_found("organization not found"))
}

pub fn get(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let org = find(ctx, id)?;
    if !p.may(Action::Read, ResourceType::Orgs, None, Some(id)) {
        return Err(deny(Action::Read, ResourceType::Orgs, None, Some(id)));
    }
    Ok(json_response(200, &shapes::org(&org)).into())
}

pub fn patch(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let mut org = find(ctx, id)?;
    if !p.may(Action::Write, ResourceType::Orgs, None, Some(id)) {
        return Err(deny(Action::Write, ResourceType::Orgs, None, Some(id)));
    }
    let body = ctx.body()?;
    let req: OrgBody = parse_json(&body)?;
    if let Some(name) = req.name {
        if name.trim().is_empty() {
            return Err(HttpError::invalid("org name is empty"));
        }
        if name != org.name && ctx.catalog().org_by_name(&name).is_some() {
            return Err(HttpError::conflict(format!(
                "organization with name {name} already exists"
            )));
        }
        org.name = name;
    }
    if let Some(d) = req.description {
        org.description = d;
    }
    org.updated_at = ctx.now;
    Reply::with_changes(
        json_response(200, &shapes::org(&org)),
        &[Change::PutOrg(org)],
    )
}

pub fn delete(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    find(ctx, id)?;
    if !p.may(Action::Write, ResourceType::Orgs, None, Some(id)) {
        return Err(deny(Action::Write, ResourceType::Orgs, None, Some(id)));
    }
    let mut changes: Vec<Change> = ctx
        .catalog()
        .buckets
        .values()
        .filter(|b| b.org_id == id)
        .map(|b| Change::DeleteBucket(crate::catalog::Key(b.id)))
        .collect();
    changes.push(Change::DeleteOrg(crate::catalog::Key(id)));
    Reply::with_changes(no_content(), &changes)
}
