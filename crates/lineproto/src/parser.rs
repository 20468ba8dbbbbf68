//! The batch parser: splits a batch into lines (a newline inside a string field value or
//! right after a backslash does not end a line, as in InfluxDB 2.x), then reads each line
//! in one pass, answering bad input with InfluxDB's error texts.
//!
//! Well-formed field sets take the fast path here (`Parser::fields_fast`); anything
//! unusual in a field set (a quote or comma inside a key, text after a closing quote, an
//! empty key...) goes to the general path in `fieldset.rs`, which documents our grammar
//! of a field set and which error wins when several apply.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::fieldset::{general, Piece, Pieces};
use crate::number::{boolean_value, number_value, starts_number, PErr};
use crate::{
    FieldValue, Line, LineError, ParseOptions, Timestamp, MAX_KEY_LENGTH, MAX_NANO_TIME,
    MIN_NANO_TIME,
};

type Tags<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;
pub(crate) type Fields<'a> = Vec<(Cow<'a, str>, FieldValue<'a>)>;

#[inline]
fn err<T>(pos: usize, msg: &'static str) -> Result<T, PErr> {
    Err((pos, Cow::Borrowed(msg)))
}

#[inline]
fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\t' || c == 0
}

#[inline]
fn skip_ws(b: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && is_ws(b[i]) {
        i += 1;
    }
    i
}

/// A streaming parser over a batch: yields every line, good or bad, in order.
///
/// ```
/// use edgeflux_lineproto::{Parser, ParseOptions, Precision};
/// let opts = ParseOptions { precision: Precision::Seconds, default_time: 0 };
/// let mut p = Parser::new("cpu,host=a usage=1.5 10\n", &opts);
/// let line = p.next().unwrap().unwrap();
/// assert_eq!(line.timestamp, 10_000_000_000);
/// assert!(p.next().is_none());
/// ```
pub struct Parser<'a> {
    text: &'a str,
    pos: usize,
    /// 1-based number of the physical line starting at `pos`.
    line_no: usize,
    multiplier: i64,
    default_time: Timestamp,
    max_string_len: Option<usize>,
    tag_hint: usize,
    field_hint: usize,
    general_only: bool,
}

