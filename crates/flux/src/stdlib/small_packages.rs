//! Small packages of a few functions each: `experimental/array` conversions,
//! `experimental/record`, `experimental/table.fill`, `json.encode`, `internal/testing` and
//! `internal/influxql`, `generate.from`, `interpolate.linear` and `tasks.lastSuccess`.

use std::sync::Arc;

use super::convert;
use super::helpers::*;
use super::packages::record;
use crate::error::{FluxError, Result};
use crate::eval::{Args, Interp};
use crate::table::{Column, ColumnData};
use crate::value::{Record, Value};

/// `experimental/array.toX(arr: <-)`: converts every element like `X(v:)` does.
macro_rules! array_conversion {
    ($name:ident, $convert:path) => {
        pub fn $name(_i: &mut Interp, a: &mut Args) -> Result<Value> {
            let Some(Value::Array(arr)) = a.get("arr") else {
                return Err(a.missing("arr"));
            };
            let out: Result<Vec<Value>> = arr.iter().map($convert).collect();
            Ok(Value::Array(Arc::new(out?)))
        }
    };
}
array_conversion!(array_to_bool, convert::to_bool);
array_conversion!(array_to_duration, convert::to_duration);
array_conversion!(array_to_float, convert::to_float);
array_conversion!(array_to_int, convert::to_int);
array_conversion!(array_to_string, convert::to_string);
array_conversion!(array_to_time, convert::to_time);
array_conversion!(array_to_uint, convert::to_uint);

/// `record.any`: a record to use as a default (an empty one).
pub fn any_record() -> Value {
    Value::Record(Arc::new(Record::default()))
}

/// `record.get(r, key, default)`: the property `key` of `r`, else `default`.
pub fn record_get(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let Value::Record(r) = a.req("r")? else {
        return Err(FluxError::invalid(
            "keyword argument \"r\" should be a record",
        ));
    };
    let key = a.string("key")?;
    let found = r.get(&key).filter(|v| !v.is_null()).cloned();
    Ok(found.unwrap_or_else(|| {
        a.items
            .iter()
            .find(|(k, _)| k == "default")
            .map_or(Value::Null, |(_, v)| v.clone())
    }))
}

/// `table.fill()`: an empty table gets one row: key values in key columns, nulls elsewhere.
pub fn table_fill(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let mut tables = input(i, a)?;
    for t in tables.iter_mut().filter(|t| t.is_empty()) {
        let columns = t
            .columns
            .iter()
            .map(|c| {
                let v = t.key.get(&c.label).cloned().unwrap_or(Value::Null);
                Column::new(
                    c.label.clone(),
                    ColumnData::repeat(c.data.data_type(), &v, 1),
                )
            })
            .collect();
        t.columns = columns;
    }
    Ok(stream(tables))
}

/// `internal/testing.assertMatches(got, want)`: fails unless the string matches the regex.
pub fn assert_matches(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let got = a.string("got")?;
    let Value::Regex(want) = a.req("want")? else {
        return Err(FluxError::invalid(
            "keyword argument \"want\" should be a regexp",
        ));
    };
    if want.is_match(&got) {
        Ok(stream(Vec::new()))
    } else {
        Err(FluxError::invalid(format!(
            "Regex `{}` does not match `{got}`",
            want.source
        )))
    }
}

/// `internal/testing.shouldErrorWithCode(fn, want, code)`: `fn` must fail with a message
/// matching `want` and Flux's error code `code`.
pub fn should_error_with_code(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let code = a.req("code")?.clone();
    let want = a.req("want")?.clone();
    let caught = super::experimental::catch(i, a)?;
    let Value::Record(r) = caught else {
        return Err(FluxError::Internal("catch did not return a record".into()));
    };
    let Some(Value::String(msg)) = r.get("msg") else {
        return Err(FluxError::invalid("shouldErrorWithCode expected an error"));
    };
    let matches = matches!(&want, Value::Regex(re) if re.is_match(msg));
    let got_code = r.get("code").cloned().unwrap_or(Value::Null);
    if matches && got_code.flux_eq(&code) == Some(true) {
        Ok(stream(Vec::new()))
    } else {
        Err(FluxError::invalid(format!(
            "shouldErrorWithCode: got code {got_code} and message {msg:?}, want code {code} and {want}"
        )))
    }
}

