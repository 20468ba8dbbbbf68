//! More universe functions: reduce, state tracking, sampling, EMA family, histograms,
//! highest/lowest helpers, skew and mode.

use std::sync::Arc;

use super::helpers::*;
use super::universe::{apply_agg, Agg};
use crate::error::{FluxError, Result};
use crate::eval::{Args, Interp};
use crate::table::{Column, ColumnData, DataType, GroupKey, Table, TableBuilder};
use crate::time::Duration;
use crate::value::{Record, Value};

pub fn reduce(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let f = a.func("fn")?;
    let identity = a.req("identity")?.clone();
    let tables = input(i, a)?;
    let params = f.param_names();
    let rp = params
        .iter()
        .find(|p| *p != "accumulator")
        .cloned()
        .unwrap_or_else(|| "r".into());
    let mut out = Vec::new();
    for t in tables {
        let labels = labels(&t);
        let mut acc = identity.clone();
        for r in 0..t.len() {
            let rec = row_record(&t, &labels, r);
            acc = i.call(
                &f,
                vec![(rp.clone(), rec), ("accumulator".into(), acc)],
                None,
            )?;
        }
        let Value::Record(accr) = &acc else {
            return Err(FluxError::invalid("reduce: fn must return a record"));
        };
        let mut b = TableBuilder::new(t.key.clone());
        let mut row: Vec<(&str, Value)> = Vec::new();
        for c in &t.columns {
            if t.key.contains(&c.label) && accr.get(&c.label).is_none() {
                row.push((
                    c.label.as_str(),
                    t.key.get(&c.label).cloned().unwrap_or(Value::Null),
                ));
                b.add_column(&c.label, c.data.data_type());
            }
        }
        for (k, v) in &accr.fields {
            row.push((k, v.clone()));
        }
        b.push_row(&row)?;
        let mut nt = b.build();
        for (l, v) in nt.key.cols.iter_mut() {
            if let Some(nv) = accr.get(l) {
                *v = nv.clone();
            }
        }
        out.push(nt);
    }
    Ok(stream(merge_by_key(out)?))
}

fn state_fn(i: &mut Interp, a: &mut Args, duration: bool) -> Result<Value> {
    let f = a.func("fn")?;
    let column = a.string_or(
        "column",
        if duration {
            "stateDuration"
        } else {
            "stateCount"
        },
    )?;
    let tcol = a.string_or("timeColumn", "_time")?;
    let unit = a
        .opt_duration("unit")?
        .unwrap_or(Duration::from_nanos(1_000_000_000));
    let tables = input(i, a)?;
    let param = row_param(&f);
    let mut out = Vec::new();
    for mut t in tables {
        let labels = labels(&t);
        let times = match t.column(&tcol).map(|c| &c.data) {
            Some(ColumnData::Time(v)) => v.clone(),
            _ if duration => {
                return Err(FluxError::invalid(format!(
                    "column \"{tcol}\" does not exist"
                )))
            }
            _ => vec![None; t.len()],
        };
        let mut vals = Vec::with_capacity(t.len());
        let mut count = 0i64;
        let mut start: Option<i64> = None;
        for r in 0..t.len() {
            let rec = row_record(&t, &labels, r);
            let ok = matches!(call_row(i, &f, &param, rec)?, Value::Bool(true));
            if ok {
                count += 1;
                if start.is_none() {
                    start = times[r];
                }
                vals.push(Some(if duration {
                    match (times[r], start) {
                        (Some(x), Some(s)) => (x - s) / unit.nanos.max(1),
                        _ => 0,
                    }
                } else {
                    count
                }));
            } else {
                count = 0;
                start = None;
                vals.push(Some(-1));
            }
        }
        set_column(&mut t, Column::new(column.clone(), ColumnData::Int(vals)));
        out.push(t);
    }
    Ok(stream(out))
}

