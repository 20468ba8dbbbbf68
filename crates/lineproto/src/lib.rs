//! Line protocol: text → points (borrowing from the input) and points → text.
//!
//! The public shapes below (`Line`, `FieldValue`, `ParseOptions`, `ParseOutput`,
//! `LineError`, `parse`) are the seam the store and the API build against:
//! extend them, do not rename them.

use std::borrow::Cow;

pub use edgeflux_types::{FieldType, Precision, Timestamp};

/// One parsed line. Tags are sorted by key, so `measurement` + `tags` is the series key.
#[derive(Debug, Clone, PartialEq)]
pub struct Line<'a> {
    pub measurement: Cow<'a, str>,
    pub tags: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    pub fields: Vec<(Cow<'a, str>, FieldValue<'a>)>,
    /// Nanoseconds since the epoch, already scaled by the precision; the caller's
    /// clock (`ParseOptions::default_time`) fills it when the line has none.
    pub timestamp: Timestamp,
}

/// A field value borrowing from the input where no escape had to be removed.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    Float(f64),
    Integer(i64),
    UInteger(u64),
    String(Cow<'a, str>),
    Boolean(bool),
}

impl FieldValue<'_> {
    pub fn field_type(&self) -> FieldType {
        match self {
            FieldValue::Float(_) => FieldType::Float,
            FieldValue::Integer(_) => FieldType::Integer,
            FieldValue::UInteger(_) => FieldType::UInteger,
            FieldValue::String(_) => FieldType::String,
            FieldValue::Boolean(_) => FieldType::Boolean,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ParseOptions {
    pub precision: Precision,
    /// Time for lines without a timestamp, in nanoseconds (the API truncates it to the precision).
    pub default_time: Timestamp,
}

/// A line that failed to parse. `Display` renders InfluxDB's text:
/// `unable to parse '<line>': <reason>`.
#[derive(Debug, Clone, PartialEq)]
pub struct LineError {
    /// 1-based line number in the batch.
    pub line: usize,
    /// 1-based column (in bytes) where the problem was found.
    pub column: usize,
    /// The offending line's text.
    pub text: String,
    /// InfluxDB's reason, e.g. `missing fields`, `invalid boolean`, `bad timestamp`.
    pub reason: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unable to parse '{}': {}", self.text, self.reason)
    }
}

impl std::error::Error for LineError {}

/// Every good line and every bad line of a batch (bad lines bounded by the parser).
#[derive(Debug, Default)]
pub struct ParseOutput<'a> {
    pub lines: Vec<Line<'a>>,
    pub errors: Vec<LineError>,
}

/// Parses a whole batch. Placeholder until the real parser lands (issue 3).
pub fn parse<'a>(input: &'a str, options: &ParseOptions) -> ParseOutput<'a> {
    let mut out = ParseOutput::default();
    for (n, raw) in input.lines().enumerate() {
        let text = raw.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        match parse_simple(text, options) {
            Some(line) => out.lines.push(line),
            None => out.errors.push(LineError {
                line: n + 1,
                column: 1,
                text: text.to_string(),
                reason: "missing fields".into(),
            }),
        }
    }
    out
}

fn parse_simple<'a>(text: &'a str, options: &ParseOptions) -> Option<Line<'a>> {
    let mut parts = text.split(' ');
    let series = parts.next()?;
    let fields = parts.next()?;
    let ts = parts.next();
    let mut series_parts = series.split(',');
    let measurement = Cow::Borrowed(series_parts.next()?);
    let mut tags = Vec::new();
    for kv in series_parts {
        let (k, v) = kv.split_once('=')?;
        tags.push((Cow::Borrowed(k), Cow::Borrowed(v)));
    }
    tags.sort();
    let mut field_values = Vec::new();
    for kv in fields.split(',') {
        let (k, v) = kv.split_once('=')?;
        let value = if let Some(i) = v.strip_suffix('i') {
            FieldValue::Integer(i.parse().ok()?)
        } else if let Some(s) = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            FieldValue::String(Cow::Borrowed(s))
        } else if v == "true" || v == "false" {
            FieldValue::Boolean(v == "true")
        } else {
            FieldValue::Float(v.parse().ok()?)
        };
        field_values.push((Cow::Borrowed(k), value));
    }
    let timestamp = match ts {
        Some(t) => t.parse::<i64>().ok()?.checked_mul(options.precision.multiplier())?,
        None => options.default_time,
    };
    Some(Line {
        measurement,
        tags,
        fields: field_values,
        timestamp,
    })
}
