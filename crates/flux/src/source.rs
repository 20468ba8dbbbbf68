//! How Flux reads stored data. `flux` does not know the store: the API crate implements
//! [`Source`] over it (crates/api/src/flux_source.rs), tests implement it over plain tables.

use crate::error::{FluxError, Result};
use crate::table::Table;
use crate::time::Duration;
use crate::value::Regex;
use edgeflux_types::FieldValue;
use std::sync::Arc;

/// A predicate over a series' identity: `_measurement`, `_field` and tag keys.
/// A tag that a series does not have compares as the empty string, like InfluxDB.
#[derive(Debug, Clone)]
pub enum Predicate {
    Eq(String, String),
    NotEq(String, String),
    Match(String, Arc<Regex>),
    NotMatch(String, Arc<Regex>),
    And(Box<Predicate>, Box<Predicate>),
    Or(Box<Predicate>, Box<Predicate>),
}

impl Predicate {
    /// Evaluates the predicate for one series; `lookup("_measurement")`, `lookup("_field")`
    /// and `lookup(tag)` give the series' values (None when absent).
    pub fn matches<'a>(&self, lookup: &dyn Fn(&str) -> Option<&'a str>) -> bool {
        match self {
            Predicate::Eq(k, v) => lookup(k).unwrap_or("") == v,
            Predicate::NotEq(k, v) => lookup(k).unwrap_or("") != v,
            Predicate::Match(k, r) => r.is_match(lookup(k).unwrap_or("")),
            Predicate::NotMatch(k, r) => !r.is_match(lookup(k).unwrap_or("")),
            Predicate::And(a, b) => a.matches(lookup) && b.matches(lookup),
            Predicate::Or(a, b) => a.matches(lookup) || b.matches(lookup),
        }
    }
    /// The measurements this predicate can only match, if it pins them with `==`.
    pub fn measurement_eq(&self) -> Option<Vec<&str>> {
        match self {
            Predicate::Eq(k, v) if k == "_measurement" => Some(vec![v.as_str()]),
            Predicate::And(a, b) => a.measurement_eq().or_else(|| b.measurement_eq()),
            Predicate::Or(a, b) => {
                let mut x = a.measurement_eq()?;
                x.extend(b.measurement_eq()?);
                Some(x)
            }
            _ => None,
        }
    }
}

/// What `from |> range |> filter` asks of the store.
#[derive(Debug, Clone)]
pub struct ScanSpec {
    pub bucket: String,
    /// Inclusive start, nanoseconds.
    pub start: i64,
    /// Exclusive stop, nanoseconds.
    pub stop: i64,
    /// None = every series.
    pub predicate: Option<Predicate>,
}

/// Aggregates a Source may compute per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowFn {
    Count,
    Sum,
    Min,
    Max,
    Mean,
    First,
    Last,
}

/// A window aggregate pushed down to the Source (`aggregateWindow`, or `first()`/`last()`
/// with `every` = the whole range).
#[derive(Debug, Clone)]
pub struct WindowSpec {
    pub every: Duration,
    pub offset: Duration,
    pub func: WindowFn,
    pub create_empty: bool,
}

/// Information about one bucket, as `buckets()` reports it.
#[derive(Debug, Clone, Default)]
pub struct BucketInfo {
    pub name: String,
    pub id: String,
    pub org_id: String,
    /// Retention period in nanoseconds; 0 = infinite.
    pub retention_ns: i64,
}

/// Where `to()` writes, as the call named it (`bucket` or `bucketID`, `org` or `orgID`;
/// no org means the org the query runs in).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteTarget {
    pub bucket: Option<String>,
    pub bucket_id: Option<String>,
    pub org: Option<String>,
    pub org_id: Option<String>,
}

/// One point written by `to()`: tags sorted by key, fields in the order they were produced.
#[derive(Debug, Clone, PartialEq)]
pub struct WritePoint {
    pub measurement: String,
    pub tags: Vec<(String, String)>,
    pub fields: Vec<(String, FieldValue)>,
    /// Nanoseconds since the epoch.
    pub time: i64,
}

