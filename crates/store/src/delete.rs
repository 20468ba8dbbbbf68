//! `/api/v2/delete`: its predicate language (InfluxQL-like tag rules joined by AND, with
//! parentheses) parsed with InfluxDB's error texts, and the two-phase delete
//! (`prepare_delete` → owned `DeleteBatch` to log → `apply_delete`).
//!
//! Positions in messages are 0-based character offsets, as InfluxDB reports them.

use crate::error::DeleteError;
use crate::model::SeriesKey;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteOp {
    Eq,
    Ne,
}

/// One `key = "value"` / `key != "value"` rule; `key` may be `_measurement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRule {
    pub key: String,
    pub op: DeleteOp,
    pub value: String,
}

/// A conjunction of tag rules (OR is not supported by InfluxDB); empty = every series.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeletePredicate {
    pub rules: Vec<TagRule>,
}

impl DeletePredicate {
    /// A missing tag reads as "".
    pub fn matches(&self, key: &SeriesKey) -> bool {
        self.rules.iter().all(|r| {
            let v = if r.key == "_measurement" {
                key.measurement.as_str()
            } else {
                key.tag(&r.key).unwrap_or("")
            };
            (v == r.value) == (r.op == DeleteOp::Eq)
        })
    }
}

/// A validated delete, owned and encodable (`codec::encode_delete`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteBatch {
    pub bucket: u64,
    /// Inclusive bounds, as InfluxDB deletes `start <= _time <= stop`.
    pub start: i64,
    pub stop: i64,
    pub predicate: DeletePredicate,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ws,
    Ident(String),
    Number(String),
    Integer(String),
    Duration(String),
    Str(String),
    BadString,
    And,
    Or,
    True,
    False,
    Name,
    Eq,
    Neq,
    EqRegex,
    NeqRegex,
    Lt,
    Lte,
    Gt,
    Gte,
    Sub,
    LParen,
    RParen,
    Other(char),
    Eof,
}

impl Tok {
    /// The token's name as InfluxQL prints it in messages.
    fn text(&self) -> String {
        match self {
            Tok::Ws => "WS".into(),
            Tok::Ident(_) => "IDENT".into(),
            Tok::Number(_) => "NUMBER".into(),
            Tok::Integer(_) => "INTEGER".into(),
            Tok::Duration(_) => "DURATIONVAL".into(),
            Tok::Str(_) => "STRING".into(),
            Tok::BadString => "BADSTRING".into(),
            Tok::And => "AND".into(),
            Tok::Or => "OR".into(),
            Tok::True => "TRUE".into(),
            Tok::False => "FALSE".into(),
            Tok::Name => "NAME".into(),
            Tok::Eq => "=".into(),
            Tok::Neq => "!=".into(),
            Tok::EqRegex => "=~".into(),
            Tok::NeqRegex => "!~".into(),
            Tok::Lt => "<".into(),
            Tok::Lte => "<=".into(),
            Tok::Gt => ">".into(),
            Tok::Gte => ">=".into(),
            Tok::Sub => "-".into(),
            Tok::LParen => "(".into(),
            Tok::RParen => ")".into(),
            Tok::Other(c) => match c {
                '+' => "+".into(),
                '*' => "*".into(),
                '/' => "/".into(),
                ',' => ",".into(),
                ';' => ";".into(),
                '.' => ".".into(),
                _ => "ILLEGAL".into(),
            },
            Tok::Eof => "EOF".into(),
        }
    }

    fn literal(&self) -> String {
        match self {
            Tok::Ident(s) | Tok::Number(s) | Tok::Integer(s) | Tok::Duration(s) | Tok::Str(s) => {
                s.clone()
            }
            Tok::Other(c) => c.to_string(),
            _ => String::new(),
        }
    }
}

