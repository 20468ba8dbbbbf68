//! The chumsky parser: tokens from [`crate::lexer`] → [`crate::ast::File`].
//!
//! Precedence follows libflux (which refines the SPEC's table): postfix (call, member, index)
//! > unary `+ -` > `|>` > `^` > `* / %` > `+ -` > comparisons and `=~ !~` > `not`/`exists`
//! > `and` > `or` > `if/then/else`. Binary operators are left-associative.

use std::rc::Rc;

use chumsky::input::ValueInput;
use chumsky::prelude::*;

use crate::ast::*;
use crate::lexer::{decode_regex, decode_string_text, parse_date_time, split_duration, Tok};

/// The parser runs twice only when needed: first with a zero-cost error type (most sources
/// are valid, and chumsky's rich error bookkeeping is over half of the parse time), then,
/// if that pass failed, with `Rich` errors and recovery to produce diagnostics.
pub trait ParseError<'s, I: Input<'s, Token = Tok<'s>, Span = SimpleSpan>>:
    chumsky::error::Error<'s, I> + chumsky::error::LabelError<'s, I, &'static str> + 's
{
    fn custom(span: SimpleSpan, msg: &'static str) -> Self;
}

impl<'s, I: Input<'s, Token = Tok<'s>, Span = SimpleSpan>> ParseError<'s, I>
    for Rich<'s, Tok<'s>, SimpleSpan>
{
    fn custom(span: SimpleSpan, msg: &'static str) -> Self {
        Rich::custom(span, msg)
    }
}

impl<'s, I: Input<'s, Token = Tok<'s>, Span = SimpleSpan>> ParseError<'s, I>
    for chumsky::error::EmptyErr
{
    fn custom(_: SimpleSpan, _: &'static str) -> Self {
        chumsky::error::EmptyErr::default()
    }
}

pub type Extra<R> = extra::Err<R>;

fn sp(s: SimpleSpan) -> Span {
    Span::new(s.start as u32, s.end as u32)
}

/// Recovery, second pass only: skips the tokens of a broken construct, whole bracketed groups
/// at a time, up to where the enclosing construct can go on. It never skips a token that
/// starts a line (column 1: the next statement, where statement recovery resumes) nor the end
/// of input. With `closer`, it looks for that closing bracket (skipping commas) and consumes
/// it; it stops before any other closing bracket that is not its own. Without, it also stops
/// before a `,`, and before `until` (the keyword the enclosing construct expects next).
/// May skip nothing; the span is then empty, at the next token.
fn skip_broken<'s, I, R>(
    line_starts: Rc<[usize]>,
    closer: Option<Tok<'s>>,
    until: Option<Tok<'s>>,
) -> impl Parser<'s, I, Span, Extra<R>> + Clone
where
    I: ValueInput<'s, Token = Tok<'s>, Span = SimpleSpan>,
    R: ParseError<'s, I>,
{
    custom(move |inp| {
        let mut open: Vec<Tok<'s>> = Vec::new();
        let mut covered: Option<Span> = None;
        let mut at = None;
        loop {
            let save = inp.save();
            let before = inp.cursor();
            let Some(tok) = inp.next() else {
                break;
            };
            let span: SimpleSpan = inp.span_since(&before);
            let span = sp(span);
            at.get_or_insert(span.start);
            let stop = line_starts.binary_search(&(span.start as usize)).is_ok()
                || match tok {
                    Tok::LParen => {
                        open.push(Tok::RParen);
                        false
                    }
                    Tok::LBrack => {
                        open.push(Tok::RBrack);
                        false
                    }
                    Tok::LBrace => {
                        open.push(Tok::RBrace);
                        false
                    }
                    Tok::InterpStart => {
                        open.push(Tok::InterpEnd);
                        false
                    }
                    Tok::Quote if open.last() == Some(&Tok::Quote) => {
                        open.pop();
                        false
                    }
                    Tok::Quote => {
                        open.push(Tok::Quote);
                        false
                    }
                    Tok::RParen | Tok::RBrack | Tok::RBrace | Tok::InterpEnd => {
                        match open.iter().rposition(|t| *t == tok) {
                            Some(i) => {
                                open.truncate(i);
                                false
                            }
                            // a stray closer inside a group is part of the mess
                            None if !open.is_empty() => false,
                            None if Some(tok) == closer => {
                                covered = Some(covered.map_or(span, |c| c.to(span)));
                                break;
                            }
                            None => true,
                        }
                    }
                    Tok::Comma => open.is_empty() && closer.is_none(),
                    t => open.is_empty() && Some(t) == until,
                };
            if stop {
                inp.rewind(save);
                break;
            }
            covered = Some(covered.map_or(span, |c| c.to(span)));
        }
        if let Some(covered) = covered {
            return Ok(covered);
        }
        // nothing skipped: an empty span at the next token (or after the last one)
        let at = match at {
            Some(at) => at,
            None => {
                let here = inp.cursor();
                let eoi: SimpleSpan = inp.span_since(&here);
                eoi.end as u32
            }
        };
        Ok(Span::new(at, at))
    })
}

