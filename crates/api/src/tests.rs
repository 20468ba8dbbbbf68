//! Route tests: requests through `Engine::handle` with a fake clock and randomness, log
//! records applied as an edge would.

use serde_json::{json, Value};

use crate::{Engine, Env, Options, Request, Response};
use edgeflux_auth::PasswordCost;

/// A deterministic clock and "randomness" (a counter through a mixing function).
pub(crate) struct FakeEnv {
    pub now: i64,
    counter: u64,
}

impl FakeEnv {
    pub fn new() -> FakeEnv {
        FakeEnv {
            now: 1_700_000_000_000_000_000,
            counter: 0,
        }
    }
}

impl Env for FakeEnv {
    fn now_ns(&self) -> i64 {
        self.now
    }
    fn fill_random(&mut self, buf: &mut [u8]) {
        for b in buf.iter_mut() {
            self.counter = self.counter.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.counter;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            *b = (z ^ (z >> 31)) as u8;
        }
    }
}

pub(crate) struct Harness {
    pub engine: Engine,
    pub env: FakeEnv,
    /// Every record applied, in order (to test recovery).
    pub log: Vec<Vec<u8>>,
}

pub(crate) struct Setup {
    pub token: String,
    pub org_id: String,
    pub bucket_id: String,
    pub user_id: String,
}

fn test_options() -> Options {
    Options {
        password_cost: PasswordCost::TESTING,
        ..Options::default()
    }
}

impl Harness {
    pub fn new() -> Harness {
        Harness {
            engine: Engine::with_options(test_options()),
            env: FakeEnv::new(),
            log: Vec::new(),
        }
    }

    pub fn request(&mut self, req: Request) -> Response {
        let handled = self.engine.handle(&req, &mut self.env);
        for record in &handled.log {
            self.engine.apply(record).expect("apply");
            self.log.push(record.clone());
        }
        handled.response
    }

    pub fn call(
        &mut self,
        method: &str,
        target: &str,
        token: Option<&str>,
        body: &str,
    ) -> Response {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers = Vec::new();
        if let Some(t) = token {
            headers.push(("Authorization".to_string(), format!("Token {t}")));
        }
        self.request(Request {
            method: method.into(),
            path: path.into(),
            query: query.into(),
            headers,
            body: body.as_bytes().to_vec(),
        })
    }

    pub fn setup(&mut self) -> Setup {
        let r = self.call(
            "POST",
            "/api/v2/setup",
            None,
            r#"{"username":"admin","password":"password123","org":"my-org","bucket":"my-bucket"}"#,
        );
        assert_eq!(r.status, 201, "{}", text(&r));
        let v = body(&r);
        Setup {
            token: v["auth"]["token"].as_str().unwrap().to_string(),
            org_id: v["org"]["id"].as_str().unwrap().to_string(),
            bucket_id: v["bucket"]["id"].as_str().unwrap().to_string(),
            user_id: v["user"]["id"].as_str().unwrap().to_string(),
        }
    }

