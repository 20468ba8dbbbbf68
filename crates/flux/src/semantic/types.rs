//! The little the semantic pass knows about types before running: the basic type of
//! literals (and of variables bound to them), function parameter lists, and Flux's rules
//! for which operators each basic type supports. Anything else is `Unknown` and left to
//! run time; only a definite mismatch is reported, in the words of Flux's type checker.

use edgeflux_flux_syntax::ast::Span;

/// Flux's basic types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basic {
    Bool,
    Int,
    Uint,
    Float,
    String,
    Duration,
    Time,
    Regexp,
    Bytes,
}

/// The type constraints ("kinds") that operators put on their operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Addable,
    Subtractable,
    Divisible,
    Comparable,
    Equatable,
    Negatable,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Addable => "Addable",
            Kind::Subtractable => "Subtractable",
            Kind::Divisible => "Divisible",
            Kind::Comparable => "Comparable",
            Kind::Equatable => "Equatable",
            Kind::Negatable => "Negatable",
        }
    }
}

impl Basic {
    pub fn name(self) -> &'static str {
        match self {
            Basic::Bool => "bool",
            Basic::Int => "int",
            Basic::Uint => "uint",
            Basic::Float => "float",
            Basic::String => "string",
            Basic::Duration => "duration",
            Basic::Time => "time",
            Basic::Regexp => "regexp",
            Basic::Bytes => "bytes",
        }
    }

    /// Whether values of this type satisfy `kind` (Flux's table of builtin kinds).
    pub fn is(self, kind: Kind) -> bool {
        use Basic::*;
        use Kind::*;
        match self {
            Int | Uint | Float => true,
            String => matches!(kind, Addable | Comparable | Equatable),
            Duration => matches!(kind, Comparable | Equatable | Negatable),
            Time => matches!(kind, Comparable | Equatable),
            Bool | Bytes => kind == Equatable,
            Regexp => false,
        }
    }
}

/// A function's parameters: required, optional (with a default) and the pipe parameter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sig {
    pub required: Vec<String>,
    pub optional: Vec<String>,
    pub pipe: Option<String>,
}

/// What the pass knows statically about an expression.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Ty {
    #[default]
    Unknown,
    Basic(Basic),
    Func(Sig),
}

impl Ty {
    pub fn basic(&self) -> Option<Basic> {
        match self {
            Ty::Basic(b) => Some(*b),
            _ => None,
        }
    }
}

/// A type error at a position.
pub type TypeError = (Span, String);

/// `expected A but found B`.
pub fn mismatch(span: Span, expected: Basic, found: Basic) -> TypeError {
    (
        span,
        format!("expected {} but found {}", expected.name(), found.name()),
    )
}

/// `A is not Kind`, when `ty` is known and lacks the kind.
pub fn constrain(span: Span, ty: Option<Basic>, kind: Kind) -> Result<(), TypeError> {
    match ty {
        Some(b) if !b.is(kind) => Err((span, format!("{} is not {}", b.name(), kind.name()))),
        _ => Ok(()),
    }
}

/// One argument of a call: its name and the span of its value.
pub struct Arg<'a> {
    pub name: &'a str,
    pub span: Span,
}

/// Checks a call's argument names against the callee's parameters, reporting the first
/// problem the way Flux's unifier orders them: pipe, then unexpected arguments (by name),
/// then missing required ones (by name).
pub fn check_call(sig: &Sig, args: &[Arg], piped: bool, call: Span) -> Result<(), TypeError> {
    let mut required: Vec<&str> = sig.required.iter().map(String::as_str).collect();
    let mut given: Vec<(&str, Span)> = args.iter().map(|a| (a.name, a.span)).collect();
    match (&sig.pipe, piped) {
        (Some(p), true) => {
            required.push(p);
            given.push((p, call));
        }
        (Some(p), false) => required.push(p),
        (None, true) => return Err((call, "missing pipe argument".into())),
        (None, false) => {}
    }
    required.sort_unstable();
    given.sort_by(|a, b| a.0.cmp(b.0));
    let is_given = |name: &str| given.iter().any(|(g, _)| *g == name);
    for (name, span) in &given {
        if required.contains(name) || sig.optional.iter().any(|o| o == name) {
            continue;
        }
        let mut optional: Vec<&str> = sig.optional.iter().map(String::as_str).collect();
        optional.sort_unstable();
        let expected: Vec<&str> = required
            .iter()
            .chain(optional.iter())
            .copied()
            .filter(|k| !is_given(k))
            .collect();
        return Err((*span, unexpected_argument(name, &expected)));
    }
    match required.iter().find(|r| !is_given(r)) {
        Some(missing) => Err((call, format!("missing required argument {missing}"))),
        None => Ok(()),
    }
}

