//! The store → Flux adapter: implements `edgeflux_flux::Source` over `edgeflux_store::Store`
//! so `from |> range |> filter` becomes one store scan and `aggregateWindow` / `first()` /
//! `last()` use the store's window aggregates and selectors.
//!
//! Usage (the API's query handler):
//! ```text
//! let source = StoreSource::new(&store, buckets_the_token_may_read);   // Vec<SourceBucket>
//! let results = edgeflux_flux::execute(text, &options, &source)?;
//! ```

use edgeflux_flux::source::BucketInfo;
use edgeflux_flux::{
    ColumnData, FluxError, Predicate, ScanSpec, Source, Table, WindowFn, WindowSpec,
};
use edgeflux_store::{Aggregate, Matcher, Store, StoreError, Values, Window};

/// A bucket a query may read: its name, store id and metadata for `buckets()`.
#[derive(Debug, Clone, Default)]
pub struct SourceBucket {
    pub name: String,
    /// The store's bucket id (the catalog's `Id.0`).
    pub id: u64,
    pub org_id: String,
    /// Retention in nanoseconds; 0 = infinite.
    pub retention_ns: i64,
}

impl SourceBucket {
    /// The query's view of a catalog bucket.
    pub(crate) fn of(b: &crate::catalog::Bucket) -> SourceBucket {
        SourceBucket {
            name: b.name.clone(),
            id: b.id.0,
            org_id: b.org_id.to_string(),
            retention_ns: b.retention_ns(),
        }
    }
}

/// A view of the store limited to the buckets a query may read; `to()` writes go to
/// `writes` when set (else `to()` is refused).
pub struct StoreSource<'a> {
    pub store: &'a Store,
    pub buckets: Vec<SourceBucket>,
    writes: Option<&'a crate::flux_writes::QueryWrites<'a>>,
}

impl<'a> StoreSource<'a> {
    pub fn new(store: &'a Store, buckets: Vec<SourceBucket>) -> StoreSource<'a> {
        StoreSource {
            store,
            buckets,
            writes: None,
        }
    }

    /// Lets `to()` write: its points are checked and kept by `writes`.
    pub(crate) fn with_writes(
        mut self,
        writes: &'a crate::flux_writes::QueryWrites<'a>,
    ) -> StoreSource<'a> {
        self.writes = Some(writes);
        self
    }

    /// A bucket by name, else by its 16-hex-digit id (`from(bucketID:)`).
    fn bucket(&self, name: &str) -> Result<&SourceBucket, FluxError> {
        self.buckets
            .iter()
            .find(|b| b.name == name)
            .or_else(|| {
                let id = u64::from_str_radix(name, 16).ok()?;
                (name.len() == 16).then_some(())?;
                self.buckets.iter().find(|b| b.id == id)
            })
            .ok_or_else(|| FluxError::NotFound(format!("could not find bucket {name:?}")))
    }
}

fn store_error(e: StoreError) -> FluxError {
    FluxError::Internal(e.to_string())
}

/// Flux's predicate → the store's.
pub fn to_store_predicate(p: &Option<Predicate>) -> Result<edgeflux_store::Predicate, FluxError> {
    fn conv(p: &Predicate) -> Result<edgeflux_store::Predicate, FluxError> {
        use edgeflux_store::Predicate as S;
        Ok(match p {
            Predicate::Eq(k, v) => S::key(k, Matcher::Eq(v.clone())),
            Predicate::NotEq(k, v) => S::key(k, Matcher::Ne(v.clone())),
            Predicate::Match(k, r) => S::key(
                k,
                Matcher::regex(&r.source).map_err(|e| FluxError::Invalid(e.to_string()))?,
            ),
            Predicate::NotMatch(k, r) => S::key(
                k,
                Matcher::not_regex(&r.source).map_err(|e| FluxError::Invalid(e.to_string()))?,
            ),
            Predicate::And(a, b) => conv(a)?.and(conv(b)?),
            Predicate::Or(a, b) => conv(a)?.or(conv(b)?),
        })
    }
    match p {
        None => Ok(edgeflux_store::Predicate::True),
        Some(p) => conv(p),
    }
}