impl<'a> Parser<'a> {
    pub fn new(input: &'a str, options: &ParseOptions) -> Parser<'a> {
        let multiplier = options.precision.multiplier();
        let t = options.default_time;
        Parser {
            text: input,
            pos: 0,
            line_no: 1,
            multiplier,
            default_time: t - t.rem_euclid(multiplier),
            max_string_len: None,
            tag_hint: 0,
            field_hint: 0,
            general_only: false,
        }
    }

    /// Rejects string field values longer than `limit` bytes (after unescaping) with
    /// `string field value too long` (2.x's parser has no limit; its docs say 64 KiB).
    pub fn max_string_len(mut self, limit: Option<usize>) -> Self {
        self.max_string_len = limit;
        self
    }

    /// Sends every field set through the general path instead of the fast path (for
    /// differential tests: both must give the same answer).
    #[doc(hidden)]
    pub fn general_path_only(mut self) -> Self {
        self.general_only = true;
        self
    }

    /// Where the line starting at `start` ends, for lines holding a quote or a backslash.
    ///
    /// Our automaton for line ends. Everywhere, a backslash and the byte after it are
    /// text (so an escaped newline does not end the line). Before the line's first space
    /// (section *series key*) a newline ends the line. From that space on (section
    /// *fields*) we count `open`: `=` adds one and `,` takes one away, outside strings;
    /// a `"` opens or closes a string while `open > 0`; a newline ends the line unless it
    /// is inside a string. A string left open runs to the end of the batch.
    #[cold]
    fn line_end_slow(&self, start: usize) -> usize {
        enum Section {
            SeriesKey,
            Fields { open: isize, in_string: bool },
        }
        let b = self.text.as_bytes();
        let mut section = Section::SeriesKey;
        let mut i = start;
        while i < b.len() {
            let c = b[i];
            if c == b'\\' && i + 1 < b.len() {
                i += 2;
                continue;
            }
            match &mut section {
                Section::SeriesKey => match c {
                    b'\n' => return i,
                    b' ' => {
                        section = Section::Fields {
                            open: 0,
                            in_string: false,
                        }
                    }
                    _ => {}
                },
                Section::Fields { open, in_string } => match c {
                    b'"' if *open > 0 => *in_string = !*in_string,
                    _ if *in_string => {}
                    b'=' => *open += 1,
                    b',' => *open -= 1,
                    b'\n' => return i,
                    _ => {}
                },
            }
            i += 1;
        }
        b.len()
    }

    /// Parses one line `b[s..e]` (`s` is its first non-blank byte).
    fn parse_at(&mut self, s: usize, e: usize) -> Result<Line<'a>, PErr> {
        let text = self.text;
        let b = text.as_bytes();

        // Measurement: up to the first comma or space not preceded by a backslash.
        if s >= e || b[s] == b',' {
            return err(s, "missing measurement");
        }
        let mut esc = b[s] == b'\\';
        let mut i = s;
        let mut has_tags = false;
        loop {
            i += 1;
            if i >= e {
                return err(i, "missing fields");
            }
            let c = b[i];
            if b[i - 1] == b'\\' {
                continue;
            }
            match c {
                b',' => {
                    has_tags = true;
                    break;
                }
                b' ' => break,
                b'\\' => esc = true,
                _ => {}
            }
        }
        let measurement = unescape_key(text, s, i, esc, false);
        let measurement_end = i;

        let mut tags: Tags<'a> = Vec::new();
        if has_tags {
            tags.reserve(self.tag_hint);
            i += 1;
            loop {
                // Tag key.
                let ks = i;
                if i >= e || matches!(b[i], b' ' | b',' | b'=') {
                    return err(i, "missing tag key");
                }
                let mut kesc = b[i] == b'\\';
                loop {
                    i += 1;
                    if i >= e {
                        return err(i, "missing tag value");
                    }
                    let c = b[i];
                    if b[i - 1] != b'\\' {
                        if c == b' ' || c == b',' {
                            return err(i, "missing tag value");
                        }
                        if c == b'=' {
                            break;
                        }
                    }
                    kesc |= c == b'\\';
                }
                let ke = i;
                i += 1;
                // Tag value.
                let vs = i;
                if i >= e || b[i] == b',' || b[i] == b' ' {
                    return err(i, "missing tag value");
                }
                let mut vesc = b[i] == b'\\';
                let more;
                loop {
                    i += 1;
                    if i >= e {
                        return err(i, "missing fields");
                    }
                    let c = b[i];
                    if b[i - 1] != b'\\' {
                        match c {
                            b'=' => return err(i, "invalid tag format"),
                            b',' => {
                                more = true;
                                break;
                            }
                            b' ' => {
                                more = false;
                                break;
                            }
                            _ => {}
                        }
                    }
                    vesc |= c == b'\\';
                }
                tags.push((
                    unescape_key(text, ks, ke, kesc, true),
                    unescape_key(text, vs, i, vesc, true),
                ));
                if !more {
                    break;
                }
                i += 1;
            }
            for (k, _) in &tags {
                if matches!(k.as_bytes().first(), Some(b'_' | b't'))
                    && matches!(k.as_ref(), "_measurement" | "_field" | "time")
                {
                    return Err((i, format!("cannot use reserved tag key {k:?}").into()));
                }
            }
            // 2.x reports a repeated key before an over-long key; find one without sorting
            // a huge tag set that is about to be rejected anyway.
            if i - s > MAX_KEY_LENGTH && !has_duplicates(tags.iter().map(|(k, _)| k.as_ref())) {
                let key_len = i - s;
                return Err((
                    i,
                    format!("max key length exceeded: {key_len} > {MAX_KEY_LENGTH}").into(),
                ));
            }
            if sort_tags(&mut tags) {
                return err(i, "duplicate tags");
            }
        }
        // `i` is at the space that ends the key.
        let key_len = i - s;
        if key_len > MAX_KEY_LENGTH {
            return Err((
                i,
                format!("max key length exceeded: {key_len} > {MAX_KEY_LENGTH}").into(),
            ));
        }

        let fs = skip_ws(b, i, e);
        let fast = if self.general_only {
            None
        } else {
            self.fields_fast(fs, e)?
        };
        let (mut fields, fe, longest_key, deferred) = match fast {
            Some((f, fe, longest)) => (f, fe, longest, None),
            None => {
                let g = general(text, fs, e)?;
                (g.fields, g.end, g.longest_key, g.deferred)
            }
        };
        let timestamp = self.timestamp_at(fe, e)?;

        // Then, field by field, 2.x builds its storage key and checks its size.
        if key_len + (measurement_end - s) + V2_KEY_OVERHEAD + 2 * longest_key > MAX_KEY_LENGTH {
            let escaped_len =
                key_len + b[s..measurement_end].iter().filter(|&&c| c == b'=').count();
            if let Some(reason) = key_too_long_reason(text, escaped_len, fs, fe) {
                return Err((fe, reason));
            }
        }
        if let Some(e) = deferred {
            return Err(e);
        }
        dedup_fields(&mut fields);
        if let Some(limit) = self.max_string_len {
            for (_, v) in &fields {
                if let FieldValue::String(s) = v {
                    if s.len() > limit {
                        return err(fe, "string field value too long");
                    }
                }
            }
        }

        self.tag_hint = tags.len();
        self.field_hint = fields.len();
        Ok(Line {
            measurement,
            tags,
            fields,
            timestamp,
        })
    }

