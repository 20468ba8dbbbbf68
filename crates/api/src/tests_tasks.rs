//! Tasks, runs and Flux `to()` through `Engine::handle` and `Engine::run_due_tasks`, with
//! an injected clock; log records applied as an edge would, and recovery from them.

use serde_json::{json, Value};

use crate::tests::{all_access, assert_cell, assert_error, body, text, Harness, Setup};
use crate::{Engine, Response};

const SEC: i64 = 1_000_000_000;
const HOUR: i64 = 3600 * SEC;

/// Runs the scheduler as an edge does: persist (here: remember) and apply its records.
fn tick(h: &mut Harness) -> usize {
    let log = h.engine.run_due_tasks(&mut h.env);
    for record in &log {
        h.engine.apply(record).expect("apply");
        h.log.push(record.clone());
    }
    log.len()
}

fn query(h: &mut Harness, token: &str, flux: &str) -> Response {
    h.call(
        "POST",
        "/api/v2/query?org=my-org",
        Some(token),
        &json!({ "query": flux }).to_string(),
    )
}

fn create_task(h: &mut Harness, s: &Setup, flux: &str) -> Value {
    let r = h.call(
        "POST",
        "/api/v2/tasks",
        Some(&s.token),
        &json!({"orgID": s.org_id, "flux": flux}).to_string(),
    );
    assert_eq!(r.status, 201, "{}", text(&r));
    body(&r)
}

fn create_bucket(h: &mut Harness, s: &Setup, name: &str) {
    let r = h.call(
        "POST",
        "/api/v2/buckets",
        Some(&s.token),
        &json!({"orgID": s.org_id, "name": name}).to_string(),
    );
    assert_eq!(r.status, 201, "{}", text(&r));
}

/// The data rows of an annotated CSV answer (no header, no blank lines).
fn rows(csv: &str) -> Vec<String> {
    csv.lines()
        .filter(|l| !l.is_empty() && !l.starts_with(",result"))
        .map(|l| l.to_string())
        .collect()
}

#[test]
fn tasks_are_created_listed_patched_and_deleted() {
    let mut h = Harness::new();
    let s = h.setup();
    let t = create_task(
        &mut h,
        &s,
        "option task = {name: \"hourly\", every: 1h, offset: 5m}\n\nfrom(bucket: \"my-bucket\") |> range(start: -1h)",
    );
    assert_eq!(t["name"], "hourly");
    assert_eq!(t["every"], "1h");
    assert_eq!(t["offset"], "5m0s");
    assert_eq!(t["status"], "active");
    assert_eq!(t["orgID"], s.org_id.as_str());
    assert_eq!(t["org"], "my-org");
    assert_eq!(t["ownerID"], s.user_id.as_str());
    assert!(t["authorizationID"].is_string());
    assert_eq!(t["latestCompleted"], "2023-11-14T22:13:20Z");
    let id = t["id"].as_str().unwrap().to_string();
    assert_eq!(t["links"]["runs"], format!("/api/v2/tasks/{id}/runs"));

    let got = body(&h.call("GET", &format!("/api/v2/tasks/{id}"), Some(&s.token), ""));
    assert_eq!(got, t);
    let list = body(&h.call("GET", "/api/v2/tasks?org=my-org", Some(&s.token), ""));
    assert_eq!(list["tasks"].as_array().unwrap().len(), 1);
    for q in [
        "name=other",
        "status=inactive",
        "type=system",
        &format!("after={id}"),
    ] {
        let l = body(&h.call("GET", &format!("/api/v2/tasks?{q}"), Some(&s.token), ""));
        assert_eq!(l["tasks"], json!([]), "{q}");
    }
    assert_error(
        &h.call("GET", "/api/v2/tasks?limit=501", Some(&s.token), ""),
        400,
        "invalid",
        "limit must be between 1 and 500",
    );

    // PATCH rewrites the script's option statement.
    let r = h.call(
        "PATCH",
        &format!("/api/v2/tasks/{id}"),
        Some(&s.token),
        r#"{"cron": "0 * * * *", "description": "d", "status": "inactive"}"#,
    );
    let p = body(&r);
    assert_eq!(r.status, 200, "{}", text(&r));
    assert_eq!(p["cron"], "0 * * * *");
    assert!(p.get("every").is_none());
    assert_eq!(p["status"], "inactive");
    assert_eq!(p["description"], "d");
    assert!(p["flux"]
        .as_str()
        .unwrap()
        .starts_with("option task = {name: \"hourly\", cron: \"0 * * * *\", offset: 5m}\n"));
    assert_error(
        &h.call(
            "PATCH",
            &format!("/api/v2/tasks/{id}"),
            Some(&s.token),
            r#"{"flux": "from(bucket: \"x\")"}"#,
        ),
        400,
        "invalid",
        "invalid options: missing required option: task",
    );

    assert_eq!(
        h.call("DELETE", &format!("/api/v2/tasks/{id}"), Some(&s.token), "")
            .status,
        204
    );
    assert_error(
        &h.call("GET", &format!("/api/v2/tasks/{id}"), Some(&s.token), ""),
        404,
        "not found",
        "task not found",
    );
}

