//! The v2 REST API as a pure function: an HTTP request (plus an injected clock and
//! randomness) goes in; a response and the log records the edge must make durable
//! come out. Only this crate knows routes, status codes and InfluxDB's error bodies.
//!
//! # The seam every home drives (native server, Worker, browser)
//!
//! ```text
//! let handled = engine.handle(&request, &mut env);
//! for record in &handled.log { edge_storage.append_durably(record)?; }   // fsync / DO put / IDB tx
//! for record in &handled.log { engine.apply(record)?; }                  // the only way state changes
//! send(handled.response);
//! ```
//! If persisting fails the edge answers 500 and does not apply: a failed write changes
//! nothing. Recovery is `Engine::restore(snapshot, log records after it)`, which calls the
//! same `apply`. The edge takes a snapshot when `wants_snapshot()` says so, stores it,
//! and then may drop the log records it covers.
//!
//! Extras for edges: `Engine::with_options(Options { .. })` (body limit, argon2 cost,
//! snapshot threshold), `Engine::set_started(now)` for `/ready`, `Engine::maintain(now)`
//! periodically (retention, sealing, compaction; not logged),
//! `Engine::run_due_tasks(env)` when `Engine::next_task_due()` has passed (task runs;
//! their records are persisted and applied like a request's), and
//! `Engine::is_concurrent_write(&request)`: line-protocol writes may be handled under a
//! shared lock and applied later in log order; all other mutations need one exclusive
//! lock around handle → persist → apply. First-start onboarding is a `POST /api/v2/setup`
//! request sent through `handle` like any other.
//!
//! Log records and snapshots are framed `EFLX` + version + kind + length + CRC-32C;
//! write and delete payloads are the store's codec encodings.
//!
//! The public names in this file are the seam: extend them, do not rename them.

mod authn;
mod catalog;
mod data;
mod engine;
mod flux_extern;
mod flux_source;
mod flux_writes;
mod http;
mod record;
mod routes;
mod shapes;
mod tasks;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_tasks;

pub use engine::{Engine, Options};
/// The store → Flux `Source` adapter, also used by `edgeflux query --data`.
pub use flux_source::{SourceBucket, StoreSource};
pub use http::{INFLUX_BUILD, INFLUX_VERSION};

/// Re-exported so edges can set `Options::password_cost` without depending on `auth`.
pub use edgeflux_auth::PasswordCost;

/// A clock and a source of randomness, implemented by each edge.
pub trait Env {
    /// Wall-clock time, nanoseconds since the Unix epoch.
    fn now_ns(&self) -> i64;
    /// Fills `buf` from a CSPRNG (tokens, IDs).
    fn fill_random(&mut self, buf: &mut [u8]);
    /// Asked while a Flux query runs (between tables and every so many function calls):
    /// `Some(reason)` stops it, answered 408 with the reason. Edges with a deadline (the
    /// native server's `--query-timeout`) say when it has passed; the default never stops.
    fn query_interrupted(&self) -> Option<String> {
        None
    }
}

/// An HTTP request as the edge received it (body already fully read, still encoded).
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Upper-case method: `GET`, `POST`, ...
    pub method: String,
    /// The path without the query string, e.g. `/api/v2/write`.
    pub path: String,
    /// The raw query string without the leading `?` (may be empty).
    pub query: String,
    /// Header names in any case; lookups are case-insensitive.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What `Engine::handle` produced.
#[derive(Debug, Default)]
pub struct Handled {
    pub response: Response,
    /// Log records to persist durably (in order) and then `apply`, before the response is sent.
    pub log: Vec<Vec<u8>>,
}

/// Errors of engine recovery and record application (request errors are responses, not these).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("corrupt log record: {0}")]
    CorruptRecord(String),
    #[error("corrupt snapshot: {0}")]
    CorruptSnapshot(String),
}
