//! One traversal of the AST that fixes, in one place, which fields every node has and in
//! which order. Two encoders consume it: [`crate::json`] (`edgeflux parse --json`, the
//! golden files) and [`crate::binary`] (the compact hand-off to JavaScript, decoded by
//! `js/ast_decoder.mjs`). Keeping the field order here is what lets the JavaScript decoder
//! rebuild exactly the objects `JSON.parse` makes of the compact JSON.

use crate::ast::*;

/// What a node is. The JSON names are libflux's; the binary encoding writes the number
/// (`js/ast_decoder.mjs` has the same table). Append new kinds at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum Kind {
    File = 1,
    PackageClause,
    ImportDeclaration,
    Comment,
    Attribute,
    Block,
    VariableAssignment,
    OptionStatement,
    BuiltinStatement,
    TestCaseStatement,
    ReturnStatement,
    ExpressionStatement,
    BadStatement,
    Property,
    Identifier,
    StringLiteral,
    IntegerLiteral,
    FloatLiteral,
    StringExpression,
    TextPart,
    InterpolatedPart,
    RegexpLiteral,
    DurationLiteral,
    /// `{magnitude, unit}` inside a duration literal: no type, no span.
    DurationValue,
    DateTimeLiteral,
    PipeLiteral,
    LabelLiteral,
    ArrayExpression,
    DictExpression,
    DictItem,
    ObjectExpression,
    FunctionExpression,
    Parameter,
    CallExpression,
    PipeExpression,
    MemberExpression,
    IndexExpression,
    UnaryExpression,
    BinaryExpression,
    LogicalExpression,
    ConditionalExpression,
    ParenExpression,
    BadExpression,
    TypeExpression,
    TypeConstraint,
    TvarType,
    NamedType,
    DynamicType,
    ArrayType,
    StreamType,
    VectorType,
    DictType,
    RecordType,
    PropertyType,
    FunctionType,
    Required,
    Optional,
    Pipe,
    LabelType,
}

impl Kind {
    /// The `"type"` written in JSON (`None`: the object has no type).
    pub(crate) fn name(self) -> Option<&'static str> {
        use Kind::*;
        Some(match self {
            File => "File",
            PackageClause => "PackageClause",
            ImportDeclaration => "ImportDeclaration",
            Comment => "Comment",
            Attribute => "Attribute",
            Block => "Block",
            VariableAssignment => "VariableAssignment",
            OptionStatement => "OptionStatement",
            BuiltinStatement => "BuiltinStatement",
            TestCaseStatement => "TestCaseStatement",
            ReturnStatement => "ReturnStatement",
            ExpressionStatement => "ExpressionStatement",
            BadStatement => "BadStatement",
            Property => "Property",
            Identifier => "Identifier",
            StringLiteral => "StringLiteral",
            IntegerLiteral => "IntegerLiteral",
            FloatLiteral => "FloatLiteral",
            StringExpression => "StringExpression",
            TextPart => "TextPart",
            InterpolatedPart => "InterpolatedPart",
            RegexpLiteral => "RegexpLiteral",
            DurationLiteral => "DurationLiteral",
            DurationValue => return None,
            DateTimeLiteral => "DateTimeLiteral",
            PipeLiteral => "PipeLiteral",
            LabelLiteral => "LabelLiteral",
            ArrayExpression => "ArrayExpression",
            DictExpression => "DictExpression",
            DictItem => "DictItem",
            ObjectExpression => "ObjectExpression",
            FunctionExpression => "FunctionExpression",
            Parameter => "Parameter",
            CallExpression => "CallExpression",
            PipeExpression => "PipeExpression",
            MemberExpression => "MemberExpression",
            IndexExpression => "IndexExpression",
            UnaryExpression => "UnaryExpression",
            BinaryExpression => "BinaryExpression",
            LogicalExpression => "LogicalExpression",
            ConditionalExpression => "ConditionalExpression",
            ParenExpression => "ParenExpression",
            BadExpression => "BadExpression",
            TypeExpression => "TypeExpression",
            TypeConstraint => "TypeConstraint",
            TvarType => "TvarType",
            NamedType => "NamedType",
            DynamicType => "DynamicType",
            ArrayType => "ArrayType",
            StreamType => "StreamType",
            VectorType => "VectorType",
            DictType => "DictType",
            RecordType => "RecordType",
            PropertyType => "PropertyType",
            FunctionType => "FunctionType",
            Required => "Required",
            Optional => "Optional",
            Pipe => "Pipe",
            LabelType => "LabelType",
        })
    }
}