pub fn state_count(i: &mut Interp, a: &mut Args) -> Result<Value> {
    state_fn(i, a, false)
}
pub fn state_duration(i: &mut Interp, a: &mut Args) -> Result<Value> {
    state_fn(i, a, true)
}

pub fn sample(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let n = a.int("n")?;
    if n <= 0 {
        return Err(FluxError::invalid("n must be a positive integer"));
    }
    let pos = a.int_or("pos", -1)?;
    if pos >= n {
        return Err(FluxError::invalid(format!(
            "pos must be less than n, got {pos}"
        )));
    }
    let pos = pos.max(0) as usize;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let idx: Vec<usize> = (pos..t.len()).step_by(n as usize).collect();
        if idx.is_empty() {
            continue;
        }
        out.push(t.take_rows(&idx));
    }
    Ok(stream(out))
}

fn highest_lowest(i: &mut Interp, a: &mut Args, agg: Agg, desc: bool) -> Result<Value> {
    let n = a.int("n")?.max(0) as usize;
    let column = a.string_or("column", "_value")?;
    let group_cols = a.strings("groupColumns")?.unwrap_or_default();
    let tables = input(i, a)?;
    // group(columns: groupColumns)
    let mut grouped: Vec<Table> = Vec::new();
    for mut t in tables {
        t.key.cols.retain(|(l, _)| group_cols.contains(l));
        let n = t.len();
        if n > 0 {
            // rows may differ in the group columns; split per distinct key
            let mut parts: Vec<(Vec<u8>, GroupKey, Vec<usize>)> = Vec::new();
            for r in 0..n {
                let k = key_of(&t, &group_cols, r);
                let kb = k.canonical();
                match parts.iter_mut().find(|p| p.0 == kb) {
                    Some(p) => p.2.push(r),
                    None => parts.push((kb, k, vec![r])),
                }
            }
            for (_, k, rows) in parts {
                let mut sub = t.take_rows(&rows);
                sub.key = k;
                grouped.push(sub);
            }
        }
    }
    let grouped = merge_by_key(grouped)?;
    let reduced = apply_agg(grouped, agg, &column)?;
    // keep(columns: groupColumns + [column]) |> group() |> sort |> limit
    let mut all: Option<Table> = None;
    for mut t in reduced {
        t.key = GroupKey::default();
        match &mut all {
            None => all = Some(t),
            Some(x) => append_table(x, &t)?,
        }
    }
    let Some(t) = all else {
        return Ok(stream(Vec::new()));
    };
    let Some(c) = t.column(&column) else {
        return Ok(stream(Vec::new()));
    };
    let mut idx: Vec<usize> = (0..t.len()).collect();
    idx.sort_by(|&x, &y| {
        let o = c.data.get(x).sort_cmp(&c.data.get(y));
        if desc {
            o.reverse()
        } else {
            o
        }
    });
    idx.truncate(n);
    Ok(stream(vec![t.take_rows(&idx)]))
}

pub fn highest_max(i: &mut Interp, a: &mut Args) -> Result<Value> {
    highest_lowest(i, a, Agg::Max, true)
}
pub fn highest_average(i: &mut Interp, a: &mut Args) -> Result<Value> {
    highest_lowest(i, a, Agg::Mean, true)
}
pub fn highest_current(i: &mut Interp, a: &mut Args) -> Result<Value> {
    highest_lowest(i, a, Agg::Last, true)
}
pub fn lowest_min(i: &mut Interp, a: &mut Args) -> Result<Value> {
    highest_lowest(i, a, Agg::Min, false)
}
pub fn lowest_average(i: &mut Interp, a: &mut Args) -> Result<Value> {
    highest_lowest(i, a, Agg::Mean, false)
}
pub fn lowest_current(i: &mut Interp, a: &mut Args) -> Result<Value> {
    highest_lowest(i, a, Agg::Last, false)
}

