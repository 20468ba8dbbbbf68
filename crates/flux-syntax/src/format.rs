//! The canonical Flux printer (`edgeflux fmt`).
//!
//! Layout rules (close to libflux's `flux fmt`, but decided from the AST alone so the output is
//! idempotent): 4-space indent; lists (records, call arguments, arrays, dictionaries,
//! parameters) stay on one line unless they have more than 4 items, do not fit in 100 columns,
//! contain a line break or a comment — then one item per line with a trailing comma; a pipe
//! chain puts each stage on its own line if it had them in the source (without the source:
//! if it has two or more stages) or does not fit; function blocks are always
//! multi-line; a value after `x =`, `option x =` or `return` that breaks over lines starts on
//! a line of its own unless it opens with a bracket or a parameter list; two blank lines follow
//! the package clause; statements of different kinds, or
//! with attributes or comments, are separated by a blank line, and so are statements the
//! source separated by one (without the source: after a statement that took several lines).
//!
//! Comments live in [`File::comments`]. They are printed at "break points" (before a statement,
//! before an item of a multi-line list or pipe) in source order, so none is lost; a comment
//! that followed code on its line (known when the source is given) stays at the end of a line.

use crate::ast::*;

const INDENT: &str = "    ";
const WIDTH: usize = 100;
const MULTILINE: usize = 4;

/// Formats a file. Comments are placed before the statement/list item that follows them.
pub fn format(file: &File) -> String {
    Printer::new(file, None).file(file)
}

/// Formats a file parsed from `source`, keeping end-of-line comments at the end of lines.
pub fn format_with_source(file: &File, source: &str) -> String {
    Printer::new(file, Some(source)).file(file)
}

/// Parses and formats; fails with the parse diagnostics if the source has errors.
pub fn format_source(source: &str) -> Result<String, crate::Error> {
    let file = crate::parse_strict(source)?;
    Ok(format_with_source(&file, source))
}

struct Printer<'a> {
    out: String,
    indent: usize,
    comments: &'a [Comment],
    /// Per comment: does code precede it on its line?
    trailing: Vec<bool>,
    next: usize,
    /// When > 0 we are rendering a trial inline string: never emit comments.
    inline_depth: usize,
    /// How many [`Printer::hang`] values enclose what is being printed.
    trials: usize,
    /// The next [`Printer::list`], if it breaks over lines, keeps its first item on the
    /// opening line.
    first_item_inline: bool,
    /// Per comment: is it followed by a blank line in the source?
    blank_after: Vec<bool>,
    /// The source, when known: blank lines between statements are kept from it, as
    /// `flux fmt` does.
    source: Option<&'a str>,
}

fn needs_parens(child: &Expression, parent_prec: u8, right: bool) -> bool {
    // A function literal is a primary expression whose body runs to the end: it needs
    // parentheses only where something follows it.
    if let Expression::Function(f) = child {
        return !right && matches!(f.body, FunctionBody::Expression(_));
    }
    let p = prec(child);
    p < parent_prec
        || (right && p == parent_prec && p >= 1)
        || (!right && ends_with_function(child))
}

/// Does the printed expression end with an unparenthesized function literal (which would
/// swallow whatever follows)?
fn ends_with_function(e: &Expression) -> bool {
    match e {
        Expression::Function(f) => matches!(f.body, FunctionBody::Expression(_)),
        Expression::Binary(b) => ends_with_function(&b.right),
        Expression::Logical(l) => ends_with_function(&l.right),
        Expression::Unary(u) => ends_with_function(&u.argument),
        _ => false,
    }
}

/// Binding strength: higher binds tighter.
fn prec(e: &Expression) -> u8 {
    match e {
        Expression::Conditional(_) => 0,
        Expression::Function(_) => 0,
        Expression::Logical(l) => match l.operator {
            LogicalOperator::Or => 1,
            LogicalOperator::And => 2,
        },
        Expression::Unary(u)
            if matches!(u.operator, UnaryOperator::Not | UnaryOperator::Exists) =>
        {
            3
        }
        Expression::Binary(b) => match b.operator {
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
        Expression::Pipe(_) => 8,
        Expression::Unary(_) => 9,
        _ => 10,
    }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c == '_' || c.is_alphanumeric())
        && !matches!(
            s,
            "and"
                | "or"
                | "not"
                | "exists"
                | "import"
                | "package"
                | "return"
                | "option"
                | "builtin"
                | "testcase"
                | "if"
                | "then"
                | "else"
        )
}

