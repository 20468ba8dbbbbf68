//! `/private/legacy/authorizations`: v1 user names with passwords, and v1 `/write` and
//! `/query` accepting them as `u`/`p` and HTTP Basic.

use serde_json::{json, Value};

use super::{assert_error, body, text, Harness, Setup};
use crate::Request;

/// Creates a v1 authorization named `name` that may read and write the setup's bucket.
pub(crate) fn create(h: &mut Harness, admin: &str, s: &Setup, name: &str) -> Value {
    let r = h.call(
        "POST",
        "/private/legacy/authorizations",
        Some(admin),
        &json!({
            "token": name,
            "orgID": s.org_id,
            "description": "for telegraf 1.x",
            "permissions": [
                {"action": "read", "resource": {"type": "buckets", "id": s.bucket_id, "orgID": s.org_id}},
                {"action": "write", "resource": {"type": "buckets", "id": s.bucket_id, "orgID": s.org_id}},
            ],
        })
        .to_string(),
    );
    assert_eq!(r.status, 201, "{}", text(&r));
    body(&r)
}

/// A v1 write of one point with the given extra query parameters and headers.
fn v1_write(h: &mut Harness, query: &str, headers: &[(&str, &str)]) -> u16 {
    h.request(Request {
        method: "POST".into(),
        path: "/write".into(),
        query: format!("db=my-bucket{query}"),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: b"m v=1".to_vec(),
    })
    .status
}

