#![no_main]
//! The delete-predicate parser never panics.
use edgeflux_store::parse_delete_predicate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = parse_delete_predicate(s);
    }
});
