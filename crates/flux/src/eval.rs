//! The evaluator: a tree walk over the flux-syntax AST with immutable, shared environments.
//! Streams of tables are values; `from |> range |> filter` stays a pending scan until
//! something needs its tables, so the whole chain reaches the Source as one scan.

use std::collections::HashMap;
use std::sync::Arc;

use edgeflux_flux_syntax::ast::{self, Expression, Statement};
use edgeflux_flux_syntax::LineIndex;

use crate::csv::FluxResult;
use crate::error::{FluxError, Result};
use crate::limits::{Budget, QueryLimits};
use crate::source::{Predicate, ScanSpec, Source, WindowSpec};
use crate::table::Table;
use crate::time::{self, Duration};
use crate::value::{Record, Regex, Value};
use crate::QueryOptions;

/// An environment: a persistent linked list of bindings, shared by closures.
#[derive(Debug)]
pub struct Env {
    name: Arc<str>,
    value: Value,
    parent: Option<Arc<Env>>,
}

pub type EnvRef = Option<Arc<Env>>;

impl Env {
    pub(crate) fn name_is(&self, name: &str) -> bool {
        &*self.name == name
    }
    pub(crate) fn parent_ref(&self) -> &EnvRef {
        &self.parent
    }
    pub(crate) fn value_ref(&self) -> &Value {
        &self.value
    }
}

pub fn bind(env: &EnvRef, name: &str, value: Value) -> EnvRef {
    Some(Arc::new(Env {
        name: Arc::from(name),
        value,
        parent: env.clone(),
    }))
}

fn lookup<'a>(mut env: &'a EnvRef, name: &str) -> Option<&'a Value> {
    while let Some(e) = env {
        if &*e.name == name {
            return Some(&e.value);
        }
        env = &e.parent;
    }
    None
}

/// Signature of a builtin function.
pub type BuiltinFn = fn(&mut Interp, &mut Args) -> Result<Value>;

/// A callable value.
#[derive(Debug)]
pub enum Function {
    Closure {
        expr: Arc<ast::FunctionExpr>,
        env: EnvRef,
    },
    Builtin {
        name: &'static str,
        /// The name of the pipe parameter (`tables` for transformations).
        pipe: Option<&'static str>,
        f: BuiltinFn,
    },
}

impl Function {
    pub fn builtin(name: &'static str, pipe: Option<&'static str>, f: BuiltinFn) -> Value {
        Value::Function(Arc::new(Function::Builtin { name, pipe, f }))
    }
    /// Parameter names of a closure (used by functions that pass `r`, `accumulator`, ...).
    pub fn param_names(&self) -> Vec<String> {
        match self {
            Function::Closure { expr, .. } => {
                expr.params.iter().map(|p| p.key.name.clone()).collect()
            }
            Function::Builtin { .. } => Vec::new(),
        }
    }
}

/// A stream of tables, possibly still a pending scan.
#[derive(Debug, Clone)]
pub enum Stream {
    Tables(Vec<Table>),
    Scan(PendingScan),
}

/// `from()` possibly followed by `range()` and pushable `filter()`s.
#[derive(Debug, Clone)]
pub struct PendingScan {
    pub bucket: String,
    pub range: Option<(i64, i64)>,
    pub predicate: Option<Predicate>,
    /// A pending `group(columns: [tags...])` over the scan's series.
    pub group: Option<Vec<String>>,
}

/// Named arguments of a builtin call, plus the piped value under its parameter name.
pub struct Args {
    pub fname: &'static str,
    pub items: Vec<(String, Value)>,
}