fn basic(user: &str, password: &str) -> String {
    let raw = format!("{user}:{password}");
    // Plain base64 (standard alphabet, padded), enough for a test credential.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in raw.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

#[test]
fn legacy_authorization_crud_and_v1_credentials() {
    let mut h = Harness::new();
    let s = h.setup();
    let admin = s.token.clone();
    let created = create(&mut h, &admin, &s, "telegraf");
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["token"], "telegraf");
    assert_eq!(created["status"], "active");
    assert_eq!(created["orgID"], s.org_id.as_str());
    assert_eq!(created["org"], "my-org");
    assert_eq!(created["userID"], s.user_id.as_str());
    assert_eq!(created["description"], "for telegraf 1.x");
    assert_eq!(
        created["links"]["self"],
        format!("/private/legacy/authorizations/{id}")
    );
    assert_eq!(created["permissions"][0]["resource"]["name"], "my-bucket");

    // No password yet: the name alone authenticates nothing.
    assert_eq!(v1_write(&mut h, "&u=telegraf&p=", &[]), 401);
    assert_eq!(v1_write(&mut h, "&u=telegraf&p=anything", &[]), 401);
    let pw = format!("/private/legacy/authorizations/{id}/password");
    let r = h.call("POST", &pw, Some(&admin), r#"{"password":"short"}"#);
    assert_error(
        &r,
        400,
        "invalid",
        "passwords must be at least 8 characters long",
    );
    let r = h.call("POST", &pw, Some(&admin), r#"{"password":"v1-secret-pw"}"#);
    assert_eq!(r.status, 204, "{}", text(&r));

    // u/p parameters and Basic auth; a wrong password is 401.
    assert_eq!(v1_write(&mut h, "&u=telegraf&p=v1-secret-pw", &[]), 204);
    let auth = basic("telegraf", "v1-secret-pw");
    assert_eq!(v1_write(&mut h, "", &[("Authorization", &auth)]), 204);
    assert_eq!(v1_write(&mut h, "&u=telegraf&p=wrong-password", &[]), 401);
    let wrong = basic("telegraf", "wrong-password");
    assert_eq!(v1_write(&mut h, "", &[("Authorization", &wrong)]), 401);
    // The name is no v2 token, and v2 listings do not show it.
    let r = h.call("GET", "/api/v2/buckets", Some("telegraf"), "");
    assert_error(&r, 401, "unauthorized", "unauthorized access");
    let v2 = body(&h.call("GET", "/api/v2/authorizations", Some(&admin), ""));
    assert_eq!(
        v2["authorizations"].as_array().unwrap().len(),
        1,
        "only the operator's: {v2}"
    );
    // A v2 token still works as the password of v1 credentials.
    assert_eq!(v1_write(&mut h, &format!("&u=anyone&p={admin}"), &[]), 204);

    // Listing, filters, the path without /private, one by id.
    let list = body(&h.call("GET", "/private/legacy/authorizations", Some(&admin), ""));
    assert_eq!(list["links"]["self"], "/private/legacy/authorizations");
    assert_eq!(list["authorizations"].as_array().unwrap().len(), 1);
    for (query, n) in [
        ("?token=telegraf", 1),
        ("?token=nobody", 0),
        (&format!("?orgID={}", s.org_id) as &str, 1),
        ("?user=admin", 1),
        (&format!("?authID={id}"), 1),
    ] {
        let r = h.call(
            "GET",
            &format!("/legacy/authorizations{query}"),
            Some(&admin),
            "",
        );
        assert_eq!(r.status, 200, "{}", text(&r));
        assert_eq!(
            body(&r)["authorizations"].as_array().unwrap().len(),
            n,
            "{query}"
        );
    }
    let one = h.call(
        "GET",
        &format!("/legacy/authorizations/{id}"),
        Some(&admin),
        "",
    );
    assert_eq!(body(&one)["token"], "telegraf");

    // Names are unique; bodies are validated like InfluxDB does.
    let again = h.call(
        "POST",
        "/private/legacy/authorizations",
        Some(&admin),
        &json!({"token": "telegraf", "orgID": s.org_id, "permissions": created["permissions"]})
            .to_string(),
    );
    assert_error(&again, 422, "conflict", "token already exists");
    for (payload, message) in [
        (
            json!({"token": "x", "orgID": s.org_id}),
            "authorization must include permissions",
        ),
        (
            json!({"token": "x", "permissions": created["permissions"]}),
            "org id required",
        ),
        (
            json!({"orgID": s.org_id, "permissions": created["permissions"]}),
            "token required for v1 user authorization type",
        ),
    ] {
        let r = h.call(
            "POST",
            "/private/legacy/authorizations",
            Some(&admin),
            &payload.to_string(),
        );
        assert_error(&r, 400, "invalid", message);
    }

    // Inactive: refused; active again: accepted; deleted: gone.
    let path = format!("/private/legacy/authorizations/{id}");
    let r = h.call("PATCH", &path, Some(&admin), r#"{"status":"inactive"}"#);
    assert_eq!(body(&r)["status"], "inactive", "{}", text(&r));
    assert_eq!(v1_write(&mut h, "&u=telegraf&p=v1-secret-pw", &[]), 401);
    h.call("PATCH", &path, Some(&admin), r#"{"status":"active"}"#);
    assert_eq!(v1_write(&mut h, "&u=telegraf&p=v1-secret-pw", &[]), 204);
    assert_eq!(h.call("DELETE", &path, Some(&admin), "").status, 204);
    assert_error(
        &h.call("GET", &path, Some(&admin), ""),
        404,
        "not found",
        "authorization not found",
    );
    assert_eq!(v1_write(&mut h, "&u=telegraf&p=v1-secret-pw", &[]), 401);
}

#[test]
fn legacy_authorizations_survive_restore() {
    let mut h = Harness::new();
    let s = h.setup();
    let id = create(&mut h, &s.token.clone(), &s, "restored")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let pw = format!("/private/legacy/authorizations/{id}/password");
    assert_eq!(
        h.call(
            "POST",
            &pw,
            Some(&s.token),
            r#"{"password":"v1-secret-pw"}"#
        )
        .status,
        204
    );
    let mut restored = Harness::new();
    restored.engine = crate::Engine::restore(None, h.log.iter().map(Vec::as_slice)).unwrap();
    assert_eq!(
        v1_write(&mut restored, "&u=restored&p=v1-secret-pw", &[]),
        204
    );
    let snapshot = restored.engine.snapshot();
    restored.engine = crate::Engine::restore(Some(&snapshot), std::iter::empty()).unwrap();
    assert_eq!(
        v1_write(&mut restored, "&u=restored&p=v1-secret-pw", &[]),
        204
    );
}