/// A closing bracket; in the recovering pass a missing or misplaced one is reported and
/// skipped to (see [`skip_broken`]), so the construct it closes is kept.
fn close<'s, I, R>(
    tok: Tok<'s>,
    line_starts: &Rc<[usize]>,
    recover: bool,
) -> chumsky::Boxed<'s, 's, I, (), Extra<R>>
where
    I: ValueInput<'s, Token = Tok<'s>, Span = SimpleSpan> + 's,
    R: ParseError<'s, I>,
{
    if recover {
        just(tok)
            .ignored()
            .recover_with(via_parser(
                skip_broken(line_starts.clone(), Some(tok), None).ignored(),
            ))
            .boxed()
    } else {
        just(tok).ignored().boxed()
    }
}

/// An expression that must follow what was already parsed (an operator, `=`, `:`, `=>`,
/// `(`, `then`...); in the recovering pass a broken one becomes [`Expression::Bad`] covering
/// what [`skip_broken`] skipped, so the statement around it is kept.
fn required_expr<'s, I, R>(
    expr: impl Parser<'s, I, Expression, Extra<R>> + Clone + 's,
    line_starts: &Rc<[usize]>,
    recover: bool,
    until: Option<Tok<'s>>,
) -> chumsky::Boxed<'s, 's, I, Expression, Extra<R>>
where
    I: ValueInput<'s, Token = Tok<'s>, Span = SimpleSpan> + 's,
    R: ParseError<'s, I>,
{
    if recover {
        expr.recover_with(via_parser(
            skip_broken(line_starts.clone(), None, until).map(Expression::Bad),
        ))
        .boxed()
    } else {
        expr.boxed()
    }
}

fn ident<'s, I, R>() -> impl Parser<'s, I, Identifier, Extra<R>> + Clone
where
    I: ValueInput<'s, Token = Tok<'s>, Span = SimpleSpan>,
    R: ParseError<'s, I>,
{
    select! { Tok::Ident(name) = e => Identifier { span: sp(e.span()), name: name.to_string() } }
        .labelled("identifier")
}

/// A string literal without interpolation.
fn plain_string<'s, I, R>() -> impl Parser<'s, I, StringLit, Extra<R>> + Clone
where
    I: ValueInput<'s, Token = Tok<'s>, Span = SimpleSpan>,
    R: ParseError<'s, I>,
{
    just(Tok::Quote)
        .ignore_then(select! { Tok::Text(t) => t }.repeated().collect::<Vec<_>>())
        .then_ignore(just(Tok::Quote))
        .map_with(|parts, e| {
            let mut value = String::new();
            for p in parts {
                value.push_str(&decode_string_text(p).unwrap_or_default());
            }
            StringLit {
                span: sp(e.span()),
                value,
            }
        })
        .labelled("string")
}

fn property_key<'s, I, R>() -> impl Parser<'s, I, PropertyKey, Extra<R>> + Clone
where
    I: ValueInput<'s, Token = Tok<'s>, Span = SimpleSpan>,
    R: ParseError<'s, I>,
{
    ident()
        .map(PropertyKey::Identifier)
        .or(plain_string().map(PropertyKey::String))
}

#[derive(Clone, Copy)]
enum Op {
    Pipe,
    Bin(BinaryOperator),
    And,
    Or,
}

impl Op {
    /// Binding strength, higher binds tighter (`not`/`exists` sit at 3).
    fn prec(self) -> u8 {
        match self {
            Op::Or => 1,
            Op::And => 2,
            Op::Bin(b) => match b {
                BinaryOperator::Eq
                | BinaryOperator::NotEq
                | BinaryOperator::Lt
                | BinaryOperator::Lte
                | BinaryOperator::Gt
                | BinaryOperator::Gte
                | BinaryOperator::RegexMatch
                | BinaryOperator::NotRegexMatch => 4,
                BinaryOperator::Add | BinaryOperator::Sub => 5,
                BinaryOperator::Mul | BinaryOperator::Div | BinaryOperator::Mod => 6,
                BinaryOperator::Pow => 7,
            },
            Op::Pipe => 8,
        }
    }
}

type Operand = (Vec<(UnaryOperator, Span)>, Expression);

