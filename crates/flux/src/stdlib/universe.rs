//! The universe package: transformations, aggregates and selectors.

use std::collections::HashMap;
use std::sync::Arc;

use edgeflux_flux_syntax::ast::{self, Expression};

use super::helpers::*;
use crate::error::{FluxError, Result};
use crate::eval::{Args, Function, Interp, PendingScan, Stream};
use crate::source::{Predicate, WindowFn, WindowSpec};
use crate::table::{Column, ColumnData, DataType, GroupKey, Table, TableBuilder};
use crate::time::{self, Duration};
use crate::value::{Record, Value};

// ------------------------------------------------------------------ sources

pub fn from(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let bucket = match (a.opt_string("bucket")?, a.opt_string("bucketID")?) {
        (Some(b), _) => b,
        (None, Some(id)) => id,
        _ => return Err(FluxError::invalid("must specify one of bucket or bucketID")),
    };
    Ok(Value::Stream(Arc::new(Stream::Scan(PendingScan {
        bucket,
        range: None,
        predicate: None,
        group: None,
    }))))
}

pub fn range(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let start = time_arg(i, a.req("start")?, "start")?;
    let stop = match a.get("stop") {
        Some(v) => time_arg(i, v, "stop")?,
        None => i.now,
    };
    let input = a.take("tables").ok_or_else(|| a.missing("tables"))?;
    let previous_range = i.range_bounds.replace((start, stop));
    if let Value::Stream(s) = &input {
        if let Stream::Scan(p) = &**s {
            if p.range.is_none() && p.predicate.is_none() {
                let mut p = p.clone();
                p.range = Some((start, stop));
                return Ok(Value::Stream(Arc::new(Stream::Scan(p))));
            }
        }
    }
    let tables = i.take_tables(input, "range")?;
    let (start0, stop0) = (start, stop);
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        // Flux merges a range that directly follows another into their intersection;
        // bounds that came with the data (csv.from, window) are replaced.
        let (start, stop) = match (t.key.get("_start"), t.key.get("_stop"), previous_range) {
            (Some(Value::Time(s0)), Some(Value::Time(e0)), Some(p)) if p == (*s0, *e0) => {
                (start0.max(*s0), stop0.min(*e0))
            }
            _ => (start0, stop0),
        };
        let mut t = match t.column("_time").map(|c| &c.data) {
            Some(ColumnData::Time(ts)) => {
                let mask: Vec<bool> = ts
                    .iter()
                    .map(|x| x.is_some_and(|x| x >= start && x < stop))
                    .collect();
                t.filter_rows(&mask)
            }
            _ => {
                return Err(FluxError::invalid(
                    "range error: could not find _time column",
                ))
            }
        };
        let n = t.len();
        for (label, v) in [("_start", start), ("_stop", stop)] {
            let col = Column::new(label, ColumnData::Time(vec![Some(v); n]));
            if let Some(ix) = t.column_index(label) {
                t.columns[ix] = col;
            } else {
                let pos = if label == "_start" {
                    0
                } else {
                    1.min(t.columns.len())
                };
                t.columns.insert(pos, col);
            }
            match t.key.cols.iter_mut().find(|(l, _)| l == label) {
                Some(slot) => slot.1 = Value::Time(v),
                None => t.key.cols.push((label.to_string(), Value::Time(v))),
            }
        }
        out.push(t);
    }
    Ok(stream(out))
}

// ------------------------------------------------------------------ filter

