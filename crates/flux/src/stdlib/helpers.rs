//! Shared helpers of the standard library: stream arguments, row records, column ops.

use std::sync::Arc;

use crate::error::{FluxError, Result};
use crate::eval::{Args, Function, Interp, Stream};
use crate::table::{Column, ColumnData, DataType, GroupKey, Table};
use crate::time::{self, Duration};
use crate::value::{Record, Value};

pub fn stream(tables: Vec<Table>) -> Value {
    Value::Stream(Arc::new(Stream::Tables(tables)))
}

/// The piped-in tables (`tables=<-`).
pub fn input(interp: &mut Interp, args: &mut Args) -> Result<Vec<Table>> {
    let v = args.take("tables").ok_or_else(|| args.missing("tables"))?;
    interp.take_tables(v, args.fname)
}

/// Column labels as shared strings, built once per table for row records.
pub fn labels(t: &Table) -> Vec<Arc<str>> {
    t.columns
        .iter()
        .map(|c| Arc::from(c.label.as_str()))
        .collect()
}

/// Row `i` of `t` as a record.
pub fn row_record(t: &Table, labels: &[Arc<str>], i: usize) -> Value {
    let fields = t
        .columns
        .iter()
        .zip(labels)
        .map(|(c, l)| (l.clone(), c.data.get(i)))
        .collect();
    Value::Record(Arc::new(Record { fields }))
}

/// Calls a one-record function (`fn: (r) => ...`) on `rec`.
pub fn call_row(interp: &mut Interp, f: &Function, param: &str, rec: Value) -> Result<Value> {
    interp.call(f, vec![(param.to_string(), rec)], None)
}

/// The name of a row function's record parameter (`r` by convention).
pub fn row_param(f: &Function) -> String {
    f.param_names()
        .into_iter()
        .next()
        .unwrap_or_else(|| "r".to_string())
}

/// A time argument: a time, a duration relative to now, or integer seconds.
pub fn time_arg(interp: &Interp, v: &Value, name: &str) -> Result<i64> {
    match v {
        Value::Time(t) => Ok(*t),
        Value::Duration(d) => Ok(time::add_duration(interp.now, *d)),
        Value::Int(s) => Ok(s.saturating_mul(1_000_000_000)),
        other => Err(FluxError::invalid(format!(
            "keyword argument \"{name}\" should be of type time or duration, got {}",
            other.type_name()
        ))),
    }
}

/// Builds a group key from the listed columns of `t` (those that exist), in table order.
pub fn key_of(t: &Table, labels: &[String], row: usize) -> GroupKey {
    let mut cols = Vec::new();
    for c in &t.columns {
        if labels.contains(&c.label) {
            let v = if t.is_empty() {
                t.key.get(&c.label).cloned().unwrap_or(Value::Null)
            } else {
                c.data.get(row)
            };
            cols.push((c.label.clone(), v));
        }
    }
    GroupKey { cols }
}

/// Rebuilds the key of `t` from its columns after columns changed (key labels kept only if present).
pub fn retain_key(t: &mut Table) {
    let cols: Vec<String> = t.columns.iter().map(|c| c.label.clone()).collect();
    t.key.cols.retain(|(l, _)| cols.contains(l));
}

/// A column of `n` copies of a value.
pub fn const_column(label: &str, v: &Value, n: usize) -> Option<Column> {
    let t = DataType::of(v)?;
    Some(Column::new(label, ColumnData::repeat(t, v, n)))
}

/// Sets (adds or replaces) a column in a table.
pub fn set_column(t: &mut Table, col: Column) {
    if let Some(i) = t.column_index(&col.label) {
        t.columns[i] = col;
    } else {
        t.columns.push(col);
    }
}

/// Floors `t` to the start of its window.
pub fn window_start(t: i64, every: Duration, offset: Duration) -> i64 {
    if every.months != 0 {
        let days = t.div_euclid(time::NS_PER_DAY);
        let (y, m, _) = time::civil_from_days(days);
        let total = y * 12 + m as i64 - 1 - offset.months;
        let k = total.div_euclid(every.months) * every.months + offset.months;
        let (ny, nm) = (k.div_euclid(12), (k.rem_euclid(12) + 1) as u32);
        let start = time::days_from_civil(ny, nm, 1) * time::NS_PER_DAY + offset.nanos;
        if start > t {
            return time::add_duration(
                start,
                Duration {
                    months: -every.months,
                    nanos: 0,
                },
            );
        }
        return start;
    }
    let e = every.nanos.max(1);
    let o = offset.nanos.rem_euclid(e);
    (t - o).div_euclid(e) * e + o
}

