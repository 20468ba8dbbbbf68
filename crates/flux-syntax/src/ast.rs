//! The Flux abstract syntax tree.
//!
//! Names follow the Flux SPEC and libflux's `ast` module so that anyone who knows one can read
//! the other. Every node carries a byte [`Span`] into the source it was parsed from. Comments are
//! not nodes: they are kept, in source order, in [`File::comments`] so the evaluator never sees
//! them and the formatter can put them back.

/// A half-open byte range `start..end` into the parsed source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
    pub fn range(self) -> core::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One source file: `[PackageClause] {ImportDeclaration} {Statement}`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct File {
    pub span: Span,
    pub package: Option<PackageClause>,
    pub imports: Vec<ImportDeclaration>,
    pub body: Vec<Statement>,
    /// Every `// ...` comment of the file in source order (text includes the `//`).
    pub comments: Vec<Comment>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub span: Span,
    pub text: String,
}

/// `@name(params...)`, e.g. `@edition("2022.1")` or `@feature({vectorization: true})`.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub span: Span,
    pub name: Identifier,
    pub params: Vec<Expression>,
}

/// `[Attributes] package name`.
#[derive(Clone, Debug, PartialEq)]
pub struct PackageClause {
    pub span: Span,
    pub attributes: Vec<Attribute>,
    pub name: Identifier,
}

/// `[Attributes] import [alias] "path"`.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportDeclaration {
    pub span: Span,
    pub attributes: Vec<Attribute>,
    pub alias: Option<Identifier>,
    pub path: StringLit,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Identifier {
    pub span: Span,
    pub name: String,
}

/// A plain string literal without interpolation (import paths, `extends`, property keys).
#[derive(Clone, Debug, PartialEq)]
pub struct StringLit {
    pub span: Span,
    /// The value after escape processing.
    pub value: String,
}

