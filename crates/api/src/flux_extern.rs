//! The `extern` of a query request is a Flux AST `File` (JSON). Clients use it for
//! parameters (`option name = literal`) and imports; this renders those statements
//! back to Flux text that runs before the query.

use serde_json::Value;

pub fn render_file(file: &Value) -> Result<String, String> {
    let mut out = String::new();
    if let Some(imports) = file.get("imports").and_then(Value::as_array) {
        for imp in imports {
            let path = imp
                .get("path")
                .and_then(|p| p.get("value"))
                .and_then(Value::as_str)
                .ok_or("import without a path")?;
            out.push_str("import ");
            if let Some(alias) = imp
                .get("as")
                .and_then(|a| a.get("name"))
                .and_then(Value::as_str)
            {
                out.push_str(alias);
                out.push(' ');
            }
            out.push_str(&string_literal(path));
            out.push('\n');
        }
    }
    if let Some(body) = file.get("body").and_then(Value::as_array) {
        for stmt in body {
            out.push_str(&statement(stmt)?);
            out.push('\n');
        }
    }
    Ok(out)
}

fn statement(s: &Value) -> Result<String, String> {
    match s.get("type").and_then(Value::as_str).unwrap_or("") {
        "OptionStatement" => {
            let a = s.get("assignment").ok_or("option without assignment")?;
            Ok(format!("option {}", assignment(a)?))
        }
        "VariableAssignment" | "MemberAssignment" => assignment(s),
        other => Err(format!("unsupported statement type {other:?}")),
    }
}

fn assignment(a: &Value) -> Result<String, String> {
    let init = expression(a.get("init").ok_or("assignment without value")?)?;
    match a.get("type").and_then(Value::as_str).unwrap_or("") {
        "VariableAssignment" => {
            let name = ident(a.get("id").ok_or("assignment without id")?)?;
            Ok(format!("{name} = {init}"))
        }
        "MemberAssignment" => {
            let member = a.get("member").ok_or("member assignment without member")?;
            Ok(format!("{} = {init}", expression(member)?))
        }
        other => Err(format!("unsupported assignment type {other:?}")),
    }
}

fn ident(v: &Value) -> Result<String, String> {
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .ok_or("identifier without name")?;
    if name.is_empty()
        || !name.chars().all(|c| c.is_alphanumeric() || c == '_')
        || name.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(format!("invalid identifier {name:?}"));
    }
    Ok(name.to_string())
}

/// The JSON body's `params` object as the prelude `params = {"key": value, ...}`, so a
/// query reads `params.key` (InfluxDB Cloud's parameterized queries; OSS 2.x ignores the
/// field). Values are JSON scalars: strings, numbers and booleans; like Cloud, a duration
/// or time travels as a string and the query converts it (`duration(v: params.start)`).
/// Keys are written as string literals, so no key can inject code.
pub fn render_params(params: &Value) -> Result<String, String> {
    let Value::Object(map) = params else {
        return Err("must be an object".into());
    };
    let mut out = String::from("params = {");
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&string_literal(key));
        out.push_str(": ");
        match value {
            Value::String(s) => out.push_str(&string_literal(s)),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) if n.is_i64() => out.push_str(&n.to_string()),
            Value::Number(n) => {
                let f = n.as_f64().ok_or("number out of range")?;
                // Flux float literals have no exponent and need a fraction; Display
                // writes every digit and no exponent.
                let mut text = f.to_string();
                if !text.contains('.') {
                    text.push_str(".0");
                }
                out.push_str(&text);
            }
            other => {
                return Err(format!(
                    "unsupported value for {key:?}: {}",
                    match other {
                        Value::Null => "null",
                        Value::Array(_) => "array",
                        _ => "object",
                    }
                ))
            }
        }
    }
    out.push_str("}\n");
    Ok(out)
}

