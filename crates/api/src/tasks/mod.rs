//! Tasks: Flux scripts that run on a schedule (`option task = {name, every | cron, offset}`)
//! and the record of their runs. A task, its runs and their logs are catalog state, so they
//! travel in the same log records and snapshots as buckets and survive restarts in every
//! home. Scheduling is a pure function of the catalog and a clock (`Engine::run_due_tasks`);
//! each edge only calls it now and then.

pub(crate) mod options;
pub(crate) mod runner;
pub(crate) mod schedule;

use edgeflux_auth::id_hex;
use edgeflux_types::{Id, Timestamp};
use serde::{Deserialize, Serialize};

use crate::catalog::Key;

/// Runs kept per task; older finished runs are dropped as new ones are recorded
/// (InfluxDB keeps them in `_tasks` for three days).
pub const RUNS_KEPT_PER_TASK: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    #[default]
    Active,
    Inactive,
}

impl TaskStatus {
    pub fn name(self) -> &'static str {
        match self {
            TaskStatus::Active => "active",
            TaskStatus::Inactive => "inactive",
        }
    }

    pub fn parse(text: &str) -> Option<TaskStatus> {
        match text {
            "active" => Some(TaskStatus::Active),
            "inactive" => Some(TaskStatus::Inactive),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    #[serde(with = "id_hex")]
    pub id: Id,
    #[serde(with = "id_hex")]
    pub org_id: Id,
    #[serde(with = "id_hex")]
    pub owner_id: Id,
    /// The token that created the task: runs read and write with its permissions.
    #[serde(default)]
    pub authorization_id: Option<Key>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub status: TaskStatus,
    pub flux: String,
    /// The schedule as written in `option task` (exactly one of `every` and `cron`).
    #[serde(default)]
    pub every: String,
    #[serde(default)]
    pub cron: String,
    #[serde(default)]
    pub offset: String,
    /// The scheduled time of the latest scheduled run; the next one comes after it.
    pub latest_completed: Timestamp,
    #[serde(default)]
    pub last_run_status: String,
    #[serde(default)]
    pub last_run_error: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Scheduled,
    Started,
    Failed,
    Success,
    Canceled,
}

impl RunStatus {
    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Scheduled => "scheduled",
            RunStatus::Started => "started",
            RunStatus::Failed => "failed",
            RunStatus::Success => "success",
            RunStatus::Canceled => "canceled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEvent {
    pub time: Timestamp,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    #[serde(with = "id_hex")]
    pub id: Id,
    #[serde(with = "id_hex")]
    pub task_id: Id,
    pub status: RunStatus,
    /// The run's `now()`.
    pub scheduled_for: Timestamp,
    #[serde(default)]
    pub started_at: Option<Timestamp>,
    #[serde(default)]
    pub finished_at: Option<Timestamp>,
    /// Set for runs asked for through `POST /tasks/{id}/runs` or a retry.
    #[serde(default)]
    pub requested_at: Option<Timestamp>,
    #[serde(default)]
    pub log: Vec<LogEvent>,
}
