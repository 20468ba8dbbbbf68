//! The engine state behind the API and its request dispatch. `handle` never mutates:
//! it answers and describes the changes as log records; `apply` makes them happen.

use std::collections::HashSet;

use edgeflux_auth::{PasswordCost, Principal};
use edgeflux_types::Id;

use crate::authn;
use crate::catalog::{Catalog, Change};
use crate::data::Data;
use crate::http::{HttpError, HttpResult, Params, INFLUX_BUILD, INFLUX_VERSION};
use crate::record::{self, corrupt_record, Kind};
use crate::routes;
use crate::{ApiError, Env, Handled, Request, Response};

/// Tunables an edge may set; the defaults suit `edgeflux serve`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Largest request body, after gzip decoding (413 beyond).
    pub max_body_bytes: usize,
    /// Argon2id cost for new passwords.
    pub password_cost: PasswordCost,
    /// Log bytes applied since the last snapshot after which `wants_snapshot` says yes.
    pub snapshot_after_bytes: u64,
    /// Session lifetime (nanoseconds).
    pub session_ns: i64,
    /// Most bytes of tables one Flux query may hold (`--query-memory-bytes`); 0 = unlimited.
    /// Over it the query fails with `memory allocation limit reached` (400).
    pub query_memory_bytes: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            max_body_bytes: 64 * 1024 * 1024,
            password_cost: PasswordCost::DEFAULT,
            snapshot_after_bytes: 64 * 1024 * 1024,
            session_ns: 60 * 60 * 1_000_000_000,
            query_memory_bytes: 0,
        }
    }
}

/// All state of one edgeflux instance: catalog (orgs, users, tokens, buckets) and data.
#[derive(Default)]
pub struct Engine {
    pub(crate) catalog: Catalog,
    pub(crate) data: Data,
    pub(crate) options: Options,
    /// When this engine started (for `/ready`), nanoseconds; 0 until the edge sets it.
    pub(crate) started_ns: i64,
    log_bytes_since_snapshot: std::sync::atomic::AtomicU64,
    requests: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("orgs", &self.catalog.orgs.len())
            .field("buckets", &self.catalog.buckets.len())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An empty engine (no org, not yet onboarded).
    pub fn new() -> Engine {
        Engine::default()
    }