/// The data Flux can read (and, through [`Source::write`], the one place it writes).
pub trait Source {
    /// One table per series (built with [`Table::series`]), in series-key order, with rows
    /// in `[start, stop)` sorted by time. An unknown bucket is
    /// `FluxError::NotFound(format!("could not find bucket {name:?}"))`.
    fn scan(&self, spec: &ScanSpec) -> Result<Vec<Table>>;

    /// Optional pushdown of a window aggregate: `Ok(None)` means "not supported, Flux will
    /// compute it from `scan`". When `Some`, the tables must be exactly what
    /// `aggregateWindow(every, offset, fn, createEmpty)` would produce from the scan.
    fn scan_window(&self, _spec: &ScanSpec, _window: &WindowSpec) -> Result<Option<Vec<Table>>> {
        Ok(None)
    }

    /// Optional pushdown of `first()`/`last()` right after `from |> range |> filter`:
    /// one single-row table per series (same layout as `scan`), or `Ok(None)`.
    fn scan_selector(&self, _spec: &ScanSpec, _func: WindowFn) -> Result<Option<Vec<Table>>> {
        Ok(None)
    }

    /// The buckets of the organization the query runs in.
    fn buckets(&self) -> Result<Vec<BucketInfo>> {
        Ok(Vec::new())
    }

    /// Takes the points of one `to()` call. The source checks the target and the caller's
    /// permission and keeps the points for its owner to make durable after the query; a
    /// source that cannot write says so.
    fn write(&self, _target: &WriteTarget, _points: Vec<WritePoint>) -> Result<()> {
        Err(FluxError::Unimplemented(
            "to() cannot write here: this data source is read-only".into(),
        ))
    }
}

/// A Source with no data: every bucket is unknown. For programs that only use `csv.from`,
/// `array.from` and the like. `to()` writes go nowhere, so test files can check what
/// `to()` passes on and which inputs it refuses.
pub struct NoSource;

impl Source for NoSource {
    fn scan(&self, spec: &ScanSpec) -> Result<Vec<Table>> {
        Err(FluxError::NotFound(format!(
            "could not find bucket {:?}",
            spec.bucket
        )))
    }

    fn write(&self, _target: &WriteTarget, _points: Vec<WritePoint>) -> Result<()> {
        Ok(())
    }
}

/// A Source over tables held in memory, by bucket name (tests, `csv.from`-fed benchmarks).
#[derive(Default)]
pub struct MemorySource {
    pub buckets: Vec<(String, Vec<Table>)>,
}

impl Source for MemorySource {
    fn scan(&self, spec: &ScanSpec) -> Result<Vec<Table>> {
        let Some((_, tables)) = self.buckets.iter().find(|(n, _)| *n == spec.bucket) else {
            return Err(FluxError::NotFound(format!(
                "could not find bucket {:?}",
                spec.bucket
            )));
        };
        let mut out = Vec::new();
        for t in tables {
            let lookup = |k: &str| t.key.get(k).and_then(|v| v.as_str());
            if let Some(p) = &spec.predicate {
                if !p.matches(&lookup) {
                    continue;
                }
            }
            let Some(ti) = t.column_index("_time") else {
                continue;
            };
            let crate::table::ColumnData::Time(times) = &t.columns[ti].data else {
                continue;
            };
            let mask: Vec<bool> = times
                .iter()
                .map(|x| x.is_some_and(|x| x >= spec.start && x < spec.stop))
                .collect();
            let mut nt = t.filter_rows(&mask);
            let n = nt.len();
            for c in nt.columns.iter_mut() {
                if c.label == "_start" {
                    c.data = crate::table::ColumnData::Time(vec![Some(spec.start); n]);
                } else if c.label == "_stop" {
                    c.data = crate::table::ColumnData::Time(vec![Some(spec.stop); n]);
                }
            }
            for (l, v) in nt.key.cols.iter_mut() {
                if l == "_start" {
                    *v = crate::value::Value::Time(spec.start);
                } else if l == "_stop" {
                    *v = crate::value::Value::Time(spec.stop);
                }
            }
            if n > 0 {
                out.push(nt);
            }
        }
        Ok(out)
    }
    fn buckets(&self) -> Result<Vec<BucketInfo>> {
        Ok(self
            .buckets
            .iter()
            .map(|(n, _)| BucketInfo {
                name: n.clone(),
                ..Default::default()
            })
            .collect())
    }
}
