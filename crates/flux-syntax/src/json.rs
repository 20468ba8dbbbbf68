//! The AST as JSON (`edgeflux parse FILE --json`), hand-written to keep the crate free of
//! serde. Node objects carry `"type"` with libflux's node names and, unless disabled,
//! `"span": [start, end]` (byte offsets). With spans disabled the output compares ASTs
//! "modulo spans" (used by the formatter round-trip tests).

use crate::ast::*;
use crate::Diagnostic;

pub struct JsonOptions {
    /// Include `"span": [start, end]` on every node.
    pub spans: bool,
    /// Indented output with every field; compact output (`false`) leaves out `null` fields and
    /// empty lists to keep the hand-off to JavaScript small.
    pub pretty: bool,
}

impl Default for JsonOptions {
    fn default() -> Self {
        JsonOptions {
            spans: true,
            pretty: true,
        }
    }
}

/// The file as JSON.
pub fn to_json(file: &File, options: &JsonOptions) -> String {
    let v = file_value(file);
    let mut out = String::new();
    write_value(&v, options, 0, &mut out);
    out
}

/// Diagnostics as a JSON array of `{message, line, column, end_line, end_column, span, found, expected}`.
pub fn diagnostics_to_json(source: &str, diags: &[Diagnostic]) -> String {
    let index = crate::LineIndex::new(source);
    let items = diags
        .iter()
        .map(|d| {
            let a = index.position(d.span.start);
            let b = index.position(d.span.end);
            J::Obj(vec![
                ("message", J::Str(d.message.clone())),
                ("error", J::Str(d.render(&index))),
                ("line", J::Num(a.line as i64)),
                ("column", J::Num(a.column as i64)),
                ("end_line", J::Num(b.line as i64)),
                ("end_column", J::Num(b.column as i64)),
                ("span", J::Span(d.span)),
                ("found", d.found.clone().map(J::Str).unwrap_or(J::Null)),
                (
                    "expected",
                    J::Arr(d.expected.iter().cloned().map(J::Str).collect()),
                ),
            ])
        })
        .collect();
    let mut out = String::new();
    write_value(
        &J::Arr(items),
        &JsonOptions {
            spans: true,
            pretty: true,
        },
        0,
        &mut out,
    );
    out
}

