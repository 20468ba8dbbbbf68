//! Flux values: every type a Flux expression can produce.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use crate::eval::Function;
use crate::time::{self, Duration};

/// A compiled regular expression together with its source text.
#[derive(Debug)]
pub struct Regex {
    pub source: String,
    pub re: regex_lite::Regex,
}

impl Regex {
    pub fn new(source: &str) -> Result<Regex, String> {
        regex_lite::Regex::new(source)
            .map(|re| Regex {
                source: source.to_string(),
                re,
            })
            .map_err(|e| e.to_string())
    }
    pub fn is_match(&self, s: &str) -> bool {
        self.re.is_match(s)
    }
}

/// A Flux record: ordered labels and values.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub fields: Vec<(Arc<str>, Value)>,
}

impl Record {
    pub fn get(&self, label: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|(k, _)| &**k == label)
            .map(|(_, v)| v)
    }
    /// Sets a label, replacing an existing one in place.
    pub fn set(&mut self, label: &str, v: Value) {
        if let Some(slot) = self.fields.iter_mut().find(|(k, _)| &**k == label) {
            slot.1 = v;
        } else {
            self.fields.push((Arc::from(label), v));
        }
    }
}

/// A value of any Flux type.
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    String(Arc<str>),
    Time(i64),
    Duration(Duration),
    Bytes(Arc<[u8]>),
    Regex(Arc<Regex>),
    Array(Arc<Vec<Value>>),
    Record(Arc<Record>),
    Dict(Arc<Vec<(Value, Value)>>),
    Function(Arc<Function>),
    Stream(Arc<crate::eval::Stream>),
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::String(Arc::from(s))
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    /// Flux's name of this value's type, used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::UInt(_) => "uint",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Time(_) => "time",
            Value::Duration(_) => "duration",
            Value::Bytes(_) => "bytes",
            Value::Regex(_) => "regexp",
            Value::Array(_) => "array",
            Value::Record(_) => "record",
            Value::Dict(_) => "dict",
            Value::Function(_) => "function",
            Value::Stream(_) => "stream",
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Equality as Flux's `==` defines it (null equals nothing, numbers compare across types).
    pub fn flux_eq(&self, other: &Value) -> Option<bool> {
        Some(match (self, other) {
            (Value::Null, _) | (_, Value::Null) => return None,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Time(a), Value::Time(b)) => a == b,
            (Value::Duration(a), Value::Duration(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::Regex(a), Value::Regex(b)) => a.source == b.source,
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|(x, y)| x.flux_eq(y) == Some(true) || (x.is_null() && y.is_null()))
            }
            (Value::Record(a), Value::Record(b)) => {
                a.fields.len() == b.fields.len()
                    && a.fields.iter().all(|(k, v)| {
                        b.get(k).is_some_and(|w| {
                            v.flux_eq(w) == Some(true) || (v.is_null() && w.is_null())
                        })
                    })
            }
            (Value::Dict(a), Value::Dict(b)) => {
                a.len() == b.len()
                    && a.iter().all(|(k, v)| {
                        b.iter().any(|(k2, v2)| {
                            k.flux_eq(k2) == Some(true) && v.flux_eq(v2) == Some(true)
                        })
                    })
            }
            _ => return self.compare(other).map(|o| o == Ordering::Equal),
        })
    }

    /// Ordering for `<`, `>` and sorting of like-typed values; numbers compare across types.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::UInt(a), Value::UInt(b)) => Some(a.cmp(b)),
            (Value::Float(a), Value::Float(b)) => a.partial_cmp(b),
            (Value::Int(a), Value::Float(b)) => (*a as f64).partial_cmp(b),
            (Value::Float(a), Value::Int(b)) => a.partial_cmp(&(*b as f64)),
            (Value::UInt(a), Value::Float(b)) => (*a as f64).partial_cmp(b),
            (Value::Float(a), Value::UInt(b)) => a.partial_cmp(&(*b as f64)),
            (Value::Int(a), Value::UInt(b)) => Some((*a as i128).cmp(&(*b as i128))),
            (Value::UInt(a), Value::Int(b)) => Some((*a as i128).cmp(&(*b as i128))),
            (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
            (Value::Time(a), Value::Time(b)) => Some(a.cmp(b)),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::Duration(a), Value::Duration(b)) => {
                Some((a.months, a.nanos).cmp(&(b.months, b.nanos)))
            }
            _ => None,
        }
    }

    /// A total order used for sorting (nulls first), distinct from Flux's `<`.
    pub fn sort_cmp(&self, other: &Value) -> Ordering {
        match (self.is_null(), other.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => self.compare(other).unwrap_or(Ordering::Equal),
        }
    }

    /// Appends a canonical byte encoding, used as a hash key when grouping.
    pub fn key_bytes(&self, out: &mut Vec<u8>) {
        match self {
            Value::Null => out.push(0),
            Value::Bool(b) => out.extend_from_slice(&[1, *b as u8]),
            Value::Int(i) => {
                out.push(2);
                out.extend_from_slice(&i.to_le_bytes())
            }
            Value::UInt(i) => {
                out.push(3);
                out.extend_from_slice(&i.to_le_bytes())
            }
            Value::Float(f) => {
                out.push(4);
                out.extend_from_slice(&f.to_bits().to_le_bytes())
            }
            Value::String(s) => {
                out.push(5);
                out.extend_from_slice(&(s.len() as u64).to_le_bytes());
                out.extend_from_slice(s.as_bytes())
            }
            Value::Time(t) => {
                out.push(6);
                out.extend_from_slice(&t.to_le_bytes())
            }
            other => {
                out.push(7);
                let s = other.to_string();
                out.extend_from_slice(&(s.len() as u64).to_le_bytes());
                out.extend_from_slice(s.as_bytes())
            }
        }
    }
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)` as Flux prints floats.
pub fn format_float(f: f64, out: &mut String) {
    use std::fmt::Write as _;
    if f.is_nan() {
        out.push_str("NaN");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "+Inf" } else { "-Inf" });
    } else {
        let _ = write!(out, "{f}");
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("<null>"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::UInt(u) => write!(f, "{u}"),
            Value::Float(x) => {
                let mut s = String::new();
                format_float(*x, &mut s);
                f.write_str(&s)
            }
            Value::String(s) => f.write_str(s),
            Value::Time(t) => f.write_str(&time::rfc3339(*t)),
            Value::Duration(d) => write!(f, "{d}"),
            Value::Bytes(b) => {
                f.write_str("0x")?;
                for x in b.iter() {
                    write!(f, "{x:02x}")?;
                }
                Ok(())
            }
            Value::Regex(r) => write!(f, "/{}/", r.source),
            Value::Array(a) => {
                f.write_str("[")?;
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    v.fmt_nested(f)?;
                }
                f.write_str("]")
            }
            Value::Record(r) => {
                f.write_str("{")?;
                for (i, (k, v)) in r.fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: ")?;
                    v.fmt_nested(f)?;
                }
                f.write_str("}")
            }
            Value::Dict(d) => {
                f.write_str("[")?;
                for (i, (k, v)) in d.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    k.fmt_nested(f)?;
                    f.write_str(": ")?;
                    v.fmt_nested(f)?;
                }
                if d.is_empty() {
                    f.write_str(":")?;
                }
                f.write_str("]")
            }
            Value::Function(_) => f.write_str("<function>"),
            Value::Stream(_) => f.write_str("<stream>"),
        }
    }
}

impl Value {
    fn fmt_nested(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => write!(f, "{s:?}"),
            other => write!(f, "{other}"),
        }
    }
}
