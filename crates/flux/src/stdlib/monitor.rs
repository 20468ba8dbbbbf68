//! `influxdata/influxdb/monitor`: the parts of InfluxDB's checks and notifications that
//! work on data alone: level changes between statuses and deadman detection.

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
        f("log", Some("tables"), super::packages::identity_tables),
    ])
}