pub(crate) fn string_literal(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Literal values are checked for shape so nothing but a literal can be injected.
fn expression(e: &Value) -> Result<String, String> {
    let kind = e.get("type").and_then(Value::as_str).unwrap_or("");
    let text = |e: &Value| -> Result<String, String> {
        match e.get("value") {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(Value::Bool(b)) => Ok(b.to_string()),
            _ => Err(format!("{kind} without a value")),
        }
    };
    match kind {
        "StringLiteral" => Ok(string_literal(&text(e)?)),
        "IntegerLiteral" | "UnsignedIntegerLiteral" => {
            let v = text(e)?;
            v.parse::<i128>()
                .map_err(|_| format!("invalid integer literal {v:?}"))?;
            Ok(v)
        }
        "FloatLiteral" => {
            let v = text(e)?;
            let f: f64 = v
                .parse()
                .map_err(|_| format!("invalid float literal {v:?}"))?;
            if !f.is_finite() {
                return Err(format!("invalid float literal {v:?}"));
            }
            let s = format!("{f:?}");
            Ok(if s.contains('.') || s.contains('e') {
                s
            } else {
                format!("{s}.0")
            })
        }
        "BooleanLiteral" => match e.get("value") {
            Some(Value::Bool(true)) => Ok("true".into()),
            Some(Value::Bool(false)) => Ok("false".into()),
            _ => Err("invalid boolean literal".into()),
        },
        "DateTimeLiteral" => {
            let v = text(e)?;
            edgeflux_types::time::parse_rfc3339(&v)
                .ok_or_else(|| format!("invalid date-time {v:?}"))?;
            Ok(v)
        }
        "DurationLiteral" => {
            let values = e
                .get("values")
                .and_then(Value::as_array)
                .ok_or("duration without values")?;
            let mut out = String::new();
            for v in values {
                let mag = v
                    .get("magnitude")
                    .and_then(|m| {
                        m.as_i64()
                            .or_else(|| m.as_str().and_then(|s| s.parse().ok()))
                    })
                    .ok_or("duration without magnitude")?;
                let unit = v
                    .get("unit")
                    .and_then(Value::as_str)
                    .ok_or("duration without unit")?;
                if !matches!(
                    unit,
                    "y" | "mo" | "w" | "d" | "h" | "m" | "s" | "ms" | "us" | "µs" | "ns"
                ) {
                    return Err(format!("invalid duration unit {unit:?}"));
                }
                out.push_str(&format!("{mag}{unit}"));
            }
            if out.is_empty() {
                return Err("empty duration".into());
            }
            Ok(out)
        }
        "ArrayExpression" => {
            let items = e
                .get("elements")
                .and_then(Value::as_array)
                .map(|v| v.as_slice())
                .unwrap_or(&[]);
            let parts: Result<Vec<String>, String> = items.iter().map(expression).collect();
            Ok(format!("[{}]", parts?.join(", ")))
        }
        "ObjectExpression" => {
            let props = e
                .get("properties")
                .and_then(Value::as_array)
                .map(|v| v.as_slice())
                .unwrap_or(&[]);
            let mut parts = Vec::new();
            for p in props {
                let key = p.get("key").ok_or("property without key")?;
                let key = match key.get("type").and_then(Value::as_str) {
                    Some("StringLiteral") => string_literal(&text(key)?),
                    _ => ident(key)?,
                };
                let value = expression(p.get("value").ok_or("property without value")?)?;
                parts.push(format!("{key}: {value}"));
            }
            Ok(format!("{{{}}}", parts.join(", ")))
        }
        "UnaryExpression" => {
            let op = e.get("operator").and_then(Value::as_str).unwrap_or("");
            if op != "-" && op != "+" && op != "not" {
                return Err(format!("unsupported operator {op:?}"));
            }
            let arg = expression(e.get("argument").ok_or("unary without argument")?)?;
            Ok(if op == "not" {
                format!("not {arg}")
            } else {
                format!("{op}{arg}")
            })
        }
        "Identifier" => ident(e),
        "MemberExpression" => {
            let obj = expression(e.get("object").ok_or("member without object")?)?;
            let prop = e.get("property").ok_or("member without property")?;
            Ok(format!("{obj}.{}", ident(prop)?))
        }
        other => Err(format!("unsupported expression type {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_python_client_params() {
        let file = json!({
            "type": "File",
            "imports": [],
            "body": [
                {"type": "OptionStatement", "assignment": {"type": "VariableAssignment",
                  "id": {"type": "Identifier", "name": "bucketParam"},
                  "init": {"type": "StringLiteral", "value": "my \"b\""}}},
                {"type": "OptionStatement", "assignment": {"type": "VariableAssignment",
                  "id": {"type": "Identifier", "name": "n"},
                  "init": {"type": "IntegerLiteral", "value": "42"}}},
                {"type": "OptionStatement", "assignment": {"type": "VariableAssignment",
                  "id": {"type": "Identifier", "name": "d"},
                  "init": {"type": "UnaryExpression", "operator": "-", "argument":
                    {"type": "DurationLiteral", "values": [{"magnitude": 3600000000i64, "unit": "us"}]}}}},
                {"type": "OptionStatement", "assignment": {"type": "VariableAssignment",
                  "id": {"type": "Identifier", "name": "t"},
                  "init": {"type": "DateTimeLiteral", "value": "2020-01-01T00:00:00Z"}}}
            ]
        });
        let text = render_file(&file).unwrap();
        assert_eq!(
            text,
            "option bucketParam = \"my \\\"b\\\"\"\noption n = 42\noption d = -3600000000us\noption t = 2020-01-01T00:00:00Z\n"
        );
    }

    #[test]
    fn renders_params_as_a_record_of_literals() {
        let params =
            json!({"bucket": "my \"b\"", "n": 42, "x": 1.5, "big": 1e20, "on": true, "a b": -3});
        assert_eq!(
            render_params(&params).unwrap(),
            "params = {\"a b\": -3, \"big\": 100000000000000000000.0, \"bucket\": \"my \\\"b\\\"\", \"n\": 42, \"on\": true, \"x\": 1.5}\n"
        );
        assert!(render_params(&json!({"k": null})).is_err());
        assert!(render_params(&json!({"k": [1]})).is_err());
        assert!(render_params(&json!([1])).is_err());
    }

    #[test]
    fn refuses_what_is_not_a_literal() {
        let bad = json!({"body": [{"type": "OptionStatement", "assignment": {"type": "VariableAssignment",
            "id": {"name": "x"}, "init": {"type": "IntegerLiteral", "value": "1 + evil()"}}}]});
        assert!(render_file(&bad).is_err());
        let bad = json!({"body": [{"type": "ExpressionStatement"}]});
        assert!(render_file(&bad).is_err());
        let bad = json!({"body": [{"type": "OptionStatement", "assignment": {"type": "VariableAssignment",
            "id": {"name": "x y"}, "init": {"type": "BooleanLiteral", "value": true}}}]});
        assert!(render_file(&bad).is_err());
    }
}
