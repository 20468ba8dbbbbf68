//! Hand-written lexer feeding the chumsky parser.
//!
//! Why not a chumsky lexer: Flux's lexing is context-sensitive in two ways a combinator lexer
//! handles poorly. `/` starts a regex only where an operand may begin (after `(`, `,`, an
//! operator...), and string interpolation `"a ${ {x: 1}.x } b"` needs a mode stack (string
//! text vs. code, with brace counting inside `${ }`). A small state machine does both in one
//! pass over the bytes, validates literals (escapes, integer range, RFC 3339 date-times,
//! duration units) and collects comments, so the parser only sees well-formed tokens.

use crate::ast::{Comment, Span};
use crate::diagnostic::Diagnostic;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tok<'s> {
    Ident(&'s str),
    Int(&'s str),
    Float(&'s str),
    Duration(&'s str),
    Time(&'s str),
    /// The pattern between the slashes, escapes not yet decoded.
    Regex(&'s str),
    /// `@name`
    Attribute(&'s str),
    /// An opening or closing `"`.
    Quote,
    /// Raw text inside a string (escapes validated, not yet decoded).
    Text(&'s str),
    /// `${`
    InterpStart,
    /// The `}` closing an interpolation.
    InterpEnd,
    And,
    Or,
    Not,
    Exists,
    Import,
    Package,
    Return,
    Option,
    Builtin,
    Testcase,
    If,
    Then,
    Else,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    RegexEq,
    RegexNeq,
    Assign,
    Arrow,
    LParen,
    RParen,
    LBrack,
    RBrack,
    LBrace,
    RBrace,
    Comma,
    Dot,
    Colon,
    PipeForward,
    PipeReceive,
    Question,
    /// A character that starts no token.
    Illegal(&'s str),
}

impl Tok<'_> {
    /// How the token reads in a diagnostic.
    pub fn describe(&self) -> String {
        let s = match self {
            Tok::Ident(s) => return format!("identifier {s}"),
            Tok::Int(s) | Tok::Float(s) | Tok::Duration(s) | Tok::Time(s) => return s.to_string(),
            Tok::Regex(s) => return format!("/{s}/"),
            Tok::Attribute(s) => return format!("@{s}"),
            Tok::Text(_) => "string text",
            Tok::Illegal(s) => return format!("illegal character {s:?}"),
            Tok::Quote => "\"",
            Tok::InterpStart => "${",
            Tok::InterpEnd => "}",
            other => other.symbol(),
        };
        s.to_string()
    }

    /// The fixed spelling of keyword and operator tokens.
    pub fn symbol(&self) -> &'static str {
        match self {
            Tok::And => "and",
            Tok::Or => "or",
            Tok::Not => "not",
            Tok::Exists => "exists",
            Tok::Import => "import",
            Tok::Package => "package",
            Tok::Return => "return",
            Tok::Option => "option",
            Tok::Builtin => "builtin",
            Tok::Testcase => "testcase",
            Tok::If => "if",
            Tok::Then => "then",
            Tok::Else => "else",
            Tok::Add => "+",
            Tok::Sub => "-",
            Tok::Mul => "*",
            Tok::Div => "/",
            Tok::Mod => "%",
            Tok::Pow => "^",
            Tok::Eq => "==",
            Tok::Neq => "!=",
            Tok::Lt => "<",
            Tok::Lte => "<=",
            Tok::Gt => ">",
            Tok::Gte => ">=",
            Tok::RegexEq => "=~",
            Tok::RegexNeq => "!~",
            Tok::Assign => "=",
            Tok::Arrow => "=>",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBrack => "[",
            Tok::RBrack => "]",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::Comma => ",",
            Tok::Dot => ".",
            Tok::Colon => ":",
            Tok::PipeForward => "|>",
            Tok::PipeReceive => "<-",
            Tok::Question => "?",
            Tok::Quote => "\"",
            Tok::InterpStart => "${",
            Tok::InterpEnd => "}",
            _ => "token",
        }
    }

    /// Tokens after which `/` divides rather than starting a regex.
    fn ends_operand(&self) -> bool {
        matches!(
            self,
            Tok::Ident(_)
                | Tok::Int(_)
                | Tok::Float(_)
                | Tok::Duration(_)
                | Tok::Time(_)
                | Tok::Regex(_)
                | Tok::RParen
                | Tok::RBrack
                | Tok::RBrace
        )
    }
}

pub struct Lexed<'s> {
    pub tokens: Vec<(Tok<'s>, Span)>,
    pub comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy)]
enum Mode {
    /// Inside the text of a string literal.
    Str,
    /// Inside `${ }`, with the number of unclosed `{` opened within it.
    Interp(u32),
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}
fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

pub fn lex(src: &str) -> Lexed<'_> {
    let mut lx = Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        tokens: Vec::with_capacity(src.len() / 4),
        comments: Vec::new(),
        diagnostics: Vec::new(),
        modes: Vec::new(),
        closing_quote: false,
    };
    lx.run();
    Lexed {
        tokens: lx.tokens,
        comments: lx.comments,
        diagnostics: lx.diagnostics,
    }
}

struct Lexer<'s> {
    src: &'s str,
    bytes: &'s [u8],
    pos: usize,
    tokens: Vec<(Tok<'s>, Span)>,
    comments: Vec<Comment>,
    diagnostics: Vec<Diagnostic>,
    modes: Vec<Mode>,
    /// The last Quote pushed closed a string (so `/` after it divides).
    closing_quote: bool,
}

fn sp(a: usize, b: usize) -> Span {
    Span::new(a as u32, b as u32)
}

impl<'s> Lexer<'s> {
    fn push(&mut self, t: Tok<'s>, start: usize, end: usize) {
        self.closing_quote = false;
        self.tokens.push((t, sp(start, end)));
    }

    fn error(&mut self, start: usize, end: usize, msg: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(sp(start, end), msg));
    }

    fn peek_at(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    fn prev_ends_operand(&self) -> bool {
        if self.closing_quote {
            return true;
        }
        match self.tokens.last() {
            Some((t, _)) => t.ends_operand(),
            None => false,
        }
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            if let Some(Mode::Str) = self.modes.last() {
                self.string_text();
                continue;
            }
            self.code_token();
        }
        if let Some(Mode::Str) = self.modes.last() {
            let start = self
                .tokens
                .iter()
                .rev()
                .find(|(t, _)| *t == Tok::Quote)
                .map(|(_, s)| s.start as usize)
                .unwrap_or(0);
            self.error(start, self.src.len(), "unterminated string literal");
        }
    }

    /// Lexes string text up to `"`, `${` or the end.
    fn string_text(&mut self) {
        let start = self.pos;
        let mut i = self.pos;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'"' => break,
                b'$' if self.peek_at(i + 1) == b'{' => break,
                b'\\' => {
                    let esc = self.peek_at(i + 1);
                    match esc {
                        b'n' | b'r' | b't' | b'"' | b'\\' | b'$' => i += 2,
                        b'x' => {
                            let h1 = self.peek_at(i + 2);
                            let h2 = self.peek_at(i + 3);
                            if h1.is_ascii_hexdigit() && h2.is_ascii_hexdigit() {
                                i += 4;
                            } else {
                                self.error(i, (i + 2).min(self.bytes.len()), "invalid byte value");
                                i += 2;
                            }
                        }
                        _ => {
                            let end = next_char_end(self.src, i + 1);
                            self.error(i, end, "invalid escape sequence");
                            i = end;
                        }
                    }
                }
                _ => i += 1,
            }
        }
        let i = i.min(self.bytes.len());
        if i > start {
            let text = &self.src[start..i];
            if text.contains("\\x") && decode_string_text(text).is_none() {
                self.error(start, i, "invalid UTF-8 sequence in string literal");
            }
            self.push(Tok::Text(text), start, i);
        }
        self.pos = i;
        if i >= self.bytes.len() {
            return;
        }
        if self.bytes[i] == b'"' {
            self.modes.pop();
            self.push(Tok::Quote, i, i + 1);
            self.closing_quote = true;
            self.pos = i + 1;
        } else {
            self.modes.push(Mode::Interp(0));
            self.push(Tok::InterpStart, i, i + 2);
            self.pos = i + 2;
        }
    }

    fn code_token(&mut self) {
        let b = self.bytes[self.pos];
        let start = self.pos;
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                self.pos += 1;
            }
            b'/' if self.peek_at(start + 1) == b'/' => {
                let mut end = start;
                while end < self.bytes.len() && self.bytes[end] != b'\n' {
                    end += 1;
                }
                // trailing whitespace is not part of a comment (the formatter drops it)
                let mut text_end = end;
                while text_end > start && matches!(self.bytes[text_end - 1], b'\r' | b' ' | b'\t') {
                    text_end -= 1;
                }
                self.comments.push(Comment {
                    span: sp(start, text_end),
                    text: self.src[start..text_end].to_string(),
                });
                self.pos = end;
            }
            b'/' => {
                if !self.prev_ends_operand() {
                    if let Some(end) = self.regex_end(start + 1) {
                        let body = &self.src[start + 1..end];
                        if body.contains("\\x") && decode_regex(body).is_none() {
                            self.error(start, end + 1, "invalid UTF-8 sequence in regex literal");
                        }
                        self.push(Tok::Regex(body), start, end + 1);
                        self.pos = end + 1;
                        return;
                    }
                }
                self.push(Tok::Div, start, start + 1);
                self.pos += 1;
            }
            b'"' => {
                self.push(Tok::Quote, start, start + 1);
                self.modes.push(Mode::Str);
                self.pos += 1;
            }
            b'0'..=b'9' => self.number(),
            b'.' if self.peek_at(start + 1).is_ascii_digit() => self.number(),
            b'@' => {
                let mut end = start + 1;
                end = self.ident_end(end);
                if end == start + 1 {
                    self.error(start, start + 1, "expected attribute name after @");
                    self.push(Tok::Illegal("@"), start, start + 1);
                    self.pos = start + 1;
                } else {
                    self.push(Tok::Attribute(&self.src[start + 1..end]), start, end);
                    self.pos = end;
                }
            }
            b'{' => {
                if let Some(Mode::Interp(d)) = self.modes.last_mut() {
                    *d += 1;
                }
                self.push(Tok::LBrace, start, start + 1);
                self.pos += 1;
            }
            b'}' => {
                if let Some(Mode::Interp(d)) = self.modes.last_mut() {
                    if *d == 0 {
                        self.modes.pop();
                        self.push(Tok::InterpEnd, start, start + 1);
                        self.pos += 1;
                        return;
                    }
                    *d -= 1;
                }
                self.push(Tok::RBrace, start, start + 1);
                self.pos += 1;
            }
            _ => {
                let c = self.src[start..].chars().next().unwrap_or('\0');
                if is_ident_start(c) {
                    let end = self.ident_end(start);
                    let word = &self.src[start..end];
                    let tok = match word {
                        "and" => Tok::And,
                        "or" => Tok::Or,
                        "not" => Tok::Not,
                        "exists" => Tok::Exists,
                        "import" => Tok::Import,
                        "package" => Tok::Package,
                        "return" => Tok::Return,
                        "option" => Tok::Option,
                        "builtin" => Tok::Builtin,
                        "testcase" => Tok::Testcase,
                        "if" => Tok::If,
                        "then" => Tok::Then,
                        "else" => Tok::Else,
                        _ => Tok::Ident(word),
                    };
                    self.push(tok, start, end);
                    self.pos = end;
                    return;
                }
                let two = (b, self.peek_at(start + 1));
                let (tok, len) = match two {
                    (b'=', b'=') => (Tok::Eq, 2),
                    (b'=', b'~') => (Tok::RegexEq, 2),
                    (b'=', b'>') => (Tok::Arrow, 2),
                    (b'!', b'=') => (Tok::Neq, 2),
                    (b'!', b'~') => (Tok::RegexNeq, 2),
                    (b'<', b'=') => (Tok::Lte, 2),
                    (b'<', b'-') => (Tok::PipeReceive, 2),
                    (b'>', b'=') => (Tok::Gte, 2),
                    (b'|', b'>') => (Tok::PipeForward, 2),
                    (b'=', _) => (Tok::Assign, 1),
                    (b'<', _) => (Tok::Lt, 1),
                    (b'>', _) => (Tok::Gt, 1),
                    (b'+', _) => (Tok::Add, 1),
                    (b'-', _) => (Tok::Sub, 1),
                    (b'*', _) => (Tok::Mul, 1),
                    (b'%', _) => (Tok::Mod, 1),
                    (b'^', _) => (Tok::Pow, 1),
                    (b'(', _) => (Tok::LParen, 1),
                    (b')', _) => (Tok::RParen, 1),
                    (b'[', _) => (Tok::LBrack, 1),
                    (b']', _) => (Tok::RBrack, 1),
                    (b',', _) => (Tok::Comma, 1),
                    (b'.', _) => (Tok::Dot, 1),
                    (b':', _) => (Tok::Colon, 1),
                    (b'?', _) => (Tok::Question, 1),
                    _ => {
                        let end = next_char_end(self.src, start);
                        let s = &self.src[start..end];
                        self.error(start, end, format!("invalid character {s:?}"));
                        self.push(Tok::Illegal(s), start, end);
                        self.pos = end;
                        return;
                    }
                };
                self.push(tok, start, start + len);
                self.pos = start + len;
            }
        }
    }

    fn ident_end(&self, mut i: usize) -> usize {
        while i < self.bytes.len() {
            let b = self.bytes[i];
            if b.is_ascii() {
                if b == b'_' || b.is_ascii_alphanumeric() {
                    i += 1;
                    continue;
                }
                break;
            }
            let c = self.src[i..].chars().next().unwrap_or('\0');
            if is_ident_continue(c) {
                i += c.len_utf8();
            } else {
                break;
            }
        }
        i
    }

    /// The index of the closing `/` of a regex whose body starts at `i`, if any on this line.
    fn regex_end(&self, mut i: usize) -> Option<usize> {
        let first = i;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'\n' => return None,
                b'\\' => i += 2,
                b'/' => return if i > first { Some(i) } else { None },
                _ => i += 1,
            }
        }
        None
    }

    fn digits_end(&self, mut i: usize) -> usize {
        while i < self.bytes.len() && self.bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    }

    fn number(&mut self) {
        let start = self.pos;
        let int_end = self.digits_end(start);
        // Date-time: dddd-dd-dd...
        if int_end - start == 4 && self.peek_at(int_end) == b'-' {
            if let Some(end) = date_time_end(self.bytes, start) {
                let text = &self.src[start..end];
                if parse_date_time(text).is_none() {
                    self.error(start, end, format!("invalid date time literal {text:?}"));
                }
                self.push(Tok::Time(text), start, end);
                self.pos = end;
                return;
            }
        }
        // Duration: (digits unit)+
        if int_end > start {
            if let Some(end) = self.duration_end(start) {
                let text = &self.src[start..end];
                if split_duration(text).iter().any(|(m, _)| *m == i64::MAX) {
                    self.error(
                        start,
                        end,
                        format!("invalid duration literal \"{text}\": magnitude out of range"),
                    );
                }
                self.push(Tok::Duration(text), start, end);
                self.pos = end;
                return;
            }
        }
        // Float: digits "." [digits] | "." digits
        if self.peek_at(int_end) == b'.' {
            let after = self.peek_at(int_end + 1);
            // `1.` followed by an identifier char would be a member access on an int,
            // which Flux rejects anyway; lex as a float like libflux does.
            let frac_end = self.digits_end(int_end + 1);
            let _ = after;
            let text = &self.src[start..frac_end];
            self.push(Tok::Float(text), start, frac_end);
            self.pos = frac_end;
            return;
        }
        let text = &self.src[start..int_end];
        if text.len() > 1 && text.starts_with('0') {
            self.error(
                start,
                int_end,
                format!("invalid integer literal \"{text}\": nonzero value cannot start with 0"),
            );
        } else if text.parse::<i64>().is_err() {
            self.error(
                start,
                int_end,
                format!("invalid integer literal \"{text}\": value out of range"),
            );
        }
        self.push(Tok::Int(text), start, int_end);
        self.pos = int_end;
    }

    fn duration_end(&mut self, start: usize) -> Option<usize> {
        let mut i = start;
        let mut any = false;
        loop {
            let d = self.digits_end(i);
            if d == i {
                break;
            }
            let Some(ulen) = unit_len(&self.bytes[d..]) else {
                break;
            };
            any = true;
            i = d + ulen;
        }
        if !any {
            return None;
        }
        Some(i)
    }
}