/// Turns `(r) => r.tag == "x" and r._field =~ /y/` into a storage predicate.
fn pushdown_predicate(i: &mut Interp, f: &Function) -> Option<Predicate> {
    let Function::Closure { expr, env } = f else {
        return None;
    };
    if expr.params.len() != 1 {
        return None;
    }
    let param = expr.params[0].key.name.clone();
    let ast::FunctionBody::Expression(body) = &expr.body else {
        return None;
    };
    fn column_of<'e>(e: &'e Expression, param: &str) -> Option<&'e str> {
        match e {
            Expression::Member(m) => match &m.object {
                Expression::Identifier(id) if id.name == param => Some(m.property.name()),
                _ => None,
            },
            Expression::Paren(p) => column_of(&p.expression, param),
            _ => None,
        }
    }
    fn mentions(e: &Expression, param: &str) -> bool {
        match e {
            Expression::Identifier(id) => id.name == param,
            Expression::String(_)
            | Expression::Regex(_)
            | Expression::Integer(_)
            | Expression::Float(_) => false,
            Expression::Member(m) => mentions(&m.object, param),
            Expression::Paren(p) => mentions(&p.expression, param),
            _ => true,
        }
    }
    fn walk(
        i: &mut Interp,
        e: &Expression,
        param: &str,
        env: &crate::eval::EnvRef,
    ) -> Option<Predicate> {
        match e {
            Expression::Paren(p) => walk(i, &p.expression, param, env),
            Expression::Logical(l) => {
                let a = walk(i, &l.left, param, env)?;
                let b = walk(i, &l.right, param, env)?;
                Some(match l.operator {
                    ast::LogicalOperator::And => Predicate::And(Box::new(a), Box::new(b)),
                    ast::LogicalOperator::Or => Predicate::Or(Box::new(a), Box::new(b)),
                })
            }
            Expression::Binary(b) => {
                let (col, other) = match (column_of(&b.left, param), column_of(&b.right, param)) {
                    (Some(c), None) => (c, &b.right),
                    (None, Some(c))
                        if matches!(
                            b.operator,
                            ast::BinaryOperator::Eq | ast::BinaryOperator::NotEq
                        ) =>
                    {
                        (c, &b.left)
                    }
                    _ => return None,
                };
                if matches!(col, "_value" | "_time" | "_start" | "_stop") || mentions(other, param)
                {
                    return None;
                }
                let v = i.eval(other, env).ok()?;
                match (b.operator, v) {
                    (ast::BinaryOperator::Eq, Value::String(s)) => {
                        Some(Predicate::Eq(col.into(), s.to_string()))
                    }
                    (ast::BinaryOperator::NotEq, Value::String(s)) => {
                        Some(Predicate::NotEq(col.into(), s.to_string()))
                    }
                    (ast::BinaryOperator::RegexMatch, Value::Regex(r)) => {
                        Some(Predicate::Match(col.into(), r))
                    }
                    (ast::BinaryOperator::NotRegexMatch, Value::Regex(r)) => {
                        Some(Predicate::NotMatch(col.into(), r))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
    walk(i, body, &param, env)
}

pub fn filter(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let f = a.func("fn")?;
    let keep_empty = a.string_or("onEmpty", "drop")? == "keep";
    let input = a.take("tables").ok_or_else(|| a.missing("tables"))?;
    if let Value::Stream(s) = &input {
        if let Stream::Scan(p) = &**s {
            if p.range.is_some() {
                if let Some(pred) = pushdown_predicate(i, &f) {
                    let mut p = p.clone();
                    p.predicate = Some(match p.predicate.take() {
                        Some(old) => Predicate::And(Box::new(old), Box::new(pred)),
                        None => pred,
                    });
                    return Ok(Value::Stream(Arc::new(Stream::Scan(p))));
                }
            }
        }
    }
    let tables = i.take_tables(input, "filter")?;
    let param = row_param(&f);
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        let labels = labels(&t);
        let mut mask = Vec::with_capacity(t.len());
        let mut any = false;
        for r in 0..t.len() {
            let rec = row_record(&t, &labels, r);
            let keep = match call_row(i, &f, &param, rec)? {
                Value::Bool(b) => b,
                Value::Null => false,
                other => {
                    return Err(FluxError::invalid(format!(
                        "filter function must return a bool, got {}",
                        other.type_name()
                    )))
                }
            };
            any |= keep;
            mask.push(keep);
        }
        if any {
            out.push(t.filter_rows(&mask));
        } else if keep_empty {
            out.push(t.slice_rows(0, 0));
        }
    }
    Ok(stream(out))
}

// ------------------------------------------------------------------ yield

pub fn yield_(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let name = a.string_or("name", "_result")?;
    let input = a.take("tables").ok_or_else(|| a.missing("tables"))?;
    let tables = i.take_tables(input, "yield")?;
    crate::eval::add_result(i, &name, tables.clone())?;
    Ok(stream(tables))
}

// ------------------------------------------------------------------ map & columns

pub fn map(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let f = a.func("fn")?;
    let tables = input(i, a)?;
    let param = row_param(&f);
    let mut out: Vec<Table> = Vec::new();
    for t in tables {
        let labels = labels(&t);
        let mut builders: Vec<(Vec<u8>, TableBuilder)> = Vec::new();
        for r in 0..t.len() {
            let rec = row_record(&t, &labels, r);
            let res = call_row(i, &f, &param, rec)?;
            let Value::Record(res) = res else {
                return Err(FluxError::invalid(format!(
                    "map function must return a record, got {}",
                    res.type_name()
                )));
            };
            let key = GroupKey {
                cols: t
                    .key
                    .cols
                    .iter()
                    .filter_map(|(l, _)| res.get(l).map(|v| (l.clone(), v.clone())))
                    .collect(),
            };
            let kb = key.canonical();
            let idx = match builders.iter().position(|(k, _)| *k == kb) {
                Some(x) => x,
                None => {
                    builders.push((kb, TableBuilder::new(key)));
                    builders.len() - 1
                }
            };
            let row: Vec<(&str, Value)> =
                res.fields.iter().map(|(k, v)| (&**k, v.clone())).collect();
            builders[idx].1.push_row(&row)?;
        }
        if builders.is_empty() {
            continue;
        }
        for (_, b) in builders {
            let mut t = b.build();
            retain_key(&mut t);
            out.push(t);
        }
    }
    Ok(stream(merge_by_key(out)?))
}

fn column_selector(
    i: &mut Interp,
    a: &Args,
) -> Result<Box<dyn Fn(&mut Interp, &str) -> Result<bool>>> {
    if let Some(cols) = a.strings("columns")? {
        return Ok(Box::new(move |_, l| Ok(cols.iter().any(|c| c == l))));
    }
    let _ = i;
    let f = a.func("fn")?;
    Ok(Box::new(move |i, l| {
        let p = f
            .param_names()
            .into_iter()
            .next()
            .unwrap_or_else(|| "column".into());
        Ok(matches!(
            i.call(&f, vec![(p, Value::str(l))], None)?,
            Value::Bool(true)
        ))
    }))
}

pub fn keep(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let sel = column_selector(i, a)?;
    let tables = input(i, a)?;
    let mut out = Vec::with_capacity(tables.len());
    for mut t in tables {
        let mut cols = Vec::new();
        for c in std::mem::take(&mut t.columns) {
            if sel(i, &c.label)? {
                cols.push(c);
            }
        }
        t.columns = cols;
        retain_key(&mut t);
        out.push(t);
    }
    Ok(stream(merge_by_key(out)?))
}

pub fn drop(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let sel = column_selector(i, a)?;
    let tables = input(i, a)?;
    let mut out = Vec::with_capacity(tables.len());
    for mut t in tables {
        let mut cols = Vec::new();
        for c in std::mem::take(&mut t.columns) {
            if !sel(i, &c.label)? {
                cols.push(c);
            }
        }
        t.columns = cols;
        retain_key(&mut t);
        out.push(t);
    }
    Ok(stream(merge_by_key(out)?))
}

pub fn rename(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let mapping: Option<Arc<Record>> = match a.get("columns") {
        Some(Value::Record(r)) => Some(r.clone()),
        Some(v) => {
            return Err(FluxError::invalid(format!(
                "rename: columns must be a record, got {}",
                v.type_name()
            )))
        }
        None => None,
    };
    let f = if mapping.is_none() {
        Some(a.func("fn")?)
    } else {
        None
    };
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for mut t in tables {
        if let Some(m) = &mapping {
            for (old, _) in &m.fields {
                if t.column(old).is_none() {
                    return Err(FluxError::invalid(format!(
                        "rename: rename error: column \"{old}\" doesn't exist"
                    )));
                }
            }
        }
        for c in t.columns.iter_mut() {
            let new = match (&mapping, &f) {
                (Some(m), _) => m.get(&c.label).and_then(|v| v.as_str().map(String::from)),
                (None, Some(f)) => {
                    let p = f
                        .param_names()
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| "column".into());
                    match i.call(f, vec![(p, Value::str(&c.label))], None)? {
                        Value::String(s) => Some(s.to_string()),
                        _ => None,
                    }
                }
                _ => None,
            };
            if let Some(new) = new {
                for (l, _) in t.key.cols.iter_mut() {
                    if *l == c.label {
                        *l = new.clone();
                    }
                }
                c.label = new;
            }
        }
        out.push(t);
    }
    Ok(stream(out))
}

pub fn duplicate(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let col = a.string("column")?;
    let as_ = a.string("as")?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for mut t in tables {
        let Some(c) = t.column(&col).cloned() else {
            return Err(FluxError::invalid(format!(
                "duplicate: column \"{col}\" does not exist"
            )));
        };
        set_column(&mut t, Column::new(as_.clone(), c.data));
        if let Some(v) = t.key.get(&col).cloned() {
            if let Some(slot) = t.key.cols.iter_mut().find(|(l, _)| *l == as_) {
                slot.1 = v;
            }
        }
        out.push(t);
    }
    Ok(stream(out))
}

pub fn set(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let key = a.string("key")?;
    let value = a.req("value")?.clone();
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for mut t in tables {
        let n = t.len();
        if let Some(c) = const_column(&key, &value, n) {
            set_column(&mut t, c);
        }
        if let Some(slot) = t.key.cols.iter_mut().find(|(l, _)| *l == key) {
            slot.1 = value.clone();
        }
        out.push(t);
    }
    Ok(stream(merge_by_key(out)?))
}

// ------------------------------------------------------------------ grouping

pub fn group(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let columns = a.strings("columns")?.unwrap_or_default();
    let mode = a.string_or("mode", "by")?;
    let by = mode == "by";
    if !by && mode != "except" {
        return Err(FluxError::invalid(format!("unknown group mode {mode:?}")));
    }
    let input_v = a.take("tables").ok_or_else(|| a.missing("tables"))?;
    // group(columns: [tags]) right after a scan stays pending so aggregateWindow can still
    // use the store's window aggregates when every group is one series.
    if let Value::Stream(s) = &input_v {
        if let Stream::Scan(p) = &**s {
            if by
                && p.range.is_some()
                && p.group.is_none()
                && columns.iter().all(|c| !c.starts_with('_'))
            {
                let mut p = p.clone();
                p.group = Some(columns);
                return Ok(Value::Stream(Arc::new(Stream::Scan(p))));
            }
        }
    }
    let tables = i.take_tables(input_v, "group")?;
    Ok(stream(regroup(tables, &columns, by)?))
}

/// Per-series window aggregates regrouped by tag columns, when every group holds exactly one
/// series (else `None`: the caller aggregates the merged groups itself).
fn regroup_single_series(tables: Vec<Table>, cols: &[String]) -> Option<Vec<Table>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(tables.len());
    for mut t in tables {
        let key = GroupKey {
            cols: t
                .columns
                .iter()
                .filter(|c| cols.contains(&c.label))
                .map(|c| {
                    (
                        c.label.clone(),
                        t.key.get(&c.label).cloned().unwrap_or(Value::Null),
                    )
                })
                .collect(),
        };
        if !seen.insert(key.canonical()) {
            return None;
        }
        t.columns.retain(|c| {
            cols.contains(&c.label)
                || matches!(c.label.as_str(), "_start" | "_stop" | "_time" | "_value")
        });
        t.key = key;
        out.push(t);
    }
    Some(out)
}

/// Regroups tables by `columns` (mode "by") or by all other columns (mode "except").
pub fn regroup(tables: Vec<Table>, columns: &[String], by: bool) -> Result<Vec<Table>> {
    let mut out: Vec<Table> = Vec::new();
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    for t in tables {
        let key_labels: Vec<String> = t
            .columns
            .iter()
            .map(|c| c.label.clone())
            .filter(|l| columns.contains(l) == by)
            .collect();
        // Fast path: every new key column is constant in this table (part of its key).
        if key_labels.iter().all(|l| t.key.contains(l)) {
            let cols = key_labels
                .iter()
                .map(|l| (l.clone(), t.key.get(l).cloned().unwrap_or(Value::Null)))
                .collect();
            let mut t = t;
            t.key = GroupKey { cols };
            let kb = t.key.canonical();
            match index.get(&kb) {
                Some(&o) => append_owned(&mut out[o], t)?,
                None => {
                    index.insert(kb, out.len());
                    out.push(t);
                }
            }
            continue;
        }
        // Split rows by their new key.
        let n = t.len();
        let mut parts: Vec<(GroupKey, Vec<usize>)> = Vec::new();
        let mut pidx: HashMap<Vec<u8>, usize> = HashMap::new();
        if n == 0 {
            let k = key_of(&t, &key_labels, 0);
            parts.push((k, Vec::new()));
        }
        for r in 0..n {
            let k = key_of(&t, &key_labels, r);
            let kb = k.canonical();
            match pidx.get(&kb) {
                Some(&p) => parts[p].1.push(r),
                None => {
                    pidx.insert(kb, parts.len());
                    parts.push((k, vec![r]));
                }
            }
        }
        for (k, rows) in parts {
            let mut sub = t.take_rows(&rows);
            sub.key = k;
            let kb = sub.key.canonical();
            match index.get(&kb) {
                Some(&o) => append_owned(&mut out[o], sub)?,
                None => {
                    index.insert(kb, out.len());
                    out.push(sub);
                }
            }
        }
    }
    Ok(out)
}

// ------------------------------------------------------------------ row selection

pub fn limit(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let n = a.int("n")?.max(0) as usize;
    let offset = a.int_or("offset", 0)?.max(0) as usize;
    let tables = input(i, a)?;
    Ok(stream(
        tables
            .into_iter()
            .map(|t| {
                let len = t.len();
                let s = offset.min(len);
                t.slice_rows(s, (s + n).min(len))
            })
            .collect(),
    ))
}

pub fn tail(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let n = a.int("n")?.max(0) as usize;
    let offset = a.int_or("offset", 0)?.max(0) as usize;
    let tables = input(i, a)?;
    Ok(stream(
        tables
            .into_iter()
            .map(|t| {
                let len = t.len();
                let end = len.saturating_sub(offset);
                t.slice_rows(end.saturating_sub(n), end)
            })
            .collect(),
    ))
}

pub(crate) fn sort_indices(t: &Table, cols: &[String], desc: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..t.len()).collect();
    let cs: Vec<&ColumnData> = cols
        .iter()
        .filter_map(|c| t.column(c).map(|c| &c.data))
        .collect();
    idx.sort_by(|&x, &y| {
        for c in &cs {
            let o = c.get(x).sort_cmp(&c.get(y));
            if o != std::cmp::Ordering::Equal {
                return if desc { o.reverse() } else { o };
            }
        }
        std::cmp::Ordering::Equal
    });
    idx
}

pub fn sort(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let cols = a
        .strings("columns")?
        .unwrap_or_else(|| vec!["_value".into()]);
    let desc = a.bool_or("desc", false)?;
    let tables = input(i, a)?;
    Ok(stream(
        tables
            .into_iter()
            .map(|t| {
                let idx = sort_indices(&t, &cols, desc);
                t.take_rows(&idx)
            })
            .collect(),
    ))
}

fn top_bottom(i: &mut Interp, a: &mut Args, desc: bool) -> Result<Value> {
    let n = a.int("n")?.max(0) as usize;
    let cols = a
        .strings("columns")?
        .unwrap_or_else(|| vec!["_value".into()]);
    let tables = input(i, a)?;
    Ok(stream(
        tables
            .into_iter()
            .map(|t| {
                let mut idx = sort_indices(&t, &cols, desc);
                idx.truncate(n);
                t.take_rows(&idx)
            })
            .collect(),
    ))
}

pub fn top(i: &mut Interp, a: &mut Args) -> Result<Value> {
    top_bottom(i, a, true)
}
pub fn bottom(i: &mut Interp, a: &mut Args) -> Result<Value> {
    top_bottom(i, a, false)
}

pub fn unique(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let col = a.string_or("column", "_value")?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let Some(c) = t.column(&col) else {
            out.push(t);
            continue;
        };
        let mut seen = std::collections::HashSet::new();
        let mut idx = Vec::new();
        for r in 0..t.len() {
            let mut k = Vec::new();
            c.data.get(r).key_bytes(&mut k);
            if seen.insert(k) {
                idx.push(r);
            }
        }
        out.push(t.take_rows(&idx));
    }
    Ok(stream(out))
}

