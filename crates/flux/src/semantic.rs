//! The semantic pass: before anything runs, resolves every identifier (a typo is reported as
//! `undefined identifier "x"` at its position, the way Flux's compiler does) and reports
//! the type errors that are certain without full inference: calls with unknown or missing
//! arguments, calling a value that is not a function, and operators applied to literal
//! types that do not support them (`1 + "a"`, `not 1`, `if 1 then ...`).

mod signatures;
mod types;

use std::collections::HashMap;

use edgeflux_flux_syntax::ast::{self, Expression, Span, Statement};

use crate::error::Result;
use crate::eval::{EnvRef, Function};
use crate::value::Value;
use types::{Arg, Basic, Kind, Sig, Ty, TypeError};

struct Scopes<'a> {
    env: &'a EnvRef,
    stack: Vec<HashMap<String, Ty>>,
    text: &'a str,
}

/// The parameters of a function literal.
fn closure_sig(f: &ast::FunctionExpr) -> Sig {
    let mut sig = Sig::default();
    for p in &f.params {
        let name = p.key.name.clone();
        match &p.default {
            _ if p.is_pipe() => sig.pipe = Some(name),
            Some(_) => sig.optional.push(name),
            None => sig.required.push(name),
        }
    }
    sig
}

/// What a value already bound in the environment (prelude, imports) is known to be.
fn value_ty(v: &Value) -> Ty {
    match v {
        Value::Bool(_) => Ty::Basic(Basic::Bool),
        Value::Int(_) => Ty::Basic(Basic::Int),
        Value::UInt(_) => Ty::Basic(Basic::Uint),
        Value::Float(_) => Ty::Basic(Basic::Float),
        Value::String(_) => Ty::Basic(Basic::String),
        Value::Duration(_) => Ty::Basic(Basic::Duration),
        Value::Time(_) => Ty::Basic(Basic::Time),
        Value::Regex(_) => Ty::Basic(Basic::Regexp),
        Value::Function(f) => match &**f {
            Function::Closure { expr, .. } => Ty::Func(closure_sig(expr)),
            Function::Builtin { .. } => Ty::Unknown,
        },
        _ => Ty::Unknown,
    }
}

/// The result type of a universe conversion function.
fn conversion_result(name: &str) -> Option<Basic> {
    Some(match name {
        "float" => Basic::Float,
        "int" => Basic::Int,
        "uint" => Basic::Uint,
        "string" => Basic::String,
        "bool" => Basic::Bool,
        "time" | "now" => Basic::Time,
        "duration" => Basic::Duration,
        "bytes" => Basic::Bytes,
        _ => return None,
    })
}

