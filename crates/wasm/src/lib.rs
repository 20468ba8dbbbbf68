//! The browser home: edgeflux's v2 API running inside a page, a worker or node, with its
//! data in IndexedDB. This crate only adapts: JS values in, [`edgeflux_api::Engine`] in
//! the middle, IndexedDB for durability. The npm package `edgeflux` (built into `pkg/`)
//! wraps the exported [`EngineCore`] in a small JS class (`js/edgeflux.js`) that
//! initialises the module and serialises calls.
//!
//! Every request follows the API crate's seam: `handle` → store the log records in one
//! IndexedDB transaction and wait for `complete` → `apply` → respond. A failed store
//! answers 500 and changes nothing. Due task runs go the same way (`runDueTasks`, which
//! the JS wrapper calls once a second).

pub mod idb;

use std::cell::RefCell;
use std::rc::Rc;

use edgeflux_api::{Engine, Env, Options, Request, Response};
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::idb::{js_error, LogStore};

/// The clock and randomness of a JS host (browser, worker, node).
pub struct JsEnv;

impl Env for JsEnv {
    fn now_ns(&self) -> i64 {
        // Date.now() is whole milliseconds; as f64 it is exact far beyond year 2262.
        (js_sys::Date::now() as i64).saturating_mul(1_000_000)
    }

    fn fill_random(&mut self, buf: &mut [u8]) {
        // crypto.getRandomValues is checked once in `open`/`memory`; it does not fail later.
        if getrandom::fill(buf).is_err() {
            panic!("crypto.getRandomValues failed");
        }
    }
}

/// How often (at most) a request first runs the engine's background maintenance.
const MAINTAIN_EVERY_NS: i64 = 60 * 1_000_000_000;
/// Snapshot sooner than the native default: replaying IndexedDB records costs page load time.
const SNAPSHOT_AFTER_BYTES: u64 = 16 * 1024 * 1024;

struct Inner {
    engine: Engine,
    last_maintain_ns: i64,
    /// `None` for an in-memory engine.
    store: Option<LogStore>,
    closed: bool,
}

/// One edgeflux engine. JS callers use the `Engine` class of the npm package, which wraps
/// this one; calls must not overlap (the wrapper queues them).
#[wasm_bindgen]
pub struct EngineCore {
    inner: Rc<RefCell<Inner>>,
}

#[wasm_bindgen]
impl EngineCore {
    /// Opens the engine stored in the IndexedDB database `name`, restoring its snapshot
    /// and log; an unknown name starts empty. `snapshot_after_bytes` overrides how much
    /// log accumulates before a snapshot (16 MiB by default).
    pub async fn open(
        name: String,
        snapshot_after_bytes: Option<f64>,
    ) -> Result<EngineCore, JsValue> {
        check_random()?;
        let (store, recovered) = LogStore::open(&name).await?;
        let engine = Engine::restore(
            recovered.snapshot.as_deref(),
            recovered.log.iter().map(Vec::as_slice),
        )
        .map_err(|e| js_error(&format!("edgeflux: cannot restore {name:?}: {e}")))?;
        let threshold = snapshot_after_bytes
            .filter(|b| b.is_finite() && *b >= 0.0)
            .map_or(SNAPSHOT_AFTER_BYTES, |b| b as u64);
        Ok(EngineCore::from_parts(engine, Some(store), threshold))
    }

    /// An engine that keeps everything in memory (node, tests, throw-away pages).
    pub fn memory() -> Result<EngineCore, JsValue> {
        check_random()?;
        Ok(EngineCore::from_parts(
            Engine::new(),
            None,
            SNAPSHOT_AFTER_BYTES,
        ))
    }

    /// Deletes the IndexedDB database `name` and with it all of that engine's data.
    pub async fn destroy(name: String) -> Result<(), JsValue> {
        idb::destroy(&name).await
    }