    /// The field set of a well-formed line. `Ok(None)` hands the field set to the general
    /// path (`fieldset.rs`) for its verdict on odd input.
    #[inline]
    #[allow(clippy::type_complexity)]
    fn fields_fast(&self, fs: usize, e: usize) -> Result<Option<(Fields<'a>, usize, usize)>, PErr> {
        let text = self.text;
        let b = text.as_bytes();
        let mut fields: Fields<'a> = Vec::with_capacity(self.field_hint.max(1));
        let mut longest = 0;
        let mut j = fs;
        loop {
            let ks = j;
            let mut kesc = false;
            loop {
                if j >= e {
                    return Ok(None);
                }
                let c = b[j];
                if c == b'=' {
                    break;
                }
                if c == b'\\' {
                    if j + 1 >= e {
                        return Ok(None);
                    }
                    kesc = true;
                    j += 2;
                    continue;
                }
                if c == b',' || c == b' ' || c == b'"' {
                    return Ok(None);
                }
                j += 1;
            }
            // An empty key, or one ending in a backslash (InfluxDB then reads the `=` as
            // escaped): let the general path decide.
            if j == ks || b[j - 1] == b'\\' {
                return Ok(None);
            }
            let ke = j;
            j += 1;
            if j >= e || b[j] == b',' || b[j] == b' ' {
                return err(j - 1, "missing field value");
            }
            let c = b[j];
            let value = if starts_number(c) {
                let (v, nj) = number_value(b, text, j, e)?;
                j = nj;
                v
            } else if c != b'"' {
                let (v, nj) = boolean_value(b, j, e)?;
                j = nj;
                FieldValue::Boolean(v)
            } else {
                j += 1;
                let vs = j;
                let mut sesc = false;
                loop {
                    if j >= e {
                        return err(j, "unbalanced quotes");
                    }
                    let c = b[j];
                    if c == b'\\' && j + 1 < e {
                        sesc = true;
                        j += 2;
                        continue;
                    }
                    if c == b'"' {
                        break;
                    }
                    j += 1;
                }
                let ve = j;
                j += 1;
                if j < e && b[j] != b',' && b[j] != b' ' {
                    return Ok(None);
                }
                FieldValue::String(unescape_string(text, vs, ve, sesc))
            };
            longest = longest.max(ke - ks);
            fields.push((unescape_key(text, ks, ke, kesc, true), value));
            if j >= e || b[j] == b' ' {
                return Ok(Some((fields, j, longest)));
            }
            j += 1;
        }
    }