fn numeric(c: &ColumnData) -> Option<Vec<Option<f64>>> {
    Some(match c {
        ColumnData::Float(v) => v.clone(),
        ColumnData::Int(v) => v.iter().map(|x| x.map(|x| x as f64)).collect(),
        ColumnData::UInt(v) => v.iter().map(|x| x.map(|x| x as f64)).collect(),
        _ => return None,
    })
}

pub fn skew(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let column = a.string_or("column", "_value")?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let Some(c) = t.column(&column) else { continue };
        let xs: Vec<f64> = numeric(&c.data)
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .collect();
        let n = xs.len() as f64;
        let v = if xs.len() < 2 {
            None
        } else {
            let mean = xs.iter().sum::<f64>() / n;
            let m2 = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
            let m3 = xs.iter().map(|x| (x - mean).powi(3)).sum::<f64>() / n;
            Some(m3 / m2.powf(1.5))
        };
        let mut cols = key_columns(&t, 1, &[&column]);
        cols.push(Column::new(column.clone(), ColumnData::Float(vec![v])));
        out.push(Table::new(t.key.clone(), cols));
    }
    Ok(stream(out))
}

pub fn mode(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let column = a.string_or("column", "_value")?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let Some(c) = t.column(&column) else { continue };
        let mut vals: Vec<Value> = (0..t.len())
            .map(|r| c.data.get(r))
            .filter(|v| !v.is_null())
            .collect();
        vals.sort_by(|x, y| x.sort_cmp(y));
        let mut runs: Vec<(Value, usize)> = Vec::new();
        let mut k = 0;
        while k < vals.len() {
            let mut e = k + 1;
            while e < vals.len() && vals[e].flux_eq(&vals[k]) == Some(true) {
                e += 1;
            }
            runs.push((vals[k].clone(), e - k));
            k = e;
        }
        let top = runs.iter().map(|r| r.1).max().unwrap_or(0);
        // every value as frequent as the most frequent one; null when all are equally common
        let modes: Vec<Value> =
            if runs.is_empty() || (runs.len() > 1 && runs.iter().all(|r| r.1 == top)) {
                vec![Value::Null]
            } else {
                runs.into_iter()
                    .filter(|r| r.1 == top)
                    .map(|r| r.0)
                    .collect()
            };
        let n = modes.len();
        let mut cols = key_columns(&t, n, &[&column]);
        let mut data = ColumnData::with_capacity(c.data.data_type(), n);
        for m in &modes {
            data.push(m)?;
        }
        cols.push(Column::new(column.clone(), data));
        out.push(Table::new(t.key.clone(), cols));
    }
    Ok(stream(out))
}

/// EMA over the non-null values; output aligned to the input rows (None before warm-up).
fn ema(xs: &[Option<f64>], n: usize) -> Vec<Option<f64>> {
    let alpha = 2.0 / (n as f64 + 1.0);
    let mut out = vec![None; xs.len()];
    let mut seen = 0usize;
    let mut sum = 0.0;
    let mut cur: Option<f64> = None;
    for (k, x) in xs.iter().enumerate() {
        let Some(x) = *x else { continue };
        seen += 1;
        match cur {
            None => {
                sum += x;
                if seen == n {
                    cur = Some(sum / n as f64);
                    out[k] = cur;
                }
            }
            Some(c) => {
                let v = alpha * x + (1.0 - alpha) * c;
                cur = Some(v);
                out[k] = Some(v);
            }
        }
    }
    out
}

