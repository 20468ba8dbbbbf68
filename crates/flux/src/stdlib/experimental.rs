//! The `experimental` package's own functions (its aggregates reuse universe's, see
//! `mod.rs`): grouping by extension, setting many columns, joining on key and time,
//! unpivoting, previews, stream diffs, sequencing and error catching.

use std::collections::HashMap;
use std::sync::Arc;

use super::helpers::*;
use super::packages::record;
use super::universe::regroup;
use crate::error::{FluxError, Result};
use crate::eval::{Args, Interp};
use crate::table::{Column, ColumnData, DataType, GroupKey, Table, TableBuilder};
use crate::value::Value;

/// `group(columns, mode: "extend")`: adds columns to each table's group key.
pub fn group(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let columns = a.strings("columns")?.unwrap_or_default();
    let mode = a.string("mode")?;
    if mode != "extend" {
        return Err(FluxError::invalid(format!(
            "unknown group mode \"{mode}\"; experimental.group only supports \"extend\""
        )));
    }
    let mut out = Vec::new();
    for t in input(i, a)? {
        let mut by: Vec<String> = t.key.cols.iter().map(|(l, _)| l.clone()).collect();
        for c in &columns {
            if !by.contains(c) {
                by.push(c.clone());
            }
        }
        out.extend(regroup(vec![t], &by, true)?);
    }
    Ok(stream(merge_by_key(out)?))
}

/// `set(o)`: sets every property of `o` as a constant column (and key value when keyed).
pub fn set(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let Value::Record(o) = a.req("o")?.clone() else {
        return Err(FluxError::invalid(
            "keyword argument \"o\" should be a record",
        ));
    };
    let mut tables = input(i, a)?;
    for t in tables.iter_mut() {
        let n = t.len();
        for (label, v) in &o.fields {
            if let Some(col) = const_column(label, v, n) {
                set_column(t, col);
            }
            if let Some(slot) = t.key.cols.iter_mut().find(|(l, _)| l.as_str() == &**label) {
                slot.1 = v.clone();
            }
        }
    }
    // Tables whose keys became equal are one table now.
    Ok(stream(merge_by_key(tables)?))
}

/// `objectKeys(o)`: the labels of a record, in order.
pub fn object_keys(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let Value::Record(o) = a.req("o")? else {
        return Err(FluxError::invalid(
            "keyword argument \"o\" should be a record",
        ));
    };
    let keys = o.fields.iter().map(|(k, _)| Value::String(k.clone()));
    Ok(Value::Array(Arc::new(keys.collect())))
}

/// `chain(first, second)`: runs `first` to completion, then answers `second`.
pub fn chain(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let first = a.take("first").ok_or_else(|| a.missing("first"))?;
    i.take_tables(first, "chain")?;
    a.take("second").ok_or_else(|| a.missing("second"))
}

/// `alignTime(alignTo)`: shifts each table's times so that its first row is at `alignTo`.
pub fn align_time(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let align_to = match a.get("alignTo") {
        Some(v) => time_arg(i, v, "alignTo")?,
        None => 0,
    };
    let mut tables = input(i, a)?;
    for t in tables.iter_mut() {
        let Some(ix) = t.column_index("_time") else {
            continue;
        };
        if let ColumnData::Time(ts) = &mut t.columns[ix].data {
            let Some(first) = ts.iter().flatten().next().copied() else {
                continue;
            };
            for x in ts.iter_mut().flatten() {
                *x = align_to.saturating_add(x.saturating_sub(first));
            }
        }
    }
    Ok(stream(tables))
}

/// `preview(nrows: 5, ntables: 5)`: the first tables of a stream, each cut to its first rows.
pub fn preview(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let nrows = a.int_or("nrows", 5)?.max(0) as usize;
    let ntables = a.int_or("ntables", 5)?.max(0) as usize;
    let tables = input(i, a)?;
    let out = tables
        .into_iter()
        .take(ntables)
        .map(|t| t.slice_rows(0, t.len().min(nrows)))
        .collect();
    Ok(stream(out))
}

/// `catch(fn)`: calls `fn` and returns `{value}`, or `{code, msg}` when it fails.
pub fn catch(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let f = a.func("fn")?;
    let result = i.call(&f, Vec::new(), None).and_then(|v| match &v {
        Value::Stream(_) => i.tables(&v, "catch").map(|_| v),
        _ => Ok(v),
    });
    Ok(match result {
        // No `msg` on success: Flux's testing.shouldError tests `exists got.msg`.
        Ok(v) => record(vec![("value", v)]),
        Err(e) => record(vec![
            ("code", Value::UInt(flux_code(&e))),
            ("msg", Value::str(e.message())),
        ]),
    })
}

