#![no_main]
//! Delete payloads: decode, and if that works, round-trip and apply.
use edgeflux_store::codec::{decode_delete_payload, encode_delete_payload};
use edgeflux_store::Store;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = decode_delete_payload(data) {
        assert_eq!(decode_delete_payload(&encode_delete_payload(&d)), Ok(d.clone()));
        Store::new().apply_delete(&d);
    }
});
