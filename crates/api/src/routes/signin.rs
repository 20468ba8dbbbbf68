//! `POST /api/v2/signin` (Basic user:password → session cookie) and `/signout`.

use edgeflux_auth::{base64_decode, token_from_random, TokenHash, TOKEN_RANDOM_BYTES};

use crate::authn::{by_password, session_cookie, SESSION_COOKIE};
use crate::catalog::{Change, Session};
use crate::engine::{Ctx, Reply};
use crate::http::{no_content, HttpError, HttpResult};

pub fn signin(ctx: &mut Ctx) -> HttpResult<Reply> {
    let header = ctx
        .req
        .header("Authorization")
        .ok_or_else(HttpError::unauthorized_access)?;
    let (scheme, rest) = header.trim().split_once(' ').unwrap_or((header, ""));
    if !scheme.eq_ignore_ascii_case("Basic") {
        return Err(HttpError::unauthorized_access());
    }
    let decoded = base64_decode(rest.trim()).ok_or_else(HttpError::unauthorized_access)?;
    let text = String::from_utf8(decoded).map_err(|_| HttpError::unauthorized_access())?;
    let (user, password) = text
        .split_once(':')
        .ok_or_else(HttpError::unauthorized_access)?;
    let principal = by_password(ctx.catalog(), user, password)?;
    let key = token_from_random(&ctx.random::<TOKEN_RANDOM_BYTES>());
    let session = Session {
        key_hash: TokenHash::of(&key),
        user_id: principal.user_id,
        expires_at: ctx.now.saturating_add(ctx.engine.options.session_ns),
    };
    let mut response = no_content();
    response.headers.push((
        "Set-Cookie".into(),
        format!(
            "{SESSION_COOKIE}={key}; Path=/api/; Max-Age={}; HttpOnly; SameSite=Strict",
            ctx.engine.options.session_ns / 1_000_000_000
        ),
    ));
    // Expired sessions are dropped here, so they never pile up in the catalog.
    let mut changes: Vec<Change> = ctx
        .catalog()
        .sessions
        .iter()
        .filter(|s| s.expires_at <= ctx.now)
        .map(|s| Change::DeleteSession(s.key_hash))
        .collect();
    changes.push(Change::PutSession(session));
    Reply::with_changes(response, &changes)
}

pub fn signout(ctx: &mut Ctx) -> HttpResult<Reply> {
    let key = session_cookie(ctx.req).ok_or_else(HttpError::unauthorized_access)?;
    if ctx.catalog().session(key, ctx.now).is_none() {
        return Err(HttpError::unauthorized_access());
    }
    let mut response = no_content();
    response.headers.push((
        "Set-Cookie".into(),
        format!("{SESSION_COOKIE}=; Path=/api/; Max-Age=0; HttpOnly"),
    ));
    Reply::with_changes(response, &[Change::DeleteSession(TokenHash::of(key))])
}