/// Flux's numeric error codes (`codes.Code`).
fn flux_code(e: &FluxError) -> u64 {
    match e {
        FluxError::Canceled(_) => 1,
        FluxError::Invalid(_) => 3,
        FluxError::NotFound(_) => 5,
        FluxError::PermissionDenied(_) => 7,
        FluxError::ResourceExhausted(_) => 8,
        FluxError::Unimplemented(_) => 12,
        FluxError::Internal(_) => 13,
    }
}

/// `unpivot(otherColumns: ["_time"])`: turns every other non-key column into
/// `_field`/`_value` rows, one output table per input key and field (per input key when
/// `_field` is listed among the other columns).
pub fn unpivot(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let other = a
        .strings("otherColumns")?
        .unwrap_or_else(|| vec!["_time".to_string()]);
    let mut groups: Vec<(GroupKey, TableBuilder)> = Vec::new();
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    for t in input(i, a)? {
        if t.column("_field").is_some() || t.column("_value").is_some() {
            return Err(FluxError::invalid(
                "unpivot can't have \"_field\" or \"_value\" as an input column",
            ));
        }
        if let Some(missing) = other
            .iter()
            .find(|c| c.as_str() != "_field" && t.column(c).is_none())
        {
            return Err(FluxError::invalid(format!(
                "unpivot could not find column named \"{missing}\""
            )));
        }
        let kept: Vec<&Column> = t
            .columns
            .iter()
            .filter(|c| t.key.contains(&c.label) || other.contains(&c.label))
            .collect();
        for field in t.columns.iter() {
            if t.key.contains(&field.label) || other.contains(&field.label) {
                continue;
            }
            let mut key = t.key.clone();
            // Listing `_field` among the other columns keeps it out of the group key.
            if !other.iter().any(|c| c == "_field") {
                key.cols
                    .push(("_field".to_string(), Value::str(&field.label)));
            }
            let slot = *index.entry(key.canonical()).or_insert_with(|| {
                groups.push((key.clone(), TableBuilder::new(key.clone())));
                groups.len() - 1
            });
            let builder = &mut groups[slot].1;
            for c in &kept {
                builder.add_column(&c.label, c.data.data_type());
            }
            builder.add_column("_field", DataType::String);
            builder.add_column("_value", field.data.data_type());
            for r in 0..t.len() {
                if field.data.is_null(r) {
                    continue;
                }
                let mut row: Vec<(&str, Value)> = kept
                    .iter()
                    .map(|c| (c.label.as_str(), c.data.get(r)))
                    .collect();
                row.push(("_field", Value::str(&field.label)));
                row.push(("_value", field.data.get(r)));
                builder.push_row(&row)?;
            }
        }
    }
    Ok(stream(groups.into_iter().map(|(_, b)| b.build()).collect()))
}

/// `join(left, right, fn)`: joins tables with equal group keys on `_time`; `fn` maps each
/// matching pair of rows to the output row.
pub fn join(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let f = a.func("fn")?;
    let left = a.take("left").ok_or_else(|| a.missing("left"))?;
    let right = a.take("right").ok_or_else(|| a.missing("right"))?;
    let left = i.take_tables(left, "join")?;
    let right = i.take_tables(right, "join")?;
    let mut rights: HashMap<Vec<u8>, &Table> = HashMap::new();
    for t in &right {
        rights.insert(t.key.canonical(), t);
    }
    let mut out = Vec::new();
    for l in &left {
        let Some(r) = rights.get(&l.key.canonical()) else {
            continue;
        };
        let (ll, rl) = (labels(l), labels(r));
        let (Some(lt), Some(rt)) = (l.column("_time"), r.column("_time")) else {
            continue;
        };
        let mut builder = TableBuilder::new(l.key.clone());
        for li in 0..l.len() {
            let t = lt.data.get(li);
            for ri in 0..r.len() {
                if rt.data.get(ri).flux_eq(&t) != Some(true) {
                    continue;
                }
                let args = vec![
                    ("left".to_string(), row_record(l, &ll, li)),
                    ("right".to_string(), row_record(r, &rl, ri)),
                ];
                let Value::Record(rec) = i.call(&f, args, None)? else {
                    return Err(FluxError::invalid("join: fn must return a record"));
                };
                let row: Vec<(&str, Value)> =
                    rec.fields.iter().map(|(k, v)| (&**k, v.clone())).collect();
                builder.push_row(&row)?;
            }
        }
        let mut t = builder.build();
        retain_key(&mut t);
        out.push(t);
    }
    Ok(stream(out))
}