pub fn distinct(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let col = a.string_or("column", "_value")?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let mut cols: Vec<Column> = Vec::new();
        let Some(c) = t.column(&col) else { continue };
        let mut seen = std::collections::HashSet::new();
        let mut idx = Vec::new();
        for r in 0..t.len() {
            let mut k = Vec::new();
            c.data.get(r).key_bytes(&mut k);
            if seen.insert(k) {
                idx.push(r);
            }
        }
        let n = idx.len();
        for kc in &t.columns {
            if t.key.contains(&kc.label) && kc.label != "_value" {
                let v = t.key.get(&kc.label).cloned().unwrap_or(Value::Null);
                cols.push(Column::new(
                    kc.label.clone(),
                    ColumnData::repeat(kc.data.data_type(), &v, n),
                ));
            }
        }
        cols.push(Column::new("_value", c.data.take(&idx)));
        let mut key = t.key.clone();
        key.cols.retain(|(l, _)| l != "_value");
        out.push(Table::new(key, cols));
    }
    Ok(stream(out))
}

// ------------------------------------------------------------------ aggregates

/// Aggregates (one value per table) and selectors (one row per table), by name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Agg {
    Count,
    Sum,
    Mean,
    Median,
    Spread,
    Stddev,
    Min,
    Max,
    First,
    Last,
}

impl Agg {
    pub fn from_name(n: &str) -> Option<Agg> {
        Some(match n {
            "count" => Agg::Count,
            "sum" => Agg::Sum,
            "mean" => Agg::Mean,
            "median" => Agg::Median,
            "spread" => Agg::Spread,
            "stddev" => Agg::Stddev,
            "min" => Agg::Min,
            "max" => Agg::Max,
            "first" => Agg::First,
            "last" => Agg::Last,
            _ => return None,
        })
    }
    pub fn is_selector(self) -> bool {
        matches!(self, Agg::Min | Agg::Max | Agg::First | Agg::Last)
    }
    pub fn window_fn(self) -> Option<WindowFn> {
        Some(match self {
            Agg::Count => WindowFn::Count,
            Agg::Sum => WindowFn::Sum,
            Agg::Mean => WindowFn::Mean,
            Agg::Min => WindowFn::Min,
            Agg::Max => WindowFn::Max,
            Agg::First => WindowFn::First,
            Agg::Last => WindowFn::Last,
            _ => return None,
        })
    }
}

/// The selected row of a selector over `rows` of `c`.
pub fn select_row(agg: Agg, c: &ColumnData, rows: &[usize]) -> Option<usize> {
    match agg {
        Agg::First => rows.iter().copied().find(|&r| !c.is_null(r)),
        Agg::Last => rows.iter().rev().copied().find(|&r| !c.is_null(r)),
        Agg::Min | Agg::Max => {
            let mut best: Option<usize> = None;
            macro_rules! pick {
                ($v:expr) => {{
                    for &r in rows {
                        if let Some(x) = $v[r] {
                            let better = match best.and_then(|b| $v[b]) {
                                None => true,
                                Some(bv) => {
                                    if agg == Agg::Min {
                                        x < bv
                                    } else {
                                        x > bv
                                    }
                                }
                            };
                            if better {
                                best = Some(r);
                            }
                        }
                    }
                }};
            }
            match c {
                ColumnData::Float(v) => pick!(v),
                ColumnData::Int(v) => pick!(v),
                ColumnData::UInt(v) => pick!(v),
                ColumnData::Time(v) => pick!(v),
                ColumnData::String(v) => {
                    for &r in rows {
                        if let Some(x) = v.get(r) {
                            let better = match best.and_then(|b| v.get(b)) {
                                None => true,
                                Some(bv) => {
                                    if agg == Agg::Min {
                                        x < bv
                                    } else {
                                        x > bv
                                    }
                                }
                            };
                            if better {
                                best = Some(r);
                            }
                        }
                    }
                }
                ColumnData::Bool(v) => pick!(v),
            }
            best
        }
        _ => None,
    }
}

fn floats(c: &ColumnData, rows: &[usize]) -> Option<Vec<f64>> {
    Some(match c {
        ColumnData::Float(v) => rows.iter().filter_map(|&r| v[r]).collect(),
        ColumnData::Int(v) => rows
            .iter()
            .filter_map(|&r| v[r].map(|x| x as f64))
            .collect(),
        ColumnData::UInt(v) => rows
            .iter()
            .filter_map(|&r| v[r].map(|x| x as f64))
            .collect(),
        _ => return None,
    })
}

/// The value of an aggregate over `rows` of `c` (selectors are handled by `select_row`).
pub fn aggregate(agg: Agg, c: &ColumnData, rows: &[usize], label: &str) -> Result<Value> {
    let unsupported = || {
        FluxError::invalid(format!(
            "unsupported input type for {:?} aggregate: {} (column \"{label}\")",
            agg,
            c.data_type().flux_name()
        ))
    };
    Ok(match agg {
        // Flux counts every record, null values included.
        Agg::Count => Value::Int(rows.len() as i64),
        Agg::Sum => match c {
            ColumnData::Float(v) => {
                let mut any = false;
                let s: f64 = rows
                    .iter()
                    .filter_map(|&r| v[r])
                    .inspect(|_| any = true)
                    .sum();
                if any {
                    Value::Float(s)
                } else {
                    Value::Null
                }
            }
            ColumnData::Int(v) => {
                let mut any = false;
                let s = rows
                    .iter()
                    .filter_map(|&r| v[r])
                    .inspect(|_| any = true)
                    .fold(0i64, |a, b| a.wrapping_add(b));
                if any {
                    Value::Int(s)
                } else {
                    Value::Null
                }
            }
            ColumnData::UInt(v) => {
                let mut any = false;
                let s = rows
                    .iter()
                    .filter_map(|&r| v[r])
                    .inspect(|_| any = true)
                    .fold(0u64, |a, b| a.wrapping_add(b));
                if any {
                    Value::UInt(s)
                } else {
                    Value::Null
                }
            }
            _ => return Err(unsupported()),
        },
        Agg::Mean => {
            let xs = floats(c, rows).ok_or_else(unsupported)?;
            if xs.is_empty() {
                Value::Null
            } else {
                Value::Float(xs.iter().sum::<f64>() / xs.len() as f64)
            }
        }
        Agg::Median => {
            let mut xs = floats(c, rows).ok_or_else(unsupported)?;
            quantile_value(&mut xs, 0.5, "estimate_tdigest", DEFAULT_COMPRESSION)
        }
        Agg::Spread => match c {
            ColumnData::Int(v) => {
                let xs: Vec<i64> = rows.iter().filter_map(|&r| v[r]).collect();
                match (xs.iter().min(), xs.iter().max()) {
                    (Some(a), Some(b)) => Value::Int(b - a),
                    _ => Value::Null,
                }
            }
            ColumnData::UInt(v) => {
                let xs: Vec<u64> = rows.iter().filter_map(|&r| v[r]).collect();
                match (xs.iter().min(), xs.iter().max()) {
                    (Some(a), Some(b)) => Value::UInt(b - a),
                    _ => Value::Null,
                }
            }
            _ => {
                let xs = floats(c, rows).ok_or_else(unsupported)?;
                if xs.is_empty() {
                    Value::Null
                } else {
                    let mn = xs.iter().cloned().fold(f64::INFINITY, f64::min);
                    let mx = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    Value::Float(mx - mn)
                }
            }
        },
        Agg::Stddev => {
            let xs = floats(c, rows).ok_or_else(unsupported)?;
            stddev(&xs, "sample")
        }
        Agg::Min | Agg::Max | Agg::First | Agg::Last => match select_row(agg, c, rows) {
            Some(r) => c.get(r),
            None => Value::Null,
        },
    })
}

fn stddev(xs: &[f64], mode: &str) -> Value {
    let n = xs.len();
    if n == 0 || (mode == "sample" && n < 2) {
        return Value::Null;
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
    let d = if mode == "population" {
        n as f64
    } else {
        (n - 1) as f64
    };
    Value::Float((ss / d).sqrt())
}

pub fn quantile_value(xs: &mut [f64], q: f64, method: &str, compression: f64) -> Value {
    if xs.is_empty() {
        return Value::Null;
    }
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let n = xs.len();
    match method {
        "exact_selector" => {
            let idx = ((q * n as f64).ceil() as usize)
                .saturating_sub(1)
                .min(n - 1);
            Value::Float(xs[idx])
        }
        "estimate_tdigest" => {
            super::tdigest::estimate(xs, q, compression).map_or(Value::Null, Value::Float)
        }
        _ => {
            let pos = q * (n - 1) as f64;
            let lo = pos.floor() as usize;
            let hi = pos.ceil() as usize;
            let frac = pos - lo as f64;
            Value::Float(xs[lo] + (xs[hi] - xs[lo]) * frac)
        }
    }
}

/// Applies an aggregate or selector to every table.
pub fn apply_agg(tables: Vec<Table>, agg: Agg, column: &str) -> Result<Vec<Table>> {
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        let rows: Vec<usize> = (0..t.len()).collect();
        let Some(ci) = t.column_index(column) else {
            if t.is_empty() {
                continue;
            }
            return Err(FluxError::invalid(format!(
                "column \"{column}\" does not exist"
            )));
        };
        if matches!(agg, Agg::Min | Agg::Max)
            && matches!(
                t.columns[ci].data.data_type(),
                DataType::String | DataType::Bool
            )
        {
            let (name, sel) = if agg == Agg::Max {
                ("max", "MaxSelector")
            } else {
                ("min", "MinSelector")
            };
            return Err(FluxError::invalid(format!(
                "{name}: invalid use of function: *universe.{sel} has no implementation for type {}",
                t.columns[ci].data.data_type().flux_name()
            )));
        }
        if agg.is_selector() {
            match select_row(agg, &t.columns[ci].data, &rows) {
                Some(r) => out.push(t.take_rows(&[r])),
                None => out.push(t.slice_rows(0, 0)),
            }
            continue;
        }
        let v = aggregate(agg, &t.columns[ci].data, &rows, column)?;
        let out_type = match agg {
            Agg::Count => DataType::Int,
            Agg::Mean | Agg::Median | Agg::Stddev => DataType::Float,
            _ => t.columns[ci].data.data_type(),
        };
        let mut cols = Vec::new();
        for c in &t.columns {
            if t.key.contains(&c.label) && c.label != column {
                let kv = t.key.get(&c.label).cloned().unwrap_or(Value::Null);
                cols.push(Column::new(
                    c.label.clone(),
                    ColumnData::repeat(c.data.data_type(), &kv, 1),
                ));
            }
        }
        cols.push(Column::new(column, ColumnData::repeat(out_type, &v, 1)));
        out.push(Table::new(t.key.clone(), cols));
    }
    Ok(out)
}

