#![no_main]
//! Write-batch payloads: decode, and if that works, re-encode and apply to a store.
use edgeflux_store::codec::{decode_write_payload, encode_write_payload};
use edgeflux_store::Store;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(batch) = decode_write_payload(data) {
        let again = encode_write_payload(&batch);
        assert_eq!(decode_write_payload(&again).map(|b| b.points.len()), Ok(batch.points.len()));
        let mut store = Store::new();
        store.apply_write(&batch);
        store.seal_all();
        let pred = edgeflux_store::Predicate::True;
        let w = edgeflux_store::Window { every: 1 << 30, offset: 0 };
        let _ = store.window_aggregate(batch.bucket, i64::MIN, i64::MAX, &pred, w, edgeflux_store::Aggregate::Max);
        let snap = store.snapshot();
        assert!(Store::restore(&snap).is_ok());
    }
});