/// `diff(got: <-, want)`: for each group key whose tables differ, all rows of both with a
/// `_diff` column: `-` only in want, `+` only in got, empty in both (a longest common
/// subsequence of rows; removals before additions within a change).
pub fn diff(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let got = a.take("got").ok_or_else(|| a.missing("got"))?;
    let want = a.take("want").ok_or_else(|| a.missing("want"))?;
    let got = i.take_tables(got, "diff")?;
    let want = i.take_tables(want, "diff")?;
    let mut keys: Vec<GroupKey> = Vec::new();
    let mut by_key: HashMap<Vec<u8>, (Option<&Table>, Option<&Table>)> = HashMap::new();
    for (t, is_want) in want
        .iter()
        .map(|t| (t, true))
        .chain(got.iter().map(|t| (t, false)))
    {
        let slot = by_key.entry(t.key.canonical()).or_insert_with(|| {
            keys.push(t.key.clone());
            (None, None)
        });
        if is_want {
            slot.0 = Some(t);
        } else {
            slot.1 = Some(t);
        }
    }
    let mut out = Vec::new();
    for key in keys {
        let (w, g) = by_key[&key.canonical()];
        if let Some(t) = diff_tables(key, w, g)? {
            out.push(t);
        }
    }
    Ok(stream(out))
}

/// The rows of a table as (label, value) lists, for comparing across schemas.
fn rows_of(t: Option<&Table>) -> Vec<Vec<(String, Value)>> {
    let Some(t) = t else { return Vec::new() };
    (0..t.len())
        .map(|r| {
            t.columns
                .iter()
                .map(|c| (c.label.clone(), c.data.get(r)))
                .collect()
        })
        .collect()
}

/// Rows are equal when their non-key cells are (key columns are compared via the key).
fn same_row(key: &GroupKey, a: &[(String, Value)], b: &[(String, Value)]) -> bool {
    a.len() == b.len()
        && a.iter().filter(|(l, _)| !key.contains(l)).all(|(l, v)| {
            b.iter()
                .any(|(m, w)| l == m && (v.is_null() && w.is_null() || v.flux_eq(w) == Some(true)))
        })
}

fn diff_tables(key: GroupKey, want: Option<&Table>, got: Option<&Table>) -> Result<Option<Table>> {
    let (w, g) = (rows_of(want), rows_of(got));
    let (n, m) = (w.len(), g.len());
    // lcs[i][j]: longest common subsequence of w[i..] and g[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for x in (0..n).rev() {
        for y in (0..m).rev() {
            lcs[x][y] = if same_row(&key, &w[x], &g[y]) {
                lcs[x + 1][y + 1] + 1
            } else {
                lcs[x + 1][y].max(lcs[x][y + 1])
            };
        }
    }
    if lcs[0][0] as usize == n && n == m {
        return Ok(None);
    }
    let mut builder = TableBuilder::new(key.clone());
    builder.add_column("_diff", DataType::String);
    for c in want.iter().chain(got.iter()).flat_map(|t| t.columns.iter()) {
        builder.add_column(&c.label, c.data.data_type());
    }
    let mut emit = |mark: &str, row: &[(String, Value)]| -> Result<()> {
        let mut r: Vec<(&str, Value)> = vec![("_diff", Value::str(mark))];
        r.extend(row.iter().map(|(l, v)| (l.as_str(), v.clone())));
        builder.push_row(&r)
    };
    let (mut x, mut y) = (0, 0);
    while x < n || y < m {
        if x < n && y < m && same_row(&key, &w[x], &g[y]) {
            emit("", &w[x])?;
            x += 1;
            y += 1;
        } else if x < n && (y == m || lcs[x + 1][y] >= lcs[x][y + 1]) {
            emit("-", &w[x])?;
            x += 1;
        } else {
            emit("+", &g[y])?;
            y += 1;
        }
    }
    Ok(Some(builder.build()))
}
