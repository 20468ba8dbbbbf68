//! Writes made by Flux `to()`. The query runs over a store source that hands `to()`'s
//! points here; this checks the target bucket and the caller's write permission (with
//! InfluxDB's texts) and keeps the points. After the query they become ordinary write log
//! records, so the edge makes them durable before answering, exactly like `/api/v2/write`,
//! and they reach the store only through `Engine::apply`.

use std::borrow::Cow;
use std::cell::RefCell;

use edgeflux_auth::{Action, Principal, ResourceType};
use edgeflux_flux::{FluxError, FluxResult, QueryLimits, QueryOptions, WritePoint, WriteTarget};
use edgeflux_lineproto::{FieldValue as LineValue, Line};
use edgeflux_types::{FieldValue, Id};

use crate::catalog::{Bucket, Catalog};
use crate::data::Data;
use crate::http::{HttpError, HttpResult};
use crate::record::{frame, Kind};
use crate::Engine;

/// The points `to()` calls of one query wrote, by target bucket.
pub struct QueryWrites<'a> {
    catalog: &'a Catalog,
    principal: &'a Principal,
    /// The org the query runs in (`to()` without `org`/`orgID` writes there).
    org: Id,
    pending: RefCell<Vec<(Bucket, Vec<WritePoint>)>>,
}

impl<'a> QueryWrites<'a> {
    pub fn new(catalog: &'a Catalog, principal: &'a Principal, org: Id) -> QueryWrites<'a> {
        QueryWrites {
            catalog,
            principal,
            org,
            pending: RefCell::new(Vec::new()),
        }
    }

    /// Takes one `to()` call's points after checking its target.
    pub fn accept(&self, target: &WriteTarget, points: Vec<WritePoint>) -> Result<(), FluxError> {
        let bucket = self.resolve(target)?;
        if !self.principal.may(
            Action::Write,
            ResourceType::Buckets,
            Some(bucket.org_id),
            Some(bucket.id),
        ) {
            return Err(FluxError::PermissionDenied(format!(
                "insufficient permissions for write to bucket {:?}",
                bucket.name
            )));
        }
        let mut pending = self.pending.borrow_mut();
        match pending.iter_mut().find(|(b, _)| b.id == bucket.id) {
            Some((_, existing)) => existing.extend(points),
            None => pending.push((bucket.clone(), points)),
        }
        Ok(())
    }

    fn resolve(&self, target: &WriteTarget) -> Result<&'a Bucket, FluxError> {
        let c = self.catalog;
        let org = match (&target.org, &target.org_id) {
            (Some(name), _) => {
                c.org_by_name(name)
                    .ok_or_else(|| {
                        FluxError::NotFound(format!("failed to look up organization {name:?}"))
                    })?
                    .id
            }
            (None, Some(id)) => id
                .parse::<Id>()
                .map_err(|e| FluxError::Invalid(format!("invalid org id: {e}")))?,
            (None, None) => self.org,
        };
        if let Some(name) = &target.bucket {
            return c.bucket_by_name(org, name).ok_or_else(|| {
                FluxError::NotFound(format!(
                    "failed to look up bucket {name:?} in org {:?}",
                    target.org.as_deref().unwrap_or("")
                ))
            });
        }
        let text = target.bucket_id.as_deref().unwrap_or("");
        let id = text
            .parse::<Id>()
            .map_err(|e| FluxError::Invalid(format!("invalid bucket id: {e}")))?;
        c.bucket(id)
            .filter(|b| b.org_id == org)
            .ok_or_else(|| FluxError::NotFound(format!("bucket {text:?} not found")))
    }

    /// The write log records for everything accepted: one per bucket, prepared like a
    /// line-protocol write (schema and retention checks). A point the store would drop
    /// fails the whole query, so a failed query writes nothing.
    pub fn into_log(self, data: &Data, now: i64) -> HttpResult<Vec<Vec<u8>>> {
        let mut log = Vec::new();
        for (bucket, points) in self.pending.into_inner() {
            let lines: Vec<Line<'_>> = points.iter().map(line).collect();
            let prepared = data.prepare_write(&bucket, &lines, now).map_err(|e| {
                HttpError::internal(format!("unexpected error writing points to database: {e}"))
            })?;
            if let Some(partial) = prepared.partial {
                return Err(HttpError::invalid(format!(
                    "failed to write points to bucket {:?}: {partial}",
                    bucket.name
                )));
            }
            if let Some(payload) = prepared.payload {
                log.push(frame(Kind::Write, &payload));
            }
        }
        Ok(log)
    }
}

fn line(p: &WritePoint) -> Line<'_> {
    Line {
        measurement: Cow::Borrowed(&p.measurement),
        tags: p
            .tags
            .iter()
            .map(|(k, v)| (Cow::Borrowed(k.as_str()), Cow::Borrowed(v.as_str())))
            .collect(),
        fields: p
            .fields
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    FieldValue::Float(x) => LineValue::Float(*x),
                    FieldValue::Integer(x) => LineValue::Integer(*x),
                    FieldValue::UInteger(x) => LineValue::UInteger(*x),
                    FieldValue::String(s) => LineValue::String(Cow::Borrowed(s)),
                    FieldValue::Boolean(b) => LineValue::Boolean(*b),
                };
                (Cow::Borrowed(k.as_str()), v)
            })
            .collect(),
        timestamp: p.time,
    }
}

/// Runs a Flux program as `principal` in `org`: it reads the buckets the principal may
/// read, and its `to()` writes come back as log records for the edge to persist.
pub fn execute(
    engine: &Engine,
    principal: &Principal,
    org: Id,
    flux: &str,
    options: &QueryOptions,
    limits: QueryLimits<'_>,
    now: i64,
) -> HttpResult<(Vec<FluxResult>, Vec<Vec<u8>>)> {
    let c = &engine.catalog;
    // Buckets the caller cannot read are invisible to the query ("could not find bucket").
    let readable: Vec<crate::flux_source::SourceBucket> = c
        .buckets
        .values()
        .filter(|b| b.org_id == org)
        .filter(|b| principal.may(Action::Read, ResourceType::Buckets, Some(org), Some(b.id)))
        .map(crate::flux_source::SourceBucket::of)
        .collect();
    let writes = QueryWrites::new(c, principal, org);
    let source =
        crate::flux_source::StoreSource::new(&engine.data.store, readable).with_writes(&writes);
    let results = edgeflux_flux::execute_with_limits(flux, options, &source, limits)
        .map_err(crate::routes::query::flux_error)?;
    drop(source);
    let log = writes.into_log(&engine.data, now)?;
    Ok((results, log))
}
