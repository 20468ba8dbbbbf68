//! The AST as JSON (`edgeflux parse FILE --json`, the golden files), written straight from
//! the tree by a hand-written writer (no serde, no intermediate value tree).
//!
//! Format: every node is an object with `"type"` (libflux's node names) and, unless spans are
//! disabled, `"start"` and `"end"`: byte offsets of the half-open range the node covers (the
//! ESTree convention; plain numbers are also what `JSON.parse` reads fastest). The fields of
//! each node are listed in [`crate::encode`]. Two spellings:
//! - pretty (`edgeflux parse --json`): indented, every field present (`null`, `[]`);
//! - compact: one line; absent optional fields and empty lists are left out. This is the
//!   object model the JavaScript decoder of the binary hand-off (`js/ast_decoder.mjs`) builds.
//!
//! With spans disabled the output compares ASTs "modulo spans" (the formatter round-trip tests).

use std::fmt::Write as _;

use crate::ast::{File, Span};
use crate::encode::{self, Kind, Sink};
use crate::Diagnostic;

pub struct JsonOptions {
    /// Include `"start"` and `"end"` on every node.
    pub spans: bool,
    /// Indented output with every field; compact output (`false`) leaves out `null` fields and
    /// empty lists.
    pub pretty: bool,
}

impl Default for JsonOptions {
    fn default() -> Self {
        JsonOptions {
            spans: true,
            pretty: true,
        }
    }
}

/// The file as JSON.
pub fn to_json(file: &File, options: &JsonOptions) -> String {
    let mut w = Writer::new(options.pretty);
    let mut sink = JsonSink {
        w: &mut w,
        spans: options.spans,
        after_key: false,
    };
    encode::file(&mut sink, file);
    w.out
}

/// Diagnostics as a JSON array of
/// `{message, error, line, column, end_line, end_column, start, end, found, expected}`.
pub fn diagnostics_to_json(source: &str, diags: &[Diagnostic]) -> String {
    let index = crate::LineIndex::new(source);
    let mut w = Writer::new(true);
    w.open('[');
    for d in diags {
        let a = index.position(d.span.start);
        let b = index.position(d.span.end);
        w.item();
        w.open('{');
        w.field("message");
        write_str(&d.message, &mut w.out);
        w.field("error");
        write_str(&d.render(&index), &mut w.out);
        for (name, n) in [
            ("line", a.line),
            ("column", a.column),
            ("end_line", b.line),
            ("end_column", b.column),
            ("start", d.span.start),
            ("end", d.span.end),
        ] {
            w.field(name);
            let _ = write!(w.out, "{n}");
        }
        w.field("found");
        match &d.found {
            Some(f) => write_str(f, &mut w.out),
            None => w.out.push_str("null"),
        }
        w.field("expected");
        if d.expected.is_empty() {
            w.out.push_str("[]");
        } else {
            w.open('[');
            for e in &d.expected {
                w.item();
                write_str(e, &mut w.out);
            }
            w.close(']');
        }
        w.close('}');
    }
    w.close(']');
    w.out
}

/// Commas, indentation and nesting; the callers write the values.
struct Writer {
    out: String,
    pretty: bool,
    depth: usize,
    /// Nothing written yet in the innermost object or array.
    first: bool,
}

impl Writer {
    fn new(pretty: bool) -> Self {
        Writer {
            out: String::new(),
            pretty,
            depth: 0,
            first: true,
        }
    }

    fn newline(&mut self) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str("  ");
            }
        }
    }

    /// Before a value in an array or object (or the root value, which starts the output).
    fn item(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        if self.depth > 0 {
            self.newline();
        }
    }

    /// Before a field's value in an object.
    fn field(&mut self, name: &str) {
        self.item();
        write_str(name, &mut self.out);
        self.out.push_str(if self.pretty { ": " } else { ":" });
    }

    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.depth += 1;
        self.first = true;
    }

    fn close(&mut self, bracket: char) {
        self.depth -= 1;
        self.newline();
        self.out.push(bracket);
        self.first = false;
    }
}

struct JsonSink<'w> {
    w: &'w mut Writer,
    spans: bool,
    /// A field name was just written; the next object is its value.
    after_key: bool,
}

impl<'a> Sink<'a> for JsonSink<'_> {
    fn begin(&mut self, kind: Kind, span: Option<Span>) {
        if !std::mem::take(&mut self.after_key) {
            self.w.item();
        }
        self.w.open('{');
        if let Some(name) = kind.name() {
            self.w.field("type");
            write_str(name, &mut self.w.out);
        }
        if let (true, Some(span)) = (self.spans, span) {
            self.int("start", span.start as i64);
            self.int("end", span.end as i64);
        }
    }

    fn end(&mut self) {
        self.w.close('}');
    }

    fn key(&mut self, name: &'static str) {
        self.w.field(name);
        self.after_key = true;
    }

    fn none(&mut self, name: &'static str) {
        if self.w.pretty {
            self.w.field(name);
            self.w.out.push_str("null");
        }
    }

    fn str(&mut self, name: &'static str, value: &str) {
        self.w.field(name);
        write_str(value, &mut self.w.out);
    }

    fn int(&mut self, name: &'static str, value: i64) {
        self.w.field(name);
        let _ = write!(self.w.out, "{value}");
    }

    fn float(&mut self, name: &'static str, value: f64) {
        self.w.field(name);
        if value.is_finite() {
            let _ = write!(self.w.out, "{value:?}");
        } else {
            self.w.out.push_str("null");
        }
    }

    fn word(&mut self, name: &'static str, _index: u32, text: &'static str) {
        self.str(name, text);
    }

    fn begin_list(&mut self, name: &'static str, len: usize) {
        if len == 0 {
            if self.w.pretty {
                self.w.field(name);
                self.w.out.push_str("[]");
            }
            return;
        }
        self.w.field(name);
        self.w.open('[');
    }

    fn end_list(&mut self, len: usize) {
        if len > 0 {
            self.w.close(']');
        }
    }
}

/// Writes `s` as a JSON string literal (quotes and escapes included).
pub fn write_str(s: &str, out: &mut String) {
    out.push('"');
    let mut rest = s;
    // copy runs of characters that need no escape in one go
    while let Some(i) = rest
        .bytes()
        .position(|b| b == b'"' || b == b'\\' || b < 0x20)
    {
        out.push_str(&rest[..i]);
        match rest.as_bytes()[i] {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out.push('"');
}
