//! Standard library packages other than universe.

use std::sync::Arc;

use super::helpers::*;
use super::universe::Loc;
use crate::error::{FluxError, Result};
use crate::eval::{Args, Function, Interp};
use crate::table::{DataType, GroupKey, Table, TableBuilder};
use crate::time::{self, Duration};
use crate::value::{Record, Regex, Value};

// ------------------------------------------------------------------ testing

fn row_text(t: &Table, labels: &[String], r: usize) -> String {
    labels
        .iter()
        .map(|l| {
            let v = t.column(l).map(|c| c.data.get(r)).unwrap_or(Value::Null);
            let ty = t
                .column(l)
                .map(|c| c.data.data_type().flux_name())
                .unwrap_or("-");
            format!("{l}={v}:{ty}")
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn values_equal(a: &Value, b: &Value, eps: f64) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Float(x), Value::Float(y)) => {
            (x.is_nan() && y.is_nan())
                || x == y
                || (x - y).abs() <= eps * x.abs().max(y.abs()).max(1.0)
        }
        _ => a.flux_eq(b) == Some(true),
    }
}

/// Compares two streams the way `testing.diff` does: tables matched by group key, columns by
/// label, rows in order. Returns a readable diff when they differ.
pub fn diff_streams(got: &[Table], want: &[Table], eps: f64) -> Option<String> {
    let mut out = String::new();
    let key_text = |t: &Table| {
        let mut cols: Vec<String> = t.key.cols.iter().map(|(l, v)| format!("{l}={v}")).collect();
        cols.sort();
        format!("{{{}}}", cols.join(","))
    };
    let mut got_by: Vec<(Vec<u8>, &Table)> = got.iter().map(|t| (t.key.canonical(), t)).collect();
    for w in want {
        let k = w.key.canonical();
        let Some(pos) = got_by.iter().position(|(gk, _)| *gk == k) else {
            if w.is_empty() {
                continue;
            }
            out.push_str(&format!("missing table {}:\n", key_text(w)));
            let mut labels: Vec<String> = w.columns.iter().map(|c| c.label.clone()).collect();
            labels.sort();
            for r in 0..w.len() {
                out.push_str(&format!("- {}\n", row_text(w, &labels, r)));
            }
            continue;
        };
        let (_, g) = got_by.remove(pos);
        let mut wl: Vec<String> = w.columns.iter().map(|c| c.label.clone()).collect();
        let mut gl: Vec<String> = g.columns.iter().map(|c| c.label.clone()).collect();
        wl.sort();
        gl.sort();
        let mut table_diff = String::new();
        if wl != gl {
            table_diff.push_str(&format!("  columns: want {wl:?}, got {gl:?}\n"));
        }
        let types_differ = wl.iter().any(|l| match (w.column(l), g.column(l)) {
            (Some(a), Some(b)) => a.data.data_type() != b.data.data_type(),
            _ => false,
        });
        let n = w.len().max(g.len());
        let mut rows_differ = types_differ;
        for r in 0..n {
            let same = r < w.len()
                && r < g.len()
                && wl == gl
                // Key columns are compared through the key, as Flux's diff does: their
                // row values are not looked at.
                && wl.iter().filter(|l| !w.key.contains(l)).all(|l| {
                    let a = w.column(l).map(|c| c.data.get(r)).unwrap_or(Value::Null);
                    let b = g.column(l).map(|c| c.data.get(r)).unwrap_or(Value::Null);
                    values_equal(&a, &b, eps)
                });
            if !same {
                rows_differ = true;
            }
        }
        if rows_differ {
            for r in 0..w.len() {
                table_diff.push_str(&format!("- {}\n", row_text(w, &wl, r)));
            }
            for r in 0..g.len() {
                table_diff.push_str(&format!("+ {}\n", row_text(g, &gl, r)));
            }
        }
        if !table_diff.is_empty() {
            out.push_str(&format!("table {}:\n{table_diff}", key_text(w)));
        }
    }
    for (_, g) in got_by {
        if g.is_empty() {
            continue;
        }
        out.push_str(&format!("unexpected table {}:\n", key_text(g)));
        let mut labels: Vec<String> = g.columns.iter().map(|c| c.label.clone()).collect();
        labels.sort();
        for r in 0..g.len() {
            out.push_str(&format!("+ {}\n", row_text(g, &labels, r)));
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

pub fn testing_diff(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let got_v = a.take("got").ok_or_else(|| a.missing("got"))?;
    let want_v = a.take("want").ok_or_else(|| a.missing("want"))?;
    let eps = match a.get("epsilon") {
        Some(Value::Float(f)) => *f,
        _ => 1e-6,
    };
    let got = i.tables(&got_v, "diff")?;
    let want = i.tables(&want_v, "diff")?;
    match diff_streams(&got, &want, eps) {
        None => Ok(stream(Vec::new())),
        Some(d) => Err(FluxError::invalid(format!(
            "testing.diff: tables differ\n{d}"
        ))),
    }
}

pub fn testing_assert_equals(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let name = a.string_or("name", "assertEquals")?;
    let got_v = a.take("got").ok_or_else(|| a.missing("got"))?;
    let want_v = a.take("want").ok_or_else(|| a.missing("want"))?;
    let got = i.tables(&got_v, "assertEquals")?;
    let want = i.tables(&want_v, "assertEquals")?;
    match diff_streams(&got, &want, 1e-6) {
        None => Ok(stream(got)),
        Some(d) => Err(FluxError::invalid(format!(
            "test {name}: unequal streams\n{d}"
        ))),
    }
}

pub fn testing_assert_empty(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let tables = input(i, a)?;
    if tables.iter().any(|t| !t.is_empty()) {
        return Err(FluxError::invalid("found non-empty table"));
    }
    Ok(stream(tables))
}

pub fn testing_should_error(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let f = a.func("fn")?;
    let want = match a.req("want")? {
        Value::Regex(r) => r.clone(),
        v => {
            return Err(FluxError::invalid(format!(
                "shouldError: want must be a regexp, got {}",
                v.type_name()
            )))
        }
    };
    match i.call(&f, Vec::new(), None).and_then(|v| match &v {
        Value::Stream(_) => i.tables(&v, "shouldError").map(|_| v),
        _ => Ok(v),
    }) {
        Ok(_) => Err(FluxError::invalid("shouldError expected an error")),
        Err(e) => {
            if want.is_match(e.message()) {
                Ok(stream(Vec::new()))
            } else {
                Err(FluxError::invalid(format!(
                    "shouldError: error {:?} does not match /{}/",
                    e.message(),
                    want.source
                )))
            }
        }
    }
}

pub fn identity_tables(i: &mut Interp, a: &mut Args) -> Result<Value> {
    Ok(stream(input(i, a)?))
}

pub fn tz_fixed(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let off = a.duration("offset")?;
    Ok(record(vec![
        ("zone", Value::str("UTC")),
        ("offset", Value::Duration(off)),
    ]))
}

pub fn tz_location(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let name = a.string("name")?;
    Ok(record(vec![
        ("zone", Value::str(&name)),
        ("offset", Value::Duration(Duration::default())),
    ]))
}

pub fn noop(_i: &mut Interp, _a: &mut Args) -> Result<Value> {
    Ok(Value::Null)
}

pub fn debug_sink(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let _ = input(i, a)?;
    Ok(stream(Vec::new()))
}

pub fn debug_null(_i: &mut Interp, _a: &mut Args) -> Result<Value> {
    Ok(Value::Null)
}

// ------------------------------------------------------------------ csv

pub fn csv_from(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    if a.has("file") {
        return Err(FluxError::Unimplemented(
            "csv.from: file is not supported here".into(),
        ));
    }
    let text = a.string("csv")?;
    let mode = a.string_or("mode", "annotations")?;
    if mode == "raw" {
        return Ok(stream(vec![raw_csv(&text)?]));
    }
    Ok(stream(crate::csv::decode_csv(&text)?))
}

fn raw_csv(text: &str) -> Result<Table> {
    let recs = crate::csv::split_records(text)?;
    let mut it = recs.into_iter().filter(|r| !r.iter().all(|c| c.is_empty()));
    let header = it.next().unwrap_or_default();
    let mut b = TableBuilder::new(GroupKey::default());
    for h in &header {
        b.add_column(h, DataType::String);
    }
    for r in it {
        let row: Vec<(&str, Value)> = header
            .iter()
            .zip(r.iter())
            .map(|(h, v)| (h.as_str(), Value::str(v)))
            .collect();
        b.push_row(&row)?;
    }
    Ok(b.build())
}

// ------------------------------------------------------------------ array

pub fn array_from(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let Some(Value::Array(rows)) = a.get("rows") else {
        return Err(a.missing("rows"));
    };
    let mut b = TableBuilder::new(GroupKey::default());
    for r in rows.iter() {
        let Value::Record(rec) = r else {
            return Err(FluxError::invalid("array.from: rows must be records"));
        };
        let row: Vec<(&str, Value)> = rec.fields.iter().map(|(k, v)| (&**k, v.clone())).collect();
        b.push_row(&row)?;
    }
    Ok(stream(vec![b.build()]))
}

pub fn array_map(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let f = a.func("fn")?;
    let Some(Value::Array(arr)) = a.get("arr").cloned() else {
        return Err(a.missing("arr"));
    };
    let p = f
        .param_names()
        .into_iter()
        .next()
        .unwrap_or_else(|| "x".into());
    let mut out = Vec::with_capacity(arr.len());
    for x in arr.iter() {
        out.push(i.call(&f, vec![(p.clone(), x.clone())], None)?);
    }
    Ok(Value::Array(Arc::new(out)))
}

pub fn array_filter(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let f = a.func("fn")?;
    let Some(Value::Array(arr)) = a.get("arr").cloned() else {
        return Err(a.missing("arr"));
    };
    let p = f
        .param_names()
        .into_iter()
        .next()
        .unwrap_or_else(|| "x".into());
    let mut out = Vec::new();
    for x in arr.iter() {
        if matches!(
            i.call(&f, vec![(p.clone(), x.clone())], None)?,
            Value::Bool(true)
        ) {
            out.push(x.clone());
        }
    }
    Ok(Value::Array(Arc::new(out)))
}

pub fn array_concat(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    match (a.get("arr"), a.get("v")) {
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            let mut out = (**x).clone();
            out.extend(y.iter().cloned());
            Ok(Value::Array(Arc::new(out)))
        }
        _ => Err(FluxError::invalid("array.concat: arr and v must be arrays")),
    }
}

// ------------------------------------------------------------------ strings

fn s_arg(a: &Args, n: &str) -> Result<String> {
    a.string(n)
}

macro_rules! str_fn {
    ($name:ident, |$a:ident| $body:expr) => {
        pub fn $name(_i: &mut Interp, $a: &mut Args) -> Result<Value> {
            $body
        }
    };
}

str_fn!(strings_to_upper, |a| Ok(Value::str(
    &s_arg(a, "v")?.to_uppercase()
)));
str_fn!(strings_to_lower, |a| Ok(Value::str(
    &s_arg(a, "v")?.to_lowercase()
)));
str_fn!(strings_title, |a| {
    let v = s_arg(a, "v")?;
    let mut out = String::new();
    let mut prev_letter = false;
    for c in v.chars() {
        if !prev_letter {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_letter = c.is_alphanumeric();
    }
    Ok(Value::str(&out))
});
str_fn!(strings_trim_space, |a| Ok(Value::str(
    s_arg(a, "v")?.trim()
)));
str_fn!(strings_trim, |a| {
    let v = s_arg(a, "v")?;
    let cut = s_arg(a, "cutset")?;
    Ok(Value::str(v.trim_matches(|c| cut.contains(c))))
});
str_fn!(strings_trim_left, |a| {
    let v = s_arg(a, "v")?;
    let cut = s_arg(a, "cutset")?;
    Ok(Value::str(v.trim_start_matches(|c| cut.contains(c))))
});
str_fn!(strings_trim_right, |a| {
    let v = s_arg(a, "v")?;
    let cut = s_arg(a, "cutset")?;
    Ok(Value::str(v.trim_end_matches(|c| cut.contains(c))))
});
str_fn!(strings_trim_prefix, |a| {
    let v = s_arg(a, "v")?;
    let p = s_arg(a, "prefix")?;
    Ok(Value::str(v.strip_prefix(p.as_str()).unwrap_or(&v)))
});
str_fn!(strings_trim_suffix, |a| {
    let v = s_arg(a, "v")?;
    let p = s_arg(a, "suffix")?;
    Ok(Value::str(v.strip_suffix(p.as_str()).unwrap_or(&v)))
});
str_fn!(strings_contains_str, |a| Ok(Value::Bool(
    s_arg(a, "v")?.contains(&s_arg(a, "substr")?)
)));
str_fn!(strings_contains_any, |a| {
    let chars = s_arg(a, "chars")?;
    Ok(Value::Bool(
        s_arg(a, "v")?.chars().any(|c| chars.contains(c)),
    ))
});
str_fn!(strings_has_prefix, |a| Ok(Value::Bool(
    s_arg(a, "v")?.starts_with(&s_arg(a, "prefix")?)
)));
str_fn!(strings_has_suffix, |a| Ok(Value::Bool(
    s_arg(a, "v")?.ends_with(&s_arg(a, "suffix")?)
)));
str_fn!(strings_index, |a| {
    let v = s_arg(a, "v")?;
    Ok(Value::Int(
        v.find(&s_arg(a, "substr")?).map_or(-1, |x| x as i64),
    ))
});
str_fn!(strings_last_index, |a| {
    let v = s_arg(a, "v")?;
    Ok(Value::Int(
        v.rfind(&s_arg(a, "substr")?).map_or(-1, |x| x as i64),
    ))
});
str_fn!(strings_split, |a| {
    let v = s_arg(a, "v")?;
    let t = s_arg(a, "t")?;
    let parts: Vec<Value> = if t.is_empty() {
        v.chars().map(|c| Value::str(&c.to_string())).collect()
    } else {
        v.split(t.as_str()).map(Value::str).collect()
    };
    Ok(Value::Array(Arc::new(parts)))
});
// `splitN(v, t, i)`: at most `i` parts, the last holding the rest (Go's rules: 0 parts
// for i = 0, all parts for a negative i).
str_fn!(strings_split_n, |a| {
    let v = s_arg(a, "v")?;
    let t = s_arg(a, "t")?;
    let n = a.int("i")?;
    let parts: Vec<Value> = match n {
        0 => Vec::new(),
        n if n < 0 => v.split(t.as_str()).map(Value::str).collect(),
        n => v.splitn(n as usize, t.as_str()).map(Value::str).collect(),
    };
    Ok(Value::Array(Arc::new(parts)))
});
str_fn!(strings_join, |a| {
    let Some(Value::Array(arr)) = a.get("arr") else {
        return Err(a.missing("arr"));
    };
    let v = s_arg(a, "v")?;
    let parts: Vec<String> = arr.iter().map(|x| x.to_string()).collect();
    Ok(Value::str(&parts.join(&v)))
});
str_fn!(strings_replace, |a| {
    let v = s_arg(a, "v")?;
    let t = s_arg(a, "t")?;
    let u = s_arg(a, "u")?;
    let n = a.int("i")?;
    Ok(Value::str(&if n < 0 {
        v.replace(&t, &u)
    } else {
        v.replacen(&t, &u, n as usize)
    }))
});
str_fn!(strings_replace_all, |a| {
    let v = s_arg(a, "v")?;
    Ok(Value::str(&v.replace(&s_arg(a, "t")?, &s_arg(a, "u")?)))
});
str_fn!(strings_strlen, |a| Ok(Value::Int(
    s_arg(a, "v")?.chars().count() as i64
)));
str_fn!(strings_substring, |a| {
    let v: Vec<char> = s_arg(a, "v")?.chars().collect();
    let start = a.int("start")?.clamp(0, v.len() as i64) as usize;
    let end = a.int("end")?.clamp(start as i64, v.len() as i64) as usize;
    Ok(Value::str(&v[start..end].iter().collect::<String>()))
});
str_fn!(strings_repeat, |a| {
    let n = a.int("i")?.max(0) as usize;
    Ok(Value::str(&s_arg(a, "v")?.repeat(n)))
});
str_fn!(strings_equal_fold, |a| Ok(Value::Bool(
    s_arg(a, "v")?.to_lowercase() == s_arg(a, "t")?.to_lowercase()
)));
str_fn!(strings_compare, |a| {
    let v = s_arg(a, "v")?;
    let t = s_arg(a, "t")?;
    Ok(Value::Int(match v.cmp(&t) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }))
});
str_fn!(strings_count_str, |a| Ok(Value::Int(
    s_arg(a, "v")?.matches(&s_arg(a, "substr")?).count() as i64
)));

// ------------------------------------------------------------------ regexp

str_fn!(regexp_compile, |a| {
    let v = s_arg(a, "v")?;
    Ok(Value::Regex(Arc::new(
        Regex::new(&v).map_err(FluxError::invalid)?,
    )))
});
fn re_arg(a: &Args) -> Result<Arc<Regex>> {
    match a.req("r")? {
        Value::Regex(r) => Ok(r.clone()),
        v => Err(FluxError::invalid(format!(
            "expected a regexp, got {}",
            v.type_name()
        ))),
    }
}
str_fn!(regexp_match, |a| Ok(Value::Bool(
    re_arg(a)?.is_match(&s_arg(a, "v")?)
)));
str_fn!(regexp_find_string, |a| {
    let r = re_arg(a)?;
    let v = s_arg(a, "v")?;
    Ok(Value::str(r.re.find(&v).map_or("", |m| m.as_str())))
});
// `findStringIndex(r, v)`: [start, end] byte offsets of the first match, or [].
str_fn!(regexp_find_string_index, |a| {
    let r = re_arg(a)?;
    let v = s_arg(a, "v")?;
    let found = r.re.find(&v).map_or(Vec::new(), |m| {
        vec![Value::Int(m.start() as i64), Value::Int(m.end() as i64)]
    });
    Ok(Value::Array(Arc::new(found)))
});
str_fn!(regexp_replace_all, |a| {
    let r = re_arg(a)?;
    let v = s_arg(a, "v")?;
    let t = s_arg(a, "t")?;
    Ok(Value::str(&r.re.replace_all(&v, t.as_str())))
});
str_fn!(regexp_quote_meta, |a| Ok(Value::str(&regex_lite::escape(
    &s_arg(a, "v")?
))));
str_fn!(regexp_split, |a| {
    let r = re_arg(a)?;
    let v = s_arg(a, "v")?;
    let n = a.int_or("i", -1)?;
    let parts: Vec<Value> = if n < 0 {
        r.re.split(&v).map(Value::str).collect()
    } else {
        r.re.splitn(&v, n as usize).map(Value::str).collect()
    };
    Ok(Value::Array(Arc::new(parts)))
});

// ------------------------------------------------------------------ math

fn fx(a: &Args) -> Result<f64> {
    a.float("x")
}
macro_rules! math1 {
    ($name:ident, $f:expr) => {
        pub fn $name(_i: &mut Interp, a: &mut Args) -> Result<Value> {
            let g: fn(f64) -> f64 = $f;
            Ok(Value::Float(g(fx(a)?)))
        }
    };
}
math1!(math_abs, f64::abs);
math1!(math_ceil, f64::ceil);
math1!(math_floor, f64::floor);
math1!(math_round, f64::round);
math1!(math_sqrt, f64::sqrt);
math1!(math_exp, f64::exp);
math1!(math_log, f64::ln);
math1!(math_log10, f64::log10);
math1!(math_log2, f64::log2);
math1!(math_trunc, f64::trunc);
math1!(math_sin, f64::sin);
math1!(math_cos, f64::cos);
math1!(math_tan, f64::tan);
math1!(math_acos, f64::acos);
math1!(math_acosh, f64::acosh);
math1!(math_asin, f64::asin);
math1!(math_asinh, f64::asinh);
math1!(math_atan, f64::atan);
math1!(math_atanh, f64::atanh);
math1!(math_cbrt, f64::cbrt);
math1!(math_cosh, f64::cosh);
math1!(math_sinh, f64::sinh);
math1!(math_tanh, f64::tanh);
math1!(math_exp2, f64::exp2);
math1!(math_expm1, f64::exp_m1);
math1!(math_log1p, f64::ln_1p);
math1!(math_logb, |x| x.abs().log2().floor());
math1!(math_round_to_even, f64::round_ties_even);
/// Two-argument math functions, with Flux's parameter names.
macro_rules! math2 {
    ($name:ident, $a:literal, $b:literal, $f:expr) => {
        pub fn $name(_i: &mut Interp, a: &mut Args) -> Result<Value> {
            let g: fn(f64, f64) -> f64 = $f;
            Ok(Value::Float(g(a.float($a)?, a.float($b)?)))
        }
    };
}
math2!(math_atan2, "y", "x", f64::atan2);
math2!(math_copysign, "x", "y", f64::copysign);
math2!(math_dim, "x", "y", |x, y| (x - y).max(0.0));
math2!(math_hypot, "p", "q", f64::hypot);
math2!(math_remainder, "x", "y", |x, y| x
    - (x / y).round_ties_even() * y);
pub fn math_pow(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    Ok(Value::Float(a.float("x")?.powf(a.float("y")?)))
}
pub fn math_mod(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    Ok(Value::Float(a.float("x")? % a.float("y")?))
}
pub fn math_max(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    Ok(Value::Float(a.float("x")?.max(a.float("y")?)))
}
pub fn math_min(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    Ok(Value::Float(a.float("x")?.min(a.float("y")?)))
}
pub fn math_is_nan(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    Ok(Value::Bool(fx(a)?.is_nan()))
}
pub fn math_is_inf(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let f = a.float("f")?;
    let sign = a.int_or("sign", 0)?;
    Ok(Value::Bool(
        (sign >= 0 && f == f64::INFINITY) || (sign <= 0 && f == f64::NEG_INFINITY),
    ))
}
pub fn math_inf(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    Ok(Value::Float(if a.int_or("sign", 1)? >= 0 {
        f64::INFINITY
    } else {
        f64::NEG_INFINITY
    }))
}
pub fn math_nan(_i: &mut Interp, _a: &mut Args) -> Result<Value> {
    Ok(Value::Float(f64::NAN))
}

// ------------------------------------------------------------------ types

pub fn types_is_type(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let t = a.string("type")?;
    let v = a.req("v")?;
    Ok(Value::Bool(v.type_name() == t))
}
pub fn types_is_numeric(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    Ok(Value::Bool(matches!(
        a.req("v")?,
        Value::Int(_) | Value::UInt(_) | Value::Float(_)
    )))
}

// ------------------------------------------------------------------ date

fn t_arg(i: &Interp, a: &Args) -> Result<i64> {
    time_arg(i, a.req("t")?, "t")
}
/// The date functions' `location` (argument, else the `location` option).
pub fn date_location(i: &Interp, a: &Args) -> Result<Loc> {
    let v = a
        .get("location")
        .or_else(|| i.option_values.get("location"));
    Loc::from_value(v)
}
/// `t` on the clock of the date functions' location.
fn local_t_arg(i: &Interp, a: &Args) -> Result<i64> {
    Ok(date_location(i, a)?.to_local(t_arg(i, a)?))
}
fn civil(t: i64) -> (i64, u32, u32, i64) {
    let days = t.div_euclid(time::NS_PER_DAY);
    let (y, m, d) = time::civil_from_days(days);
    (y, m, d, t.rem_euclid(time::NS_PER_DAY))
}
macro_rules! date_fn {
    ($name:ident, |$t:ident| $body:expr) => {
        pub fn $name(i: &mut Interp, a: &mut Args) -> Result<Value> {
            let $t = local_t_arg(i, a)?;
            Ok(Value::Int($body))
        }
    };
}
date_fn!(date_year, |t| civil(t).0);
date_fn!(date_month, |t| civil(t).1 as i64);
date_fn!(date_month_day, |t| civil(t).2 as i64);
date_fn!(date_hour, |t| civil(t).3 / 3_600_000_000_000);
date_fn!(date_minute, |t| (civil(t).3 / 60_000_000_000) % 60);
date_fn!(date_second, |t| (civil(t).3 / 1_000_000_000) % 60);
date_fn!(date_nanosecond, |t| t.rem_euclid(1_000_000_000));
date_fn!(date_millisecond, |t| t.rem_euclid(1_000_000_000)
    / 1_000_000);
date_fn!(date_microsecond, |t| t.rem_euclid(1_000_000_000) / 1_000);
date_fn!(date_week_day, |t| (t.div_euclid(time::NS_PER_DAY) + 4)
    .rem_euclid(7));
date_fn!(date_year_day, |t| {
    let (y, _, _, _) = civil(t);
    t.div_euclid(time::NS_PER_DAY) - time::days_from_civil(y, 1, 1) + 1
});
date_fn!(date_quarter, |t| (civil(t).1 as i64 - 1) / 3 + 1);
date_fn!(date_week, |t| {
    // ISO week number
    let days = t.div_euclid(time::NS_PER_DAY);
    let wd = (days + 3).rem_euclid(7); // Monday = 0
    let thursday = days - wd + 3;
    let (y, _, _) = time::civil_from_days(thursday);
    (thursday - time::days_from_civil(y, 1, 1)) / 7 + 1
});
/// `t` truncated to `unit` on the clock of `loc`.
pub fn truncate_in(loc: &Loc, t: i64, unit: Duration) -> i64 {
    loc.instant_of(window_start(loc.to_local(t), unit, Duration::default()))
}
/// `t` plus `d` on the clock of `loc` (a day is a calendar day across DST changes).
pub fn add_in(loc: &Loc, t: i64, d: Duration) -> i64 {
    loc.instant_of(time::add_duration(loc.to_local(t), d))
}
pub fn date_truncate(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let loc = date_location(i, a)?;
    let t = t_arg(i, a)?;
    Ok(Value::Time(truncate_in(&loc, t, a.duration("unit")?)))
}
pub fn date_add(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let d = a.duration("d")?;
    let to = time_arg(i, a.req("to")?, "to")?;
    Ok(Value::Time(add_in(&date_location(i, a)?, to, d)))
}
pub fn date_sub(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let d = a.duration("d")?;
    let from = time_arg(i, a.req("from")?, "from")?;
    Ok(Value::Time(add_in(
        &date_location(i, a)?,
        from,
        d.negated(),
    )))
}
/// `date.time(t, location)`: Flux answers the clock reading in `location` as a time.
pub fn date_time(i: &mut Interp, a: &mut Args) -> Result<Value> {
    Ok(Value::Time(local_t_arg(i, a)?))
}
/// `date.scale(d, n)`: `d` multiplied by `n` (months and nanoseconds alike).
pub fn date_scale(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let d = a.duration("d")?;
    let n = a.int("n")?;
    Ok(Value::Duration(Duration {
        months: d.months.saturating_mul(n),
        nanos: d.nanos.saturating_mul(n),
    }))
}

// ------------------------------------------------------------------ dict

pub fn dict_get(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let Some(Value::Dict(d)) = a.get("dict") else {
        return Err(a.missing("dict"));
    };
    let k = a.req("key")?;
    let def = a
        .items
        .iter()
        .find(|(n, _)| n == "default")
        .map(|(_, v)| v.clone())
        .unwrap_or(Value::Null);
    Ok(d.iter()
        .find(|(x, _)| x.flux_eq(k) == Some(true))
        .map(|(_, v)| v.clone())
        .unwrap_or(def))
}
pub fn dict_insert(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let Some(Value::Dict(d)) = a.get("dict") else {
        return Err(a.missing("dict"));
    };
    let k = a.req("key")?.clone();
    let v = a.req("value")?.clone();
    let mut out: Vec<(Value, Value)> = d
        .iter()
        .filter(|(x, _)| x.flux_eq(&k) != Some(true))
        .cloned()
        .collect();
    out.push((k, v));
    Ok(Value::Dict(Arc::new(out)))
}
pub fn dict_remove(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let Some(Value::Dict(d)) = a.get("dict") else {
        return Err(a.missing("dict"));
    };
    let k = a.req("key")?.clone();
    Ok(Value::Dict(Arc::new(
        d.iter()
            .filter(|(x, _)| x.flux_eq(&k) != Some(true))
            .cloned()
            .collect(),
    )))
}
pub fn dict_from_list(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let Some(Value::Array(l)) = a.get("pairs") else {
        return Err(a.missing("pairs"));
    };
    let mut out = Vec::new();
    for p in l.iter() {
        if let Value::Record(r) = p {
            out.push((
                r.get("key").cloned().unwrap_or(Value::Null),
                r.get("value").cloned().unwrap_or(Value::Null),
            ));
        }
    }
    Ok(Value::Dict(Arc::new(out)))
}

// ------------------------------------------------------------------ package values

pub fn record(fields: Vec<(&str, Value)>) -> Value {
    Value::Record(Arc::new(Record {
        fields: fields.into_iter().map(|(k, v)| (Arc::from(k), v)).collect(),
    }))
}

pub fn f(
    name: &'static str,
    pipe: Option<&'static str>,
    func: crate::eval::BuiltinFn,
) -> (&'static str, Value) {
    (name, Function::builtin(name, pipe, func))
}

// ------------------------------------------------------------------ join package

/// The missing side of an outer-joined row: nulls, except the group key the two tables share.
fn null_record(t: &Table) -> Value {
    Value::Record(Arc::new(Record {
        fields: t
            .columns
            .iter()
            .map(|c| {
                let v = t.key.get(&c.label).cloned().unwrap_or(Value::Null);
                (Arc::from(c.label.as_str()), v)
            })
            .collect(),
    }))
}

fn join_with(i: &mut Interp, a: &mut Args, method: &str, time: bool) -> Result<Value> {
    let left_v = a.take("left").ok_or_else(|| a.missing("left"))?;
    let right_v = a.take("right").ok_or_else(|| a.missing("right"))?;
    let on = if time { None } else { Some(a.func("on")?) };
    let as_ = a.func("as")?;
    let method = a.string_or("method", method)?;
    if !matches!(method.as_str(), "inner" | "left" | "right" | "full") {
        return Err(FluxError::invalid(format!(
            "invalid join method {method:?}"
        )));
    }
    let left = i.take_tables(left_v, "join")?;
    let right = i.take_tables(right_v, "join")?;
    let mut out: Vec<Table> = Vec::new();
    let mut right_used = vec![false; right.len()];
    let call2 = |i: &mut Interp, f: &Function, l: Value, r: Value| -> Result<Value> {
        i.call(f, vec![("l".into(), l), ("r".into(), r)], None)
    };
    let build = |key: &GroupKey, recs: Vec<Value>, out: &mut Vec<Table>| -> Result<()> {
        let mut b = TableBuilder::new(key.clone());
        for rec in recs {
            let Value::Record(r) = rec else {
                return Err(FluxError::invalid("join: as must return a record"));
            };
            let row: Vec<(&str, Value)> = r.fields.iter().map(|(k, v)| (&**k, v.clone())).collect();
            b.push_row(&row)?;
        }
        let mut t = b.build();
        t.key
            .cols
            .retain(|(l, _)| t.columns.iter().any(|c| c.label == *l));
        for (l, v) in t.key.cols.iter_mut() {
            if let Some(c) = t.columns.iter().find(|c| c.label == *l) {
                if !c.data.is_empty() {
                    *v = c.data.get(0);
                }
            }
        }
        if !t.is_empty() {
            out.push(t);
        }
        Ok(())
    };
    for lt in &left {
        let kb = lt.key.canonical();
        let ri = right.iter().position(|rt| rt.key.canonical() == kb);
        let ll = labels(lt);
        let mut recs = Vec::new();
        match ri {
            Some(ri) => {
                right_used[ri] = true;
                let rt = &right[ri];
                let rl = labels(rt);
                let mut r_matched = vec![false; rt.len()];
                for x in 0..lt.len() {
                    let lrec = row_record(lt, &ll, x);
                    let mut matched = false;
                    for y in 0..rt.len() {
                        let rrec = row_record(rt, &rl, y);
                        let ok = match &on {
                            Some(f) => matches!(
                                call2(i, f, lrec.clone(), rrec.clone())?,
                                Value::Bool(true)
                            ),
                            None => {
                                let lt_ = crate::eval::member(&lrec, "_time")?;
                                let rt_ = crate::eval::member(&rrec, "_time")?;
                                lt_.flux_eq(&rt_) == Some(true)
                            }
                        };
                        if ok {
                            matched = true;
                            r_matched[y] = true;
                            recs.push(call2(i, &as_, lrec.clone(), rrec)?);
                        }
                    }
                    if !matched && (method == "left" || method == "full") {
                        recs.push(call2(i, &as_, lrec, null_record(rt))?);
                    }
                }
                if method == "right" || method == "full" {
                    for (y, m) in r_matched.iter().enumerate() {
                        if !m {
                            let rrec = row_record(rt, &rl, y);
                            recs.push(call2(i, &as_, null_record(lt), rrec)?);
                        }
                    }
                }
            }
            None => {
                if method == "left" || method == "full" {
                    for x in 0..lt.len() {
                        let lrec = row_record(lt, &ll, x);
                        recs.push(call2(i, &as_, lrec, key_record(&lt.key))?);
                    }
                }
            }
        }
        build(&lt.key, recs, &mut out)?;
    }
    if method == "right" || method == "full" {
        for (ri, rt) in right.iter().enumerate() {
            if right_used[ri] {
                continue;
            }
            let rl = labels(rt);
            let mut recs = Vec::new();
            for y in 0..rt.len() {
                let rrec = row_record(rt, &rl, y);
                recs.push(call2(i, &as_, key_record(&rt.key), rrec)?);
            }
            build(&rt.key, recs, &mut out)?;
        }
    }
    Ok(stream(merge_by_key(same_columns(out))?))
}

/// The missing side of an outer join whose partner table does not exist: only the shared
/// group key is known.
fn key_record(key: &GroupKey) -> Value {
    let fields = key
        .cols
        .iter()
        .map(|(l, v)| (Arc::from(l.as_str()), v.clone()))
        .collect();
    Value::Record(Arc::new(Record { fields }))
}

/// Gives every table the columns any of them has (null-filled): in Flux all rows of a
/// join come from one `as` function and share its type, even where a value is null.
fn same_columns(mut tables: Vec<Table>) -> Vec<Table> {
    let mut all: Vec<(String, DataType)> = Vec::new();
    for c in tables.iter().flat_map(|t| t.columns.iter()) {
        if !all.iter().any(|(l, _)| *l == c.label) {
            all.push((c.label.clone(), c.data.data_type()));
        }
    }
    for t in tables.iter_mut() {
        let n = t.len();
        for (label, data_type) in &all {
            if t.column(label).is_none() {
                let nulls = crate::table::ColumnData::repeat(*data_type, &Value::Null, n);
                t.columns
                    .push(crate::table::Column::new(label.clone(), nulls));
            }
        }
    }
    tables
}

pub fn join_tables(i: &mut Interp, a: &mut Args) -> Result<Value> {
    join_with(i, a, "inner", false)
}
pub fn join_inner(i: &mut Interp, a: &mut Args) -> Result<Value> {
    a.items.retain(|(k, _)| k != "method");
    join_with(i, a, "inner", false)
}
pub fn join_left(i: &mut Interp, a: &mut Args) -> Result<Value> {
    a.items.retain(|(k, _)| k != "method");
    join_with(i, a, "left", false)
}
pub fn join_right(i: &mut Interp, a: &mut Args) -> Result<Value> {
    a.items.retain(|(k, _)| k != "method");
    join_with(i, a, "right", false)
}
pub fn join_full(i: &mut Interp, a: &mut Args) -> Result<Value> {
    a.items.retain(|(k, _)| k != "method");
    join_with(i, a, "full", false)
}
pub fn join_time(i: &mut Interp, a: &mut Args) -> Result<Value> {
    join_with(i, a, "inner", true)
}

// ------------------------------------------------------------------ bitwise

fn uarg(a: &Args, n: &str) -> Result<u64> {
    match a.req(n)? {
        Value::UInt(u) => Ok(*u),
        Value::Int(i) => Ok(*i as u64),
        v => Err(FluxError::invalid(format!(
            "{n} must be a uint, got {}",
            v.type_name()
        ))),
    }
}
fn sarg(a: &Args, n: &str) -> Result<i64> {
    a.int(n)
}
macro_rules! ubit {
    ($name:ident, |$x:ident, $y:ident| $e:expr) => {
        pub fn $name(_i: &mut Interp, a: &mut Args) -> Result<Value> {
            let $x = uarg(a, "a")?;
            let $y = if a.has("b") { uarg(a, "b")? } else { 0 };
            let _ = $y;
            Ok(Value::UInt($e))
        }
    };
}
macro_rules! sbit {
    ($name:ident, |$x:ident, $y:ident| $e:expr) => {
        pub fn $name(_i: &mut Interp, a: &mut Args) -> Result<Value> {
            let $x = sarg(a, "a")?;
            let $y = if a.has("b") { sarg(a, "b")? } else { 0 };
            let _ = $y;
            Ok(Value::Int($e))
        }
    };
}
ubit!(bit_uand, |x, y| x & y);
ubit!(bit_uor, |x, y| x | y);
ubit!(bit_unot, |x, y| !x);
ubit!(bit_uxor, |x, y| x ^ y);
ubit!(bit_uclear, |x, y| x & !y);
ubit!(bit_ulshift, |x, y| if y >= 64 { 0 } else { x << y });
ubit!(bit_urshift, |x, y| if y >= 64 { 0 } else { x >> y });
sbit!(bit_sand, |x, y| x & y);
sbit!(bit_sor, |x, y| x | y);
sbit!(bit_snot, |x, y| !x);
sbit!(bit_sxor, |x, y| x ^ y);
sbit!(bit_sclear, |x, y| x & !y);
sbit!(bit_slshift, |x, y| if !(0..64).contains(&y) {
    0
} else {
    x << y
});
sbit!(bit_srshift, |x, y| if !(0..64).contains(&y) {
    if x < 0 {
        -1
    } else {
        0
    }
} else {
    x >> y
});

pub fn testing_assert_equal_values(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let got = a
        .items
        .iter()
        .find(|(k, _)| k == "got")
        .map(|(_, v)| v.clone())
        .unwrap_or(Value::Null);
    let want = a
        .items
        .iter()
        .find(|(k, _)| k == "want")
        .map(|(_, v)| v.clone())
        .unwrap_or(Value::Null);
    let same = (got.is_null() && want.is_null()) || values_equal(&got, &want, 1e-9);
    if same {
        Ok(stream(Vec::new()))
    } else {
        Err(FluxError::invalid(format!(
            "testing.assertEqualValues: got {got}, want {want}"
        )))
    }
}

pub fn v1_fields_as_cols(i: &mut Interp, a: &mut Args) -> Result<Value> {
    a.items.push((
        "rowKey".into(),
        Value::Array(Arc::new(vec![Value::str("_time")])),
    ));
    a.items.push((
        "columnKey".into(),
        Value::Array(Arc::new(vec![Value::str("_field")])),
    ));
    a.items.push(("valueColumn".into(), Value::str("_value")));
    crate::stdlib::universe::pivot(i, a)
}