/// `{ statements }`
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub span: Span,
    pub body: Vec<Statement>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// `name = expr`
    Variable(Box<VariableAssignment>),
    /// `option [pkg.]name = expr`
    Option(Box<OptionStatement>),
    /// `builtin name : type`
    Builtin(Box<BuiltinStatement>),
    /// `testcase name [extends "pkg.case"] { ... }`
    Testcase(Box<TestcaseStatement>),
    /// `return expr`
    Return(Box<ReturnStatement>),
    /// `expr`
    Expression(Box<ExpressionStatement>),
    /// Source that could not be parsed as a statement (a diagnostic says why).
    Bad(Box<BadStatement>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct VariableAssignment {
    pub span: Span,
    pub attributes: Vec<Attribute>,
    pub id: Identifier,
    pub init: Expression,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OptionStatement {
    pub span: Span,
    pub attributes: Vec<Attribute>,
    /// `alert` in `option alert.severity = ...`.
    pub namespace: Option<Identifier>,
    pub id: Identifier,
    pub init: Expression,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BuiltinStatement {
    pub span: Span,
    pub attributes: Vec<Attribute>,
    pub id: Identifier,
    pub ty: TypeExpression,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TestcaseStatement {
    pub span: Span,
    pub attributes: Vec<Attribute>,
    pub id: Identifier,
    pub extends: Option<StringLit>,
    pub block: Block,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReturnStatement {
    pub span: Span,
    pub attributes: Vec<Attribute>,
    pub argument: Expression,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExpressionStatement {
    pub span: Span,
    pub attributes: Vec<Attribute>,
    pub expression: Expression,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BadStatement {
    pub span: Span,
    /// The skipped source text.
    pub text: String,
}

impl Statement {
    pub fn span(&self) -> Span {
        match self {
            Statement::Variable(s) => s.span,
            Statement::Option(s) => s.span,
            Statement::Builtin(s) => s.span,
            Statement::Testcase(s) => s.span,
            Statement::Return(s) => s.span,
            Statement::Expression(s) => s.span,
            Statement::Bad(s) => s.span,
        }
    }
    pub fn attributes(&self) -> &[Attribute] {
        match self {
            Statement::Variable(s) => &s.attributes,
            Statement::Option(s) => &s.attributes,
            Statement::Builtin(s) => &s.attributes,
            Statement::Testcase(s) => &s.attributes,
            Statement::Return(s) => &s.attributes,
            Statement::Expression(s) => &s.attributes,
            Statement::Bad(_) => &[],
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub enum Expression {
    Identifier(Identifier),
    Integer(IntegerLit),
    Float(FloatLit),
    /// A string literal; `parts` holds text and `${expr}` interpolations.
    String(Box<StringExpr>),
    Regex(RegexLit),
    Duration(DurationLit),
    DateTime(DateTimeLit),
    /// `<-`, only valid as a parameter default.
    PipeLit(Span),
    /// `.name` or `."name"` (label literal, feature flagged in Flux).
    Label(LabelLit),
    Array(Box<ArrayExpr>),
    Dict(Box<DictExpr>),
    Record(Box<RecordExpr>),
    Function(Box<FunctionExpr>),
    Call(Box<CallExpr>),
    Pipe(Box<PipeExpr>),
    Member(Box<MemberExpr>),
    Index(Box<IndexExpr>),
    Unary(Box<UnaryExpr>),
    Binary(Box<BinaryExpr>),
    Logical(Box<LogicalExpr>),
    Conditional(Box<ConditionalExpr>),
    Paren(Box<ParenExpr>),
    /// Placeholder where an expression was expected but could not be parsed.
    Bad(Span),
}

impl Expression {
    pub fn span(&self) -> Span {
        match self {
            Expression::Identifier(e) => e.span,
            Expression::Integer(e) => e.span,
            Expression::Float(e) => e.span,
            Expression::String(e) => e.span,
            Expression::Regex(e) => e.span,
            Expression::Duration(e) => e.span,
            Expression::DateTime(e) => e.span,
            Expression::PipeLit(s) => *s,
            Expression::Label(e) => e.span,
            Expression::Array(e) => e.span,
            Expression::Dict(e) => e.span,
            Expression::Record(e) => e.span,
            Expression::Function(e) => e.span,
            Expression::Call(e) => e.span,
            Expression::Pipe(e) => e.span,
            Expression::Member(e) => e.span,
            Expression::Index(e) => e.span,
            Expression::Unary(e) => e.span,
            Expression::Binary(e) => e.span,
            Expression::Logical(e) => e.span,
            Expression::Conditional(e) => e.span,
            Expression::Paren(e) => e.span,
            Expression::Bad(s) => *s,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct IntegerLit {
    pub span: Span,
    pub value: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FloatLit {
    pub span: Span,
    pub value: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StringExpr {
    pub span: Span,
    pub parts: Vec<StringPart>,
}

impl StringExpr {
    /// The value when the string has no interpolation.
    pub fn as_plain(&self) -> Option<String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                StringPart::Text(t) => out.push_str(t),
                StringPart::Interpolated(_) => return None,
            }
        }
        Some(out)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum StringPart {
    /// Literal text after escape processing.
    Text(String),
    /// `${expr}`
    Interpolated(Box<Expression>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RegexLit {
    pub span: Span,
    /// The pattern with `\/` turned into `/` and `\xNN` bytes decoded; other escapes are kept
    /// for the regex engine.
    pub value: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
    Nanosecond,
}

impl DurationUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            DurationUnit::Year => "y",
            DurationUnit::Month => "mo",
            DurationUnit::Week => "w",
            DurationUnit::Day => "d",
            DurationUnit::Hour => "h",
            DurationUnit::Minute => "m",
            DurationUnit::Second => "s",
            DurationUnit::Millisecond => "ms",
            DurationUnit::Microsecond => "us",
            DurationUnit::Nanosecond => "ns",
        }
    }
    pub fn parse(s: &str) -> Option<DurationUnit> {
        Some(match s {
            "y" => DurationUnit::Year,
            "mo" => DurationUnit::Month,
            "w" => DurationUnit::Week,
            "d" => DurationUnit::Day,
            "h" => DurationUnit::Hour,
            "m" => DurationUnit::Minute,
            "s" => DurationUnit::Second,
            "ms" => DurationUnit::Millisecond,
            "us" | "µs" | "μs" => DurationUnit::Microsecond,
            "ns" => DurationUnit::Nanosecond,
            _ => return None,
        })
    }
    /// Nanoseconds per unit for the nanosecond-based units; `None` for `y` and `mo`
    /// (those count months: a year is 12 months).
    pub fn nanos(self) -> Option<i64> {
        Some(match self {
            DurationUnit::Year | DurationUnit::Month => return None,
            DurationUnit::Week => 7 * 24 * 3_600_000_000_000,
            DurationUnit::Day => 24 * 3_600_000_000_000,
            DurationUnit::Hour => 3_600_000_000_000,
            DurationUnit::Minute => 60_000_000_000,
            DurationUnit::Second => 1_000_000_000,
            DurationUnit::Millisecond => 1_000_000,
            DurationUnit::Microsecond => 1_000,
            DurationUnit::Nanosecond => 1,
        })
    }
}

/// One `magnitude unit` pair of a duration literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duration {
    pub magnitude: i64,
    pub unit: DurationUnit,
}

/// `1h30m` is `[(1, Hour), (30, Minute)]`.
#[derive(Clone, Debug, PartialEq)]
pub struct DurationLit {
    pub span: Span,
    pub values: Vec<Duration>,
}

/// An RFC 3339 date-time (`2018-08-15T13:36:23-07:00`) or a bare date (`2018-01-01`).
#[derive(Clone, Debug, PartialEq)]
pub struct DateTimeLit {
    pub span: Span,
    /// Nanoseconds since the Unix epoch, UTC.
    pub nanos: i64,
    /// The offset written in the literal, in seconds east of UTC (0 for `Z` or a bare date).
    pub offset_seconds: i32,
    /// The literal as written.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LabelLit {
    pub span: Span,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ArrayExpr {
    pub span: Span,
    pub elements: Vec<Expression>,
}

/// `[k: v, ...]`; the empty dictionary is `[:]`.
#[derive(Clone, Debug, PartialEq)]
pub struct DictExpr {
    pub span: Span,
    pub elements: Vec<DictItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DictItem {
    pub span: Span,
    pub key: Expression,
    pub value: Expression,
}

/// `{a: 1, b}` or `{r with a: 1}`.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordExpr {
    pub span: Span,
    pub with: Option<Identifier>,
    pub properties: Vec<Property>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PropertyKey {
    Identifier(Identifier),
    String(StringLit),
}

impl PropertyKey {
    pub fn name(&self) -> &str {
        match self {
            PropertyKey::Identifier(i) => &i.name,
            PropertyKey::String(s) => &s.value,
        }
    }
    pub fn span(&self) -> Span {
        match self {
            PropertyKey::Identifier(i) => i.span,
            PropertyKey::String(s) => s.span,
        }
    }
}

/// `key: value`, or the shorthand `key` (value `None`, meaning `key: key`).
#[derive(Clone, Debug, PartialEq)]
pub struct Property {
    pub span: Span,
    pub key: PropertyKey,
    pub value: Option<Expression>,
}

/// `(params) => body`
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionExpr {
    pub span: Span,
    pub params: Vec<Parameter>,
    pub body: FunctionBody,
}

/// `name`, `name = default`, or the pipe parameter `name = <-`
/// (default `Some(Expression::PipeLit(_))`).
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub span: Span,
    pub key: Identifier,
    pub default: Option<Expression>,
}

impl Parameter {
    pub fn is_pipe(&self) -> bool {
        matches!(self.default, Some(Expression::PipeLit(_)))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum FunctionBody {
    Expression(Expression),
    Block(Block),
}

/// `callee(arguments)`; arguments are named properties.
#[derive(Clone, Debug, PartialEq)]
pub struct CallExpr {
    pub span: Span,
    pub callee: Expression,
    pub arguments: Vec<Property>,
}

/// `argument |> call`
#[derive(Clone, Debug, PartialEq)]
pub struct PipeExpr {
    pub span: Span,
    pub argument: Expression,
    pub call: CallExpr,
}

/// `object.property` or `object["property"]`.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberExpr {
    pub span: Span,
    pub object: Expression,
    pub property: PropertyKey,
}

/// `array[index]`
#[derive(Clone, Debug, PartialEq)]
pub struct IndexExpr {
    pub span: Span,
    pub array: Expression,
    pub index: Expression,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOperator {
    /// `+x`
    Add,
    /// `-x`
    Sub,
    /// `not x`
    Not,
    /// `exists x`
    Exists,
}

impl UnaryOperator {
    pub fn as_str(self) -> &'static str {
        match self {
            UnaryOperator::Add => "+",
            UnaryOperator::Sub => "-",
            UnaryOperator::Not => "not",
            UnaryOperator::Exists => "exists",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnaryExpr {
    pub span: Span,
    pub operator: UnaryOperator,
    pub argument: Expression,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOperator {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eq,
    NotEq,
    Lt,
    Lte,
    Gt,
    Gte,
    /// `=~`
    RegexMatch,
    /// `!~`
    NotRegexMatch,
}

impl BinaryOperator {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOperator::Add => "+",
            BinaryOperator::Sub => "-",
            BinaryOperator::Mul => "*",
            BinaryOperator::Div => "/",
            BinaryOperator::Mod => "%",
            BinaryOperator::Pow => "^",
            BinaryOperator::Eq => "==",
            BinaryOperator::NotEq => "!=",
            BinaryOperator::Lt => "<",
            BinaryOperator::Lte => "<=",
            BinaryOperator::Gt => ">",
            BinaryOperator::Gte => ">=",
            BinaryOperator::RegexMatch => "=~",
            BinaryOperator::NotRegexMatch => "!~",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct BinaryExpr {
    pub span: Span,
    pub operator: BinaryOperator,
    pub left: Expression,
    pub right: Expression,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogicalOperator {
    And,
    Or,
}

impl LogicalOperator {
    pub fn as_str(self) -> &'static str {
        match self {
            LogicalOperator::And => "and",
            LogicalOperator::Or => "or",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogicalExpr {
    pub span: Span,
    pub operator: LogicalOperator,
    pub left: Expression,
    pub right: Expression,
}

/// `if test then consequent else alternate`
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionalExpr {
    pub span: Span,
    pub test: Expression,
    pub consequent: Expression,
    pub alternate: Expression,
}

/// `(expression)`, kept so the formatter can print what the author wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct ParenExpr {
    pub span: Span,
    pub expression: Expression,
}

// ---------------------------------------------------------------------------------------------
// Type expressions (builtin statements)
// ---------------------------------------------------------------------------------------------

/// `MonoType [where Constraints]`
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpression {
    pub span: Span,
    pub monotype: MonoType,
    pub constraints: Vec<TypeConstraint>,
}

/// `A: Addable + Comparable`
#[derive(Clone, Debug, PartialEq)]
pub struct TypeConstraint {
    pub span: Span,
    pub tvar: Identifier,
    pub kinds: Vec<Identifier>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MonoType {
    /// A type variable: a one-letter identifier such as `A` or `T`.
    Tvar(Identifier),
    /// A named type: `int`, `uint`, `float`, `string`, `bool`, `time`, `duration`, `bytes`,
    /// `regexp`, ...
    Basic(Identifier),
    /// `dynamic`
    Dynamic(Span),
    /// `[T]`
    Array(Box<ArrayType>),
    /// `stream[T]`
    Stream(Box<ArrayType>),
    /// `vector[T]`
    Vector(Box<ArrayType>),
    /// `[K: V]`
    Dict(Box<DictType>),
    /// `{A with a: T, ...}` or `{a: T, ...}`
    Record(Box<RecordType>),
    /// `(a: A, ?b: B, <-c: C) => R`
    Function(Box<FunctionType>),
    /// `.label` or `."label"`
    Label(LabelLit),
}

impl MonoType {
    pub fn span(&self) -> Span {
        match self {
            MonoType::Tvar(i) | MonoType::Basic(i) => i.span,
            MonoType::Dynamic(s) => *s,
            MonoType::Array(t) | MonoType::Stream(t) | MonoType::Vector(t) => t.span,
            MonoType::Dict(t) => t.span,
            MonoType::Record(t) => t.span,
            MonoType::Function(t) => t.span,
            MonoType::Label(l) => l.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ArrayType {
    pub span: Span,
    pub element: MonoType,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DictType {
    pub span: Span,
    pub key: MonoType,
    pub value: MonoType,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordType {
    pub span: Span,
    pub tvar: Option<Identifier>,
    pub properties: Vec<PropertyType>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PropertyType {
    pub span: Span,
    pub name: PropertyKey,
    pub ty: MonoType,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FunctionType {
    pub span: Span,
    pub params: Vec<ParameterType>,
    pub ret: MonoType,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParameterKind {
    /// `name: T`
    Required,
    /// `?name: T`
    Optional,
    /// `<-name: T` or `<-: T`
    Pipe,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParameterType {
    pub span: Span,
    pub kind: ParameterKind,
    /// `None` only for an anonymous pipe parameter `<-: T`.
    pub name: Option<Identifier>,
    pub ty: MonoType,
    /// `?name: T = .label` (optional parameters with a label default).
    pub default: Option<LabelLit>,
}