/// `internal/debug.getOption(pkg, name)`: an option's current value (as set by
/// `option <pkg>.<name> = ...`, else the package's default).
pub fn debug_get_option(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let pkg = a.string("pkg")?;
    let name = a.string("name")?;
    let short = pkg.rsplit('/').next().unwrap_or(&pkg);
    if let Some(v) = i.option_values.get(&format!("{short}.{name}")) {
        return Ok(v.clone());
    }
    match super::package(&pkg) {
        Some(Value::Record(r)) => r
            .get(&name)
            .cloned()
            .ok_or_else(|| FluxError::invalid(format!("package {pkg:?} has no option {name:?}"))),
        _ => Err(FluxError::invalid(format!("unknown package {pkg:?}"))),
    }
}

/// `generate.from(count, fn, start, stop)`: one table of `count` rows evenly spaced from
/// `start`, `_value` = `fn(n)` for row `n`, keyed by `_start`/`_stop`.
pub fn generate_from(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let count = a.int("count")?;
    let f = a.func("fn")?;
    let start = time_arg(i, a.req("start")?, "start")?;
    let stop = time_arg(i, a.req("stop")?, "stop")?;
    if count <= 0 {
        return Err(FluxError::invalid("count must be greater than zero"));
    }
    let step = (stop - start) / count;
    let key = crate::table::GroupKey {
        cols: vec![
            ("_start".into(), Value::Time(start)),
            ("_stop".into(), Value::Time(stop)),
        ],
    };
    let mut b = crate::table::TableBuilder::new(key);
    let param = row_param(&f);
    for n in 0..count {
        let v = i.call(&f, vec![(param.clone(), Value::Int(n))], None)?;
        b.push_row(&[
            ("_start", Value::Time(start)),
            ("_stop", Value::Time(stop)),
            ("_time", Value::Time(start + n * step)),
            ("_value", v),
        ])?;
    }
    Ok(stream(vec![b.build()]))
}

/// `interpolate.linear(every)`: between each two rows, rows at every `every` boundary in
/// between, `_value` on the straight line (other columns from the earlier row).
pub fn interpolate_linear(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let every = a.duration("every")?;
    if every.months != 0 || every.nanos <= 0 {
        return Err(FluxError::invalid(
            "every must be a positive duration of fixed length",
        ));
    }
    let mut out = Vec::new();
    for t in input(i, a)? {
        let (Some(ColumnData::Time(ts)), Some(vs)) = (
            t.column("_time").map(|c| &c.data),
            t.column("_value")
                .and_then(|c| super::universe::f64_col(&c.data)),
        ) else {
            out.push(t);
            continue;
        };
        let (mut rows, mut times, mut values) = (Vec::new(), Vec::new(), Vec::new());
        for r in 0..t.len() {
            rows.push(r);
            times.push(ts[r]);
            values.push(vs[r]);
            let (Some(t0), Some(v0)) = (ts[r], vs[r]) else {
                continue;
            };
            let Some((t1, v1)) = ts
                .get(r + 1)
                .copied()
                .flatten()
                .zip(vs.get(r + 1).copied().flatten())
            else {
                continue;
            };
            let mut k = window_start(t0, every, crate::time::Duration::default()) + every.nanos;
            while k < t1 {
                rows.push(r);
                times.push(Some(k));
                values.push(Some(v0 + (v1 - v0) * (k - t0) as f64 / (t1 - t0) as f64));
                k += every.nanos;
            }
        }
        let mut filled = t.take_rows(&rows);
        set_column(&mut filled, Column::new("_time", ColumnData::Time(times)));
        set_column(
            &mut filled,
            Column::new("_value", ColumnData::Float(values)),
        );
        out.push(filled);
    }
    Ok(stream(out))
}

