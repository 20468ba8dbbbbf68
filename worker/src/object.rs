//! The Durable Object that owns the engine (the Worker's routing is `worker/entry.mjs`).

use std::cell::RefCell;

use edgeflux_api::{
    Engine, Env as ApiEnv, Options, Request as ApiRequest, Response as ApiResponse,
};
use worker::{durable_object, DurableObject, Env, Headers, Request, Response, Result, State};

use crate::{log, path_and_query};

/// Clock and randomness inside workerd.
struct WorkerEnv;

impl ApiEnv for WorkerEnv {
    fn now_ns(&self) -> i64 {
        (js_sys::Date::now() as i64).saturating_mul(1_000_000)
    }

    fn fill_random(&mut self, buf: &mut [u8]) {
        // crypto.getRandomValues always exists in workerd.
        if getrandom::fill(buf).is_err() {
            panic!("crypto.getRandomValues failed");
        }
    }
}

/// How often (at most) a request first runs the engine's background maintenance.
const MAINTAIN_EVERY_NS: i64 = 60 * 1_000_000_000;
/// Snapshot sooner than the native default: a waking object replays the log after it.
const SNAPSHOT_AFTER_BYTES: u64 = 16 * 1024 * 1024;

struct Loaded {
    engine: Engine,
    last_seq: u64,
    last_maintain_ns: i64,
    /// The due time the alarm is set for, so a request only touches it when it moves.
    alarm_for_ns: Option<i64>,
}

#[durable_object]
pub struct EngineObject {
    state: State,
    /// `wants_snapshot` threshold; the `EDGEFLUX_SNAPSHOT_AFTER_BYTES` var overrides it.
    snapshot_after_bytes: u64,
    /// `None` until the first request restores it from storage.
    loaded: RefCell<Option<Loaded>>,
}

impl DurableObject for EngineObject {
    fn new(state: State, env: Env) -> Self {
        crate::panic::install(&env);
        let snapshot_after_bytes = env
            .var("EDGEFLUX_SNAPSHOT_AFTER_BYTES")
            .ok()
            .and_then(|v| v.to_string().trim().parse().ok())
            .unwrap_or(SNAPSHOT_AFTER_BYTES);
        EngineObject {
            state,
            snapshot_after_bytes,
            loaded: RefCell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        self.ensure_loaded().await?;
        crate::panic::test_point(&req);
        let request = to_api_request(&mut req).await?;
        let response = self.serve(&request).await?;
        to_worker_response(response)
    }

    /// The task alarm: runs what is due, persists and applies it like a request's
    /// records, and sets the alarm for the next due run.
    async fn alarm(&self) -> Result<Response> {
        self.ensure_loaded().await?;
        let log = {
            let mut loaded = self.loaded.borrow_mut();
            match loaded.as_mut() {
                Some(l) => {
                    l.alarm_for_ns = None;
                    l.engine.run_due_tasks(&mut WorkerEnv)
                }
                None => Vec::new(),
            }
        };
        if let Err(e) = self.persist_and_apply(&log).await {
            worker::console_error!("edgeflux: task runs failed: {e}");
        }
        self.schedule_tasks().await?;
        Response::empty()
    }
}

impl EngineObject {
    /// Restores the engine from storage on the first event after the object wakes.
    /// Input gates hold other events while storage operations are pending, so requests
    /// do not interleave between `handle` and `apply`.
    async fn ensure_loaded(&self) -> Result<()> {
        if self.loaded.borrow().is_some() {
            return Ok(());
        }
        let storage = self.state.storage();
        let recovered = log::recover(&storage).await?;
        let mut engine = Engine::restore(
            recovered.snapshot.as_deref(),
            recovered.log.iter().map(Vec::as_slice),
        )
        .map_err(|e| worker::Error::RustError(format!("restore failed: {e}")))?;
        engine.set_options(Options {
            snapshot_after_bytes: self.snapshot_after_bytes,
            query_memory_bytes: crate::QUERY_MEMORY_BYTES,
            ..engine.options().clone()
        });
        let now = WorkerEnv.now_ns();
        engine.set_started(now);
        *self.loaded.borrow_mut() = Some(Loaded {
            engine,
            last_seq: recovered.last_seq,
            last_maintain_ns: now,
            alarm_for_ns: None,
        });
        Ok(())
    }

