#![no_main]
//! Record framing: any bytes → error or a record that re-encodes identically.
use edgeflux_store::codec::{decode_record, encode_record, split_record};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((kind, payload)) = decode_record(data) {
        assert_eq!(encode_record(kind, payload), data);
    }
    let mut rest = data;
    while let Ok((_, _, r)) = split_record(rest) {
        rest = r;
    }
});