pub(crate) fn escape_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out
}

fn format_float(v: f64) -> String {
    let s = format!("{v}");
    if s.contains('.') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

impl<'a> Printer<'a> {
    fn new(file: &'a File, source: Option<&'a str>) -> Self {
        let trailing = file
            .comments
            .iter()
            .map(|c| match source {
                Some(src) => {
                    let start = (c.span.start as usize).min(src.len());
                    let line_start = src[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
                    !src[line_start..start].trim().is_empty()
                }
                None => false,
            })
            .collect();
        let blank_after = file
            .comments
            .iter()
            .map(|c| match source {
                Some(src) => {
                    let end = (c.span.end as usize).min(src.len());
                    let rest = &src[end..];
                    let gap_end = rest
                        .find(|ch: char| !ch.is_whitespace())
                        .unwrap_or(rest.len());
                    rest[..gap_end].matches('\n').count() >= 2
                }
                None => false,
            })
            .collect();
        Printer {
            blank_after,
            source,
            out: String::new(),
            indent: 0,
            comments: &file.comments,
            trailing,
            next: 0,
            inline_depth: 0,
            trials: 0,
            first_item_inline: false,
        }
    }

    fn w(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn newline(&mut self) {
        // never leave trailing spaces
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        self.out.push('\n');
        for _ in 0..self.indent {
            self.out.push_str(INDENT);
        }
    }

    /// Drops trailing indentation and blank lines back to the end of the last text line.
    fn trim_line_end(&mut self) {
        while self.out.ends_with(' ') || self.out.ends_with('\n') {
            self.out.pop();
        }
    }

    fn column(&self) -> usize {
        let line_start = self.out.rfind('\n').map(|i| i + 1).unwrap_or(0);
        self.out[line_start..].chars().count()
    }

    fn has_comment_in(&self, span: Span) -> bool {
        if self.inline_depth > 0 {
            return false;
        }
        self.comments[self.next..]
            .iter()
            .take_while(|c| c.span.start < span.end)
            .any(|c| c.span.start >= span.start)
    }

    /// Emits every pending comment that starts before `pos`, each on its own line.
    /// Returns whether any was written.
    fn leading(&mut self, pos: u32) -> bool {
        if self.inline_depth > 0 {
            return false;
        }
        let mut any = false;
        while self.next < self.comments.len() && self.comments[self.next].span.start < pos {
            let text = self.comments[self.next].text.clone();
            self.w(&text);
            self.newline();
            if self.blank_after[self.next] {
                self.newline();
            }
            self.next += 1;
            any = true;
        }
        any
    }

    /// Emits an end-of-line comment that starts before `limit`, if the next pending one is.
    fn trailing(&mut self, limit: u32) {
        if self.inline_depth > 0 {
            return;
        }
        // at most one: a second comment would become part of the first
        if self.next < self.comments.len()
            && self.comments[self.next].span.start < limit
            && self.trailing[self.next]
        {
            let text = self.comments[self.next].text.clone();
            self.w(" ");
            self.w(&text);
            self.next += 1;
        }
    }

    // ---------------------------------------------------------------------------------------

    fn file(mut self, file: &File) -> String {
        if let Some(pkg) = &file.package {
            self.leading(pkg.span.start);
            self.attributes(&pkg.attributes);
            self.w("package ");
            self.w(&pkg.name.name);
            let limit = file
                .imports
                .first()
                .map(|i| i.span.start)
                .or_else(|| file.body.first().map(|s| s.span().start))
                .unwrap_or(u32::MAX);
            self.trailing(limit);
            // two blank lines after the package clause, as `flux fmt` puts them
            if !file.imports.is_empty() || !file.body.is_empty() {
                self.w("\n\n\n");
            }
        }
        for (i, imp) in file.imports.iter().enumerate() {
            self.leading(imp.span.start);
            self.attributes(&imp.attributes);
            self.w("import ");
            if let Some(alias) = &imp.alias {
                self.w(&alias.name);
                self.w(" ");
            }
            self.w(&format!("\"{}\"", escape_string(&imp.path.value)));
            let limit = file
                .imports
                .get(i + 1)
                .map(|i| i.span.start)
                .or_else(|| file.body.first().map(|s| s.span().start))
                .unwrap_or(u32::MAX);
            self.trailing(limit);
            self.w("\n");
        }
        if !file.imports.is_empty() && !file.body.is_empty() {
            self.w("\n");
        }
        self.statements(&file.body, u32::MAX);
        if !file.body.is_empty() {
            self.w("\n");
        }
        if self.next < self.comments.len() {
            if !self.out.is_empty() && !self.out.ends_with("\n\n") {
                self.w("\n");
            }
            while self.next < self.comments.len() {
                let text = self.comments[self.next].text.clone();
                self.w(&text);
                self.w("\n");
                self.next += 1;
            }
        }
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
        if self.out.trim().is_empty() {
            return String::new();
        }
        self.out
    }

    fn attributes(&mut self, attrs: &[Attribute]) {
        for a in attrs {
            self.w("@");
            self.w(&a.name.name);
            if !a.params.is_empty() {
                self.w("(");
                for (i, p) in a.params.iter().enumerate() {
                    if i > 0 {
                        self.w(", ");
                    }
                    self.expr(p);
                }
                self.w(")");
            }
            self.newline();
        }
    }

    fn stmt_kind(s: &Statement) -> u8 {
        match s {
            Statement::Variable(_) => 0,
            Statement::Option(_) => 1,
            Statement::Builtin(_) => 2,
            Statement::Testcase(_) => 3,
            Statement::Return(_) => 4,
            Statement::Expression(_) => 5,
            Statement::Bad(_) => 6,
        }
    }

    /// `end` is where the enclosing block ends (limit for the last trailing comment).
    fn statements(&mut self, body: &[Statement], end: u32) {
        let mut prev_multiline = false;
        for (i, s) in body.iter().enumerate() {
            let has_comment = self.next < self.comments.len()
                && self.comments[self.next].span.start < s.span().start
                && self.inline_depth == 0;
            if i > 0 {
                // With the source, a blank line there is kept (`flux fmt`'s rule); without,
                // a statement that took several lines is set apart.
                let apart = match self.source {
                    Some(src) => {
                        let gap = src
                            .get(body[i - 1].span().end as usize..s.span().start as usize)
                            .unwrap_or_default();
                        gap.matches('\n').count() > 1
                    }
                    None => prev_multiline,
                };
                let blank = Self::stmt_kind(&body[i - 1]) != Self::stmt_kind(s)
                    || !s.attributes().is_empty()
                    || has_comment
                    || apart;
                self.newline();
                if blank {
                    // blank line without indentation
                    while self.out.ends_with(' ') {
                        self.out.pop();
                    }
                    self.newline();
                }
            }
            self.leading(s.span().start);
            let before = self.out.len();
            self.statement(s);
            let limit = body.get(i + 1).map(|n| n.span().start).unwrap_or(end);
            self.trailing(limit);
            prev_multiline = self.out[before..].contains('\n');
        }
    }

    fn statement(&mut self, s: &Statement) {
        self.attributes(s.attributes());
        match s {
            Statement::Variable(v) => {
                self.w(&v.id.name);
                self.w(" =");
                self.assigned(&v.init);
            }
            Statement::Option(o) => {
                self.w("option ");
                if let Some(ns) = &o.namespace {
                    self.w(&ns.name);
                    self.w(".");
                }
                self.w(&o.id.name);
                self.w(" =");
                self.assigned(&o.init);
            }
            Statement::Builtin(b) => {
                self.w("builtin ");
                self.w(&b.id.name);
                self.w(" : ");
                let t = type_expression(&b.ty);
                self.w(&t);
            }
            Statement::Testcase(t) => {
                self.w("testcase ");
                self.w(&t.id.name);
                if let Some(ext) = &t.extends {
                    self.w(&format!(" extends \"{}\"", escape_string(&ext.value)));
                }
                self.w(" ");
                self.block(&t.block);
            }
            Statement::Return(r) => {
                self.w("return");
                self.assigned(&r.argument);
            }
            Statement::Expression(e) => self.expr(&e.expression),
            Statement::Bad(b) => self.w(&b.text),
        }
    }

    /// The value after `x =`, `option x =`, `return` or `key:`. As in `flux fmt`, a value that
    /// takes several lines or overflows the line moves to the next line, one level deeper,
    /// unless it opens with something that can stay on this line: `[`, `{`, a parameter list,
    /// an index, or an interpolated string's quote.
    fn assigned(&mut self, e: &Expression) {
        let stays = match e {
            Expression::Array(_)
            | Expression::Record(_)
            | Expression::Function(_)
            | Expression::Index(_) => true,
            Expression::String(s) => s.as_plain().is_none(),
            _ => false,
        };
        self.hang(stays, |p| p.expr(e));
    }

    /// Prints ` value` with `print`; if that breaks over lines or overflows (and `stays` is
    /// false), prints it again on a new line, one level deeper, instead.
    fn hang(&mut self, stays: bool, print: impl Fn(&mut Self)) {
        // Each of these can print its value twice, and nested ones multiply that, so past a few
        // nested levels the value simply stays (a function of the tree: still idempotent).
        const MAX_NESTED: usize = 6;
        if stays || self.inline_depth > 0 || self.trials >= MAX_NESTED {
            self.w(" ");
            print(self);
            return;
        }
        let start = self.out.len();
        let next_comment = self.next;
        self.trials += 1;
        self.w(" ");
        print(self);
        if !self.out[start..].contains('\n') && self.column() <= WIDTH {
            self.trials -= 1;
            return;
        }
        self.out.truncate(start);
        self.next = next_comment;
        self.indent += 1;
        self.newline();
        print(self);
        self.indent -= 1;
        self.trials -= 1;
    }

    fn block(&mut self, b: &Block) {
        self.w("{");
        if b.body.is_empty() && !self.has_comment_in(b.span) {
            self.w("}");
            return;
        }
        self.indent += 1;
        self.newline();
        self.statements(&b.body, b.span.end);
        if self.has_comment_in(Span::new(b.span.start, b.span.end)) {
            self.newline();
            self.leading(b.span.end);
            self.trim_line_end();
        }
        self.indent -= 1;
        self.newline();
        self.w("}");
    }

    /// Renders `e` on one line (comments suppressed) to measure it.
    fn inline(&mut self, f: impl FnOnce(&mut Self)) -> String {
        let saved = std::mem::take(&mut self.out);
        let indent = self.indent;
        self.inline_depth += 1;
        f(self);
        self.inline_depth -= 1;
        self.indent = indent;
        std::mem::replace(&mut self.out, saved)
    }

    fn fits(&self, s: &str) -> bool {
        !s.contains('\n') && self.column() + s.chars().count() <= WIDTH
    }

    // ---------------------------------------------------------------------------------------

    fn child(&mut self, e: &Expression, parent_prec: u8, right: bool) {
        if needs_parens(e, parent_prec, right) {
            self.w("(");
            self.expr(e);
            self.w(")");
        } else {
            self.expr(e);
        }
    }

    fn expr(&mut self, e: &Expression) {
        match e {
            Expression::Identifier(i) => self.w(&i.name),
            Expression::Integer(i) => self.w(&i.value.to_string()),
            Expression::Float(f) => self.w(&format_float(f.value)),
            Expression::String(s) => {
                self.w("\"");
                for p in &s.parts {
                    match p {
                        StringPart::Text(t) => {
                            let t = escape_string(t);
                            self.w(&t);
                        }
                        StringPart::Interpolated(e) => {
                            self.w("${");
                            self.expr(e);
                            self.w("}");
                        }
                    }
                }
                self.w("\"");
            }
            Expression::Regex(r) => {
                self.w("/");
                let v = r.value.replace('/', "\\/");
                self.w(&v);
                self.w("/");
            }
            Expression::Duration(d) => {
                for v in &d.values {
                    self.w(&v.magnitude.to_string());
                    self.w(v.unit.as_str());
                }
            }
            Expression::DateTime(d) => self.w(&d.text),
            Expression::PipeLit(_) => self.w("<-"),
            Expression::Label(l) => {
                self.w(".");
                self.label(&l.value);
            }
            Expression::Array(a) => {
                let items: Vec<&Expression> = a.elements.iter().collect();
                self.list("[", "]", a.span, &items, |p, e| p.expr(e), |e| e.span());
            }
            Expression::Dict(d) => {
                if d.elements.is_empty() {
                    self.w("[:]");
                    return;
                }
                let items: Vec<&DictItem> = d.elements.iter().collect();
                self.list(
                    "[",
                    "]",
                    d.span,
                    &items,
                    |p, item| {
                        p.expr(&item.key);
                        p.w(": ");
                        p.expr(&item.value);
                    },
                    |i| i.span,
                );
            }
            Expression::Record(r) => {
                let open = match &r.with {
                    Some(w) => format!("{{{} with ", w.name),
                    None => "{".to_string(),
                };
                if r.properties.is_empty() {
                    // `{r with}` (an empty property list is allowed after `with`)
                    self.w(open.trim_end());
                    self.w("}");
                    return;
                }
                let items: Vec<&Property> = r.properties.iter().collect();
                // `flux fmt` keeps the first property on the `{r with` line when the record
                // breaks only for lack of room (not for having more than 4 properties)
                self.first_item_inline = r.with.is_some();
                self.list(
                    &open,
                    "}",
                    r.span,
                    &items,
                    |p, prop| p.property(prop),
                    |p| p.span,
                );
            }
            Expression::Function(f) => self.function(f),
            Expression::Call(c) => self.call(c),
            Expression::Pipe(p) => self.pipe(p),
            Expression::Member(m) => {
                self.child(&m.object, 10, false);
                match &m.property {
                    PropertyKey::Identifier(i) => {
                        // `3.x` would lex as the float `3.` followed by `x`
                        if matches!(m.object, Expression::Integer(_)) {
                            self.w(" ");
                        }
                        self.w(".");
                        self.w(&i.name);
                    }
                    PropertyKey::String(s) => {
                        self.w(&format!("[\"{}\"]", escape_string(&s.value)));
                    }
                }
            }
            Expression::Index(i) => {
                self.child(&i.array, 10, false);
                self.w("[");
                self.expr(&i.index);
                self.w("]");
            }
            Expression::Unary(u) => {
                let p = prec(e);
                self.w(u.operator.as_str());
                let spaced = matches!(u.operator, UnaryOperator::Not | UnaryOperator::Exists)
                    || matches!(&u.argument, Expression::Unary(inner)
                        if matches!(inner.operator, UnaryOperator::Add | UnaryOperator::Sub));
                if spaced {
                    self.w(" ");
                }
                if let Expression::Function(_) = &u.argument {
                    self.expr(&u.argument);
                } else {
                    self.child(&u.argument, p, false);
                }
            }
            Expression::Binary(b) => {
                let p = prec(e);
                self.child(&b.left, p, false);
                self.w(" ");
                self.w(b.operator.as_str());
                self.w(" ");
                self.child(&b.right, p, true);
            }
            Expression::Logical(l) => {
                let p = prec(e);
                self.child(&l.left, p, false);
                self.w(" ");
                self.w(l.operator.as_str());
                self.w(" ");
                self.child(&l.right, p, true);
            }
            Expression::Conditional(c) => {
                self.w("if ");
                self.expr(&c.test);
                self.w(" then ");
                self.expr(&c.consequent);
                self.w(" else ");
                self.expr(&c.alternate);
            }
            Expression::Paren(p) => {
                self.w("(");
                self.expr(&p.expression);
                self.w(")");
            }
            Expression::Bad(_) => self.w("<bad expression>"),
        }
    }

    fn label(&mut self, v: &str) {
        if is_ident(v) {
            self.w(v);
        } else {
            self.w(&format!("\"{}\"", escape_string(v)));
        }
    }

    fn property(&mut self, p: &Property) {
        match &p.key {
            PropertyKey::Identifier(i) => self.w(&i.name),
            PropertyKey::String(s) => self.w(&format!("\"{}\"", escape_string(&s.value))),
        }
        if let Some(v) = &p.value {
            self.w(":");
            self.assigned(v);
        }
    }

    /// A bracketed, comma separated list, inline or one item per line.
    fn list<T>(
        &mut self,
        open: &str,
        close: &str,
        span: Span,
        items: &[T],
        item: impl Fn(&mut Self, &T),
        item_span: impl Fn(&T) -> Span,
    ) {
        let first_inline = std::mem::take(&mut self.first_item_inline)
            && items.len() <= MULTILINE
            && !self.has_comment_in(span);
        // (Inside a trial render no nested trial: it would double the work at every level,
        // and a nested list too long for the line makes the enclosing trial too long anyway.)
        let multiline = items.len() > MULTILINE
            || self.has_comment_in(span)
            || (self.inline_depth == 0 && {
                let s = self.inline(|p| {
                    p.w(open);
                    for (i, it) in items.iter().enumerate() {
                        if i > 0 {
                            p.w(", ");
                        }
                        item(p, it);
                    }
                    p.w(close);
                });
                !self.fits(&s)
            });
        self.w(open);
        if !multiline {
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    self.w(", ");
                }
                item(self, it);
            }
            self.w(close);
            return;
        }
        self.indent += 1;
        for (i, it) in items.iter().enumerate() {
            if i > 0 || !first_inline {
                self.newline();
                self.leading(item_span(it).start);
            }
            item(self, it);
            self.w(",");
            let limit = items
                .get(i + 1)
                .map(|n| item_span(n).start)
                .unwrap_or(span.end);
            self.trailing(limit);
        }
        if self.has_comment_in(span) {
            self.newline();
            self.leading(span.end);
            self.trim_line_end();
        }
        self.indent -= 1;
        self.newline();
        self.w(close);
    }

    fn function(&mut self, f: &FunctionExpr) {
        let params: Vec<&Parameter> = f.params.iter().collect();
        let end = match &f.body {
            FunctionBody::Block(b) => b.span.start,
            FunctionBody::Expression(e) => e.span().start,
        };
        let head_span = Span::new(f.span.start, end);
        self.list(
            "(",
            ")",
            head_span,
            &params,
            |p, param| {
                p.w(&param.key.name);
                if let Some(d) = &param.default {
                    p.w("=");
                    p.expr(d);
                }
            },
            |p| p.span,
        );
        self.w(" =>");
        match &f.body {
            FunctionBody::Block(b) => {
                self.w(" ");
                self.block(b);
            }
            // any expression body that breaks starts on its own line
            FunctionBody::Expression(e) => self.hang(false, |p| {
                // a record body needs parentheses to not read as a block
                if matches!(e, Expression::Record(_)) {
                    p.w("(");
                    p.expr(e);
                    p.w(")");
                } else {
                    p.expr(e);
                }
            }),
        }
    }

    fn call(&mut self, c: &CallExpr) {
        self.child(&c.callee, 10, false);
        if c.arguments.is_empty() {
            self.w("()");
            return;
        }
        let args: Vec<&Property> = c.arguments.iter().collect();
        let callee_end = c.callee.span().end;
        self.list(
            "(",
            ")",
            Span::new(callee_end, c.span.end),
            &args,
            |p, prop| p.property(prop),
            |p| p.span,
        );
    }

    fn pipe(&mut self, p: &PipeExpr) {
        // flatten the chain: head |> c1 |> c2 ...
        let mut calls = vec![&p.call];
        let mut head = &p.argument;
        while let Expression::Pipe(inner) = head {
            calls.push(&inner.call);
            head = &inner.argument;
        }
        calls.reverse();
        // With the source, a chain keeps its stages on separate lines if it had them (as
        // `flux fmt` does); without, a chain of two or more stages always breaks.
        let broken = match self.source {
            Some(src) => src.get(p.span.range()).is_some_and(|t| t.contains('\n')),
            None => calls.len() >= 2,
        };
        let multiline = broken
            || self.has_comment_in(p.span)
            || (self.inline_depth == 0 && {
                let s = self.inline(|q| q.pipe_inline(head, &calls));
                !self.fits(&s)
            });
        if !multiline {
            self.pipe_inline(head, &calls);
            return;
        }
        self.child(head, 8, false);
        self.indent += 1;
        for (i, c) in calls.iter().enumerate() {
            let limit = c.span.start;
            self.trailing(limit);
            self.newline();
            self.leading(c.callee.span().start);
            self.w("|> ");
            self.call(c);
            let _ = i;
        }
        self.indent -= 1;
    }

    fn pipe_inline(&mut self, head: &Expression, calls: &[&CallExpr]) {
        self.child(head, 8, false);
        for c in calls {
            self.w(" |> ");
            self.call(c);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

fn type_expression(t: &TypeExpression) -> String {
    let mut s = monotype(&t.monotype);
    if !t.constraints.is_empty() {
        s.push_str(" where ");
        let cs: Vec<String> = t
            .constraints
            .iter()
            .map(|c| {
                let kinds: Vec<&str> = c.kinds.iter().map(|k| k.name.as_str()).collect();
                format!("{}: {}", c.tvar.name, kinds.join(" + "))
            })
            .collect();
        s.push_str(&cs.join(", "));
    }
    s
}

fn label_text(v: &str) -> String {
    if is_ident(v) {
        v.to_string()
    } else {
        format!("\"{}\"", escape_string(v))
    }
}

fn monotype(t: &MonoType) -> String {
    match t {
        MonoType::Tvar(i) | MonoType::Basic(i) => i.name.clone(),
        MonoType::Dynamic(_) => "dynamic".to_string(),
        MonoType::Array(a) => format!("[{}]", monotype(&a.element)),
        MonoType::Stream(a) => format!("stream[{}]", monotype(&a.element)),
        MonoType::Vector(a) => format!("vector[{}]", monotype(&a.element)),
        MonoType::Dict(d) => format!("[{}: {}]", monotype(&d.key), monotype(&d.value)),
        MonoType::Record(r) => {
            let props: Vec<String> = r
                .properties
                .iter()
                .map(|p| {
                    let name = match &p.name {
                        PropertyKey::Identifier(i) => i.name.clone(),
                        PropertyKey::String(s) => format!("\"{}\"", escape_string(&s.value)),
                    };
                    format!("{name}: {}", monotype(&p.ty))
                })
                .collect();
            match &r.tvar {
                Some(tv) => format!("{{{} with {}}}", tv.name, props.join(", ")),
                None => format!("{{{}}}", props.join(", ")),
            }
        }
        MonoType::Function(f) => {
            let params: Vec<String> = f
                .params
                .iter()
                .map(|p| {
                    let prefix = match p.kind {
                        ParameterKind::Required => "",
                        ParameterKind::Optional => "?",
                        ParameterKind::Pipe => "<-",
                    };
                    let name = p.name.as_ref().map(|n| n.name.as_str()).unwrap_or("");
                    let mut s = format!("{prefix}{name}: {}", monotype(&p.ty));
                    if let Some(d) = &p.default {
                        s.push_str(&format!(" = .{}", label_text(&d.value)));
                    }
                    s
                })
                .collect();
            format!("({}) => {}", params.join(", "), monotype(&f.ret))
        }
        MonoType::Label(l) => format!(".{}", label_text(&l.value)),
    }
}
