//! The explicit nesting limit.
//!
//! chumsky runs without `stacker` (it cannot grow the stack on wasm), so a deeply nested
//! program would overflow the stack in the parser — and later in every recursive walk over the
//! AST (formatter, evaluator, drop). This pass measures nesting on the token stream before
//! parsing and reports a diagnostic instead.
//!
//! Depth counts open brackets (`( [ { ${`) plus, within the current bracket, the prefix
//! constructs that nest what follows them (`if`, `=>`, unary `-`/`+`/`not`/`exists`). Those
//! per-bracket counts reset at `,` and where a new statement begins. Long left-associative
//! chains (`a + b + ...`, pipes) nest the AST too, so they have their own, larger limit.

use crate::ast::Span;
use crate::diagnostic::Diagnostic;
use crate::lexer::Tok;

/// Maximum nesting depth of brackets, prefix operators, conditionals and function literals.
///
/// Measured (examples/depth.rs): the parser needs ~5.5 KiB of stack per level in release
/// builds (64 levels ≈ 350 KiB, well inside wasm's default 1 MiB stack) and ~45 KiB per level
/// in debug builds (64 levels ≈ 2.9 MiB: fine on a main thread's 8 MiB, too much for a 2 MiB
/// test thread, so debug tests that go this deep parse on a bigger thread).
pub const MAX_NESTING: usize = 64;
/// Maximum number of binary/logical/pipe operators chained at one level of one expression.
pub const MAX_CHAIN: usize = 1000;

struct Level {
    prefix: usize,
    chain: usize,
}

pub fn check(tokens: &[(Tok<'_>, Span)]) -> Option<Diagnostic> {
    let mut levels: Vec<Level> = vec![Level {
        prefix: 0,
        chain: 0,
    }];
    let mut prefix_total = 0usize;
    let mut prev: Option<Tok<'_>> = None;
    for &(tok, span) in tokens {
        let prev_ends = prev.is_some_and(|p| {
            matches!(
                p,
                Tok::Ident(_)
                    | Tok::Int(_)
                    | Tok::Float(_)
                    | Tok::Duration(_)
                    | Tok::Time(_)
                    | Tok::Regex(_)
                    | Tok::RParen
                    | Tok::RBrack
                    | Tok::RBrace
                    | Tok::Quote
            )
        });
        let nlevels = levels.len();
        let Some(level) = levels.last_mut() else {
            break;
        };
        let reset = |level: &mut Level, total: &mut usize| {
            *total -= level.prefix;
            level.prefix = 0;
            level.chain = 0;
        };
        match tok {
            Tok::LParen | Tok::LBrack | Tok::LBrace | Tok::InterpStart => {
                levels.push(Level {
                    prefix: 0,
                    chain: 0,
                });
            }
            Tok::RParen | Tok::RBrack | Tok::RBrace | Tok::InterpEnd if nlevels > 1 => {
                if let Some(l) = levels.pop() {
                    prefix_total -= l.prefix;
                }
            }
            Tok::Comma => reset(level, &mut prefix_total),
            Tok::If | Tok::Arrow | Tok::Not | Tok::Exists => {
                level.prefix += 1;
                prefix_total += 1;
            }
            Tok::Sub | Tok::Add if !prev_ends => {
                level.prefix += 1;
                prefix_total += 1;
            }
            Tok::Add
            | Tok::Sub
            | Tok::Mul
            | Tok::Div
            | Tok::Mod
            | Tok::Pow
            | Tok::Eq
            | Tok::Neq
            | Tok::Lt
            | Tok::Lte
            | Tok::Gt
            | Tok::Gte
            | Tok::RegexEq
            | Tok::RegexNeq
            | Tok::And
            | Tok::Or
            | Tok::PipeForward => {
                level.chain += 1;
                if level.chain > MAX_CHAIN {
                    return Some(Diagnostic::new(
                        span,
                        format!(
                            "expression too long: more than {MAX_CHAIN} chained operators; split it into variables"
                        ),
                    ));
                }
            }
            // A statement boundary: an operand follows a complete operand.
            Tok::Ident(_)
            | Tok::Int(_)
            | Tok::Float(_)
            | Tok::Duration(_)
            | Tok::Time(_)
            | Tok::Option
            | Tok::Builtin
            | Tok::Return
            | Tok::Testcase
            | Tok::Attribute(_)
                if prev_ends =>
            {
                reset(level, &mut prefix_total)
            }
            _ => {}
        }
        let depth = (levels.len() - 1) + prefix_total;
        if depth > MAX_NESTING {
            return Some(Diagnostic::new(
                span,
                format!("program too deeply nested: more than {MAX_NESTING} levels"),
            ));
        }
        prev = Some(tok);
    }
    None
}