    /// The optional timestamp after the field set, scaled to nanoseconds.
    fn timestamp_at(&self, from: usize, e: usize) -> Result<Timestamp, PErr> {
        let b = self.text.as_bytes();
        let ts = skip_ws(b, from, e);
        let mut i = ts;
        while i < e {
            let c = b[i];
            if c == b'\n' || c == b' ' {
                break;
            }
            if !(c.is_ascii_digit() || (i == ts && c == b'-')) {
                return err(i, "bad timestamp");
            }
            i += 1;
        }
        if i == ts {
            return Ok(self.default_time);
        }
        let digits = &self.text[ts..i];
        let raw: i64 = match parse_i64_digits(digits.as_bytes()) {
            Some(v) => v,
            None => {
                let why = if digits == "-" {
                    "invalid syntax"
                } else {
                    "value out of range"
                };
                return Err((
                    ts,
                    format!("strconv.ParseInt: parsing \"{digits}\": {why}").into(),
                ));
            }
        };
        let t = match raw.checked_mul(self.multiplier) {
            Some(t) if (MIN_NANO_TIME..=MAX_NANO_TIME).contains(&t) => t,
            _ => {
                return Err((
                    ts,
                    format!("time outside range {MIN_NANO_TIME} - {MAX_NANO_TIME}").into(),
                ))
            }
        };
        if b[i..e].iter().any(|&c| c != b' ') {
            return err(i, "point is invalid");
        }
        Ok(t)
    }
}

/// 2.x's storage key adds a 16-byte org/bucket prefix, `,\x00=` before the measurement,
/// `,\xff=<field>` after the tags and `#!~#<field>` at the end: 26 bytes + the field twice.
const V2_KEY_OVERHEAD: usize = 26;

/// The first field (in the general path's split reading, raw keys) whose storage key is
/// too long, in InfluxDB's words.
fn key_too_long_reason(
    text: &str,
    key_len: usize,
    fs: usize,
    fe: usize,
) -> Option<Cow<'static, str>> {
    Pieces::new(text, fs, fe)
        .map_while(|p| match p {
            Piece::Field { key, .. } => Some(key_len + V2_KEY_OVERHEAD + 2 * key.len()),
            Piece::Dangling(_) => None,
        })
        .find(|&size| size > MAX_KEY_LENGTH)
        .map(|size| format!("max key length exceeded: {size} > {MAX_KEY_LENGTH}").into())
}

/// Signed decimal digits (optional leading `-`), with overflow detection.
#[inline]
fn parse_i64_digits(d: &[u8]) -> Option<i64> {
    let (neg, digits) = match d.first() {
        Some(b'-') => (true, &d[1..]),
        _ => (false, d),
    };
    if digits.is_empty() {
        return None;
    }
    if digits.len() <= 18 {
        let mut v: i64 = 0;
        for &c in digits {
            v = v * 10 + i64::from(c - b'0');
        }
        return Some(if neg { -v } else { v });
    }
    let mut v: i64 = 0;
    for &c in digits {
        let dgt = i64::from(c - b'0');
        v = v.checked_mul(10)?;
        v = if neg {
            v.checked_sub(dgt)?
        } else {
            v.checked_add(dgt)?
        };
    }
    Some(v)
}

/// Orders tag keys, deciding on the first byte when it differs (the usual case).
#[inline]
fn key_cmp(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    match (x.first(), y.first()) {
        (Some(p), Some(q)) if p != q => p.cmp(q),
        _ => x.cmp(y),
    }
}

