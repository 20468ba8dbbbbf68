//! Fuzz the parser and formatter: any input must parse without panicking; a clean parse must
//! format to source that parses again to the same AST (modulo spans), and formatting that
//! again must not change it.
//!
//! `cd crates/flux-syntax/fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run parse -- -max_total_time=60`
#![no_main]

use edgeflux_flux_syntax::{format_with_source, parse, to_json, JsonOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let first = parse(src);
    if !first.diagnostics.is_empty() {
        return;
    }
    let once = format_with_source(&first.file, src);
    let second = parse(&once);
    assert!(
        second.diagnostics.is_empty(),
        "formatted output does not parse: {:?}\n{once}",
        second.diagnostics
    );
    let opts = JsonOptions {
        spans: false,
        pretty: false,
    };
    assert_eq!(
        to_json(&first.file, &opts),
        to_json(&second.file, &opts),
        "AST changed by formatting:\n{once}"
    );
    let twice = format_with_source(&second.file, &once);
    assert_eq!(once, twice, "formatting is not idempotent");
});