/// The time bounds of a table: its `_start`/`_stop` key values, else its time range.
pub fn bounds(t: &Table) -> Option<(i64, i64)> {
    let s = match t.key.get("_start") {
        Some(Value::Time(x)) => Some(*x),
        _ => None,
    };
    let e = match t.key.get("_stop") {
        Some(Value::Time(x)) => Some(*x),
        _ => None,
    };
    if let (Some(s), Some(e)) = (s, e) {
        return Some((s, e));
    }
    // Regrouped tables keep the range bounds as plain columns.
    let col_time = |l: &str| match t.column(l).map(|c| &c.data) {
        Some(ColumnData::Time(v)) => v.first().copied().flatten(),
        _ => None,
    };
    if let (Some(s), Some(e)) = (col_time("_start"), col_time("_stop")) {
        return Some((s, e));
    }
    let ColumnData::Time(ts) = &t.column("_time")?.data else {
        return None;
    };
    let min = ts.iter().flatten().min()?;
    let max = ts.iter().flatten().max()?;
    Some((s.unwrap_or(*min), e.unwrap_or(max + 1)))
}

/// The `_start`/`_stop` bounds of a table from its key or columns (no data-derived guess).
pub fn key_bounds(t: &Table) -> Option<(i64, i64)> {
    let k = |l: &str| match t.key.get(l) {
        Some(Value::Time(x)) => Some(*x),
        _ => match t.column(l).map(|c| &c.data) {
            Some(ColumnData::Time(v)) => v.first().copied().flatten(),
            _ => None,
        },
    };
    Some((k("_start")?, k("_stop")?))
}

/// Groups tables by key, concatenating rows of tables with equal keys (first-seen order).
pub fn merge_by_key(tables: Vec<Table>) -> Result<Vec<Table>> {
    let mut out: Vec<Table> = Vec::new();
    let mut index: std::collections::HashMap<Vec<u8>, usize> = std::collections::HashMap::new();
    for t in tables {
        let k = t.key.canonical();
        match index.get(&k) {
            Some(&i) => append_owned(&mut out[i], t)?,
            None => {
                index.insert(k, out.len());
                out.push(t);
            }
        }
    }
    Ok(out)
}

/// Moves the rows of `b` to the end of `a` (no per-cell copies when schemas match).
pub fn append_owned(a: &mut Table, mut b: Table) -> Result<()> {
    let same = a.columns.len() == b.columns.len()
        && a.columns
            .iter()
            .zip(&b.columns)
            .all(|(x, y)| x.label == y.label && x.data.data_type() == y.data.data_type());
    if !same {
        return append_table(a, &b);
    }
    for (x, y) in a.columns.iter_mut().zip(b.columns.iter_mut()) {
        let data = std::mem::replace(&mut y.data, ColumnData::new(x.data.data_type()));
        x.data.append(data)?;
    }
    Ok(())
}

/// Appends the rows of `b` to `a`, adding missing columns on either side as nulls.
pub fn append_table(a: &mut Table, b: &Table) -> Result<()> {
    let na = a.len();
    let nb = b.len();
    for c in &b.columns {
        if a.column_index(&c.label).is_none() {
            let mut data = ColumnData::with_capacity(c.data.data_type(), na + nb);
            for _ in 0..na {
                data.push_null();
            }
            a.columns.push(Column::new(c.label.clone(), data));
        }
    }
    for col in a.columns.iter_mut() {
        match b.column(&col.label) {
            Some(bc) => {
                if bc.data.data_type() != col.data.data_type() {
                    return Err(FluxError::invalid(format!(
                        "schema collision detected: column \"{}\" is both of type {} and {}",
                        col.label,
                        col.data.data_type().flux_name(),
                        bc.data.data_type().flux_name()
                    )));
                }
                col.data.extend(&bc.data)?;
            }
            None => {
                for _ in 0..nb {
                    col.data.push_null();
                }
            }
        }
    }
    Ok(())
}

/// The group-key columns of `t` (in table order, less `skip`), each repeating its key
/// value `n` times: the leading columns of a table that summarises `t` in `n` rows.
pub(crate) fn key_columns(t: &Table, n: usize, skip: &[&str]) -> Vec<Column> {
    let mut cols = Vec::new();
    for c in &t.columns {
        if t.key.contains(&c.label) && !skip.contains(&c.label.as_str()) {
            let kv = t.key.get(&c.label).cloned().unwrap_or(Value::Null);
            cols.push(Column::new(
                c.label.clone(),
                ColumnData::repeat(c.data.data_type(), &kv, n),
            ));
        }
    }
    cols
}