/// Receives the traversal. Every value but a node's own type and span is announced with its
/// field name first; the binary encoder ignores names (its fields are positional).
pub(crate) trait Sink<'a> {
    /// Starts an object. `span` is `None` for the spanless objects (string parts, duration
    /// values).
    fn begin(&mut self, kind: Kind, span: Option<Span>);
    fn end(&mut self);
    /// The next `begin` is the value of field `name`.
    fn key(&mut self, name: &'static str);
    /// An absent optional field.
    fn none(&mut self, name: &'static str);
    fn str(&mut self, name: &'static str, value: &'a str);
    fn int(&mut self, name: &'static str, value: i64);
    fn float(&mut self, name: &'static str, value: f64);
    /// One of a fixed set of words (operators, duration units): its index in that set and
    /// its text.
    fn word(&mut self, name: &'static str, index: u32, text: &'static str);
    /// A list of `len` values follows, then `end_list(len)`.
    fn begin_list(&mut self, name: &'static str, len: usize);
    fn end_list(&mut self, len: usize);
}

/// Walks `file` into `sink`.
pub(crate) fn file<'a>(s: &mut impl Sink<'a>, f: &'a File) {
    s.begin(Kind::File, Some(f.span));
    match &f.package {
        Some(p) => {
            s.key("package");
            s.begin(Kind::PackageClause, Some(p.span));
            attributes(s, &p.attributes);
            s.key("name");
            ident(s, &p.name);
            s.end();
        }
        None => s.none("package"),
    }
    list(s, "imports", &f.imports, |s, i| {
        s.begin(Kind::ImportDeclaration, Some(i.span));
        attributes(s, &i.attributes);
        opt(s, "as", &i.alias, ident);
        s.key("path");
        string_lit(s, &i.path);
        s.end();
    });
    list(s, "body", &f.body, statement);
    list(s, "comments", &f.comments, |s, c| {
        s.begin(Kind::Comment, Some(c.span));
        s.str("text", &c.text);
        s.end();
    });
    s.end();
}

fn list<'a, S: Sink<'a>, T>(
    s: &mut S,
    name: &'static str,
    items: &'a [T],
    mut f: impl FnMut(&mut S, &'a T),
) {
    s.begin_list(name, items.len());
    for it in items {
        f(s, it);
    }
    s.end_list(items.len());
}

fn opt<'a, S: Sink<'a>, T>(
    s: &mut S,
    name: &'static str,
    x: &'a Option<T>,
    f: impl FnOnce(&mut S, &'a T),
) {
    match x {
        Some(x) => {
            s.key(name);
            f(s, x);
        }
        None => s.none(name),
    }
}

fn ident<'a>(s: &mut impl Sink<'a>, i: &'a Identifier) {
    s.begin(Kind::Identifier, Some(i.span));
    s.str("name", &i.name);
    s.end();
}

fn string_lit<'a>(s: &mut impl Sink<'a>, l: &'a StringLit) {
    s.begin(Kind::StringLiteral, Some(l.span));
    s.str("value", &l.value);
    s.end();
}

fn label<'a>(s: &mut impl Sink<'a>, kind: Kind, l: &'a LabelLit) {
    s.begin(kind, Some(l.span));
    s.str("value", &l.value);
    s.end();
}

fn attributes<'a>(s: &mut impl Sink<'a>, a: &'a [Attribute]) {
    list(s, "attributes", a, |s, a| {
        s.begin(Kind::Attribute, Some(a.span));
        s.key("name");
        ident(s, &a.name);
        list(s, "params", &a.params, expr);
        s.end();
    });
}

fn block<'a>(s: &mut impl Sink<'a>, b: &'a Block) {
    s.begin(Kind::Block, Some(b.span));
    list(s, "body", &b.body, statement);
    s.end();
}

fn statement<'a>(s: &mut impl Sink<'a>, st: &'a Statement) {
    match st {
        Statement::Variable(v) => {
            s.begin(Kind::VariableAssignment, Some(v.span));
            attributes(s, &v.attributes);
            s.key("id");
            ident(s, &v.id);
            s.key("init");
            expr(s, &v.init);
        }
        Statement::Option(o) => {
            s.begin(Kind::OptionStatement, Some(o.span));
            attributes(s, &o.attributes);
            opt(s, "namespace", &o.namespace, ident);
            s.key("id");
            ident(s, &o.id);
            s.key("init");
            expr(s, &o.init);
        }
        Statement::Builtin(b) => {
            s.begin(Kind::BuiltinStatement, Some(b.span));
            attributes(s, &b.attributes);
            s.key("id");
            ident(s, &b.id);
            s.key("ty");
            type_expression(s, &b.ty);
        }
        Statement::Testcase(t) => {
            s.begin(Kind::TestCaseStatement, Some(t.span));
            attributes(s, &t.attributes);
            s.key("id");
            ident(s, &t.id);
            opt(s, "extends", &t.extends, string_lit);
            s.key("block");
            block(s, &t.block);
        }
        Statement::Return(r) => {
            s.begin(Kind::ReturnStatement, Some(r.span));
            attributes(s, &r.attributes);
            s.key("argument");
            expr(s, &r.argument);
        }
        Statement::Expression(e) => {
            s.begin(Kind::ExpressionStatement, Some(e.span));
            attributes(s, &e.attributes);
            s.key("expression");
            expr(s, &e.expression);
        }
        Statement::Bad(b) => {
            s.begin(Kind::BadStatement, Some(b.span));
            s.str("text", &b.text);
        }
    }
    s.end();
}

