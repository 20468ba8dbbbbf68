//! Property tests: the writer's output parses back to the same point, the parser never
//! panics, and every point the parser produces survives write → parse.

use std::borrow::Cow;

use edgeflux_lineproto::{parse, write_line, FieldValue, Line, ParseOptions, Parser, Precision};
use proptest::prelude::*;

const NS: ParseOptions = ParseOptions {
    precision: Precision::Nanoseconds,
    default_time: 42,
};

/// Strings over the characters that matter to line protocol, plus ordinary ones.
fn tricky(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => proptest::char::range('a', 'e'),
            1 => Just(','),
            1 => Just(' '),
            1 => Just('='),
            1 => Just('"'),
            1 => Just('\\'),
            1 => Just('#'),
            1 => Just('\t'),
            1 => Just('\n'),
            1 => Just('\r'),
            1 => Just('é'),
            1 => Just('😀'),
        ],
        1..max,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

/// Lines that mostly get as far as the field set, with number, boolean and string debris.
fn field_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("m"),
        Just(" "),
        Just(","),
        Just("="),
        Just("\""),
        Just("\\"),
        Just("1"),
        Just("."),
        Just("-"),
        Just("i"),
        Just("u"),
        Just("t"),
        Just("e"),
        Just("+"),
        Just("N"),
        Just("\n"),
        Just("\r"),
        Just("true"),
        Just("a=1"),
        Just("9223372036854775808"),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|p| format!("m,t=v {}", p.concat()))
}

fn value() -> impl Strategy<Value = FieldValue<'static>> {
    prop_oneof![
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(FieldValue::Float),
        any::<i64>().prop_map(FieldValue::Integer),
        any::<u64>().prop_map(FieldValue::UInteger),
        any::<bool>().prop_map(FieldValue::Boolean),
        tricky(12).prop_map(|s| FieldValue::String(Cow::Owned(s))),
        Just(FieldValue::String(Cow::Borrowed(""))),
    ]
}

fn line() -> impl Strategy<Value = Line<'static>> {
    (
        tricky(8),
        proptest::collection::btree_map(tricky(6), tricky(6), 0..4),
        proptest::collection::btree_map(tricky(6), value(), 1..5),
        crate_time(),
    )
        .prop_map(|(m, tags, fields, ts)| Line {
            measurement: Cow::Owned(m),
            tags: tags
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k), Cow::Owned(v)))
                .collect(),
            fields: fields
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k), v))
                .collect(),
            timestamp: ts,
        })
}

fn crate_time() -> impl Strategy<Value = i64> {
    prop_oneof![
        edgeflux_lineproto::MIN_NANO_TIME..=edgeflux_lineproto::MAX_NANO_TIME,
        Just(0i64),
        Just(edgeflux_lineproto::MAX_NANO_TIME),
        Just(edgeflux_lineproto::MIN_NANO_TIME),
    ]
}

fn plain(s: &str) -> bool {
    !s.contains(['\\', '\n']) && !s.starts_with(['#', '\t'])
}

proptest! {
    // PROPTEST_CASES=n runs more cases (e.g. in release mode, by hand).
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn written_lines_parse_back(p in line()) {
        let mut out = String::new();
        let plain_names = plain(&p.measurement)
            && p.tags.iter().all(|(k, v)| plain(k) && plain(v))
            && p.fields.iter().enumerate().all(|(i, (k, _))| plain(k) && !(i == 0 && k.starts_with('\t')))
            && !p.tags.iter().any(|(k, _)| matches!(k.as_ref(), "time" | "_field" | "_measurement"));
        match write_line(&p, &mut out) {
            Ok(()) => {
                let back: Vec<_> = Parser::new(&out, &NS).collect();
                prop_assert_eq!(back.len(), 1, "{:?}", out);
                let got = back[0].clone().map_err(|e| e.to_string());
                prop_assert_eq!(got, Ok(p), "{:?}", out);
            }
            Err(e) => prop_assert!(!plain_names, "writer refused a plain point: {}", e),
        }
    }

    #[test]
    fn floats_keep_their_bits(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        let p = Line {
            measurement: Cow::Borrowed("m"),
            tags: vec![],
            fields: vec![(Cow::Borrowed("f"), FieldValue::Float(f))],
            timestamp: 1,
        };
        let mut out = String::new();
        write_line(&p, &mut out).unwrap();
        let back = Parser::new(&out, &NS).next().unwrap().unwrap();
        match back.fields[0].1 {
            FieldValue::Float(g) => prop_assert_eq!(g.to_bits(), f.to_bits(), "{}", out),
            ref other => prop_assert!(false, "not a float: {:?}", other),
        }
    }

    #[test]
    fn parser_never_panics_and_parsed_points_round_trip(text in tricky(80)) {
        let out = parse(&text, &NS);
        prop_assert!(out.errors.len() <= edgeflux_lineproto::MAX_ERRORS);
        for e in &out.errors {
            prop_assert!(e.line >= 1 && e.column >= 1);
            prop_assert!(!e.reason.is_empty());
        }
        for p in &out.lines {
            prop_assert!(p.tags.windows(2).all(|w| w[0].0 < w[1].0), "tags sorted and unique");
            prop_assert!(!p.fields.is_empty());
            let mut w = String::new();
            if write_line(p, &mut w).is_ok() {
                let back: Vec<_> = Parser::new(&w, &NS).collect();
                prop_assert_eq!(back.len(), 1);
                prop_assert_eq!(back[0].as_ref().ok(), Some(p), "{:?} -> {:?}", text, w);
            }
        }
    }

    #[test]
    fn fast_path_agrees_with_the_general_path(text in prop_oneof![tricky(60), field_soup()]) {
        let fast: Vec<_> = Parser::new(&text, &NS).collect();
        let general: Vec<_> = Parser::new(&text, &NS).general_path_only().collect();
        prop_assert_eq!(fast, general, "{:?}", text);
    }

    #[test]
    fn well_formed_lines_parse(
        m in "[a-z][a-z0-9_]{0,8}",
        tags in proptest::collection::btree_map("[a-z]{1,4}", "[a-zA-Z0-9]{1,5}", 0..5),
        fields in proptest::collection::btree_map("[a-z]{1,4}", -1.0e6f64..1.0e6, 1..5),
        ts in any::<i32>(),
    ) {
        let mut text = m.clone();
        for (k, v) in &tags {
            text.push_str(&format!(",{k}={v}"));
        }
        for (i, (k, v)) in fields.iter().enumerate() {
            text.push(if i == 0 { ' ' } else { ',' });
            text.push_str(&format!("{k}={v}"));
        }
        text.push_str(&format!(" {ts}\n"));
        let out = parse(&text, &NS);
        prop_assert!(out.errors.is_empty(), "{:?}: {:?}", text, out.errors);
        prop_assert_eq!(out.lines.len(), 1);
        let p = &out.lines[0];
        prop_assert_eq!(p.measurement.as_ref(), m.as_str());
        prop_assert_eq!(p.tags.len(), tags.len());
        prop_assert_eq!(p.timestamp, i64::from(ts));
        for ((k, v), (pk, pv)) in fields.iter().zip(&p.fields) {
            prop_assert_eq!(k.as_str(), pk.as_ref());
            prop_assert_eq!(pv, &FieldValue::Float(*v));
        }
    }
}