    /// Answers one HTTP request. `headers` is an array of `[name, value]` pairs, `body`
    /// the raw request body. Resolves to `{ status, headers: [[name, value]...], body:
    /// Uint8Array }`.
    pub fn fetch(
        &self,
        method: String,
        url: String,
        headers: Array,
        body: Option<Vec<u8>>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let request = to_request(&method, &url, &headers, body.unwrap_or_default())?;
            let response = serve(&inner, &request).await?;
            from_response(&response)
        })
    }

    /// Runs the task runs due now (`Engine::run_due_tasks`) and stores their records like
    /// a request's. Resolves to the number of records written (0 when nothing was due).
    #[wasm_bindgen(js_name = runDueTasks)]
    pub fn run_due_tasks(&self) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let log = {
                let state = inner.borrow();
                let now = JsEnv.now_ns();
                if state.closed || state.engine.next_task_due().is_none_or(|t| t > now) {
                    return Ok(JsValue::from(0));
                }
                state.engine.run_due_tasks(&mut JsEnv)
            };
            persist_and_apply(&inner, &log)
                .await
                .map_err(|e| js_error(&e))?;
            Ok(JsValue::from(log.len() as u32))
        })
    }

    /// Closes the IndexedDB connection; later calls fail.
    pub fn close(&self) {
        let mut inner = self.inner.borrow_mut();
        if let Some(store) = &inner.store {
            store.close();
        }
        inner.closed = true;
    }

    /// True for an engine opened from IndexedDB, false for `memory()`.
    #[wasm_bindgen(getter)]
    pub fn persistent(&self) -> bool {
        self.inner.borrow().store.is_some()
    }

    /// The version of the edgeflux crates in this build.
    pub fn version() -> String {
        env!("CARGO_PKG_VERSION").to_string()
    }
}

impl EngineCore {
    fn from_parts(
        mut engine: Engine,
        store: Option<LogStore>,
        snapshot_after_bytes: u64,
    ) -> EngineCore {
        let now = JsEnv.now_ns();
        engine.set_options(Options {
            snapshot_after_bytes,
            // A tab has far more room than a Worker isolate; still, no query may take it all.
            query_memory_bytes: 256 << 20,
            ..engine.options().clone()
        });
        engine.set_started(now);
        EngineCore {
            inner: Rc::new(RefCell::new(Inner {
                engine,
                last_maintain_ns: now,
                store,
                closed: false,
            })),
        }
    }
}

fn check_random() -> Result<(), JsValue> {
    let mut probe = [0u8; 8];
    getrandom::fill(&mut probe)
        .map_err(|e| js_error(&format!("edgeflux needs crypto.getRandomValues: {e}")))
}

/// handle → persist → apply → respond, the seam of `edgeflux_api`.
async fn serve(inner: &Rc<RefCell<Inner>>, request: &Request) -> Result<Response, JsValue> {
    let handled = {
        let mut state = inner.borrow_mut();
        if state.closed {
            return Err(js_error("edgeflux: the engine is closed"));
        }
        let now = JsEnv.now_ns();
        if now - state.last_maintain_ns >= MAINTAIN_EVERY_NS {
            state.engine.maintain(now);
            state.last_maintain_ns = now;
        }
        state.engine.handle(request, &mut JsEnv)
    };
    if handled.log.is_empty() {
        return Ok(handled.response);
    }
    if let Err(e) = persist_and_apply(inner, &handled.log).await {
        return Ok(internal_error(&e));
    }
    Ok(handled.response)
}