fn lex(src: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let tok = if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            Tok::Ws
        } else if c.is_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            match word.to_ascii_uppercase().as_str() {
                "AND" => Tok::And,
                "OR" => Tok::Or,
                "TRUE" => Tok::True,
                "FALSE" => Tok::False,
                "NAME" => Tok::Name,
                _ => Tok::Ident(word),
            }
        } else if c == '"' || c == '\'' {
            i += 1;
            let mut s = String::new();
            let mut closed = false;
            while i < chars.len() {
                match chars[i] {
                    '\\' if i + 1 < chars.len() => {
                        match chars[i + 1] {
                            'n' => s.push('\n'),
                            '\\' => s.push('\\'),
                            '"' => s.push('"'),
                            '\'' => s.push('\''),
                            other => {
                                s.push('\\');
                                s.push(other);
                            }
                        }
                        i += 2;
                    }
                    '\n' => break,
                    ch if ch == c => {
                        i += 1;
                        closed = true;
                        break;
                    }
                    ch => {
                        s.push(ch);
                        i += 1;
                    }
                }
            }
            match (closed, c) {
                (false, _) => Tok::BadString,
                (true, '"') => Tok::Ident(s),
                _ => Tok::Str(s),
            }
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let mut float = false;
            if i < chars.len() && chars[i] == '.' {
                float = true;
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let num_end = i;
            let unit_len = ["ns", "ms", "us", "µs", "u", "µ", "s", "m", "h", "d", "w"]
                .iter()
                .find(|u| {
                    let u: Vec<char> = u.chars().collect();
                    chars[i..].starts_with(&u)
                        && !chars.get(i + u.len()).is_some_and(|n| n.is_alphanumeric())
                })
                .map(|u| u.chars().count());
            match unit_len {
                Some(n) if !float => {
                    i += n;
                    Tok::Duration(chars[start..i].iter().collect())
                }
                _ => {
                    let lit: String = chars[start..num_end].iter().collect();
                    if float {
                        Tok::Number(lit)
                    } else {
                        Tok::Integer(lit)
                    }
                }
            }
        } else {
            let next = chars.get(i + 1).copied();
            let (t, n) = match (c, next) {
                ('=', Some('~')) => (Tok::EqRegex, 2),
                ('=', _) => (Tok::Eq, 1),
                ('!', Some('=')) => (Tok::Neq, 2),
                ('!', Some('~')) => (Tok::NeqRegex, 2),
                ('<', Some('>')) => (Tok::Neq, 2),
                ('<', Some('=')) => (Tok::Lte, 2),
                ('<', _) => (Tok::Lt, 1),
                ('>', Some('=')) => (Tok::Gte, 2),
                ('>', _) => (Tok::Gt, 1),
                ('-', _) => (Tok::Sub, 1),
                ('(', _) => (Tok::LParen, 1),
                (')', _) => (Tok::RParen, 1),
                (c, _) => (Tok::Other(c), 1),
            };
            i += n;
            t
        };
        out.push((tok, start));
    }
    out.push((Tok::Eof, chars.len()));
    out
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    open: i32,
    rules: Vec<TagRule>,
}

fn syntax(msg: String) -> DeleteError {
    DeleteError::Syntax(msg)
}

fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Parser {
    fn next(&mut self) -> (Tok, usize) {
        let mut t = self.toks[self.pos.min(self.toks.len() - 1)].clone();
        self.pos += 1;
        if t.0 == Tok::Ws {
            t = self.toks[self.pos.min(self.toks.len() - 1)].clone();
            self.pos += 1;
        }
        if self.pos > self.toks.len() {
            self.pos = self.toks.len();
        }
        t
    }

    fn logical(&mut self) -> Result<(), DeleteError> {
        loop {
            let save = self.pos;
            let (tok, at) = self.next();
            match tok {
                Tok::Number(_) | Tok::Integer(_) | Tok::Name | Tok::Ident(_) => {
                    self.pos = save;
                    self.rule()?;
                }
                Tok::And => {}
                Tok::Or => {
                    return Err(syntax(format!(
                        "the logical operator OR is not supported yet at position {at}"
                    )))
                }
                Tok::LParen => {
                    self.open += 1;
                    let cur = self.open;
                    self.logical()?;
                    if self.open != cur - 1 {
                        return Err(syntax("extra ( seen".into()));
                    }
                }
                Tok::RParen | Tok::Eof => {
                    if tok == Tok::RParen {
                        self.open -= 1;
                    }
                    if self.open < 0 {
                        return Err(syntax("extra ) seen".into()));
                    }
                    return Ok(());
                }
                _ => return Err(syntax(format!("bad logical expression, at position {at}"))),
            }
        }
    }

    fn rule(&mut self) -> Result<(), DeleteError> {
        let (tok, at) = self.next();
        let key = match tok {
            Tok::Ident(k) => k,
            Tok::Name => "name".to_string(),
            _ => return Err(syntax(format!("bad tag key, at position {at}"))),
        };
        let (tok, at) = self.next();
        let op = match tok {
            Tok::Eq => DeleteOp::Eq,
            Tok::Neq => DeleteOp::Ne,
            Tok::EqRegex | Tok::NeqRegex => {
                return Err(syntax(format!(
                    "operator: {} at position: {at} is not supported yet",
                    go_quote(&tok.text())
                )))
            }
            _ => {
                return Err(syntax(format!(
                    "invalid operator {} at position: {at}",
                    go_quote(&tok.text())
                )))
            }
        };
        let mut value = String::new();
        loop {
            let (tok, at) = self.next();
            match tok {
                Tok::Sub => value = "-".to_string(),
                Tok::Ident(v) | Tok::Duration(v) | Tok::Number(v) | Tok::Integer(v) => {
                    value.push_str(&v);
                    break;
                }
                Tok::True => {
                    value = "true".into();
                    break;
                }
                Tok::False => {
                    value = "false".into();
                    break;
                }
                other => {
                    return Err(syntax(format!(
                        "bad tag value: {}, at position {at}",
                        go_quote(&other.literal())
                    )))
                }
            }
        }
        self.rules.push(TagRule { key, op, value });
        Ok(())
    }
}

