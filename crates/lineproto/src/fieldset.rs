//! The general field-set path: every field set the fast path in `parser.rs` declines (a
//! quote or comma inside a key, text after a closing quote, an empty key, a key ending in
//! a backslash...) is read here, so odd input gets the answer InfluxDB 2.x gives.
//!
//! # Our grammar of a field set
//!
//! InfluxDB reads a field set twice, with slightly different eyes, and both readings show
//! in its answers. We keep the two readings apart, each as a small state machine:
//!
//! 1. **Shape** ([`shape`]) decides where the field set ends and whether it is well formed.
//!    States: *plain* and *in string*. A running count `open` (every `=` outside a string
//!    adds one, every `,` outside a string takes one away) tells whether a value may start:
//!    a `"` opens or closes a string only while `open > 0`. A backslash and the byte after
//!    it are plain text in both states. Outside a string a space ends the field set.
//!    After each `=` outside a string the value is looked at right away: a number or a
//!    boolean is read whole by `number.rs` (its errors are the field set's errors), a `"`
//!    opens a string.
//! 2. **Split** ([`Pieces`]) cuts the well-formed range into key/value pieces.
//!    States: *key*, *key after backslash*, *value*, *value in string*. A key ends at the
//!    first `=` that starts it or does not follow a backslash (so `a\\=` does not end there);
//!    a value ends at the first `,` outside a string, where only `\"` and `\\` are escape
//!    pairs and every other `"` opens or closes a string. A key left without a value
//!    (no `=`, or `=` as the last byte) ends the split.
//!
//! # Which error wins
//!
//! Rules, first match wins (positions are byte offsets in the batch):
//! 1. shape, left to right: an `=` right after a space or comma that is not itself after a
//!    backslash is `missing field key` (at the `=`); an `=` followed by nothing, a `,` or a
//!    space is `missing field value` (at the `=`); then the value's own number or boolean
//!    error;
//! 2. shape, at its end: still in a string is `unbalanced quotes`; unless there is exactly
//!    one more `=` than `,` (outside strings), `invalid field format`;
//! 3. split, piece by piece: an empty key is `missing field key` (at the field set start);
//!    an empty value is `invalid number` (there); a value that is neither a string (`"`
//!    first) nor a boolean (`t T f F` first) must be a number (its error);
//! 4. (in `parser.rs`) the timestamp's errors, then the storage key size;
//! 5. last, a key the split left without a value: `invalid value: field-key=<raw key>`.
//!
//! String values are the piece minus its first byte and its last character, whatever they
//! are (so `"x"y` reads as `x"`); booleans are decided by their first byte alone (the shape
//! reading already checked the spelling).

use std::borrow::Cow;

use crate::number::{boolean_value, number_value, starts_number, PErr, INVALID_NUMBER};
use crate::parser::{unescape_key, unescape_string, Fields};
use crate::FieldValue;

#[inline]
fn err<T>(pos: usize, msg: &'static str) -> Result<T, PErr> {
    Err((pos, Cow::Borrowed(msg)))
}

/// A field set read by the general path.
pub(crate) struct General<'a> {
    pub fields: Fields<'a>,
    /// Where the field set ends (a space or the line end).
    pub end: usize,
    /// Length of the longest raw key.
    pub longest_key: usize,
    /// Rule 5's error, reported only when nothing else is wrong.
    pub deferred: Option<PErr>,
}

/// Reads the field set starting at `fs` (its first non-blank byte) in a line ending at `e`.
#[cold]
pub(crate) fn general(text: &str, fs: usize, e: usize) -> Result<General<'_>, PErr> {
    let end = shape(text.as_bytes(), text, fs, e)?;
    let mut fields: Fields<'_> = Vec::new();
    let mut longest_key = 0;
    let mut deferred = None;
    for piece in Pieces::new(text, fs, end) {
        let (key, value) = match piece {
            Piece::Field { key, value } => (key, value),
            Piece::Dangling(key) => {
                deferred = Some((end, Cow::Owned(format!("invalid value: field-key={key}"))));
                break;
            }
        };
        if key.is_empty() {
            return err(fs, "missing field key");
        }
        longest_key = longest_key.max(key.len());
        let ks = offset(text, key);
        let vs = offset(text, value);
        let name = unescape_key(text, ks, ks + key.len(), key.contains('\\'), true);
        let value = match value.as_bytes().first() {
            None => return err(fs, INVALID_NUMBER),
            Some(b'"') => {
                let inner = &value[1..];
                let keep = inner.char_indices().last().map_or(0, |(at, _)| at);
                FieldValue::String(unescape_string(text, vs + 1, vs + 1 + keep, true))
            }
            Some(b't' | b'T') => FieldValue::Boolean(true),
            Some(b'f' | b'F') => FieldValue::Boolean(false),
            Some(_) => number_value(text.as_bytes(), text, vs, vs + value.len())?.0,
        };
        fields.push((name, value));
    }
    Ok(General {
        fields,
        end,
        longest_key,
        deferred,
    })
}

/// Byte offset of `part` (a slice of `text`) in `text`.
#[inline]
fn offset(text: &str, part: &str) -> usize {
    part.as_ptr() as usize - text.as_ptr() as usize
}