    /// A second org, `other`, created by `admin`; returns its id.
    pub fn other_org(&mut self, admin: &str) -> String {
        let r = self.call("POST", "/api/v2/orgs", Some(admin), r#"{"name":"other"}"#);
        body(&r)["id"].as_str().unwrap().to_string()
    }

    /// Creates a token with the given permissions using `admin`, returns the token.
    pub fn token(&mut self, admin: &str, org_id: &str, permissions: Value) -> String {
        let r = self.call(
            "POST",
            "/api/v2/authorizations",
            Some(admin),
            &json!({"orgID": org_id, "permissions": permissions}).to_string(),
        );
        assert_eq!(r.status, 201, "{}", text(&r));
        body(&r)["token"].as_str().unwrap().to_string()
    }
}

/// An org's all-access permission list as JSON (what the matrices give their strongest token).
pub(crate) fn all_access(org: &str) -> Value {
    let perms: Vec<Value> = edgeflux_auth::all_access_permissions(org.parse().unwrap())
        .iter()
        .map(|p| serde_json::to_value(p).unwrap())
        .collect();
    Value::Array(perms)
}

/// One cell of an auth matrix: the status, and InfluxDB's code on a 401.
pub(crate) fn assert_cell(r: &Response, want: u16, what: &str) {
    assert_eq!(r.status, want, "{what}: {}", text(r));
    if r.status == 401 {
        assert_eq!(body(r)["code"], "unauthorized");
    }
}

pub(crate) fn text(r: &Response) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

pub(crate) fn body(r: &Response) -> Value {
    serde_json::from_slice(&r.body).unwrap_or(Value::Null)
}

pub(crate) fn assert_error(r: &Response, status: u16, code: &str, message: &str) {
    assert_eq!(r.status, status, "{}", text(r));
    let v = body(r);
    assert_eq!(v["code"], code, "{}", text(r));
    assert!(
        v["message"].as_str().unwrap_or("").contains(message),
        "message {:?} lacks {message:?}",
        v["message"]
    );
    assert_eq!(r.header("X-Platform-Error-Code"), Some(code));
}

#[test]
fn system_routes_answer_without_auth_and_carry_version_headers() {
    let mut h = Harness::new();
    let r = h.call("GET", "/health", None, "");
    assert_eq!(r.status, 200);
    let v = body(&r);
    assert_eq!(v["name"], "influxdb");
    assert_eq!(v["status"], "pass");
    assert_eq!(v["message"], "ready for queries and writes");
    assert_eq!(v["checks"], json!([]));
    assert_eq!(r.header("X-Influxdb-Build"), Some("OSS"));
    assert!(r.header("X-Influxdb-Version").is_some());
    let r = h.call("GET", "/ping", None, "");
    assert_eq!(r.status, 204);
    assert!(r.header("x-influxdb-version").is_some());
    let r = h.call("HEAD", "/ping", None, "");
    assert_eq!(r.status, 204);
    let r = h.call("GET", "/ready", None, "");
    assert_eq!(body(&r)["status"], "ready");
    let r = h.call("GET", "/metrics", None, "");
    assert!(text(&r).contains("influxdb_buckets_total 0"));
    let r = h.call("GET", "/api/v2", None, "");
    assert_eq!(body(&r)["write"], "/api/v2/write");
    assert_error(
        &h.call("GET", "/nope", None, ""),
        404,
        "not found",
        "path not found",
    );
    assert_eq!(h.call("DELETE", "/health", None, "").status, 405);
}

#[test]
fn onboarding_happens_once() {
    let mut h = Harness::new();
    assert_eq!(
        body(&h.call("GET", "/api/v2/setup", None, ""))["allowed"],
        true
    );
    let s = h.setup();
    assert_eq!(s.token.len(), 88);
    assert_eq!(
        body(&h.call("GET", "/api/v2/setup", None, ""))["allowed"],
        false
    );
    let again = h.call(
        "POST",
        "/api/v2/setup",
        None,
        r#"{"username":"x","org":"o","bucket":"b"}"#,
    );
    assert_error(
        &again,
        422,
        "conflict",
        "onboarding has already been completed",
    );
    let me = h.call("GET", "/api/v2/me", Some(&s.token), "");
    assert_eq!(body(&me)["name"], "admin");
    assert_eq!(body(&me)["id"], s.user_id.as_str());
}

#[test]
fn onboarding_validates_input() {
    let mut h = Harness::new();
    let r = h.call(
        "POST",
        "/api/v2/setup",
        None,
        r#"{"username":"x","org":"o"}"#,
    );
    assert_error(&r, 400, "empty value", "bucket");
    let r = h.call(
        "POST",
        "/api/v2/setup",
        None,
        r#"{"username":"x","org":"o","bucket":"b","password":"short"}"#,
    );
    assert_error(&r, 400, "invalid", "at least 8 characters");
    let r = h.call("POST", "/api/v2/setup", None, "{not json");
    assert_error(&r, 400, "invalid", "");
    // A supplied token is used as is.
    let r = h.call(
        "POST",
        "/api/v2/setup",
        None,
        r#"{"username":"x","org":"o","bucket":"b","token":"my-token","retentionPeriodSeconds":7200,"extra":1}"#,
    );
    assert_eq!(r.status, 201, "{}", text(&r));
    assert_eq!(body(&r)["auth"]["token"], "my-token");
    assert_eq!(
        body(&r)["bucket"]["retentionRules"][0]["everySeconds"],
        7200
    );
    assert_eq!(
        h.call("GET", "/api/v2/buckets", Some("my-token"), "")
            .status,
        200
    );
}

#[test]
fn bucket_crud() {
    let mut h = Harness::new();
    let s = h.setup();
    let t = Some(s.token.as_str());
    let r = h.call("GET", "/api/v2/buckets", t, "");
    let v = body(&r);
    let names: Vec<&str> = v["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["my-bucket", "_monitoring", "_tasks"]);
    let first = &v["buckets"][0];
    assert_eq!(first["type"], "user");
    assert_eq!(first["orgID"], s.org_id.as_str());
    assert_eq!(
        first["retentionRules"],
        json!([{"type":"expire","everySeconds":0,"shardGroupDurationSeconds":604800}])
    );
    assert_eq!(first["labels"], json!([]));
    assert!(first["links"]["write"]
        .as_str()
        .unwrap()
        .contains(&s.bucket_id));

    let create = json!({"orgID": s.org_id, "name": "iot", "retentionRules": [{"type": "expire", "everySeconds": 3600}]});
    let r = h.call("POST", "/api/v2/buckets", t, &create.to_string());
    assert_eq!(r.status, 201, "{}", text(&r));
    let id = body(&r)["id"].as_str().unwrap().to_string();
    assert_eq!(
        body(&r)["retentionRules"][0]["shardGroupDurationSeconds"],
        3600
    );
    assert_error(
        &h.call("POST", "/api/v2/buckets", t, &create.to_string()),
        422,
        "conflict",
        "bucket with name iot already exists",
    );
    let bad = json!({"orgID": s.org_id, "name": "x", "retentionRules": [{"type": "expire", "everySeconds": 10}]});
    assert_eq!(
        h.call("POST", "/api/v2/buckets", t, &bad.to_string())
            .status,
        400
    );
    let r = h.call("GET", &format!("/api/v2/buckets/{id}"), t, "");
    assert_eq!(body(&r)["name"], "iot");
    let r = h.call("GET", "/api/v2/buckets?name=iot", t, "");
    assert_eq!(body(&r)["buckets"].as_array().unwrap().len(), 1);
    let r = h.call(
        "PATCH",
        &format!("/api/v2/buckets/{id}"),
        t,
        r#"{"name":"iot2","description":"d"}"#,
    );
    assert_eq!(body(&r)["name"], "iot2");
    assert_eq!(body(&r)["description"], "d");
    assert_eq!(
        h.call("DELETE", &format!("/api/v2/buckets/{id}"), t, "")
            .status,
        204
    );
    assert_error(
        &h.call("GET", &format!("/api/v2/buckets/{id}"), t, ""),
        404,
        "not found",
        "bucket not found",
    );
    assert_error(
        &h.call("GET", "/api/v2/buckets/xyz", t, ""),
        400,
        "invalid",
        "id must have a length of 16 bytes",
    );
}

#[test]
fn writes_are_validated_like_influxdb() {
    let mut h = Harness::new();
    let s = h.setup();
    let t = Some(s.token.as_str());
    let w = |q: &str| format!("/api/v2/write?{q}");
    let r = h.call(
        "POST",
        &w("org=my-org&bucket=my-bucket&precision=s"),
        t,
        "m,host=a v=1 1700000000\nm,host=b v=2 1700000000",
    );
    assert_eq!(r.status, 204, "{}", text(&r));
    assert!(r.body.is_empty());
    // orgID and the bucket by ID.
    let r = h.call(
        "POST",
        &w(&format!("orgID={}&bucket={}", s.org_id, s.bucket_id)),
        t,
        "m v=3",
    );
    assert_eq!(r.status, 204, "{}", text(&r));
    assert_eq!(h.engine.data.series_count(), 3);
    // Empty body is fine.
    assert_eq!(
        h.call("POST", &w("org=my-org&bucket=my-bucket"), t, "")
            .status,
        204
    );

    assert_error(
        &h.call("POST", &w("org=my-org&bucket=my-bucket"), t, "invalid"),
        400,
        "invalid",
        "unable to parse 'invalid': missing fields",
    );
    assert_error(
        &h.call(
            "POST",
            &w("org=my-org&bucket=my-bucket&precision=h"),
            t,
            "m v=1",
        ),
        400,
        "invalid",
        "invalid precision; valid precision units are ns, us, ms, and s",
    );
    assert_error(
        &h.call("POST", &w("org=my-org"), t, "m v=1"),
        404,
        "not found",
        "bucket not found",
    );
    assert_error(
        &h.call("POST", &w("org=my-org&bucket=nope"), t, "m v=1"),
        404,
        "not found",
        "bucket \"nope\" not found",
    );
    assert_error(
        &h.call("POST", &w("org=other&bucket=my-bucket"), t, "m v=1"),
        404,
        "not found",
        "organization name \"other\" not found",
    );
    assert_error(
        &h.call("POST", &w("bucket=my-bucket"), t, "m v=1"),
        400,
        "invalid",
        "Please provide either orgID or org",
    );
    assert_error(
        &h.call("POST", &w("org=my-org&bucket=my-bucket"), None, "m v=1"),
        401,
        "unauthorized",
        "unauthorized access",
    );
    assert_error(
        &h.call(
            "POST",
            &w("org=my-org&bucket=my-bucket"),
            Some("wrong"),
            "m v=1",
        ),
        401,
        "unauthorized",
        "unauthorized access",
    );
    // A type conflict is a partial write: 422, the good point is kept.
    let before = h.engine.data.series_count();
    let r = h.call(
        "POST",
        &w("org=my-org&bucket=my-bucket"),
        t,
        "m,host=a v=\"str\"\nnew v=1",
    );
    assert_error(
        &r,
        422,
        "unprocessable entity",
        "failure writing points to database: partial write: field type conflict",
    );
    assert_eq!(h.engine.data.series_count(), before + 1);
    // A batch with one bad line writes nothing.
    let r = h.call("POST", &w("org=my-org&bucket=my-bucket"), t, "ok v=1\nbad");
    assert_eq!(r.status, 400);
    assert_eq!(h.engine.data.series_count(), before + 1);
}

#[test]
fn gzip_bodies_and_limits() {
    let mut h = Harness::new();
    let s = h.setup();
    let data = "m,host=a v=1 1\nm,host=b v=2 2\n";
    let req = |body: Vec<u8>, encoding: &str| Request {
        method: "POST".into(),
        path: "/api/v2/write".into(),
        query: "org=my-org&bucket=my-bucket".into(),
        headers: vec![
            ("Authorization".into(), format!("Token {}", s.token)),
            ("Content-Encoding".into(), encoding.into()),
        ],
        body,
    };
    let r = h.request(req(crate::http::gzip(data.as_bytes()), "gzip"));
    assert_eq!(r.status, 204, "{}", text(&r));
    assert_eq!(h.engine.data.series_count(), 2);
    let r = h.request(req(b"garbage".to_vec(), "gzip"));
    assert_eq!(r.status, 400);
    let r = h.request(req(b"m v=1".to_vec(), "br"));
    assert_eq!(r.status, 415);
    h.engine.options.max_body_bytes = 10;
    let r = h.request(req(crate::http::gzip(data.as_bytes()), "gzip"));
    assert_error(&r, 413, "request too large", "");
    let r = h.request(req(data.as_bytes().to_vec(), "identity"));
    assert_eq!(r.status, 413);
}

#[test]
fn tokens_and_permissions() {
    let mut h = Harness::new();
    let s = h.setup();
    let admin = s.token.clone();
    let bucket = |action: &str| json!([{"action": action, "resource": {"type": "buckets", "id": s.bucket_id, "orgID": s.org_id}}]);
    let write_only = h.token(&admin, &s.org_id, bucket("write"));
    let read_only = h.token(&admin, &s.org_id, bucket("read"));
    let w = "/api/v2/write?org=my-org&bucket=my-bucket";
    assert_eq!(h.call("POST", w, Some(&write_only), "m v=1").status, 204);
    assert_error(
        &h.call("POST", w, Some(&read_only), "m v=1"),
        403,
        "forbidden",
        "insufficient permissions for write",
    );
    // The read-only token sees its bucket only.
    let v = body(&h.call("GET", "/api/v2/buckets", Some(&read_only), ""));
    assert_eq!(v["buckets"].as_array().unwrap().len(), 1);
    // Service-layer denials are 401 with the permission named; unknown IDs are 404 first.
    let r = h.call(
        "POST",
        "/api/v2/buckets",
        Some(&read_only),
        &json!({"orgID": s.org_id, "name": "x"}).to_string(),
    );
    assert_error(
        &r,
        401,
        "unauthorized",
        &format!("write:orgs/{}/buckets is unauthorized", s.org_id),
    );
    let r = h.call(
        "GET",
        "/api/v2/buckets/0123456789abcdef",
        Some(&read_only),
        "",
    );
    assert_eq!(r.status, 404);
    // A token cannot hand out more than it has.
    let r = h.call(
        "POST",
        "/api/v2/authorizations",
        Some(&read_only),
        &json!({"orgID": s.org_id, "permissions": bucket("write")}).to_string(),
    );
    assert_eq!(r.status, 401, "{}", text(&r));
    // Deactivated tokens stop working.
    let list = body(&h.call("GET", "/api/v2/authorizations", Some(&admin), ""));
    let auths = list["authorizations"].as_array().unwrap();
    assert_eq!(auths.len(), 3);
    assert!(
        auths.iter().all(|a| a.get("token").is_none()),
        "only hashes are stored"
    );
    let id = auths
        .iter()
        .find(|a| {
            a["permissions"][0]["action"] == "write"
                && a["permissions"].as_array().unwrap().len() == 1
        })
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = h.call(
        "PATCH",
        &format!("/api/v2/authorizations/{id}"),
        Some(&admin),
        r#"{"status":"inactive"}"#,
    );
    assert_eq!(body(&r)["status"], "inactive");
    assert_eq!(h.call("POST", w, Some(&write_only), "m v=1").status, 401);
    assert_eq!(
        h.call(
            "DELETE",
            &format!("/api/v2/authorizations/{id}"),
            Some(&admin),
            ""
        )
        .status,
        204
    );
    assert_eq!(
        h.call(
            "GET",
            &format!("/api/v2/authorizations/{id}"),
            Some(&admin),
            ""
        )
        .status,
        404
    );
}

#[test]
fn other_org_tokens_cannot_touch_this_org() {
    let mut h = Harness::new();
    let s = h.setup();
    let r = h.call(
        "POST",
        "/api/v2/orgs",
        Some(&s.token),
        r#"{"name":"other"}"#,
    );
    assert_eq!(r.status, 201, "{}", text(&r));
    let other = body(&r)["id"].as_str().unwrap().to_string();
    let all_other = h.token(
        &s.token,
        &other,
        json!([
            {"action": "read", "resource": {"type": "buckets", "orgID": other}},
            {"action": "write", "resource": {"type": "buckets", "orgID": other}}
        ]),
    );
    let r = h.call(
        "POST",
        "/api/v2/write?org=my-org&bucket=my-bucket",
        Some(&all_other),
        "m v=1",
    );
    assert_eq!(r.status, 403);
    let r = h.call(
        "GET",
        &format!("/api/v2/buckets/{}", s.bucket_id),
        Some(&all_other),
        "",
    );
    assert_eq!(r.status, 401);
    let v = body(&h.call("GET", "/api/v2/buckets", Some(&all_other), ""));
    let names: Vec<&str> = v["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["_monitoring", "_tasks"]);
}

#[test]
fn signin_session_cookie_and_basic_auth() {
    let mut h = Harness::new();
    h.setup();
    let basic = |u: &str, p: &str| {
        let raw = format!("{u}:{p}");
        let mut out = String::new();
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for chunk in raw.as_bytes().chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                out.push(if i <= chunk.len() {
                    alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char
                } else {
                    '='
                });
            }
        }
        format!("Basic {out}")
    };
    let signin = |h: &mut Harness, auth: String| {
        h.request(Request {
            method: "POST".into(),
            path: "/api/v2/signin".into(),
            headers: vec![("Authorization".into(), auth)],
            ..Request::default()
        })
    };
    assert_eq!(signin(&mut h, basic("admin", "wrong-password")).status, 401);
    let r = signin(&mut h, basic("admin", "password123"));
    assert_eq!(r.status, 204);
    let cookie = r
        .header("Set-Cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let with_cookie = |path: &str, method: &str| Request {
        method: method.into(),
        path: path.into(),
        headers: vec![("Cookie".into(), cookie.clone())],
        ..Request::default()
    };
    let me = h.request(with_cookie("/api/v2/me", "GET"));
    assert_eq!(body(&me)["name"], "admin");
    // Basic auth works directly too.
    let r = h.request(Request {
        method: "GET".into(),
        path: "/api/v2/buckets".into(),
        headers: vec![("Authorization".into(), basic("admin", "password123"))],
        ..Request::default()
    });
    assert_eq!(r.status, 200);
    assert_eq!(
        h.request(with_cookie("/api/v2/signout", "POST")).status,
        204
    );
    assert_eq!(h.request(with_cookie("/api/v2/me", "GET")).status, 401);
    // Sessions expire.
    let r = signin(&mut h, basic("admin", "password123"));
    let cookie2 = r
        .header("Set-Cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    h.env.now += 2 * 3_600_000_000_000;
    let r = h.request(Request {
        method: "GET".into(),
        path: "/api/v2/me".into(),
        headers: vec![("Cookie".into(), cookie2)],
        ..Request::default()
    });
    assert_eq!(r.status, 401);
    // The next sign-in drops the expired session from the catalog.
    assert_eq!(h.engine.catalog.sessions.len(), 1);
    assert_eq!(signin(&mut h, basic("admin", "password123")).status, 204);
    assert_eq!(h.engine.catalog.sessions.len(), 1);
}

#[test]
fn restore_rebuilds_the_same_state_from_log_and_snapshot() {
    let mut h = Harness::new();
    let s = h.setup();
    let t = Some(s.token.as_str());
    h.call(
        "POST",
        "/api/v2/write?org=my-org&bucket=my-bucket",
        t,
        "m,host=a v=1 1\nm,host=b v=2 2",
    );
    let half = h.log.len();
    let snapshot = h.engine.snapshot();
    h.call(
        "POST",
        "/api/v2/buckets",
        t,
        &json!({"orgID": s.org_id, "name": "later"}).to_string(),
    );
    h.call(
        "POST",
        "/api/v2/write?org=my-org&bucket=later",
        t,
        "x v=1 1",
    );

    let from_log = Engine::restore(None, h.log.iter().map(|r| r.as_slice())).unwrap();
    let from_snap =
        Engine::restore(Some(&snapshot), h.log[half..].iter().map(|r| r.as_slice())).unwrap();
    for e in [&from_log, &from_snap] {
        assert_eq!(e.catalog.buckets.len(), 4);
        assert_eq!(e.data.series_count(), 3);
        assert!(e.catalog.auth_by_token(&s.token).is_some());
        assert_eq!(e.snapshot(), h.engine.snapshot());
    }
    // Damaged input is an error, never a panic.
    let mut bad = h.log[0].clone();
    let n = bad.len() - 1;
    bad[n] ^= 0xff;
    assert!(Engine::restore(None, [bad.as_slice()]).is_err());
    assert!(Engine::restore(Some(&snapshot[..snapshot.len() / 2]), std::iter::empty()).is_err());
    assert!(Engine::restore(Some(b"garbage"), std::iter::empty()).is_err());
}

#[test]
fn wants_snapshot_after_enough_log() {
    let mut h = Harness::new();
    h.engine.options.snapshot_after_bytes = 200;
    let s = h.setup();
    assert!(h.engine.wants_snapshot());
    h.engine.snapshot();
    assert!(!h.engine.wants_snapshot());
    h.call(
        "POST",
        "/api/v2/write?org=my-org&bucket=my-bucket",
        Some(&s.token),
        "m v=1 1",
    );
    assert!(!h.engine.wants_snapshot());
}

#[test]
fn delete_drops_points() {
    let mut h = Harness::new();
    let s = h.setup();
    let t = Some(s.token.as_str());
    h.call(
        "POST",
        "/api/v2/write?org=my-org&bucket=my-bucket",
        t,
        "m,host=a v=1 1000000000\nm,host=b v=2 1000000000",
    );
    let d = "/api/v2/delete?org=my-org&bucket=my-bucket";
    let r = h.call("POST", d, t, r#"{"start":"1970-01-01T00:00:00Z","stop":"1970-01-01T00:00:05Z","predicate":"host=\"a\""}"#);
    assert_eq!(r.status, 204, "{}", text(&r));
    assert_eq!(h.engine.data.store.stats().head_rows, 1);
    let r = h.call("POST", d, t, r#"{"start":"1970-01-01T00:00:00Z","stop":"1970-01-01T00:00:05Z","predicate":"_field=\"v\""}"#);
    assert_eq!(r.status, 501, "{}", text(&r));
    let r = h.call("POST", d, t, r#"{"start":"1970-01-01T00:00:00Z","stop":"1970-01-01T00:00:05Z","predicate":"a=\"1\" OR b=\"2\""}"#);
    assert_eq!(r.status, 400, "{}", text(&r));
    let r = h.call(
        "POST",
        d,
        t,
        r#"{"start":"yesterday","stop":"1970-01-01T00:00:05Z"}"#,
    );
    assert_eq!(r.status, 400);
    let r = h.call("POST", d, t, "not json");
    assert_error(&r, 400, "invalid", "error decoding json body");
    let ro = h.token(
        &s.token,
        &s.org_id,
        json!([{"action": "read", "resource": {"type": "buckets", "orgID": s.org_id}}]),
    );
    let r = h.call(
        "POST",
        d,
        Some(&ro),
        r#"{"start":"1970-01-01T00:00:00Z","stop":"1970-01-01T00:00:05Z"}"#,
    );
    assert_error(&r, 403, "forbidden", "insufficient permissions to delete");
}

#[test]
fn dbrps_and_v1_write() {
    let mut h = Harness::new();
    let s = h.setup();
    let t = Some(s.token.as_str());
    // Virtual mapping from the bucket name.
    let v = body(&h.call("GET", &format!("/api/v2/dbrps?orgID={}", s.org_id), t, ""));
    let content = v["content"].as_array().unwrap();
    assert_eq!(content.len(), 1);
    assert_eq!(content[0]["database"], "my-bucket");
    assert_eq!(content[0]["virtual"], true);
    let r = h.call("POST", "/write?db=my-bucket&precision=s", t, "m v=1 1");
    assert_eq!(r.status, 204, "{}", text(&r));
    let r = h.call(
        "POST",
        "/api/v2/dbrps",
        t,
        &json!({"orgID": s.org_id, "bucketID": s.bucket_id, "database": "example-db", "retention_policy": "example-rp", "default": true}).to_string(),
    );
    assert_eq!(r.status, 201, "{}", text(&r));
    let id = body(&r)["id"].as_str().unwrap().to_string();
    let r = h.call("POST", "/write?db=example-db&rp=example-rp", t, "n v=1 1");
    assert_eq!(r.status, 204, "{}", text(&r));
    assert_eq!(h.engine.data.series_count(), 2);
    // u/p with the token as password.
    let r = h.call(
        "POST",
        &format!("/write?db=example-db&u=admin&p={}", s.token),
        None,
        "o v=1 1",
    );
    assert_eq!(r.status, 204, "{}", text(&r));
    assert_error(
        &h.call("POST", "/write?db=nope", t, "m v=1"),
        404,
        "not found",
        "no dbrp mapping found",
    );
    assert_error(
        &h.call("POST", "/write", t, "m v=1"),
        400,
        "invalid",
        "missing db",
    );
    assert_eq!(
        h.call("POST", "/write?db=example-db", None, "m v=1").status,
        401
    );
    let r = h.call("GET", "/query?db=example-db&q=SELECT%201", t, "");
    assert_eq!(r.status, 501);
    assert_eq!(h.call("GET", "/query?q=SELECT%201", None, "").status, 401);
    assert_eq!(
        h.call(
            "DELETE",
            &format!("/api/v2/dbrps/{id}?orgID={}", s.org_id),
            t,
            ""
        )
        .status,
        204
    );
}

#[test]
fn malformed_requests_never_panic() {
    let mut h = Harness::new();
    let s = h.setup();
    let t = Some(s.token.as_str());
    for (method, path, body) in [
        ("POST", "/api/v2/buckets", "[]"),
        ("POST", "/api/v2/buckets", "{\"orgID\": 5}"),
        ("POST", "/api/v2/orgs", "\u{0}"),
        ("POST", "/api/v2/authorizations", "{\"orgID\":\"zz\"}"),
        (
            "POST",
            "/api/v2/authorizations",
            "{\"permissions\":[{\"action\":\"fly\"}]}",
        ),
        ("PATCH", "/api/v2/buckets/ffffffffffffffff", "{}"),
        ("POST", "/api/v2/write?org=%ZZ&bucket=%", "m v=1"),
        ("POST", "/api/v2/query?org=my-org", "{\"query\": 5}"),
        (
            "POST",
            "/api/v2/query?org=my-org",
            "{\"query\": \"x\", \"dialect\": {\"delimiter\": \";;\"}}",
        ),
        (
            "POST",
            "/api/v2/query?org=my-org",
            "{\"query\": \"x\", \"dialect\": {\"annotations\": [\"bogus\"]}}",
        ),
        (
            "POST",
            "/api/v2/query?org=my-org",
            "{\"query\": \"x\", \"extern\": {\"body\": [{\"type\": \"Evil\"}]}}",
        ),
        (
            "POST",
            "/api/v2/query?org=my-org",
            "{\"query\": \"x\", \"type\": \"influxql\"}",
        ),
        (
            "POST",
            "/api/v2/query?org=my-org",
            "{\"query\": \"x\", \"now\": \"never\"}",
        ),
        ("POST", "/api/v2/query", "{\"query\": \"x\"}"),
        ("POST", "/api/v2/dbrps", "{}"),
        ("POST", "/api/v2/users", "{\"name\": \"\"}"),
    ] {
        let r = h.call(method, path, t, body);
        assert!(
            (400..500).contains(&r.status),
            "{method} {path} {body}: {} {}",
            r.status,
            text(&r)
        );
        assert!(body.is_empty() || serde_json::from_slice::<Value>(&r.body).is_ok());
    }
    let r = h.request(Request {
        method: "POST".into(),
        path: "/api/v2/write".into(),
        query: "org=my-org&bucket=my-bucket".into(),
        headers: vec![("Authorization".into(), format!("Token {}", s.token))],
        body: vec![b'm', b' ', b'v', b'=', 0xff, 0xfe],
    });
    assert_error(&r, 400, "invalid", "invalid UTF-8");
}

#[test]
fn query_request_parsing() {
    let json_req = |body: &str, ct: &str| Request {
        method: "POST".into(),
        path: "/api/v2/query".into(),
        query: "org=my-org".into(),
        headers: vec![("Content-Type".into(), ct.into())],
        body: body.as_bytes().to_vec(),
    };
    let parse = |body: &str, ct: &str| {
        crate::routes::query::parse_request(&json_req(body, ct), 7, body.as_bytes())
    };
    let q = parse("from(bucket: \"b\")", "application/vnd.flux").unwrap();
    assert_eq!(q.flux, "from(bucket: \"b\")");
    assert_eq!(q.now, 7);
    assert!(q.dialect.annotations.is_empty());
    let q = parse(
        r##"{"query":"x","dialect":{"header":true,"delimiter":",","annotations":["group","datatype","default"],"commentPrefix":"#","dateTimeFormat":"RFC3339","quoteChar":"\""},"now":"2020-01-01T00:00:00Z","extern":{"type":"File","imports":[],"body":[]}}"##,
        "application/json; encoding=utf-8",
    )
    .unwrap();
    assert_eq!(q.dialect.annotations, ["group", "datatype", "default"]);
    assert_eq!(q.now, 1_577_836_800_000_000_000);
    assert!(q.prelude.is_none());
    let e = parse("from(bucket: \"b\")", "text/plain").unwrap_err();
    assert!(
        e.message
            .contains("set 'Content-Type: application/vnd.flux'"),
        "{}",
        e.message
    );
}

#[test]
fn walking_skeleton_setup_write_query() {
    let mut h = Harness::new();
    let s = h.setup();
    let t = Some(s.token.as_str());
    let now_s = h.env.now / 1_000_000_000;
    let lines = format!(
        "m,host=a v=1 {}\nm,host=b v=2 {}\nother v=3 {}",
        now_s - 60,
        now_s - 30,
        now_s - 10
    );
    let r = h.call(
        "POST",
        "/api/v2/write?org=my-org&bucket=my-bucket&precision=s",
        t,
        &lines,
    );
    assert_eq!(r.status, 204, "{}", text(&r));
    let flux = r#"from(bucket: "my-bucket") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "m")"#;
    let req = Request {
        method: "POST".into(),
        path: "/api/v2/query".into(),
        query: "org=my-org".into(),
        headers: vec![
            ("Authorization".into(), format!("Token {}", s.token)),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: json!({"query": flux, "dialect": {"annotations": ["datatype", "group", "default"]}})
            .to_string()
            .into_bytes(),
    };
    let r = h.request(req.clone());
    assert_eq!(r.status, 200, "{}", text(&r));
    assert_eq!(r.header("Content-Type"), Some("text/csv; charset=utf-8"));
    let csv = text(&r);
    assert!(csv.starts_with("#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string\r\n"), "{csv}");
    assert!(
        csv.contains(",result,table,_start,_stop,_time,_value,_field,_measurement,host\r\n"),
        "{csv}"
    );
    assert!(csv.contains(",,0,"), "{csv}");
    assert!(csv.contains(",1,v,m,a\r\n"), "{csv}");
    assert!(csv.contains(",2,v,m,b\r\n"), "{csv}");
    assert!(!csv.contains("other"), "{csv}");

    // Raw Flux, no annotations; gzip on request.
    let mut raw = req.clone();
    raw.headers[1].1 = "application/vnd.flux".into();
    raw.headers.push(("Accept-Encoding".into(), "gzip".into()));
    raw.body = flux.as_bytes().to_vec();
    let r = h.request(raw);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Content-Encoding"), Some("gzip"));
    let mut plain = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&r.body[..]), &mut plain)
        .unwrap();
    assert!(plain.starts_with(",result,table,_start"), "{plain}");

    // JSON `params` become the record `params` (durations travel as strings).
    let mut with_params = req.clone();
    with_params.body = json!({
        "query": "from(bucket: params.b) |> range(start: duration(v: params.start)) |> filter(fn: (r) => r.host == params.host)",
        "params": {"b": "my-bucket", "start": "-1h", "host": "b"}
    })
    .to_string()
    .into_bytes();
    let r = h.request(with_params.clone());
    assert_eq!(r.status, 200, "{}", text(&r));
    let csv = text(&r);
    assert!(
        csv.contains(",2,v,m,b\r\n") && !csv.contains(",1,v,m,a"),
        "{csv}"
    );
    with_params.body =
        json!({"query": "x", "params": {"a": 1}, "extern": {"type": "File", "body": []}})
            .to_string()
            .into_bytes();
    assert_error(
        &h.request(with_params),
        400,
        "invalid",
        "params cannot be used together with extern",
    );

    // Errors before output are JSON with Flux's code.
    let mut bad = req.clone();
    bad.body = json!({"query": "from(bucket: \"nope\") |> range(start: -1h)"})
        .to_string()
        .into_bytes();
    let r = h.request(bad);
    assert_error(&r, 404, "not found", "could not find bucket \"nope\"");
    let mut bad = req.clone();
    bad.body = json!({"query": "from(bucket: "}).to_string().into_bytes();
    assert_eq!(h.request(bad).status, 400);

    // A write-only token cannot see the bucket; no token is 401.
    let wo = h.token(&s.token, &s.org_id, json!([{"action": "write", "resource": {"type": "buckets", "id": s.bucket_id, "orgID": s.org_id}}]));
    let mut q = req.clone();
    q.headers[0].1 = format!("Token {wo}");
    assert_eq!(h.request(q).status, 404);
    let mut q = req.clone();
    q.headers.remove(0);
    assert_eq!(h.request(q).status, 401);
}

/// Every authenticated route × no token / other org's all-access / read-only / write-only /
/// one-bucket / all-access: 401 for no or foreign credentials on service routes, 403 on
/// write/delete handlers, 404 where InfluxDB hides a bucket, 2xx when allowed.
#[test]
fn auth_matrix() {
    const KINDS: [&str; 6] = [
        "none",
        "wrong-org",
        "read-only",
        "write-only",
        "bucket",
        "all-access",
    ];
    type Route = (&'static str, &'static str, &'static str, [u16; 6]);
    // {A} = org id, {B} = the bucket's id, {U} = the admin user, {T} = the operator token's id,
    // {L} = a v1 (legacy) authorization's id.
    let routes: &[Route] = &[
        ("GET", "/api/v2/buckets", "", [401, 200, 200, 200, 200, 200]),
        (
            "POST",
            "/api/v2/buckets",
            r#"{"orgID":"{A}","name":"new"}"#,
            [401, 401, 401, 201, 401, 201],
        ),
        (
            "GET",
            "/api/v2/buckets/{B}",
            "",
            [401, 401, 200, 401, 200, 200],
        ),
        (
            "PATCH",
            "/api/v2/buckets/{B}",
            r#"{"description":"x"}"#,
            [401, 401, 401, 200, 200, 200],
        ),
        (
            "DELETE",
            "/api/v2/buckets/{B}",
            "",
            [401, 401, 401, 204, 204, 204],
        ),
        ("GET", "/api/v2/orgs", "", [401, 200, 200, 200, 200, 200]),
        (
            "POST",
            "/api/v2/orgs",
            r#"{"name":"another"}"#,
            [401, 401, 401, 401, 401, 401],
        ),
        (
            "GET",
            "/api/v2/orgs/{A}",
            "",
            [401, 401, 401, 401, 401, 200],
        ),
        (
            "PATCH",
            "/api/v2/orgs/{A}",
            r#"{"description":"x"}"#,
            [401, 401, 401, 401, 401, 200],
        ),
        (
            "DELETE",
            "/api/v2/orgs/{A}",
            "",
            [401, 401, 401, 401, 401, 204],
        ),
        ("GET", "/api/v2/users", "", [401, 200, 200, 200, 200, 200]),
        (
            "POST",
            "/api/v2/users",
            r#"{"name":"someone"}"#,
            [401, 201, 401, 401, 401, 201],
        ),
        (
            "GET",
            "/api/v2/users/{U}",
            "",
            [401, 200, 401, 401, 401, 200],
        ),
        ("GET", "/api/v2/me", "", [401, 200, 200, 200, 200, 200]),
        (
            "GET",
            "/api/v2/authorizations",
            "",
            [401, 200, 200, 200, 200, 200],
        ),
        (
            "POST",
            "/api/v2/authorizations",
            r#"{"orgID":"{A}","permissions":[{"action":"read","resource":{"type":"buckets","id":"{B}","orgID":"{A}"}}]}"#,
            [401, 401, 401, 401, 401, 201],
        ),
        (
            "GET",
            "/api/v2/authorizations/{T}",
            "",
            [401, 401, 401, 401, 401, 200],
        ),
        (
            "PATCH",
            "/api/v2/authorizations/{T}",
            r#"{"description":"x"}"#,
            [401, 401, 401, 401, 401, 200],
        ),
        (
            "DELETE",
            "/api/v2/authorizations/{T}",
            "",
            [401, 401, 401, 401, 401, 204],
        ),
        (
            "POST",
            "/api/v2/write?org=my-org&bucket=my-bucket",
            "m v=1",
            [401, 403, 403, 204, 204, 204],
        ),
        (
            "POST",
            "/api/v2/query?org=my-org",
            r#"{"query":"from(bucket: \"my-bucket\") |> range(start: -1h)"}"#,
            [401, 404, 200, 404, 200, 200],
        ),
        (
            "POST",
            "/api/v2/delete?org=my-org&bucket=my-bucket",
            r#"{"start":"1970-01-01T00:00:00Z","stop":"2030-01-01T00:00:00Z"}"#,
            [401, 403, 403, 204, 204, 204],
        ),
        (
            "GET",
            "/api/v2/dbrps?orgID={A}",
            "",
            [401, 401, 200, 401, 401, 200],
        ),
        (
            "POST",
            "/write?db=my-bucket",
            "m v=1",
            [401, 404, 403, 204, 204, 204],
        ),
        (
            "GET",
            "/query?db=my-bucket&q=SELECT%201",
            "",
            [401, 501, 501, 501, 501, 501],
        ),
        (
            "GET",
            "/private/legacy/authorizations",
            "",
            [401, 200, 200, 200, 200, 200],
        ),
        (
            "POST",
            "/private/legacy/authorizations",
            r#"{"token":"v1-new","orgID":"{A}","permissions":[{"action":"read","resource":{"type":"buckets","id":"{B}","orgID":"{A}"}}]}"#,
            [401, 401, 401, 401, 401, 201],
        ),
        (
            "GET",
            "/private/legacy/authorizations/{L}",
            "",
            [401, 401, 401, 401, 401, 200],
        ),
        (
            "PATCH",
            "/private/legacy/authorizations/{L}",
            r#"{"status":"inactive"}"#,
            [401, 401, 401, 401, 401, 200],
        ),
        (
            "DELETE",
            "/private/legacy/authorizations/{L}",
            "",
            [401, 401, 401, 401, 401, 204],
        ),
        (
            "POST",
            "/private/legacy/authorizations/{L}/password",
            r#"{"password":"v1-password"}"#,
            [401, 401, 401, 401, 401, 204],
        ),
    ];
    for &(method, path, payload, want) in routes {
        for (k, kind) in KINDS.iter().enumerate() {
            let mut h = Harness::new();
            let s = h.setup();
            let admin = s.token.clone();
            let other = h.other_org(&admin);
            let bucket_perm = |action: &str| json!({"action": action, "resource": {"type": "buckets", "id": s.bucket_id, "orgID": s.org_id}});
            let org_buckets = |action: &str| json!([{"action": action, "resource": {"type": "buckets", "orgID": s.org_id}}]);
            let operator_auth_id = body(&h.call("GET", "/api/v2/authorizations", Some(&admin), ""))
                ["authorizations"][0]["id"]
                .as_str()
                .unwrap()
                .to_string();
            let legacy_auth_id = legacy_authorizations::create(&mut h, &admin, &s, "v1-user")["id"]
                .as_str()
                .unwrap()
                .to_string();
            let token = match *kind {
                "none" => None,
                "wrong-org" => Some(h.token(&admin, &other, all_access(&other))),
                "read-only" => Some(h.token(&admin, &s.org_id, org_buckets("read"))),
                "write-only" => Some(h.token(&admin, &s.org_id, org_buckets("write"))),
                "bucket" => Some(h.token(
                    &admin,
                    &s.org_id,
                    json!([bucket_perm("read"), bucket_perm("write")]),
                )),
                _ => Some(h.token(&admin, &s.org_id, all_access(&s.org_id))),
            };
            let fill = |t: &str| {
                t.replace("{A}", &s.org_id)
                    .replace("{B}", &s.bucket_id)
                    .replace("{U}", &s.user_id)
                    .replace("{T}", &operator_auth_id)
                    .replace("{L}", &legacy_auth_id)
            };
            let r = h.call(method, &fill(path), token.as_deref(), &fill(payload));
            assert_cell(&r, want[k], &format!("{method} {path} with {kind} token"));
        }
    }
}

mod legacy_authorizations;

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn path() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("/api/v2/write".to_string()),
            Just("/api/v2/query".to_string()),
            Just("/api/v2/delete".to_string()),
            Just("/api/v2/buckets".to_string()),
            Just("/api/v2/authorizations".to_string()),
            Just("/api/v2/orgs".to_string()),
            Just("/api/v2/users".to_string()),
            Just("/api/v2/dbrps".to_string()),
            Just("/api/v2/setup".to_string()),
            Just("/api/v2/signin".to_string()),
            Just("/write".to_string()),
            Just("/query".to_string()),
            "/api/v2/(buckets|orgs|users|authorizations|dbrps)/[0-9a-fz]{0,17}",
            "/[a-z/]{0,20}",
        ]
    }

    fn query() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("org=my-org&bucket=my-bucket".to_string()),
            Just("org=my-org&bucket=my-bucket&precision=s".to_string()),
            Just("db=my-bucket".to_string()),
            "(org|orgID|bucket|bucketID|precision|db|rp|q|u|p|limit|offset|name)=[%a-z0-9+]{0,12}(&(org|bucket|precision|limit)=[%a-z0-9]{0,8}){0,3}",
        ]
    }

