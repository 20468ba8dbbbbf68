//! The browser's durable log: IndexedDB holds the engine's log records and its newest
//! snapshot, so an engine reopened in the same origin (a reload, a new tab, a restart of
//! the browser) comes back with the same data.
//!
//! Layout (database version 1):
//! - object store `log`: key = sequence number (a JS number, ascending from 1),
//!   value = one log record as a `Uint8Array`;
//! - object store `meta`: key `"snapshot"` → `{ seq, data }`, where `data` covers every
//!   log record up to and including `seq`.
//!
//! A write counts as durable when its IndexedDB transaction fires `complete`.

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbFactory, IdbKeyRange, IdbRequest, IdbTransaction, IdbTransactionMode,
};

const LOG: &str = "log";
const META: &str = "meta";
const SNAPSHOT_KEY: &str = "snapshot";

/// What was found in the database when it was opened.
pub struct Recovered {
    pub snapshot: Option<Vec<u8>>,
    pub log: Vec<Vec<u8>>,
}

/// An open IndexedDB database holding one engine's log and snapshot.
pub struct LogStore {
    db: IdbDatabase,
    /// Sequence number the next appended record gets.
    next_seq: f64,
}

/// The `indexedDB` of the current global (window or worker), if it has one.
pub fn factory() -> Result<IdbFactory, JsValue> {
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str("indexedDB"))?;
    if value.is_undefined() || value.is_null() {
        return Err(js_error(
            "IndexedDB is not available here; use Engine.memory() for an in-memory engine",
        ));
    }
    value.dyn_into::<IdbFactory>()
}

impl LogStore {
    /// Opens (creating if needed) the database `name` and reads back its snapshot and log.
    pub async fn open(name: &str) -> Result<(LogStore, Recovered), JsValue> {
        let request = factory()?.open_with_u32(name, 1)?;
        let on_upgrade = Closure::once(move |event: web_sys::Event| -> Result<(), JsValue> {
            let target = event
                .target()
                .ok_or_else(|| js_error("upgradeneeded without a target"))?;
            let db: IdbDatabase = target
                .unchecked_into::<IdbRequest>()
                .result()?
                .unchecked_into();
            // Version 1 is the only version, so an upgrade always starts from nothing.
            db.create_object_store(LOG)?;
            db.create_object_store(META)?;
            Ok(())
        });
        request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
        let db: IdbDatabase = request_done(&request).await?.unchecked_into();
        request.set_onupgradeneeded(None);
        drop(on_upgrade);

        let tx = db.transaction_with_str_sequence(&Array::of2(&LOG.into(), &META.into()))?;
        let meta = tx.object_store(META)?;
        let snapshot_value = request_done(&meta.get(&SNAPSHOT_KEY.into())?).await?;
        let (snapshot, snapshot_seq) = if snapshot_value.is_undefined() {
            (None, 0.0)
        } else {
            let seq = Reflect::get(&snapshot_value, &"seq".into())?
                .as_f64()
                .ok_or_else(|| js_error("snapshot without a sequence number"))?;
            let data: Uint8Array = Reflect::get(&snapshot_value, &"data".into())?.dyn_into()?;
            (Some(data.to_vec()), seq)
        };
        let after = IdbKeyRange::lower_bound_with_open(&snapshot_seq.into(), true)?;
        let log_store = tx.object_store(LOG)?;
        let keys: Array = request_done(&log_store.get_all_keys_with_key(&after)?)
            .await?
            .dyn_into()?;
        let values: Array = request_done(&log_store.get_all_with_key(&after)?)
            .await?
            .dyn_into()?;
        let mut log = Vec::with_capacity(values.length() as usize);
        for value in values.iter() {
            log.push(value.dyn_into::<Uint8Array>()?.to_vec());
        }
        let last = keys
            .iter()
            .filter_map(|k| k.as_f64())
            .fold(snapshot_seq, f64::max);
        Ok((
            LogStore {
                db,
                next_seq: last + 1.0,
            },
            Recovered { snapshot, log },
        ))
    }

    /// Stores `records` in one transaction and returns once it has committed.
    pub async fn append(&mut self, records: &[Vec<u8>]) -> Result<(), JsValue> {
        let tx = self
            .db
            .transaction_with_str_and_mode(LOG, IdbTransactionMode::Readwrite)?;
        let store = tx.object_store(LOG)?;
        let mut seq = self.next_seq;
        for record in records {
            store.put_with_key(&Uint8Array::from(record.as_slice()), &seq.into())?;
            seq += 1.0;
        }
        transaction_done(&tx).await?;
        self.next_seq = seq;
        Ok(())
    }

    /// Stores a snapshot covering every record appended so far and drops those records,
    /// atomically.
    pub async fn put_snapshot(&mut self, snapshot: &[u8]) -> Result<(), JsValue> {
        let covered = self.next_seq - 1.0;
        let tx = self.db.transaction_with_str_sequence_and_mode(
            &Array::of2(&LOG.into(), &META.into()),
            IdbTransactionMode::Readwrite,
        )?;
        let value = Object::new();
        Reflect::set(&value, &"seq".into(), &covered.into())?;
        Reflect::set(&value, &"data".into(), &Uint8Array::from(snapshot))?;
        tx.object_store(META)?
            .put_with_key(&value, &SNAPSHOT_KEY.into())?;
        if covered >= 1.0 {
            tx.object_store(LOG)?
                .delete(&IdbKeyRange::upper_bound(&covered.into())?.into())?;
        }
        transaction_done(&tx).await
    }

    pub fn close(&self) {
        self.db.close();
    }
}

/// Deletes the database `name` (all of an engine's data).
pub async fn destroy(name: &str) -> Result<(), JsValue> {
    let request = factory()?.delete_database(name)?;
    request_done(&request).await.map(|_| ())
}

/// Resolves with the request's result once it succeeds.
async fn request_done(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    JsFuture::from(promise).await.map_err(|_| {
        request
            .error()
            .ok()
            .flatten()
            .map(JsValue::from)
            .unwrap_or_else(|| js_error("IndexedDB request failed"))
    })?;
    request.result()
}

/// Resolves once the transaction has committed (`complete`), rejects on error or abort.
async fn transaction_done(tx: &IdbTransaction) -> Result<(), JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onerror(Some(&reject));
        tx.set_onabort(Some(&reject));
    });
    JsFuture::from(promise).await.map_err(|_| {
        tx.error()
            .map(JsValue::from)
            .unwrap_or_else(|| js_error("IndexedDB transaction aborted"))
    })?;
    Ok(())
}

pub fn js_error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}