#[test]
fn a_create_body_with_name_and_every_writes_the_option_into_the_script() {
    let mut h = Harness::new();
    let s = h.setup();
    let r = h.call(
        "POST",
        "/api/v2/tasks",
        Some(&s.token),
        &json!({"orgID": s.org_id, "name": "down", "every": "1h", "offset": "5m",
                "flux": "from(bucket: \"my-bucket\") |> range(start: -1h)"})
        .to_string(),
    );
    assert_eq!(r.status, 201, "{}", text(&r));
    let t = body(&r);
    assert_eq!(t["name"], "down");
    assert_eq!(
        t["flux"],
        "option task = {name: \"down\", every: 1h, offset: 5m}\n\nfrom(bucket: \"my-bucket\") |> range(start: -1h)"
    );
}

#[test]
fn task_validation_errors_match_influxdb() {
    let mut h = Harness::new();
    let s = h.setup();
    let post =
        |h: &mut Harness, v: Value| h.call("POST", "/api/v2/tasks", Some(&s.token), &v.to_string());
    let org = s.org_id.clone();
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (json!({"orgID": org}), 400, "invalid", "missing flux"),
        (
            json!({"flux": "option task = {name: \"a\", every: 1h}"}),
            400,
            "invalid",
            "missing orgID and org",
        ),
        (
            json!({"org": "nope", "flux": "option task = {name: \"a\", every: 1h}"}),
            404,
            "not found",
            "organization not found",
        ),
        (
            json!({"orgID": org, "flux": "from(bucket: \"b\")"}),
            400,
            "invalid",
            "invalid options: missing required option: task",
        ),
        (
            json!({"orgID": org, "flux": "option task = {name: \"a\"}"}),
            400,
            "invalid",
            "invalid options: missing required option: cron or every is required",
        ),
        (
            json!({"orgID": org, "flux": "option task = {name: \"a\", every: 1h, cron: \"* * * * *\"}"}),
            400,
            "invalid",
            "invalid options: cannot use both cron and every in task options",
        ),
        (
            json!({"orgID": org, "flux": "option task = {name: \"a\", cron: \"* *\"}"}),
            400,
            "invalid",
            "invalid options: cron invalid: Expected 5 or 6 fields, found 2",
        ),
        (
            json!({"orgID": org, "flux": "option task = {name: \"a\", every: 1h}\nfrom(bucket: "}),
            400,
            "invalid",
            "invalid options: compilation failed: error at @2",
        ),
        (
            json!({"orgID": org, "status": "paused", "flux": "option task = {name: \"a\", every: 1h}"}),
            400,
            "invalid",
            "invalid task status",
        ),
    ];
    for (payload, status, code, message) in cases {
        let r = post(&mut h, payload.clone());
        assert_error(&r, status, code, message);
    }
    assert_error(
        &h.call("POST", "/api/v2/tasks", Some(&s.token), "{"),
        400,
        "invalid",
        "failed to decode request body",
    );
    assert_eq!(
        body(&h.call("GET", "/api/v2/tasks", Some(&s.token), ""))["tasks"],
        json!([])
    );
}

