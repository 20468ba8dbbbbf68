//! `option task = {name, every | cron, offset, concurrency, retry}` read out of a task's
//! script, validated with InfluxDB's rules and texts (messages here follow the prefix
//! `invalid options: `), and written back when a PATCH or a create body changes them.

use edgeflux_flux_syntax::ast::{self, Expression, Statement, UnaryOperator};

use super::schedule::{parse_cron, parse_go_duration, Schedule};
use crate::flux_extern::string_literal;

const SECOND: i64 = 1_000_000_000;
const KNOWN: [&str; 6] = ["name", "cron", "every", "offset", "concurrency", "retry"];

/// The task options of a script.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskOptions {
    pub name: String,
    /// As written, e.g. `1h` (empty when `cron` is used).
    pub every: String,
    pub cron: String,
    /// As written, e.g. `5m` (empty when absent).
    pub offset: String,
    /// Other properties (`concurrency`, `retry`) as their source text, kept on edits.
    pub extra: Vec<(String, String)>,
}

impl TaskOptions {
    pub fn schedule(&self) -> Result<Schedule, String> {
        if !self.cron.is_empty() {
            return parse_cron(&self.cron).map_err(|e| format!("cron invalid: {e}"));
        }
        let every = parse_go_duration(&self.every)
            .ok_or_else(|| "failed to parse field 'every' in task options".to_string())?;
        Ok(Schedule::Every(every))
    }

    /// The offset in nanoseconds (0 when absent).
    pub fn offset_ns(&self) -> i64 {
        parse_go_duration(&self.offset).unwrap_or(0)
    }

    /// Checks the combination as InfluxDB does after reading the options.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.is_empty() {
            return Err("missing required option: name".into());
        }
        match (self.every.is_empty(), self.cron.is_empty()) {
            (false, false) => return Err("cannot use both cron and every in task options".into()),
            (true, true) => return Err("missing required option: cron or every is required".into()),
            _ => {}
        }
        if let Schedule::Every(every) = self.schedule()? {
            if every < SECOND {
                return Err("every option must be at least 1 second".into());
            }
            if every % SECOND != 0 {
                return Err("every option must be expressible as whole seconds".into());
            }
        }
        if !self.offset.is_empty() {
            let offset = parse_go_duration(&self.offset)
                .ok_or_else(|| "failed to parse field 'offset' in task options".to_string())?;
            if offset % SECOND != 0 {
                return Err("offset option must be expressible as whole seconds".into());
            }
        }
        Ok(())
    }

    /// The option statement these options are written as.
    pub fn to_flux(&self) -> String {
        let mut props = vec![format!("name: {}", string_literal(&self.name))];
        if !self.every.is_empty() {
            props.push(format!("every: {}", self.every));
        }
        if !self.cron.is_empty() {
            props.push(format!("cron: {}", string_literal(&self.cron)));
        }
        if !self.offset.is_empty() && parse_go_duration(&self.offset) != Some(0) {
            props.push(format!("offset: {}", self.offset));
        }
        for (k, v) in &self.extra {
            props.push(format!("{k}: {v}"));
        }
        format!("option task = {{{}}}", props.join(", "))
    }
}

/// Where the `option task` statement sits in a script, and what it says.
struct Found {
    span: ast::Span,
    options: TaskOptions,
}

/// Reads `option task` from `flux`. `Ok(None)` when the script has none.
fn find(flux: &str) -> Result<Option<Found>, String> {
    let file = edgeflux_flux::eval::parse(flux).map_err(|e| e.message().to_string())?;
    for st in &file.body {
        let Statement::Option(o) = st else { continue };
        if o.namespace.is_some() || o.id.name != "task" {
            continue;
        }
        let Expression::Record(r) = &o.init else {
            return Err("unexpected kind: got \"non-record\" expected \"object\"".into());
        };
        let mut options = TaskOptions::default();
        let mut unknown = Vec::new();
        for p in &r.properties {
            let key = p.key.name();
            let Some(value) = &p.value else {
                return Err(format!("failed to parse field '{key}' in task options"));
            };
            let text = flux
                .get(value.span().start as usize..value.span().end as usize)
                .unwrap_or("")
                .to_string();
            match key {
                "name" => options.name = literal_text(value, key)?,
                "cron" => options.cron = literal_text(value, key)?,
                "every" | "offset" => {
                    if !is_duration(value) || parse_go_duration(&text).is_none() {
                        return Err(format!("failed to parse field '{key}' in task options"));
                    }
                    if key == "every" {
                        options.every = text;
                    } else {
                        options.offset = text;
                    }
                }
                "concurrency" | "retry" => {
                    if !matches!(value, Expression::Integer(_)) {
                        return Err(
                            "unexpected kind: got \"non-integer\" expected \"int\"".to_string()
                        );
                    }
                    options.extra.push((key.to_string(), text));
                }
                other => unknown.push(other.to_string()),
            }
        }
        if !unknown.is_empty() {
            return Err(format!(
                "unknown task option(s): {}. valid options are {}",
                unknown.join(", "),
                KNOWN.join(", ")
            ));
        }
        return Ok(Some(Found {
            span: o.span,
            options,
        }));
    }
    Ok(None)
}

