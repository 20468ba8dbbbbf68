//! Running tasks: which runs are due at a given time, and one run's execution (its Flux
//! with `now()` = the scheduled time, with the permissions of the token that created the
//! task). Everything a run changes — the run record, the task's last status, the points
//! its `to()` wrote — comes out as log records for the edge to persist and apply.

use edgeflux_auth::{session_permissions, Principal, Status};

use super::{options, LogEvent, Run, RunStatus, Task, TaskStatus};
use crate::catalog::{Catalog, Change, Key};
use crate::engine::{Ctx, Reply};
use crate::{Engine, Env, Request, Response};

/// Scheduled runs one task may catch up in one call: after a long downtime the backlog is
/// worked off a few runs per call, so each call stays short.
const MAX_RUNS_PER_TASK_PER_CALL: usize = 10;

/// When a task's next scheduled run is due (its scheduled time plus the offset).
fn next_due(task: &Task) -> Option<(i64, i64)> {
    let o = options::extract(&task.flux).ok()?;
    let next = o.schedule().ok()?.next_after(task.latest_completed)?;
    Some((next, next.saturating_add(o.offset_ns())))
}

impl Engine {
    /// When `run_due_tasks` next has something to do (nanoseconds): the earliest queued
    /// manual run or the earliest due scheduled run of an active task. `None` when no task
    /// is scheduled. Edges use it to set their timer (the Worker's alarm).
    pub fn next_task_due(&self) -> Option<i64> {
        let c = &self.catalog;
        let queued = c
            .runs
            .values()
            .filter(|r| r.status == RunStatus::Scheduled)
            .map(|r| r.requested_at.unwrap_or(r.scheduled_for));
        let scheduled = c
            .tasks
            .values()
            .filter(|t| t.status == TaskStatus::Active)
            .filter_map(|t| next_due(t).map(|(_, due)| due));
        queued.chain(scheduled).min()
    }

    /// Runs every queued manual run and every scheduled run due at `env.now_ns()` (a few
    /// per task per call), and returns their log records: the edge persists them durably
    /// and then applies them, like the records of a request.
    pub fn run_due_tasks(&self, env: &mut dyn Env) -> Vec<Vec<u8>> {
        let request = Request::default();
        let mut ctx = Ctx::new(self, &request, env);
        let now = ctx.now;
        let c = &self.catalog;
        let mut tasks: Vec<Task> = c.tasks.values().cloned().collect();
        let mut log = Vec::new();

        let mut queued: Vec<&Run> = c
            .runs
            .values()
            .filter(|r| r.status == RunStatus::Scheduled)
            .collect();
        queued.sort_by_key(|r| (r.requested_at, r.id.0));
        for run in queued {
            if let Some(task) = tasks.iter_mut().find(|t| t.id == run.task_id) {
                log.extend(execute(&mut ctx, task, run.clone()));
            }
        }

        for task in tasks.iter_mut() {
            if task.status != TaskStatus::Active {
                continue;
            }
            for _ in 0..MAX_RUNS_PER_TASK_PER_CALL {
                match next_due(task) {
                    Some((scheduled, due)) if due <= now => {
                        task.latest_completed = scheduled;
                        let run = Run {
                            id: ctx.new_id(),
                            task_id: task.id,
                            status: RunStatus::Started,
                            scheduled_for: scheduled,
                            started_at: None,
                            finished_at: None,
                            requested_at: None,
                            log: Vec::new(),
                        };
                        log.extend(execute(&mut ctx, task, run));
                    }
                    _ => break,
                }
            }
        }
        log
    }
}

/// The principal a task runs as: the token that created it, or its owner when a session
/// created it.
fn task_principal(c: &Catalog, task: &Task) -> Result<Principal, String> {
    if let Some(Key(id)) = task.authorization_id {
        let auth = c
            .auths
            .get(&id.0)
            .filter(|a| a.status == Status::Active)
            .ok_or("the task's authorization was deleted or is inactive")?;
        return Ok(Principal {
            user_id: auth.user_id,
            authorization_id: Some(auth.id),
            permissions: auth.permissions.clone(),
        });
    }
    let user = c
        .users
        .get(&task.owner_id.0)
        .filter(|u| u.status == Status::Active)
        .ok_or("the task's owner was deleted or is inactive")?;
    Ok(Principal {
        user_id: user.id,
        authorization_id: None,
        permissions: session_permissions(user),
    })
}

/// Executes one run of `task` and returns its records (the writes first, then the run
/// and the task's new last-run state). `task` is updated in place.
fn execute(ctx: &mut Ctx, task: &mut Task, mut run: Run) -> Vec<Vec<u8>> {
    let engine = ctx.engine;
    let started = ctx.env.now_ns();
    run.started_at = Some(started);
    run.log.push(LogEvent {
        time: started,
        message: format!("Started task from script: {:?}", task.flux),
    });
    let org_name = engine
        .catalog
        .org(task.org_id)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    let options = edgeflux_flux::QueryOptions {
        now_ns: run.scheduled_for,
        prelude: None,
        org: Some(org_name),
    };
    // A run has the same limits as a query; the edge's interrupt bounds its time.
    let env: &dyn crate::Env = &*ctx.env;
    let interrupted = || env.query_interrupted();
    let limits = edgeflux_flux::QueryLimits {
        max_bytes: engine.options.query_memory_bytes,
        interrupt: Some(&interrupted),
    };
    let outcome = task_principal(&engine.catalog, task).and_then(|p| {
        crate::flux_writes::execute(
            engine,
            &p,
            task.org_id,
            &task.flux,
            &options,
            limits,
            started,
        )
        .map(|(_, writes)| writes)
        .map_err(|e| e.message)
    });
    let finished = ctx.env.now_ns();
    let (mut log, status) = match outcome {
        Ok(writes) => (writes, RunStatus::Success),
        Err(message) => {
            run.log.push(LogEvent {
                time: finished,
                message: message.clone(),
            });
            task.last_run_error = message;
            (Vec::new(), RunStatus::Failed)
        }
    };
    if status == RunStatus::Success {
        task.last_run_error.clear();
    }
    run.status = status;
    run.finished_at = Some(finished);
    run.log.push(LogEvent {
        time: finished,
        message: format!("Completed({})", status.name()),
    });
    task.last_run_status = status.name().to_string();
    let changes = [Change::PutRun(run), Change::PutTask(task.clone())];
    if let Ok(reply) = Reply::with_changes(Response::default(), &changes) {
        log.extend(reply.log);
    }
    log
}