fn unit_len(rest: &[u8]) -> Option<usize> {
    let b0 = rest.first().copied().unwrap_or(0);
    let b1 = rest.get(1).copied().unwrap_or(0);
    let len = match (b0, b1) {
        (b'm', b'o') | (b'm', b's') | (b'u', b's') | (b'n', b's') => 2,
        (0xC2, 0xB5) | (0xCE, 0xBC) if rest.get(2) == Some(&b's') => 3,
        (b'y', _) | (b'w', _) | (b'd', _) | (b'h', _) | (b'm', _) | (b's', _) => 1,
        _ => return None,
    };
    Some(len)
}

/// Splits a duration literal into its `(magnitude, unit)` pairs.
pub fn split_duration(text: &str) -> Vec<(i64, crate::ast::DurationUnit)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let s = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let mag = text[s..i].parse::<i64>().unwrap_or(i64::MAX);
        let Some(ul) = unit_len(&bytes[i..]) else {
            break;
        };
        let unit = crate::ast::DurationUnit::parse(&text[i..i + ul])
            .unwrap_or(crate::ast::DurationUnit::Nanosecond);
        out.push((mag, unit));
        i += ul;
    }
    out
}

fn next_char_end(src: &str, i: usize) -> usize {
    match src.get(i..).and_then(|s| s.chars().next()) {
        Some(c) => i + c.len_utf8(),
        None => (i + 1).min(src.len()),
    }
}

