//! Points → canonical line protocol (export, Flux `to()`): tags in key order, every
//! timestamp in nanoseconds, floats in the shortest form that parses back to the same bits,
//! and only the escapes 2.x needs. `parse(write(p)) == p` for every point the parser can
//! produce; points no line can express (NaN, a name ending in a backslash, ...) are refused.

use std::fmt::Write as _;

use crate::{FieldValue, Line};

/// Why a point cannot be written as line protocol.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WriteError {
    #[error("missing measurement")]
    EmptyMeasurement,
    #[error("missing fields")]
    NoFields,
    #[error("missing tag key")]
    EmptyTagKey,
    #[error("missing tag value for tag key {0:?}")]
    EmptyTagValue(String),
    #[error("missing field key")]
    EmptyFieldKey,
    #[error("duplicate tags")]
    DuplicateTag,
    #[error("cannot use reserved tag key {0:?}")]
    ReservedTagKey(String),
    #[error("field {0:?} is {1}, an unsupported value")]
    NonFinite(String, f64),
    #[error("{0} {1:?} cannot be expressed in line protocol")]
    Unrepresentable(&'static str, String),
}

/// Appends one line and a `\n` to `out`. On error `out` is left as it was.
pub fn write_line(line: &Line<'_>, out: &mut String) -> Result<(), WriteError> {
    check(line)?;
    let mark = out.len();
    push_measurement(&line.measurement, out);
    let sorted = line.tags.windows(2).all(|w| w[0].0 < w[1].0);
    if sorted {
        for (k, v) in &line.tags {
            push_tag(k, v, out);
        }
    } else {
        let mut order: Vec<usize> = (0..line.tags.len()).collect();
        order.sort_by(|&a, &b| line.tags[a].0.cmp(&line.tags[b].0));
        if order
            .windows(2)
            .any(|w| line.tags[w[0]].0 == line.tags[w[1]].0)
        {
            out.truncate(mark);
            return Err(WriteError::DuplicateTag);
        }
        for i in order {
            let (k, v) = &line.tags[i];
            push_tag(k, v, out);
        }
    }
    out.push(' ');
    for (i, (k, v)) in line.fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_escaped(k, true, out);
        out.push('=');
        write_field_value(v, out);
    }
    out.push(' ');
    push_i64(line.timestamp, out);
    out.push('\n');
    Ok(())
}

/// Appends every line (each ending in `\n`); stops at the first point that cannot be written.
pub fn write_lines<'l, 'a: 'l>(
    lines: impl IntoIterator<Item = &'l Line<'a>>,
    out: &mut String,
) -> Result<(), WriteError> {
    for line in lines {
        write_line(line, out)?;
    }
    Ok(())
}

/// Appends a field value as line protocol writes it (`1.5`, `2i`, `3u`, `"s"`, `true`).
/// Non-finite floats have no line-protocol form; they are written as 2.x's scanner would
/// reject them (`NaN`, `+Inf`, `-Inf`), so check with [`write_line`] where that matters.
pub fn write_field_value(v: &FieldValue<'_>, out: &mut String) {
    match v {
        FieldValue::Float(f) => push_float(*f, out),
        FieldValue::Integer(i) => {
            push_i64(*i, out);
            out.push('i');
        }
        FieldValue::UInteger(u) => {
            push_u64(*u, out);
            out.push('u');
        }
        FieldValue::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        FieldValue::String(s) => {
            out.reserve(s.len() + 2);
            out.push('"');
            let mut last = 0;
            for (i, c) in s.bytes().enumerate() {
                if c == b'"' || c == b'\\' {
                    out.push_str(&s[last..i]);
                    out.push('\\');
                    last = i;
                }
            }
            out.push_str(&s[last..]);
            out.push('"');
        }
    }
}

fn push_u64(mut v: u64, out: &mut String) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

fn push_i64(v: i64, out: &mut String) {
    if v < 0 {
        out.push('-');
    }
    push_u64(v.unsigned_abs(), out);
}

fn push_float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("NaN");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "+Inf" } else { "-Inf" });
    } else if f == 0.0 || (1e-5..1e16).contains(&f.abs()) {
        let _ = write!(out, "{f}");
    } else {
        let _ = write!(out, "{f:e}");
    }
}

fn check(line: &Line<'_>) -> Result<(), WriteError> {
    let m = line.measurement.as_ref();
    if m.is_empty() {
        return Err(WriteError::EmptyMeasurement);
    }
    // A leading `#` makes a comment and leading blanks are skipped; a trailing backslash
    // would escape the separator; a newline cannot be escaped outside string values.
    if m.starts_with(['#', '\t', '\0']) || !name_ok(m, false) {
        return Err(WriteError::Unrepresentable("measurement", m.to_string()));
    }
    for (k, v) in &line.tags {
        if k.is_empty() {
            return Err(WriteError::EmptyTagKey);
        }
        if v.is_empty() {
            return Err(WriteError::EmptyTagValue(k.to_string()));
        }
        if matches!(k.as_ref(), "_measurement" | "_field" | "time") {
            return Err(WriteError::ReservedTagKey(k.to_string()));
        }
        if !name_ok(k, false) {
            return Err(WriteError::Unrepresentable("tag key", k.to_string()));
        }
        if !name_ok(v, false) {
            return Err(WriteError::Unrepresentable("tag value", v.to_string()));
        }
    }
    if line.fields.is_empty() {
        return Err(WriteError::NoFields);
    }
    for (i, (k, v)) in line.fields.iter().enumerate() {
        if k.is_empty() {
            return Err(WriteError::EmptyFieldKey);
        }
        if !name_ok(k, true) || (i == 0 && k.starts_with(['\t', '\0'])) {
            return Err(WriteError::Unrepresentable("field key", k.to_string()));
        }
        if let FieldValue::Float(f) = v {
            if !f.is_finite() {
                return Err(WriteError::NonFinite(k.to_string(), *f));
            }
        }
    }
    Ok(())
}

/// Names 2.x cannot read back: a newline (only string values may hold one), a trailing
/// backslash (it would escape the separator), a backslash right before a space (2.x's line
/// splitter pairs backslashes, its key scanner does not, so they disagree on where the
/// field set starts), and in field keys a backslash before `,` or `=` as well (the field
/// scanner pairs backslashes too).
fn name_ok(s: &str, field_key: bool) -> bool {
    !s.ends_with('\\')
        && !s.contains('\n')
        && !s
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'\\' && (w[1] == b' ' || (field_key && matches!(w[1], b',' | b'='))))
}

fn push_measurement(m: &str, out: &mut String) {
    push_escaped(m, false, out);
}

fn push_tag(k: &str, v: &str, out: &mut String) {
    out.push(',');
    push_escaped(k, true, out);
    out.push('=');
    push_escaped(v, true, out);
}

/// Escapes `,` and space (and `=` under tag rules) with a backslash; backslashes stay.
fn push_escaped(s: &str, tag_rules: bool, out: &mut String) {
    let mut last = 0;
    for (i, c) in s.bytes().enumerate() {
        if c == b',' || c == b' ' || (tag_rules && c == b'=') {
            out.push_str(&s[last..i]);
            out.push('\\');
            last = i;
        }
    }
    out.push_str(&s[last..]);
}