/// Stores `log` in one IndexedDB transaction, waits for it, then applies it; snapshots
/// when the engine asks. An error means nothing was applied.
async fn persist_and_apply(inner: &Rc<RefCell<Inner>>, log: &[Vec<u8>]) -> Result<(), String> {
    if log.is_empty() {
        return Ok(());
    }
    // The store leaves the cell while its transaction runs, so no borrow spans an await.
    let mut store = inner.borrow_mut().store.take();
    if let Some(s) = store.as_mut() {
        if let Err(e) = s.append(log).await {
            inner.borrow_mut().store = store;
            return Err(format!("persisting the write failed: {}", describe(&e)));
        }
    }
    let mut snapshot = None;
    {
        let mut state = inner.borrow_mut();
        for record in log {
            if let Err(e) = state.engine.apply(record) {
                state.store = store;
                return Err(format!("applying the write failed: {e}"));
            }
        }
        if store.is_some() && state.engine.wants_snapshot() {
            snapshot = Some(state.engine.snapshot());
        }
    }
    if let (Some(s), Some(bytes)) = (store.as_mut(), snapshot) {
        // The write is already durable in the log; a failed snapshot only costs replay time.
        let _ = s.put_snapshot(&bytes).await;
    }
    inner.borrow_mut().store = store;
    Ok(())
}

fn internal_error(message: &str) -> Response {
    let body = format!(
        "{{\"code\":\"internal error\",\"message\":{}}}",
        json_string(message)
    );
    Response {
        status: 500,
        headers: vec![(
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        )],
        body: body.into_bytes(),
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn describe(error: &JsValue) -> String {
    if let Some(e) = error.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    if let Some(e) = error.dyn_ref::<web_sys::DomException>() {
        return e.message();
    }
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}

/// Splits `url` (absolute, or a path with an optional query) into path and query.
pub fn split_url(url: &str) -> (String, String) {
    let rest = match url.find("://") {
        Some(i) => {
            let after = &url[i + 3..];
            match after.find(['/', '?']) {
                Some(j) => &after[j..],
                None => "",
            }
        }
        None => url,
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, q),
        None => (rest, ""),
    };
    let path = if path.is_empty() { "/" } else { path };
    (path.to_string(), query.to_string())
}

fn to_request(method: &str, url: &str, headers: &Array, body: Vec<u8>) -> Result<Request, JsValue> {
    let (path, query) = split_url(url);
    let mut pairs = Vec::with_capacity(headers.length() as usize);
    for pair in headers.iter() {
        let pair: Array = pair
            .dyn_into()
            .map_err(|_| js_error("headers must be [name, value] pairs"))?;
        let name = pair.get(0).as_string();
        let value = pair.get(1).as_string();
        match (name, value) {
            (Some(n), Some(v)) => pairs.push((n, v)),
            _ => return Err(js_error("header names and values must be strings")),
        }
    }
    Ok(Request {
        method: method.to_ascii_uppercase(),
        path,
        query,
        headers: pairs,
        body,
    })
}

fn from_response(response: &Response) -> Result<JsValue, JsValue> {
    let out = Object::new();
    Reflect::set(&out, &"status".into(), &response.status.into())?;
    let headers = Array::new();
    for (name, value) in &response.headers {
        headers.push(&Array::of2(&name.into(), &value.into()));
    }
    Reflect::set(&out, &"headers".into(), &headers)?;
    Reflect::set(
        &out,
        &"body".into(),
        &Uint8Array::from(response.body.as_slice()),
    )?;
    Ok(out.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_url_accepts_paths_and_absolute_urls() {
        assert_eq!(
            split_url("/api/v2/write?org=o&bucket=b"),
            ("/api/v2/write".into(), "org=o&bucket=b".into())
        );
        assert_eq!(
            split_url("http://localhost:8086/api/v2/query?org=o#x"),
            ("/api/v2/query".into(), "org=o".into())
        );
        assert_eq!(split_url("https://h"), ("/".into(), "".into()));
        assert_eq!(split_url("https://h?x=1"), ("/".into(), "x=1".into()));
        assert_eq!(split_url("/health"), ("/health".into(), "".into()));
    }

    #[test]
    fn internal_error_body_is_json() {
        let r = internal_error("a \"quoted\"\nline");
        assert_eq!(r.status, 500);
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            r#"{"code":"internal error","message":"a \"quoted\"\u000aline"}"#
        );
    }
}