fn agg_fn(i: &mut Interp, a: &mut Args, agg: Agg) -> Result<Value> {
    let column = a.string_or("column", "_value")?;
    let input_v = a.take("tables").ok_or_else(|| a.missing("tables"))?;
    if let (Agg::First | Agg::Last, "_value", Value::Stream(s)) = (agg, column.as_str(), &input_v) {
        if let Stream::Scan(p) = &**s {
            let f = if agg == Agg::First {
                WindowFn::First
            } else {
                WindowFn::Last
            };
            if let Some(t) = i.run_scan_selector(p, f)? {
                return Ok(stream(t));
            }
        }
    }
    let tables = i.take_tables(input_v, a.fname)?;
    Ok(stream(apply_agg(tables, agg, &column)?))
}

macro_rules! agg_builtin {
    ($name:ident, $agg:expr) => {
        pub fn $name(i: &mut Interp, a: &mut Args) -> Result<Value> {
            agg_fn(i, a, $agg)
        }
    };
}
agg_builtin!(count, Agg::Count);
agg_builtin!(sum, Agg::Sum);
agg_builtin!(mean, Agg::Mean);
agg_builtin!(median_, Agg::Median);
agg_builtin!(spread, Agg::Spread);
agg_builtin!(min, Agg::Min);
agg_builtin!(max, Agg::Max);
agg_builtin!(first, Agg::First);
agg_builtin!(last, Agg::Last);

pub fn median(i: &mut Interp, a: &mut Args) -> Result<Value> {
    if a.has("method") || a.has("compression") {
        a.items.push(("q".into(), Value::Float(0.5)));
        return quantile(i, a);
    }
    median_(i, a)
}

pub fn stddev_fn(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let column = a.string_or("column", "_value")?;
    let mode = a.string_or("mode", "sample")?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in apply_agg(tables.clone(), Agg::Stddev, &column)?
        .into_iter()
        .zip(tables)
    {
        let (mut r, src) = t;
        if let Some(c) = src.column(&column) {
            let rows: Vec<usize> = (0..src.len()).collect();
            let xs = floats(&c.data, &rows).unwrap_or_default();
            let v = stddev(&xs, &mode);
            if let Some(ix) = r.column_index(&column) {
                r.columns[ix].data = ColumnData::repeat(DataType::Float, &v, 1);
            }
        }
        out.push(r);
    }
    Ok(stream(out))
}

/// The t-digest compression Flux uses unless `compression` is given.
const DEFAULT_COMPRESSION: f64 = 1000.0;

pub fn quantile(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let column = a.string_or("column", "_value")?;
    let q = a.float("q")?;
    let method = a.string_or("method", "estimate_tdigest")?;
    if !(0.0..=1.0).contains(&q) {
        return Err(FluxError::invalid("quantile must be between 0 and 1"));
    }
    let compression = match a.get("compression") {
        Some(Value::Float(c)) if *c > 0.0 => {
            if method != "estimate_tdigest" {
                return Err(FluxError::invalid(
                    "compression parameter is only valid for method estimate_tdigest",
                ));
            }
            *c
        }
        _ => DEFAULT_COMPRESSION,
    };
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let Some(c) = t.column(&column) else { continue };
        let rows: Vec<usize> = (0..t.len()).collect();
        if method == "exact_selector" {
            let mut idx: Vec<usize> = rows
                .iter()
                .copied()
                .filter(|&r| !c.data.is_null(r))
                .collect();
            idx.sort_by(|&x, &y| c.data.get(x).sort_cmp(&c.data.get(y)));
            if idx.is_empty() {
                out.push(t.slice_rows(0, 0));
                continue;
            }
            let n = idx.len();
            let k = ((q * n as f64).ceil() as usize)
                .saturating_sub(1)
                .min(n - 1);
            out.push(t.take_rows(&[idx[k]]));
            continue;
        }
        let mut xs = floats(&c.data, &rows)
            .ok_or_else(|| FluxError::invalid("quantile: unsupported column type"))?;
        let v = quantile_value(&mut xs, q, &method, compression);
        let mut cols = Vec::new();
        for kc in &t.columns {
            if t.key.contains(&kc.label) && kc.label != column {
                let kv = t.key.get(&kc.label).cloned().unwrap_or(Value::Null);
                cols.push(Column::new(
                    kc.label.clone(),
                    ColumnData::repeat(kc.data.data_type(), &kv, 1),
                ));
            }
        }
        cols.push(Column::new(
            column.clone(),
            ColumnData::repeat(DataType::Float, &v, 1),
        ));
        out.push(Table::new(t.key.clone(), cols));
    }
    Ok(stream(out))
}

// ------------------------------------------------------------------ windows

struct WindowArgs {
    every: Duration,
    period: Duration,
    offset: Duration,
    create_empty: bool,
    loc: Loc,
}

/// The time zone windows are computed in (`location` argument or option).
#[derive(Clone, Debug)]
pub enum Loc {
    Utc,
    Fixed(i64),
    Named(jiff::tz::TimeZone),
}

impl Loc {
    /// From a `timezone.location()`/`timezone.fixed()` record.
    pub fn from_value(v: Option<&Value>) -> Result<Loc> {
        let Some(Value::Record(r)) = v else {
            return Ok(Loc::Utc);
        };
        let zone = r.get("zone").and_then(|z| z.as_str()).unwrap_or("UTC");
        let off = match r.get("offset") {
            Some(Value::Duration(d)) => d.nanos,
            _ => 0,
        };
        if zone == "UTC" || zone.is_empty() {
            return Ok(if off == 0 { Loc::Utc } else { Loc::Fixed(off) });
        }
        jiff::tz::TimeZone::get(zone)
            .map(Loc::Named)
            .map_err(|e| FluxError::invalid(format!("invalid location {zone:?}: {e}")))
    }
    /// Wall-clock time as if it were UTC.
    pub(crate) fn to_local(&self, t: i64) -> i64 {
        match self {
            Loc::Utc => t,
            Loc::Fixed(o) => t.saturating_add(*o),
            Loc::Named(tz) => match jiff::Timestamp::from_nanosecond(t as i128) {
                Ok(ts) => t.saturating_add(tz.to_offset(ts).seconds() as i64 * 1_000_000_000),
                Err(_) => t,
            },
        }
    }
    /// The instant of a wall-clock time: in a fold the earlier one, in a gap the transition.
    pub(crate) fn instant_of(&self, l: i64) -> i64 {
        match self {
            Loc::Utc => l,
            Loc::Fixed(o) => l.saturating_sub(*o),
            Loc::Named(tz) => {
                use jiff::tz::AmbiguousOffset as A;
                const NS: i64 = 1_000_000_000;
                let Ok(ts) = jiff::Timestamp::from_second(l.div_euclid(NS)) else {
                    return l;
                };
                let dt = ts.to_zoned(jiff::tz::TimeZone::UTC).datetime();
                let minus = |o: jiff::tz::Offset| l.saturating_sub(o.seconds() as i64 * NS);
                match tz.to_ambiguous_timestamp(dt).offset() {
                    A::Unambiguous { offset } => minus(offset),
                    A::Fold { before, .. } => minus(before),
                    // A clock time the zone skips: Flux cuts the window at the transition.
                    A::Gap { after, .. } => jiff::Timestamp::from_nanosecond(minus(after) as i128)
                        .ok()
                        .and_then(|from| tz.following(from).next())
                        .map_or(minus(after), |tr| tr.timestamp().as_nanosecond() as i64),
                }
            }
        }
    }
}

fn window_args(a: &Args, default_empty: bool) -> Result<WindowArgs> {
    let every = a.opt_duration("every")?;
    let period = a.opt_duration("period")?;
    let (every, period) = match (every, period) {
        (Some(e), Some(p)) => (e, p),
        (Some(e), None) => (e, e),
        (None, Some(p)) => (p, p),
        (None, None) => return Err(FluxError::invalid("window function requires at least one of \"every\" or \"period\" to be set and non-zero")),
    };
    if every.is_zero() || every.is_negative() {
        return Err(FluxError::invalid(
            "duration used as an interval cannot be zero or negative",
        ));
    }
    let mut offset = a.opt_duration("offset")?.unwrap_or_default();
    let mut loc = Loc::from_value(a.get("location"))?;
    // A fixed location only moves the windows' zero (Flux subtracts its offset, months
    // included, from the window offset); named zones map clock times instead.
    if let (Loc::Utc | Loc::Fixed(_), Some(Value::Record(r))) = (&loc, a.get("location")) {
        if let Some(Value::Duration(d)) = r.get("offset") {
            offset = Duration {
                months: offset.months - d.months,
                nanos: offset.nanos.saturating_sub(d.nanos),
            };
            loc = Loc::Utc;
        }
    }
    Ok(WindowArgs {
        every,
        period,
        offset,
        create_empty: a.bool_or("createEmpty", default_empty)?,
        loc,
    })
}

/// Most empty windows one table may produce.
const MAX_WINDOWS: usize = 1_000_000;

