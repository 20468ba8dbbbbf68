//! Property: for generated Flux programs, `parse(format(ast)) == ast` modulo spans, and
//! formatting is idempotent.
#![cfg(not(target_arch = "wasm32"))]

use edgeflux_flux_syntax::{format, format_with_source, parse, to_json, JsonOptions};
use proptest::prelude::*;

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["r", "_value", "a1", "tables", "αβ", "true"])
            .prop_map(String::from),
        (0i64..1_000_000).prop_map(|n| n.to_string()),
        (0u32..10_000, 0u32..1000).prop_map(|(a, b)| format!("{a}.{b}")),
        prop::sample::select(vec!["1h30m", "5m", "1mo2w", "-1d", "10ns"]).prop_map(String::from),
        prop::sample::select(vec!["/a.*/", r"/\/x\d+/", "/^$/"]).prop_map(String::from),
        prop::sample::select(vec![
            "2020-01-01T00:00:00Z",
            "2018-01-01",
            "2019-10-10T10:10:10.5+05:30"
        ])
        .prop_map(String::from),
        "[a-z \\\\\"$]{0,8}".prop_map(|s| {
            // escape for a Flux string literal
            let mut out = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    _ => out.push(c),
                }
            }
            out.push('"');
            out
        }),
        Just("[:]".to_string()),
        Just(".label".to_string()),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(5, 48, 4, |inner| {
        let op = prop::sample::select(vec![
            "+", "-", "*", "/", "%", "^", "==", "!=", "<", "<=", ">", ">=", "=~", "!~", "and", "or",
        ]);
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("({a}) {o} ({b})")),
            (inner.clone(), op_noparens(), inner.clone())
                .prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            inner.clone().prop_map(|a| format!("-({a})")),
            inner.clone().prop_map(|a| format!("not ({a})")),
            inner.clone().prop_map(|a| format!("exists ({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("f(x: {a}, y: {b})")),
            inner.clone().prop_map(|a| format!("({a}).field")),
            inner
                .clone()
                .prop_map(|a| format!("({a})[\"key with space\"]")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a})[{b}]")),
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(inner.clone(), 1..7).prop_map(|v| {
                let props: Vec<String> = v
                    .iter()
                    .enumerate()
                    .map(|(i, e)| format!("k{i}: {e}"))
                    .collect();
                format!("{{{}}}", props.join(", "))
            }),
            inner.clone().prop_map(|a| format!("{{r with x: {a}, y}}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[{a}: {b}]")),
            inner.clone().prop_map(|a| format!("(x, y=1, t=<-) => {a}")),
            inner
                .clone()
                .prop_map(|a| format!("(r) => {{\n    v = {a}\n    return v\n}}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) |> f(x: {b}) |> g()")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("if {a} then {b} else {c}")),
            inner.clone().prop_map(|a| format!("\"s ${{{a}}} e\"")),
        ]
    })
}

fn op_noparens() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["+", "*", "==", "and", "or"])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn format_round_trips(e in expr(), comment in any::<bool>()) {
        let src = if comment {
            format!("// leading\nx = {e} // trailing\ny = 1\n")
        } else {
            format!("x = {e}\n")
        };
        let first = parse(&src);
        // generated text can be invalid (e.g. an `if` swallowing the rest); only valid input counts
        prop_assume!(first.diagnostics.is_empty());
        let once = format_with_source(&first.file, &src);
        let second = parse(&once);
        prop_assert!(second.diagnostics.is_empty(), "{:?}\n{}", second.diagnostics, once);
        let opts = JsonOptions { spans: false, pretty: false };
        prop_assert_eq!(to_json(&first.file, &opts), to_json(&second.file, &opts), "{}", once);
        prop_assert_eq!(&once, &format_with_source(&second.file, &once));
        // the source-free formatter agrees on the AST too
        let plain = format(&first.file);
        let third = parse(&plain);
        prop_assert_eq!(to_json(&first.file, &opts), to_json(&third.file, &opts), "{}", plain);
    }
}