    async fn serve(&self, request: &ApiRequest) -> Result<ApiResponse> {
        let handled = {
            let mut loaded = self.loaded.borrow_mut();
            let Some(l) = loaded.as_mut() else {
                return Ok(internal_error("engine not loaded"));
            };
            let now = WorkerEnv.now_ns();
            if now - l.last_maintain_ns >= MAINTAIN_EVERY_NS {
                l.engine.maintain(now);
                l.last_maintain_ns = now;
            }
            l.engine.handle(request, &mut WorkerEnv)
        };
        if handled.log.is_empty() {
            return Ok(handled.response);
        }
        if let Err(e) = self.persist_and_apply(&handled.log).await {
            return Ok(internal_error(&e));
        }
        // A request may have created, changed or queued a task run.
        if let Err(e) = self.schedule_tasks().await {
            worker::console_error!("edgeflux: setting the task alarm failed: {e}");
        }
        Ok(handled.response)
    }

    /// Stores `records` durably, then applies them; snapshots when the engine asks.
    async fn persist_and_apply(&self, records: &[Vec<u8>]) -> std::result::Result<(), String> {
        if records.is_empty() {
            return Ok(());
        }
        let first_seq = match self.loaded.borrow().as_ref() {
            Some(l) => l.last_seq + 1,
            None => return Err("engine not loaded".into()),
        };
        let storage = self.state.storage();
        log::append(&storage, first_seq, records)
            .await
            .map_err(|e| format!("persisting the write failed: {e}"))?;
        let snapshot = {
            let mut loaded = self.loaded.borrow_mut();
            let Some(l) = loaded.as_mut() else {
                return Err("engine not loaded".into());
            };
            l.last_seq = first_seq + records.len() as u64 - 1;
            for record in records {
                l.engine
                    .apply(record)
                    .map_err(|e| format!("applying the write failed: {e}"))?;
            }
            l.engine
                .wants_snapshot()
                .then(|| (l.last_seq, l.engine.snapshot()))
        };
        if let Some((seq, bytes)) = snapshot {
            // The write is durable in the log already; a failed snapshot only costs replay.
            if let Err(e) = log::put_snapshot(&storage, seq, &bytes).await {
                worker::console_error!("edgeflux: snapshot failed: {e}");
            }
        }
        Ok(())
    }

    /// Sets the alarm for the next due task run, if any and if it moved.
    async fn schedule_tasks(&self) -> Result<()> {
        let due = match self.loaded.borrow_mut().as_mut() {
            Some(l) => match l.engine.next_task_due() {
                Some(due) if l.alarm_for_ns != Some(due) => {
                    l.alarm_for_ns = Some(due);
                    Some(due)
                }
                _ => None,
            },
            None => None,
        };
        if let Some(due) = due {
            let delay_ms = (due - WorkerEnv.now_ns()).max(0) / 1_000_000;
            if let Err(e) = self.state.storage().set_alarm(delay_ms).await {
                // Try again on the next request.
                if let Some(l) = self.loaded.borrow_mut().as_mut() {
                    l.alarm_for_ns = None;
                }
                return Err(e);
            }
        }
        Ok(())
    }
}

async fn to_api_request(req: &mut Request) -> Result<ApiRequest> {
    let url = req.url()?;
    let (path, query) = path_and_query(url.as_str());
    // workerd compresses a response itself when it carries Content-Encoding (and
    // Cloudflare's edge compresses for the client), so the engine never gzips here.
    let headers = req
        .headers()
        .entries()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("accept-encoding"))
        .collect();
    let body = req.bytes().await.unwrap_or_default();
    Ok(ApiRequest {
        method: req.method().to_string().to_ascii_uppercase(),
        path,
        query,
        headers,
        body,
    })
}

fn to_worker_response(response: ApiResponse) -> Result<Response> {
    let headers = Headers::new();
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    let status = response.status;
    let out = if status == 204 || status == 304 || response.body.is_empty() {
        Response::empty()?
    } else {
        Response::from_bytes(response.body)?
    };
    Ok(out.with_status(status).with_headers(headers))
}

fn internal_error(message: &str) -> ApiResponse {
    let escaped: String = message
        .chars()
        .flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            c if (c as u32) < 0x20 => vec![' '],
            c => vec![c],
        })
        .collect();
    ApiResponse {
        status: 500,
        headers: vec![(
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        )],
        body: format!("{{\"code\":\"internal error\",\"message\":\"{escaped}\"}}").into_bytes(),
    }
}
