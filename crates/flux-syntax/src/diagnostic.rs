//! Diagnostics with spans, and the line:column arithmetic to show them to people.

use crate::ast::Span;

/// One problem found while parsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub span: Span,
    /// What went wrong, in Flux's wording where known (e.g. `expected RPAREN, got EOF`).
    pub message: String,
    /// The token found, as it appears in the source (`None` at end of input).
    pub found: Option<String>,
    /// What would have been accepted instead.
    pub expected: Vec<String>,
}

impl Diagnostic {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            span,
            message: message.into(),
            found: None,
            expected: Vec::new(),
        }
    }

    /// `error at @1:8-1:9: message`, the form Flux uses in its error responses.
    pub fn render(&self, index: &LineIndex) -> String {
        let (a, b) = (
            index.position(self.span.start),
            index.position(self.span.end),
        );
        format!(
            "error at @{}:{}-{}:{}: {}",
            a.line, a.column, b.line, b.column, self.message
        )
    }
}

/// A 1-based line and column; columns count characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// Maps byte offsets of one source to [`Position`]s.
pub struct LineIndex<'a> {
    source: &'a str,
    line_starts: Vec<u32>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> Self {
        let mut line_starts = vec![0u32];
        for (i, b) in source.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        LineIndex {
            source,
            line_starts,
        }
    }

    pub fn position(&self, offset: u32) -> Position {
        let offset = offset.min(self.source.len() as u32);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let mut end = offset as usize;
        while end > start && !self.source.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.source[start..end].chars().count() as u32 + 1;
        Position {
            line: line as u32 + 1,
            column,
        }
    }
}

/// Turns a chumsky error into a diagnostic worded like libflux (`expected RPAREN, got EOF`).
pub(crate) fn from_rich(
    e: chumsky::error::Rich<'_, crate::lexer::Tok<'_>, chumsky::span::SimpleSpan>,
) -> Diagnostic {
    use chumsky::error::{RichPattern, RichReason};
    let (a, b) = (e.span().start as u32, e.span().end as u32);
    let span = Span::new(a.min(b), a.max(b));
    match e.into_reason() {
        RichReason::Custom(msg) => Diagnostic::new(span, msg),
        RichReason::ExpectedFound { expected, found } => {
            let mut names: Vec<String> = expected
                .iter()
                .map(|p| match p {
                    RichPattern::Token(t) => t.flux_name().to_string(),
                    RichPattern::Label(l) => l.to_string(),
                    RichPattern::Identifier(s) => s.clone(),
                    RichPattern::Any => "any token".to_string(),
                    RichPattern::SomethingElse => "something else".to_string(),
                    RichPattern::EndOfInput => "EOF".to_string(),
                })
                .collect();
            names.retain(|n| n != "something else");
            names.sort();
            names.dedup();
            // Operators that could extend the expression before the error are noise next to
            // what would close or continue the construct (`expected RPAREN, got EOF`).
            const CONTINUATIONS: &[&str] = &[
                "ADD",
                "SUB",
                "MUL",
                "DIV",
                "MOD",
                "POW",
                "EQ",
                "NEQ",
                "LT",
                "LTE",
                "GT",
                "GTE",
                "REGEXEQ",
                "REGEXNEQ",
                "AND",
                "OR",
                "DOT",
                "LBRACK",
                "LPAREN",
                "PIPE_FORWARD",
            ];
            let essential: Vec<String> = names
                .iter()
                .filter(|n| !CONTINUATIONS.contains(&n.as_str()))
                .cloned()
                .collect();
            if !essential.is_empty() {
                names = essential;
            }
            let got = match &found {
                Some(t) => t.flux_name().to_string(),
                None => "EOF".to_string(),
            };
            let message = match names.len() {
                0 => format!("unexpected {got}"),
                1 => format!("expected {}, got {got}", names[0]),
                _ => format!("expected one of {}, got {got}", names.join(", ")),
            };
            let found = Some(match &found {
                Some(t) => t.describe(),
                None => "end of input".to_string(),
            });
            Diagnostic {
                span,
                message,
                found,
                expected: names,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_chars() {
        let src = "a = 1\nbé = 2\n";
        let idx = LineIndex::new(src);
        assert_eq!(idx.position(0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(6), Position { line: 2, column: 1 });
        // after "bé" (3 bytes) we are at column 3
        assert_eq!(idx.position(9), Position { line: 2, column: 3 });
        let d = Diagnostic::new(Span::new(4, 5), "boom");
        assert_eq!(d.render(&idx), "error at @1:5-1:6: boom");
    }
}