fn ema_family(i: &mut Interp, a: &mut Args, order: u8) -> Result<Value> {
    let n = a.int("n")?;
    if n <= 0 {
        return Err(FluxError::invalid("n must be greater than zero"));
    }
    let n = n as usize;
    let column = a.string_or("column", "_value")?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let Some(ci) = t.column_index(&column) else {
            continue;
        };
        let xs = numeric(&t.columns[ci].data)
            .ok_or_else(|| FluxError::invalid("unsupported column type"))?;
        let e1 = ema(&xs, n);
        let res: Vec<Option<f64>> = match order {
            1 => e1,
            2 => {
                let e2 = ema(&e1, n);
                e1.iter()
                    .zip(&e2)
                    .map(|(a, b)| Some(2.0 * (*a)? - (*b)?))
                    .collect()
            }
            _ => {
                let e2 = ema(&e1, n);
                let e3 = ema(&e2, n);
                (0..xs.len())
                    .map(|k| Some(3.0 * e1[k]? - 3.0 * e2[k]? + e3[k]?))
                    .collect()
            }
        };
        let keep: Vec<bool> = res.iter().map(|x| x.is_some()).collect();
        let mut nt = t.clone();
        nt.columns[ci].data = ColumnData::Float(res);
        let nt = nt.filter_rows(&keep);
        if !nt.is_empty() {
            out.push(nt);
        }
    }
    Ok(stream(out))
}

pub fn exponential_moving_average(i: &mut Interp, a: &mut Args) -> Result<Value> {
    ema_family(i, a, 1)
}
pub fn double_ema(i: &mut Interp, a: &mut Args) -> Result<Value> {
    ema_family(i, a, 2)
}
pub fn triple_ema(i: &mut Interp, a: &mut Args) -> Result<Value> {
    ema_family(i, a, 3)
}

pub fn linear_bins(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let start = a.float("start")?;
    let width = a.float("width")?;
    let count = a.int("count")?.max(0);
    let infinity = a.bool_or("infinity", true)?;
    let mut v: Vec<Value> = (0..count)
        .map(|k| Value::Float(start + width * k as f64))
        .collect();
    if infinity {
        v.push(Value::Float(f64::INFINITY));
    }
    Ok(Value::Array(Arc::new(v)))
}

pub fn logarithmic_bins(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let start = a.float("start")?;
    let factor = a.float("factor")?;
    let count = a.int("count")?.max(0);
    let infinity = a.bool_or("infinity", true)?;
    let mut v: Vec<Value> = (0..count)
        .map(|k| Value::Float(start * factor.powi(k as i32)))
        .collect();
    if infinity {
        v.push(Value::Float(f64::INFINITY));
    }
    Ok(Value::Array(Arc::new(v)))
}

pub fn histogram(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let column = a.string_or("column", "_value")?;
    let ub = a.string_or("upperBoundColumn", "le")?;
    let cc = a.string_or("countColumn", "_value")?;
    let normalize = a.bool_or("normalize", false)?;
    let Some(Value::Array(bins)) = a.get("bins").cloned() else {
        return Err(a.missing("bins"));
    };
    let mut bins: Vec<f64> = bins
        .iter()
        .filter_map(|v| {
            if let Value::Float(f) = v {
                Some(*f)
            } else {
                None
            }
        })
        .collect();
    bins.sort_by(|x, y| x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal));
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let Some(c) = t.column(&column) else { continue };
        let xs: Vec<f64> = numeric(&c.data)
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .collect();
        let total = xs.len() as f64;
        let counts: Vec<Option<f64>> = bins
            .iter()
            .map(|b| {
                let n = xs.iter().filter(|x| **x <= *b).count() as f64;
                Some(if normalize && total > 0.0 {
                    n / total
                } else {
                    n
                })
            })
            .collect();
        let nb = bins.len();
        let mut cols = key_columns(&t, nb, &[&column, &ub, &cc]);
        cols.push(Column::new(
            ub.clone(),
            ColumnData::Float(bins.iter().map(|b| Some(*b)).collect()),
        ));
        cols.push(Column::new(cc.clone(), ColumnData::Float(counts)));
        out.push(Table::new(t.key.clone(), cols));
    }
    Ok(stream(out))
}

