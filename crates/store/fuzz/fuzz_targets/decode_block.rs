#![no_main]
//! Sealed blocks: any bytes → error or columns whose lengths agree.
use edgeflux_store::block::decode_block_columns;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((times, cols)) = decode_block_columns(data) {
        for (_, valid, values) in cols {
            assert_eq!(valid.len(), times.len());
            assert_eq!(values.len(), times.len());
        }
    }
});