/// The windows a table's rows fall into: (start, stop, row indices), in time order.
fn assign_windows(
    t: &Table,
    w: &WindowArgs,
    time_col: &str,
) -> Result<Vec<(i64, i64, Vec<usize>)>> {
    let (lo, hi) = match key_bounds(t) {
        Some(b) => b,
        None if w.create_empty => bounds(t).unwrap_or((i64::MIN, i64::MAX)),
        None => (i64::MIN, i64::MAX),
    };
    let times = match t.column(time_col).map(|c| &c.data) {
        Some(ColumnData::Time(ts)) => ts,
        Some(_) => {
            return Err(FluxError::invalid(format!(
                "column \"{time_col}\" is not of type time"
            )))
        }
        None => {
            if t.is_empty() {
                return Ok(Vec::new());
            }
            return Err(FluxError::invalid(format!(
                "missing time column \"{time_col}\""
            )));
        }
    };
    let real_bounds = (lo, hi);
    let local_times: Vec<Option<i64>>;
    let (times, lo, hi) = if matches!(w.loc, Loc::Utc) {
        (times, lo, hi)
    } else {
        local_times = times.iter().map(|t| t.map(|t| w.loc.to_local(t))).collect();
        let conv = |x: i64| {
            if x == i64::MIN || x == i64::MAX {
                x
            } else {
                w.loc.to_local(x)
            }
        };
        (&local_times, conv(lo), conv(hi))
    };
    let single = w.period == w.every && w.every.months == 0;
    let sorted = matches!(w.loc, Loc::Utc)
        && times
            .windows(2)
            .all(|p| matches!(p, [Some(a), Some(b)] if a <= b));
    if single && sorted && !w.create_empty {
        let mut out: Vec<(i64, i64, Vec<usize>)> = Vec::new();
        let n = times.len();
        let mut r = 0;
        while r < n {
            let Some(ts) = times[r] else {
                r += 1;
                continue;
            };
            let ws = window_start(ts, w.every, w.offset);
            let we = ws.saturating_add(w.every.nanos);
            let mut e = r + 1;
            while e < n && times[e].is_some_and(|x| x < we) {
                e += 1;
            }
            let (cs, ce) = (ws.max(lo), we.min(hi));
            if cs < ce {
                out.push((cs, ce, (r..e).collect()));
            }
            r = e;
        }
        return Ok(out);
    }
    let mut map: std::collections::BTreeMap<i64, Vec<usize>> = std::collections::BTreeMap::new();
    for (r, ts) in times.iter().enumerate() {
        let Some(ts) = *ts else { continue };
        let last_start = window_start(ts, w.every, w.offset);
        if single {
            map.entry(last_start).or_default().push(r);
            continue;
        }
        // overlapping windows (period > every): walk back while the window still covers ts
        let mut s = last_start;
        loop {
            let stop = time::add_duration(s, w.period);
            if stop <= ts {
                break;
            }
            map.entry(s).or_default().push(r);
            s = time::add_duration(s, w.every.negated());
        }
    }
    if w.create_empty && lo != i64::MIN && hi != i64::MAX {
        let mut s = window_start(lo, w.every, w.offset);
        // include earlier windows whose period still reaches lo
        while time::add_duration(s, w.period) > lo && s > lo - w.period.nanos - 1 {
            let prev = time::add_duration(s, w.every.negated());
            if time::add_duration(prev, w.period) > lo {
                s = prev;
            } else {
                break;
            }
        }
        let mut guard = 0;
        if w.every.months == 0
            && (hi.saturating_sub(s) / w.every.nanos.max(1)) as usize > MAX_WINDOWS
        {
            guard = MAX_WINDOWS;
        }
        while s < hi {
            // A bound on empty windows instead of exhausting memory (influxdb#21064).
            if guard >= MAX_WINDOWS {
                return Err(FluxError::invalid(format!(
                    "window: more than {MAX_WINDOWS} windows per table; use a larger every or createEmpty: false"
                )));
            }
            map.entry(s).or_default();
            s = time::add_duration(s, w.every);
            guard += 1;
        }
    }
    let mut out = Vec::with_capacity(map.len());
    let _ = (lo, hi);
    let (lo, hi) = real_bounds;
    for (s, mut rows) in map {
        rows.sort_unstable();
        let e = time::add_duration(s, w.period);
        let (s, e) = (w.loc.instant_of(s), w.loc.instant_of(e));
        let (cs, ce) = (s.max(lo), e.min(hi));
        if cs >= ce {
            continue;
        }
        out.push((cs, ce, rows));
    }
    Ok(out)
}

pub fn window(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let time_col = a.string_or("timeColumn", "_time")?;
    let start_col = a.string_or("startColumn", "_start")?;
    let stop_col = a.string_or("stopColumn", "_stop")?;
    let inf = matches!(a.get("every"), Some(Value::Duration(d)) if d.nanos == i64::MAX);
    let tables = input(i, a)?;
    if inf {
        // window(every: inf): one window per series again, bounds from the data
        let mut out = Vec::new();
        for mut t in tables {
            t.key
                .cols
                .retain(|(l, _)| *l != start_col && *l != stop_col);
            out.push(t);
        }
        let mut merged = merge_by_key(out)?;
        if let Some((s0, e0)) = i.range_bounds {
            for t in merged.iter_mut() {
                let n = t.len();
                for (l, v) in [(&start_col, s0), (&stop_col, e0)] {
                    set_column(
                        t,
                        Column::new(l.clone(), ColumnData::Time(vec![Some(v); n])),
                    );
                    t.key.cols.push((l.clone(), Value::Time(v)));
                }
            }
            return Ok(stream(merged));
        }
        for t in merged.iter_mut() {
            for (l, idx) in [(&start_col, 0), (&stop_col, 1)] {
                if let Some(c) = t.column(l) {
                    let ColumnData::Time(v) = &c.data else {
                        continue;
                    };
                    let b = if idx == 0 {
                        v.iter().flatten().min().copied()
                    } else {
                        v.iter().flatten().max().copied()
                    };
                    if let Some(b) = b {
                        t.key.cols.push((l.clone(), Value::Time(b)));
                    }
                }
            }
        }
        return Ok(stream(merged));
    }
    if !a.has("location") {
        if let Some(l) = i.option_values.get("location").cloned() {
            a.items.push(("location".into(), l));
        }
    }
    let w = window_args(a, false)?;
    let mut out = Vec::new();
    for t in tables {
        for (s, e, rows) in assign_windows(&t, &w, &time_col)? {
            let mut sub = t.take_rows(&rows);
            let n = sub.len();
            for (label, v) in [(&start_col, s), (&stop_col, e)] {
                set_column(
                    &mut sub,
                    Column::new(label.clone(), ColumnData::Time(vec![Some(v); n])),
                );
                match sub.key.cols.iter_mut().find(|(l, _)| l == label) {
                    Some(slot) => slot.1 = Value::Time(v),
                    None => sub.key.cols.push((label.clone(), Value::Time(v))),
                }
            }
            out.push(sub);
        }
    }
    Ok(stream(out))
}

pub fn aggregate_window(i: &mut Interp, a: &mut Args) -> Result<Value> {
    if !a.has("location") {
        if let Some(l) = i.option_values.get("location").cloned() {
            a.items.push(("location".into(), l));
        }
    }
    let w = window_args(a, true)?;
    let column = a.string_or("column", "_value")?;
    let time_src = a.string_or("timeSrc", "_stop")?;
    let time_dst = a.string_or("timeDst", "_time")?;
    let f = a.func("fn")?;
    let agg = match &*f {
        Function::Builtin { name, .. } => Agg::from_name(name),
        _ => None,
    };
    let input_v = a.take("tables").ok_or_else(|| a.missing("tables"))?;
    // Pushdown to the Source's window aggregates.
    if let (Some(agg), Value::Stream(s)) = (agg, &input_v) {
        if let (Stream::Scan(p), Some(func)) = (&**s, agg.window_fn()) {
            if column == "_value"
                && time_src == "_stop"
                && time_dst == "_time"
                && w.period == w.every
                && matches!(w.loc, Loc::Utc)
            {
                let spec = WindowSpec {
                    every: w.every,
                    offset: w.offset,
                    func,
                    create_empty: w.create_empty,
                };
                if let Some(t) = i.run_scan_window(p, &spec)? {
                    match &p.group {
                        None => return Ok(stream(t)),
                        Some(cols) => {
                            if let Some(mut t) = regroup_single_series(t, cols) {
                                key_window_bounds(&mut t);
                                return Ok(stream(t));
                            }
                        }
                    }
                }
            }
        }
    }
    let tables = i.take_tables(input_v, "aggregateWindow")?;
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        let windows = assign_windows(&t, &w, "_time")?;
        let Some(ci) = t.column_index(&column) else {
            if t.is_empty() {
                continue;
            }
            return Err(FluxError::invalid(format!(
                "column \"{column}\" does not exist"
            )));
        };
        match agg {
            Some(agg) if agg.is_selector() => {
                let mut rows = Vec::new();
                let mut stops = Vec::new();
                for (ws, we, rs) in &windows {
                    let e = if time_src == "_start" { ws } else { we };
                    if let Some(r) = select_row(agg, &t.columns[ci].data, rs) {
                        rows.push(Some(r));
                        stops.push(*e);
                    } else if w.create_empty {
                        rows.push(None);
                        stops.push(*e);
                    }
                }
                let mut cols = Vec::new();
                for c in &t.columns {
                    let mut data = ColumnData::with_capacity(c.data.data_type(), rows.len());
                    for r in &rows {
                        match r {
                            Some(r) => data.push(&c.data.get(*r))?,
                            None => {
                                if t.key.contains(&c.label) {
                                    data.push(&t.key.get(&c.label).cloned().unwrap_or(Value::Null))?
                                } else {
                                    data.push_null()
                                }
                            }
                        }
                    }
                    cols.push(Column::new(c.label.clone(), data));
                }
                let mut nt = Table::new(t.key.clone(), cols);
                set_column(
                    &mut nt,
                    Column::new(
                        time_dst.clone(),
                        ColumnData::Time(stops.into_iter().map(Some).collect()),
                    ),
                );
                out.push(nt);
            }
            Some(agg) => {
                let out_type = match agg {
                    Agg::Count => DataType::Int,
                    Agg::Mean | Agg::Median | Agg::Stddev => DataType::Float,
                    _ => t.columns[ci].data.data_type(),
                };
                let mut vals = ColumnData::with_capacity(out_type, windows.len());
                let mut stops = Vec::with_capacity(windows.len());
                for (ws, we, rs) in &windows {
                    let e = if time_src == "_start" { ws } else { we };
                    if rs.is_empty() && !w.create_empty {
                        continue;
                    }
                    let v = aggregate(agg, &t.columns[ci].data, rs, &column)?;
                    vals.push(&v)?;
                    stops.push(Some(*e));
                }
                let n = stops.len();
                let mut cols = Vec::new();
                let mut placed_time = false;
                for c in &t.columns {
                    if c.label == column {
                        if !placed_time && time_dst == "_time" && t.column_index("_time").is_none()
                        {
                            cols.push(Column::new(
                                time_dst.clone(),
                                ColumnData::Time(stops.clone()),
                            ));
                            placed_time = true;
                        }
                        cols.push(Column::new(
                            column.clone(),
                            std::mem::replace(&mut vals, ColumnData::new(out_type)),
                        ));
                    } else if c.label == time_dst {
                        cols.push(Column::new(
                            time_dst.clone(),
                            ColumnData::Time(stops.clone()),
                        ));
                        placed_time = true;
                    } else if t.key.contains(&c.label) {
                        let kv = t.key.get(&c.label).cloned().unwrap_or(Value::Null);
                        cols.push(Column::new(
                            c.label.clone(),
                            ColumnData::repeat(c.data.data_type(), &kv, n),
                        ));
                    } else if (c.label == "_start" || c.label == "_stop") && !c.data.is_empty() {
                        // bounds of a regrouped series are kept as plain columns
                        let v = c.data.get(0);
                        cols.push(Column::new(
                            c.label.clone(),
                            ColumnData::repeat(c.data.data_type(), &v, n),
                        ));
                    }
                }
                if !placed_time {
                    cols.push(Column::new(time_dst.clone(), ColumnData::Time(stops)));
                }
                out.push(Table::new(t.key.clone(), cols));
            }
            None => {
                // A user function: run it on each window as its own table.
                let mut parts = Vec::new();
                for (s, e, rs) in &windows {
                    let mut sub = t.take_rows(rs);
                    let n = sub.len();
                    set_column(
                        &mut sub,
                        Column::new("_start", ColumnData::Time(vec![Some(*s); n])),
                    );
                    set_column(
                        &mut sub,
                        Column::new("_stop", ColumnData::Time(vec![Some(*e); n])),
                    );
                    let res = i.call(
                        &f,
                        vec![("column".into(), Value::str(&column))],
                        Some(stream(vec![sub])),
                    )?;
                    for mut r in i.tables(&res, "aggregateWindow")? {
                        let n = r.len();
                        if let Some(src) = r.column(&time_src).cloned() {
                            set_column(&mut r, Column::new(time_dst.clone(), src.data));
                        } else {
                            set_column(
                                &mut r,
                                Column::new(time_dst.clone(), ColumnData::Time(vec![Some(*e); n])),
                            );
                        }
                        // restore the series' bounds
                        for (l, v) in t.key.cols.iter() {
                            if l == "_start" || l == "_stop" {
                                if let Some(c) = const_column(l, v, n) {
                                    set_column(&mut r, c);
                                }
                            }
                        }
                        r.key = t.key.clone();
                        parts.push(r);
                    }
                }
                out.extend(merge_by_key(parts)?);
            }
        }
    }
    key_window_bounds(&mut out);
    Ok(stream(out))
}

