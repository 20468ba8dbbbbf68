//! A program's options without running its queries: the task scheduler reads
//! `option task = {name, every, cron, offset}` of a stored script to know when to run it,
//! long before (and without) reading any data. Options are ordinary values, evaluated the
//! way `execute` evaluates them; expression statements are skipped, and a variable whose
//! value needs data is left unbound (an option using it then fails to evaluate).

use edgeflux_flux_syntax::ast::Statement;

use crate::error::Result;
use crate::eval::{self, Interp};
use crate::source::NoSource;
use crate::value::Value;
use crate::QueryOptions;

/// The options a program sets (`option name = ...` and `option pkg.name = ...`), by name.
pub fn program_options(text: &str, options: &QueryOptions) -> Result<Vec<(String, Value)>> {
    let file = eval::parse(text)?;
    let mut imports = file.clone();
    imports.body.clear();
    let mut interp = Interp::new(&NoSource, options);
    let env = eval::prelude_env(&mut interp)?;
    let mut env = eval::exec_file(&mut interp, &imports, text, env)?;
    for st in &file.body {
        match st {
            Statement::Variable(v) => {
                if let Ok(val) = interp.eval(&v.init, &env) {
                    env = eval::bind(&env, &v.id.name, val);
                }
            }
            Statement::Option(_) => {
                env = eval::exec_statements(&mut interp, std::slice::from_ref(st), text, env)?
            }
            _ => {}
        }
    }
    let mut out: Vec<(String, Value)> = interp.option_values.into_iter().collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The value of `option task`, if the program sets it.
pub fn task_option(text: &str, options: &QueryOptions) -> Result<Option<Value>> {
    Ok(program_options(text, options)?
        .into_iter()
        .find(|(k, _)| k == "task")
        .map(|(_, v)| v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_option_is_an_ordinary_record_option() {
        let text = r#"
import "strings"
name = strings.toUpper(v: "down")
option task = {name: name, every: 1h, offset: 10m}
data = from(bucket: "b") |> range(start: -task.every) |> count()
data |> yield()
"#;
        let t = task_option(text, &QueryOptions::default())
            .unwrap()
            .expect("set");
        let Value::Record(r) = t else { panic!("{t:?}") };
        assert!(matches!(r.get("name"), Some(Value::String(s)) if &**s == "DOWN"));
        assert!(matches!(r.get("every"), Some(Value::Duration(d)) if d.nanos == 3_600_000_000_000));
        assert!(task_option("x = 1", &QueryOptions::default())
            .unwrap()
            .is_none());
        let bad = task_option("option task = {every: nope}", &QueryOptions::default());
        assert!(bad.is_err());
    }
}