fn literal_text(e: &Expression, key: &str) -> Result<String, String> {
    match e {
        Expression::String(s) => s
            .parts
            .iter()
            .map(|p| match p {
                ast::StringPart::Text(t) => Ok(t.as_str()),
                ast::StringPart::Interpolated(_) => {
                    Err(format!("failed to parse field '{key}' in task options"))
                }
            })
            .collect(),
        _ => Err(format!(
            "unexpected kind: got \"non-string\" expected \"string\" for '{key}'"
        )),
    }
}

fn is_duration(e: &Expression) -> bool {
    match e {
        Expression::Duration(_) => true,
        Expression::Unary(u) => {
            u.operator == UnaryOperator::Sub && matches!(u.argument, Expression::Duration(_))
        }
        _ => false,
    }
}

/// The validated task options of a script (InfluxDB: `missing required option: task` when
/// the script has none).
pub fn extract(flux: &str) -> Result<TaskOptions, String> {
    let found = find(flux)?.ok_or_else(|| "missing required option: task".to_string())?;
    found.options.validate()?;
    Ok(found.options)
}

/// Changes to a script's options, as a create body or a PATCH asks for them.
#[derive(Debug, Default)]
pub struct OptionEdits {
    pub name: Option<String>,
    pub every: Option<String>,
    pub cron: Option<String>,
    pub offset: Option<String>,
}

impl OptionEdits {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.every.is_none() && self.cron.is_none() && self.offset.is_none()
    }
}

/// `flux` with its `option task` rewritten (or added at the top) to carry `edits`; every
/// (cron) replaces cron (every). Returns the script and its validated options.
pub fn edit(flux: &str, edits: &OptionEdits) -> Result<(String, TaskOptions), String> {
    let found = find(flux)?;
    let mut options = found
        .as_ref()
        .map(|f| f.options.clone())
        .unwrap_or_default();
    if let Some(n) = &edits.name {
        options.name = n.clone();
    }
    if let Some(e) = edits.every.as_ref().filter(|e| !e.is_empty()) {
        options.every = e.clone();
        options.cron.clear();
    }
    if let Some(c) = edits.cron.as_ref().filter(|c| !c.is_empty()) {
        options.cron = c.clone();
        options.every.clear();
    }
    if let Some(o) = &edits.offset {
        options.offset = o.clone();
    }
    options.validate()?;
    let statement = options.to_flux();
    let script = match found {
        Some(f) => format!(
            "{}{statement}{}",
            &flux[..f.span.start as usize],
            &flux[f.span.end as usize..]
        ),
        None => format!("{statement}\n\n{flux}"),
    };
    Ok((script, options))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_cron_offset_and_refuses_what_influxdb_refuses() {
        let o = extract("option task = {name: \"t\", every: 1h, offset: 5m}\nfrom(bucket: \"b\")")
            .unwrap();
        assert_eq!(
            (o.name.as_str(), o.every.as_str(), o.offset.as_str()),
            ("t", "1h", "5m")
        );
        assert_eq!(o.offset_ns(), 300 * SECOND);
        let c = extract(r#"option task = {name: "c", cron: "0 * * * *"}"#).unwrap();
        assert_eq!(c.cron, "0 * * * *");
        let err = |flux: &str| extract(flux).unwrap_err();
        assert_eq!(err("from(bucket: \"b\")"), "missing required option: task");
        assert_eq!(
            err("option task = {every: 1h}"),
            "missing required option: name"
        );
        assert_eq!(
            err(r#"option task = {name: "x"}"#),
            "missing required option: cron or every is required"
        );
        assert_eq!(
            err(r#"option task = {name: "x", every: 1h, cron: "* * * * *"}"#),
            "cannot use both cron and every in task options"
        );
        assert_eq!(
            err(r#"option task = {name: "x", every: 1d}"#),
            "failed to parse field 'every' in task options"
        );
        assert_eq!(
            err(r#"option task = {name: "x", every: 500ms}"#),
            "every option must be at least 1 second"
        );
        assert!(err(r#"option task = {name: "x", cron: "bad"}"#).starts_with("cron invalid: "));
        assert!(
            err(r#"option task = {name: "x", every: 1h, colour: "red"}"#)
                .starts_with("unknown task option(s): colour.")
        );
        assert!(err("option task = {name: ").contains("error at @1"));
    }

    #[test]
    fn edits_rewrite_the_statement_or_add_one() {
        let (script, o) = edit(
            "option task = {name: \"t\", every: 1h, retry: 2}\n\nfrom(bucket: \"b\")",
            &OptionEdits {
                cron: Some("*/5 * * * *".into()),
                offset: Some("10s".into()),
                ..OptionEdits::default()
            },
        )
        .unwrap();
        assert_eq!(
            script,
            "option task = {name: \"t\", cron: \"*/5 * * * *\", offset: 10s, retry: 2}\n\nfrom(bucket: \"b\")"
        );
        assert!(o.every.is_empty());
        assert_eq!(extract(&script).unwrap(), o);
        let (script, _) = edit(
            "from(bucket: \"b\")",
            &OptionEdits {
                name: Some("down\"sample".into()),
                every: Some("1h".into()),
                offset: Some("5m".into()),
                ..OptionEdits::default()
            },
        )
        .unwrap();
        assert_eq!(
            script,
            "option task = {name: \"down\\\"sample\", every: 1h, offset: 5m}\n\nfrom(bucket: \"b\")"
        );
        assert_eq!(extract(&script).unwrap().name, "down\"sample");
        assert!(edit("x", &OptionEdits::default()).is_err());
    }
}