/// `tasks.lastSuccessTime` until a task run sets it: Go's zero time is out of range here.
const NO_SUCCESS_YET: i64 = i64::MIN;

/// `tasks.lastSuccess(orTime)`: `option tasks.lastSuccessTime` when a run has set it,
/// else `orTime` (a time, or a duration from now).
pub fn tasks_last_success(i: &mut Interp, a: &mut Args) -> Result<Value> {
    match i.option_values.get("tasks.lastSuccessTime") {
        Some(Value::Time(t)) if *t != NO_SUCCESS_YET => Ok(Value::Time(*t)),
        _ => Ok(Value::Time(time_arg(i, a.req("orTime")?, "orTime")?)),
    }
}

/// The values of these packages, by import path.
pub fn package(path: &str) -> Option<Value> {
    use super::packages::f;
    const ARR: Option<&str> = Some("arr");
    let fields = match path {
        "experimental/array" => vec![
            f("from", Some("rows"), super::packages::array_from),
            f("map", ARR, super::packages::array_map),
            f("filter", ARR, super::packages::array_filter),
            f("concat", ARR, super::packages::array_concat),
            f("toBool", ARR, array_to_bool),
            f("toDuration", ARR, array_to_duration),
            f("toFloat", ARR, array_to_float),
            f("toInt", ARR, array_to_int),
            f("toString", ARR, array_to_string),
            f("toTime", ARR, array_to_time),
            f("toUInt", ARR, array_to_uint),
        ],
        "experimental/record" => vec![("any", any_record()), f("get", None, record_get)],
        "experimental/table" => vec![f("fill", Some("tables"), table_fill)],
        "json" => vec![f("encode", None, json_encode)],
        "generate" => vec![f("from", None, generate_from)],
        "influxdata/influxdb/tasks" => vec![
            ("lastSuccessTime", Value::Time(NO_SUCCESS_YET)),
            f("lastSuccess", None, tasks_last_success),
        ],
        "interpolate" => vec![f("linear", Some("tables"), interpolate_linear)],
        // InfluxQL's time bounds: the nanosecond range minus the values it reserves.
        "internal/influxql" => vec![
            ("epoch", Value::Time(0)),
            ("minTime", Value::Time(i64::MIN + 2)),
            ("maxTime", Value::Time(i64::MAX - 1)),
        ],
        "internal/testing" => vec![
            f("assertMatches", None, assert_matches),
            f("shouldErrorWithCode", None, should_error_with_code),
        ],
        _ => return None,
    };
    Some(record(fields))
}

/// `json.encode(v)`: the JSON text of a value as bytes (record labels sorted, times in
/// RFC 3339, durations in Flux's notation).
pub fn json_encode(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let mut out = String::new();
    write_json(a.req("v")?, &mut out)?;
    Ok(Value::Bytes(Arc::from(out.into_bytes())))
}

fn write_json(v: &Value, out: &mut String) -> Result<()> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(_) | Value::UInt(_) | Value::Float(_) => out.push_str(&v.to_string()),
        Value::String(s) => edgeflux_flux_syntax::json::write_str(s, out),
        Value::Time(_) | Value::Duration(_) => {
            edgeflux_flux_syntax::json::write_str(&v.to_string(), out)
        }
        Value::Array(a) => {
            out.push('[');
            for (n, x) in a.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_json(x, out)?;
            }
            out.push(']');
        }
        Value::Record(r) => {
            let mut fields: Vec<&(Arc<str>, Value)> = r.fields.iter().collect();
            fields.sort_by(|x, y| x.0.cmp(&y.0));
            out.push('{');
            for (n, (k, x)) in fields.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                edgeflux_flux_syntax::json::write_str(k, out);
                out.push(':');
                write_json(x, out)?;
            }
            out.push('}');
        }
        other => {
            return Err(FluxError::invalid(format!(
                "json.encode: cannot encode a value of type {}",
                other.type_name()
            )))
        }
    }
    Ok(())
}