/// Parses a delete predicate (empty or blank → every series). `_field = ...` is refused
/// with `DeleteError::FieldNotSupported` (InfluxDB answers 501 for it).
pub fn parse_delete_predicate(src: &str) -> Result<DeletePredicate, DeleteError> {
    if src.is_empty() {
        return Ok(DeletePredicate::default());
    }
    let mut p = Parser {
        toks: lex(src),
        pos: 0,
        open: 0,
        rules: Vec::new(),
    };
    p.logical()?;
    if p.rules
        .iter()
        .any(|r| r.key == "_field" && r.op == DeleteOp::Eq)
    {
        return Err(DeleteError::FieldNotSupported);
    }
    Ok(DeletePredicate { rules: p.rules })
}

impl Store {
    /// Validates a delete of `start <= _time <= stop` (ns) under `predicate` (text).
    pub fn prepare_delete(
        &self,
        bucket: u64,
        start: i64,
        stop: i64,
        predicate: &str,
    ) -> Result<DeleteBatch, DeleteError> {
        let predicate = parse_delete_predicate(predicate)?;
        if start > stop {
            return Err(DeleteError::StartAfterStop);
        }
        Ok(DeleteBatch {
            bucket,
            start,
            stop,
            predicate,
        })
    }

    /// Applies a delete: head rows go at once; a block fully inside the range is dropped,
    /// a block partly inside gets a tombstone (rewritten at the next `compact`).
    pub fn apply_delete(&mut self, d: &DeleteBatch) {
        let Some(bucket) = self.buckets.get_mut(&d.bucket) else {
            return;
        };
        for (key, s) in bucket.series.iter_mut() {
            if !d.predicate.matches(key) {
                continue;
            }
            if s.head.rows() > 0 {
                let keep: Vec<bool> = s
                    .head
                    .times
                    .iter()
                    .map(|&t| t < d.start || t > d.stop)
                    .collect();
                s.head.retain_rows(&keep);
            }
            s.blocks.retain_mut(|b| {
                if b.min_time >= d.start && b.max_time <= d.stop {
                    return false;
                }
                if b.max_time >= d.start && b.min_time <= d.stop {
                    b.tombstones.push((d.start, d.stop));
                }
                true
            });
        }
        bucket.prune();
        self.recount_head_rows();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_conjunctions_and_parentheses() {
        let p = parse_delete_predicate(r#"_measurement="cpu" AND (host="a" and region != "eu")"#)
            .unwrap();
        assert_eq!(p.rules.len(), 3);
        assert_eq!(p.rules[2].op, DeleteOp::Ne);
        assert_eq!(p.rules[2].value, "eu");
        let k = SeriesKey::new("cpu", vec![("host".into(), "a".into())]);
        assert!(p.matches(&k));
        let p = parse_delete_predicate("t = -12").unwrap();
        assert_eq!(p.rules[0].value, "-12");
    }
}
