//! Flux syntax: lexer, parser, AST with byte spans, diagnostics and the canonical formatter.
//!
//! Entry point: [`parse`] returns the (possibly partial) [`ast::File`] plus every
//! [`Diagnostic`] found; it never panics on user input. [`parse_strict`] is the convenience
//! for callers that only want a clean AST or an error.

pub mod ast;
mod diagnostic;

pub use diagnostic::{Diagnostic, LineIndex, Position};

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

/// Maximum nesting depth of brackets, unary operators, conditionals and function literals.
/// Deeper input gets a diagnostic instead of overflowing the stack (wasm has no `stacker`).
pub const MAX_NESTING: usize = 128;

/// Parses one Flux source file.
pub fn parse(source: &str) -> ParseResult {
    // Parser lands in the next commit; the signature is the contract.
    let _ = source;
    ParseResult {
        file: ast::File::default(),
        diagnostics: vec![Diagnostic::new(
            ast::Span::new(0, 0),
            "parser not implemented yet",
        )],
    }
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