/// Flux ends aggregateWindow with window(every: inf), which keys every table by its
/// _start and _stop even when an earlier group() had dropped them from the key.
fn key_window_bounds(tables: &mut [Table]) {
    for t in tables.iter_mut() {
        for label in ["_start", "_stop"] {
            if t.key.contains(label) || t.is_empty() {
                continue;
            }
            if let Some(c) = t.column(label) {
                let v = c.data.get(0);
                t.key.cols.push((label.to_string(), v));
            }
        }
    }
}

// ------------------------------------------------------------------ reshaping

pub fn pivot(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let row_key = a.strings("rowKey")?.ok_or_else(|| a.missing("rowKey"))?;
    let col_key = a
        .strings("columnKey")?
        .ok_or_else(|| a.missing("columnKey"))?;
    let value_col = a.string("valueColumn")?;
    let tables = input(i, a)?;
    // Group by the key minus columnKey (tables of a group may hold different value types).
    let mut groups: Vec<(GroupKey, Vec<Table>)> = Vec::new();
    {
        let mut idx: HashMap<Vec<u8>, usize> = HashMap::new();
        for mut t in tables {
            t.key
                .cols
                .retain(|(l, _)| !col_key.contains(l) && *l != value_col);
            let k = t.key.canonical();
            match idx.get(&k) {
                Some(&g) => groups[g].1.push(t),
                None => {
                    idx.insert(k, groups.len());
                    groups.push((t.key.clone(), vec![t]));
                }
            }
        }
    }
    let mut out = Vec::new();
    for (key, tables) in groups {
        // output rows: (row key bytes) -> (first table, first row)
        let mut rows: Vec<(usize, usize)> = Vec::new();
        let mut row_index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut new_cols: Vec<(String, Vec<Value>)> = Vec::new();
        let mut col_index: HashMap<String, usize> = HashMap::new();
        for (ti, t) in tables.iter().enumerate() {
            let Some(vc) = t.column(&value_col) else {
                continue;
            };
            let rk: Vec<&ColumnData> = row_key
                .iter()
                .filter_map(|c| t.column(c).map(|c| &c.data))
                .collect();
            let ck: Vec<&ColumnData> = col_key
                .iter()
                .filter_map(|c| t.column(c).map(|c| &c.data))
                .collect();
            for r in 0..t.len() {
                let mut kb = Vec::new();
                for c in &rk {
                    c.get(r).key_bytes(&mut kb);
                }
                let orow = *row_index.entry(kb).or_insert_with(|| {
                    rows.push((ti, r));
                    rows.len() - 1
                });
                let name = ck
                    .iter()
                    .map(|c| c.get(r).to_string())
                    .collect::<Vec<_>>()
                    .join("_");
                let ci = *col_index.entry(name.clone()).or_insert_with(|| {
                    new_cols.push((name, Vec::new()));
                    new_cols.len() - 1
                });
                let slots = &mut new_cols[ci].1;
                if slots.len() <= orow {
                    slots.resize(orow + 1, Value::Null);
                }
                slots[orow] = vc.data.get(r);
            }
        }
        if rows.is_empty() {
            continue;
        }
        let n = rows.len();
        let first = &tables[rows[0].0];
        let mut cols = Vec::new();
        for c in &first.columns {
            if key.contains(&c.label) || row_key.contains(&c.label) {
                let mut data = ColumnData::with_capacity(c.data.data_type(), n);
                for (ti, r) in &rows {
                    let v = tables[*ti]
                        .column(&c.label)
                        .map(|x| x.data.get(*r))
                        .unwrap_or(Value::Null);
                    data.push(&v)?;
                }
                cols.push(Column::new(c.label.clone(), data));
            }
        }
        for (name, mut vals) in new_cols {
            vals.resize(n, Value::Null);
            let ty = vals
                .iter()
                .find_map(DataType::of)
                .unwrap_or(DataType::Float);
            let mut data = ColumnData::with_capacity(ty, n);
            for v in &vals {
                data.push(v)?;
            }
            set_column_keep(&mut cols, Column::new(name, data));
        }
        let mut tbl = Table::new(key, cols);
        let idx = sort_indices(&tbl, &row_key, false);
        tbl = tbl.take_rows(&idx);
        out.push(tbl);
    }
    Ok(stream(out))
}

fn set_column_keep(cols: &mut Vec<Column>, c: Column) {
    if let Some(x) = cols.iter_mut().find(|x| x.label == c.label) {
        *x = c;
    } else {
        cols.push(c);
    }
}

pub fn union(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let Some(Value::Array(arr)) = a.get("tables").cloned() else {
        return Err(a.missing("tables"));
    };
    if arr.len() < 2 {
        return Err(FluxError::invalid("union needs at least two streams"));
    }
    let mut all = Vec::new();
    for v in arr.iter() {
        all.extend(i.tables(v, "union")?);
    }
    Ok(stream(merge_by_key(all)?))
}

pub fn fill(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let column = a.string_or("column", "_value")?;
    let use_prev = a.bool_or("usePrevious", false)?;
    let value = a.get("value").cloned();
    if !use_prev && value.is_none() {
        return Err(FluxError::invalid(
            "fill requires one of value or usePrevious",
        ));
    }
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for mut t in tables {
        let Some(ci) = t.column_index(&column) else {
            out.push(t);
            continue;
        };
        let n = t.len();
        let old = t.columns[ci].data.clone();
        let mut data = ColumnData::with_capacity(old.data_type(), n);
        let mut prev = Value::Null;
        for r in 0..n {
            let v = old.get(r);
            if v.is_null() {
                let fillv = if use_prev {
                    prev.clone()
                } else {
                    value.clone().unwrap_or(Value::Null)
                };
                data.push(&fillv).map_err(|_| {
                    FluxError::invalid(format!(
                        "fill: value type {} does not match column type {}",
                        fillv.type_name(),
                        old.data_type().flux_name()
                    ))
                })?;
            } else {
                prev = v.clone();
                data.push(&v)?;
            }
        }
        t.columns[ci].data = data;
        out.push(t);
    }
    Ok(stream(out))
}

// ------------------------------------------------------------------ time series math

pub(crate) fn f64_col(c: &ColumnData) -> Option<Vec<Option<f64>>> {
    Some(match c {
        ColumnData::Float(v) => v.clone(),
        ColumnData::Int(v) => v.iter().map(|x| x.map(|x| x as f64)).collect(),
        ColumnData::UInt(v) => v.iter().map(|x| x.map(|x| x as f64)).collect(),
        _ => return None,
    })
}

fn time_col(t: &Table, name: &str) -> Result<Vec<Option<i64>>> {
    match t.column(name).map(|c| &c.data) {
        Some(ColumnData::Time(v)) => Ok(v.clone()),
        _ => Err(FluxError::invalid(format!(
            "missing time column \"{name}\""
        ))),
    }
}

pub fn difference(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let non_neg = a.bool_or("nonNegative", false)?;
    let keep_first = a.bool_or("keepFirst", false)?;
    let columns = a
        .strings("columns")?
        .unwrap_or_else(|| vec!["_value".into()]);
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let n = t.len();
        let mut nt = t.clone();
        for col in &columns {
            let Some(ci) = t.column_index(col) else {
                continue;
            };
            let data = &t.columns[ci].data;
            let new = match data {
                ColumnData::Int(v) | ColumnData::Time(v) => {
                    ColumnData::Int(differences(v, |x, p| x.wrapping_sub(p), non_neg))
                }
                ColumnData::UInt(v) => ColumnData::Int(differences(
                    v,
                    |x, p| (x as i64).wrapping_sub(p as i64),
                    non_neg,
                )),
                ColumnData::Float(v) => ColumnData::Float(differences(v, |x, p| x - p, non_neg)),
                _ => {
                    return Err(FluxError::invalid(format!(
                        "difference: unsupported type for column \"{col}\""
                    )))
                }
            };
            nt.columns[ci].data = new;
        }
        if !keep_first && n > 0 {
            nt = nt.slice_rows(1, n);
        }
        out.push(nt);
    }
    Ok(stream(out))
}

/// Each row's difference from the previous non-null row (null for the first, for nulls,
/// and, with `non_neg`, for negative differences), as `difference()` defines it.
fn differences<T: Copy, D: Copy + PartialOrd + Default>(
    v: &[Option<T>],
    sub: impl Fn(T, T) -> D,
    non_neg: bool,
) -> Vec<Option<D>> {
    let mut prev: Option<T> = None;
    v.iter()
        .map(|x| {
            let x = (*x)?;
            let d = prev.map(|p| sub(x, p));
            prev = Some(x);
            d.filter(|d| !(non_neg && *d < D::default()))
        })
        .collect()
}

