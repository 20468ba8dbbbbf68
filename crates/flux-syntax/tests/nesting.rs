//! The explicit nesting limit: deep programs get a diagnostic, never a stack overflow.

use edgeflux_flux_syntax::{parse, MAX_NESTING};

#[test]
fn nesting_at_the_limit_parses() {
    // Debug builds need ~45 KiB of stack per level (see MAX_NESTING), so use a main-thread
    // sized stack.
    let handle = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(|| {
            let depth = MAX_NESTING;
            let src = format!("x = {}1{}", "(".repeat(depth - 1), ")".repeat(depth - 1));
            let r = parse(&src);
            assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
            let src = format!("x = {}1{}", "(".repeat(depth + 1), ")".repeat(depth + 1));
            let r = parse(&src);
            assert!(r.diagnostics[0].message.contains("too deeply nested"));
        })
        .expect("spawn");
    handle.join().expect("parse at the limit");
}

#[test]
fn nesting_beyond_the_limit_is_a_diagnostic() {
    for src in [
        format!("x = {}1{}", "(".repeat(100_000), ")".repeat(100_000)),
        format!("x = {}1", "-".repeat(100_000)),
        format!("x = {}1", "not ".repeat(100_000)),
        format!("x = {}", "(a) => ".repeat(100_000)),
        format!("x = {}1", "if true then 1 else ".repeat(100_000)),
        format!("x = {}", "[".repeat(100_000)),
        format!("x = \"{}\"", "${\"".repeat(50_000)),
    ] {
        let r = parse(&src);
        assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
        assert!(r.diagnostics[0].message.contains("too deeply nested"));
    }
}

#[test]
fn long_chains_are_limited_too() {
    let ok = format!("x = 1{}", " + 1".repeat(900));
    assert!(parse(&ok).diagnostics.is_empty());
    let long = format!("x = 1{}", " + 1".repeat(5_000));
    let r = parse(&long);
    assert!(r.diagnostics[0].message.contains("too long"));
}

#[test]
fn siblings_do_not_add_up() {
    // 300 conditionals side by side, and 300 statements with prefix operators, are shallow.
    let args: Vec<String> = (0..300)
        .map(|i| format!("a{i}: if x then -1 else 2"))
        .collect();
    let src = format!("f({})\n", args.join(", "));
    assert!(parse(&src).diagnostics.is_empty());
    let stmts: String = (0..300)
        .map(|i| format!("v{i} = not exists r.x\n"))
        .collect();
    assert!(parse(&stmts).diagnostics.is_empty());
}