/// Precedence climbing over `operand (op operand)*`; all operators are left-associative.
/// Recursion depth is bounded by the number of precedence levels plus the `not`/`exists`
/// prefixes, which the nesting limit counts.
struct Climber {
    items: Vec<Operand>,
    ops: Vec<Op>,
    item: usize,
    prefix: usize,
    /// Problems found while folding (pipe destinations that are not calls, misplaced `not`).
    errors: Vec<(Span, &'static str)>,
}

impl Climber {
    /// `prefix_ok`: a `not`/`exists` may start here (at a logical operand or after another
    /// `not`/`exists`).
    fn operand(&mut self, prefix_ok: bool) -> Expression {
        let i = self.item;
        if self.prefix < self.items[i].0.len() {
            let (operator, start) = self.items[i].0[self.prefix];
            if !prefix_ok {
                // The SPEC only allows `not`/`exists` where a logical operand starts.
                self.errors.push((
                    start,
                    "`not`/`exists` after an arithmetic or comparison operator needs parentheses",
                ));
            }
            self.prefix += 1;
            let argument = self.climb(4, true);
            return Expression::Unary(Box::new(UnaryExpr {
                span: start.to(argument.span()),
                operator,
                argument,
            }));
        }
        let e = std::mem::replace(&mut self.items[i].1, Expression::Bad(Span::default()));
        self.item += 1;
        self.prefix = 0;
        e
    }

