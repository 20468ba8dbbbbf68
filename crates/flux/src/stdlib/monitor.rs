//! `influxdata/influxdb/monitor`: the parts of InfluxDB's checks and notifications that
//! work on data alone: statuses from checks, level changes between them and deadmen.

use super::helpers::*;
use super::packages::{f, record};
use super::universe::{regroup, sort_indices};
use crate::error::Result;
use crate::eval::{Args, Interp};
use crate::table::{Column, ColumnData, Table};
use crate::value::Value;

/// A status level's rank for `stateChanges` from any level to any level.
fn rank(level: Option<&str>) -> i64 {
    match level {
        Some("crit") => 4,
        Some("warn") => 3,
        Some("info") => 2,
        Some("ok") => 1,
        _ => 0,
    }
}

/// `stateChanges(fromLevel: "any", toLevel: "any")`: the statuses whose `_level` changed
/// (from `fromLevel` to `toLevel`), in `_source_timestamp`, `_time` order, keyed by `_level`.
pub fn state_changes(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let from = a.string_or("fromLevel", "any")?;
    let to = a.string_or("toLevel", "any")?;
    let mut tables = input(i, a)?;
    // `_level` leaves the key while levels are compared: one series, all its levels.
    for t in tables.iter_mut() {
        t.key.cols.retain(|(l, _)| l != "_level");
    }
    let mut out = Vec::new();
    for t in merge_by_key(tables)? {
        let order = sort_indices(&t, &["_source_timestamp".into(), "_time".into()], false);
        let t = t.take_rows(&order);
        let level = |r: usize| t.column("_level").map(|c| c.data.get(r));
        let score = |r: usize| -> i64 {
            let l = level(r);
            let l = l.as_ref().and_then(|v| v.as_str());
            if from == "any" && to == "any" {
                return rank(l);
            }
            let is = |want: &str| l == Some(want);
            let other_than = |x: &str| l.is_some_and(|l| l != x);
            let reaches = if to == "any" {
                other_than(&from)
            } else {
                is(&to)
            };
            let leaves = if from == "any" {
                other_than(&to)
            } else {
                is(&from)
            };
            if reaches {
                1
            } else if leaves {
                0
            } else {
                -10
            }
        };
        let scores: Vec<i64> = (0..t.len()).map(score).collect();
        let keep: Vec<bool> = (0..t.len())
            .map(|r| {
                r > 0 && {
                    let d = scores[r] - scores[r - 1];
                    if from == "any" && to == "any" {
                        d != 0
                    } else {
                        d == 1
                    }
                }
            })
            .collect();
        let t = t.filter_rows(&keep);
        let mut by: Vec<String> = t.key.cols.iter().map(|(l, _)| l.clone()).collect();
        by.push("_level".into());
        out.extend(regroup(vec![t], &by, true)?);
    }
    Ok(stream(merge_by_key(out)?))
}

/// `deadman(t)`: each table's latest row, with `dead: true` when it is older than `t`.
pub fn deadman(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let limit = time_arg(i, a.req("t")?, "t")?;
    let mut out = Vec::new();
    for t in input(i, a)? {
        let Some(ColumnData::Time(ts)) = t.column("_time").map(|c| &c.data) else {
            continue;
        };
        let Some((row, latest)) = ts
            .iter()
            .enumerate()
            .filter_map(|(r, x)| Some((r, (*x)?)))
            .max_by_key(|(r, x)| (*x, std::cmp::Reverse(*r)))
        else {
            continue;
        };
        let mut last: Table = t.take_rows(&[row]);
        last.columns.push(Column::new(
            "dead",
            ColumnData::Bool(vec![Some(latest < limit)]),
        ));
        out.push(last);
    }
    Ok(stream(out))
}

/// The package value.
pub fn package() -> Value {
    let level = |s: &str| Value::str(s);
    record(vec![
        ("bucket", Value::str("_monitoring")),
        ("levelOK", level("ok")),
        ("levelInfo", level("info")),
        ("levelWarn", level("warn")),
        ("levelCrit", level("crit")),
        ("levelUnknown", level("unknown")),
        f("stateChanges", Some("tables"), state_changes),
        f("stateChangesOnly", Some("tables"), state_changes),
        f("deadman", Some("tables"), deadman),
        f("check", Some("tables"), check),
        f("log", Some("tables"), super::packages::identity_tables),
    ])
}

