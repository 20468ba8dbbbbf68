//! Line protocol: text → points (borrowing from the input) and points → text.
//!
//! The parser accepts and rejects what InfluxDB 2.x accepts and rejects, error texts
//! included, so the API can answer a bad batch exactly as 2.x does:
//! every bad line, each as `unable to parse '<line>': <reason>`, joined by `\n`
//! ([`ParseOutput::error_message`]). Points borrow from the input; a name or value is copied
//! only when an escape has to be removed.
//!
//! What 2.x does, and so do we:
//! - lines split on `\n`, except inside a quoted string value or right after a backslash;
//!   one trailing `\r` is dropped (CRLF input works); blank lines and lines whose first
//!   non-blank byte is `#` are skipped; leading spaces, tabs and NULs are skipped;
//! - measurement: `\,` and `\ ` unescape; tag keys, tag values and field keys: `\,`, `\ `
//!   and `\=`; string values: `\"` and `\\`; any other backslash is kept as is;
//! - tags sorted by key, `duplicate tags` and the reserved keys `_measurement`, `_field`,
//!   `time` rejected; a repeated field key keeps its last value;
//! - floats (`1`, `-1.5`, `.5`, `5.`, `1e-3`, `-0`; no NaN/Inf), `i` integers and `u`
//!   unsigned with range checks, strings, booleans (`t T true True TRUE f F false False FALSE`);
//! - timestamps scaled by the precision with overflow checks (`time outside range ...`),
//!   missing ones taken from [`ParseOptions::default_time`] truncated to the precision;
//! - key limits as 2.x computes them (`max key length exceeded: n > 65535`).
//!
//! Where we differ: input must be UTF-8 (`&str`); numbers are converted while parsing
//! (2.x converts at storage, with the same rules); the documented 64 KiB string limit is
//! opt-in ([`Parser::max_string_len`]) because 2.x's parser does not enforce it.
//!
//! The public shapes below (`Line`, `FieldValue`, `ParseOptions`, `ParseOutput`,
//! `LineError`, `parse`) are the seam the store and the API build against:
//! extend them, do not rename them.

use std::borrow::Cow;

pub use edgeflux_types::{FieldType, Precision, Timestamp};

mod fieldset;
mod number;
mod parser;
mod writer;

pub use parser::Parser;
pub use writer::{write_field_value, write_line, write_lines, WriteError};

/// Most bad lines [`parse`] reports one by one; the rest are only counted
/// ([`ParseOutput::more_errors`]).
pub const MAX_ERRORS: usize = 100;

/// Largest series key (measurement + tags, and with a field key + 4) InfluxDB accepts.
pub const MAX_KEY_LENGTH: usize = 65535;

/// Earliest timestamp InfluxDB stores (`models.MinNanoTime`).
pub const MIN_NANO_TIME: Timestamp = i64::MIN + 2;

/// Latest timestamp InfluxDB stores (`models.MaxNanoTime`).
pub const MAX_NANO_TIME: Timestamp = i64::MAX - 1;

/// The documented string-field limit (64 KiB); not enforced by 2.x's parser, so only
/// applied when asked for with [`Parser::max_string_len`].
pub const DOCUMENTED_MAX_STRING_LEN: usize = 64 * 1024;

/// One parsed line. Tags are sorted by key, so `measurement` + `tags` is the series key.
#[derive(Debug, Clone, PartialEq)]
pub struct Line<'a> {
    pub measurement: Cow<'a, str>,
    pub tags: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Fields in input order; when a key repeats within a line the later value wins
    /// (the earlier one is dropped here).
    pub fields: Vec<(Cow<'a, str>, FieldValue<'a>)>,
    /// Nanoseconds since the epoch, already scaled by the precision; the caller's
    /// clock (`ParseOptions::default_time`) fills it when the line has none.
    pub timestamp: Timestamp,
}

