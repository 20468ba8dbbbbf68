//! `/api/v2/buckets`: list (filtered to what the caller may read), create, get, patch, delete.

use edgeflux_auth::{Action, Principal, ResourceType};
use edgeflux_types::Id;
use serde::Deserialize;
use serde_json::json;

use super::{deny, parse_id_field};
use crate::catalog::{default_shard_group_seconds, Bucket, BucketKind, Change};
use crate::engine::{Ctx, Reply};
use crate::http::{json_response, no_content, parse_json, HttpError, HttpResult};
use crate::shapes;

fn may(p: &Principal, action: Action, b: &Bucket) -> bool {
    p.may(action, ResourceType::Buckets, Some(b.org_id), Some(b.id))
}

pub fn list(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let c = ctx.catalog();
    let org_filter = super::org_filter(ctx)?;
    let name = ctx.params.get("name");
    let id = match ctx.params.get("id") {
        Some(t) => Some(parse_id_field(t)?),
        None => None,
    };
    let limit = ctx
        .params
        .get("limit")
        .map(|l| {
            l.parse::<usize>()
                .map_err(|_| HttpError::invalid("limit must be a number"))
        })
        .transpose()?
        .unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(HttpError::invalid("limit must be between 1 and 100"));
    }
    let offset = ctx
        .params
        .get("offset")
        .map(|l| {
            l.parse::<usize>()
                .map_err(|_| HttpError::invalid("offset must be a number"))
        })
        .transpose()?
        .unwrap_or(0);
    let after = ctx.params.get("after").map(parse_id_field).transpose()?;
    let mut all: Vec<&Bucket> = c
        .buckets
        .values()
        .filter(|b| org_filter.is_none_or(|o| b.org_id == o))
        .filter(|b| name.is_none_or(|n| b.name == n))
        .filter(|b| id.is_none_or(|i| b.id == i))
        .filter(|b| after.is_none_or(|a| b.id > a))
        .filter(|b| may(&p, Action::Read, b))
        .collect();
    // User buckets first (oldest first), then the system ones, like InfluxDB lists them.
    all.sort_by(|a, b| {
        (a.kind == BucketKind::System, a.created_at, &a.name).cmp(&(
            b.kind == BucketKind::System,
            b.created_at,
            &b.name,
        ))
    });
    let page: Vec<serde_json::Value> = all
        .iter()
        .skip(offset)
        .take(limit)
        .map(|b| shapes::bucket(b))
        .collect();
    let mut self_link = format!("/api/v2/buckets?descending=false&limit={limit}&offset={offset}");
    if let Some(o) = ctx.params.get("org") {
        self_link.push_str(&format!("&org={o}"));
    }
    let mut links = json!({"self": self_link});
    if all.len() > offset + limit {
        links["next"] = json!(format!(
            "/api/v2/buckets?descending=false&limit={limit}&offset={}",
            offset + limit
        ));
    }
    Ok(json_response(200, &json!({"links": links, "buckets": page})).into())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RetentionRule {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    every_seconds: Option<i64>,
    #[serde(default)]
    shard_group_duration_seconds: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBucket {
    #[serde(default, rename = "orgID")]
    org_id: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    retention_rules: Option<Vec<RetentionRule>>,
}

/// Validated `(retention, shard group)` seconds from retention rules.
fn retention(rules: &[RetentionRule]) -> HttpResult<(i64, i64)> {
    let Some(rule) = rules.first() else {
        return Ok((0, default_shard_group_seconds(0)));
    };
    if rules.len() > 1 {
        return Err(HttpError::invalid(
            "buckets can only have one retention rule",
        ));
    }
    if rule.kind.as_deref().is_some_and(|k| k != "expire") {
        return Err(HttpError::invalid("retention rule type must be expire"));
    }
    let every = rule.every_seconds.unwrap_or(0);
    if every < 0 {
        return Err(HttpError::invalid("expiration seconds cannot be negative"));
    }
    if every > 0 && every < 3600 {
        return Err(HttpError::invalid(
            "expiration seconds must be greater than or equal to one hour",
        ));
    }
    let shard = match rule.shard_group_duration_seconds {
        Some(s) if s > 0 => {
            if every > 0 && s > every {
                return Err(HttpError::invalid(
                    "shard-group duration must also be less than or equal to bucket retention",
                ));
            }
            s
        }
        _ => default_shard_group_seconds(every),
    };
    Ok((every, shard))
}

fn valid_name(name: &str) -> HttpResult<()> {
    if name.trim().is_empty() {
        return Err(HttpError::invalid("bucket name is empty"));
    }
    if name.starts_with('_') {
        return Err(HttpError::invalid(format!(
            "bucket name {name} is invalid. Buckets may not start with underscore"
        )));
    }
    if name.contains('"') || name.contains('\'') {
        return Err(HttpError::invalid(format!(
            "bucket name {name} is invalid. Bucket names may not include quotation marks"
        )));
    }
    Ok(())
}

pub fn create(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let body = ctx.body()?;
    let req: CreateBucket = parse_json(&body)?;
    let org_text = req
        .org_id
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| HttpError::invalid("organization id must be provided"))?;
    let org_id = parse_id_field(org_text)?;
    if !p.may(Action::Write, ResourceType::Buckets, Some(org_id), None) {
        return Err(deny(
            Action::Write,
            ResourceType::Buckets,
            Some(org_id),
            None,
        ));
    }
    if ctx.catalog().org(org_id).is_none() {
        return Err(HttpError::not_found("organization not found"));
    }
    valid_name(&req.name)?;
    if ctx.catalog().bucket_by_name(org_id, &req.name).is_some() {
        return Err(HttpError::conflict(format!(
            "bucket with name {} already exists",
            req.name
        )));
    }
    let (every, shard) = retention(req.retention_rules.as_deref().unwrap_or(&[]))?;
    let bucket = Bucket {
        id: ctx.new_id(),
        org_id,
        name: req.name,
        description: req.description.unwrap_or_default(),
        kind: BucketKind::User,
        retention_seconds: every,
        shard_group_seconds: shard,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    Reply::with_changes(
        json_response(201, &shapes::bucket(&bucket)),
        &[Change::PutBucket(bucket)],
    )
}

fn find(ctx: &Ctx, id: Id) -> HttpResult<Bucket> {
    ctx.catalog()
        .bucket(id)
        .cloned()
        .ok_or_else(|| HttpError::not_found("bucket not found"))
}

pub fn get(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let b = find(ctx, id)?;
    if !may(&p, Action::Read, &b) {
        return Err(deny(
            Action::Read,
            ResourceType::Buckets,
            Some(b.org_id),
            Some(b.id),
        ));
    }
    Ok(json_response(200, &shapes::bucket(&b)).into())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PatchBucket {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    retention_rules: Option<Vec<RetentionRule>>,
}

pub fn patch(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let mut b = find(ctx, id)?;
    if !may(&p, Action::Write, &b) {
        return Err(deny(
            Action::Write,
            ResourceType::Buckets,
            Some(b.org_id),
            Some(b.id),
        ));
    }
    let body = ctx.body()?;
    let req: PatchBucket = parse_json(&body)?;
    if let Some(name) = req.name {
        if name != b.name {
            if b.kind == BucketKind::System {
                return Err(HttpError::invalid("system buckets cannot be renamed"));
            }
            valid_name(&name)?;
            if ctx.catalog().bucket_by_name(b.org_id, &name).is_some() {
                return Err(HttpError::conflict(format!(
                    "bucket with name {name} already exists"
                )));
            }
            b.name = name;
        }
    }
    if let Some(d) = req.description {
        b.description = d;
    }
    if let Some(rules) = req.retention_rules {
        let (every, shard) = retention(&rules)?;
        b.retention_seconds = every;
        b.shard_group_seconds = shard;
    }
    b.updated_at = ctx.now;
    Reply::with_changes(
        json_response(200, &shapes::bucket(&b)),
        &[Change::PutBucket(b)],
    )
}

pub fn delete(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let b = find(ctx, id)?;
    if !may(&p, Action::Write, &b) {
        return Err(deny(
            Action::Write,
            ResourceType::Buckets,
            Some(b.org_id),
            Some(b.id),
        ));
    }
    if b.kind == BucketKind::System {
        return Err(HttpError::invalid("system buckets cannot be deleted"));
    }
    Reply::with_changes(
        no_content(),
        &[Change::DeleteBucket(crate::catalog::Key(b.id))],
    )
}