    fn climb(&mut self, min_prec: u8, prefix_ok: bool) -> Expression {
        let mut lhs = self.operand(prefix_ok || min_prec <= 3);
        // the operator before item k is ops[k - 1]
        while self.item < self.items.len() {
            let op = self.ops[self.item - 1];
            let p = op.prec();
            if p < min_prec {
                break;
            }
            let rhs = self.climb(p + 1, false);
            let span = lhs.span().to(rhs.span());
            lhs = match op {
                Op::Pipe => {
                    let call = match rhs {
                        Expression::Call(c) => *c,
                        other => {
                            self.errors
                                .push((other.span(), "pipe destination must be a function call"));
                            CallExpr {
                                span: other.span(),
                                callee: other,
                                arguments: vec![],
                            }
                        }
                    };
                    Expression::Pipe(Box::new(PipeExpr {
                        span,
                        argument: lhs,
                        call,
                    }))
                }
                Op::Bin(operator) => Expression::Binary(Box::new(BinaryExpr {
                    span,
                    operator,
                    left: lhs,
                    right: rhs,
                })),
                Op::And | Op::Or => Expression::Logical(Box::new(LogicalExpr {
                    span,
                    operator: if matches!(op, Op::And) {
                        LogicalOperator::And
                    } else {
                        LogicalOperator::Or
                    },
                    left: lhs,
                    right: rhs,
                })),
            };
        }
        lhs
    }
}

enum Postfix {
    Member(PropertyKey),
    Bracket(Expression),
    Call(Vec<Property>),
}

#[derive(Clone)]
enum Item {
    Plain(Expression),
    Pair(Expression, Expression, Span),
}

fn attributes<'s, 'b, I, R>(
    expr_primary: impl Parser<'s, I, Expression, Extra<R>> + Clone + 'b,
) -> impl Parser<'s, I, Vec<Attribute>, Extra<R>> + Clone + 'b
where
    I: ValueInput<'s, Token = Tok<'s>, Span = SimpleSpan> + 's,
    R: ParseError<'s, I>,
    's: 'b,
{
    select! { Tok::Attribute(n) = e => Identifier { span: sp(e.span()), name: n.to_string() } }
        .then(
            expr_primary
                .separated_by(just(Tok::Comma))
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(just(Tok::LParen), just(Tok::RParen))
                .or_not(),
        )
        .map_with(|(name, params), e| Attribute {
            span: sp(e.span()),
            name,
            params: params.unwrap_or_default(),
        })
        .repeated()
        .collect::<Vec<_>>()
}

/// `line_starts`: sorted byte offsets of the tokens that begin a line at column 1, where
/// error recovery resumes.
pub fn file_parser<'s, I, R>(
    line_starts: Rc<[usize]>,
    recover: bool,
) -> impl Parser<'s, I, File, Extra<R>>
where
    I: ValueInput<'s, Token = Tok<'s>, Span = SimpleSpan> + 's,
    R: ParseError<'s, I>,
{
    // Only `recursive` (weak self-references) is used, never `Recursive::declare`: declared
    // parsers form `Rc` cycles, which leak the whole parser graph on every call.
    let ls = line_starts.clone();
    let expr = recursive(move |expr| {
        let block = block_parser(expr.clone(), &ls, recover);
        let required = |e| required_expr(e, &ls, recover, None);

        // ---- literals ----
        let string_expr = just(Tok::Quote)
        .ignore_then(
            choice((
                select! { Tok::Text(t) => StringPart::Text(decode_string_text(t).unwrap_or_default()) },
                expr.clone()
                    .delimited_by(just(Tok::InterpStart), just(Tok::InterpEnd))
                    .map(|e| StringPart::Interpolated(Box::new(e))),
            ))
            .repeated()
            .collect::<Vec<_>>(),
        )
        .then_ignore(just(Tok::Quote))
        .map_with(|parts, e| {
            // adjacent text parts (never produced by the lexer, but keep it canonical)
            Expression::String(Box::new(StringExpr {
                span: sp(e.span()),
                parts,
            }))
        });

        let literal = select! {
            Tok::Int(t) = e => Expression::Integer(IntegerLit { span: sp(e.span()), value: t.parse().unwrap_or(0) }),
            Tok::Float(t) = e => Expression::Float(FloatLit { span: sp(e.span()), value: t.parse().unwrap_or(0.0) }),
            Tok::Duration(t) = e => Expression::Duration(DurationLit {
                span: sp(e.span()),
                values: split_duration(t).into_iter().map(|(magnitude, unit)| Duration { magnitude, unit }).collect(),
            }),
            Tok::Time(t) = e => {
                let (nanos, offset_seconds) = parse_date_time(t).unwrap_or((0, 0));
                Expression::DateTime(DateTimeLit { span: sp(e.span()), nanos, offset_seconds, text: t.to_string() })
            },
            Tok::Regex(t) = e => Expression::Regex(RegexLit { span: sp(e.span()), value: decode_regex(t).unwrap_or_default() }),
            Tok::PipeReceive = e => Expression::PipeLit(sp(e.span())),
        };

        let label = just(Tok::Dot)
            .ignore_then(property_key())
            .map_with(|k, e| LabelLit {
                span: sp(e.span()),
                value: k.name().to_string(),
            });

        let property = property_key()
            .then(
                just(Tok::Colon)
                    .ignore_then(required(expr.clone()))
                    .or_not(),
            )
            .map_with(|(key, value), e| Property {
                span: sp(e.span()),
                key,
                value,
            })
            .boxed();
        let property_list = property
            .clone()
            .separated_by(just(Tok::Comma))
            .allow_trailing()
            .collect::<Vec<_>>()
            .boxed();

        let record = just(Tok::LBrace)
            .ignore_then(
                ident()
                    .then_ignore(select! { Tok::Ident("with") => () })
                    .or_not(),
            )
            .then(property_list.clone())
            .then_ignore(close(Tok::RBrace, &ls, recover))
            .map_with(|(with, properties), e| {
                Expression::Record(Box::new(RecordExpr {
                    span: sp(e.span()),
                    with,
                    properties,
                }))
            });

        // `[a, b]`, `[k: v]`, `[:]`
        let item = expr
            .clone()
            .then(
                just(Tok::Colon)
                    .ignore_then(required(expr.clone()))
                    .or_not(),
            )
            .map_with(|(k, v), e| match v {
                Some(v) => Item::Pair(k, v, sp(e.span())),
                None => Item::Plain(k),
            });
        let array_or_dict = just(Tok::LBrack)
            .ignore_then(choice((
                just(Tok::Colon).then(just(Tok::RBrack)).map(|_| None),
                item.separated_by(just(Tok::Comma))
                    .allow_trailing()
                    .collect::<Vec<_>>()
                    .then_ignore(close(Tok::RBrack, &ls, recover))
                    .map(Some),
            )))
            .validate(|items, e, emitter| {
                let span = sp(e.span());
                let Some(items) = items else {
                    return Expression::Dict(Box::new(DictExpr {
                        span,
                        elements: vec![],
                    }));
                };
                let pairs = items.iter().filter(|i| matches!(i, Item::Pair(..))).count();
                if pairs == 0 {
                    let elements = items
                        .into_iter()
                        .filter_map(|i| match i {
                            Item::Plain(x) => Some(x),
                            Item::Pair(..) => None,
                        })
                        .collect();
                    Expression::Array(Box::new(ArrayExpr { span, elements }))
                } else {
                    if pairs != items.len() {
                        emitter.emit(R::custom(
                            e.span(),
                            "dictionary entries must all be key: value pairs",
                        ));
                    }
                    let elements = items
                        .into_iter()
                        .map(|i| match i {
                            Item::Pair(key, value, span) => DictItem { span, key, value },
                            Item::Plain(x) => DictItem {
                                span: x.span(),
                                key: x.clone(),
                                value: Expression::Bad(x.span()),
                            },
                        })
                        .collect();
                    Expression::Dict(Box::new(DictExpr { span, elements }))
                }
            });

        // function literal: (params) => body
        let parameter = ident()
            .then(
                just(Tok::Assign)
                    .ignore_then(required(expr.clone()))
                    .or_not(),
            )
            .map_with(|(key, default), e| Parameter {
                span: sp(e.span()),
                key,
                default,
            });
        let function = just(Tok::LParen)
            .ignore_then(
                parameter
                    .separated_by(just(Tok::Comma))
                    .allow_trailing()
                    .collect::<Vec<_>>(),
            )
            // no recovery here: `(` may start a parenthesized expression instead
            .then_ignore(just(Tok::RParen))
            .then_ignore(just(Tok::Arrow))
            .then(
                // `=> {` always starts a block (a record body needs parentheses), as in libflux.
                // (`not` first: `and_is` after the expression would drop the diagnostics
                // its recovery emitted)
                block.clone().map(FunctionBody::Block).or(just(Tok::LBrace)
                    .not()
                    .ignore_then(required_expr(expr.clone(), &ls, recover, None))
                    .map(FunctionBody::Expression)),
            )
            .map_with(|(params, body), e| {
                Expression::Function(Box::new(FunctionExpr {
                    span: sp(e.span()),
                    params,
                    body,
                }))
            })
            .boxed();

        let paren = just(Tok::LParen)
            .ignore_then(required(expr.clone()))
            .then_ignore(close(Tok::RParen, &ls, recover))
            .map_with(|expression, e| {
                Expression::Paren(Box::new(ParenExpr {
                    span: sp(e.span()),
                    expression,
                }))
            });

        let primary = choice((
            ident().map(Expression::Identifier),
            literal,
            string_expr,
            function,
            paren,
            record,
            array_or_dict,
            label.map(Expression::Label),
        ))
        .labelled("expression")
        .boxed();
        let primary_rec = primary;

        // ---- postfix ----
        let postfix_op = choice((
            just(Tok::Dot)
                .ignore_then(property_key())
                .map(Postfix::Member),
            // `[` after an expression always indexes (as in libflux), so accept a list here
            // and complain about anything but one element instead of backtracking into a new
            // statement that starts with an array.
            just(Tok::LBrack)
                .ignore_then(
                    expr.clone()
                        .separated_by(just(Tok::Comma))
                        .allow_trailing()
                        .collect::<Vec<_>>(),
                )
                .then_ignore(close(Tok::RBrack, &ls, recover))
                .validate(|mut items, e, emitter| {
                    if items.len() != 1 {
                        emitter.emit(R::custom(e.span(), "an index takes exactly one expression"));
                    }
                    Postfix::Bracket(items.pop().unwrap_or(Expression::Bad(sp(e.span()))))
                }),
            just(Tok::LParen)
                .ignore_then(property_list.clone())
                .then_ignore(close(Tok::RParen, &ls, recover))
                .map(Postfix::Call),
        ));
        let postfix = primary_rec
            .clone()
            .foldl_with(postfix_op.repeated(), |lhs, op, e| {
                let span = sp(e.span());
                match op {
                    Postfix::Member(property) => Expression::Member(Box::new(MemberExpr {
                        span,
                        object: lhs,
                        property,
                    })),
                    Postfix::Bracket(Expression::String(s)) if s.as_plain().is_some() => {
                        let value = s.as_plain().unwrap_or_default();
                        Expression::Member(Box::new(MemberExpr {
                            span,
                            object: lhs,
                            property: PropertyKey::String(StringLit {
                                span: s.span,
                                value,
                            }),
                        }))
                    }
                    Postfix::Bracket(index) => Expression::Index(Box::new(IndexExpr {
                        span,
                        array: lhs,
                        index,
                    })),
                    Postfix::Call(arguments) => Expression::Call(Box::new(CallExpr {
                        span,
                        callee: lhs,
                        arguments,
                    })),
                }
            })
            .boxed();

        // ---- unary + - ----
        let unary = choice((
            just(Tok::Sub).to(UnaryOperator::Sub),
            just(Tok::Add).to(UnaryOperator::Add),
        ))
        .map_with(|op, e| (op, sp(e.span())))
        .repeated()
        .foldr(postfix, |(operator, s), argument| {
            Expression::Unary(Box::new(UnaryExpr {
                span: s.to(argument.span()),
                operator,
                argument,
            }))
        })
        .boxed();

        // ---- binary operators, `not`/`exists`, pipes ----
        // One flat `operand (op operand)*` sequence, folded into a tree by precedence climbing
        // (see `climb`). Seven chumsky precedence levels cost ~2x the parse time of this one.
        let prefix = select! {
            Tok::Not = e => (UnaryOperator::Not, sp(e.span())),
            Tok::Exists = e => (UnaryOperator::Exists, sp(e.span())),
        };
        let operand = prefix.repeated().collect::<Vec<_>>().then(unary.clone());
        // after an operator an operand must follow
        let next_operand = if recover {
            operand
                .clone()
                .recover_with(via_parser(
                    skip_broken(ls.clone(), None, None).map(|s| (Vec::new(), Expression::Bad(s))),
                ))
                .boxed()
        } else {
            operand.clone().boxed()
        };
        let binop = select! {
            Tok::PipeForward => Op::Pipe,
            Tok::Pow => Op::Bin(BinaryOperator::Pow),
            Tok::Mul => Op::Bin(BinaryOperator::Mul),
            Tok::Div => Op::Bin(BinaryOperator::Div),
            Tok::Mod => Op::Bin(BinaryOperator::Mod),
            Tok::Add => Op::Bin(BinaryOperator::Add),
            Tok::Sub => Op::Bin(BinaryOperator::Sub),
            Tok::Eq => Op::Bin(BinaryOperator::Eq),
            Tok::Neq => Op::Bin(BinaryOperator::NotEq),
            Tok::Lt => Op::Bin(BinaryOperator::Lt),
            Tok::Lte => Op::Bin(BinaryOperator::Lte),
            Tok::Gt => Op::Bin(BinaryOperator::Gt),
            Tok::Gte => Op::Bin(BinaryOperator::Gte),
            Tok::RegexEq => Op::Bin(BinaryOperator::RegexMatch),
            Tok::RegexNeq => Op::Bin(BinaryOperator::NotRegexMatch),
            Tok::And => Op::And,
            Tok::Or => Op::Or,
        };
        let or = operand
            .clone()
            .then(binop.then(next_operand).repeated().collect::<Vec<_>>())
            .validate(|(first, rest), _e, emitter| {
                let mut items = Vec::with_capacity(rest.len() + 1);
                let mut ops = Vec::with_capacity(rest.len());
                items.push(first);
                for (op, item) in rest {
                    ops.push(op);
                    items.push(item);
                }
                let mut c = Climber {
                    items,
                    ops,
                    item: 0,
                    prefix: 0,
                    errors: Vec::new(),
                };
                let e = c.climb(0, true);
                for (span, msg) in c.errors {
                    emitter.emit(R::custom(
                        SimpleSpan::from(span.start as usize..span.end as usize),
                        msg,
                    ));
                }
                e
            })
            .boxed();

        let conditional = just(Tok::If)
            .ignore_then(required_expr(expr.clone(), &ls, recover, Some(Tok::Then)))
            .then_ignore(just(Tok::Then))
            .then(required_expr(expr.clone(), &ls, recover, Some(Tok::Else)))
            .then_ignore(just(Tok::Else))
            .then(required(expr.clone()))
            .map_with(|((test, consequent), alternate), e| {
                Expression::Conditional(Box::new(ConditionalExpr {
                    span: sp(e.span()),
                    test,
                    consequent,
                    alternate,
                }))
            });

        conditional.or(or).labelled("expression").boxed()
    });

    let statement = statement_parser(
        expr.clone(),
        block_parser(expr.clone(), &line_starts, recover),
        &line_starts,
        recover,
    );
    let attrs = attributes(expr.clone()).boxed();

    // ---- file ----
    let package = attrs
        .clone()
        .then_ignore(just(Tok::Package))
        .then(ident())
        .map_with(|(attributes, name), e| PackageClause {
            span: sp(e.span()),
            attributes,
            name,
        });
    let import = attrs
        .clone()
        .then_ignore(just(Tok::Import))
        .then(ident().or_not())
        .then(plain_string())
        .map_with(|((attributes, alias), path), e| ImportDeclaration {
            span: sp(e.span()),
            attributes,
            alias,
            path,
        });

    // Recovery: a statement that fails to parse becomes a `Bad` statement covering everything
    // up to the next token at the start of a line (column 1), where parsing resumes. One
    // mistake yields one diagnostic and the rest of the file still has an AST.
    let at_line_start = any().try_map(move |t, span: SimpleSpan| {
        if line_starts.binary_search(&span.start).is_ok() {
            Ok(t)
        } else {
            Err(R::custom(span, "not at a line start"))
        }
    });
    let bad_statement = any()
        .then(any().and_is(at_line_start.not()).repeated())
        .map_with(|_, e| {
            Statement::Bad(Box::new(BadStatement {
                span: sp(e.span()),
                text: String::new(),
            }))
        });
    // (The fast pass must not recover: chumsky's `via_parser` expects a recorded alternative
    // error, which the zero-cost error type does not keep.)
    let recovering_statement = if recover {
        statement
            .clone()
            .recover_with(via_parser(bad_statement))
            .boxed()
    } else {
        statement.clone().boxed()
    };

    package
        .or_not()
        .then(import.repeated().collect::<Vec<_>>())
        .then(recovering_statement.repeated().collect::<Vec<_>>())
        .then_ignore(end())
        .map_with(|((package, imports), body), e| File {
            span: sp(e.span()),
            package,
            imports,
            body,
            comments: Vec::new(),
        })
}

