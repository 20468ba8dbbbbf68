//! A task's runs and logs: list and get runs, ask for a run now (`POST .../runs`, queued
//! as `scheduled` and executed by the next `Engine::run_due_tasks`), retry one, cancel a
//! queued one, and read run logs.

use edgeflux_auth::Action;
use edgeflux_types::time::{parse_rfc3339, rfc3339_nano};
use edgeflux_types::Id;
use serde::Deserialize;
use serde_json::{json, Value};

use super::parse_id_field;
use super::tasks::{authorized, positive_number};
use crate::catalog::Change;
use crate::engine::{Ctx, Reply};
use crate::http::{json_response, no_content, parse_json, HttpError, HttpResult};
use crate::tasks::{LogEvent, Run, RunStatus, Task, TaskStatus};

fn events(run: &Run) -> Vec<Value> {
    run.log.iter().map(|e| event(run, e)).collect()
}

fn event(run: &Run, e: &LogEvent) -> Value {
    json!({"runID": run.id.to_string(), "time": rfc3339_nano(e.time), "message": e.message})
}

/// The Run JSON InfluxDB answers with.
fn run_json(run: &Run) -> Value {
    let (t, id) = (run.task_id.to_string(), run.id.to_string());
    let mut v = json!({
        "id": id,
        "taskID": t,
        "status": run.status.name(),
        "scheduledFor": rfc3339_nano(run.scheduled_for),
        "log": events(run),
        "links": {
            "self": format!("/api/v2/tasks/{t}/runs/{id}"),
            "task": format!("/api/v2/tasks/{t}"),
            "retry": format!("/api/v2/tasks/{t}/runs/{id}/retry"),
        },
    });
    for (k, at) in [
        ("startedAt", run.started_at),
        ("finishedAt", run.finished_at),
        ("requestedAt", run.requested_at),
    ] {
        if let Some(at) = at {
            v[k] = json!(rfc3339_nano(at));
        }
    }
    v
}

fn time_param(ctx: &Ctx, name: &str) -> HttpResult<Option<i64>> {
    ctx.params
        .get(name)
        .map(|t| {
            parse_rfc3339(t)
                .ok_or_else(|| HttpError::invalid(format!("failed to parse {name}: {t:?}")))
        })
        .transpose()
}

/// The task's runs, newest scheduled time first.
fn runs_of<'c>(ctx: &'c Ctx, task: &Task) -> Vec<&'c Run> {
    let mut runs: Vec<&Run> = ctx
        .catalog()
        .runs
        .values()
        .filter(|r| r.task_id == task.id)
        .collect();
    runs.sort_by_key(|r| std::cmp::Reverse((r.scheduled_for, r.requested_at, r.id.0)));
    runs
}

