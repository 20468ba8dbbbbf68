//! Type conversions: `float()`, `int()`, ... and the `toFloat()`-style transformations.

use std::sync::Arc;

use super::helpers::*;
use crate::error::{FluxError, Result};
use crate::eval::{Args, Interp};
use crate::table::{ColumnData, DataType};
use crate::time::{self, Duration};
use crate::value::{format_float, Value};

fn err(v: &Value, to: &str) -> FluxError {
    FluxError::invalid(format!("cannot convert {} to {to}", v.type_name()))
}

pub fn to_float(v: &Value) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Float(f) => Value::Float(*f),
        Value::Int(i) => Value::Float(*i as f64),
        Value::UInt(u) => Value::Float(*u as f64),
        Value::Bool(b) => Value::Float(if *b { 1.0 } else { 0.0 }),
        Value::String(s) => Value::Float(match &**s {
            "+Inf" | "Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            s => s.parse().map_err(|_| {
                FluxError::invalid(format!(
                    "cannot convert string {s:?} to float due to invalid syntax"
                ))
            })?,
        }),
        other => return Err(err(other, "float")),
    })
}

pub fn to_int(v: &Value) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Float(f) => Value::Int(*f as i64),
        Value::Int(i) => Value::Int(*i),
        Value::UInt(u) => Value::Int(*u as i64),
        Value::Bool(b) => Value::Int(*b as i64),
        Value::Time(t) => Value::Int(*t),
        Value::Duration(d) => Value::Int(d.nanos),
        Value::String(s) => Value::Int(s.parse().map_err(|_| {
            FluxError::invalid(format!(
                "cannot convert string {s:?} to int due to invalid syntax"
            ))
        })?),
        other => return Err(err(other, "int")),
    })
}

pub fn to_uint(v: &Value) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Float(f) => Value::UInt(*f as u64),
        Value::Int(i) => Value::UInt(*i as u64),
        Value::UInt(u) => Value::UInt(*u),
        Value::Bool(b) => Value::UInt(*b as u64),
        Value::Time(t) => Value::UInt(*t as u64),
        Value::Duration(d) => Value::UInt(d.nanos as u64),
        Value::String(s) => Value::UInt(s.parse().map_err(|_| {
            FluxError::invalid(format!(
                "cannot convert string {s:?} to uint due to invalid syntax"
            ))
        })?),
        other => return Err(err(other, "uint")),
    })
}

pub fn to_string(v: &Value) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::String(s) => Value::String(s.clone()),
        Value::Float(f) => {
            let mut s = String::new();
            format_float(*f, &mut s);
            Value::String(Arc::from(s))
        }
        Value::Time(t) => Value::String(Arc::from(time::rfc3339_nano9(*t))),
        Value::Int(_) | Value::UInt(_) | Value::Bool(_) | Value::Duration(_) => {
            Value::String(Arc::from(v.to_string()))
        }
        Value::Bytes(b) => Value::String(Arc::from(String::from_utf8_lossy(b).as_ref())),
        other => return Err(err(other, "string")),
    })
}

pub fn to_bool(v: &Value) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::String(s) => match &**s {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => {
                return Err(FluxError::invalid(format!(
                    "cannot convert string {s:?} to bool"
                )))
            }
        },
        Value::Int(i) => match i {
            0 => Value::Bool(false),
            1 => Value::Bool(true),
            _ => {
                return Err(FluxError::invalid(format!(
                    "cannot convert int {i} to bool, must be 0 or 1"
                )))
            }
        },
        Value::UInt(i) => match i {
            0 => Value::Bool(false),
            1 => Value::Bool(true),
            _ => {
                return Err(FluxError::invalid(format!(
                    "cannot convert uint {i} to bool, must be 0 or 1"
                )))
            }
        },
        Value::Float(f) => {
            if *f == 0.0 {
                Value::Bool(false)
            } else if *f == 1.0 {
                Value::Bool(true)
            } else {
                return Err(FluxError::invalid(format!(
                    "cannot convert float {f} to bool, must be 0 or 1"
                )));
            }
        }
        other => return Err(err(other, "bool")),
    })
}

pub fn to_time(v: &Value) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Time(t) => Value::Time(*t),
        Value::Int(i) => Value::Time(*i),
        Value::UInt(u) => Value::Time(*u as i64),
        Value::String(s) => {
            Value::Time(time::parse_rfc3339(s).ok_or_else(|| {
                FluxError::invalid(format!("cannot convert string {s:?} to time"))
            })?)
        }
        other => return Err(err(other, "time")),
    })
}

pub fn to_duration(v: &Value) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Duration(d) => Value::Duration(*d),
        Value::Int(i) => Value::Duration(Duration::from_nanos(*i)),
        Value::UInt(u) => Value::Duration(Duration::from_nanos(*u as i64)),
        Value::String(s) => Value::Duration(Duration::parse(s).ok_or_else(|| {
            FluxError::invalid(format!("cannot convert string {s:?} to duration"))
        })?),
        other => return Err(err(other, "duration")),
    })
}

pub fn to_bytes(v: &Value) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::String(s) => Value::Bytes(Arc::from(s.as_bytes())),
        Value::Bytes(b) => Value::Bytes(b.clone()),
        other => return Err(err(other, "bytes")),
    })
}

macro_rules! scalar {
    ($name:ident, $conv:ident) => {
        pub fn $name(_i: &mut Interp, a: &mut Args) -> Result<Value> {
            match a.items.iter().find(|(k, _)| k == "v") {
                Some((_, v)) => $conv(v),
                None => Err(a.missing("v")),
            }
        }
    };
}
scalar!(float, to_float);
scalar!(int, to_int);
scalar!(uint, to_uint);
scalar!(string, to_string);
scalar!(bool_, to_bool);
scalar!(time_, to_time);
scalar!(duration, to_duration);
scalar!(bytes, to_bytes);

fn convert_value_column(
    i: &mut Interp,
    a: &mut Args,
    t: DataType,
    conv: fn(&Value) -> Result<Value>,
) -> Result<Value> {
    let tables = input(i, a)?;
    let mut out = Vec::new();
    for mut tb in tables {
        if let Some(ci) = tb.column_index("_value") {
            let old = &tb.columns[ci].data;
            let mut data = ColumnData::with_capacity(t, old.len());
            for r in 0..old.len() {
                data.push(&conv(&old.get(r))?)?;
            }
            tb.columns[ci].data = data;
        }
        out.push(tb);
    }
    Ok(stream(out))
}

pub fn to_float_t(i: &mut Interp, a: &mut Args) -> Result<Value> {
    convert_value_column(i, a, DataType::Float, to_float)
}
pub fn to_int_t(i: &mut Interp, a: &mut Args) -> Result<Value> {
    convert_value_column(i, a, DataType::Int, to_int)
}
pub fn to_uint_t(i: &mut Interp, a: &mut Args) -> Result<Value> {
    convert_value_column(i, a, DataType::UInt, to_uint)
}
pub fn to_string_t(i: &mut Interp, a: &mut Args) -> Result<Value> {
    convert_value_column(i, a, DataType::String, to_string)
}
pub fn to_bool_t(i: &mut Interp, a: &mut Args) -> Result<Value> {
    convert_value_column(i, a, DataType::Bool, to_bool)
}
pub fn to_time_t(i: &mut Interp, a: &mut Args) -> Result<Value> {
    convert_value_column(i, a, DataType::Time, to_time)
}