fn column(values: Values) -> ColumnData {
    match values {
        Values::Float(v) => ColumnData::Float(v.into_iter().map(Some).collect()),
        Values::Integer(v) => ColumnData::Int(v.into_iter().map(Some).collect()),
        Values::UInteger(v) => ColumnData::UInt(v.into_iter().map(Some).collect()),
        Values::String(v) => ColumnData::String(
            v.into_iter()
                .map(|s| Some(std::sync::Arc::<str>::from(s)))
                .collect(),
        ),
        Values::Boolean(v) => ColumnData::Bool(v.into_iter().map(Some).collect()),
    }
}

fn series_table(
    spec: &ScanSpec,
    m: &str,
    tags: &[(String, String)],
    field: &str,
    times: Vec<i64>,
    values: Values,
) -> Table {
    let tags: Vec<(&str, &str)> = tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Table::series(
        spec.start,
        spec.stop,
        m,
        &tags,
        field,
        times,
        column(values),
    )
}

impl Source for StoreSource<'_> {
    fn scan(&self, spec: &ScanSpec) -> Result<Vec<Table>, FluxError> {
        let b = self.bucket(&spec.bucket)?;
        let pred = to_store_predicate(&spec.predicate)?;
        let tables = self
            .store
            .scan(b.id, spec.start, spec.stop, &pred)
            .map_err(store_error)?;
        Ok(tables
            .into_iter()
            .filter(|t| !t.times.is_empty())
            .map(|t| series_table(spec, &t.measurement, &t.tags, &t.field, t.times, t.values))
            .collect())
    }

    fn scan_window(
        &self,
        spec: &ScanSpec,
        w: &WindowSpec,
    ) -> Result<Option<Vec<Table>>, FluxError> {
        // The store omits empty windows and works in fixed nanosecond windows.
        if w.create_empty || w.every.months != 0 || w.offset.months != 0 || w.every.nanos <= 0 {
            return Ok(None);
        }
        let b = self.bucket(&spec.bucket)?;
        let pred = to_store_predicate(&spec.predicate)?;
        let agg = match w.func {
            WindowFn::Count => Aggregate::Count,
            WindowFn::Sum => Aggregate::Sum,
            WindowFn::Min => Aggregate::Min,
            WindowFn::Max => Aggregate::Max,
            WindowFn::Mean => Aggregate::Mean,
            WindowFn::First => Aggregate::First,
            WindowFn::Last => Aggregate::Last,
        };
        let window = Window {
            every: w.every.nanos,
            offset: w.offset.nanos,
        };
        let tables = self
            .store
            .window_aggregate(b.id, spec.start, spec.stop, &pred, window, agg)
            .map_err(store_error)?;
        Ok(Some(
            tables
                .into_iter()
                .filter(|t| !t.stops.is_empty())
                // aggregateWindow stamps every row with its window's stop
                .map(|t| series_table(spec, &t.measurement, &t.tags, &t.field, t.stops, t.values))
                .collect(),
        ))
    }

    fn scan_selector(&self, spec: &ScanSpec, f: WindowFn) -> Result<Option<Vec<Table>>, FluxError> {
        let agg = match f {
            WindowFn::First => Aggregate::First,
            WindowFn::Last => Aggregate::Last,
            _ => return Ok(None),
        };
        let b = self.bucket(&spec.bucket)?;
        let pred = to_store_predicate(&spec.predicate)?;
        let tables = self
            .store
            .selector(b.id, spec.start, spec.stop, &pred, agg)
            .map_err(store_error)?;
        Ok(Some(
            tables
                .into_iter()
                .filter(|t| !t.times.is_empty())
                .map(|t| series_table(spec, &t.measurement, &t.tags, &t.field, t.times, t.values))
                .collect(),
        ))
    }

    fn write(
        &self,
        target: &edgeflux_flux::WriteTarget,
        points: Vec<edgeflux_flux::WritePoint>,
    ) -> Result<(), FluxError> {
        match self.writes {
            Some(w) => w.accept(target, points),
            None => Err(FluxError::Unimplemented(
                "to() cannot write here: this data source is read-only".into(),
            )),
        }
    }

    fn buckets(&self) -> Result<Vec<BucketInfo>, FluxError> {
        Ok(self
            .buckets
            .iter()
            .map(|b| BucketInfo {
                name: b.name.clone(),
                id: format!("{:016x}", b.id),
                org_id: b.org_id.clone(),
                retention_ns: b.retention_ns,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgeflux_flux::{encode_csv, execute, Dialect, QueryOptions};

    fn store_with(lp: &str) -> Store {
        let mut store = Store::new();
        let out = edgeflux_lineproto::parse(
            lp,
            &edgeflux_lineproto::ParseOptions {
                precision: Default::default(),
                default_time: 0,
            },
        );
        let prepared = store.prepare_write(1, &out.lines, None);
        store.apply_write(&prepared.batch);
        store
    }

    fn run(store: &Store, q: &str) -> Result<String, FluxError> {
        let src = StoreSource::new(
            store,
            vec![SourceBucket {
                name: "b".into(),
                id: 1,
                ..Default::default()
            }],
        );
        let res = execute(
            q,
            &QueryOptions {
                now_ns: 10_000_000_000,
                ..Default::default()
            },
            &src,
        )?;
        let mut out = Vec::new();
        encode_csv(&res, &Dialect::default(), &mut out);
        Ok(String::from_utf8(out)
            .unwrap_or_default()
            .replace("\r\n", "\n"))
    }

    #[test]
    fn from_range_filter_reads_the_store() {
        let store = store_with(
            "m,host=a v=1 1000000000\nm,host=b v=2 2000000000\nx,host=a v=3 3000000000\n",
        );
        let out = run(&store, r#"from(bucket: "b") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "m" and r.host == "a")"#).unwrap();
        assert_eq!(
            out,
            ",result,table,_start,_stop,_time,_value,_field,_measurement,host\n\
             ,_result,0,1969-12-31T23:00:10Z,1970-01-01T00:00:10Z,1970-01-01T00:00:01Z,1,v,m,a\n\n"
        );
        let last = run(
            &store,
            r#"from(bucket: "b") |> range(start: 0) |> filter(fn: (r) => r.host == "a") |> last()"#,
        )
        .unwrap();
        assert!(last.contains(",x,a\n") && last.contains(",m,a\n"), "{last}");
        let agg = run(&store, r#"from(bucket: "b") |> range(start: 0, stop: 4) |> aggregateWindow(every: 2s, fn: sum, createEmpty: false)"#).unwrap();
        assert!(agg.contains("1970-01-01T00:00:02Z,1,v,m,a"), "{agg}");
        // group by a tag, then window: pushed down when each group is one series...
        let g = run(&store, r#"from(bucket: "b") |> range(start: 0, stop: 4) |> filter(fn: (r) => r._measurement == "m") |> group(columns: ["host"]) |> aggregateWindow(every: 2s, fn: sum, createEmpty: false)"#).unwrap();
        assert_eq!(
            g,
            ",result,table,_start,_stop,_time,_value,host\n\
             ,_result,0,1970-01-01T00:00:00Z,1970-01-01T00:00:04Z,1970-01-01T00:00:02Z,1,a\n\
             ,_result,1,1970-01-01T00:00:00Z,1970-01-01T00:00:04Z,1970-01-01T00:00:04Z,2,b\n\n"
        );
        // ...and merged correctly when a group holds several series
        let merged = run(&store, r#"from(bucket: "b") |> range(start: 0, stop: 4) |> group(columns: ["host"]) |> aggregateWindow(every: 4s, fn: sum, createEmpty: false)"#).unwrap();
        assert!(merged.contains("1970-01-01T00:00:04Z,4,a\n"), "{merged}");
        let e = run(&store, r#"from(bucket: "nope") |> range(start: 0)"#).unwrap_err();
        assert_eq!(e.code(), "not found");
        assert_eq!(
            e.message(),
            "failed to initialize execute state: could not find bucket \"nope\""
        );
    }
}
