//! The JSON shapes InfluxDB answers with (orgs, users, buckets, authorizations, DBRPs).

use edgeflux_auth::{Authorization, Org, Permission, ResourceType, User};
use serde_json::{json, Value};

use crate::catalog::{Bucket, BucketKind, Catalog, Dbrp};
use edgeflux_types::time::rfc3339_nano as format_rfc3339_nano;

pub fn org(o: &Org) -> Value {
    let id = o.id.to_string();
    json!({
        "links": {
            "self": format!("/api/v2/orgs/{id}"),
            "members": format!("/api/v2/orgs/{id}/members"),
            "owners": format!("/api/v2/orgs/{id}/owners"),
            "labels": format!("/api/v2/orgs/{id}/labels"),
            "secrets": format!("/api/v2/orgs/{id}/secrets"),
            "buckets": format!("/api/v2/buckets?org={}", o.name),
            "tasks": format!("/api/v2/tasks?org={}", o.name),
            "dashboards": format!("/api/v2/dashboards?org={}", o.name),
        },
        "id": id,
        "name": o.name,
        "description": o.description,
        "createdAt": format_rfc3339_nano(o.created_at),
        "updatedAt": format_rfc3339_nano(o.updated_at),
    })
}

pub fn user(u: &User) -> Value {
    json!({
        "links": {"self": format!("/api/v2/users/{}", u.id)},
        "id": u.id.to_string(),
        "name": u.name,
        "status": u.status.name(),
    })
}

pub fn bucket(b: &Bucket) -> Value {
    let id = b.id.to_string();
    let org = b.org_id.to_string();
    let mut v = json!({
        "id": id,
        "orgID": org,
        "type": match b.kind { BucketKind::User => "user", BucketKind::System => "system" },
        "schemaType": "implicit",
        "name": b.name,
        "retentionRules": [{
            "type": "expire",
            "everySeconds": b.retention_seconds,
            "shardGroupDurationSeconds": b.shard_group_seconds,
        }],
        "createdAt": format_rfc3339_nano(b.created_at),
        "updatedAt": format_rfc3339_nano(b.updated_at),
        "links": {
            "labels": format!("/api/v2/buckets/{id}/labels"),
            "members": format!("/api/v2/buckets/{id}/members"),
            "org": format!("/api/v2/orgs/{org}"),
            "owners": format!("/api/v2/buckets/{id}/owners"),
            "self": format!("/api/v2/buckets/{id}"),
            "write": format!("/api/v2/write?org={org}&bucket={id}"),
        },
        "labels": [],
    });
    if !b.description.is_empty() {
        v["description"] = json!(b.description);
    }
    v
}

/// Fills the display names (`name`, `org`) of a permission's resource.
pub fn permission(catalog: &Catalog, p: &Permission) -> Permission {
    let mut p = p.clone();
    if let Some(org) = p.resource.org_id.and_then(|id| catalog.org(id)) {
        p.resource.org = Some(org.name.clone());
    }
    if let Some(id) = p.resource.id {
        let name = match p.resource.kind {
            ResourceType::Buckets => catalog.bucket(id).map(|b| b.name.clone()),
            ResourceType::Orgs => catalog.org(id).map(|o| o.name.clone()),
            ResourceType::Users => catalog.users.get(&id.0).map(|u| u.name.clone()),
            _ => None,
        };
        if name.is_some() {
            p.resource.name = name;
        }
    }
    p
}

/// An authorization; `token` only when it was just created (only hashes are stored).
pub fn authorization(catalog: &Catalog, a: &Authorization, token: Option<&str>) -> Value {
    let perms: Vec<Permission> = a
        .permissions
        .iter()
        .map(|p| permission(catalog, p))
        .collect();
    let mut v = json!({
        "id": a.id.to_string(),
        "status": a.status.name(),
        "description": a.description,
        "orgID": a.org_id.to_string(),
        "org": catalog.org(a.org_id).map(|o| o.name.clone()).unwrap_or_default(),
        "userID": a.user_id.to_string(),
        "user": catalog.users.get(&a.user_id.0).map(|u| u.name.clone()).unwrap_or_default(),
        "permissions": perms,
        "createdAt": format_rfc3339_nano(a.created_at),
        "updatedAt": format_rfc3339_nano(a.updated_at),
        "links": {
            "self": format!("/api/v2/authorizations/{}", a.id),
            "user": format!("/api/v2/users/{}", a.user_id),
        },
    });
    if let Some(t) = token {
        v["token"] = json!(t);
    }
    v
}

pub fn dbrp(d: &Dbrp, virtual_: bool) -> Value {
    json!({
        "id": d.id.to_string(),
        "orgID": d.org_id.to_string(),
        "bucketID": d.bucket_id.to_string(),
        "database": d.database,
        "retention_policy": d.retention_policy,
        "default": d.default,
        "virtual": virtual_,
        "links": {"self": format!("/api/v2/dbrps/{}", d.id)},
    })
}