fn type_expression<'s, I, R>() -> impl Parser<'s, I, TypeExpression, Extra<R>> + Clone
where
    I: ValueInput<'s, Token = Tok<'s>, Span = SimpleSpan> + 's,
    R: ParseError<'s, I>,
{
    let monotype = recursive(|mono| {
        let array = mono
            .clone()
            .then(just(Tok::Colon).ignore_then(mono.clone()).or_not())
            .delimited_by(just(Tok::LBrack), just(Tok::RBrack))
            .map_with(|(k, v), e| match v {
                None => MonoType::Array(Box::new(ArrayType {
                    span: sp(e.span()),
                    element: k,
                })),
                Some(value) => MonoType::Dict(Box::new(DictType {
                    span: sp(e.span()),
                    key: k,
                    value,
                })),
            });
        let wrapped = select! { Tok::Ident(n) if n == "stream" || n == "vector" => n }
            .then(
                mono.clone()
                    .delimited_by(just(Tok::LBrack), just(Tok::RBrack)),
            )
            .map_with(|(n, element), e| {
                let t = Box::new(ArrayType {
                    span: sp(e.span()),
                    element,
                });
                if n == "stream" {
                    MonoType::Stream(t)
                } else {
                    MonoType::Vector(t)
                }
            });
        let property_type = property_key()
            .then_ignore(just(Tok::Colon))
            .then(mono.clone())
            .map_with(|(name, ty), e| PropertyType {
                span: sp(e.span()),
                name,
                ty,
            });
        let record = just(Tok::LBrace)
            .ignore_then(
                ident()
                    .then_ignore(select! { Tok::Ident("with") => () })
                    .or_not(),
            )
            .then(
                property_type
                    .separated_by(just(Tok::Comma))
                    .allow_trailing()
                    .collect::<Vec<_>>(),
            )
            .then_ignore(just(Tok::RBrace))
            .map_with(|(tvar, properties), e| {
                MonoType::Record(Box::new(RecordType {
                    span: sp(e.span()),
                    tvar,
                    properties,
                }))
            });
        let label = just(Tok::Dot)
            .ignore_then(property_key())
            .map_with(|k, e| LabelLit {
                span: sp(e.span()),
                value: k.name().to_string(),
            });
        let param_kind = choice((
            just(Tok::Question).to(ParameterKind::Optional),
            just(Tok::PipeReceive).to(ParameterKind::Pipe),
        ))
        .or_not()
        .map(|k| k.unwrap_or(ParameterKind::Required));
        let param = param_kind
            .then(ident().or_not())
            .then_ignore(just(Tok::Colon))
            .then(mono.clone())
            .then(just(Tok::Assign).ignore_then(label.clone()).or_not())
            .validate(|(((kind, name), ty), default), e, emitter| {
                if name.is_none() && kind != ParameterKind::Pipe {
                    emitter.emit(R::custom(e.span(), "expected parameter name"));
                }
                ParameterType {
                    span: sp(e.span()),
                    kind,
                    name,
                    ty,
                    default,
                }
            });
        let function = param
            .separated_by(just(Tok::Comma))
            .allow_trailing()
            .collect::<Vec<_>>()
            .delimited_by(just(Tok::LParen), just(Tok::RParen))
            .then_ignore(just(Tok::Arrow))
            .then(mono.clone())
            .map_with(|(params, ret), e| {
                MonoType::Function(Box::new(FunctionType {
                    span: sp(e.span()),
                    params,
                    ret,
                }))
            });
        let named = ident().map(|id| {
            if id.name == "dynamic" {
                MonoType::Dynamic(id.span)
            } else if id.name.chars().count() == 1 {
                MonoType::Tvar(id)
            } else {
                MonoType::Basic(id)
            }
        });
        choice((
            array,
            wrapped,
            record,
            function,
            label.map(MonoType::Label),
            named,
        ))
        .labelled("type")
        .boxed()
    });
    let constraint = ident()
        .then_ignore(just(Tok::Colon))
        .then(
            ident()
                .separated_by(just(Tok::Add))
                .at_least(1)
                .collect::<Vec<_>>(),
        )
        .map_with(|(tvar, kinds), e| TypeConstraint {
            span: sp(e.span()),
            tvar,
            kinds,
        });
    monotype
        .then(
            select! { Tok::Ident("where") => () }
                .ignore_then(
                    constraint
                        .separated_by(just(Tok::Comma))
                        .at_least(1)
                        .collect::<Vec<_>>()
                        .or_not(),
                )
                .validate(|constraints, e, emitter| {
                    if constraints.is_none() {
                        emitter.emit(R::custom(
                            e.span(),
                            "expected type constraints after `where`",
                        ));
                    }
                    constraints.unwrap_or_default()
                })
                .or_not(),
        )
        .map_with(|(monotype, constraints), e| TypeExpression {
            span: sp(e.span()),
            monotype,
            constraints: constraints.unwrap_or_default(),
        })
        .boxed()
}