impl Line<'_> {
    /// A copy that owns all its text.
    pub fn into_owned(self) -> Line<'static> {
        Line {
            measurement: Cow::Owned(self.measurement.into_owned()),
            tags: self
                .tags
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.into_owned()), Cow::Owned(v.into_owned())))
                .collect(),
            fields: self
                .fields
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned()))
                .collect(),
            timestamp: self.timestamp,
        }
    }
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

    /// A copy that owns its text.
    pub fn into_owned(self) -> FieldValue<'static> {
        match self {
            FieldValue::Float(v) => FieldValue::Float(v),
            FieldValue::Integer(v) => FieldValue::Integer(v),
            FieldValue::UInteger(v) => FieldValue::UInteger(v),
            FieldValue::String(s) => FieldValue::String(Cow::Owned(s.into_owned())),
            FieldValue::Boolean(v) => FieldValue::Boolean(v),
        }
    }

    /// The shared owned value type.
    pub fn to_types_value(&self) -> edgeflux_types::FieldValue {
        match self {
            FieldValue::Float(v) => edgeflux_types::FieldValue::Float(*v),
            FieldValue::Integer(v) => edgeflux_types::FieldValue::Integer(*v),
            FieldValue::UInteger(v) => edgeflux_types::FieldValue::UInteger(*v),
            FieldValue::String(s) => edgeflux_types::FieldValue::String(s.to_string()),
            FieldValue::Boolean(v) => edgeflux_types::FieldValue::Boolean(*v),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ParseOptions {
    pub precision: Precision,
    /// Time for lines without a timestamp, in nanoseconds. The parser truncates it to the
    /// precision, as 2.x does (doing it again in the API is harmless).
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
    /// The offending line's text (without leading whitespace, as 2.x quotes it).
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

/// Every good line and every bad line of a batch (bad lines bounded by [`MAX_ERRORS`]).
#[derive(Debug, Default)]
pub struct ParseOutput<'a> {
    pub lines: Vec<Line<'a>>,
    pub errors: Vec<LineError>,
    /// Bad lines beyond [`MAX_ERRORS`], counted but not reported.
    pub more_errors: usize,
}

impl ParseOutput<'_> {
    /// InfluxDB's message for a rejected batch: every reported error, joined by `\n`
    /// (`None` when every line parsed).
    pub fn error_message(&self) -> Option<String> {
        if self.errors.is_empty() {
            return None;
        }
        let mut out = String::new();
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&e.to_string());
        }
        Some(out)
    }
}

/// Parses a whole batch: every good line, and every bad line up to [`MAX_ERRORS`].
/// InfluxDB 2.x rejects the batch when `errors` is not empty.
pub fn parse<'a>(input: &'a str, options: &ParseOptions) -> ParseOutput<'a> {
    let mut out = ParseOutput::default();
    // One point per line at most: sizing the batch up front saves re-copying it as it grows.
    out.lines
        .reserve(memchr::memchr_iter(b'\n', input.as_bytes()).count() + 1);
    for item in Parser::new(input, options) {
        match item {
            Ok(line) => out.lines.push(line),
            Err(e) if out.errors.len() < MAX_ERRORS => out.errors.push(e),
            Err(_) => out.more_errors += 1,
        }
    }
    out
}

