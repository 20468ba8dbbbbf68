#![no_main]
//! Sealed blocks: any bytes → error or columns whose lengths agree. Inputs are tried
//! as they are and with a valid checksum appended, so mutations reach the decoder.
use edgeflux_store::block::{decode_block_columns, with_checksum};
use libfuzzer_sys::fuzz_target;

fn check(bytes: &[u8]) {
    if let Ok((times, cols)) = decode_block_columns(bytes) {
        for (_, valid, values) in cols {
            assert_eq!(valid.len(), times.len());
            assert_eq!(values.len(), times.len());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if data.len() > 4 {
        check(&with_checksum(&data[..data.len() - 4]));
    }
});