pub fn histogram_quantile(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let q = a.float("quantile")?;
    let cc = a.string_or("countColumn", "_value")?;
    let ub = a.string_or("upperBoundColumn", "le")?;
    let vc = a.string_or("valueColumn", "_value")?;
    let min_value = match a.get("minValue") {
        Some(Value::Float(f)) => *f,
        _ => 0.0,
    };
    let on_nonmono = a.string_or("onNonmonotonic", "error")?;
    if !matches!(on_nonmono.as_str(), "error" | "force" | "drop") {
        return Err(FluxError::invalid(
            "value provided to histogramQuantile parameter onNonmonotonic is invalid; must be one of 'error', 'force', or 'drop'",
        ));
    }
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let (Some(cnt), Some(upper)) = (t.column(&cc), t.column(&ub)) else {
            return Err(FluxError::invalid(format!(
                "histogramQuantile: missing column \"{cc}\" or \"{ub}\""
            )));
        };
        let counts = numeric(&cnt.data).unwrap_or_default();
        let uppers = numeric(&upper.data).unwrap_or_default();
        let mut pairs: Vec<(f64, f64)> = uppers
            .iter()
            .zip(&counts)
            .filter_map(|(u, c)| Some(((*u)?, (*c)?)))
            .collect();
        pairs.sort_by(|x, y| x.0.partial_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal));
        let monotonic = pairs.windows(2).all(|w| w[1].1 >= w[0].1);
        if !monotonic {
            match on_nonmono.as_str() {
                "error" => {
                    return Err(FluxError::invalid(
                        "histogram records counts are not monotonic",
                    ))
                }
                "force" => {
                    let mut m = f64::NEG_INFINITY;
                    for p in pairs.iter_mut() {
                        m = m.max(p.1);
                        p.1 = m;
                    }
                }
                // "drop": the table is left out of the output.
                _ => continue,
            }
        }
        let total_zero = pairs.last().is_none_or(|p| p.1 == 0.0);
        let v = if pairs.is_empty() || total_zero {
            None
        } else {
            let total = pairs[pairs.len() - 1].1;
            let rank = q * total;
            let mut prev = (min_value, 0.0);
            let mut res = None;
            for (u, c) in &pairs {
                if *c >= rank {
                    if u.is_infinite() {
                        res = Some(prev.0);
                    } else if *c == prev.1 {
                        res = Some(*u);
                    } else {
                        res = Some(prev.0 + (u - prev.0) * (rank - prev.1) / (c - prev.1));
                    }
                    break;
                }
                prev = (*u, *c);
            }
            res
        };
        let mut cols = key_columns(&t, 1, &[&cc, &ub, &vc]);
        cols.push(Column::new(vc.clone(), ColumnData::Float(vec![v])));
        out.push(Table::new(t.key.clone(), cols));
    }
    Ok(stream(out))
}

pub fn key_values(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let key_cols = a.strings("keyColumns")?.unwrap_or_default();
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let present: Vec<&String> = key_cols.iter().filter(|k| t.column(k).is_some()).collect();
        if present.is_empty() {
            continue;
        }
        let vt = t
            .column(present[0])
            .map(|c| c.data.data_type())
            .unwrap_or(DataType::String);
        let mut keys = Vec::new();
        let mut vals = ColumnData::new(vt);
        // Each (column, value) pair once per table; a null only once in all (Flux's rule).
        let mut seen = std::collections::HashSet::new();
        let mut null_seen = false;
        for r in 0..t.len() {
            for k in &present {
                if let Some(c) = t.column(k) {
                    let v = c.data.get(r);
                    if v.is_null() {
                        if std::mem::replace(&mut null_seen, true) {
                            continue;
                        }
                    } else {
                        let mut id = k.as_bytes().to_vec();
                        id.push(0xff);
                        v.key_bytes(&mut id);
                        if !seen.insert(id) {
                            continue;
                        }
                    }
                    keys.push(Some(Arc::<str>::from(k.as_str())));
                    vals.push(&v)?;
                }
            }
        }
        let n = keys.len();
        let mut cols = key_columns(&t, n, &[]);
        cols.push(Column::new(
            "_key",
            ColumnData::String(keys.into_iter().collect()),
        ));
        cols.push(Column::new("_value", vals));
        out.push(Table::new(t.key.clone(), cols));
    }
    Ok(stream(out))
}