pub fn list(ctx: &mut Ctx, task: Id) -> HttpResult<Reply> {
    let (_, t) = authorized(ctx, task, Action::Read)?;
    let limit = positive_number(ctx, "limit", 100, 500)?;
    let after = ctx.params.get("after").map(parse_id_field).transpose()?;
    let after_time = time_param(ctx, "afterTime")?;
    let before_time = time_param(ctx, "beforeTime")?;
    let page: Vec<Value> = runs_of(ctx, &t)
        .into_iter()
        .filter(|r| after.is_none_or(|a| r.id > a))
        .filter(|r| after_time.is_none_or(|a| r.scheduled_for > a))
        .filter(|r| before_time.is_none_or(|b| r.scheduled_for < b))
        .take(limit)
        .map(run_json)
        .collect();
    let id = t.id.to_string();
    Ok(json_response(
        200,
        &json!({
            "links": {"self": format!("/api/v2/tasks/{id}/runs"), "task": format!("/api/v2/tasks/{id}")},
            "runs": page,
        }),
    )
    .into())
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RunManually {
    #[serde(default)]
    scheduled_for: Option<String>,
}

/// A run queued for the scheduler's next pass.
fn queue(ctx: &mut Ctx, task: &Task, scheduled_for: i64) -> HttpResult<Run> {
    if task.status == TaskStatus::Inactive {
        return Err(HttpError::invalid("inactive task"));
    }
    Ok(Run {
        id: ctx.new_id(),
        task_id: task.id,
        status: RunStatus::Scheduled,
        scheduled_for,
        started_at: None,
        finished_at: None,
        requested_at: Some(ctx.now),
        log: Vec::new(),
    })
}

pub fn create(ctx: &mut Ctx, task: Id) -> HttpResult<Reply> {
    let (_, t) = authorized(ctx, task, Action::Write)?;
    let body = ctx.body()?;
    let req: RunManually = if body.iter().all(|b| b.is_ascii_whitespace()) {
        RunManually::default()
    } else {
        parse_json(&body)?
    };
    let scheduled_for = match req.scheduled_for.as_deref().filter(|s| !s.is_empty()) {
        Some(text) => parse_rfc3339(text)
            .ok_or_else(|| HttpError::invalid(format!("failed to parse scheduledFor: {text:?}")))?,
        None => ctx.now,
    };
    let run = queue(ctx, &t, scheduled_for)?;
    Reply::with_changes(json_response(201, &run_json(&run)), &[Change::PutRun(run)])
}

fn find_run(ctx: &Ctx, task: &Task, run: Id) -> HttpResult<Run> {
    ctx.catalog()
        .runs
        .get(&run.0)
        .filter(|r| r.task_id == task.id)
        .cloned()
        .ok_or_else(|| HttpError::not_found("run not found"))
}

pub fn get(ctx: &mut Ctx, task: Id, run: Id) -> HttpResult<Reply> {
    let (_, t) = authorized(ctx, task, Action::Read)?;
    let r = find_run(ctx, &t, run)?;
    Ok(json_response(200, &run_json(&r)).into())
}

/// Cancels a queued run; a run that already ran cannot be canceled (`run not found`).
pub fn delete(ctx: &mut Ctx, task: Id, run: Id) -> HttpResult<Reply> {
    let (_, t) = authorized(ctx, task, Action::Write)?;
    let mut r = find_run(ctx, &t, run)?;
    if r.status != RunStatus::Scheduled {
        return Err(HttpError::not_found("run not found"));
    }
    r.status = RunStatus::Canceled;
    r.finished_at = Some(ctx.now);
    r.log.push(LogEvent {
        time: ctx.now,
        message: "Run canceled".into(),
    });
    Reply::with_changes(no_content(), &[Change::PutRun(r)])
}

/// Queues the run again with the same `now()`.
pub fn retry(ctx: &mut Ctx, task: Id, run: Id) -> HttpResult<Reply> {
    let (_, t) = authorized(ctx, task, Action::Write)?;
    let old = find_run(ctx, &t, run)?;
    let again = queue(ctx, &t, old.scheduled_for)?;
    Reply::with_changes(
        json_response(200, &run_json(&again)),
        &[Change::PutRun(again)],
    )
}

pub fn task_logs(ctx: &mut Ctx, task: Id) -> HttpResult<Reply> {
    let (_, t) = authorized(ctx, task, Action::Read)?;
    let mut all: Vec<(i64, Value)> = runs_of(ctx, &t)
        .into_iter()
        .flat_map(|r| r.log.iter().map(move |e| (e.time, event(r, e))))
        .collect();
    all.sort_by_key(|(time, _)| *time);
    let events: Vec<Value> = all.into_iter().map(|(_, v)| v).collect();
    Ok(json_response(200, &json!({"events": events})).into())
}

pub fn run_logs(ctx: &mut Ctx, task: Id, run: Id) -> HttpResult<Reply> {
    let (_, t) = authorized(ctx, task, Action::Read)?;
    let r = find_run(ctx, &t, run)?;
    Ok(json_response(200, &json!({"events": events(&r)})).into())
}