impl Args {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.items
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
    pub fn take(&mut self, name: &str) -> Option<Value> {
        let i = self.items.iter().position(|(k, _)| k == name)?;
        let v = self.items.remove(i).1;
        if v.is_null() {
            None
        } else {
            Some(v)
        }
    }
    pub fn missing(&self, name: &str) -> FluxError {
        FluxError::invalid(format!("missing required argument {name}"))
    }
    fn wrong(&self, name: &str, want: &str, v: &Value) -> FluxError {
        FluxError::invalid(format!(
            "keyword argument \"{name}\" should be of type {want}, but got {}",
            v.type_name()
        ))
    }
    pub fn req(&self, name: &str) -> Result<&Value> {
        self.get(name).ok_or_else(|| self.missing(name))
    }
    pub fn string(&self, name: &str) -> Result<String> {
        match self.req(name)? {
            Value::String(s) => Ok(s.to_string()),
            v => Err(self.wrong(name, "string", v)),
        }
    }
    pub fn opt_string(&self, name: &str) -> Result<Option<String>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.to_string())),
            Some(v) => Err(self.wrong(name, "string", v)),
        }
    }
    pub fn string_or(&self, name: &str, d: &str) -> Result<String> {
        Ok(self.opt_string(name)?.unwrap_or_else(|| d.to_string()))
    }
    pub fn int(&self, name: &str) -> Result<i64> {
        match self.req(name)? {
            Value::Int(i) => Ok(*i),
            Value::UInt(u) => Ok(*u as i64),
            v => Err(self.wrong(name, "int", v)),
        }
    }
    pub fn int_or(&self, name: &str, d: i64) -> Result<i64> {
        if self.has(name) {
            self.int(name)
        } else {
            Ok(d)
        }
    }
    pub fn float(&self, name: &str) -> Result<f64> {
        match self.req(name)? {
            Value::Float(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            Value::UInt(u) => Ok(*u as f64),
            v => Err(self.wrong(name, "float", v)),
        }
    }
    pub fn bool_or(&self, name: &str, d: bool) -> Result<bool> {
        match self.get(name) {
            None => Ok(d),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(self.wrong(name, "bool", v)),
        }
    }
    pub fn duration(&self, name: &str) -> Result<Duration> {
        match self.req(name)? {
            Value::Duration(d) => Ok(*d),
            v => Err(self.wrong(name, "duration", v)),
        }
    }
    pub fn opt_duration(&self, name: &str) -> Result<Option<Duration>> {
        if self.has(name) {
            self.duration(name).map(Some)
        } else {
            Ok(None)
        }
    }
    pub fn strings(&self, name: &str) -> Result<Option<Vec<String>>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.to_string()),
                    v => Err(self.wrong(name, "[string]", v)),
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(v) => Err(self.wrong(name, "[string]", v)),
        }
    }
    pub fn func(&self, name: &str) -> Result<Arc<Function>> {
        match self.req(name)? {
            Value::Function(f) => Ok(f.clone()),
            v => Err(self.wrong(name, "function", v)),
        }
    }
}

/// Interpreter state for one program run.
pub struct Interp<'a> {
    pub source: &'a dyn Source,
    pub now: i64,
    pub options: QueryOptions,
    pub results: Vec<FluxResult>,
    /// Function literals, shared once per AST node so closures are cheap to create.
    fn_cache: HashMap<usize, Arc<ast::FunctionExpr>>,
    regex_cache: HashMap<usize, Arc<Regex>>,
    pub(crate) packages: HashMap<String, Value>,
    /// Option values set by the program (`option location = ...` etc.).
    pub option_values: HashMap<String, Value>,
    /// The bounds of the last `range()`, which `window(every: inf)` restores.
    pub range_bounds: Option<(i64, i64)>,
    /// Call depth guard: Flux has no recursion, but runaway programs should not crash us.
    depth: usize,
    /// The query's memory budget and the edge's interrupt (crate::limits).
    pub(crate) budget: Budget<'a>,
}

impl<'a> Interp<'a> {
    pub fn new(source: &'a dyn Source, options: &QueryOptions) -> Interp<'a> {
        Interp::with_limits(source, options, QueryLimits::default())
    }

    /// An interpreter whose run stays within `limits`.
    pub fn with_limits(
        source: &'a dyn Source,
        options: &QueryOptions,
        limits: QueryLimits<'a>,
    ) -> Interp<'a> {
        Interp {
            source,
            now: options.now_ns,
            options: options.clone(),
            results: Vec::new(),
            fn_cache: HashMap::new(),
            regex_cache: HashMap::new(),
            packages: HashMap::new(),
            option_values: HashMap::new(),
            range_bounds: None,
            depth: 0,
            budget: Budget::new(limits),
        }
    }

    /// The tables of a stream value, running a pending scan if needed.
    pub fn tables(&mut self, v: &Value, fname: &str) -> Result<Vec<Table>> {
        match v {
            Value::Stream(s) => match &**s {
                Stream::Tables(t) => Ok(t.clone()),
                Stream::Scan(p) => self.run_scan(p),
            },
            other => Err(FluxError::invalid(format!(
                "{fname}: expected a stream of tables, got {}",
                other.type_name()
            ))),
        }
    }