/// The downsampling task of tutorial 2: scheduled runs at the injected clock's hours,
/// `to()` writes visible to later queries and present after recovery.
#[test]
fn scheduled_runs_downsample_with_to_and_survive_restore() {
    let mut h = Harness::new();
    let s = h.setup();
    create_bucket(&mut h, &s, "down");
    let created = h.env.now; // 2023-11-14T22:13:20Z
    let hour = created - created.rem_euclid(HOUR) + HOUR; // 23:00
    let lines = format!(
        "cpu,host=a v=1 {}\ncpu,host=a v=3 {}\ncpu,host=b v=10 {}\n",
        hour - 50 * 60 * SEC,
        hour - 10 * 60 * SEC,
        hour - 5 * 60 * SEC
    );
    let w = h.call(
        "POST",
        "/api/v2/write?org=my-org&bucket=my-bucket",
        Some(&s.token),
        &lines,
    );
    assert_eq!(w.status, 204, "{}", text(&w));
    let t = create_task(
        &mut h,
        &s,
        "option task = {name: \"down\", every: 1h, offset: 5m}\n\
         from(bucket: \"my-bucket\") |> range(start: -task.every)\n\
           |> filter(fn: (r) => r._measurement == \"cpu\")\n\
           |> aggregateWindow(every: 1h, fn: mean)\n\
           |> to(bucket: \"down\")",
    );
    let id = t["id"].as_str().unwrap().to_string();
    assert_eq!(h.engine.next_task_due(), Some(hour + 5 * 60 * SEC));

    // Before the offset has passed nothing runs.
    h.env.now = hour + 4 * 60 * SEC;
    assert_eq!(tick(&mut h), 0);
    h.env.now = hour + 5 * 60 * SEC;
    assert!(tick(&mut h) >= 2, "a write record and a catalog record");
    assert_eq!(tick(&mut h), 0, "the same hour does not run twice");

    let want = vec![
        ",_result,0,2023-11-14T22:00:00Z,2023-11-14T23:05:00Z,2023-11-14T23:00:00Z,2,v,cpu,a"
            .to_string(),
        ",_result,1,2023-11-14T22:00:00Z,2023-11-14T23:05:00Z,2023-11-14T23:00:00Z,10,v,cpu,b"
            .to_string(),
    ];
    let down = |h: &mut Harness| {
        let r = query(
            h,
            &s.token.clone(),
            "from(bucket: \"down\") |> range(start: 2023-11-14T22:00:00Z) |> keep(columns: [\"_start\", \"_stop\", \"_time\", \"_value\", \"_field\", \"_measurement\", \"host\"])",
        );
        assert_eq!(r.status, 200, "{}", text(&r));
        rows(&text(&r))
    };
    assert_eq!(down(&mut h), want);

    let task = body(&h.call("GET", &format!("/api/v2/tasks/{id}"), Some(&s.token), ""));
    assert_eq!(task["lastRunStatus"], "success");
    assert_eq!(task["latestCompleted"], "2023-11-14T23:00:00Z");
    let runs = body(&h.call(
        "GET",
        &format!("/api/v2/tasks/{id}/runs"),
        Some(&s.token),
        "",
    ));
    let run = &runs["runs"][0];
    assert_eq!(run["status"], "success");
    assert_eq!(run["scheduledFor"], "2023-11-14T23:00:00Z");
    assert_eq!(run["startedAt"], "2023-11-14T23:05:00Z");
    let logs = body(&h.call(
        "GET",
        &format!("/api/v2/tasks/{id}/logs"),
        Some(&s.token),
        "",
    ));
    let messages: Vec<&str> = logs["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].starts_with("Started task from script: \"option task"));
    assert_eq!(messages.last(), Some(&"Completed(success)"));

    // Recovery: from the log alone, and from a snapshot.
    let restored = Engine::restore(None, h.log.iter().map(Vec::as_slice)).unwrap();
    let snapshot = restored.snapshot();
    for engine in [restored, Engine::restore(Some(&snapshot), []).unwrap()] {
        let mut again = Harness::new();
        again.engine = engine;
        again.env.now = h.env.now;
        assert_eq!(down(&mut again), want);
        let task = body(&again.call("GET", &format!("/api/v2/tasks/{id}"), Some(&s.token), ""));
        assert_eq!(task["lastRunStatus"], "success");
        assert_eq!(
            tick(&mut again),
            0,
            "a restored engine does not rerun the hour"
        );
    }

    // Two hours later both missed hours are caught up, oldest first.
    h.env.now = hour + 2 * HOUR + 5 * 60 * SEC;
    tick(&mut h);
    let runs = body(&h.call(
        "GET",
        &format!("/api/v2/tasks/{id}/runs"),
        Some(&s.token),
        "",
    ));
    let scheduled: Vec<&str> = runs["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["scheduledFor"].as_str().unwrap())
        .collect();
    assert_eq!(
        scheduled,
        [
            "2023-11-15T01:00:00Z",
            "2023-11-15T00:00:00Z",
            "2023-11-14T23:00:00Z"
        ]
    );
}