/// The first point of `input` (blank and comment lines skipped), or its error; for callers
/// that hold a single line.
pub fn parse_line<'a>(input: &'a str, options: &ParseOptions) -> Result<Line<'a>, LineError> {
    match Parser::new(input, options).next() {
        Some(r) => r,
        None => Err(LineError {
            line: 1,
            column: 1,
            text: input.to_string(),
            reason: "missing measurement".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: ParseOptions = ParseOptions {
        precision: Precision::Nanoseconds,
        default_time: 7,
    };

    #[test]
    fn plain_names_and_values_borrow_from_the_input() {
        let out = parse("cpu,host=a f=1,s=\"x\" 5", &OPTS);
        let p = &out.lines[0];
        assert!(matches!(p.measurement, Cow::Borrowed("cpu")));
        assert!(matches!(p.tags[0].0, Cow::Borrowed("host")));
        assert!(matches!(p.tags[0].1, Cow::Borrowed("a")));
        assert!(matches!(p.fields[1].0, Cow::Borrowed("s")));
        assert!(matches!(
            p.fields[1].1,
            FieldValue::String(Cow::Borrowed("x"))
        ));
    }

    #[test]
    fn only_escaped_text_is_copied() {
        let out = parse(r#"c\ pu,h\=st=a\,b,k=v\x f="q\"",g="lit\n" 5"#, &OPTS);
        let p = &out.lines[0];
        assert!(matches!(p.measurement, Cow::Owned(ref m) if m == "c pu"));
        assert!(matches!(p.tags[0].0, Cow::Owned(ref k) if k == "h=st"));
        assert!(matches!(p.tags[0].1, Cow::Owned(ref v) if v == "a,b"));
        // A backslash that escapes nothing is kept and nothing is copied.
        assert!(matches!(p.tags[1].1, Cow::Borrowed(r"v\x")));
        assert!(matches!(p.fields[0].1, FieldValue::String(Cow::Owned(ref s)) if s == "q\""));
        assert!(matches!(
            p.fields[1].1,
            FieldValue::String(Cow::Borrowed(r"lit\n"))
        ));
    }

    #[test]
    fn errors_are_capped_and_counted() {
        let input = "bad\n".repeat(MAX_ERRORS + 23) + "ok f=1";
        let out = parse(&input, &OPTS);
        assert_eq!(out.errors.len(), MAX_ERRORS);
        assert_eq!(out.more_errors, 23);
        assert_eq!(out.lines.len(), 1);
        assert_eq!(out.errors[99].line, 100);
    }

    #[test]
    fn error_message_joins_lines_like_influxdb() {
        let out = parse("a\ncpu f=1\nb,t=1", &OPTS);
        assert_eq!(
            out.error_message().as_deref(),
            Some("unable to parse 'a': missing fields\nunable to parse 'b,t=1': missing fields")
        );
        assert_eq!(parse("cpu f=1", &OPTS).error_message(), None);
    }

    #[test]
    fn parse_line_reports_line_and_column() {
        let e = parse_line("cpu f=tru", &OPTS).unwrap_err();
        assert_eq!((e.line, e.column), (1, 10));
        assert_eq!(
            e.to_string(),
            "unable to parse 'cpu f=tru': invalid boolean"
        );
        assert!(parse_line("", &OPTS).is_err());
        assert_eq!(parse_line("cpu f=1i", &OPTS).unwrap().timestamp, 7);
    }

    #[test]
    fn string_limit_is_opt_in() {
        let long = format!("m s=\"{}\"", "x".repeat(DOCUMENTED_MAX_STRING_LEN + 1));
        assert!(parse(&long, &OPTS).errors.is_empty());
        let limited: Vec<_> = Parser::new(&long, &OPTS)
            .max_string_len(Some(DOCUMENTED_MAX_STRING_LEN))
            .collect();
        let e = limited[0].as_ref().unwrap_err();
        assert_eq!(e.reason, "string field value too long");
    }

    #[test]
    fn into_owned_keeps_the_point() {
        let text = String::from(r"m,t=a\ b f=1u,s=true 9");
        let owned = parse(&text, &OPTS).lines.remove(0).into_owned();
        drop(text);
        assert_eq!(owned.tags[0].1, "a b");
        assert_eq!(owned.fields[0].1, FieldValue::UInteger(1));
        assert_eq!(
            owned.fields[1].1.to_types_value(),
            edgeflux_types::FieldValue::Boolean(true)
        );
        assert_eq!(owned.fields[1].1.field_type(), FieldType::Boolean);
    }

    #[test]
    fn writer_output_is_canonical() {
        let out = parse(
            "cpu,z=1,a=x\\ y b=-0,c=1e300,d=0.1,e=5i,f=6u,g=\"q\\\"\\\\\",h=F,i=1.5e-7 10",
            &OPTS,
        );
        let mut s = String::new();
        write_lines(&out.lines, &mut s).unwrap();
        assert_eq!(
            s,
            "cpu,a=x\\ y,z=1 b=-0,c=1e300,d=0.1,e=5i,f=6u,g=\"q\\\"\\\\\",h=false,i=1.5e-7 10\n"
        );
    }

    #[test]
    fn writer_refuses_what_no_line_can_say() {
        let mk = |m: &'static str,
                  tags: Vec<(&'static str, &'static str)>,
                  f: FieldValue<'static>| Line {
            measurement: Cow::Borrowed(m),
            tags: tags
                .into_iter()
                .map(|(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v)))
                .collect(),
            fields: vec![(Cow::Borrowed("f"), f)],
            timestamp: 0,
        };
        let w = |l: &Line| {
            let mut s = String::from("keep");
            let r = write_line(l, &mut s);
            assert!(r.is_ok() || s == "keep", "output left untouched on error");
            r
        };
        let one = FieldValue::Float(1.0);
        assert!(matches!(
            w(&mk("m", vec![], FieldValue::Float(f64::NAN))),
            Err(WriteError::NonFinite(..))
        ));
        assert!(matches!(
            w(&mk("m", vec![], FieldValue::Float(f64::INFINITY))),
            Err(WriteError::NonFinite(..))
        ));
        assert_eq!(
            w(&mk("", vec![], one.clone())),
            Err(WriteError::EmptyMeasurement)
        );
        assert!(matches!(
            w(&mk("#m", vec![], one.clone())),
            Err(WriteError::Unrepresentable(..))
        ));
        assert!(matches!(
            w(&mk("m\\", vec![], one.clone())),
            Err(WriteError::Unrepresentable(..))
        ));
        assert!(matches!(
            w(&mk("m", vec![("t", "a\nb")], one.clone())),
            Err(WriteError::Unrepresentable(..))
        ));
        assert!(matches!(
            w(&mk("m", vec![("time", "x")], one.clone())),
            Err(WriteError::ReservedTagKey(..))
        ));
        assert_eq!(
            w(&mk(
                "m",
                vec![("b", "1"), ("a", "2"), ("b", "3")],
                one.clone()
            )),
            Err(WriteError::DuplicateTag)
        );
        assert_eq!(
            w(&mk("m", vec![("", "1")], one.clone())),
            Err(WriteError::EmptyTagKey)
        );
        assert!(matches!(
            w(&mk("m", vec![("k", "")], one.clone())),
            Err(WriteError::EmptyTagValue(..))
        ));
        let mut no_fields = mk("m", vec![], one.clone());
        no_fields.fields.clear();
        assert_eq!(w(&no_fields), Err(WriteError::NoFields));
        // Unsorted tags are written in key order.
        let mut s = String::new();
        write_line(&mk("m", vec![("b", "1"), ("a", "2")], one), &mut s).unwrap();
        assert_eq!(s, "m,a=2,b=1 f=1 0\n");
    }

    #[test]
    fn field_values_render_like_line_protocol() {
        let mut s = String::new();
        for v in [
            FieldValue::Float(2.5),
            FieldValue::Float(1e-6),
            FieldValue::Float(f64::NAN),
            FieldValue::Integer(-3),
            FieldValue::UInteger(u64::MAX),
            FieldValue::Boolean(true),
            FieldValue::String(Cow::Borrowed("a\"b")),
        ] {
            write_field_value(&v, &mut s);
            s.push('|');
        }
        assert_eq!(s, "2.5|1e-6|NaN|-3i|18446744073709551615u|true|\"a\\\"b\"|");
    }

    #[test]
    fn huge_lines_stay_linear() {
        // Quadratic handling of repeated keys or many tags would not finish here.
        let n = 60_000;
        let mut line = String::from("m");
        for i in (0..n).rev() {
            line.push_str(&format!(",t{i}=v"));
        }
        line.push(' ');
        for i in 0..n {
            line.push_str(&format!("f{}={i}i,", i % 7));
        }
        line.push_str("f0=-1i 1");
        let out = parse(&line, &OPTS);
        assert!(out.errors.is_empty() || out.errors[0].reason.starts_with("max key length"));
        let short = format!("m {}a=1", "a=2,".repeat(n));
        let p = parse(&short, &OPTS).lines.remove(0);
        assert_eq!(p.fields, vec![(Cow::Borrowed("a"), FieldValue::Float(1.0))]);
        let mut tags = String::from("m");
        for i in (0..5_000).rev() {
            tags.push_str(&format!(",k{i:05}=v"));
        }
        tags.push_str(" f=1");
        let p = parse(&tags, &OPTS).lines.remove(0);
        assert_eq!(p.tags.len(), 5_000);
        assert_eq!(p.tags[0].0, "k00000");
        assert!(p.tags.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn repeated_field_keys_keep_the_last_value_in_first_seen_order() {
        let p = parse("m a=1,b=2,c=3,a=4,b=5 1", &OPTS).lines.remove(0);
        let keys: Vec<&str> = p.fields.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(keys, ["c", "a", "b"]);
        assert_eq!(p.fields[1].1, FieldValue::Float(4.0));
        let many: String = (0..40).map(|i| format!("k{}={i}i,", i % 20)).collect();
        let text = format!("m {many}z=1");
        let p = parse(&text, &OPTS).lines.remove(0);
        assert_eq!(p.fields.len(), 21);
        assert_eq!(p.fields[0], (Cow::Borrowed("k0"), FieldValue::Integer(20)));
    }
}
