//! The pass's errors, checked through `execute` on programs that never reach a data source.

use crate::{execute, NoSource, QueryOptions};

fn error(program: &str) -> String {
    match execute(program, &QueryOptions::default(), &NoSource) {
        Ok(_) => String::from("no error"),
        Err(e) => e.message().to_string(),
    }
}

fn compile_error(at: &str, message: &str) -> String {
    format!("compilation failed: error at @{at}: {message}")
}

#[test]
fn argument_names_are_checked_before_running() {
    assert_eq!(
        error("f = (a, b) => a + b\nf(a: 0, c: 1)"),
        compile_error("2:12-2:13", "found unexpected argument c (Expected `b`)")
    );
    assert_eq!(
        error("f = (a, b) => a + b\nf(a: 0)"),
        compile_error("2:1-2:8", "missing required argument b")
    );
    assert_eq!(
        error(r#"from(bucket: "b") |> range(start: -1h, end: now())"#),
        compile_error(
            "1:45-1:50",
            "found unexpected argument end (Expected `stop`)"
        )
    );
    assert_eq!(
        error(r#"from(bucket: "b") |> limit()"#),
        compile_error("1:22-1:29", "missing required argument n")
    );
    assert_eq!(
        error(r#"range(start: -1h)"#),
        compile_error("1:1-1:18", "missing required argument tables")
    );
    // A shadowed universe name takes the program's parameters.
    assert_eq!(error("limit = (x) => x\nlimit(x: 1)"), "no error");
}

#[test]
fn calling_a_value_that_is_not_a_function() {
    assert_eq!(
        error("x = 1\nx()"),
        compile_error("2:1-2:4", "expected int but found () => A")
    );
    assert_eq!(
        error("x = \"s\"\ny = x(a: 1, b: x)"),
        compile_error(
            "2:5-2:18",
            "expected string but found (a: int, b: string) => A"
        )
    );
}

#[test]
fn operators_on_mismatched_literal_types() {
    assert_eq!(
        error("x = 1 + \"a\""),
        compile_error("1:9-1:12", "expected int but found string")
    );
    assert_eq!(
        error("x = 1.0\ny = x * 2"),
        compile_error("2:9-2:10", "expected float but found int")
    );
    assert_eq!(
        error("x = true + false"),
        compile_error("1:5-1:17", "bool is not Addable")
    );
    assert_eq!(
        error("x = 1h + 1h"),
        compile_error("1:5-1:12", "duration is not Addable")
    );
    assert_eq!(
        error("x = not 1"),
        compile_error("1:9-1:10", "expected bool but found int")
    );
    assert_eq!(
        error("x = 1 and true"),
        compile_error("1:5-1:6", "expected bool but found int")
    );
    assert_eq!(
        error("x = if 1 then 2 else 3"),
        compile_error("1:8-1:9", "expected bool but found int")
    );
    assert_eq!(
        error("x = if true then 2 else \"3\""),
        compile_error("1:25-1:28", "expected int but found string")
    );
    assert_eq!(
        error("x = \"a\" =~ \"b\""),
        compile_error("1:12-1:15", "expected regexp but found string")
    );
    assert_eq!(
        error("x = -\"a\""),
        compile_error("1:6-1:9", "string is not Negatable")
    );
    assert_eq!(
        error("x = true < false"),
        compile_error("1:5-1:9", "bool is not Comparable")
    );
    assert_eq!(
        error("x = float(v: 1) + 2"),
        compile_error("1:19-1:20", "expected float but found int")
    );
    // Unknown types are left to run time.
    assert_eq!(error("f = (a) => a + 1\nx = f(a: 2.0)"), "no error");
    assert_eq!(error("x = 1 == 1.0"), "no error");
}

#[test]
fn undefined_identifiers_keep_their_wording() {
    assert_eq!(
        error("x = y"),
        compile_error("1:5-1:6", "undefined identifier \"y\"")
    );
}
