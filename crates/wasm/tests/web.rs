//! The IndexedDB log in headless Chromium: records and snapshots survive closing and
//! reopening the database, and a snapshot drops the records it covers.
#![cfg(target_arch = "wasm32")]

use edgeflux_wasm::idb::{destroy, LogStore};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn recs(items: &[&str]) -> Vec<Vec<u8>> {
    items.iter().map(|s| s.as_bytes().to_vec()).collect()
}

#[wasm_bindgen_test]
async fn log_and_snapshot_survive_reopen() {
    let name = "edgeflux-test-log";
    destroy(name).await.expect("destroy");

    let (mut store, found) = LogStore::open(name).await.expect("open empty");
    assert!(found.snapshot.is_none());
    assert!(found.log.is_empty());
    store.append(&recs(&["a", "b"])).await.expect("append");
    store.append(&recs(&["c"])).await.expect("append");
    store.close();

    let (mut store, found) = LogStore::open(name).await.expect("reopen");
    assert_eq!(found.log, recs(&["a", "b", "c"]));
    assert!(found.snapshot.is_none());
    store.put_snapshot(b"S1").await.expect("snapshot");
    store
        .append(&recs(&["d"]))
        .await
        .expect("append after snapshot");
    store.close();

    let (mut store, found) = LogStore::open(name).await.expect("reopen after snapshot");
    assert_eq!(found.snapshot.as_deref(), Some(&b"S1"[..]));
    assert_eq!(
        found.log,
        recs(&["d"]),
        "records covered by the snapshot are gone"
    );
    // Sequence numbers continue after the snapshot: a new record sorts after "d".
    store.append(&recs(&["e"])).await.expect("append");
    store.close();

    let (store, found) = LogStore::open(name).await.expect("reopen again");
    assert_eq!(found.log, recs(&["d", "e"]));
    store.close();
    destroy(name).await.expect("destroy");
}

#[wasm_bindgen_test]
async fn engines_open_by_name_are_independent() {
    destroy("edgeflux-test-x").await.expect("destroy");
    destroy("edgeflux-test-y").await.expect("destroy");
    let (mut x, _) = LogStore::open("edgeflux-test-x").await.expect("open x");
    x.append(&recs(&["only-x"])).await.expect("append");
    x.close();
    let (y, found) = LogStore::open("edgeflux-test-y").await.expect("open y");
    assert!(found.log.is_empty());
    y.close();
}