/// End of a `YYYY-MM-DD[THH:MM:SS[.frac](Z|±HH:MM)]` literal starting at `s`.
fn date_time_end(b: &[u8], s: usize) -> Option<usize> {
    let dig = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_digit());
    let is = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(dig(s + 5) && dig(s + 6) && is(s + 7, b'-') && dig(s + 8) && dig(s + 9)) {
        return None;
    }
    let date_end = s + 10;
    if !is(date_end, b'T') {
        return Some(date_end);
    }
    let t = date_end + 1;
    if !(dig(t)
        && dig(t + 1)
        && is(t + 2, b':')
        && dig(t + 3)
        && dig(t + 4)
        && is(t + 5, b':')
        && dig(t + 6)
        && dig(t + 7))
    {
        return Some(date_end);
    }
    let mut i = t + 8;
    if is(i, b'.') {
        i += 1;
        while dig(i) {
            i += 1;
        }
    }
    if is(i, b'Z') {
        return Some(i + 1);
    }
    if (is(i, b'+') || is(i, b'-'))
        && dig(i + 1)
        && dig(i + 2)
        && is(i + 3, b':')
        && dig(i + 4)
        && dig(i + 5)
    {
        return Some(i + 6);
    }
    // A time without offset is not RFC 3339; return the whole so the error covers it.
    Some(i)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Parses an RFC 3339 date-time or bare date into (nanoseconds since the epoch, offset seconds).