    /// An empty engine with these options.
    pub fn with_options(options: Options) -> Engine {
        Engine {
            options,
            ..Engine::default()
        }
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Replaces the options (e.g. after `restore`).
    pub fn set_options(&mut self, options: Options) {
        self.options = options;
    }

    /// Records when the serving process started (reported by `/ready`).
    pub fn set_started(&mut self, now_ns: i64) {
        self.started_ns = now_ns;
    }

    /// True once `POST /api/v2/setup` (or the edge's first-start onboarding) has run.
    pub fn is_onboarded(&self) -> bool {
        self.catalog.onboarded
    }

    /// Rebuilds the engine from the newest snapshot and the log records written after it.
    pub fn restore<'a>(
        snapshot: Option<&[u8]>,
        log: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Engine, ApiError> {
        let mut engine = match snapshot {
            Some(bytes) if !bytes.is_empty() => Engine::from_snapshot(bytes)?,
            _ => Engine::new(),
        };
        for record in log {
            engine.apply(record)?;
        }
        Ok(engine)
    }

    /// True for requests whose log records stay valid when other records are applied
    /// between `handle` and `apply` (line-protocol writes: a point whose field type became
    /// conflicting meanwhile is skipped at apply, deterministically, and a write to a bucket
    /// deleted meanwhile does nothing). Edges may handle these under a shared lock and
    /// apply them later in log order; every other mutating request must be handled and
    /// applied under one exclusive lock.
    pub fn is_concurrent_write(request: &Request) -> bool {
        request.method.eq_ignore_ascii_case("POST")
            && matches!(request.path.as_str(), "/api/v2/write" | "/write")
    }

    /// Answers one request. Mutations are returned as log records, not applied.
    pub fn handle(&self, request: &Request, env: &mut dyn Env) -> Handled {
        self.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut ctx = Ctx::new(self, request, env);
        let (mut response, log) = match routes::dispatch(&mut ctx) {
            Ok(reply) => (reply.response, reply.log),
            Err(e) => (e.into_response(), Vec::new()),
        };
        response
            .headers
            .push(("X-Influxdb-Build".into(), INFLUX_BUILD.into()));
        response
            .headers
            .push(("X-Influxdb-Version".into(), INFLUX_VERSION.into()));
        if request.method == "HEAD" {
            response.body.clear();
        }
        Handled { response, log }
    }

    /// Applies one durable log record: the only way state changes, live and at recovery.
    pub fn apply(&mut self, record: &[u8]) -> Result<(), ApiError> {
        let (kind, payload) = record::unframe(record).map_err(corrupt_record)?;
        match kind {
            Kind::Catalog => {
                let changes: Vec<Change> =
                    serde_json::from_slice(payload).map_err(corrupt_record)?;
                for change in changes {
                    match &change {
                        Change::DeleteBucket(crate::catalog::Key(id)) => self.data.drop_bucket(*id),
                        Change::PutBucket(b) => self.data.set_bucket(b),
                        _ => {}
                    }
                    self.catalog.apply(change);
                }
            }
            Kind::Write => {
                let catalog = &self.catalog;
                self.data
                    .apply_write(payload, |id| catalog.bucket(id).is_some())
                    .map_err(corrupt_record)?
            }
            Kind::Delete => self.data.apply_delete(payload).map_err(corrupt_record)?,
            Kind::Snapshot => return Err(corrupt_record("a snapshot is not a log record")),
        }
        self.log_bytes_since_snapshot
            .fetch_add(record.len() as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// Background maintenance as of `now_ns`: drops data past bucket retention, seals
    /// open heads into compressed blocks and merges small or overlapping blocks. Not
    /// logged: it changes how data is kept, not what a query returns (except expiry,
    /// which recovery reproduces at the next call). Edges call it periodically.
    pub fn maintain(&mut self, now_ns: i64) {
        self.data.compact(now_ns);
    }

    /// Changes when applying a write fixed a field type for the first time. An edge that
    /// handles writes concurrently (`is_concurrent_write`) and applies them one by one must
    /// call `handle` again, with applies held off, when this moved between its `handle` and
    /// its log append: the write was type-checked against an older schema.
    pub fn write_generation(&self) -> u64 {
        self.data.store.schema_generation()
    }

    /// True when enough log has accumulated that the edge should store a snapshot.
    pub fn wants_snapshot(&self) -> bool {
        self.log_bytes_since_snapshot
            .load(std::sync::atomic::Ordering::Relaxed)
            >= self.options.snapshot_after_bytes
    }

    /// The whole state as bytes (a checksummed, versioned snapshot). Taking one resets
    /// the `wants_snapshot` counter.
    pub fn snapshot(&self) -> Vec<u8> {
        self.log_bytes_since_snapshot
            .store(0, std::sync::atomic::Ordering::Relaxed);
        let catalog = serde_json::to_vec(&self.catalog).unwrap_or_default();
        let mut payload = Vec::new();
        record::put_bytes(&mut payload, &catalog);
        record::put_bytes(&mut payload, &self.data.snapshot());
        record::frame(Kind::Snapshot, &payload)
    }

    /// The names of all organizations (for tools choosing one to run `query_org` in).
    pub fn org_names(&self) -> Vec<String> {
        self.catalog.orgs.values().map(|o| o.name.clone()).collect()
    }

    /// Runs a Flux program with read access to every bucket of `org` (an ID or a name),
    /// without a token: for tools that own the engine's data directory, such as
    /// `edgeflux query --engine-path`. Clients go through `handle` and its authorization.
    pub fn query_org(
        &self,
        org: &str,
        flux: &str,
        options: &edgeflux_flux::QueryOptions,
    ) -> Result<Vec<edgeflux_flux::FluxResult>, edgeflux_flux::FluxError> {
        let Some(o) = self.catalog.org_by_id_or_name(org) else {
            return Err(edgeflux_flux::FluxError::NotFound(format!(
                "organization name {org:?} not found"
            )));
        };
        let buckets = self
            .catalog
            .buckets
            .values()
            .filter(|b| b.org_id == o.id)
            .map(crate::flux_source::SourceBucket::of)
            .collect();
        let options = edgeflux_flux::QueryOptions {
            org: Some(o.name.clone()),
            ..options.clone()
        };
        // Read only: without a write seam, to() reports that it cannot write.
        let source = crate::flux_source::StoreSource::new(&self.data.store, buckets);
        edgeflux_flux::execute(flux, &options, &source)
    }

    fn from_snapshot(bytes: &[u8]) -> Result<Engine, ApiError> {
        let bad = |e: String| ApiError::CorruptSnapshot(e);
        let (kind, payload) = record::unframe(bytes).map_err(bad)?;
        if kind != Kind::Snapshot {
            return Err(bad("not a snapshot".into()));
        }
        let mut cur = record::Cursor { buf: payload };
        let catalog_bytes = cur.bytes().map_err(bad)?;
        let data_bytes = cur.bytes().map_err(bad)?;
        let mut catalog: Catalog =
            serde_json::from_slice(catalog_bytes).map_err(|e| bad(e.to_string()))?;
        catalog.reindex();
        let data = Data::restore(data_bytes).map_err(bad)?;
        Ok(Engine {
            catalog,
            data,
            ..Engine::default()
        })
    }

    /// Prometheus-style counters for `/metrics`.
    pub(crate) fn request_count(&self) -> u64 {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Everything a route needs: the engine (read-only), the request, the clock and randomness.
pub(crate) struct Ctx<'a> {
    pub engine: &'a Engine,
    pub req: &'a Request,
    pub env: &'a mut dyn Env,
    pub params: Params,
    pub now: i64,
    used_ids: HashSet<u64>,
}

impl<'a> Ctx<'a> {
    pub fn new(engine: &'a Engine, req: &'a Request, env: &'a mut dyn Env) -> Ctx<'a> {
        Ctx {
            engine,
            req,
            params: Params::parse(&req.query),
            now: env.now_ns(),
            env,
            used_ids: HashSet::new(),
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.engine.catalog
    }

    /// The caller on v2 paths (401 without valid credentials).
    pub fn principal(&self) -> HttpResult<Principal> {
        authn::authenticate(
            &self.engine.catalog,
            self.req,
            &self.params,
            self.now,
            false,
        )
    }

    /// The caller on v1 paths (also `u`/`p` and `Token user:pass`).
    pub fn principal_v1(&self) -> HttpResult<Principal> {
        authn::authenticate(&self.engine.catalog, self.req, &self.params, self.now, true)
    }

    /// A fresh, unused, non-zero ID.
    pub fn new_id(&mut self) -> Id {
        loop {
            let mut b = [0u8; 8];
            self.env.fill_random(&mut b);
            let id = Id(u64::from_be_bytes(b));
            if id.0 != 0 && !self.engine.catalog.id_in_use(id) && self.used_ids.insert(id.0) {
                return id;
            }
        }
    }

    pub fn random<const N: usize>(&mut self) -> [u8; N] {
        let mut b = [0u8; N];
        self.env.fill_random(&mut b);
        b
    }

    /// The decoded body; borrows the request, not the context.
    pub fn body(&self) -> HttpResult<std::borrow::Cow<'a, [u8]>> {
        crate::http::decoded_body(self.req, self.engine.options.max_body_bytes)
    }
}

/// A route's answer plus the log records it wants durable.
pub(crate) struct Reply {
    pub response: Response,
    pub log: Vec<Vec<u8>>,
}

impl Reply {
    pub fn new(response: Response) -> Reply {
        Reply {
            response,
            log: Vec::new(),
        }
    }

    /// A response plus one catalog record holding `changes`.
    pub fn with_changes(response: Response, changes: &[Change]) -> HttpResult<Reply> {
        let payload =
            serde_json::to_vec(changes).map_err(|e| HttpError::internal(e.to_string()))?;
        Ok(Reply {
            response,
            log: vec![record::frame(Kind::Catalog, &payload)],
        })
    }
}

impl From<Response> for Reply {
    fn from(r: Response) -> Reply {
        Reply::new(r)
    }
}