/// `check(data, messageFn, crit, warn, info, ok)`: turns rows into statuses: the check's
/// tags set and keyed, `_level` from the first predicate that holds, `_message` from
/// `messageFn`, `_time` now and the row's time kept as `_source_timestamp`; then
/// `option monitor.write` (identity unless the program replaces it).
pub fn check(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let Value::Record(data) = a.req("data")?.clone() else {
        return Err(crate::FluxError::Invalid(
            "keyword argument \"data\" should be a record".into(),
        ));
    };
    let message_fn = a.func("messageFn")?;
    let mut levels = Vec::new();
    for level in ["crit", "warn", "info", "ok"] {
        levels.push((
            level,
            a.get(level).is_some().then(|| a.func(level)).transpose()?,
        ));
    }
    let tags = match data.get("tags") {
        Some(Value::Record(t)) => t.fields.clone(),
        _ => Vec::new(),
    };
    let now = Value::Time(i.now);
    let mut out = Vec::new();
    for t in input(i, a)? {
        let names = labels(&t);
        let mut builder = crate::table::TableBuilder::new(t.key.clone());
        for r in 0..t.len() {
            let Value::Record(row) = row_record(&t, &names, r) else {
                continue;
            };
            let mut rec = (*row).clone();
            for (k, v) in &tags {
                rec.set(k, v.clone());
            }
            let level = check_level(i, &levels, &Value::Record(std::sync::Arc::new(rec.clone())))?;
            let source = rec.get("_measurement").cloned().unwrap_or(Value::Null);
            let source_ts = match rec.get("_time") {
                Some(Value::Time(x)) => Value::Int(*x),
                _ => Value::Null,
            };
            rec.set("_measurement", Value::str("statuses"));
            rec.set("_source_measurement", source);
            for k in ["_type", "_check_id", "_check_name"] {
                rec.set(k, data.get(k).cloned().unwrap_or(Value::Null));
            }
            rec.set("_level", Value::str(level));
            rec.set("_source_timestamp", source_ts);
            rec.set("_time", now.clone());
            let rec_v = Value::Record(std::sync::Arc::new(rec.clone()));
            let param = row_param(&message_fn);
            rec.set("_message", call_row(i, &message_fn, &param, rec_v)?);
            let cells: Vec<(&str, Value)> =
                rec.fields.iter().map(|(k, v)| (&**k, v.clone())).collect();
            builder.push_row(&cells)?;
        }
        let statuses = builder.build();
        let mut by: Vec<String> = t.key.cols.iter().map(|(l, _)| l.clone()).collect();
        let keyed = [
            "_source_measurement",
            "_type",
            "_check_id",
            "_check_name",
            "_level",
        ];
        for l in tags
            .iter()
            .map(|(k, _)| k.to_string())
            .chain(keyed.map(String::from))
        {
            if !by.contains(&l) {
                by.push(l);
            }
        }
        out.extend(regroup(vec![statuses], &by, true)?);
    }
    let statuses = stream(merge_by_key(out)?);
    match i.option_values.get("monitor.write").cloned() {
        Some(Value::Function(write)) => i.call(&write, Vec::new(), Some(statuses)),
        _ => Ok(statuses),
    }
}

/// The first level whose predicate holds for `row` (`ok` by default), else "unknown".
fn check_level(
    i: &mut Interp,
    levels: &[(&'static str, Option<std::sync::Arc<crate::eval::Function>>)],
    row: &Value,
) -> Result<&'static str> {
    for (level, pred) in levels {
        let holds = match pred {
            Some(p) => {
                let param = row_param(p);
                matches!(call_row(i, p, &param, row.clone())?, Value::Bool(true))
            }
            None => *level == "ok",
        };
        if holds {
            return Ok(level);
        }
    }
    Ok("unknown")
}
