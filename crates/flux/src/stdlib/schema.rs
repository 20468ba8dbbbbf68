//! `influxdata/influxdb/schema`: distinct tag values, tag keys, field keys and measurements
//! of a bucket. Flux defines them as `_from(bucket) |> range |> filter(predicate) |> ...`;
//! without a predicate or a replaced `option schema._from` they are answered from the
//! series keys of one store scan, otherwise row by row along that definition.

use std::sync::Arc;

use super::helpers::*;
use crate::error::{FluxError, Result};
use crate::eval::{Args, Function, Interp};
use crate::source::{Predicate, ScanSpec};
use crate::table::{Column, ColumnData, DataType, GroupKey, Table};
use crate::time::{self, Duration};
use crate::value::Value;

/// What a schema function lists.
enum Listing {
    /// Distinct values of a column (`tagValues`, `fieldKeys`, `measurements`).
    Values(String),
    /// Distinct group-key labels (`tagKeys`).
    Keys,
}

struct Query {
    bucket: String,
    listing: Listing,
    measurement: Option<String>,
    predicate: Option<Arc<Function>>,
    start: i64,
    stop: i64,
}

impl Query {
    /// Reads `bucket`, `start` and `stop` (defaults: the last 30 days up to now).
    fn new(i: &Interp, a: &Args, listing: Listing) -> Result<Query> {
        let start = match a.get("start") {
            Some(v) => time_arg(i, v, "start")?,
            None => time::add_duration(i.now, Duration::from_nanos(-30 * time::NS_PER_DAY)),
        };
        let stop = match a.get("stop") {
            Some(v) => time_arg(i, v, "stop")?,
            None => i.now,
        };
        Ok(Query {
            bucket: a.string("bucket")?,
            listing,
            measurement: None,
            predicate: match a.get("predicate") {
                Some(_) => Some(a.func("predicate")?),
                None => None,
            },
            start,
            stop,
        })
    }

    fn run(self, i: &mut Interp) -> Result<Value> {
        let from = match i.option_values.get("schema._from") {
            Some(Value::Function(f)) => Some(f.clone()),
            _ => None,
        };
        let tables = match &from {
            Some(f) => {
                let args = vec![("bucket".to_string(), Value::str(&self.bucket))];
                let v = i.call(f, args, None)?;
                i.take_tables(v, "schema")?
            }
            None => i.source.scan(&ScanSpec {
                bucket: self.bucket.clone(),
                start: self.start,
                stop: self.stop,
                predicate: self
                    .measurement
                    .clone()
                    .map(|m| Predicate::Eq("_measurement".into(), m)),
            })?,
        };
        let mut seen: Vec<Value> = Vec::new();
        let mut add = |v: Value| {
            if !v.is_null() && !seen.iter().any(|s| s.flux_eq(&v) == Some(true)) {
                seen.push(v);
            }
        };
        let by_rows = from.is_some() || self.predicate.is_some();
        for t in &tables {
            if !by_rows {
                // A scan's tables are series: their keys hold every tag.
                match &self.listing {
                    Listing::Keys => t
                        .key
                        .cols
                        .iter()
                        .filter(|(l, _)| l != "_start" && l != "_stop")
                        .for_each(|(l, _)| add(Value::str(l))),
                    Listing::Values(c) => add(t.key.get(c).cloned().unwrap_or(Value::Null)),
                }
                continue;
            }
            let rows = self.matching_rows(i, t)?;
            match &self.listing {
                // range() puts _start and _stop into every key.
                Listing::Keys if !rows.is_empty() => {
                    for l in ["_start", "_stop"] {
                        add(Value::str(l));
                    }
                    t.key.cols.iter().for_each(|(l, _)| add(Value::str(l)));
                }
                Listing::Keys => {}
                Listing::Values(c) => {
                    if let Some(col) = t.column(c) {
                        rows.iter().for_each(|&r| add(col.data.get(r)));
                    }
                }
            }
        }
        if !by_rows {
            seen.sort_by(|a, b| a.sort_cmp(b));
        }
        let data_type = seen
            .first()
            .and_then(DataType::of)
            .unwrap_or(DataType::String);
        let mut data = ColumnData::new(data_type);
        for v in &seen {
            data.push(v)?;
        }
        let table = Table::new(GroupKey::default(), vec![Column::new("_value", data)]);
        Ok(stream(vec![table]))
    }

    /// Rows of `t` inside [start, stop) that pass the measurement and the predicate.
    fn matching_rows(&self, i: &mut Interp, t: &Table) -> Result<Vec<usize>> {
        let times = match t.column("_time").map(|c| &c.data) {
            Some(ColumnData::Time(ts)) => ts,
            _ => {
                return Err(FluxError::invalid(
                    "range error: could not find _time column",
                ))
            }
        };
        let names = labels(t);
        let param = self.predicate.as_ref().map(|p| row_param(p));
        let mut rows = Vec::new();
        for (r, ts) in times.iter().enumerate() {
            if !ts.is_some_and(|x| x >= self.start && x < self.stop) {
                continue;
            }
            if let Some(m) = &self.measurement {
                let v = t.column("_measurement").map(|c| c.data.get(r));
                if v.as_ref().and_then(|v| v.as_str()) != Some(m.as_str()) {
                    continue;
                }
            }
            if let (Some(p), Some(param)) = (&self.predicate, &param) {
                let keep = call_row(i, p, param, row_record(t, &names, r))?;
                if !matches!(keep, Value::Bool(true)) {
                    continue;
                }
            }
            rows.push(r);
        }
        Ok(rows)
    }
}

pub fn tag_values(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let tag = a.string("tag")?;
    Query::new(i, a, Listing::Values(tag))?.run(i)
}
pub fn tag_keys(i: &mut Interp, a: &mut Args) -> Result<Value> {
    Query::new(i, a, Listing::Keys)?.run(i)
}
pub fn field_keys(i: &mut Interp, a: &mut Args) -> Result<Value> {
    Query::new(i, a, Listing::Values("_field".into()))?.run(i)
}
pub fn measurements(i: &mut Interp, a: &mut Args) -> Result<Value> {
    Query::new(i, a, Listing::Values("_measurement".into()))?.run(i)
}

/// The `measurement*` variants: the same within one measurement.
fn in_measurement(i: &mut Interp, a: &mut Args, listing: Listing) -> Result<Value> {
    let mut q = Query::new(i, a, listing)?;
    q.measurement = Some(a.string("measurement")?);
    q.run(i)
}
pub fn measurement_tag_values(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let tag = a.string("tag")?;
    in_measurement(i, a, Listing::Values(tag))
}
pub fn measurement_tag_keys(i: &mut Interp, a: &mut Args) -> Result<Value> {
    in_measurement(i, a, Listing::Keys)
}
pub fn measurement_field_keys(i: &mut Interp, a: &mut Args) -> Result<Value> {
    in_measurement(i, a, Listing::Values("_field".into()))
}