enum J {
    Null,
    Static(&'static str),
    Num(i64),
    Float(f64),
    Str(String),
    Span(Span),
    Arr(Vec<J>),
    Obj(Vec<(&'static str, J)>),
}

/// Writes `s` as a JSON string literal (quotes and escapes included).
pub fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn nl(o: &JsonOptions, depth: usize, out: &mut String) {
    if o.pretty {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
}

fn write_value(v: &J, o: &JsonOptions, depth: usize, out: &mut String) {
    match v {
        J::Null => out.push_str("null"),
        J::Num(n) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{n}");
        }
        J::Float(f) => {
            if f.is_finite() {
                let s = format!("{f:?}");
                out.push_str(&s);
            } else {
                out.push_str("null");
            }
        }
        J::Str(s) => write_str(s, out),
        J::Static(s) => write_str(s, out),
        J::Span(s) => {
            use std::fmt::Write as _;
            let _ = if o.pretty {
                write!(out, "[{}, {}]", s.start, s.end)
            } else {
                write!(out, "[{},{}]", s.start, s.end)
            };
        }
        J::Arr(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(o, depth + 1, out);
                write_value(it, o, depth + 1, out);
            }
            nl(o, depth, out);
            out.push(']');
        }
        J::Obj(fields) => {
            out.push('{');
            let mut first = true;
            for (k, v) in fields {
                if !o.spans && matches!(v, J::Span(_)) {
                    continue;
                }
                // compact output leaves out empty lists and absent optional fields
                if !o.pretty && (matches!(v, J::Null) || matches!(v, J::Arr(a) if a.is_empty())) {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                nl(o, depth + 1, out);
                write_str(k, out);
                out.push_str(if o.pretty { ": " } else { ":" });
                write_value(v, o, depth + 1, out);
            }
            nl(o, depth, out);
            out.push('}');
        }
    }
}

fn node(ty: &'static str, span: Span, mut fields: Vec<(&'static str, J)>) -> J {
    let mut v = vec![("type", J::Static(ty)), ("span", J::Span(span))];
    v.append(&mut fields);
    J::Obj(v)
}

fn opt<T>(x: &Option<T>, f: impl Fn(&T) -> J) -> J {
    match x {
        Some(x) => f(x),
        None => J::Null,
    }
}

fn ident(i: &Identifier) -> J {
    node("Identifier", i.span, vec![("name", J::Str(i.name.clone()))])
}

fn string_lit(s: &StringLit) -> J {
    node(
        "StringLiteral",
        s.span,
        vec![("value", J::Str(s.value.clone()))],
    )
}

fn attrs(a: &[Attribute]) -> J {
    J::Arr(
        a.iter()
            .map(|a| {
                node(
                    "Attribute",
                    a.span,
                    vec![
                        ("name", ident(&a.name)),
                        ("params", J::Arr(a.params.iter().map(expr).collect())),
                    ],
                )
            })
            .collect(),
    )
}

fn file_value(f: &File) -> J {
    node(
        "File",
        f.span,
        vec![
            (
                "package",
                opt(&f.package, |p| {
                    node(
                        "PackageClause",
                        p.span,
                        vec![
                            ("attributes", attrs(&p.attributes)),
                            ("name", ident(&p.name)),
                        ],
                    )
                }),
            ),
            (
                "imports",
                J::Arr(
                    f.imports
                        .iter()
                        .map(|i| {
                            node(
                                "ImportDeclaration",
                                i.span,
                                vec![
                                    ("attributes", attrs(&i.attributes)),
                                    ("as", opt(&i.alias, ident)),
                                    ("path", string_lit(&i.path)),
                                ],
                            )
                        })
                        .collect(),
                ),
            ),
            ("body", J::Arr(f.body.iter().map(statement).collect())),
            (
                "comments",
                J::Arr(
                    f.comments
                        .iter()
                        .map(|c| node("Comment", c.span, vec![("text", J::Str(c.text.clone()))]))
                        .collect(),
                ),
            ),
        ],
    )
}

fn block(b: &Block) -> J {
    node(
        "Block",
        b.span,
        vec![("body", J::Arr(b.body.iter().map(statement).collect()))],
    )
}

fn statement(s: &Statement) -> J {
    match s {
        Statement::Variable(v) => node(
            "VariableAssignment",
            v.span,
            vec![
                ("attributes", attrs(&v.attributes)),
                ("id", ident(&v.id)),
                ("init", expr(&v.init)),
            ],
        ),
        Statement::Option(o) => node(
            "OptionStatement",
            o.span,
            vec![
                ("attributes", attrs(&o.attributes)),
                ("namespace", opt(&o.namespace, ident)),
                ("id", ident(&o.id)),
                ("init", expr(&o.init)),
            ],
        ),
        Statement::Builtin(b) => node(
            "BuiltinStatement",
            b.span,
            vec![
                ("attributes", attrs(&b.attributes)),
                ("id", ident(&b.id)),
                ("ty", type_expression(&b.ty)),
            ],
        ),
        Statement::Testcase(t) => node(
            "TestCaseStatement",
            t.span,
            vec![
                ("attributes", attrs(&t.attributes)),
                ("id", ident(&t.id)),
                ("extends", opt(&t.extends, string_lit)),
                ("block", block(&t.block)),
            ],
        ),
        Statement::Return(r) => node(
            "ReturnStatement",
            r.span,
            vec![
                ("attributes", attrs(&r.attributes)),
                ("argument", expr(&r.argument)),
            ],
        ),
        Statement::Expression(e) => node(
            "ExpressionStatement",
            e.span,
            vec![
                ("attributes", attrs(&e.attributes)),
                ("expression", expr(&e.expression)),
            ],
        ),
        Statement::Bad(b) => node(
            "BadStatement",
            b.span,
            vec![("text", J::Str(b.text.clone()))],
        ),
    }
}

fn property_key(k: &PropertyKey) -> J {
    match k {
        PropertyKey::Identifier(i) => ident(i),
        PropertyKey::String(s) => string_lit(s),
    }
}

fn property(p: &Property) -> J {
    node(
        "Property",
        p.span,
        vec![
            ("key", property_key(&p.key)),
            ("value", opt(&p.value, expr)),
        ],
    )
}

fn expr(e: &Expression) -> J {
    match e {
        Expression::Identifier(i) => ident(i),
        Expression::Integer(i) => node("IntegerLiteral", i.span, vec![("value", J::Num(i.value))]),
        Expression::Float(f) => node("FloatLiteral", f.span, vec![("value", J::Float(f.value))]),
        Expression::String(s) => node(
            "StringExpression",
            s.span,
            vec![(
                "parts",
                J::Arr(
                    s.parts
                        .iter()
                        .map(|p| match p {
                            StringPart::Text(t) => J::Obj(vec![
                                ("type", J::Static("TextPart")),
                                ("value", J::Str(t.clone())),
                            ]),
                            StringPart::Interpolated(e) => J::Obj(vec![
                                ("type", J::Static("InterpolatedPart")),
                                ("expression", expr(e)),
                            ]),
                        })
                        .collect(),
                ),
            )],
        ),
        Expression::Regex(r) => node(
            "RegexpLiteral",
            r.span,
            vec![("value", J::Str(r.value.clone()))],
        ),
        Expression::Duration(d) => node(
            "DurationLiteral",
            d.span,
            vec![(
                "values",
                J::Arr(
                    d.values
                        .iter()
                        .map(|v| {
                            J::Obj(vec![
                                ("magnitude", J::Num(v.magnitude)),
                                ("unit", J::Static(v.unit.as_str())),
                            ])
                        })
                        .collect(),
                ),
            )],
        ),
        Expression::DateTime(d) => node(
            "DateTimeLiteral",
            d.span,
            vec![
                ("value", J::Str(d.text.clone())),
                ("nanos", J::Num(d.nanos)),
                ("offset_seconds", J::Num(d.offset_seconds as i64)),
            ],
        ),
        Expression::PipeLit(s) => node("PipeLiteral", *s, vec![]),
        Expression::Label(l) => node(
            "LabelLiteral",
            l.span,
            vec![("value", J::Str(l.value.clone()))],
        ),
        Expression::Array(a) => node(
            "ArrayExpression",
            a.span,
            vec![("elements", J::Arr(a.elements.iter().map(expr).collect()))],
        ),
        Expression::Dict(d) => node(
            "DictExpression",
            d.span,
            vec![(
                "elements",
                J::Arr(
                    d.elements
                        .iter()
                        .map(|i| {
                            node(
                                "DictItem",
                                i.span,
                                vec![("key", expr(&i.key)), ("val", expr(&i.value))],
                            )
                        })
                        .collect(),
                ),
            )],
        ),
        Expression::Record(r) => node(
            "ObjectExpression",
            r.span,
            vec![
                ("with", opt(&r.with, ident)),
                (
                    "properties",
                    J::Arr(r.properties.iter().map(property).collect()),
                ),
            ],
        ),
        Expression::Function(f) => node(
            "FunctionExpression",
            f.span,
            vec![
                (
                    "params",
                    J::Arr(
                        f.params
                            .iter()
                            .map(|p| {
                                node(
                                    "Parameter",
                                    p.span,
                                    vec![("key", ident(&p.key)), ("value", opt(&p.default, expr))],
                                )
                            })
                            .collect(),
                    ),
                ),
                (
                    "body",
                    match &f.body {
                        FunctionBody::Block(b) => block(b),
                        FunctionBody::Expression(e) => expr(e),
                    },
                ),
            ],
        ),
        Expression::Call(c) => call(c),
        Expression::Pipe(p) => node(
            "PipeExpression",
            p.span,
            vec![("argument", expr(&p.argument)), ("call", call(&p.call))],
        ),
        Expression::Member(m) => node(
            "MemberExpression",
            m.span,
            vec![
                ("object", expr(&m.object)),
                ("property", property_key(&m.property)),
            ],
        ),
        Expression::Index(i) => node(
            "IndexExpression",
            i.span,
            vec![("array", expr(&i.array)), ("index", expr(&i.index))],
        ),
        Expression::Unary(u) => node(
            "UnaryExpression",
            u.span,
            vec![
                ("operator", J::Static(u.operator.as_str())),
                ("argument", expr(&u.argument)),
            ],
        ),
        Expression::Binary(b) => node(
            "BinaryExpression",
            b.span,
            vec![
                ("operator", J::Static(b.operator.as_str())),
                ("left", expr(&b.left)),
                ("right", expr(&b.right)),
            ],
        ),
        Expression::Logical(l) => node(
            "LogicalExpression",
            l.span,
            vec![
                ("operator", J::Static(l.operator.as_str())),
                ("left", expr(&l.left)),
                ("right", expr(&l.right)),
            ],
        ),
        Expression::Conditional(c) => node(
            "ConditionalExpression",
            c.span,
            vec![
                ("test", expr(&c.test)),
                ("consequent", expr(&c.consequent)),
                ("alternate", expr(&c.alternate)),
            ],
        ),
        Expression::Paren(p) => node(
            "ParenExpression",
            p.span,
            vec![("expression", expr(&p.expression))],
        ),
        Expression::Bad(s) => node("BadExpression", *s, vec![]),
    }
}

fn call(c: &CallExpr) -> J {
    node(
        "CallExpression",
        c.span,
        vec![
            ("callee", expr(&c.callee)),
            (
                "arguments",
                J::Arr(c.arguments.iter().map(property).collect()),
            ),
        ],
    )
}

fn type_expression(t: &TypeExpression) -> J {
    node(
        "TypeExpression",
        t.span,
        vec![
            ("monotype", monotype(&t.monotype)),
            (
                "constraints",
                J::Arr(
                    t.constraints
                        .iter()
                        .map(|c| {
                            node(
                                "TypeConstraint",
                                c.span,
                                vec![
                                    ("tvar", ident(&c.tvar)),
                                    ("kinds", J::Arr(c.kinds.iter().map(ident).collect())),
                                ],
                            )
                        })
                        .collect(),
                ),
            ),
        ],
    )
}

fn monotype(t: &MonoType) -> J {
    match t {
        MonoType::Tvar(i) => node("TvarType", i.span, vec![("name", ident(i))]),
        MonoType::Basic(i) => node("NamedType", i.span, vec![("name", ident(i))]),
        MonoType::Dynamic(s) => node("DynamicType", *s, vec![]),
        MonoType::Array(a) => node("ArrayType", a.span, vec![("element", monotype(&a.element))]),
        MonoType::Stream(a) => node(
            "StreamType",
            a.span,
            vec![("element", monotype(&a.element))],
        ),
        MonoType::Vector(a) => node(
            "VectorType",
            a.span,
            vec![("element", monotype(&a.element))],
        ),
        MonoType::Dict(d) => node(
            "DictType",
            d.span,
            vec![("key", monotype(&d.key)), ("val", monotype(&d.value))],
        ),
        MonoType::Record(r) => node(
            "RecordType",
            r.span,
            vec![
                ("tvar", opt(&r.tvar, ident)),
                (
                    "properties",
                    J::Arr(
                        r.properties
                            .iter()
                            .map(|p| {
                                node(
                                    "PropertyType",
                                    p.span,
                                    vec![
                                        ("name", property_key(&p.name)),
                                        ("monotype", monotype(&p.ty)),
                                    ],
                                )
                            })
                            .collect(),
                    ),
                ),
            ],
        ),
        MonoType::Function(f) => node(
            "FunctionType",
            f.span,
            vec![
                (
                    "parameters",
                    J::Arr(
                        f.params
                            .iter()
                            .map(|p| {
                                node(
                                    match p.kind {
                                        ParameterKind::Required => "Required",
                                        ParameterKind::Optional => "Optional",
                                        ParameterKind::Pipe => "Pipe",
                                    },
                                    p.span,
                                    vec![
                                        ("name", opt(&p.name, ident)),
                                        ("monotype", monotype(&p.ty)),
                                        (
                                            "default",
                                            opt(&p.default, |l| {
                                                node(
                                                    "LabelLiteral",
                                                    l.span,
                                                    vec![("value", J::Str(l.value.clone()))],
                                                )
                                            }),
                                        ),
                                    ],
                                )
                            })
                            .collect(),
                    ),
                ),
                ("monotype", monotype(&f.ret)),
            ],
        ),
        MonoType::Label(l) => node(
            "LabelType",
            l.span,
            vec![("value", J::Str(l.value.clone()))],
        ),
    }
}
