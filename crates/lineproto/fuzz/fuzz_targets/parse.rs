//! Any input: no panic; the fast path agrees with the general path; every bad line has a
//! position and a reason; every good point that the writer accepts parses back to itself.
#![no_main]

use edgeflux_lineproto::{parse, write_line, ParseOptions, Parser, Precision};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&p, rest)) = data.split_first() else {
        return;
    };
    let precision = match p % 4 {
        0 => Precision::Nanoseconds,
        1 => Precision::Microseconds,
        2 => Precision::Milliseconds,
        _ => Precision::Seconds,
    };
    let text = String::from_utf8_lossy(rest);
    let opts = ParseOptions {
        precision,
        default_time: i64::from(p) * 1_000_003,
    };
    // The fast path must agree with the general path on everything.
    let fast: Vec<_> = Parser::new(&text, &opts).collect();
    let general: Vec<_> = Parser::new(&text, &opts).general_path_only().collect();
    assert_eq!(fast, general);
    let out = parse(&text, &opts);
    for e in &out.errors {
        assert!(e.line >= 1 && e.column >= 1 && !e.reason.is_empty());
    }
    let ns = ParseOptions {
        precision: Precision::Nanoseconds,
        default_time: 0,
    };
    for line in &out.lines {
        assert!(!line.fields.is_empty());
        assert!(line.tags.windows(2).all(|w| w[0].0 < w[1].0));
        let mut w = String::new();
        if write_line(line, &mut w).is_ok() {
            let back: Vec<_> = Parser::new(&w, &ns).collect();
            assert_eq!(back.len(), 1, "{w:?}");
            assert_eq!(back[0].as_ref().ok(), Some(line), "{w:?}");
        }
    }
});