fn block_parser<'s, I, R>(
    expr: impl Parser<'s, I, Expression, Extra<R>> + Clone + 's,
    line_starts: &Rc<[usize]>,
    recover: bool,
) -> chumsky::Boxed<'s, 's, I, Block, Extra<R>>
where
    I: ValueInput<'s, Token = Tok<'s>, Span = SimpleSpan> + 's,
    R: ParseError<'s, I>,
{
    let ls = line_starts.clone();
    recursive(move |block| {
        just(Tok::LBrace)
            .ignore_then(
                statement_parser(expr, block, &ls, recover)
                    .repeated()
                    .collect::<Vec<_>>(),
            )
            .then_ignore(close(Tok::RBrace, &ls, recover))
            .map_with(|body, e| Block {
                span: sp(e.span()),
                body,
            })
            .boxed()
    })
    .boxed()
}

fn statement_parser<'s, I, R>(
    expr: impl Parser<'s, I, Expression, Extra<R>> + Clone + 's,
    block: impl Parser<'s, I, Block, Extra<R>> + Clone + 's,
    line_starts: &Rc<[usize]>,
    recover: bool,
) -> chumsky::Boxed<'s, 's, I, Statement, Extra<R>>
where
    I: ValueInput<'s, Token = Tok<'s>, Span = SimpleSpan> + 's,
    R: ParseError<'s, I>,
{
    // ---- statements ----
    let attrs = attributes(expr.clone()).boxed();

    let option_stmt = just(Tok::Option)
        .ignore_then(ident())
        .then(just(Tok::Dot).ignore_then(ident()).or_not())
        .then_ignore(just(Tok::Assign))
        .then(required_expr(expr.clone(), line_starts, recover, None))
        .map(|((first, second), init)| match second {
            Some(id) => (Some(first), id, init),
            None => (None, first, init),
        });

    let builtin_stmt = just(Tok::Builtin)
        .ignore_then(ident())
        .then_ignore(just(Tok::Colon))
        .then(type_expression());

    let testcase_stmt = just(Tok::Testcase)
        .ignore_then(ident())
        .then(
            select! { Tok::Ident("extends") => () }
                .ignore_then(plain_string())
                .or_not(),
        )
        .then(block.clone());

    let var_stmt = ident().then_ignore(just(Tok::Assign)).then(required_expr(
        expr.clone(),
        line_starts,
        recover,
        None,
    ));

    let return_stmt =
        just(Tok::Return).ignore_then(required_expr(expr.clone(), line_starts, recover, None));

    enum S {
        Opt(Option<Identifier>, Identifier, Expression),
        Builtin(Identifier, TypeExpression),
        Test(Identifier, Option<StringLit>, Block),
        Var(Identifier, Expression),
        Ret(Expression),
        Expr(Expression),
    }

    let stmt_inner = choice((
        option_stmt.map(|(ns, id, init)| S::Opt(ns, id, init)),
        builtin_stmt.map(|(id, ty)| S::Builtin(id, ty)),
        testcase_stmt.map(|((id, ext), b)| S::Test(id, ext, b)),
        var_stmt.map(|(id, init)| S::Var(id, init)),
        return_stmt.map(S::Ret),
        expr.clone().map(S::Expr),
    ))
    .labelled("statement");

    attrs
        .clone()
        .then(stmt_inner)
        .map_with(|(attributes, s), e| {
            let span = sp(e.span());
            match s {
                S::Opt(namespace, id, init) => Statement::Option(Box::new(OptionStatement {
                    span,
                    attributes,
                    namespace,
                    id,
                    init,
                })),
                S::Builtin(id, ty) => Statement::Builtin(Box::new(BuiltinStatement {
                    span,
                    attributes,
                    id,
                    ty,
                })),
                S::Test(id, extends, block) => Statement::Testcase(Box::new(TestcaseStatement {
                    span,
                    attributes,
                    id,
                    extends,
                    block,
                })),
                S::Var(id, init) => Statement::Variable(Box::new(VariableAssignment {
                    span,
                    attributes,
                    id,
                    init,
                })),
                S::Ret(argument) => Statement::Return(Box::new(ReturnStatement {
                    span,
                    attributes,
                    argument,
                })),
                S::Expr(expression) => Statement::Expression(Box::new(ExpressionStatement {
                    span,
                    attributes,
                    expression,
                })),
            }
        })
        .boxed()
}
