//! `display(v)`: Flux's human-readable rendering of any value. It differs from string
//! conversion: record labels are sorted, strings inside composites are not quoted, and
//! records, arrays and dictionaries of more than three entries span lines (4-space indent).

use std::fmt::Write as _;
use std::sync::Arc;

use crate::error::Result;
use crate::eval::{Args, Interp};
use crate::value::Value;

pub fn display(_i: &mut Interp, a: &mut Args) -> Result<Value> {
    let mut out = String::new();
    render(a.req("v")?, 0, &mut out);
    Ok(Value::String(Arc::from(out)))
}

fn newline(indent: usize, out: &mut String) {
    out.push('\n');
    for _ in 0..indent {
        out.push_str("    ");
    }
}

/// Writes `items` between `open` and `close`; each item renders itself at `indent + 1`.
/// `seps` separate items on one line and before each new line (Flux keeps the space
/// before a line break in dictionaries only).
fn composite<T>(
    items: &[T],
    (open, close): (char, char),
    seps: (&str, &str),
    indent: usize,
    out: &mut String,
    mut item: impl FnMut(&T, &mut String),
) {
    let multiline = items.len() > 3;
    out.push(open);
    if multiline {
        newline(indent + 1, out);
    }
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(if multiline { seps.1 } else { seps.0 });
            if multiline {
                newline(indent + 1, out);
            }
        }
        item(x, out);
    }
    if multiline {
        newline(indent, out);
    }
    out.push(close);
}

fn render(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Array(a) => composite(a, ('[', ']'), (", ", ","), indent, out, |x, o| {
            render(x, indent + 1, o)
        }),
        Value::Record(r) => {
            let mut fields: Vec<&(Arc<str>, Value)> = r.fields.iter().collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            composite(
                &fields,
                ('{', '}'),
                (", ", ","),
                indent,
                out,
                |(k, x), o| {
                    o.push_str(k);
                    o.push_str(": ");
                    render(x, indent + 1, o);
                },
            )
        }
        Value::Dict(d) => composite(d, ('[', ']'), (", ", ", "), indent, out, |(k, x), o| {
            render(k, indent + 1, o);
            o.push_str(": ");
            render(x, indent + 1, o);
        }),
        other => {
            let _ = write!(out, "{other}");
        }
    }
}