/// Sorts tags into key order; `true` when a key repeats. Insertion sort for the usual
/// handful (already sorted input costs one comparison per tag), the library sort beyond.
fn sort_tags(tags: &mut Tags<'_>) -> bool {
    if tags.len() > 24 {
        tags.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        return tags.windows(2).any(|w| w[0].0 == w[1].0);
    }
    for i in 1..tags.len() {
        let mut j = i;
        while j > 0 {
            match key_cmp(&tags[j].0, &tags[j - 1].0) {
                Ordering::Less => {
                    tags.swap(j, j - 1);
                    j -= 1;
                }
                Ordering::Equal => return true,
                Ordering::Greater => break,
            }
        }
    }
    false
}

/// Later duplicates of a field key replace earlier ones (2.x keeps the last value).
fn dedup_fields(fields: &mut Fields<'_>) {
    let n = fields.len();
    if n < 2 {
        return;
    }
    if n <= 16 {
        // A small open-addressing set of key fingerprints: strings are compared only
        // when two fingerprints agree.
        let mut table = [0u64; 64];
        let mut suspect = false;
        'keys: for (k, _) in fields.iter() {
            let fp = fingerprint(k.as_bytes()) | 1;
            let mut slot = (fp >> 58) as usize;
            loop {
                match table[slot] {
                    0 => {
                        table[slot] = fp;
                        continue 'keys;
                    }
                    x if x == fp => {
                        suspect = true;
                        break 'keys;
                    }
                    _ => slot = (slot + 1) & 63,
                }
            }
        }
        if !suspect {
            return;
        }
    }
    if n > 16 && !has_duplicates(fields.iter().map(|(k, _)| k.as_ref())) {
        return;
    }
    // Keep each key's last occurrence; a map keeps this O(n log n) for huge field sets.
    let keep: Vec<bool> = {
        let mut last = std::collections::BTreeMap::new();
        for (i, (k, _)) in fields.iter().enumerate() {
            last.insert(k.as_ref(), i);
        }
        (0..n)
            .map(|i| last.get(fields[i].0.as_ref()) == Some(&i))
            .collect()
    };
    if keep.iter().all(|&k| k) {
        return;
    }
    let mut i = 0;
    fields.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// Whether any key repeats, in O(n log n): sorted fingerprints first, the strings
/// themselves only when two fingerprints agree.
fn has_duplicates<'k>(keys: impl Iterator<Item = &'k str> + Clone) -> bool {
    let mut fps: Vec<u64> = keys.clone().map(|k| fingerprint(k.as_bytes())).collect();
    fps.sort_unstable();
    if !fps.windows(2).any(|w| w[0] == w[1]) {
        return false;
    }
    let mut all: Vec<&str> = keys.collect();
    all.sort_unstable();
    all.windows(2).any(|w| w[0] == w[1])
}