/// `today()`: midnight of `now()` on the `location` clock.
pub fn today(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let loc = super::packages::date_location(i, a)?;
    Ok(Value::Time(super::packages::truncate_in(
        &loc,
        i.now,
        Duration::from_nanos(86_400_000_000_000),
    )))
}

#[allow(dead_code)]
fn empty_record() -> Value {
    Value::Record(Arc::new(Record::default()))
}

fn covariance_of(xs: &[(f64, f64)], pearson: bool) -> Option<f64> {
    let n = xs.len() as f64;
    if xs.len() < 2 {
        return None;
    }
    let mx = xs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = xs.iter().map(|p| p.1).sum::<f64>() / n;
    let cov = xs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>() / (n - 1.0);
    if !pearson {
        return Some(cov);
    }
    let sx = (xs.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let sy = (xs.iter().map(|p| (p.1 - my).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    Some(cov / (sx * sy))
}

pub fn covariance(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let cols = a.strings("columns")?.ok_or_else(|| a.missing("columns"))?;
    if cols.len() != 2 {
        return Err(FluxError::invalid(
            "covariance requires exactly two columns",
        ));
    }
    let pearson = a.bool_or("pearsonr", false)?;
    let dst = a.string_or("valueDst", "_value")?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let (Some(x), Some(y)) = (t.column(&cols[0]), t.column(&cols[1])) else {
            let missing = if t.column(&cols[0]).is_none() {
                &cols[0]
            } else {
                &cols[1]
            };
            return Err(FluxError::invalid(format!(
                "covariance: specified column does not exist in table: {missing}"
            )));
        };
        let xs = numeric(&x.data).unwrap_or_default();
        let ys = numeric(&y.data).unwrap_or_default();
        let pairs: Vec<(f64, f64)> = xs
            .iter()
            .zip(&ys)
            .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
            .collect();
        let v = covariance_of(&pairs, pearson);
        let mut c = key_columns(&t, 1, &[&dst]);
        c.push(Column::new(dst.clone(), ColumnData::Float(vec![v])));
        out.push(Table::new(t.key.clone(), c));
    }
    Ok(stream(out))
}

pub fn cov(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let x = a.take("x").ok_or_else(|| a.missing("x"))?;
    let y = a.take("y").ok_or_else(|| a.missing("y"))?;
    let on = a.get("on").cloned().ok_or_else(|| a.missing("on"))?;
    let pearson = a.bool_or("pearsonr", false)?;
    let join = super::universe("join").ok_or_else(|| FluxError::Internal("join missing".into()))?;
    let Value::Function(jf) = join else {
        return Err(FluxError::Internal("join is not a function".into()));
    };
    let tables = Value::Record(Arc::new(Record {
        fields: vec![(Arc::from("x"), x), (Arc::from("y"), y)],
    }));
    let joined = i.call(
        &jf,
        vec![("tables".into(), tables), ("on".into(), on)],
        None,
    )?;
    let mut args = Args {
        fname: "covariance",
        items: vec![
            ("tables".into(), joined),
            (
                "columns".into(),
                Value::Array(Arc::new(vec![
                    Value::str("_value_x"),
                    Value::str("_value_y"),
                ])),
            ),
            ("pearsonr".into(), Value::Bool(pearson)),
        ],
    };
    covariance(i, &mut args)
}

pub fn pearsonr(i: &mut Interp, a: &mut Args) -> Result<Value> {
    a.items.push(("pearsonr".into(), Value::Bool(true)));
    cov(i, a)
}

pub fn hour_selection(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let start = a.int("start")?;
    let stop = a.int("stop")?;
    let tcol = a.string_or("timeColumn", "_time")?;
    // Hours are read on the clock of `location` (argument, else the option).
    let location = a
        .get("location")
        .cloned()
        .or_else(|| i.option_values.get("location").cloned());
    let loc = super::universe::Loc::from_value(location.as_ref())?;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let Some(ColumnData::Time(ts)) = t.column(&tcol).map(|c| &c.data) else {
            out.push(t);
            continue;
        };
        let mask: Vec<bool> = ts
            .iter()
            .map(|x| {
                x.is_some_and(|x| {
                    let h = loc.to_local(x).rem_euclid(86_400_000_000_000) / 3_600_000_000_000;
                    if start <= stop {
                        h >= start && h <= stop
                    } else {
                        h >= start || h <= stop
                    }
                })
            })
            .collect();
        out.push(t.filter_rows(&mask));
    }
    Ok(stream(out))
}

pub fn kaufmans_er(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let n = a.int("n")?;
    if n <= 0 {
        return Err(FluxError::invalid("n must be greater than zero"));
    }
    let n = n as usize;
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let Some(ci) = t.column_index("_value") else {
            continue;
        };
        let xs = numeric(&t.columns[ci].data)
            .ok_or_else(|| FluxError::invalid("unsupported column type"))?;
        let len = xs.len();
        if len <= n {
            continue;
        }
        let mut vals = Vec::with_capacity(len - n);
        for k in n..len {
            let v = (|| {
                let change = (xs[k]? - xs[k - n]?).abs();
                let mut vol = 0.0;
                for j in k - n + 1..=k {
                    vol += (xs[j]? - xs[j - 1]?).abs();
                }
                Some(if vol == 0.0 { 0.0 } else { change / vol })
            })();
            vals.push(v);
        }
        let mut nt = t.slice_rows(n, len);
        nt.columns[ci].data = ColumnData::Float(vals);
        out.push(nt);
    }
    Ok(stream(out))
}

