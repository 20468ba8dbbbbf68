//! The Durable Object's durable log: log records and the newest snapshot in the object's
//! storage (KV API of a SQLite-backed object). Values are split into chunks below the
//! 2 MB value limit. Key layout (lexicographic order = replay order):
//! - `log:{seq:016x}:{part:04x}` — one chunk of log record `seq` (from 1);
//! - `snapshot:meta` — `[seq, parts]`: the snapshot covers every record up to `seq`;
//! - `snapshot:{part:04x}` — its chunks.

use js_sys::{Array, Map, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use worker::{ListOptions, Result, Storage};

/// Below the 2 MB key+value limit of SQLite-backed objects.
const CHUNK: usize = 1 << 20;
const LOG_PREFIX: &str = "log:";
const SNAPSHOT_META: &str = "snapshot:meta";
const SNAPSHOT_PREFIX: &str = "snapshot:";

/// What storage held when the object woke up.
pub struct Recovered {
    pub snapshot: Option<Vec<u8>>,
    pub log: Vec<Vec<u8>>,
    /// Highest sequence number in use (log or snapshot).
    pub last_seq: u64,
}

fn log_key(seq: u64, part: usize) -> String {
    format!("{LOG_PREFIX}{seq:016x}:{part:04x}")
}

fn snapshot_key(part: usize) -> String {
    format!("{SNAPSHOT_PREFIX}{part:04x}")
}

/// Reads the snapshot and the log after it.
pub async fn recover(storage: &Storage) -> Result<Recovered> {
    let snap = storage
        .list_with_options(ListOptions::new().prefix(SNAPSHOT_PREFIX))
        .await?;
    let (snapshot, snapshot_seq) = read_snapshot(&snap)?;
    let entries = storage
        .list_with_options(ListOptions::new().prefix(LOG_PREFIX))
        .await?;
    let mut log: Vec<Vec<u8>> = Vec::new();
    let mut current: Option<u64> = None;
    let mut last_seq = snapshot_seq;
    for entry in entries.entries() {
        let pair: Array = entry?.dyn_into()?;
        let key = pair.get(0).as_string().unwrap_or_default();
        let seq = parse_seq(&key).ok_or_else(|| format!("bad log key {key:?}"))?;
        last_seq = last_seq.max(seq);
        if seq <= snapshot_seq {
            continue; // covered by the snapshot; left over from an interrupted cleanup
        }
        let bytes = pair.get(1).dyn_into::<Uint8Array>()?.to_vec();
        match (current, log.last_mut()) {
            (Some(s), Some(record)) if s == seq => record.extend_from_slice(&bytes),
            _ => {
                log.push(bytes);
                current = Some(seq);
            }
        }
    }
    Ok(Recovered {
        snapshot,
        log,
        last_seq,
    })
}

fn read_snapshot(entries: &Map) -> Result<(Option<Vec<u8>>, u64)> {
    let meta = entries.get(&JsValue::from_str(SNAPSHOT_META));
    if meta.is_undefined() {
        return Ok((None, 0));
    }
    let meta: Array = meta.dyn_into()?;
    let seq = meta.get(0).as_f64().unwrap_or(0.0) as u64;
    let parts = meta.get(1).as_f64().unwrap_or(0.0) as usize;
    let mut data = Vec::new();
    for part in 0..parts {
        let chunk = entries.get(&JsValue::from_str(&snapshot_key(part)));
        if chunk.is_undefined() {
            return Err(format!("snapshot chunk {part} of {parts} is missing").into());
        }
        data.extend_from_slice(&chunk.dyn_into::<Uint8Array>()?.to_vec());
    }
    Ok((Some(data), seq))
}

fn parse_seq(key: &str) -> Option<u64> {
    let rest = key.strip_prefix(LOG_PREFIX)?;
    let (seq, _part) = rest.split_once(':')?;
    u64::from_str_radix(seq, 16).ok()
}

fn chunks(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    // An empty record still gets one (empty) chunk so it is replayed.
    let n = bytes.len().div_ceil(CHUNK).max(1);
    (0..n).map(move |i| &bytes[(i * CHUNK).min(bytes.len())..((i + 1) * CHUNK).min(bytes.len())])
}

/// Stores `records` as `first_seq, first_seq + 1, ...` in one atomic put.
pub async fn append(storage: &Storage, first_seq: u64, records: &[Vec<u8>]) -> Result<()> {
    let values = Object::new();
    for (i, record) in records.iter().enumerate() {
        for (part, chunk) in chunks(record).enumerate() {
            Reflect::set(
                &values,
                &JsValue::from_str(&log_key(first_seq + i as u64, part)),
                &Uint8Array::from(chunk),
            )?;
        }
    }
    storage.put_multiple_raw(values).await
}

/// Stores a snapshot covering records up to `seq`, then drops those records.
pub async fn put_snapshot(storage: &Storage, seq: u64, snapshot: &[u8]) -> Result<()> {
    let values = Object::new();
    let mut parts = 0;
    for (part, chunk) in chunks(snapshot).enumerate() {
        Reflect::set(
            &values,
            &JsValue::from_str(&snapshot_key(part)),
            &Uint8Array::from(chunk),
        )?;
        parts = part + 1;
    }
    let meta = Array::of2(&(seq as f64).into(), &(parts as f64).into());
    Reflect::set(&values, &JsValue::from_str(SNAPSHOT_META), &meta)?;
    storage.put_multiple_raw(values).await?;

    // Cleanup after the snapshot is durable; leftovers are skipped by `recover`.
    let old = storage
        .list_with_options(ListOptions::new().prefix(LOG_PREFIX))
        .await?;
    let mut stale: Vec<String> = Vec::new();
    for key in old.keys() {
        let key = key?.as_string().unwrap_or_default();
        if parse_seq(&key).is_some_and(|s| s <= seq) {
            stale.push(key);
        }
    }
    for batch in stale.chunks(128) {
        storage.delete_multiple(batch.to_vec()).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_in_replay_order_and_parse_back() {
        let a = log_key(9, 1);
        let b = log_key(10, 0);
        assert!(a < b);
        assert_eq!(parse_seq(&b), Some(10));
        assert_eq!(parse_seq("log:zz:0000"), None);
        assert_eq!(parse_seq(SNAPSHOT_META), None);
    }

    #[test]
    fn chunking_covers_every_byte_once() {
        let data: Vec<u8> = (0..(CHUNK * 2 + 5)).map(|i| i as u8).collect();
        let parts: Vec<&[u8]> = chunks(&data).collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts.concat(), data);
        assert_eq!(chunks(&[]).count(), 1);
    }
}
