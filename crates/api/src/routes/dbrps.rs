//! `/api/v2/dbrps`: database/retention-policy → bucket mappings for the v1 API, plus the
//! virtual mappings InfluxDB derives from bucket names (`db/rp` or `db` → that bucket).

use edgeflux_auth::{Action, Principal, ResourceType};
use edgeflux_types::Id;
use serde::Deserialize;
use serde_json::json;

use super::{deny, parse_id_field};
use crate::catalog::{BucketKind, Catalog, Change, Dbrp};
use crate::engine::{Ctx, Reply};
use crate::http::{json_response, no_content, parse_json, HttpError, HttpResult};
use crate::shapes;

/// Explicit mappings of an org, then virtual ones for buckets without an explicit mapping.
pub(crate) fn all_dbrps(c: &Catalog, org: Id) -> Vec<(Dbrp, bool)> {
    let mut out: Vec<(Dbrp, bool)> = c
        .dbrps
        .values()
        .filter(|d| d.org_id == org)
        .map(|d| (d.clone(), false))
        .collect();
    for b in c
        .buckets
        .values()
        .filter(|b| b.org_id == org && b.kind == BucketKind::User)
    {
        let (db, rp) = match b.name.split_once('/') {
            Some((db, rp)) => (db.to_string(), rp.to_string()),
            None => (b.name.clone(), "autogen".to_string()),
        };
        if out
            .iter()
            .any(|(d, _)| d.database == db && d.retention_policy == rp)
        {
            continue;
        }
        let has_default = out.iter().any(|(d, _)| d.database == db && d.default);
        out.push((
            Dbrp {
                id: b.id,
                org_id: org,
                bucket_id: b.id,
                database: db,
                retention_policy: rp.clone(),
                default: !has_default && (rp == "autogen" || !b.name.contains('/')),
            },
            true,
        ));
    }
    out
}

/// The bucket a v1 request (`db`, optional `rp`) targets.
pub(crate) fn resolve(c: &Catalog, org: Id, db: &str, rp: Option<&str>) -> Option<Id> {
    let all = all_dbrps(c, org);
    let found = match rp.filter(|r| !r.is_empty()) {
        Some(rp) => all
            .iter()
            .find(|(d, _)| d.database == db && d.retention_policy == rp),
        None => all
            .iter()
            .find(|(d, _)| d.database == db && d.default)
            .or_else(|| all.iter().find(|(d, _)| d.database == db)),
    };
    found.map(|(d, _)| d.bucket_id)
}

fn org_of(ctx: &Ctx, org_id: Option<&str>, org: Option<&str>) -> HttpResult<Id> {
    let c = ctx.catalog();
    match (org_id, org) {
        (Some(id), _) => {
            let id = parse_id_field(id)?;
            c.org(id)
                .map(|o| o.id)
                .ok_or_else(|| HttpError::not_found("organization not found"))
        }
        (None, Some(name)) => c
            .org_by_id_or_name(name)
            .map(|o| o.id)
            .ok_or_else(|| HttpError::not_found(format!("organization name \"{name}\" not found"))),
        _ => Err(HttpError::invalid("Please provide either orgID or org")),
    }
}

fn may(p: &Principal, action: Action, org: Id) -> bool {
    p.may(action, ResourceType::Dbrp, Some(org), None)
        || p.may(action, ResourceType::Buckets, Some(org), None)
}

pub fn list(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let org = org_of(ctx, ctx.params.get("orgID"), ctx.params.get("org"))?;
    if !may(&p, Action::Read, org) {
        return Err(deny(Action::Read, ResourceType::Dbrp, Some(org), None));
    }
    let id = ctx.params.get("id").map(parse_id_field).transpose()?;
    let bucket = ctx.params.get("bucketID").map(parse_id_field).transpose()?;
    let db = ctx.params.get("db");
    let rp = ctx.params.get("rp");
    let default = ctx.params.get("default").map(|d| d == "true");
    let content: Vec<serde_json::Value> = all_dbrps(ctx.catalog(), org)
        .iter()
        .filter(|(d, _)| id.is_none_or(|i| d.id == i))
        .filter(|(d, _)| bucket.is_none_or(|b| d.bucket_id == b))
        .filter(|(d, _)| db.is_none_or(|x| d.database == x))
        .filter(|(d, _)| rp.is_none_or(|x| d.retention_policy == x))
        .filter(|(d, _)| default.is_none_or(|x| d.default == x))
        .map(|(d, v)| shapes::dbrp(d, *v))
        .collect();
    Ok(json_response(200, &json!({"content": content})).into())
}

