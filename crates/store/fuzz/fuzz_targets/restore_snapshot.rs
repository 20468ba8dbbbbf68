#![no_main]
//! Snapshots: any bytes → error or a store that scans, compacts and snapshots again.
//! Inputs are tried as whole records and as payloads framed with a valid checksum.
use edgeflux_store::codec::{decode_record, encode_record, RECORD_SNAPSHOT};
use edgeflux_store::{Aggregate, Predicate, Store, Window};
use libfuzzer_sys::fuzz_target;

fn check(bytes: &[u8]) {
    if let Ok(mut store) = Store::restore(bytes) {
        for b in store.bucket_ids() {
            let _ = store.scan(b, i64::MIN, i64::MAX, &Predicate::True);
            let w = Window { every: 1 << 40, offset: 0 };
            let _ = store.window_aggregate(b, i64::MIN, i64::MAX, &Predicate::True, w, Aggregate::Mean);
            let _ = store.last_points(b, i64::MIN, i64::MAX, &Predicate::True);
        }
        store.compact(0);
        let _ = Store::restore(&store.snapshot());
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    let payload = decode_record(data).map(|(_, p)| p).unwrap_or(data);
    check(&encode_record(RECORD_SNAPSHOT, payload));
});