impl Scopes<'_> {
    /// The static type of a name: inner scopes, then the environment, then the universe.
    /// `None` when the name is not defined at all.
    fn lookup(&self, name: &str) -> Option<Ty> {
        if let Some(t) = self.stack.iter().rev().find_map(|s| s.get(name)) {
            return Some(t.clone());
        }
        let mut e = self.env;
        while let Some(x) = e {
            if x.name_is(name) {
                return Some(value_ty(x.value_ref()));
            }
            e = x.parent_ref();
        }
        if !crate::stdlib::universe_has(name) {
            return None;
        }
        Some(match name {
            "true" | "false" => Ty::Basic(Basic::Bool),
            _ => signatures::universe(name).map_or(Ty::Unknown, Ty::Func),
        })
    }
    /// True when `name` resolves to the universe (not shadowed by the program).
    fn is_universe(&self, name: &str) -> bool {
        let mut e = self.env;
        while let Some(x) = e {
            if x.name_is(name) {
                return false;
            }
            e = x.parent_ref();
        }
        !self.stack.iter().any(|s| s.contains_key(name)) && crate::stdlib::universe_has(name)
    }
    fn define(&mut self, name: &str, ty: Ty) {
        if let Some(top) = self.stack.last_mut() {
            top.insert(name.to_string(), ty);
        }
    }
    fn located(&self, span: Span, message: &str) -> crate::FluxError {
        let idx = edgeflux_flux_syntax::LineIndex::new(self.text);
        let a = idx.position(span.start);
        let b = idx.position(span.end);
        crate::FluxError::Invalid(format!(
            "compilation failed: error at @{}:{}-{}:{}: {message}",
            a.line, a.column, b.line, b.column
        ))
    }
    fn type_error(&self, (span, message): TypeError) -> crate::FluxError {
        self.located(span, &message)
    }
    fn identifier(&self, id: &ast::Identifier) -> Result<Ty> {
        self.lookup(&id.name)
            .ok_or_else(|| self.located(id.span, &format!("undefined identifier {:?}", id.name)))
    }

    fn statements(&mut self, body: &[Statement]) -> Result<()> {
        for st in body {
            match st {
                Statement::Variable(v) => {
                    let ty = self.expr(&v.init)?;
                    self.define(&v.id.name, ty);
                }
                Statement::Option(o) => {
                    let ty = self.expr(&o.init)?;
                    if o.namespace.is_none() {
                        self.define(&o.id.name, ty);
                    }
                }
                Statement::Return(r) => {
                    self.expr(&r.argument)?;
                }
                Statement::Expression(e) => {
                    self.expr(&e.expression)?;
                }
                Statement::Builtin(b) => self.define(&b.id.name, Ty::Unknown),
                // Testcases are checked one by one when they run.
                Statement::Testcase(_) => {}
                Statement::Bad(_) => {}
            }
        }
        Ok(())
    }

    /// A property's value, or for the shorthand `{x}` / `f(x)` the identifier `x`.
    fn property(&mut self, p: &ast::Property) -> Result<Ty> {
        match (&p.value, &p.key) {
            (Some(x), _) => self.expr(x),
            (None, ast::PropertyKey::Identifier(id)) => self.identifier(id),
            (None, ast::PropertyKey::String(_)) => Ok(Ty::Unknown),
        }
    }

    fn expr(&mut self, e: &Expression) -> Result<Ty> {
        let basic = |b| Ok(Ty::Basic(b));
        match e {
            Expression::Identifier(id) => self.identifier(id),
            Expression::Integer(_) => basic(Basic::Int),
            Expression::Float(_) => basic(Basic::Float),
            Expression::Duration(_) => basic(Basic::Duration),
            Expression::DateTime(_) => basic(Basic::Time),
            Expression::Regex(_) => basic(Basic::Regexp),
            Expression::String(s) => {
                for p in &s.parts {
                    if let ast::StringPart::Interpolated(x) = p {
                        self.expr(x)?;
                    }
                }
                basic(Basic::String)
            }
            Expression::Array(a) => {
                for x in &a.elements {
                    self.expr(x)?;
                }
                Ok(Ty::Unknown)
            }
            Expression::Dict(d) => {
                for it in &d.elements {
                    self.expr(&it.key)?;
                    self.expr(&it.value)?;
                }
                Ok(Ty::Unknown)
            }
            Expression::Record(r) => {
                if let Some(w) = &r.with {
                    self.identifier(w)?;
                }
                for p in &r.properties {
                    self.property(p)?;
                }
                Ok(Ty::Unknown)
            }
            Expression::Function(f) => {
                self.stack.push(HashMap::new());
                let r = (|| {
                    for p in &f.params {
                        if let Some(d) = &p.default {
                            self.expr(d)?;
                        }
                        self.define(&p.key.name, Ty::Unknown);
                    }
                    match &f.body {
                        ast::FunctionBody::Expression(x) => self.expr(x).map(drop),
                        ast::FunctionBody::Block(b) => self.statements(&b.body),
                    }
                })();
                self.stack.pop();
                r?;
                Ok(Ty::Func(closure_sig(f)))
            }
            Expression::Call(c) => self.call(c, false),
            Expression::Pipe(p) => {
                self.expr(&p.argument)?;
                self.call(&p.call, true)
            }
            Expression::Member(m) => {
                self.expr(&m.object)?;
                Ok(Ty::Unknown)
            }
            Expression::Index(i) => {
                self.expr(&i.array)?;
                self.expr(&i.index)?;
                Ok(Ty::Unknown)
            }
            Expression::Unary(u) => self.unary(u),
            Expression::Binary(b) => self.binary(b),
            Expression::Logical(l) => {
                for side in [&l.left, &l.right] {
                    let t = self.expr(side)?;
                    self.expect(side.span(), Basic::Bool, &t)?;
                }
                basic(Basic::Bool)
            }
            Expression::Conditional(c) => {
                let t = self.expr(&c.test)?;
                self.expect(c.test.span(), Basic::Bool, &t)?;
                let a = self.expr(&c.consequent)?;
                let b = self.expr(&c.alternate)?;
                match (a.basic(), b.basic()) {
                    (Some(x), Some(y)) if x != y => {
                        Err(self.type_error(types::mismatch(c.alternate.span(), x, y)))
                    }
                    (Some(_), _) => Ok(a),
                    _ => Ok(b),
                }
            }
            Expression::Paren(p) => self.expr(&p.expression),
            _ => Ok(Ty::Unknown),
        }
    }

    /// `expected <want> but found <got>` when `got` is a known, different basic type.
    fn expect(&self, span: Span, want: Basic, got: &Ty) -> Result<()> {
        match got.basic() {
            Some(g) if g != want => Err(self.type_error(types::mismatch(span, want, g))),
            _ => Ok(()),
        }
    }

    fn constrain(&self, span: Span, ty: &Ty, kind: Kind) -> Result<()> {
        types::constrain(span, ty.basic(), kind).map_err(|e| self.type_error(e))
    }

    fn unary(&mut self, u: &ast::UnaryExpr) -> Result<Ty> {
        let t = self.expr(&u.argument)?;
        match u.operator {
            ast::UnaryOperator::Not => {
                self.expect(u.argument.span(), Basic::Bool, &t)?;
                Ok(Ty::Basic(Basic::Bool))
            }
            ast::UnaryOperator::Exists => Ok(Ty::Basic(Basic::Bool)),
            ast::UnaryOperator::Add | ast::UnaryOperator::Sub => {
                self.constrain(u.argument.span(), &t, Kind::Negatable)?;
                Ok(t)
            }
        }
    }

    fn binary(&mut self, b: &ast::BinaryExpr) -> Result<Ty> {
        use ast::BinaryOperator as B;
        let l = self.expr(&b.left)?;
        let r = self.expr(&b.right)?;
        let (ls, rs) = (b.left.span(), b.right.span());
        let arithmetic = |kind| -> Result<Ty> {
            if let (Some(x), Some(y)) = (l.basic(), r.basic()) {
                if x != y {
                    return Err(self.type_error(types::mismatch(rs, x, y)));
                }
            }
            let t = if l.basic().is_some() { &l } else { &r };
            self.constrain(b.span, t, kind)?;
            Ok(t.clone())
        };
        match b.operator {
            B::Add => arithmetic(Kind::Addable),
            B::Sub => arithmetic(Kind::Subtractable),
            B::Mul | B::Div | B::Mod | B::Pow => arithmetic(Kind::Divisible),
            B::Lt | B::Gt => {
                self.constrain(ls, &l, Kind::Comparable)?;
                self.constrain(rs, &r, Kind::Comparable)?;
                Ok(Ty::Basic(Basic::Bool))
            }
            B::Eq | B::NotEq => {
                self.constrain(ls, &l, Kind::Equatable)?;
                self.constrain(rs, &r, Kind::Equatable)?;
                Ok(Ty::Basic(Basic::Bool))
            }
            B::Lte | B::Gte => {
                for (span, t) in [(ls, &l), (rs, &r)] {
                    self.constrain(span, t, Kind::Equatable)?;
                    self.constrain(span, t, Kind::Comparable)?;
                }
                Ok(Ty::Basic(Basic::Bool))
            }
            B::RegexMatch | B::NotRegexMatch => {
                self.expect(ls, Basic::String, &l)?;
                self.expect(rs, Basic::Regexp, &r)?;
                Ok(Ty::Basic(Basic::Bool))
            }
        }
    }

    fn call(&mut self, c: &ast::CallExpr, piped: bool) -> Result<Ty> {
        let callee = self.expr(&c.callee)?;
        let mut args = Vec::with_capacity(c.arguments.len());
        for p in &c.arguments {
            args.push((p.key.name(), self.property(p)?, p));
        }
        match &callee {
            Ty::Func(sig) => {
                let named: Vec<Arg> = args
                    .iter()
                    .map(|(name, _, p)| Arg {
                        name,
                        span: p.value.as_ref().map_or(p.span, |v| v.span()),
                    })
                    .collect();
                types::check_call(sig, &named, piped, c.span).map_err(|e| self.type_error(e))?;
            }
            Ty::Basic(b) => {
                let tys: Vec<(&str, Ty)> = args.iter().map(|(n, t, _)| (*n, t.clone())).collect();
                let found = types::call_type(&tys, piped);
                let message = format!("expected {} but found {found}", b.name());
                return Err(self.located(c.span, &message));
            }
            Ty::Unknown => {}
        }
        Ok(match &c.callee {
            Expression::Identifier(id) if self.is_universe(&id.name) => {
                conversion_result(&id.name).map_or(Ty::Unknown, Ty::Basic)
            }
            _ => Ty::Unknown,
        })
    }
}

/// Checks that every identifier of `file` resolves (in `env`, the file, or the prelude)
/// and that it has none of the type errors this pass can see.
pub fn check(file: &ast::File, text: &str, env: &EnvRef) -> Result<()> {
    check_block(&file.body, text, env)
}

/// Checks a block (a whole file, or a testcase body) in the scope `env`.
pub fn check_block(body: &[Statement], text: &str, env: &EnvRef) -> Result<()> {
    let mut s = Scopes {
        env,
        stack: vec![HashMap::new()],
        text,
    };
    s.statements(body)
}

#[cfg(test)]
mod tests;
