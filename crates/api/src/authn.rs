//! Who is calling: a token (`Authorization: Token|Bearer`), HTTP Basic user:password,
//! the session cookie from `/api/v2/signin`, or on the v1 paths `u`/`p` parameters and
//! `Token user:password`. Missing or unknown credentials are 401 `unauthorized access`.

use edgeflux_auth::{base64_decode, session_permissions, Principal, Status};

use crate::catalog::Catalog;
use crate::http::{HttpError, HttpResult, Params};
use crate::Request;

/// The session cookie's name, as InfluxDB OSS sets it.
pub const SESSION_COOKIE: &str = "influxdb-oss-session";

/// Resolves the caller. `v1` enables the v1-only credential forms.
pub fn authenticate(
    catalog: &Catalog,
    req: &Request,
    params: &Params,
    now: i64,
    v1: bool,
) -> HttpResult<Principal> {
    if let Some(value) = req.header("Authorization") {
        let value = value.trim();
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("Token") || scheme.eq_ignore_ascii_case("Bearer") {
            if let Ok(p) = by_token(catalog, rest) {
                return Ok(p);
            }
            if v1 {
                if let Some((u, p)) = rest.split_once(':') {
                    return by_password(catalog, u, p);
                }
            }
            return Err(HttpError::unauthorized_access());
        }
        if scheme.eq_ignore_ascii_case("Basic") {
            let decoded = base64_decode(rest).ok_or_else(HttpError::unauthorized_access)?;
            let text = String::from_utf8(decoded).map_err(|_| HttpError::unauthorized_access())?;
            let (u, p) = text
                .split_once(':')
                .ok_or_else(HttpError::unauthorized_access)?;
            // v1 clients put a v1 user name and password, or a token as the password.
            if v1 {
                if let Some(principal) = by_legacy_password(catalog, u, p)? {
                    return Ok(principal);
                }
                if let Ok(principal) = by_token(catalog, p) {
                    return Ok(principal);
                }
            }
            return by_password(catalog, u, p);
        }
        return Err(HttpError::unauthorized_access());
    }
    if v1 {
        if let Some(p) = params.get("p") {
            if let Some(u) = params.get("u").filter(|u| !u.is_empty()) {
                if let Some(principal) = by_legacy_password(catalog, u, p)? {
                    return Ok(principal);
                }
            }
            if let Ok(principal) = by_token(catalog, p) {
                return Ok(principal);
            }
            if let Some(u) = params.get("u") {
                return by_password(catalog, u, p);
            }
            return Err(HttpError::unauthorized_access());
        }
    }
    if let Some(key) = session_cookie(req) {
        let session = catalog
            .session(key, now)
            .ok_or_else(HttpError::unauthorized_access)?;
        let user = catalog
            .users
            .get(&session.user_id.0)
            .ok_or_else(HttpError::unauthorized_access)?;
        if user.status == Status::Inactive {
            return Err(HttpError::forbidden("User is inactive"));
        }
        return Ok(Principal {
            user_id: user.id,
            authorization_id: None,
            permissions: session_permissions(user),
        });
    }
    Err(HttpError::unauthorized_access())
}

fn by_token(catalog: &Catalog, token: &str) -> HttpResult<Principal> {
    let auth = catalog
        .auth_by_token(token)
        .filter(|a| a.status == Status::Active)
        .ok_or_else(HttpError::unauthorized_access)?;
    if let Some(user) = catalog.users.get(&auth.user_id.0) {
        if user.status == Status::Inactive {
            return Err(HttpError::forbidden("User is inactive"));
        }
    }
    Ok(Principal {
        user_id: auth.user_id,
        authorization_id: Some(auth.id),
        permissions: auth.permissions.clone(),
    })
}

/// A v1 authorization's user name and password (`/private/legacy/authorizations`);
/// `Ok(None)` when no v1 authorization has that name, so the caller tries the next form.
fn by_legacy_password(
    catalog: &Catalog,
    name: &str,
    password: &str,
) -> HttpResult<Option<Principal>> {
    let Some(legacy) = catalog.legacy_auth_by_token(name) else {
        return Ok(None);
    };
    let ok = legacy
        .password
        .as_ref()
        .is_some_and(|hash| hash.verify(password));
    let user_active = catalog
        .users
        .get(&legacy.auth.user_id.0)
        .is_some_and(|u| u.status == Status::Active);
    // InfluxDB answers every failure here alike (its ErrCredentialsUnauthorized): wrong
    // password, inactive authorization or inactive user.
    if !ok || legacy.auth.status != Status::Active || !user_active {
        return Err(HttpError::unauthorized("Unauthorized"));
    }
    Ok(Some(Principal {
        user_id: legacy.auth.user_id,
        authorization_id: Some(legacy.auth.id),
        permissions: legacy.auth.permissions.clone(),
    }))
}

/// A user name and password (Basic auth, v1 `u`/`p`).
pub fn by_password(catalog: &Catalog, name: &str, password: &str) -> HttpResult<Principal> {
    let user = catalog
        .user_by_name(name)
        .ok_or_else(HttpError::unauthorized_access)?;
    let ok = user
        .password
        .as_ref()
        .is_some_and(|hash| hash.verify(password));
    if !ok {
        return Err(HttpError::unauthorized_access());
    }
    if user.status == Status::Inactive {
        return Err(HttpError::forbidden("User is inactive"));
    }
    Ok(Principal {
        user_id: user.id,
        authorization_id: None,
        permissions: session_permissions(user),
    })
}

pub fn session_cookie(req: &Request) -> Option<&str> {
    req.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("Cookie"))
        .flat_map(|(_, v)| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v)
}