#[test]
fn manual_runs_queue_run_retry_and_cancel() {
    let mut h = Harness::new();
    let s = h.setup();
    let t = create_task(
        &mut h,
        &s,
        "option task = {name: \"m\", every: 1h}\nfrom(bucket: \"missing\") |> range(start: -1h)",
    );
    let id = t["id"].as_str().unwrap().to_string();
    let runs = format!("/api/v2/tasks/{id}/runs");
    let r = h.call("POST", &runs, Some(&s.token), "");
    assert_eq!(r.status, 201, "{}", text(&r));
    let queued = body(&r);
    assert_eq!(queued["status"], "scheduled");
    assert_eq!(queued["scheduledFor"], "2023-11-14T22:13:20Z");
    assert_eq!(queued["requestedAt"], "2023-11-14T22:13:20Z");
    assert_eq!(h.engine.next_task_due(), Some(h.env.now));
    tick(&mut h);
    let run_id = queued["id"].as_str().unwrap().to_string();
    let done = body(&h.call("GET", &format!("{runs}/{run_id}"), Some(&s.token), ""));
    assert_eq!(done["status"], "failed");
    let task = body(&h.call("GET", &format!("/api/v2/tasks/{id}"), Some(&s.token), ""));
    assert_eq!(task["lastRunStatus"], "failed");
    assert!(task["lastRunError"]
        .as_str()
        .unwrap()
        .contains("could not find bucket \"missing\""));
    let logs = body(&h.call("GET", &format!("{runs}/{run_id}/logs"), Some(&s.token), ""));
    assert_eq!(logs["events"].as_array().unwrap().len(), 3);
    assert_eq!(logs["events"][2]["message"], "Completed(failed)");
    assert_eq!(logs["events"][2]["runID"], run_id.as_str());

    // A retry queues the same `now()` again; a queued run can be canceled once.
    let r = h.call(
        "POST",
        &format!("{runs}/{run_id}/retry"),
        Some(&s.token),
        "",
    );
    assert_eq!(r.status, 200, "{}", text(&r));
    let retry = body(&r);
    assert_eq!(retry["status"], "scheduled");
    assert_eq!(retry["scheduledFor"], done["scheduledFor"]);
    let retry_id = retry["id"].as_str().unwrap();
    assert_eq!(
        h.call("DELETE", &format!("{runs}/{retry_id}"), Some(&s.token), "")
            .status,
        204
    );
    assert_error(
        &h.call("DELETE", &format!("{runs}/{retry_id}"), Some(&s.token), ""),
        404,
        "not found",
        "run not found",
    );
    tick(&mut h);
    let canceled = body(&h.call("GET", &format!("{runs}/{retry_id}"), Some(&s.token), ""));
    assert_eq!(canceled["status"], "canceled");

    let r = h.call(
        "POST",
        &runs,
        Some(&s.token),
        r#"{"scheduledFor": "2023-01-01T00:00:00Z"}"#,
    );
    assert_eq!(body(&r)["scheduledFor"], "2023-01-01T00:00:00Z");
    assert_error(
        &h.call("POST", &runs, Some(&s.token), r#"{"scheduledFor": "soon"}"#),
        400,
        "invalid",
        "scheduledFor",
    );
    h.call(
        "PATCH",
        &format!("/api/v2/tasks/{id}"),
        Some(&s.token),
        r#"{"status": "inactive"}"#,
    );
    assert_error(
        &h.call("POST", &runs, Some(&s.token), ""),
        400,
        "invalid",
        "inactive task",
    );
    assert_error(
        &h.call(
            "GET",
            &format!("{runs}/0000000000000001"),
            Some(&s.token),
            "",
        ),
        404,
        "not found",
        "run not found",
    );
}

#[test]
fn queries_write_with_to_under_the_callers_write_permission() {
    let mut h = Harness::new();
    let s = h.setup();
    create_bucket(&mut h, &s, "copy");
    let w = h.call(
        "POST",
        "/api/v2/write?org=my-org&bucket=my-bucket",
        Some(&s.token),
        &format!("m,host=a v=1.5,n=2i {}", h.env.now - SEC),
    );
    assert_eq!(w.status, 204);
    let copy = "from(bucket: \"my-bucket\") |> range(start: -1h) |> to(bucket: \"copy\")";
    let reader = h.token(
        &s.token.clone(),
        &s.org_id.clone(),
        json!([{"action": "read", "resource": {"type": "buckets", "orgID": s.org_id}}]),
    );
    assert_error(
        &query(&mut h, &reader, copy),
        403,
        "forbidden",
        "insufficient permissions for write to bucket \"copy\"",
    );
    assert_error(
        &query(
            &mut h,
            &s.token,
            "from(bucket: \"my-bucket\") |> range(start: -1h) |> to(bucket: \"nope\")",
        ),
        404,
        "not found",
        "failed to look up bucket \"nope\"",
    );
    assert_error(
        &query(&mut h, &s.token, "from(bucket: \"my-bucket\") |> range(start: -1h) |> filter(fn: (r) => r._field == \"v\") |> drop(columns: [\"_field\"]) |> to(bucket: \"copy\")"),
        400,
        "invalid",
        "table has no _field column",
    );
    let r = query(&mut h, &s.token, copy);
    assert_eq!(r.status, 200, "{}", text(&r));
    assert_eq!(rows(&text(&r)).len(), 2, "to() passes its input on");
    let copied = query(
        &mut h,
        &s.token,
        "from(bucket: \"copy\") |> range(start: -1h) |> drop(columns: [\"_start\", \"_stop\", \"_time\"])",
    );
    assert_eq!(
        rows(&text(&copied)),
        [",_result,0,2,n,m,a", ",_result,1,1.5,v,m,a"]
    );
    // fieldFn: the columns it reads are fields, not tags.
    let r = query(
        &mut h,
        &s.token,
        "import \"influxdata/influxdb\"\n\
         from(bucket: \"my-bucket\") |> range(start: -1h) |> filter(fn: (r) => r._field == \"v\")\n\
           |> map(fn: (r) => ({r with unit: \"c\"}))\n\
           |> influxdb.to(bucket: \"copy\", fieldFn: (r) => ({\"celsius\": r._value, \"unit\": r.unit}))",
    );
    assert_eq!(r.status, 200, "{}", text(&r));
    let fields = query(
        &mut h,
        &s.token,
        "from(bucket: \"copy\") |> range(start: -1h) |> filter(fn: (r) => r._field != \"v\" and r._field != \"n\") |> drop(columns: [\"_start\", \"_stop\", \"_time\"])",
    );
    assert_eq!(
        rows(&text(&fields)),
        [",_result,0,1.5,celsius,m,a", ",_result,1,c,unit,m,a"]
    );
}

/// Every task route × no token / other org's all-access / bucket read-only / tasks
/// read-only / all-access: 401 for missing or foreign credentials (InfluxDB's service
/// denials), 404 before the permission check for an unknown task.
#[test]
fn task_auth_matrix() {
    const KINDS: [&str; 5] = ["none", "wrong-org", "buckets", "tasks-read", "all-access"];
    type Route = (&'static str, &'static str, &'static str, [u16; 5]);
    // {A} = org id, {T} = the task, {R} = a run of it.
    let routes: [Route; 12] = [
        ("GET", "/api/v2/tasks", "", [401, 200, 200, 200, 200]),
        (
            "POST",
            "/api/v2/tasks",
            r#"{"orgID":"{A}","flux":"option task = {name: \"n\", every: 1h}"}"#,
            [401, 401, 401, 401, 201],
        ),
        ("GET", "/api/v2/tasks/{T}", "", [401, 401, 401, 200, 200]),
        (
            "PATCH",
            "/api/v2/tasks/{T}",
            r#"{"description":"x"}"#,
            [401, 401, 401, 401, 200],
        ),
        ("DELETE", "/api/v2/tasks/{T}", "", [401, 401, 401, 401, 204]),
        (
            "GET",
            "/api/v2/tasks/{T}/runs",
            "",
            [401, 401, 401, 200, 200],
        ),
        (
            "POST",
            "/api/v2/tasks/{T}/runs",
            "",
            [401, 401, 401, 401, 201],
        ),
        (
            "GET",
            "/api/v2/tasks/{T}/runs/{R}",
            "",
            [401, 401, 401, 200, 200],
        ),
        (
            "DELETE",
            "/api/v2/tasks/{T}/runs/{R}",
            "",
            [401, 401, 401, 401, 204],
        ),
        (
            "POST",
            "/api/v2/tasks/{T}/runs/{R}/retry",
            "",
            [401, 401, 401, 401, 200],
        ),
        (
            "GET",
            "/api/v2/tasks/{T}/logs",
            "",
            [401, 401, 401, 200, 200],
        ),
        (
            "GET",
            "/api/v2/tasks/{T}/runs/{R}/logs",
            "",
            [401, 401, 401, 200, 200],
        ),
    ];
    for (method, path, payload, want) in routes {
        for (k, kind) in KINDS.iter().enumerate() {
            let mut h = Harness::new();
            let s = h.setup();
            let admin = s.token.clone();
            let t = create_task(&mut h, &s, "option task = {name: \"t\", every: 1h}\n1");
            let task = t["id"].as_str().unwrap().to_string();
            let run = body(&h.call(
                "POST",
                &format!("/api/v2/tasks/{task}/runs"),
                Some(&admin),
                "",
            ))["id"]
                .as_str()
                .unwrap()
                .to_string();
            let other = h.other_org(&admin);
            let of_type =
                |t: &str| json!([{"action": "read", "resource": {"type": t, "orgID": s.org_id}}]);
            let token = match *kind {
                "none" => None,
                "wrong-org" => Some(h.token(&admin, &other, all_access(&other))),
                "buckets" => Some(h.token(&admin, &s.org_id, of_type("buckets"))),
                "tasks-read" => Some(h.token(&admin, &s.org_id, of_type("tasks"))),
                _ => Some(h.token(&admin, &s.org_id, all_access(&s.org_id))),
            };
            let fill = |t: &str| {
                t.replace("{A}", &s.org_id)
                    .replace("{T}", &task)
                    .replace("{R}", &run)
            };
            let r = h.call(method, &fill(path), token.as_deref(), &fill(payload));
            assert_cell(&r, want[k], &format!("{method} {path} with {kind} token"));
            if method == "GET" && path == "/api/v2/tasks" && r.status == 200 {
                let n = body(&r)["tasks"].as_array().unwrap().len();
                assert_eq!(n, usize::from(k >= 3), "{kind} lists what it may read");
            }
        }
        // An unknown task is 404 whoever asks.
        let mut h = Harness::new();
        let s = h.setup();
        let unknown = path
            .replace("{T}", "00000000000000aa")
            .replace("{R}", "00000000000000bb");
        if unknown != path {
            let r = h.call(method, &unknown, Some(&s.token), payload);
            assert_eq!(r.status, 404, "{method} {unknown}: {}", text(&r));
        }
    }
}