    fn body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..64),
            "[a-z,=\\\\ \"0-9.i\\n-]{0,80}".prop_map(String::into_bytes),
            r#"\{"(query|orgID|name|permissions|start|stop|predicate|dialect|extern|retentionRules|username|org|bucket)": ?("[a-z0-9()|>: ]{0,20}"|[0-9]{1,3}|\[\]|\{\}|null|true)\}"#.prop_map(String::into_bytes),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        /// Arbitrary requests never panic and never answer 5xx (nothing here is a server fault).
        #[test]
        fn arbitrary_requests_get_client_errors_not_panics(
            method in prop_oneof![Just("GET"), Just("POST"), Just("PATCH"), Just("DELETE"), Just("PUT")],
            path in path(),
            query in query(),
            body in body(),
            gzip in any::<bool>(),
            content_type in prop_oneof![Just("application/json"), Just("application/vnd.flux"), Just("text/plain"), Just("")],
        ) {
            let mut h = Harness::new();
            let s = h.setup();
            let mut headers = vec![
                ("Authorization".to_string(), format!("Token {}", s.token)),
                ("Content-Type".to_string(), content_type.to_string()),
            ];
            if gzip {
                headers.push(("Content-Encoding".into(), "gzip".into()));
            }
            let r = h.request(Request { method: method.into(), path, query, headers, body });
            prop_assert!(r.status < 500 || r.status == 501, "{} {}", r.status, text(&r));
            prop_assert!(r.header("X-Influxdb-Version").is_some());
        }
    }
}

