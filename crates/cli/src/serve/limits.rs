//! Query limits of `edgeflux serve`: the deadline of `--query-timeout`, measured here
//! (the core has no clock) and handed to the engine as its interrupt, so a query that runs
//! out of time stops where it is, frees its thread and its query slot, and releases the
//! engine lock that writes wait for.

use std::time::{Duration, Instant};

use edgeflux_api::{Env, Response};

use super::SystemEnv;

/// The system clock and randomness, plus the deadline of the query being handled.
pub struct QueryEnv {
    deadline: Instant,
    timeout: Duration,
}

impl QueryEnv {
    /// A query starting now that may run for `timeout`.
    pub fn starting_now(timeout: Duration) -> QueryEnv {
        QueryEnv {
            deadline: Instant::now() + timeout,
            timeout,
        }
    }
}

impl Env for QueryEnv {
    fn now_ns(&self) -> i64 {
        SystemEnv.now_ns()
    }

    fn fill_random(&mut self, buf: &mut [u8]) {
        SystemEnv.fill_random(buf)
    }

    fn query_interrupted(&self) -> Option<String> {
        (Instant::now() >= self.deadline).then(|| timeout_message(self.timeout))
    }
}

/// What a query that ran out of time is told, by the engine or by the server's backstop.
pub fn timeout_message(timeout: Duration) -> String {
    format!(
        "query canceled: context deadline exceeded (--query-timeout {}s)",
        timeout.as_secs()
    )
}

/// The backstop's answer when the engine did not stop in time (a long store scan is not
/// interruptible): the same 408 the engine gives.
pub fn timeout_response(timeout: Duration) -> Response {
    super::error_response(408, "invalid", &timeout_message(timeout))
}

/// How long after the deadline the server answers by itself if the engine has not.
pub const BACKSTOP_GRACE: Duration = Duration::from_secs(1);