#[derive(Debug, Deserialize)]
struct CreateDbrp {
    #[serde(default, rename = "orgID")]
    org_id: Option<String>,
    #[serde(default)]
    org: Option<String>,
    #[serde(default, rename = "bucketID")]
    bucket_id: Option<String>,
    #[serde(default)]
    database: Option<String>,
    #[serde(default)]
    retention_policy: Option<String>,
    #[serde(default)]
    default: Option<bool>,
}

pub fn create(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let body = ctx.body()?;
    let req: CreateDbrp = parse_json(&body)?;
    let org = org_of(ctx, req.org_id.as_deref(), req.org.as_deref())?;
    if !may(&p, Action::Write, org) {
        return Err(deny(Action::Write, ResourceType::Dbrp, Some(org), None));
    }
    let bucket_id = parse_id_field(
        req.bucket_id
            .as_deref()
            .ok_or_else(|| HttpError::invalid("bucketID is required"))?,
    )?;
    if ctx
        .catalog()
        .bucket(bucket_id)
        .is_none_or(|b| b.org_id != org)
    {
        return Err(HttpError::not_found("bucket not found"));
    }
    let database = req
        .database
        .filter(|d| !d.is_empty())
        .ok_or_else(|| HttpError::invalid("database is required"))?;
    let rp = req
        .retention_policy
        .filter(|d| !d.is_empty())
        .ok_or_else(|| HttpError::invalid("retention_policy is required"))?;
    if ctx
        .catalog()
        .dbrps
        .values()
        .any(|d| d.org_id == org && d.database == database && d.retention_policy == rp)
    {
        return Err(HttpError::conflict(
            "another DBRP mapping with same orgID, db, and rp exists",
        ));
    }
    let first_for_db = !ctx
        .catalog()
        .dbrps
        .values()
        .any(|d| d.org_id == org && d.database == database);
    let dbrp = Dbrp {
        id: ctx.new_id(),
        org_id: org,
        bucket_id,
        database,
        retention_policy: rp,
        default: req.default.unwrap_or(first_for_db),
    };
    Reply::with_changes(
        json_response(201, &shapes::dbrp(&dbrp, false)),
        &[Change::PutDbrp(dbrp)],
    )
}

fn find(ctx: &Ctx, id: Id) -> HttpResult<(Dbrp, bool)> {
    let org = org_of(ctx, ctx.params.get("orgID"), ctx.params.get("org"))?;
    all_dbrps(ctx.catalog(), org)
        .into_iter()
        .find(|(d, _)| d.id == id)
        .ok_or_else(|| HttpError::not_found("unable to find DBRP"))
}

pub fn get(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let (d, v) = find(ctx, id)?;
    if !may(&p, Action::Read, d.org_id) {
        return Err(deny(
            Action::Read,
            ResourceType::Dbrp,
            Some(d.org_id),
            Some(id),
        ));
    }
    Ok(json_response(200, &json!({"content": shapes::dbrp(&d, v)})).into())
}

#[derive(Debug, Deserialize)]
struct PatchDbrp {
    #[serde(default)]
    retention_policy: Option<String>,
    #[serde(default)]
    default: Option<bool>,
}

pub fn patch(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let (mut d, virtual_) = find(ctx, id)?;
    if !may(&p, Action::Write, d.org_id) {
        return Err(deny(
            Action::Write,
            ResourceType::Dbrp,
            Some(d.org_id),
            Some(id),
        ));
    }
    if virtual_ {
        return Err(HttpError::invalid("cannot update a virtual DBRP mapping"));
    }
    let body = ctx.body()?;
    let req: PatchDbrp = parse_json(&body)?;
    if let Some(rp) = req.retention_policy.filter(|r| !r.is_empty()) {
        d.retention_policy = rp;
    }
    if let Some(def) = req.default {
        d.default = def;
    }
    Reply::with_changes(
        json_response(200, &json!({"content": shapes::dbrp(&d, false)})),
        &[Change::PutDbrp(d)],
    )
}

pub fn delete(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let (d, virtual_) = find(ctx, id)?;
    if !may(&p, Action::Write, d.org_id) {
        return Err(deny(
            Action::Write,
            ResourceType::Dbrp,
            Some(d.org_id),
            Some(id),
        ));
    }
    if virtual_ {
        return Err(HttpError::invalid("cannot delete a virtual DBRP mapping"));
    }
    Reply::with_changes(no_content(), &[Change::DeleteDbrp(crate::catalog::Key(id))])
}
