//! `/api/v2/tasks`: list (filtered to what the caller may read), create, get, patch,
//! delete. A task's name and schedule live in its script's `option task`; a create body
//! may also carry `name`/`every`/`cron`/`offset` (as InfluxDB Cloud accepts), which are
//! written into that option statement, as a PATCH with those fields does.

use edgeflux_auth::{Action, Principal, ResourceType};
use edgeflux_types::time::rfc3339_nano;
use edgeflux_types::Id;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{deny, parse_id_field};
use crate::catalog::{Catalog, Change, Key};
use crate::engine::{Ctx, Reply};
use crate::http::{json_response, no_content, parse_json, HttpError, HttpResult};
use crate::tasks::options::{self, OptionEdits, TaskOptions};
use crate::tasks::schedule::{go_duration_string, parse_go_duration};
use crate::tasks::{Task, TaskStatus};

const NS_PER_SEC: i64 = 1_000_000_000;

fn may(p: &Principal, action: Action, t: &Task) -> bool {
    p.may(action, ResourceType::Tasks, Some(t.org_id), Some(t.id))
}

/// The Task JSON InfluxDB answers with.
pub(crate) fn task_json(c: &Catalog, t: &Task) -> Value {
    let id = t.id.to_string();
    let mut v = json!({
        "id": id,
        "orgID": t.org_id.to_string(),
        "org": c.org(t.org_id).map(|o| o.name.clone()).unwrap_or_default(),
        "name": t.name,
        "ownerID": t.owner_id.to_string(),
        "status": t.status.name(),
        "flux": t.flux,
        "labels": [],
        "latestCompleted": rfc3339_nano(t.latest_completed),
        "createdAt": rfc3339_nano(t.created_at),
        "updatedAt": rfc3339_nano(t.updated_at),
        "links": {
            "self": format!("/api/v2/tasks/{id}"),
            "owners": format!("/api/v2/tasks/{id}/owners"),
            "members": format!("/api/v2/tasks/{id}/members"),
            "labels": format!("/api/v2/tasks/{id}/labels"),
            "runs": format!("/api/v2/tasks/{id}/runs"),
            "logs": format!("/api/v2/tasks/{id}/logs"),
        },
    });
    let optional = [
        ("description", t.description.clone()),
        ("every", t.every.clone()),
        ("cron", t.cron.clone()),
        (
            "offset",
            match parse_go_duration(&t.offset) {
                Some(ns) if ns != 0 => go_duration_string(ns),
                _ => String::new(),
            },
        ),
        ("lastRunStatus", t.last_run_status.clone()),
        ("lastRunError", t.last_run_error.clone()),
        (
            "authorizationID",
            t.authorization_id
                .map(|Key(id)| id.to_string())
                .unwrap_or_default(),
        ),
    ];
    for (k, text) in optional {
        if !text.is_empty() {
            v[k] = json!(text);
        }
    }
    v
}

/// A task by id (404 `task not found`), before any permission check, as InfluxDB does.
pub(crate) fn find(ctx: &Ctx, id: Id) -> HttpResult<Task> {
    ctx.catalog()
        .tasks
        .get(&id.0)
        .cloned()
        .ok_or_else(|| HttpError::not_found("task not found"))
}

/// The task, if the caller may do `action` on it (401 otherwise).
pub(crate) fn authorized(ctx: &Ctx, id: Id, action: Action) -> HttpResult<(Principal, Task)> {
    let p = ctx.principal()?;
    let t = find(ctx, id)?;
    if !may(&p, action, &t) {
        return Err(deny(
            action,
            ResourceType::Tasks,
            Some(t.org_id),
            Some(t.id),
        ));
    }
    Ok((p, t))
}

fn status(text: &str) -> HttpResult<TaskStatus> {
    TaskStatus::parse(text)
        .ok_or_else(|| HttpError::invalid(format!("invalid task status: {text:?}")))
}

fn invalid_options(e: String) -> HttpError {
    HttpError::invalid(format!("invalid options: {e}"))
}

pub(crate) fn positive_number(
    ctx: &Ctx,
    name: &str,
    default: usize,
    max: usize,
) -> HttpResult<usize> {
    let n = match ctx.params.get(name) {
        None => default,
        Some(t) => t
            .parse::<usize>()
            .map_err(|_| HttpError::invalid(format!("{name} must be a number")))?,
    };
    if !(1..=max).contains(&n) {
        return Err(HttpError::invalid(format!(
            "{name} must be between 1 and {max}"
        )));
    }
    Ok(n)
}

pub fn list(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let c = ctx.catalog();
    let org = super::org_filter(ctx)?;
    let limit = positive_number(ctx, "limit", 100, 500)?;
    let after = ctx.params.get("after").map(parse_id_field).transpose()?;
    let user = ctx.params.get("user").map(parse_id_field).transpose()?;
    let wanted_status = ctx.params.get("status").map(status).transpose()?;
    let name = ctx.params.get("name");
    // Every task here is a basic one; `type=system` finds none.
    let system = ctx.params.get("type") == Some("system");
    let all: Vec<&Task> = c
        .tasks
        .values()
        .filter(|_| !system)
        .filter(|t| org.is_none_or(|o| t.org_id == o))
        .filter(|t| after.is_none_or(|a| t.id > a))
        .filter(|t| user.is_none_or(|u| t.owner_id == u))
        .filter(|t| wanted_status.is_none_or(|s| t.status == s))
        .filter(|t| name.is_none_or(|n| t.name == n))
        .filter(|t| may(&p, Action::Read, t))
        .collect();
    let page: Vec<Value> = all.iter().take(limit).map(|t| task_json(c, t)).collect();
    let mut links = json!({"self": format!("/api/v2/tasks?limit={limit}")});
    if all.len() > limit {
        if let Some(last) = all.get(limit - 1) {
            links["next"] = json!(format!("/api/v2/tasks?after={}&limit={limit}", last.id));
        }
    }
    Ok(json_response(200, &json!({"links": links, "tasks": page})).into())
}