pub fn parse_date_time(text: &str) -> Option<(i64, i32)> {
    let b = text.as_bytes();
    let num = |a: usize, z: usize| -> Option<i64> { text.get(a..z)?.parse::<i64>().ok() };
    let year = num(0, 4)?;
    let month = num(5, 7)?;
    let day = num(8, 10)?;
    if !(1..=12).contains(&month) {
        return None;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let mdays = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if day < 1 || day > mdays[(month - 1) as usize] {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if b.len() == 10 {
        // out of the i64 nanosecond range (years before 1677 or after 2262): invalid
        let nanos = i64::try_from(days as i128 * 86_400 * 1_000_000_000).ok()?;
        return Some((nanos, 0));
    }
    let hour = num(11, 13)?;
    let min = num(14, 16)?;
    let sec = num(17, 19)?;
    if hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac: i64 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let fs = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = &text[fs..i];
        if digits.is_empty() || digits.len() > 9 {
            return None;
        }
        frac = digits.parse::<i64>().ok()? * 10i64.pow(9 - digits.len() as u32);
    }
    let offset: i64 = match b.get(i) {
        Some(b'Z') if i + 1 == b.len() => 0,
        Some(b'+') | Some(b'-') if i + 6 == b.len() => {
            let oh = num(i + 1, i + 3)?;
            let om = num(i + 4, i + 6)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if b[i] == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset;
    let nanos = i64::try_from(secs as i128 * 1_000_000_000 + frac as i128).ok()?;
    Some((nanos, offset as i32))
}

/// Decodes the raw text of a string literal (escapes validated by the lexer).
pub fn decode_string_text(raw: &str) -> Option<String> {
    if !raw.contains('\\') {
        return Some(raw.to_string());
    }
    let b = raw.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'x' => {
                    let h = raw
                        .get(i + 2..i + 4)
                        .and_then(|h| u8::from_str_radix(h, 16).ok());
                    match h {
                        Some(v) => {
                            out.push(v);
                            i += 4;
                            continue;
                        }
                        None => return None,
                    }
                }
                c => out.push(c),
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Decodes a regex body: `\/` becomes `/`, `\xNN` bytes are decoded, other escapes stay.
pub fn decode_regex(raw: &str) -> Option<String> {
    if !raw.contains('\\') {
        return Some(raw.to_string());
    }
    let b = raw.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'/' => {
                    out.push(b'/');
                    i += 2;
                }
                b'x' => {
                    let h = raw
                        .get(i + 2..i + 4)
                        .and_then(|h| u8::from_str_radix(h, 16).ok());
                    match h {
                        Some(v) => {
                            out.push(v);
                            i += 4;
                        }
                        None => {
                            out.extend_from_slice(&b[i..i + 2]);
                            i += 2;
                        }
                    }
                }
                c => {
                    out.push(b'\\');
                    out.push(c);
                    i += 2;
                }
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl Tok<'_> {
    /// libflux's name for the token kind, used in Flux-worded messages
    /// (`expected RPAREN, got EOF`).
    pub fn flux_name(&self) -> &'static str {
        match self {
            Tok::Ident(_) => "IDENT",
            Tok::Int(_) => "INT",
            Tok::Float(_) => "FLOAT",
            Tok::Duration(_) => "DURATION",
            Tok::Time(_) => "TIME",
            Tok::Regex(_) => "REGEX",
            Tok::Attribute(_) => "ATTRIBUTE",
            Tok::Quote => "QUOTE",
            Tok::Text(_) => "TEXT",
            Tok::InterpStart => "STRINGEXPR",
            Tok::InterpEnd => "RBRACE",
            Tok::And => "AND",
            Tok::Or => "OR",
            Tok::Not => "NOT",
            Tok::Exists => "EXISTS",
            Tok::Import => "IMPORT",
            Tok::Package => "PACKAGE",
            Tok::Return => "RETURN",
            Tok::Option => "OPTION",
            Tok::Builtin => "BUILTIN",
            Tok::Testcase => "TESTCASE",
            Tok::If => "IF",
            Tok::Then => "THEN",
            Tok::Else => "ELSE",
            Tok::Add => "ADD",
            Tok::Sub => "SUB",
            Tok::Mul => "MUL",
            Tok::Div => "DIV",
            Tok::Mod => "MOD",
            Tok::Pow => "POW",
            Tok::Eq => "EQ",
            Tok::Neq => "NEQ",
            Tok::Lt => "LT",
            Tok::Lte => "LTE",
            Tok::Gt => "GT",
            Tok::Gte => "GTE",
            Tok::RegexEq => "REGEXEQ",
            Tok::RegexNeq => "REGEXNEQ",
            Tok::Assign => "ASSIGN",
            Tok::Arrow => "ARROW",
            Tok::LParen => "LPAREN",
            Tok::RParen => "RPAREN",
            Tok::LBrack => "LBRACK",
            Tok::RBrack => "RBRACK",
            Tok::LBrace => "LBRACE",
            Tok::RBrace => "RBRACE",
            Tok::Comma => "COMMA",
            Tok::Dot => "DOT",
            Tok::Colon => "COLON",
            Tok::PipeForward => "PIPE_FORWARD",
            Tok::PipeReceive => "PIPE_RECEIVE",
            Tok::Question => "QUESTION_MARK",
            Tok::Illegal(_) => "ILLEGAL",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok<'_>> {
        lex(src).tokens.into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn regex_versus_division() {
        assert_eq!(
            kinds("a / b"),
            vec![Tok::Ident("a"), Tok::Div, Tok::Ident("b")]
        );
        assert_eq!(
            kinds("r =~ /a\\/b/"),
            vec![Tok::Ident("r"), Tok::RegexEq, Tok::Regex("a\\/b")]
        );
        assert_eq!(
            kinds("(1) / 2"),
            vec![
                Tok::LParen,
                Tok::Int("1"),
                Tok::RParen,
                Tok::Div,
                Tok::Int("2")
            ]
        );
    }

    #[test]
    fn literals() {
        assert_eq!(
            kinds("1h30m 1.5 .5 42 2018-01-01T00:00:00Z 2018-01-01 1mo 3µs"),
            vec![
                Tok::Duration("1h30m"),
                Tok::Float("1.5"),
                Tok::Float(".5"),
                Tok::Int("42"),
                Tok::Time("2018-01-01T00:00:00Z"),
                Tok::Time("2018-01-01"),
                Tok::Duration("1mo"),
                Tok::Duration("3µs"),
            ]
        );
        assert_eq!(
            split_duration("1h30m"),
            vec![
                (1, crate::ast::DurationUnit::Hour),
                (30, crate::ast::DurationUnit::Minute)
            ]
        );
    }

    #[test]
    fn interpolation_tracks_braces() {
        assert_eq!(
            kinds(r#""a${ {x: "}"}.x }b""#),
            vec![
                Tok::Quote,
                Tok::Text("a"),
                Tok::InterpStart,
                Tok::LBrace,
                Tok::Ident("x"),
                Tok::Colon,
                Tok::Quote,
                Tok::Text("}"),
                Tok::Quote,
                Tok::RBrace,
                Tok::Dot,
                Tok::Ident("x"),
                Tok::InterpEnd,
                Tok::Text("b"),
                Tok::Quote,
            ]
        );
    }

    #[test]
    fn date_times() {
        assert_eq!(
            parse_date_time("1970-01-01T00:00:01Z"),
            Some((1_000_000_000, 0))
        );
        assert_eq!(
            parse_date_time("1970-01-01T01:00:00.5+01:00"),
            Some((500_000_000, 3600))
        );
        assert_eq!(parse_date_time("2018-02-30"), None);
        assert_eq!(parse_date_time("9999-01-01"), None);
        assert_eq!(parse_date_time("9999-01-01T00:00:00Z"), None);
        assert_eq!(
            decode_string_text(r#"a\"\n\x41"#),
            Some("a\"\nA".to_string())
        );
        assert_eq!(decode_regex(r"a\/b\s"), Some("a/b\\s".to_string()));
    }

    #[test]
    fn lexer_errors() {
        let l = lex("x = 0123");
        assert_eq!(l.diagnostics.len(), 1);
        assert!(l.diagnostics[0]
            .message
            .contains("nonzero value cannot start with 0"));
        let l = lex("\"abc");
        assert_eq!(l.diagnostics[0].message, "unterminated string literal");
        let l = lex("\"a\\qb\" #");
        assert_eq!(l.diagnostics.len(), 2);
    }
}