/// The shape reading (rules 1 and 2): where the field set starting at `fs` ends.
fn shape(b: &[u8], text: &str, fs: usize, e: usize) -> Result<usize, PErr> {
    #[derive(PartialEq)]
    enum State {
        Plain,
        InString,
    }
    let mut state = State::Plain;
    let mut open: isize = 0;
    let mut i = fs;
    while i < e {
        let c = b[i];
        if c == b'\\' && i + 1 < e {
            i += 2;
            continue;
        }
        match (&state, c) {
            (_, b'"') if open > 0 => {
                state = if state == State::Plain {
                    State::InString
                } else {
                    State::Plain
                };
            }
            (State::InString, _) => {}
            (State::Plain, b' ') => break,
            (State::Plain, b',') => open -= 1,
            (State::Plain, b'=') => {
                open += 1;
                let after_separator = matches!(b[i - 1], b' ' | b',') && b[i - 2] != b'\\';
                if after_separator {
                    return err(i, "missing field key");
                }
                match b.get(i + 1).filter(|_| i + 1 < e) {
                    None | Some(b',' | b' ') => return err(i, "missing field value"),
                    Some(b'"') => {}
                    Some(&v) => {
                        i = if starts_number(v) {
                            number_value(b, text, i + 1, e)?.1
                        } else {
                            boolean_value(b, i + 1, e)?.1
                        };
                        continue;
                    }
                }
            }
            (State::Plain, _) => {}
        }
        i += 1;
    }
    let end = i.min(e);
    if state == State::InString {
        return err(end, "unbalanced quotes");
    }
    if open != 1 {
        return err(end, "invalid field format");
    }
    Ok(end)
}

/// One piece of the split reading.
pub(crate) enum Piece<'t> {
    /// Raw key and raw value (escapes still in).
    Field { key: &'t str, value: &'t str },
    /// A key with no value after it; always the last piece.
    Dangling(&'t str),
}

/// The split reading of `text[from..end]`, piece by piece.
pub(crate) struct Pieces<'t> {
    text: &'t str,
    at: usize,
    end: usize,
}

impl<'t> Pieces<'t> {
    pub(crate) fn new(text: &'t str, from: usize, end: usize) -> Self {
        Pieces {
            text,
            at: from,
            end,
        }
    }
}

impl<'t> Iterator for Pieces<'t> {
    type Item = Piece<'t>;

    fn next(&mut self) -> Option<Piece<'t>> {
        let (b, end) = (self.text.as_bytes(), self.end);
        if self.at >= end {
            return None;
        }
        // Key: states *key* and *key after backslash*.
        let ks = self.at;
        let mut after_backslash = false;
        let mut i = ks;
        while i < end {
            match b[i] {
                b'=' if !after_backslash => break,
                c => after_backslash = c == b'\\',
            }
            i += 1;
        }
        if i + 1 >= end {
            self.at = end;
            return Some(Piece::Dangling(&self.text[ks..i.min(end)]));
        }
        // Value: states *value* and *value in string*.
        let vs = i + 1;
        let mut in_string = false;
        let mut j = vs;
        while j < end {
            match b[j] {
                b'\\' if j + 1 < end && matches!(b[j + 1], b'"' | b'\\') => j += 1,
                b'"' => in_string = !in_string,
                b',' if !in_string => break,
                _ => {}
            }
            j += 1;
        }
        self.at = j + 1;
        Some(Piece::Field {
            key: &self.text[ks..i],
            value: &self.text[vs..j],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_line, ParseOptions, Precision};

    const OPTS: ParseOptions = ParseOptions {
        precision: Precision::Nanoseconds,
        default_time: 0,
    };

    fn pieces(s: &str) -> Vec<String> {
        Pieces::new(s, 0, s.len())
            .map(|p| match p {
                Piece::Field { key, value } => format!("{key}={value}"),
                Piece::Dangling(key) => format!("dangling {key}"),
            })
            .collect()
    }

    fn outcome(s: &str) -> String {
        match parse_line(s, &OPTS) {
            Ok(l) => format!("{:?}", l.fields),
            Err(e) => format!("{}:{}", e.column, e.reason),
        }
    }

    #[test]
    fn split_reading() {
        // `\\=` does not end a key; `\,` is no escape pair in a value.
        assert_eq!(pieces(r"a\\=t,b=1"), [r"a\\=t,b=1"]);
        assert_eq!(pieces(r#"a="x,y",b"#), [r#"a="x,y""#, "dangling b"]);
        assert_eq!(pieces(r#"a="q\"",b=2"#), [r#"a="q\"""#, "b=2"]);
        assert_eq!(pieces("=1,k="), ["=1", "dangling k"]);
    }

    #[test]
    fn error_precedence() {
        // Rule 2 (shape) before anything the split sees.
        assert_eq!(outcome(r#"m a="x,y",b 5"#), "12:invalid field format");
        // Rule 3 (an empty key, at the field set start) before the timestamp (rule 4).
        assert_eq!(outcome("m \t=1 x"), "4:missing field key");
        // Rule 4 before rule 5; rule 5 when nothing else is wrong.
        assert_eq!(outcome(r"m a\\=1 x"), "9:bad timestamp");
        assert_eq!(outcome(r"m a\\=1 5"), r"8:invalid value: field-key=a\\=1");
    }

    #[test]
    fn odd_values() {
        // The string is the piece minus its first byte and last character.
        assert_eq!(outcome("m a=\"é\"z 1"), r#"[("a", String("é\""))]"#);
        assert_eq!(outcome(r"m a\\=t,b=1 5"), r#"[("a\\=t,b", Float(1.0))]"#);
        assert_eq!(
            outcome(r"m a=1,\,=2 3"),
            r#"[("a", Float(1.0)), (",", Float(2.0))]"#
        );
    }
}