pub fn derivative(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let unit = a
        .opt_duration("unit")?
        .unwrap_or(Duration::from_nanos(1_000_000_000));
    let non_neg = a.bool_or("nonNegative", false)?;
    // With nonNegative, a decrease yields 0 instead of null.
    let initial_zero = a.bool_or("initialZero", false)?;
    let columns = a
        .strings("columns")?
        .unwrap_or_else(|| vec!["_value".into()]);
    let tcol = a.string_or("timeColumn", "_time")?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let times = time_col(&t, &tcol)?;
        let n = t.len();
        let mut keep = vec![false; n];
        let mut nt = t.clone();
        let mut first = true;
        for col in &columns {
            let Some(ci) = t.column_index(col) else {
                continue;
            };
            let Some(vals) = f64_col(&t.columns[ci].data) else {
                return Err(FluxError::invalid(format!(
                    "unsupported derivative column type for \"{col}\""
                )));
            };
            let mut o = vec![None; n];
            let mut prev: Option<(i64, f64)> = None;
            for r in 0..n {
                let (Some(ts), Some(v)) = (times[r], vals[r]) else {
                    continue;
                };
                if let Some((pt, pv)) = prev {
                    if ts == pt {
                        continue;
                    }
                    let d = (v - pv) / ((ts - pt) as f64 / unit.nanos as f64);
                    if !(non_neg && d < 0.0) {
                        o[r] = Some(d);
                    } else if initial_zero {
                        o[r] = Some(0.0);
                    }
                    if first {
                        keep[r] = true;
                    }
                }
                prev = Some((ts, v));
            }
            first = false;
            nt.columns[ci].data = ColumnData::Float(o);
        }
        out.push(nt.filter_rows(&keep));
    }
    Ok(stream(out))
}

pub fn cumulative_sum(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let columns = a
        .strings("columns")?
        .unwrap_or_else(|| vec!["_value".into()]);
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for mut t in tables {
        for col in &columns {
            let Some(ci) = t.column_index(col) else {
                continue;
            };
            let new = match &t.columns[ci].data {
                ColumnData::Float(v) => {
                    let mut s = 0.0;
                    ColumnData::Float(
                        v.iter()
                            .map(|x| {
                                x.map(|x| {
                                    s += x;
                                    s
                                })
                            })
                            .collect(),
                    )
                }
                ColumnData::Int(v) => {
                    let mut s = 0i64;
                    ColumnData::Int(
                        v.iter()
                            .map(|x| {
                                x.map(|x| {
                                    s = s.wrapping_add(x);
                                    s
                                })
                            })
                            .collect(),
                    )
                }
                ColumnData::UInt(v) => {
                    let mut s = 0u64;
                    ColumnData::UInt(
                        v.iter()
                            .map(|x| {
                                x.map(|x| {
                                    s = s.wrapping_add(x);
                                    s
                                })
                            })
                            .collect(),
                    )
                }
                _ => {
                    return Err(FluxError::invalid(format!(
                        "cumulativeSum: unsupported type for column \"{col}\""
                    )))
                }
            };
            t.columns[ci].data = new;
        }
        out.push(t);
    }
    Ok(stream(out))
}

pub fn moving_average(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let n = a.int("n")?;
    if n <= 0 {
        return Err(FluxError::invalid(
            "moving average period must be greater than zero",
        ));
    }
    let n = n as usize;
    let column = a.string_or("column", "_value")?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let Some(ci) = t.column_index(&column) else {
            continue;
        };
        let Some(vals) = f64_col(&t.columns[ci].data) else {
            return Err(FluxError::invalid("movingAverage: unsupported column type"));
        };
        let len = t.len();
        if len == 0 {
            continue;
        }
        if len < n {
            let w: Vec<f64> = vals.iter().flatten().copied().collect();
            let avg = if w.is_empty() {
                None
            } else {
                Some(w.iter().sum::<f64>() / w.len() as f64)
            };
            let mut nt = t.slice_rows(len - 1, len);
            nt.columns[ci].data = ColumnData::Float(vec![avg]);
            out.push(nt);
            continue;
        }
        let mut o = Vec::with_capacity(len - n + 1);
        for end in n..=len {
            let w: Vec<f64> = vals[end - n..end].iter().flatten().copied().collect();
            o.push(if w.is_empty() {
                None
            } else {
                Some(w.iter().sum::<f64>() / w.len() as f64)
            });
        }
        let mut nt = t.slice_rows(n - 1, len);
        nt.columns[ci].data = ColumnData::Float(o);
        out.push(nt);
    }
    Ok(stream(out))
}

pub fn elapsed(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let unit = a
        .opt_duration("unit")?
        .unwrap_or(Duration::from_nanos(1_000_000_000));
    let tcol = a.string_or("timeColumn", "_time")?;
    let name = a.string_or("columnName", "elapsed")?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let times = time_col(&t, &tcol)?;
        let n = t.len();
        if n == 0 {
            continue;
        }
        let mut o = Vec::with_capacity(n - 1);
        for r in 1..n {
            o.push(match (times[r], times[r - 1]) {
                (Some(x), Some(y)) => Some((x - y) / unit.nanos.max(1)),
                _ => None,
            });
        }
        let mut nt = t.slice_rows(1, n);
        nt.columns
            .push(Column::new(name.clone(), ColumnData::Int(o)));
        out.push(nt);
    }
    Ok(stream(out))
}

pub fn increase(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let columns = a
        .strings("columns")?
        .unwrap_or_else(|| vec!["_value".into()]);
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let n = t.len();
        let mut nt = t.clone();
        for col in &columns {
            let Some(ci) = t.column_index(col) else {
                continue;
            };
            let Some(vals) = f64_col(&t.columns[ci].data) else {
                continue;
            };
            let mut o = Vec::with_capacity(n);
            let mut acc = 0.0;
            let mut prev: Option<f64> = None;
            for v in vals {
                match (v, prev) {
                    (Some(v), Some(p)) => {
                        acc += if v >= p { v - p } else { v };
                        o.push(Some(acc));
                        prev = Some(v);
                    }
                    (Some(v), None) => {
                        o.push(Some(0.0));
                        prev = Some(v);
                    }
                    (None, _) => o.push(None),
                }
            }
            nt.columns[ci].data = ColumnData::Float(o);
        }
        let _ = n;
        out.push(nt);
    }
    Ok(stream(out))
}

pub fn integral(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let unit = a
        .opt_duration("unit")?
        .unwrap_or(Duration::from_nanos(1_000_000_000));
    let column = a.string_or("column", "_value")?;
    let tcol = a.string_or("timeColumn", "_time")?;
    let interp = a.string_or("interpolate", "")?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let Some(ci) = t.column_index(&column) else {
            continue;
        };
        let times = time_col(&t, &tcol)?;
        let vals = f64_col(&t.columns[ci].data)
            .ok_or_else(|| FluxError::invalid("integral: unsupported column type"))?;
        let points: Vec<(f64, f64)> = (0..t.len())
            .filter_map(|r| Some((times[r]? as f64, vals[r]?)))
            .collect();
        let unit = unit.nanos as f64;
        let mut total = 0.0;
        for w in points.windows(2) {
            total += (w[1].1 + w[0].1) / 2.0 * ((w[1].0 - w[0].0) / unit);
        }
        // "linear" extends the curve to the table's bounds: the line through the first
        // two points back to _start, through the last two on to _stop; a single value is
        // taken as constant over the whole range.
        if interp == "linear" {
            if let Some((start, stop)) = key_bounds(&t) {
                let (start, stop) = (start as f64, stop as f64);
                match points.as_slice() {
                    [] => {}
                    [(_, v)] => total = v * (stop - start) / unit,
                    [(t0, v0), (t1, v1), ..] => {
                        let (tn1, vn1) = points[points.len() - 2];
                        let (tn, vn) = points[points.len() - 1];
                        if start < *t0 {
                            let y = v0 - (v1 - v0) / (t1 - t0) * (t0 - start);
                            total += 0.5 * (y + v0) * (t0 - start) / unit;
                        }
                        let y = vn + (vn - vn1) / (tn - tn1) * (stop - tn);
                        total += 0.5 * (y + vn) * (stop - tn) / unit;
                    }
                }
            }
        }
        let mut cols = Vec::new();
        for c in &t.columns {
            if t.key.contains(&c.label) && c.label != column {
                let kv = t.key.get(&c.label).cloned().unwrap_or(Value::Null);
                cols.push(Column::new(
                    c.label.clone(),
                    ColumnData::repeat(c.data.data_type(), &kv, 1),
                ));
            }
        }
        cols.push(Column::new(
            column.clone(),
            ColumnData::Float(vec![Some(total)]),
        ));
        out.push(Table::new(t.key.clone(), cols));
    }
    Ok(stream(out))
}

pub fn timed_moving_average(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let every = a.duration("every")?;
    let period = a.duration("period")?;
    let column = a.string_or("column", "_value")?;
    let tables = input(i, a)?;
    let w = WindowArgs {
        loc: Loc::Utc,
        every,
        period,
        offset: Duration::default(),
        create_empty: true,
    };
    let mut out = Vec::new();
    for t in tables {
        let Some(ci) = t.column_index(&column) else {
            continue;
        };
        let windows = assign_windows(&t, &w, "_time")?;
        let mut b_vals = Vec::new();
        let mut stops = Vec::new();
        for (_, e, rs) in &windows {
            let v = aggregate(Agg::Mean, &t.columns[ci].data, rs, &column)?;
            b_vals.push(match v {
                Value::Float(f) => Some(f),
                _ => None,
            });
            stops.push(Some(*e));
        }
        let n = stops.len();
        let mut cols = Vec::new();
        for c in &t.columns {
            if t.key.contains(&c.label) {
                let kv = t.key.get(&c.label).cloned().unwrap_or(Value::Null);
                cols.push(Column::new(
                    c.label.clone(),
                    ColumnData::repeat(c.data.data_type(), &kv, n),
                ));
            }
        }
        cols.push(Column::new("_time", ColumnData::Time(stops)));
        cols.push(Column::new(column.clone(), ColumnData::Float(b_vals)));
        out.push(Table::new(t.key.clone(), cols));
    }
    Ok(stream(out))
}

pub fn truncate_time_column(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let unit = a.duration("unit")?;
    let tcol = a.string_or("timeColumn", "_time")?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for mut t in tables {
        if let Some(ci) = t.column_index(&tcol) {
            if let ColumnData::Time(v) = &t.columns[ci].data {
                let nv = v
                    .iter()
                    .map(|x| x.map(|x| window_start(x, unit, Duration::default())))
                    .collect();
                t.columns[ci].data = ColumnData::Time(nv);
            }
        }
        out.push(t);
    }
    Ok(stream(out))
}