fn property_key<'a>(s: &mut impl Sink<'a>, k: &'a PropertyKey) {
    match k {
        PropertyKey::Identifier(i) => ident(s, i),
        PropertyKey::String(l) => string_lit(s, l),
    }
}

fn property<'a>(s: &mut impl Sink<'a>, p: &'a Property) {
    s.begin(Kind::Property, Some(p.span));
    s.key("key");
    property_key(s, &p.key);
    opt(s, "value", &p.value, expr);
    s.end();
}

fn binary_operands<'a>(s: &mut impl Sink<'a>, left: &'a Expression, right: &'a Expression) {
    s.key("left");
    expr(s, left);
    s.key("right");
    expr(s, right);
}

fn expr<'a>(s: &mut impl Sink<'a>, e: &'a Expression) {
    match e {
        Expression::Identifier(i) => return ident(s, i),
        Expression::Call(c) => return call(s, c),
        Expression::Label(l) => return label(s, Kind::LabelLiteral, l),
        Expression::Integer(i) => {
            s.begin(Kind::IntegerLiteral, Some(i.span));
            s.int("value", i.value);
        }
        Expression::Float(f) => {
            s.begin(Kind::FloatLiteral, Some(f.span));
            s.float("value", f.value);
        }
        Expression::String(st) => {
            s.begin(Kind::StringExpression, Some(st.span));
            list(s, "parts", &st.parts, |s, p| {
                match p {
                    StringPart::Text(t) => {
                        s.begin(Kind::TextPart, None);
                        s.str("value", t);
                    }
                    StringPart::Interpolated(e) => {
                        s.begin(Kind::InterpolatedPart, None);
                        s.key("expression");
                        expr(s, e);
                    }
                }
                s.end();
            });
        }
        Expression::Regex(r) => {
            s.begin(Kind::RegexpLiteral, Some(r.span));
            s.str("value", &r.value);
        }
        Expression::Duration(d) => {
            s.begin(Kind::DurationLiteral, Some(d.span));
            list(s, "values", &d.values, |s, v| {
                s.begin(Kind::DurationValue, None);
                s.int("magnitude", v.magnitude);
                s.word("unit", v.unit as u32, v.unit.as_str());
                s.end();
            });
        }
        Expression::DateTime(d) => {
            s.begin(Kind::DateTimeLiteral, Some(d.span));
            s.str("value", &d.text);
            s.int("nanos", d.nanos);
            s.int("offset_seconds", d.offset_seconds as i64);
        }
        Expression::PipeLit(span) => s.begin(Kind::PipeLiteral, Some(*span)),
        Expression::Array(a) => {
            s.begin(Kind::ArrayExpression, Some(a.span));
            list(s, "elements", &a.elements, expr);
        }
        Expression::Dict(d) => {
            s.begin(Kind::DictExpression, Some(d.span));
            list(s, "elements", &d.elements, |s, i| {
                s.begin(Kind::DictItem, Some(i.span));
                s.key("key");
                expr(s, &i.key);
                s.key("val");
                expr(s, &i.value);
                s.end();
            });
        }
        Expression::Record(r) => {
            s.begin(Kind::ObjectExpression, Some(r.span));
            opt(s, "with", &r.with, ident);
            list(s, "properties", &r.properties, property);
        }
        Expression::Function(f) => {
            s.begin(Kind::FunctionExpression, Some(f.span));
            list(s, "params", &f.params, |s, p| {
                s.begin(Kind::Parameter, Some(p.span));
                s.key("key");
                ident(s, &p.key);
                opt(s, "value", &p.default, expr);
                s.end();
            });
            s.key("body");
            match &f.body {
                FunctionBody::Block(b) => block(s, b),
                FunctionBody::Expression(e) => expr(s, e),
            }
        }
        Expression::Pipe(p) => {
            s.begin(Kind::PipeExpression, Some(p.span));
            s.key("argument");
            expr(s, &p.argument);
            s.key("call");
            call(s, &p.call);
        }
        Expression::Member(m) => {
            s.begin(Kind::MemberExpression, Some(m.span));
            s.key("object");
            expr(s, &m.object);
            s.key("property");
            property_key(s, &m.property);
        }
        Expression::Index(i) => {
            s.begin(Kind::IndexExpression, Some(i.span));
            s.key("array");
            expr(s, &i.array);
            s.key("index");
            expr(s, &i.index);
        }
        Expression::Unary(u) => {
            s.begin(Kind::UnaryExpression, Some(u.span));
            s.word("operator", u.operator as u32, u.operator.as_str());
            s.key("argument");
            expr(s, &u.argument);
        }
        Expression::Binary(b) => {
            s.begin(Kind::BinaryExpression, Some(b.span));
            s.word("operator", b.operator as u32, b.operator.as_str());
            binary_operands(s, &b.left, &b.right);
        }
        Expression::Logical(l) => {
            s.begin(Kind::LogicalExpression, Some(l.span));
            s.word("operator", l.operator as u32, l.operator.as_str());
            binary_operands(s, &l.left, &l.right);
        }
        Expression::Conditional(c) => {
            s.begin(Kind::ConditionalExpression, Some(c.span));
            s.key("test");
            expr(s, &c.test);
            s.key("consequent");
            expr(s, &c.consequent);
            s.key("alternate");
            expr(s, &c.alternate);
        }
        Expression::Paren(p) => {
            s.begin(Kind::ParenExpression, Some(p.span));
            s.key("expression");
            expr(s, &p.expression);
        }
        Expression::Bad(span) => s.begin(Kind::BadExpression, Some(*span)),
    }
    s.end();
}