    /// Like [`Interp::tables`] but consumes the value, avoiding a copy when it is not shared.
    pub fn take_tables(&mut self, v: Value, fname: &str) -> Result<Vec<Table>> {
        match v {
            Value::Stream(s) => match Arc::try_unwrap(s) {
                Ok(Stream::Tables(t)) => Ok(t),
                Ok(Stream::Scan(p)) => self.run_scan(&p),
                Err(shared) => self.tables(&Value::Stream(shared), fname),
            },
            other => self.tables(&other, fname),
        }
    }

    pub fn run_scan(&mut self, p: &PendingScan) -> Result<Vec<Table>> {
        let Some((start, stop)) = p.range else {
            return Err(FluxError::invalid(format!(
                "cannot submit unbounded read to {:?}; try bounding 'from' with a call to 'range'",
                p.bucket
            )));
        };
        self.source
            .scan(&ScanSpec {
                bucket: p.bucket.clone(),
                start,
                stop,
                predicate: p.predicate.clone(),
            })
            .map_err(scan_error)
            .and_then(|t| self.admitted(t))
            .and_then(|t| match &p.group {
                Some(cols) => crate::stdlib::universe::regroup(t, cols, true),
                None => Ok(t),
            })
    }

    /// Tables a scan or a function just materialised, once they fit the query's budget.
    fn admitted(&self, tables: Vec<Table>) -> Result<Vec<Table>> {
        self.budget.admit(&tables)?;
        Ok(tables)
    }

    pub fn run_scan_selector(
        &mut self,
        p: &PendingScan,
        f: crate::source::WindowFn,
    ) -> Result<Option<Vec<Table>>> {
        let Some((start, stop)) = p.range else {
            return Ok(None);
        };
        self.source
            .scan_selector(
                &ScanSpec {
                    bucket: p.bucket.clone(),
                    start,
                    stop,
                    predicate: p.predicate.clone(),
                },
                f,
            )
            .map_err(scan_error)?
            .map(|t| self.admitted(t))
            .transpose()
    }

    pub fn run_scan_window(
        &mut self,
        p: &PendingScan,
        w: &WindowSpec,
    ) -> Result<Option<Vec<Table>>> {
        let Some((start, stop)) = p.range else {
            return Ok(None);
        };
        self.source
            .scan_window(
                &ScanSpec {
                    bucket: p.bucket.clone(),
                    start,
                    stop,
                    predicate: p.predicate.clone(),
                },
                w,
            )
            .map_err(scan_error)?
            .map(|t| self.admitted(t))
            .transpose()
    }

    // ------------------------------------------------------------------ calls

    /// Calls a function value with named arguments and an optional piped value.
    pub fn call(
        &mut self,
        f: &Function,
        args: Vec<(String, Value)>,
        pipe: Option<Value>,
    ) -> Result<Value> {
        self.budget.tick()?;
        self.depth += 1;
        if self.depth > 200 {
            self.depth -= 1;
            return Err(FluxError::invalid("maximum call depth exceeded"));
        }
        let r = self.call_inner(f, args, pipe);
        self.depth -= 1;
        r
    }

