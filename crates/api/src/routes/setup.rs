//! Onboarding: `GET /api/v2/setup` says whether it is allowed, `POST` creates the first
//! user, org, bucket and the operator token, once.

use edgeflux_auth::{
    operator_permissions, token_from_random, Authorization, Org, PasswordHash, Status, User,
    MIN_PASSWORD_LEN, TOKEN_RANDOM_BYTES,
};
use serde::Deserialize;
use serde_json::json;

use crate::catalog::{default_shard_group_seconds, Bucket, BucketKind, Change};
use crate::engine::{Ctx, Reply};
use crate::http::{json_response, parse_json, HttpError, HttpResult};
use crate::shapes;

pub fn get(ctx: &mut Ctx) -> HttpResult<Reply> {
    Ok(json_response(200, &json!({"allowed": !ctx.catalog().onboarded})).into())
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SetupRequest {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub bucket: String,
    #[serde(default)]
    pub retention_period_seconds: Option<i64>,
    #[serde(default)]
    pub retention_period_hrs: Option<i64>,
    #[serde(default)]
    pub token: Option<String>,
}

pub fn post(ctx: &mut Ctx) -> HttpResult<Reply> {
    if ctx.catalog().onboarded {
        return Err(HttpError::conflict("onboarding has already been completed"));
    }
    let body = ctx.body()?;
    let req: SetupRequest = parse_json(&body)?;
    let (response, changes) = onboard(ctx, &req)?;
    Reply::with_changes(json_response(201, &response), &changes)
}

/// Validates and builds the onboarding changes; shared with the edges' first-start setup.
pub(crate) fn onboard(
    ctx: &mut Ctx,
    req: &SetupRequest,
) -> HttpResult<(serde_json::Value, Vec<Change>)> {
    let mut missing = Vec::new();
    if req.username.is_empty() {
        missing.push("username");
    }
    if req.org.is_empty() {
        missing.push("org");
    }
    if req.bucket.is_empty() {
        missing.push("bucket");
    }
    if !missing.is_empty() {
        return Err(HttpError::empty_value(format!(
            "onboarding failed: missing required fields [{}]",
            missing.join(" ")
        )));
    }
    let password = match req.password.as_deref() {
        Some(p) if !p.is_empty() => {
            if p.len() < MIN_PASSWORD_LEN {
                return Err(HttpError::invalid(
                    "passwords must be at least 8 characters long",
                ));
            }
            let salt = ctx.random::<16>();
            Some(
                PasswordHash::new(p, salt, ctx.engine.options.password_cost)
                    .map_err(|e| HttpError::internal(e.to_string()))?,
            )
        }
        _ => None,
    };
    let retention = match (req.retention_period_seconds, req.retention_period_hrs) {
        (Some(s), _) => s,
        (None, Some(h)) => h.saturating_mul(3600),
        (None, None) => 0,
    };
    if retention < 0 {
        return Err(HttpError::invalid(
            "expiration seconds must be greater than or equal to one hour",
        ));
    }
    if retention > 0 && retention < 3600 {
        return Err(HttpError::invalid(
            "expiration seconds must be greater than or equal to one hour",
        ));
    }
    let now = ctx.now;
    let org = Org {
        id: ctx.new_id(),
        name: req.org.clone(),
        description: String::new(),
        created_at: now,
        updated_at: now,
    };
    let user = User {
        id: ctx.new_id(),
        name: req.username.clone(),
        status: Status::Active,
        password,
        owner_of: vec![org.id],
    };
    let bucket = Bucket {
        id: ctx.new_id(),
        org_id: org.id,
        name: req.bucket.clone(),
        description: String::new(),
        kind: BucketKind::User,
        retention_seconds: retention,
        shard_group_seconds: default_shard_group_seconds(retention),
        created_at: now,
        updated_at: now,
    };
    let token = match req.token.as_deref() {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => token_from_random(&ctx.random::<TOKEN_RANDOM_BYTES>()),
    };
    let auth = Authorization {
        id: ctx.new_id(),
        token_hash: edgeflux_auth::TokenHash::of(&token),
        status: Status::Active,
        description: format!("{}'s Token", user.name),
        org_id: org.id,
        user_id: user.id,
        permissions: operator_permissions(),
        created_at: now,
        updated_at: now,
    };
    let mut changes = vec![
        Change::PutOrg(org.clone()),
        Change::PutUser(user.clone()),
        Change::PutBucket(bucket.clone()),
    ];
    changes.extend(super::orgs::system_buckets(ctx, org.id));
    changes.push(Change::PutAuth(auth.clone()));
    changes.push(Change::Onboarded);

    // Render names against a catalog that already holds the new objects.
    let mut preview = ctx.catalog().clone();
    for c in &changes {
        preview.apply(c.clone());
    }
    let response = json!({
        "user": shapes::user(&user),
        "org": shapes::org(&org),
        "bucket": shapes::bucket(&bucket),
        "auth": shapes::authorization(&preview, &auth, Some(&token)),
    });
    Ok((response, changes))
}
