//! Flux syntax: lexer, parser, AST with byte spans, diagnostics and the canonical formatter.
//!
//! Entry point: [`parse`] returns the (possibly partial) [`ast::File`] plus every
//! [`Diagnostic`] found; it never panics on user input. [`parse_strict`] is the convenience
//! for callers that only want a clean AST or an error.
//!
//! Handing the AST to other languages: [`to_json`] (libflux's node names, `start`/`end` byte
//! offsets; see [`json`]) and [`to_binary`], a compact word encoding (see [`binary`]) that
//! `js/ast_decoder.mjs` turns into the same JavaScript objects `JSON.parse` makes of the
//! compact JSON, several times faster.

pub mod ast;
pub mod binary;
mod diagnostic;
mod encode;
pub mod format;
pub mod json;
pub mod lexer;
mod nesting;
mod parser;

pub use binary::to_binary;
pub use diagnostic::{Diagnostic, LineIndex, Position};
pub use format::{format, format_source, format_with_source};
pub use json::{diagnostics_to_json, to_json, JsonOptions};

/// What [`parse`] returns: the AST it could build and what went wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseResult {
    pub file: ast::File,
    pub diagnostics: Vec<Diagnostic>,
}

impl ParseResult {
    pub fn is_ok(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

/// The crate's error: a source that did not parse cleanly.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Error {
    /// The first diagnostic in Flux's wording, plus all of them.
    #[error("{message}")]
    Syntax {
        message: String,
        diagnostics: Vec<Diagnostic>,
    },
}

pub use nesting::{MAX_CHAIN, MAX_NESTING};

/// Parses one Flux source file. Never panics; whatever could not be parsed is described in
/// `diagnostics` (sorted by position) and the AST holds everything that could.
pub fn parse(source: &str) -> ParseResult {
    use chumsky::input::Input as _;
    use chumsky::Parser as _;

    let end = u32::try_from(source.len()).unwrap_or(u32::MAX);
    let file_span = ast::Span::new(0, end);
    if source.len() > u32::MAX as usize {
        return ParseResult {
            file: ast::File {
                span: file_span,
                ..Default::default()
            },
            diagnostics: vec![Diagnostic::new(file_span, "source larger than 4 GiB")],
        };
    }
    let lexed = lexer::lex(source);
    let mut diagnostics = lexed.diagnostics;
    if let Some(d) = nesting::check(&lexed.tokens) {
        diagnostics.push(d);
        return ParseResult {
            file: ast::File {
                span: file_span,
                comments: lexed.comments,
                ..Default::default()
            },
            diagnostics,
        };
    }
    let tokens: Vec<(lexer::Tok<'_>, chumsky::span::SimpleSpan)> = lexed
        .tokens
        .iter()
        .map(|(t, s)| (*t, (s.start as usize..s.end as usize).into()))
        .collect();
    // End-of-input errors point just after the last token, like libflux's.
    let last = tokens.last().map(|(_, s)| s.end).unwrap_or(0);
    let eoi: chumsky::span::SimpleSpan = (last..last).into();
    let input = tokens.as_slice().map(eoi, |(t, s)| (t, s));
    let line_starts: std::rc::Rc<[usize]> = tokens
        .iter()
        .map(|(_, s)| s.start)
        .filter(|&s| s == 0 || source.as_bytes()[s - 1] == b'\n')
        .collect();
    // Fast pass with a zero-cost error type; only a source with errors pays for the second,
    // diagnostic-producing pass.
    let fast = parser::file_parser::<_, chumsky::error::EmptyErr>(line_starts.clone(), false)
        .parse(input)
        .into_output_errors();
    let (file, errors) = if fast.1.is_empty() && fast.0.is_some() {
        (fast.0, Vec::new())
    } else {
        parser::file_parser::<_, chumsky::error::Rich<'_, lexer::Tok<'_>, chumsky::span::SimpleSpan>>(
            line_starts,
            true,
        )
        .parse(input)
        .into_output_errors()
    };
    let mut file = file.unwrap_or_default();
    file.span = file_span;
    file.comments = lexed.comments;
    for s in &mut file.body {
        if let ast::Statement::Bad(b) = s {
            b.text = source.get(b.span.range()).unwrap_or_default().to_string();
        }
    }
    // The lexer already explained bad tokens and unterminated strings; the parser's complaints
    // about the same places are noise.
    let lexer_starts: Vec<u32> = diagnostics.iter().map(|d| d.span.start).collect();
    let unterminated = diagnostics
        .iter()
        .filter(|d| d.message == "unterminated string literal")
        .map(|d| d.span.start)
        .min();
    diagnostics.extend(
        errors
            .into_iter()
            .map(diagnostic::from_rich)
            .filter(|d| !lexer_starts.contains(&d.span.start))
            .filter(|d| unterminated.is_none_or(|u| d.span.start < u)),
    );
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    // One complaint per place: when recovery inside a statement and recovery of the statement
    // both stop at the same token, the first (innermost) explanation is kept.
    diagnostics.dedup_by(|later, first| later.span == first.span);
    ParseResult { file, diagnostics }
}

/// Parses and fails on the first diagnostic, rendered as Flux does
/// (`error at @1:8-1:9: ...`).
pub fn parse_strict(source: &str) -> Result<ast::File, Error> {
    let result = parse(source);
    if result.diagnostics.is_empty() {
        return Ok(result.file);
    }
    let index = LineIndex::new(source);
    let message = result.diagnostics[0].render(&index);
    Err(Error::Syntax {
        message,
        diagnostics: result.diagnostics,
    })
}