#[derive(Debug, Deserialize)]
struct TaskBody {
    #[serde(default, rename = "orgID")]
    org_id: Option<String>,
    #[serde(default)]
    org: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    flux: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    every: Option<String>,
    #[serde(default)]
    cron: Option<String>,
    #[serde(default)]
    offset: Option<String>,
}

impl TaskBody {
    fn edits(&self) -> OptionEdits {
        OptionEdits {
            name: self.name.clone(),
            every: self.every.clone(),
            cron: self.cron.clone(),
            offset: self.offset.clone(),
        }
    }
}

/// The script and its options after applying a body's option fields.
fn script(flux: &str, edits: &OptionEdits) -> HttpResult<(String, TaskOptions)> {
    if edits.is_empty() {
        let o = options::extract(flux).map_err(invalid_options)?;
        return Ok((flux.to_string(), o));
    }
    options::edit(flux, edits).map_err(invalid_options)
}

fn apply_options(t: &mut Task, flux: String, o: TaskOptions) {
    t.flux = flux;
    t.name = o.name;
    t.every = o.every;
    t.cron = o.cron;
    t.offset = o.offset;
}

pub fn create(ctx: &mut Ctx) -> HttpResult<Reply> {
    let p = ctx.principal()?;
    let body = ctx.body()?;
    let req: TaskBody = parse_json(&body)?;
    let flux = req
        .flux
        .clone()
        .filter(|f| !f.trim().is_empty())
        .ok_or_else(|| HttpError::invalid("missing flux"))?;
    let c = ctx.catalog();
    let org = match (
        req.org_id.as_deref().filter(|s| !s.is_empty()),
        req.org.as_deref().filter(|s| !s.is_empty()),
    ) {
        (Some(id), _) => c.org(parse_id_field(id)?),
        (None, Some(name)) => c.org_by_name(name),
        (None, None) => return Err(HttpError::invalid("missing orgID and org")),
    }
    .ok_or_else(|| HttpError::not_found("organization not found"))?
    .id;
    if !p.may(Action::Write, ResourceType::Tasks, Some(org), None) {
        return Err(deny(Action::Write, ResourceType::Tasks, Some(org), None));
    }
    let status = req.status.as_deref().map(status).transpose()?;
    let (flux, o) = script(&flux, &req.edits())?;
    let now = ctx.now;
    let mut task = Task {
        id: ctx.new_id(),
        org_id: org,
        owner_id: p.user_id,
        authorization_id: p.authorization_id.map(Key),
        name: String::new(),
        description: req.description.unwrap_or_default(),
        status: status.unwrap_or_default(),
        flux: String::new(),
        every: String::new(),
        cron: String::new(),
        offset: String::new(),
        // The first run is the first scheduled time after creation.
        latest_completed: now - now.rem_euclid(NS_PER_SEC),
        last_run_status: String::new(),
        last_run_error: String::new(),
        created_at: now,
        updated_at: now,
    };
    apply_options(&mut task, flux, o);
    Reply::with_changes(
        json_response(201, &task_json(ctx.catalog(), &task)),
        &[Change::PutTask(task)],
    )
}

pub fn get(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let (_, t) = authorized(ctx, id, Action::Read)?;
    Ok(json_response(200, &task_json(ctx.catalog(), &t)).into())
}

pub fn patch(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let (_, mut t) = authorized(ctx, id, Action::Write)?;
    let body = ctx.body()?;
    let req: TaskBody = parse_json(&body)?;
    let edits = req.edits();
    if req.flux.is_some() || !edits.is_empty() {
        let flux = req.flux.clone().unwrap_or_else(|| t.flux.clone());
        let (flux, o) = script(&flux, &edits)?;
        apply_options(&mut t, flux, o);
    }
    if let Some(d) = req.description {
        t.description = d;
    }
    let now = ctx.now;
    if let Some(s) = req.status.as_deref().map(status).transpose()? {
        // A task switched back on resumes from now: missed runs are not made up.
        if s == TaskStatus::Active && t.status == TaskStatus::Inactive {
            t.latest_completed = now - now.rem_euclid(NS_PER_SEC);
        }
        t.status = s;
    }
    t.updated_at = now;
    Reply::with_changes(
        json_response(200, &task_json(ctx.catalog(), &t)),
        &[Change::PutTask(t)],
    )
}

pub fn delete(ctx: &mut Ctx, id: Id) -> HttpResult<Reply> {
    let (_, t) = authorized(ctx, id, Action::Write)?;
    Reply::with_changes(no_content(), &[Change::DeleteTask(Key(t.id))])
}