#[test]
fn retention_drops_old_points_as_a_partial_write() {
    let mut h = Harness::new();
    let s = h.setup();
    let t = Some(s.token.as_str());
    let r = h.call(
        "POST",
        "/api/v2/buckets",
        t,
        &json!({"orgID": s.org_id, "name": "short", "retentionRules": [{"type": "expire", "everySeconds": 3600}]}).to_string(),
    );
    assert_eq!(r.status, 201);
    let now_s = h.env.now / 1_000_000_000;
    let lines = format!("m,k=old v=1 {}\nm,k=new v=2 {}", now_s - 7200, now_s - 60);
    let r = h.call(
        "POST",
        "/api/v2/write?org=my-org&bucket=short&precision=s",
        t,
        &lines,
    );
    assert_error(&r, 422, "unprocessable entity", "beyond retention");
    assert!(text(&r).contains("dropped=1"), "{}", text(&r));
    assert_eq!(
        h.engine.data.series_count(),
        1,
        "the in-retention point is kept"
    );
}

/// Two writes checked against the same state, then applied one after the other (what an
/// edge with parallel write handling does): the generation tells the second one it was
/// checked against a schema that moved, and handling it again answers InfluxDB's 422
/// instead of acknowledging a point that apply would drop.
#[test]
fn write_generation_flags_writes_checked_against_an_older_schema() {
    let mut h = Harness::new();
    let s = h.setup();
    let write = |lp: &str| Request {
        method: "POST".into(),
        path: "/api/v2/write".into(),
        query: "org=my-org&bucket=my-bucket".into(),
        headers: vec![("Authorization".into(), format!("Token {}", s.token))],
        body: lp.as_bytes().to_vec(),
    };
    let (float_write, int_write) = (write("m f=1.5 1"), write("m f=2i 2"));
    let generation = h.engine.write_generation();
    let first = h.engine.handle(&float_write, &mut h.env);
    let second = h.engine.handle(&int_write, &mut h.env);
    assert_eq!(first.response.status, 204);
    assert_eq!(
        second.response.status, 204,
        "both checked against the same state"
    );

    for record in &first.log {
        h.engine.apply(record).expect("apply");
    }
    assert_ne!(
        h.engine.write_generation(),
        generation,
        "f's type is now fixed"
    );
    let again = h.engine.handle(&int_write, &mut h.env);
    assert!(again.log.is_empty());
    assert_error(
        &again.response,
        422,
        "unprocessable entity",
        "failure writing points to database: partial write: field type conflict",
    );

    // Writing known types again leaves the generation alone: no needless re-checks.
    let generation = h.engine.write_generation();
    assert_eq!(
        h.call(
            "POST",
            "/api/v2/write?org=my-org&bucket=my-bucket",
            Some(&s.token),
            "m f=3.5 3"
        )
        .status,
        204
    );
    assert_eq!(h.engine.write_generation(), generation);
}