fn unexpected_argument(name: &str, expected: &[&str]) -> String {
    let mut m = format!("found unexpected argument {name}");
    if expected.is_empty() {
        return m;
    }
    m.push_str(" (Expected");
    if expected.len() > 1 {
        m.push_str(" one of");
    }
    for (i, e) in expected.iter().enumerate() {
        let sep = match i {
            0 => " ",
            _ if i + 1 == expected.len() => " or ",
            _ => ", ",
        };
        m.push_str(&format!("{sep}`{e}`"));
    }
    m.push(')');
    m
}

/// How Flux prints the function type a call expects of a non-function callee,
/// e.g. `(a: int, b: A) => B` (unknown types become fresh variables in order).
pub fn call_type(args: &[(&str, Ty)], piped: bool) -> String {
    let mut next = b'A';
    let mut var = || {
        let v = next as char;
        next = next.saturating_add(1);
        v.to_string()
    };
    let mut parts = Vec::new();
    if piped {
        parts.push(format!("<-: {}", var()));
    }
    let mut sorted: Vec<&(&str, Ty)> = args.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    for (name, ty) in sorted {
        let t = match ty.basic() {
            Some(b) => b.name().to_string(),
            None => var(),
        };
        parts.push(format!("{name}: {t}"));
    }
    format!("({}) => {}", parts.join(", "), var())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(req: &[&str], opt: &[&str], pipe: Option<&str>) -> Sig {
        Sig {
            required: req.iter().map(|s| s.to_string()).collect(),
            optional: opt.iter().map(|s| s.to_string()).collect(),
            pipe: pipe.map(String::from),
        }
    }

    fn call(s: &Sig, names: &[&str], piped: bool) -> Result<(), String> {
        let args: Vec<Arg> = names
            .iter()
            .map(|n| Arg {
                name: n,
                span: Span::default(),
            })
            .collect();
        check_call(s, &args, piped, Span::default()).map_err(|e| e.1)
    }

    #[test]
    fn argument_errors_read_like_flux() {
        let f = sig(&["a", "b"], &[], None);
        assert_eq!(
            call(&f, &["a", "c"], false).unwrap_err(),
            "found unexpected argument c (Expected `b`)"
        );
        assert_eq!(
            call(&f, &["a"], false).unwrap_err(),
            "missing required argument b"
        );
        let g = sig(&["a", "b", "c"], &[], None);
        assert_eq!(
            call(&g, &["d"], false).unwrap_err(),
            "found unexpected argument d (Expected one of `a`, `b` or `c`)"
        );
        let range = sig(&["start"], &["stop"], Some("tables"));
        assert!(call(&range, &["start"], true).is_ok());
        assert_eq!(
            call(&range, &["start"], false).unwrap_err(),
            "missing required argument tables"
        );
        assert_eq!(
            call(&range, &["start", "end"], true).unwrap_err(),
            "found unexpected argument end (Expected `stop`)"
        );
        assert_eq!(
            call(&f, &["a", "b"], true).unwrap_err(),
            "missing pipe argument"
        );
    }

    #[test]
    fn kinds_follow_flux() {
        assert!(Basic::String.is(Kind::Addable));
        assert!(!Basic::Duration.is(Kind::Addable));
        assert!(!Basic::Bool.is(Kind::Comparable));
        assert!(!Basic::Regexp.is(Kind::Equatable));
        assert_eq!(
            call_type(&[("a", Ty::Basic(Basic::Int)), ("b", Ty::Unknown)], false),
            "(a: int, b: A) => B"
        );
    }
}