    fn call_inner(
        &mut self,
        f: &Function,
        args: Vec<(String, Value)>,
        pipe: Option<Value>,
    ) -> Result<Value> {
        match f {
            Function::Builtin {
                name,
                pipe: pname,
                f,
            } => {
                let mut a = Args {
                    fname: name,
                    items: args,
                };
                if let (Some(p), Some(v)) = (pname, pipe) {
                    if !a.items.iter().any(|(k, _)| k == p) {
                        a.items.push((p.to_string(), v));
                    }
                }
                let out = f(self, &mut a)?;
                if let Value::Stream(s) = &out {
                    if let Stream::Tables(t) = &**s {
                        self.budget.admit(t)?;
                    }
                }
                Ok(out)
            }
            Function::Closure { expr, env } => {
                let mut scope = env.clone();
                let mut args = args;
                for p in &expr.params {
                    let name = p.key.name.as_str();
                    let v = if let Some(i) = args.iter().position(|(k, _)| k == name) {
                        args.swap_remove(i).1
                    } else if p.is_pipe() {
                        match &pipe {
                            Some(v) => v.clone(),
                            None => {
                                return Err(FluxError::invalid(format!(
                                    "missing required argument {name}"
                                )))
                            }
                        }
                    } else if let Some(d) = &p.default {
                        self.eval(d, &scope)?
                    } else {
                        return Err(FluxError::invalid(format!(
                            "missing required argument {name}"
                        )));
                    };
                    scope = bind(&scope, name, v);
                }
                if let Some((k, _)) = args.first() {
                    return Err(FluxError::invalid(format!(
                        "function does not take a parameter \"{k}\""
                    )));
                }
                match &expr.body {
                    ast::FunctionBody::Expression(e) => self.eval(e, &scope),
                    ast::FunctionBody::Block(b) => {
                        let mut scope = scope;
                        for st in &b.body {
                            match st {
                                Statement::Variable(v) => {
                                    let val = self.eval(&v.init, &scope)?;
                                    scope = bind(&scope, &v.id.name, val);
                                }
                                Statement::Return(r) => return self.eval(&r.argument, &scope),
                                Statement::Expression(e) => {
                                    self.eval(&e.expression, &scope)?;
                                }
                                _ => {}
                            }
                        }
                        Ok(Value::Null)
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ expressions

    pub fn eval(&mut self, e: &Expression, env: &EnvRef) -> Result<Value> {
        match e {
            Expression::Identifier(id) => self.ident(&id.name, env),
            Expression::Integer(i) => Ok(Value::Int(i.value)),
            Expression::Float(f) => Ok(Value::Float(f.value)),
            Expression::String(s) => {
                let mut out = String::new();
                for p in &s.parts {
                    match p {
                        ast::StringPart::Text(t) => out.push_str(t),
                        ast::StringPart::Interpolated(x) => {
                            let v = self.eval(x, env)?;
                            match v {
                                Value::String(s) => out.push_str(&s),
                                Value::Null => {}
                                Value::Time(t) => out.push_str(&time::rfc3339_nano9(t)),
                                Value::Array(_)
                                | Value::Record(_)
                                | Value::Dict(_)
                                | Value::Function(_)
                                | Value::Stream(_)
                                | Value::Bytes(_)
                                | Value::Regex(_) => {
                                    return Err(FluxError::invalid(format!(
                                        "expected string value in interpolation, got {}",
                                        v.type_name()
                                    )))
                                }
                                other => out.push_str(&other.to_string()),
                            }
                        }
                    }
                }
                Ok(Value::String(Arc::from(out)))
            }
            Expression::Regex(r) => {
                let key = r as *const _ as usize;
                if let Some(re) = self.regex_cache.get(&key) {
                    return Ok(Value::Regex(re.clone()));
                }
                let re = Arc::new(Regex::new(&r.value).map_err(FluxError::invalid)?);
                self.regex_cache.insert(key, re.clone());
                Ok(Value::Regex(re))
            }
            Expression::Duration(d) => {
                let mut out = Duration::default();
                for part in &d.values {
                    match part.unit.nanos() {
                        Some(n) => {
                            out.nanos = out.nanos.saturating_add(part.magnitude.saturating_mul(n))
                        }
                        None => {
                            let m = if part.unit == ast::DurationUnit::Year {
                                12
                            } else {
                                1
                            };
                            out.months =
                                out.months.saturating_add(part.magnitude.saturating_mul(m));
                        }
                    }
                }
                Ok(Value::Duration(out))
            }
            Expression::DateTime(d) => Ok(Value::Time(d.nanos)),
            Expression::PipeLit(_) => Err(FluxError::invalid(
                "pipe literal outside a parameter default",
            )),
            Expression::Label(l) => Ok(Value::str(&l.value)),
            Expression::Array(a) => {
                let mut out = Vec::with_capacity(a.elements.len());
                for x in &a.elements {
                    out.push(self.eval(x, env)?);
                }
                Ok(Value::Array(Arc::new(out)))
            }
            Expression::Dict(d) => {
                let mut out = Vec::with_capacity(d.elements.len());
                for it in &d.elements {
                    let k = self.eval(&it.key, env)?;
                    let v = self.eval(&it.value, env)?;
                    out.push((k, v));
                }
                Ok(Value::Dict(Arc::new(out)))
            }
            Expression::Record(r) => {
                let mut rec = match &r.with {
                    Some(w) => match self.ident(&w.name, env)? {
                        Value::Record(base) => (*base).clone(),
                        other => {
                            return Err(FluxError::invalid(format!(
                                "cannot extend a value of type {} with properties",
                                other.type_name()
                            )))
                        }
                    },
                    None => Record::default(),
                };
                for p in &r.properties {
                    let v = match &p.value {
                        Some(x) => self.eval(x, env)?,
                        None => self.ident(p.key.name(), env)?,
                    };
                    rec.set(p.key.name(), v);
                }
                Ok(Value::Record(Arc::new(rec)))
            }
            Expression::Function(f) => {
                let key = &**f as *const ast::FunctionExpr as usize;
                let expr = self
                    .fn_cache
                    .entry(key)
                    .or_insert_with(|| Arc::new((**f).clone()))
                    .clone();
                Ok(Value::Function(Arc::new(Function::Closure {
                    expr,
                    env: env.clone(),
                })))
            }
            Expression::Call(c) => self.eval_call(c, None, env),
            Expression::Pipe(p) => {
                let arg = self.eval(&p.argument, env)?;
                self.eval_call(&p.call, Some(arg), env)
            }
            Expression::Member(m) => {
                let obj = self.eval(&m.object, env)?;
                member(&obj, m.property.name())
            }
            Expression::Index(ix) => {
                let a = self.eval(&ix.array, env)?;
                let i = self.eval(&ix.index, env)?;
                match (&a, &i) {
                    (Value::Array(arr), Value::Int(i)) => {
                        if *i < 0 || *i as usize >= arr.len() {
                            Err(FluxError::invalid(format!(
                                "cannot access element {i} of array of length {}",
                                arr.len()
                            )))
                        } else {
                            Ok(arr[*i as usize].clone())
                        }
                    }
                    (Value::Record(_), Value::String(s)) => member(&a, s),
                    _ => Err(FluxError::invalid(format!(
                        "cannot index into a value of type {}",
                        a.type_name()
                    ))),
                }
            }
            Expression::Unary(u) => {
                let v = self.eval(&u.argument, env)?;
                match u.operator {
                    ast::UnaryOperator::Exists => Ok(Value::Bool(!v.is_null())),
                    ast::UnaryOperator::Not => match v {
                        Value::Bool(b) => Ok(Value::Bool(!b)),
                        Value::Null => Ok(Value::Null),
                        other => Err(FluxError::invalid(format!(
                            "operator \"not\" not defined on {}",
                            other.type_name()
                        ))),
                    },
                    ast::UnaryOperator::Sub => match v {
                        Value::Int(i) => Ok(Value::Int(i.wrapping_neg())),
                        Value::Float(f) => Ok(Value::Float(-f)),
                        Value::Duration(d) => Ok(Value::Duration(d.negated())),
                        Value::Null => Ok(Value::Null),
                        other => Err(FluxError::invalid(format!(
                            "operator \"-\" not defined on {}",
                            other.type_name()
                        ))),
                    },
                    ast::UnaryOperator::Add => Ok(v),
                }
            }
            Expression::Binary(b) => {
                let l = self.eval(&b.left, env)?;
                let r = self.eval(&b.right, env)?;
                binary(b.operator, &l, &r)
            }
            Expression::Logical(l) => {
                let left = self.eval(&l.left, env)?;
                let lb = truthy(&left, l.operator.as_str())?;
                match (l.operator, lb) {
                    (ast::LogicalOperator::And, Some(false)) => Ok(Value::Bool(false)),
                    (ast::LogicalOperator::Or, Some(true)) => Ok(Value::Bool(true)),
                    _ => {
                        let right = self.eval(&l.right, env)?;
                        let rb = truthy(&right, l.operator.as_str())?;
                        Ok(match (l.operator, lb, rb) {
                            (ast::LogicalOperator::And, Some(true), Some(x)) => Value::Bool(x),
                            (ast::LogicalOperator::And, _, Some(false)) => Value::Bool(false),
                            (ast::LogicalOperator::Or, _, Some(true)) => Value::Bool(true),
                            (ast::LogicalOperator::Or, Some(false), Some(false)) => {
                                Value::Bool(false)
                            }
                            _ => Value::Null,
                        })
                    }
                }
            }
            Expression::Conditional(c) => {
                let t = self.eval(&c.test, env)?;
                if truthy(&t, "if")? == Some(true) {
                    self.eval(&c.consequent, env)
                } else {
                    self.eval(&c.alternate, env)
                }
            }
            Expression::Paren(p) => self.eval(&p.expression, env),
            Expression::Bad(_) => Err(FluxError::invalid("invalid expression")),
        }
    }

    fn ident(&mut self, name: &str, env: &EnvRef) -> Result<Value> {
        if let Some(v) = lookup(env, name) {
            return Ok(v.clone());
        }
        if let Some(v) = crate::stdlib::universe(name) {
            return Ok(v);
        }
        Err(FluxError::invalid(format!("undefined identifier {name:?}")))
    }

    fn eval_call(&mut self, c: &ast::CallExpr, pipe: Option<Value>, env: &EnvRef) -> Result<Value> {
        let callee = self.eval(&c.callee, env)?;
        if let (Value::Null, Expression::Member(m)) = (&callee, &c.callee) {
            if let Expression::Identifier(pkg) = &m.object {
                return Err(FluxError::Unimplemented(format!(
                    "function \"{}.{}\" is not implemented",
                    pkg.name,
                    m.property.name()
                )));
            }
        }
        let Value::Function(f) = &callee else {
            return Err(FluxError::invalid(format!(
                "cannot call a value of type {}",
                callee.type_name()
            )));
        };
        let mut args = Vec::with_capacity(c.arguments.len());
        for p in &c.arguments {
            let v = match &p.value {
                Some(x) => self.eval(x, env)?,
                None => self.ident(p.key.name(), env)?,
            };
            args.push((p.key.name().to_string(), v));
        }
        let fname = match &c.callee {
            Expression::Identifier(i) => i.name.clone(),
            Expression::Member(m) => m.property.name().to_string(),
            _ => String::from("function"),
        };
        self.call(f, args, pipe).map_err(|e| {
            // A cancellation is the edge's reason, not this function's failure.
            if matches!(e, FluxError::Canceled(_))
                || e.message().starts_with("error calling function")
                || e.message().starts_with("runtime error")
            {
                e
            } else {
                e.context(&format!("error calling function {fname:?}"))
            }
        })
    }
}

/// Unknown buckets read as InfluxDB words them.
fn scan_error(e: FluxError) -> FluxError {
    match e {
        FluxError::NotFound(m) if !m.starts_with("failed to initialize") => {
            FluxError::NotFound(format!("failed to initialize execute state: {m}"))
        }
        other => other,
    }
}

/// Looks a property up on a record (missing → null), including packages.
pub fn member(obj: &Value, name: &str) -> Result<Value> {
    match obj {
        Value::Record(r) => Ok(r.get(name).cloned().unwrap_or(Value::Null)),
        Value::Null => Ok(Value::Null),
        other => Err(FluxError::invalid(format!(
            "cannot access property {name:?} of a value of type {}",
            other.type_name()
        ))),
    }
}

/// `Some(bool)` for a boolean, `None` for null, an error for anything else.
pub fn truthy(v: &Value, op: &str) -> Result<Option<bool>> {
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Null => Ok(None),
        other => Err(FluxError::invalid(format!(
            "operator \"{op}\" expects bool operands, got {}",
            other.type_name()
        ))),
    }
}

/// Binary operators on values.
pub fn binary(op: ast::BinaryOperator, l: &Value, r: &Value) -> Result<Value> {
    use ast::BinaryOperator as B;
    let undefined = || {
        FluxError::invalid(format!(
            "operator \"{}\" is not defined on {} and {}",
            op.as_str(),
            l.type_name(),
            r.type_name()
        ))
    };
    match op {
        B::Eq | B::NotEq => {
            if l.is_null() || r.is_null() {
                return Ok(Value::Null);
            }
            let eq = l.flux_eq(r).unwrap_or(false);
            Ok(Value::Bool(if op == B::Eq { eq } else { !eq }))
        }
        B::Lt | B::Lte | B::Gt | B::Gte => {
            if l.is_null() || r.is_null() {
                return Ok(Value::Null);
            }
            let Some(o) = l.compare(r) else {
                if let (Value::Float(a), Value::Float(b)) = (l, r) {
                    if a.is_nan() || b.is_nan() {
                        return Ok(Value::Bool(false));
                    }
                }
                return Err(undefined());
            };
            use std::cmp::Ordering::*;
            Ok(Value::Bool(match op {
                B::Lt => o == Less,
                B::Lte => o != Greater,
                B::Gt => o == Greater,
                _ => o != Less,
            }))
        }
        B::RegexMatch | B::NotRegexMatch => match (l, r) {
            (Value::String(s), Value::Regex(re)) => {
                let m = re.is_match(s);
                Ok(Value::Bool(if op == B::RegexMatch { m } else { !m }))
            }
            (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
            _ => Err(undefined()),
        },
        _ => {
            if l.is_null() || r.is_null() {
                return Ok(Value::Null);
            }
            arith(op, l, r).ok_or_else(undefined)?
        }
    }
}

fn arith(op: ast::BinaryOperator, l: &Value, r: &Value) -> Option<Result<Value>> {
    use ast::BinaryOperator as B;
    let divzero = || Err(FluxError::invalid("cannot divide by zero"));
    Some(match (l, r) {
        (Value::Int(a), Value::Int(b)) => {
            let (a, b) = (*a, *b);
            Ok(Value::Int(match op {
                B::Add => a.wrapping_add(b),
                B::Sub => a.wrapping_sub(b),
                B::Mul => a.wrapping_mul(b),
                B::Div => {
                    if b == 0 {
                        return Some(divzero());
                    }
                    a.wrapping_div(b)
                }
                B::Mod => {
                    if b == 0 {
                        return Some(divzero());
                    }
                    a.wrapping_rem(b)
                }
                B::Pow => return Some(Ok(Value::Float((a as f64).powf(b as f64)))),
                _ => return None,
            }))
        }
        (Value::UInt(a), Value::UInt(b)) => {
            let (a, b) = (*a, *b);
            Ok(Value::UInt(match op {
                B::Add => a.wrapping_add(b),
                B::Sub => a.wrapping_sub(b),
                B::Mul => a.wrapping_mul(b),
                B::Div => {
                    if b == 0 {
                        return Some(divzero());
                    }
                    a / b
                }
                B::Mod => {
                    if b == 0 {
                        return Some(divzero());
                    }
                    a % b
                }
                B::Pow => return Some(Ok(Value::Float((a as f64).powf(b as f64)))),
                _ => return None,
            }))
        }
        (Value::Float(_), Value::Float(_) | Value::Int(_) | Value::UInt(_))
        | (Value::Int(_) | Value::UInt(_), Value::Float(_)) => {
            let a = num(l)?;
            let b = num(r)?;
            Ok(Value::Float(match op {
                B::Add => a + b,
                B::Sub => a - b,
                B::Mul => a * b,
                B::Div => a / b,
                B::Mod => a % b,
                B::Pow => a.powf(b),
                _ => return None,
            }))
        }
        (Value::String(a), Value::String(b)) if op == B::Add => {
            let mut s = String::with_capacity(a.len() + b.len());
            s.push_str(a);
            s.push_str(b);
            Ok(Value::String(Arc::from(s)))
        }
        (Value::Duration(a), Value::Duration(b)) => match op {
            B::Add => Ok(Value::Duration(Duration {
                months: a.months + b.months,
                nanos: a.nanos.saturating_add(b.nanos),
            })),
            B::Sub => Ok(Value::Duration(Duration {
                months: a.months - b.months,
                nanos: a.nanos.saturating_sub(b.nanos),
            })),
            _ => return None,
        },
        (Value::Time(t), Value::Duration(d)) => match op {
            B::Add => Ok(Value::Time(time::add_duration(*t, *d))),
            B::Sub => Ok(Value::Time(time::add_duration(*t, d.negated()))),
            _ => return None,
        },
        _ => return None,
    })
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Float(f) => Some(*f),
        Value::Int(i) => Some(*i as f64),
        Value::UInt(u) => Some(*u as f64),
        _ => None,
    }
}

// ---------------------------------------------------------------------- programs

/// A parsed program plus the interpreter's view of its top-level scope.
pub struct Program {
    pub file: ast::File,
}

fn compile_error(text: &str, span: ast::Span, message: &str) -> FluxError {
    let idx = LineIndex::new(text);
    let a = idx.position(span.start);
    let b = idx.position(span.end);
    FluxError::Invalid(format!(
        "compilation failed: error at @{}:{}-{}:{}: {message}",
        a.line, a.column, b.line, b.column
    ))
}

/// Parses Flux text; parse errors become `compilation failed: error at @l:c-l:c: ...`.
pub fn parse(text: &str) -> Result<ast::File> {
    let parsed = edgeflux_flux_syntax::parse(text);
    if let Some(d) = parsed.diagnostics.first() {
        return Err(compile_error(text, d.span, &d.message));
    }
    Ok(parsed.file)
}

/// Runs the imports and top-level statements of `file` (not its testcases) in `env`;
/// stream-valued expression statements are yielded as `_result` unless they end in `yield`.
pub fn exec_file(
    interp: &mut Interp,
    file: &ast::File,
    text: &str,
    mut env: EnvRef,
) -> Result<EnvRef> {
    for imp in &file.imports {
        let path = imp.path.value.as_str();
        let Some(pkg) = crate::stdlib::package(path) else {
            return Err(compile_error(
                text,
                imp.path.span,
                &format!("unknown import path: \"{path}\""),
            ));
        };
        let name = match &imp.alias {
            Some(a) => a.name.clone(),
            None => path.rsplit('/').next().unwrap_or(path).to_string(),
        };
        interp.packages.insert(name.clone(), pkg.clone());
        env = bind(&env, &name, pkg);
    }
    crate::semantic::check(file, text, &env)?;
    exec_statements(interp, &file.body, text, env)
}

pub fn exec_statements(
    interp: &mut Interp,
    body: &[Statement],
    text: &str,
    mut env: EnvRef,
) -> Result<EnvRef> {
    for st in body {
        match st {
            Statement::Variable(v) => {
                let val = interp.eval(&v.init, &env)?;
                env = bind(&env, &v.id.name, val);
            }
            Statement::Option(o) => {
                let val = interp.eval(&o.init, &env)?;
                let name = match &o.namespace {
                    Some(ns) => format!("{}.{}", ns.name, o.id.name),
                    None => o.id.name.clone(),
                };
                if name == "now" {
                    if let Value::Function(f) = &val {
                        if let Value::Time(t) = interp.call(f, Vec::new(), None)? {
                            interp.now = t;
                        }
                    }
                }
                if let Some(ns) = &o.namespace {
                    // `option pkg.x = v`: replace the member in the package value
                    if let Some(Value::Record(pkg)) = lookup(&env, &ns.name).cloned() {
                        let mut p = (*pkg).clone();
                        p.set(&o.id.name, val.clone());
                        env = bind(&env, &ns.name, Value::Record(Arc::new(p)));
                    }
                } else {
                    env = bind(&env, &o.id.name, val.clone());
                }
                interp.option_values.insert(name, val);
            }
            Statement::Expression(e) => {
                let v = interp.eval(&e.expression, &env)?;
                if matches!(v, Value::Stream(_)) && !ends_in_yield(&e.expression) {
                    let tables = interp.tables(&v, "yield")?;
                    add_result(interp, "_result", tables)?;
                }
            }
            Statement::Return(r) => {
                return Err(compile_error(
                    text,
                    r.span,
                    "return statement outside of a function",
                ));
            }
            Statement::Bad(b) => return Err(compile_error(text, b.span, "invalid statement")),
            Statement::Builtin(_) | Statement::Testcase(_) => {}
        }
    }
    Ok(env)
}

fn ends_in_yield(e: &Expression) -> bool {
    match e {
        Expression::Pipe(p) => {
            matches!(&p.call.callee, Expression::Identifier(i) if i.name == "yield")
        }
        Expression::Call(c) => matches!(&c.callee, Expression::Identifier(i) if i.name == "yield"),
        _ => false,
    }
}

pub fn add_result(interp: &mut Interp, name: &str, tables: Vec<Table>) -> Result<()> {
    interp.budget.hold(&tables)?;
    if let Some(r) = interp.results.iter_mut().find(|r| r.name == name) {
        r.tables.extend(tables);
    } else {
        interp.results.push(FluxResult {
            name: name.to_string(),
            tables,
        });
    }
    Ok(())
}

/// The top-level environment with the query's prelude (`extern`) evaluated.
pub fn prelude_env(interp: &mut Interp) -> Result<EnvRef> {
    let mut env: EnvRef = None;
    if let Some(pre) = interp.options.prelude.clone() {
        let file = parse(&pre)?;
        env = exec_file(interp, &file, &pre, env)?;
    }
    Ok(env)
}

pub fn run_program(
    text: &str,
    options: &QueryOptions,
    source: &dyn Source,
    limits: QueryLimits<'_>,
) -> Result<Vec<FluxResult>> {
    let file = parse(text)?;
    let mut interp = Interp::with_limits(source, options, limits);
    let env = prelude_env(&mut interp)?;
    exec_file(&mut interp, &file, text, env)?;
    Ok(std::mem::take(&mut interp.results))
}