/// Length and first and last eight bytes of a key, mixed.
#[inline]
fn fingerprint(b: &[u8]) -> u64 {
    let n = b.len();
    let (head, tail) = if n >= 8 {
        let mut h = [0u8; 8];
        h.copy_from_slice(&b[..8]);
        let mut t = [0u8; 8];
        t.copy_from_slice(&b[n - 8..]);
        (u64::from_le_bytes(h), u64::from_le_bytes(t))
    } else {
        let v = b.iter().fold(0u64, |acc, &c| (acc << 8) | u64::from(c));
        (v, v)
    };
    (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ head.wrapping_mul(0xff51_afd7_ed55_8ccd)
        ^ tail.rotate_left(29).wrapping_mul(0xc4ce_b9fe_1a85_ec53)
}

/// A measurement (`tag_rules == false`: `\,` and `\ `) or a tag key, tag value or field
/// key (`\,`, `\ ` and `\=`); any other backslash is literal. Borrows when nothing changes.
#[inline]
pub(crate) fn unescape_key(
    text: &str,
    s: usize,
    e: usize,
    esc: bool,
    tag_rules: bool,
) -> Cow<'_, str> {
    let raw = &text[s..e];
    if !esc {
        return Cow::Borrowed(raw);
    }
    let b = raw.as_bytes();
    let special = |c: u8| c == b',' || c == b' ' || (tag_rules && c == b'=');
    if !b.windows(2).any(|w| w[0] == b'\\' && special(w[1])) {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut last = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'\\' && special(b[i + 1]) {
            out.push_str(&raw[last..i]);
            last = i + 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    out.push_str(&raw[last..]);
    Cow::Owned(out)
}

/// A string field value: `\"` → `"` and `\\` → `\`; other backslashes are literal.
#[inline]
pub(crate) fn unescape_string(text: &str, s: usize, e: usize, esc: bool) -> Cow<'_, str> {
    let raw = &text[s..e];
    if !esc {
        return Cow::Borrowed(raw);
    }
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut last = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'\\' && (b[i + 1] == b'"' || b[i + 1] == b'\\') {
            out.push_str(&raw[last..i]);
            last = i + 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    out.push_str(&raw[last..]);
    if out.len() == raw.len() {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(out)
}

impl<'a> Iterator for Parser<'a> {
    type Item = Result<Line<'a>, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.text.as_bytes();
        let n = b.len();
        loop {
            if self.pos >= n {
                return None;
            }
            let start = self.pos;
            let line_no = self.line_no;
            let end = match memchr::memchr3(b'\n', b'"', b'\\', &b[start..]) {
                Some(k) if b[start + k] == b'\n' => start + k,
                None => n,
                Some(_) => {
                    let end = self.line_end_slow(start);
                    self.line_no += b[start..end].iter().filter(|&&c| c == b'\n').count();
                    end
                }
            };
            self.pos = end + 1;
            self.line_no += 1;
            let s = skip_ws(b, start, end);
            if s >= end || b[s] == b'#' {
                continue;
            }
            // Like 2.x, drop one trailing CR (CRLF input) or LF (a quoted string that ran
            // to the end of the batch); a line that was only a CR is then empty.
            let end = if matches!(b[end - 1], b'\r' | b'\n') {
                end - 1
            } else {
                end
            };
            return Some(match self.parse_at(s, end) {
                Ok(line) => Ok(line),
                Err((at, reason)) => Err(LineError {
                    line: line_no,
                    column: at.saturating_sub(start) + 1,
                    text: self.text[s..end].to_string(),
                    reason: reason.into_owned(),
                }),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{ParseOptions, Parser, Precision};

    /// Each item: `Ok(line text as fields debug)` or `Err(line:column)`.
    fn lines(s: &str) -> Vec<String> {
        let opts = ParseOptions {
            precision: Precision::Nanoseconds,
            default_time: 0,
        };
        Parser::new(s, &opts)
            .map(|r| match r {
                Ok(l) => format!("{:?} {:?}", l.tags, l.fields),
                Err(e) => format!("{}:{} {}", e.line, e.column, e.reason),
            })
            .collect()
    }

    #[test]
    fn line_ends() {
        // An escaped newline is text, in the series key and in the fields.
        assert_eq!(
            lines("m,t=a\\\nb f=1\nm g=2"),
            [
                r#"[("t", "a\\\nb")] [("f", Float(1.0))]"#,
                r#"[] [("g", Float(2.0))]"#
            ]
        );
        // A quote before the first space never opens a string.
        assert_eq!(lines("m,t=\"a f=1\nm g=2").len(), 2);
        // A quote opens a string only after an `=` the commas have not used up.
        assert_eq!(lines("m a=\"x\ny\"\nm g=2").len(), 2);
        assert_eq!(lines("m a=1,\"x\ny\" 1\nm g=2").len(), 3);
        // A string left open runs to the end of the batch; line numbers count on.
        assert_eq!(lines("m a=\"x\nm g=2\n\nm h=3"), ["1:20 unbalanced quotes"]);
        assert_eq!(lines("m a=\"x\ny\"\nm g=2\nbad")[2], "4:4 missing fields");
    }
}
