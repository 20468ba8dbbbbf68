//! The semantic pass: resolves every identifier before anything runs, so a typo is reported
//! as `undefined identifier "x"` at its position, the way Flux's compiler does.

use std::collections::HashSet;

use edgeflux_flux_syntax::ast::{self, Expression, Statement};

use crate::error::Result;
use crate::eval::EnvRef;

struct Scopes<'a> {
    env: &'a EnvRef,
    stack: Vec<HashSet<String>>,
    text: &'a str,
}

impl Scopes<'_> {
    fn defined(&self, name: &str) -> bool {
        if self.stack.iter().rev().any(|s| s.contains(name)) {
            return true;
        }
        let mut e = self.env;
        while let Some(x) = e {
            if x.name_is(name) {
                return true;
            }
            e = x.parent_ref();
        }
        crate::stdlib::universe_has(name)
    }
    fn define(&mut self, name: &str) {
        if let Some(top) = self.stack.last_mut() {
            top.insert(name.to_string());
        }
    }
    fn undefined(&self, id: &ast::Identifier) -> crate::FluxError {
        let idx = edgeflux_flux_syntax::LineIndex::new(self.text);
        let a = idx.position(id.span.start);
        let b = idx.position(id.span.end);
        crate::FluxError::Invalid(format!(
            "compilation failed: error at @{}:{}-{}:{}: undefined identifier {:?}",
            a.line, a.column, b.line, b.column, id.name
        ))
    }

    fn statements(&mut self, body: &[Statement]) -> Result<()> {
        for st in body {
            match st {
                Statement::Variable(v) => {
                    self.expr(&v.init)?;
                    self.define(&v.id.name);
                }
                Statement::Option(o) => {
                    self.expr(&o.init)?;
                    if o.namespace.is_none() {
                        self.define(&o.id.name);
                    }
                }
                Statement::Return(r) => self.expr(&r.argument)?,
                Statement::Expression(e) => self.expr(&e.expression)?,
                Statement::Builtin(b) => self.define(&b.id.name),
                // Testcases are checked one by one when they run.
                Statement::Testcase(_) => {}
                Statement::Bad(_) => {}
            }
        }
        Ok(())
    }

    fn expr(&mut self, e: &Expression) -> Result<()> {
        match e {
            Expression::Identifier(id) if !self.defined(&id.name) => {
                return Err(self.undefined(id));
            }
            Expression::String(s) => {
                for p in &s.parts {
                    if let ast::StringPart::Interpolated(x) = p {
                        self.expr(x)?;
                    }
                }
            }
            Expression::Array(a) => {
                for x in &a.elements {
                    self.expr(x)?;
                }
            }
            Expression::Dict(d) => {
                for it in &d.elements {
                    self.expr(&it.key)?;
                    self.expr(&it.value)?;
                }
            }
            Expression::Record(r) => {
                if let Some(w) = &r.with {
                    if !self.defined(&w.name) {
                        return Err(self.undefined(w));
                    }
                }
                for p in &r.properties {
                    match &p.value {
                        Some(x) => self.expr(x)?,
                        None => {
                            if let ast::PropertyKey::Identifier(id) = &p.key {
                                if !self.defined(&id.name) {
                                    return Err(self.undefined(id));
                                }
                            }
                        }
                    }
                }
            }
            Expression::Function(f) => {
                self.stack.push(HashSet::new());
                let r = (|| {
                    for p in &f.params {
                        if let Some(d) = &p.default {
                            self.expr(d)?;
                        }
                        self.define(&p.key.name);
                    }
                    match &f.body {
                        ast::FunctionBody::Expression(x) => self.expr(x),
                        ast::FunctionBody::Block(b) => self.statements(&b.body),
                    }
                })();
                self.stack.pop();
                r?;
            }
            Expression::Call(c) => self.call(c)?,
            Expression::Pipe(p) => {
                self.expr(&p.argument)?;
                self.call(&p.call)?;
            }
            Expression::Member(m) => self.expr(&m.object)?,
            Expression::Index(i) => {
                self.expr(&i.array)?;
                self.expr(&i.index)?;
            }
            Expression::Unary(u) => self.expr(&u.argument)?,
            Expression::Binary(b) => {
                self.expr(&b.left)?;
                self.expr(&b.right)?;
            }
            Expression::Logical(l) => {
                self.expr(&l.left)?;
                self.expr(&l.right)?;
            }
            Expression::Conditional(c) => {
                self.expr(&c.test)?;
                self.expr(&c.consequent)?;
                self.expr(&c.alternate)?;
            }
            Expression::Paren(p) => self.expr(&p.expression)?,
            _ => {}
        }
        Ok(())
    }

    fn call(&mut self, c: &ast::CallExpr) -> Result<()> {
        self.expr(&c.callee)?;
        for p in &c.arguments {
            match &p.value {
                Some(x) => self.expr(x)?,
                None => {
                    if let ast::PropertyKey::Identifier(id) = &p.key {
                        if !self.defined(&id.name) {
                            return Err(self.undefined(id));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Checks that every identifier of `file` resolves (in `env`, the file, or the prelude).
pub fn check(file: &ast::File, text: &str, env: &EnvRef) -> Result<()> {
    let mut s = Scopes {
        env,
        stack: vec![HashSet::new()],
        text,
    };
    s.statements(&file.body)
}

/// Checks a block (a testcase body) in the scope `env`.
pub fn check_block(body: &[Statement], text: &str, env: &EnvRef) -> Result<()> {
    let mut s = Scopes {
        env,
        stack: vec![HashSet::new()],
        text,
    };
    s.statements(body)
}
