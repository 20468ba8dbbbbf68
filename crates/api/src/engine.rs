//! The engine state behind the API and its request dispatch.
//! Placeholder: the real routes land with issue 5.

use crate::{ApiError, Env, Handled, Request, Response};

/// All state of one edgeflux instance: catalog (orgs, users, tokens, buckets) and data.
#[derive(Debug, Default)]
pub struct Engine {}

impl Engine {
    /// An empty engine (no org, not yet onboarded).
    pub fn new() -> Engine {
        Engine::default()
    }

    /// Rebuilds the engine from the newest snapshot and the log records written after it.
    pub fn restore<'a>(
        snapshot: Option<&[u8]>,
        log: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Engine, ApiError> {
        let _ = snapshot;
        let mut engine = Engine::new();
        for record in log {
            engine.apply(record)?;
        }
        Ok(engine)
    }

    /// Answers one request. Mutations are returned as log records, not applied.
    pub fn handle(&self, request: &Request, env: &mut dyn Env) -> Handled {
        let _ = env;
        let response = match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/health") => json(
                200,
                r#"{"name":"influxdb","message":"ready for queries and writes","status":"pass","checks":[],"version":"v2.7.12","commit":"edgeflux"}"#,
            ),
            _ => json(404, r#"{"code":"not found","message":"path not found"}"#),
        };
        Handled {
            response,
            log: Vec::new(),
        }
    }

    /// Applies one durable log record: the only way state changes, live and at recovery.
    pub fn apply(&mut self, record: &[u8]) -> Result<(), ApiError> {
        let _ = record;
        Ok(())
    }

    /// True when enough log has accumulated that the edge should store a snapshot.
    pub fn wants_snapshot(&self) -> bool {
        false
    }

    /// The whole state as bytes (a checksummed, versioned snapshot).
    pub fn snapshot(&self) -> Vec<u8> {
        Vec::new()
    }
}

fn json(status: u16, body: &str) -> Response {
    Response {
        status,
        headers: vec![(
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        )],
        body: body.as_bytes().to_vec(),
    }
}
