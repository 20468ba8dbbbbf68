//! The task scheduler of `edgeflux serve`: once a second, if the engine says a task run is
//! due, run it and make its records durable before applying them, like a request's.

use std::sync::Arc;
use std::time::Duration;

use edgeflux_api::Env;

use super::{apply_all, Server, SystemEnv};

/// Checks for due task runs every second until the process ends.
pub(super) async fn scheduler(server: Arc<Server>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let server = server.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || run_due(&server)).await {
            eprintln!("edgeflux: task scheduler failed: {e}");
        }
    }
}

/// One pass. The storage lock keeps every other mutation out while the runs are computed
/// under the shared engine lock (queries go on meanwhile); the records are then appended,
/// fsynced and applied under the exclusive lock, in the usual lock order.
fn run_due(server: &Server) {
    let now = SystemEnv.now_ns();
    let due = {
        let engine = server.engine.read().unwrap_or_else(|e| e.into_inner());
        engine.next_task_due().is_some_and(|t| t <= now)
    };
    if !due {
        return;
    }
    let mut storage = server.storage.lock().unwrap_or_else(|e| e.into_inner());
    let log = {
        let engine = server.engine.read().unwrap_or_else(|e| e.into_inner());
        engine.run_due_tasks(&mut SystemEnv)
    };
    if log.is_empty() {
        return;
    }
    if let Err(e) = storage.append(&log) {
        // Nothing was applied: the runs happen again on the next pass.
        eprintln!("edgeflux: persisting task runs failed: {e}");
        return;
    }
    let mut engine = server.engine.write().unwrap_or_else(|e| e.into_inner());
    apply_all(&mut engine, &mut storage, &log);
}