pub fn time_shift(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let d = a.duration("duration")?;
    let columns = a
        .strings("columns")?
        .unwrap_or_else(|| vec!["_start".into(), "_stop".into(), "_time".into()]);
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for mut t in tables {
        for c in t.columns.iter_mut() {
            if columns.contains(&c.label) {
                if let ColumnData::Time(v) = &c.data {
                    c.data = ColumnData::Time(
                        v.iter()
                            .map(|x| x.map(|x| time::add_duration(x, d)))
                            .collect(),
                    );
                }
            }
        }
        for (l, v) in t.key.cols.iter_mut() {
            if columns.contains(l) {
                if let Value::Time(x) = v {
                    *x = time::add_duration(*x, d);
                }
            }
        }
        out.push(t);
    }
    Ok(stream(out))
}

// ------------------------------------------------------------------ table introspection

pub fn columns(i: &mut Interp, a: &mut Args) -> Result<Value> {
    list_labels(i, a, |t| {
        t.columns.iter().map(|c| c.label.as_str()).collect()
    })
}

pub fn keys(i: &mut Interp, a: &mut Args) -> Result<Value> {
    list_labels(i, a, |t| {
        let mut labels: Vec<&str> = t.key.cols.iter().map(|(l, _)| l.as_str()).collect();
        labels.sort_unstable();
        labels
    })
}

/// `columns()` and `keys()`: per table, the group-key columns plus one string column
/// (`column`, default `_value`) listing the labels `labels_of` picks, one per row.
fn list_labels(
    i: &mut Interp,
    a: &mut Args,
    labels_of: impl Fn(&Table) -> Vec<&str>,
) -> Result<Value> {
    let column = a.string_or("column", "_value")?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let labels: Vec<Option<Arc<str>>> = labels_of(&t)
            .into_iter()
            .map(|l| Some(Arc::from(l)))
            .collect();
        let mut cols = key_columns(&t, labels.len(), &[]);
        cols.push(Column::new(
            column.clone(),
            ColumnData::String(labels.into_iter().collect()),
        ));
        out.push(Table::new(t.key.clone(), cols));
    }
    Ok(stream(out))
}

pub fn table_find(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let f = a.func("fn")?;
    let tables = input(i, a)?;
    let p = f
        .param_names()
        .into_iter()
        .next()
        .unwrap_or_else(|| "key".into());
    for t in tables {
        let key = Value::Record(Arc::new(Record {
            fields: t
                .key
                .cols
                .iter()
                .map(|(l, v)| (Arc::from(l.as_str()), v.clone()))
                .collect(),
        }));
        if matches!(i.call(&f, vec![(p.clone(), key)], None)?, Value::Bool(true)) {
            return Ok(stream(vec![t]));
        }
    }
    Err(FluxError::NotFound("no table found".into()))
}

fn single_table(i: &mut Interp, a: &mut Args) -> Result<Table> {
    let tables = input(i, a)?;
    tables
        .into_iter()
        .next()
        .ok_or_else(|| FluxError::NotFound("no table found".into()))
}

pub fn get_column(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let column = a.string("column")?;
    let t = single_table(i, a)?;
    let Some(c) = t.column(&column) else {
        return Err(FluxError::invalid(format!("cannot find column {column}")));
    };
    Ok(Value::Array(Arc::new(
        (0..t.len()).map(|r| c.data.get(r)).collect(),
    )))
}

pub fn get_record(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let idx = a.int("idx")?;
    let t = single_table(i, a)?;
    if idx < 0 || idx as usize >= t.len() {
        return Err(FluxError::invalid(format!("index out of bounds: {idx}")));
    }
    let labels = labels(&t);
    Ok(row_record(&t, &labels, idx as usize))
}

fn find_table(i: &mut Interp, a: &mut Args) -> Result<Option<Table>> {
    let f = a.func("fn")?;
    let tables = input(i, a)?;
    let p = f
        .param_names()
        .into_iter()
        .next()
        .unwrap_or_else(|| "key".into());
    for t in tables {
        let key = Value::Record(Arc::new(Record {
            fields: t
                .key
                .cols
                .iter()
                .map(|(l, v)| (Arc::from(l.as_str()), v.clone()))
                .collect(),
        }));
        if matches!(i.call(&f, vec![(p.clone(), key)], None)?, Value::Bool(true)) {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

pub fn find_column(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let column = a.string("column")?;
    Ok(match find_table(i, a)? {
        Some(t) => match t.column(&column) {
            Some(c) => Value::Array(Arc::new((0..t.len()).map(|r| c.data.get(r)).collect())),
            None => Value::Array(Arc::new(Vec::new())),
        },
        None => Value::Array(Arc::new(Vec::new())),
    })
}

pub fn find_record(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let idx = a.int("idx")?;
    Ok(match find_table(i, a)? {
        Some(t) if idx >= 0 && (idx as usize) < t.len() => {
            let labels = labels(&t);
            row_record(&t, &labels, idx as usize)
        }
        _ => Value::Record(Arc::new(Record::default())),
    })
}

// ------------------------------------------------------------------ join

pub fn join(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let Some(Value::Record(inputs)) = a.get("tables").cloned() else {
        return Err(a.missing("tables"));
    };
    let on = a.strings("on")?.unwrap_or_default();
    if inputs.fields.len() != 2 {
        return Err(FluxError::invalid(
            "join: tables must have exactly two streams",
        ));
    }
    let (na, va) = &inputs.fields[0];
    let (nb, vb) = &inputs.fields[1];
    let ta = i.tables(va, "join")?;
    let tb = i.tables(vb, "join")?;
    inner_join(&ta, &tb, &on, na, nb)
}

fn inner_join(ta: &[Table], tb: &[Table], on: &[String], na: &str, nb: &str) -> Result<Value> {
    let mut out: Vec<Table> = Vec::new();
    let mut out_idx: HashMap<Vec<u8>, usize> = HashMap::new();
    for a in ta {
        for b in tb {
            // group key compatibility on shared `on` key columns
            let compatible = on.iter().all(|c| match (a.key.get(c), b.key.get(c)) {
                (Some(x), Some(y)) => x.flux_eq(y) == Some(true),
                _ => true,
            });
            if !compatible {
                continue;
            }
            let ka: Vec<&ColumnData> = on
                .iter()
                .filter_map(|c| a.column(c).map(|c| &c.data))
                .collect();
            let kb: Vec<&ColumnData> = on
                .iter()
                .filter_map(|c| b.column(c).map(|c| &c.data))
                .collect();
            if ka.len() != on.len() || kb.len() != on.len() {
                continue;
            }
            let mut index: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
            for r in 0..b.len() {
                let mut k = Vec::new();
                for c in &kb {
                    c.get(r).key_bytes(&mut k);
                }
                index.entry(k).or_default().push(r);
            }
            let mut pairs = Vec::new();
            for r in 0..a.len() {
                let mut k = Vec::new();
                for c in &ka {
                    c.get(r).key_bytes(&mut k);
                }
                if let Some(rs) = index.get(&k) {
                    for &s in rs {
                        pairs.push((r, s));
                    }
                }
            }
            if pairs.is_empty() {
                continue;
            }
            let ia: Vec<usize> = pairs.iter().map(|p| p.0).collect();
            let ib: Vec<usize> = pairs.iter().map(|p| p.1).collect();
            let mut cols: Vec<Column> = Vec::new();
            let mut key = GroupKey::default();
            let b_labels: Vec<&str> = b.columns.iter().map(|c| c.label.as_str()).collect();
            let a_labels: Vec<&str> = a.columns.iter().map(|c| c.label.as_str()).collect();
            for c in &a.columns {
                let label = if on.contains(&c.label) || !b_labels.contains(&c.label.as_str()) {
                    c.label.clone()
                } else {
                    format!("{}_{na}", c.label)
                };
                // An `on` column is keyed when either side keys it (equal values on both).
                let keyed = a
                    .key
                    .get(&c.label)
                    .or_else(|| on.contains(&c.label).then(|| b.key.get(&c.label)).flatten());
                if let Some(v) = keyed {
                    key.cols.push((label.clone(), v.clone()));
                }
                cols.push(Column::new(label, c.data.take(&ia)));
            }
            for c in &b.columns {
                if on.contains(&c.label) {
                    continue;
                }
                let label = if a_labels.contains(&c.label.as_str()) {
                    format!("{}_{nb}", c.label)
                } else {
                    c.label.clone()
                };
                if let Some(v) = b.key.get(&c.label) {
                    key.cols.push((label.clone(), v.clone()));
                }
                cols.push(Column::new(label, c.data.take(&ib)));
            }
            let t = Table::new(key, cols);
            let kb2 = t.key.canonical();
            match out_idx.get(&kb2) {
                Some(&o) => append_table(&mut out[o], &t)?,
                None => {
                    out_idx.insert(kb2, out.len());
                    out.push(t);
                }
            }
        }
    }
    // Flux's join emits its tables in group-key order.
    out.sort_by(|x, y| x.key.sort_cmp(&y.key));
    Ok(stream(out))
}

// ------------------------------------------------------------------ scalar builtins

pub fn now(i: &mut Interp, _a: &mut Args) -> Result<Value> {
    Ok(Value::Time(i.now))
}

pub fn length(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    match a.req("arr")? {
        Value::Array(x) => Ok(Value::Int(x.len() as i64)),
        v => Err(FluxError::invalid(format!(
            "length: expected an array, got {}",
            v.type_name()
        ))),
    }
}

pub fn contains(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let v = match a.items.iter().find(|(k, _)| k == "value") {
        Some((_, v)) => v.clone(),
        None => return Err(a.missing("value")),
    };
    if v.is_null() {
        return Ok(Value::Bool(false));
    }
    match a.req("set")? {
        Value::Array(x) => Ok(Value::Bool(x.iter().any(|e| e.flux_eq(&v) == Some(true)))),
        s => Err(FluxError::invalid(format!(
            "contains: set must be an array, got {}",
            s.type_name()
        ))),
    }
}

pub fn buckets(i: &mut Interp, _a: &mut Args) -> Result<Value> {
    let bs = i.source.buckets()?;
    let mut b = TableBuilder::new(GroupKey::default());
    b.add_column("name", DataType::String);
    b.add_column("id", DataType::String);
    b.add_column("organizationID", DataType::String);
    b.add_column("retentionPolicy", DataType::String);
    b.add_column("retentionPeriod", DataType::Int);
    for x in bs {
        b.push_row(&[
            ("name", Value::str(&x.name)),
            ("id", Value::str(&x.id)),
            ("organizationID", Value::str(&x.org_id)),
            ("retentionPolicy", Value::str("")),
            ("retentionPeriod", Value::Int(x.retention_ns)),
        ])?;
    }
    Ok(stream(vec![b.build()]))
}

pub fn die(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    Err(FluxError::invalid(a.string("msg")?))
}