/// Applies `f` to the numeric `_value` series of each table (nulls skipped); rows whose
/// result is `None` are dropped.
fn series_fn(
    i: &mut Interp,
    a: &mut Args,
    column: &str,
    f: &dyn Fn(&[f64]) -> Vec<Option<f64>>,
) -> Result<Value> {
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for t in tables {
        let Some(ci) = t.column_index(column) else {
            continue;
        };
        let xs = numeric(&t.columns[ci].data)
            .ok_or_else(|| FluxError::invalid("unsupported column type"))?;
        let idx: Vec<usize> = (0..xs.len()).filter(|&k| xs[k].is_some()).collect();
        let vals: Vec<f64> = idx.iter().filter_map(|&k| xs[k]).collect();
        let res = f(&vals);
        let mut keep_rows = Vec::new();
        let mut out_vals = Vec::new();
        for (j, r) in res.into_iter().enumerate() {
            if let Some(v) = r {
                keep_rows.push(idx[j]);
                out_vals.push(Some(v));
            }
        }
        if keep_rows.is_empty() {
            continue;
        }
        let mut nt = t.take_rows(&keep_rows);
        nt.columns[ci].data = ColumnData::Float(out_vals);
        out.push(nt);
    }
    Ok(stream(out))
}

fn n_arg(a: &Args) -> Result<usize> {
    let n = a.int("n")?;
    if n <= 0 {
        return Err(FluxError::invalid("n must be greater than zero"));
    }
    Ok(n as usize)
}