fn call<'a>(s: &mut impl Sink<'a>, c: &'a CallExpr) {
    s.begin(Kind::CallExpression, Some(c.span));
    s.key("callee");
    expr(s, &c.callee);
    list(s, "arguments", &c.arguments, property);
    s.end();
}

fn type_expression<'a>(s: &mut impl Sink<'a>, t: &'a TypeExpression) {
    s.begin(Kind::TypeExpression, Some(t.span));
    s.key("monotype");
    monotype(s, &t.monotype);
    list(s, "constraints", &t.constraints, |s, c| {
        s.begin(Kind::TypeConstraint, Some(c.span));
        s.key("tvar");
        ident(s, &c.tvar);
        list(s, "kinds", &c.kinds, ident);
        s.end();
    });
    s.end();
}

fn monotype<'a>(s: &mut impl Sink<'a>, t: &'a MonoType) {
    match t {
        MonoType::Label(l) => return label(s, Kind::LabelType, l),
        MonoType::Tvar(i) | MonoType::Basic(i) => {
            let kind = if matches!(t, MonoType::Tvar(_)) {
                Kind::TvarType
            } else {
                Kind::NamedType
            };
            s.begin(kind, Some(i.span));
            s.key("name");
            ident(s, i);
        }
        MonoType::Dynamic(span) => s.begin(Kind::DynamicType, Some(*span)),
        MonoType::Array(a) | MonoType::Stream(a) | MonoType::Vector(a) => {
            let kind = match t {
                MonoType::Array(_) => Kind::ArrayType,
                MonoType::Stream(_) => Kind::StreamType,
                _ => Kind::VectorType,
            };
            s.begin(kind, Some(a.span));
            s.key("element");
            monotype(s, &a.element);
        }
        MonoType::Dict(d) => {
            s.begin(Kind::DictType, Some(d.span));
            s.key("key");
            monotype(s, &d.key);
            s.key("val");
            monotype(s, &d.value);
        }
        MonoType::Record(r) => {
            s.begin(Kind::RecordType, Some(r.span));
            opt(s, "tvar", &r.tvar, ident);
            list(s, "properties", &r.properties, |s, p| {
                s.begin(Kind::PropertyType, Some(p.span));
                s.key("name");
                property_key(s, &p.name);
                s.key("monotype");
                monotype(s, &p.ty);
                s.end();
            });
        }
        MonoType::Function(f) => {
            s.begin(Kind::FunctionType, Some(f.span));
            list(s, "parameters", &f.params, |s, p| {
                let kind = match p.kind {
                    ParameterKind::Required => Kind::Required,
                    ParameterKind::Optional => Kind::Optional,
                    ParameterKind::Pipe => Kind::Pipe,
                };
                s.begin(kind, Some(p.span));
                opt(s, "name", &p.name, ident);
                s.key("monotype");
                monotype(s, &p.ty);
                opt(s, "default", &p.default, |s, l| {
                    label(s, Kind::LabelLiteral, l)
                });
                s.end();
            });
            s.key("monotype");
            monotype(s, &f.ret);
        }
    }
    s.end();
}
