#![no_main]
//! Snapshots: any bytes → error or a store that scans, compacts and snapshots again.
use edgeflux_store::{Predicate, Store};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(mut store) = Store::restore(data) {
        for b in store.bucket_ids() {
            let _ = store.scan(b, i64::MIN, i64::MAX, &Predicate::True);
        }
        store.compact(0);
        let _ = Store::restore(&store.snapshot());
    }
});