pub fn chande_momentum_oscillator(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let n = n_arg(a)?;
    let column = a
        .strings("columns")?
        .and_then(|c| c.into_iter().next())
        .unwrap_or_else(|| "_value".into());
    series_fn(i, a, &column, &move |xs| {
        (0..xs.len())
            .map(|k| {
                if k < n {
                    return None;
                }
                let (mut up, mut down) = (0.0, 0.0);
                for j in k + 1 - n..=k {
                    let d = xs[j] - xs[j - 1];
                    if d > 0.0 {
                        up += d;
                    } else {
                        down -= d;
                    }
                }
                Some(if up + down == 0.0 {
                    0.0
                } else {
                    100.0 * (up - down) / (up + down)
                })
            })
            .collect()
    })
}

pub fn relative_strength_index(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let n = n_arg(a)?;
    let column = a
        .strings("columns")?
        .and_then(|c| c.into_iter().next())
        .unwrap_or_else(|| "_value".into());
    series_fn(i, a, &column, &move |xs| {
        let mut out = vec![None; xs.len()];
        let (mut gain, mut loss) = (0.0, 0.0);
        for k in 1..xs.len() {
            let d = xs[k] - xs[k - 1];
            let (g, l) = if d > 0.0 { (d, 0.0) } else { (0.0, -d) };
            if k <= n {
                gain += g / n as f64;
                loss += l / n as f64;
                if k < n {
                    continue;
                }
            } else {
                gain = (gain * (n as f64 - 1.0) + g) / n as f64;
                loss = (loss * (n as f64 - 1.0) + l) / n as f64;
            }
            out[k] = Some(if loss == 0.0 {
                100.0
            } else {
                100.0 - 100.0 / (1.0 + gain / loss)
            });
        }
        out
    })
}

pub fn triple_exponential_derivative(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let n = n_arg(a)?;
    series_fn(i, a, "_value", &move |xs| {
        let opt: Vec<Option<f64>> = xs.iter().map(|x| Some(*x)).collect();
        let e3 = ema(&ema(&ema(&opt, n), n), n);
        (0..xs.len())
            .map(|k| {
                if k == 0 {
                    return None;
                }
                let (cur, prev) = (e3[k]?, e3[k - 1]?);
                Some(if prev == 0.0 {
                    0.0
                } else {
                    100.0 * (cur - prev) / prev
                })
            })
            .collect()
    })
}

pub fn kaufmans_ama(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let n = n_arg(a)?;
    let column = a.string_or("column", "_value")?;
    series_fn(i, a, &column, &move |xs| {
        let mut out = vec![None; xs.len()];
        if xs.len() <= n {
            return out;
        }
        let (fast, slow) = (2.0 / 3.0, 2.0 / 31.0);
        let mut kama = xs[n - 1];
        for k in n..xs.len() {
            let change = (xs[k] - xs[k - n]).abs();
            let vol: f64 = (k + 1 - n..=k).map(|j| (xs[j] - xs[j - 1]).abs()).sum();
            let er = if vol == 0.0 { 0.0 } else { change / vol };
            let sc = (er * (fast - slow) + slow).powi(2);
            kama += sc * (xs[k] - kama);
            out[k] = Some(kama);
        }
        out
    })
}

/// `timeWeightedAvg(unit)`: the linearly interpolated integral over each table's
/// `_start`..`_stop`, divided by that range's length in `unit`s.
pub fn time_weighted_avg(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let unit = a.duration("unit")?;
    a.items.retain(|(k, _)| k != "interpolate");
    a.items.push(("interpolate".into(), Value::str("linear")));
    let integrated = super::universe::integral(i, a)?;
    let mut tables = i.take_tables(integrated, "timeWeightedAvg")?;
    for t in tables.iter_mut() {
        let Some((start, stop)) = key_bounds(t) else {
            continue;
        };
        let scale = unit.nanos as f64 / (stop - start) as f64;
        if let Some(ix) = t.column_index("_value") {
            if let ColumnData::Float(v) = &mut t.columns[ix].data {
                for x in v.iter_mut().flatten() {
                    *x *= scale;
                }
            }
        }
    }
    Ok(stream(tables))
}
