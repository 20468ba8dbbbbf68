//! The store: buckets → series (measurement + sorted tags) → an open head plus sealed
//! blocks. Writes land in the head (any order); a series' head is sealed into compressed
//! blocks when it reaches `StoreOptions::max_head_rows`, on `seal_all`, or on `compact`.
//! Blocks never straddle a bucket's shard-group window, so retention drops whole blocks.

use std::collections::BTreeMap;

use edgeflux_types::{FieldType, FieldValue};

use crate::block::{block_header, decode_resident_block, encode_block};
use crate::error::{CodecError, StoreError};
use crate::model::{Chunk, SeriesKey};
use crate::write::WriteBatch;

/// Tuning knobs; part of the state (they affect when blocks are cut), so snapshots keep them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// A series' head is sealed into blocks when it holds this many rows.
    pub max_head_rows: usize,
    /// Upper bound on rows per block. Heads seal into blocks of at most `max_head_rows`;
    /// `compact` merges a window's small blocks up to this size.
    pub max_block_rows: usize,
    /// When the heads of all series together hold more rows than this after a write,
    /// every head is sealed: bounds head memory when many series each get few points.
    pub max_total_head_rows: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_head_rows: 1024,
            max_block_rows: 4096,
            max_total_head_rows: 262_144,
        }
    }
}

/// Per-bucket settings, set by the API from its bucket catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BucketOptions {
    /// Retention period in ns; 0 = infinite.
    pub retention_ns: i64,
    /// Shard-group duration in ns; 0 = InfluxDB's default for the retention
    /// (< 2 days → 1 h, < 6 months → 1 day, otherwise 7 days).
    pub shard_group_ns: i64,
}

const HOUR: i64 = 3_600_000_000_000;
const DAY: i64 = 24 * HOUR;

impl BucketOptions {
    /// The effective shard-group duration.
    pub fn shard_group_duration(&self) -> i64 {
        if self.shard_group_ns > 0 {
            return self.shard_group_ns;
        }
        match self.retention_ns {
            r if r > 0 && r < 2 * DAY => HOUR,
            r if r > 0 && r < 180 * DAY => DAY,
            _ => 7 * DAY,
        }
    }
}

pub(crate) fn window_start(t: i64, every: i64, offset: i64) -> i64 {
    let o = offset.rem_euclid(every);
    // Wrapping: a window start near i64::MIN may not be representable; no panic.
    let s = t.wrapping_sub(o).div_euclid(every).wrapping_mul(every);
    s.wrapping_add(o)
}

#[cfg(test)]
mod window_tests {
    #[test]
    fn windows_align_to_the_epoch_with_offsets_and_extremes() {
        use super::window_start;
        assert_eq!(window_start(25, 10, 0), 20);
        assert_eq!(window_start(-5, 10, 0), -10);
        assert_eq!(window_start(25, 10, 3), 23);
        assert_eq!(window_start(22, 10, -7), 13);
        let _ = window_start(i64::MIN, 3, 0);
        let _ = window_start(i64::MAX, i64::MAX, i64::MIN);
    }
}

#[derive(Debug, Clone)]
pub(crate) struct BlockHandle {
    pub id: u64,
    pub min_time: i64,
    pub max_time: i64,
    pub rows: u32,
    /// Start of the shard-group window the block belongs to.
    pub window: i64,
    /// Field slots present in the block.
    pub slots: Vec<u32>,
    /// Inclusive time ranges deleted since the block was written.
    pub tombstones: Vec<(i64, i64)>,
    /// The block's checksum (its last four bytes), to verify reloaded bytes.
    pub crc: u32,
    pub len: u32,
    /// `None` while evicted.
    pub bytes: Option<Vec<u8>>,
    /// Per-field summaries (derived): set when the block is cut, else computed on the
    /// first window aggregate that can use them.
    pub stats: std::sync::OnceLock<Vec<crate::stats::ColStats>>,
}

impl BlockHandle {
    pub fn overlaps(&self, start: i64, stop_exclusive: i64) -> bool {
        self.max_time >= start && self.min_time < stop_exclusive
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Series {
    /// Field slots: name and type.
    pub fields: Vec<(String, FieldType)>,
    pub head: Chunk,
    /// In write order: a later block wins over an earlier one on equal timestamps.
    pub blocks: Vec<BlockHandle>,
}

impl Series {
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|(n, _)| n == name)
    }

    pub fn is_empty(&self) -> bool {
        self.head.rows() == 0 && self.blocks.is_empty()
    }

    pub fn types(&self) -> Vec<FieldType> {
        self.fields.iter().map(|f| f.1).collect()
    }

    /// Decodes a block into this series' slot layout.
    pub fn decode(
        &self,
        block: &BlockHandle,
        wanted: Option<&[bool]>,
    ) -> Result<Chunk, StoreError> {
        let bytes = block
            .bytes
            .as_deref()
            .ok_or(StoreError::UnknownBlock(block.id))?;
        let mut chunk = decode_resident_block(bytes, &mut |name, ty| {
            let slot = self
                .slot(name)
                .ok_or(CodecError::Invalid("block field not in series"))?;
            if self.fields[slot].1 != ty {
                return Err(CodecError::Invalid("block field type differs from series"));
            }
            Ok(match wanted {
                Some(w) if !w.get(slot).copied().unwrap_or(false) => None,
                _ => Some(slot),
            })
        })?;
        if !block.tombstones.is_empty() {
            chunk.filter_time(i64::MIN, i64::MAX, &block.tombstones);
        }
        Ok(chunk)
    }

    /// Seals the head into blocks (split at shard-group windows and `max_rows`).
    /// Returns the number of head rows sealed.
    pub fn seal(&mut self, shard: i64, max_rows: usize, next_id: &mut u64) -> usize {
        let rows = self.head.rows();
        if rows == 0 {
            return 0;
        }
        let head = std::mem::take(&mut self.head).normalize();
        let new = self.cut_blocks(&head, shard, max_rows, next_id);
        self.blocks.extend(new);
        rows
    }

    pub fn cut_blocks(
        &self,
        sorted: &Chunk,
        shard: i64,
        max_rows: usize,
        next_id: &mut u64,
    ) -> Vec<BlockHandle> {
        let mut out = Vec::new();
        let n = sorted.rows();
        let mut s = 0;
        while s < n {
            let w = window_start(sorted.times[s], shard, 0);
            let mut e = s + 1;
            while e < n && e - s < max_rows.max(1) && window_start(sorted.times[e], shard, 0) == w {
                e += 1;
            }
            let part = if s == 0 && e == n {
                sorted.clone()
            } else {
                sorted.slice(s, e)
            };
            out.push(make_handle(&part, &self.fields, w, next_id));
            s = e;
        }
        out
    }
}

fn make_handle(
    part: &Chunk,
    fields: &[(String, FieldType)],
    window: i64,
    next_id: &mut u64,
) -> BlockHandle {
    let mut bytes = encode_block(part, fields);
    bytes.shrink_to_fit();
    let (min_time, max_time) = part.min_max().unwrap_or((0, 0));
    let slots = part
        .cols
        .iter()
        .enumerate()
        .filter(|(_, c)| c.as_ref().is_some_and(|c| c.valid.iter().any(|&v| v)))
        .map(|(i, _)| i as u32)
        .collect();
    let id = *next_id;
    *next_id += 1;
    let n = bytes.len();
    BlockHandle {
        id,
        min_time,
        max_time,
        rows: part.rows() as u32,
        window,
        slots,
        tombstones: Vec::new(),
        crc: u32::from_le_bytes([bytes[n - 4], bytes[n - 3], bytes[n - 2], bytes[n - 1]]),
        len: n as u32,
        bytes: Some(bytes),
        stats: std::sync::OnceLock::from(crate::stats::chunk_stats(part)),
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Bucket {
    pub options: BucketOptions,
    /// measurement → field → type.
    pub field_types: BTreeMap<String, BTreeMap<String, FieldType>>,
    pub series: BTreeMap<SeriesKey, Series>,
}

impl Bucket {
    pub fn field_type(&self, measurement: &str, field: &str) -> Option<FieldType> {
        self.field_types.get(measurement)?.get(field).copied()
    }

    /// Drops emptied series and the schema of measurements with no series left.
    pub fn prune(&mut self) {
        self.series.retain(|_, s| !s.is_empty());
        let live: std::collections::BTreeSet<&str> =
            self.series.keys().map(|k| k.measurement.as_str()).collect();
        self.field_types.retain(|m, _| live.contains(m.as_str()));
    }
}

/// What `compact` changed, so an edge that persists blocks individually can write the
/// new ones and delete the old ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompactReport {
    pub added_blocks: Vec<u64>,
    pub removed_blocks: Vec<u64>,
}

/// See `Store::take_block_changes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockChanges {
    pub added: Vec<(u64, u64)>,
    pub removed: Vec<(u64, u64)>,
}

/// A block as listed by `Store::blocks`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockInfo {
    pub id: u64,
    pub series: SeriesKey,
    pub min_time: i64,
    pub max_time: i64,
    pub rows: u32,
    pub bytes: u32,
    pub resident: bool,
}

/// Resident memory, in bytes (estimates of heap use).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryUsage {
    /// Open heads (uncompressed).
    pub head: usize,
    /// Compressed bytes of resident blocks.
    pub blocks: usize,
    /// Series keys, schema and block metadata.
    pub index: usize,
}

impl MemoryUsage {
    pub fn total(&self) -> usize {
        self.head + self.blocks + self.index
    }
}

/// The columnar store of one engine (or one shard): every bucket's series.
#[derive(Debug, Clone, Default)]
pub struct Store {
    pub(crate) options: StoreOptions,
    pub(crate) buckets: BTreeMap<u64, Bucket>,
    pub(crate) next_block_id: u64,
    /// Rows in all heads (derived state, recounted on restore).
    pub(crate) head_rows: usize,
    /// Blocks as of the last `take_block_changes` (derived state).
    pub(crate) reported_blocks: std::collections::BTreeSet<(u64, u64)>,
    /// Bumped whenever `apply_write` fixes a field's type for the first time (derived
    /// state, not persisted): see [`Store::schema_generation`].
    pub(crate) schema_generation: u64,
}

impl Store {
    pub fn new() -> Store {
        Store::with_options(StoreOptions::default())
    }

    pub fn with_options(options: StoreOptions) -> Store {
        Store {
            options,
            buckets: BTreeMap::new(),
            next_block_id: 1,
            head_rows: 0,
            reported_blocks: Default::default(),
            schema_generation: 0,
        }
    }

    pub fn options(&self) -> StoreOptions {
        self.options
    }

    /// Changes whenever applying a write fixes a field's type that was not known before.
    /// A batch prepared at an older generation was type-checked against a schema that has
    /// moved since: an edge that prepares writes concurrently and applies them one by one
    /// must prepare such a batch again before logging it, or its conflicting points would
    /// be acknowledged and then silently dropped by `apply_write`.
    pub fn schema_generation(&self) -> u64 {
        self.schema_generation
    }

    pub(crate) fn bucket(&self, id: u64) -> Option<&Bucket> {
        self.buckets.get(&id)
    }

    /// Creates the bucket if needed and sets its options (deterministic; call it when the
    /// catalog record that creates/updates the bucket is applied).
    pub fn set_bucket_options(&mut self, bucket: u64, options: BucketOptions) {
        self.buckets.entry(bucket).or_default().options = options;
    }

    pub fn bucket_options(&self, bucket: u64) -> Option<BucketOptions> {
        self.buckets.get(&bucket).map(|b| b.options)
    }

    /// Buckets holding data or options.
    pub fn bucket_ids(&self) -> Vec<u64> {
        self.buckets.keys().copied().collect()
    }

    /// Forgets a bucket and all its data. Returns the ids of the blocks it held.
    pub fn drop_bucket(&mut self, bucket: u64) -> Vec<u64> {
        let removed = self.buckets.remove(&bucket);
        self.recount_head_rows();
        match removed {
            Some(b) => b
                .series
                .values()
                .flat_map(|s| s.blocks.iter().map(|h| h.id))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Applies a prepared batch. Deterministic (used for recovery too); a point whose field
    /// type conflicts with the current schema (possible only if the store changed since
    /// `prepare_write`) is skipped.
    pub fn apply_write(&mut self, batch: &WriteBatch) {
        let opts = self.options;
        let next_id = &mut self.next_block_id;
        let head_rows = &mut self.head_rows;
        let schema_generation = &mut self.schema_generation;
        let bucket = self.buckets.entry(batch.bucket).or_default();
        let shard = bucket.options.shard_group_duration();
        // Group points by series, keeping batch order within a series.
        let mut by_series: Vec<Vec<usize>> = vec![Vec::new(); batch.series.len()];
        for (i, p) in batch.points.iter().enumerate() {
            if let Some(v) = by_series.get_mut(p.series as usize) {
                v.push(i);
            }
        }
        let mut slot_of: Vec<Option<usize>> = Vec::new();
        let mut row: Vec<(usize, &FieldValue)> = Vec::new();
        let mut known: Vec<Option<FieldType>> = Vec::new();
        for (sid, points) in by_series.iter().enumerate() {
            if points.is_empty() {
                continue;
            }
            let key = &batch.series[sid];
            let types = bucket
                .field_types
                .entry(key.measurement.clone())
                .or_default();
            let series = match bucket.series.get_mut(key) {
                Some(s) => s,
                None => bucket.series.entry(key.clone()).or_default(),
            };
            slot_of.clear();
            slot_of.resize(batch.field_names.len(), None);
            // Per batch field: the measurement's current type (looked up once).
            known.clear();
            known.extend(batch.field_names.iter().map(|n| types.get(n).copied()));
            let mut slot_types = series.types();
            for &pi in points {
                let p = &batch.points[pi];
                let conflict = p.fields.iter().any(|(fid, v)| {
                    known
                        .get(*fid as usize)
                        .copied()
                        .flatten()
                        .is_some_and(|t| t != v.field_type())
                });
                if conflict {
                    continue;
                }
                row.clear();
                for (fid, v) in &p.fields {
                    let fid = *fid as usize;
                    let Some(name) = batch.field_names.get(fid) else {
                        continue;
                    };
                    let slot = match slot_of[fid] {
                        Some(s) => s,
                        None => {
                            let s = match series.slot(name) {
                                Some(s) => s,
                                None => {
                                    series.fields.push((name.clone(), v.field_type()));
                                    slot_types.push(v.field_type());
                                    series.fields.len() - 1
                                }
                            };
                            slot_of[fid] = Some(s);
                            s
                        }
                    };
                    if known[fid].is_none() {
                        types.insert(name.clone(), v.field_type());
                        known[fid] = Some(v.field_type());
                        *schema_generation += 1;
                    }
                    row.push((slot, v));
                }
                series.head.push_row(p.time, &row, &slot_types);
                *head_rows += 1;
                if series.head.rows() >= opts.max_head_rows {
                    *head_rows -= series.seal(shard, opts.max_block_rows, next_id);
                }
            }
        }
        if self.head_rows > opts.max_total_head_rows {
            self.seal_all();
        }
    }

    pub(crate) fn recount_head_rows(&mut self) {
        self.head_rows = self
            .buckets
            .values()
            .flat_map(|b| b.series.values())
            .map(|s| s.head.rows())
            .sum();
    }

    pub(crate) fn block_ids(&self) -> std::collections::BTreeSet<(u64, u64)> {
        self.buckets
            .iter()
            .flat_map(|(b, bucket)| {
                bucket
                    .series
                    .values()
                    .flat_map(move |s| s.blocks.iter().map(move |h| (*b, h.id)))
            })
            .collect()
    }

    /// Blocks created and removed since the previous call (or since `new`/`restore`), as
    /// (bucket, block id): an edge persisting blocks individually writes the added ones
    /// (`block_bytes`) and deletes the removed ones.
    pub fn take_block_changes(&mut self) -> BlockChanges {
        let now = self.block_ids();
        let changes = BlockChanges {
            added: now.difference(&self.reported_blocks).copied().collect(),
            removed: self.reported_blocks.difference(&now).copied().collect(),
        };
        self.reported_blocks = now;
        changes
    }

    /// Rows currently in open heads (uncompressed).
    pub fn head_rows(&self) -> usize {
        self.head_rows
    }

    /// Seals every open head into blocks.
    pub fn seal_all(&mut self) {
        let max_rows = self.options.max_block_rows;
        for bucket in self.buckets.values_mut() {
            let shard = bucket.options.shard_group_duration();
            for s in bucket.series.values_mut() {
                s.seal(shard, max_rows, &mut self.next_block_id);
            }
        }
        self.head_rows = 0;
    }

    /// Drops the data of shard-group windows that ended before `now_ns - retention`
    /// (InfluxDB drops whole expired shard groups). Returns the ids of removed blocks.
    pub fn enforce_retention(&mut self, now_ns: i64) -> Vec<u64> {
        let mut removed = Vec::new();
        for bucket in self.buckets.values_mut() {
            if bucket.options.retention_ns <= 0 {
                continue;
            }
            let shard = bucket.options.shard_group_duration();
            let cutoff = now_ns.saturating_sub(bucket.options.retention_ns);
            for s in bucket.series.values_mut() {
                s.blocks.retain(|b| {
                    let expired = b.window.saturating_add(shard) <= cutoff;
                    if expired {
                        removed.push(b.id);
                    }
                    !expired
                });
                if s.head.rows() > 0 {
                    let keep: Vec<bool> = s
                        .head
                        .times
                        .iter()
                        .map(|&t| window_start(t, shard, 0).saturating_add(shard) > cutoff)
                        .collect();
                    s.head.retain_rows(&keep);
                }
            }
            bucket.prune();
        }
        self.recount_head_rows();
        removed
    }

    /// Background maintenance: `enforce_retention(now_ns)`, then seals heads, applies
    /// tombstones and merges overlapping or small blocks of a window (resident blocks
    /// only; a window with an evicted block is left as it is).
    pub fn compact(&mut self, now_ns: i64) -> CompactReport {
        let mut report = CompactReport {
            removed_blocks: self.enforce_retention(now_ns),
            ..CompactReport::default()
        };
        let max_rows = self.options.max_block_rows;
        for bucket in self.buckets.values_mut() {
            let shard = bucket.options.shard_group_duration();
            for s in bucket.series.values_mut() {
                let before: Vec<u64> = s.blocks.iter().map(|b| b.id).collect();
                s.seal(shard, max_rows, &mut self.next_block_id);
                compact_series(s, shard, max_rows, &mut self.next_block_id);
                let after: Vec<u64> = s.blocks.iter().map(|b| b.id).collect();
                report
                    .removed_blocks
                    .extend(before.iter().filter(|id| !after.contains(id)));
                report
                    .added_blocks
                    .extend(after.iter().filter(|id| !before.contains(id)));
            }
            bucket.prune();
        }
        self.head_rows = 0;
        report
    }

    /// Every block of a bucket, in series order.
    pub fn blocks(&self, bucket: u64) -> Vec<BlockInfo> {
        let Some(b) = self.buckets.get(&bucket) else {
            return Vec::new();
        };
        b.series
            .iter()
            .flat_map(|(k, s)| {
                s.blocks.iter().map(move |h| BlockInfo {
                    id: h.id,
                    series: k.clone(),
                    min_time: h.min_time,
                    max_time: h.max_time,
                    rows: h.rows,
                    bytes: h.len,
                    resident: h.bytes.is_some(),
                })
            })
            .collect()
    }

    fn handle_mut(&mut self, bucket: u64, id: u64) -> Option<&mut BlockHandle> {
        self.buckets
            .get_mut(&bucket)?
            .series
            .values_mut()
            .flat_map(|s| s.blocks.iter_mut())
            .find(|h| h.id == id)
    }

    /// The encoded bytes of a resident block (what an edge persists).
    pub fn block_bytes(&self, bucket: u64, id: u64) -> Option<&[u8]> {
        self.buckets
            .get(&bucket)?
            .series
            .values()
            .flat_map(|s| s.blocks.iter())
            .find(|h| h.id == id)?
            .bytes
            .as_deref()
    }

    /// Drops a block's bytes from memory (the edge must have persisted them). Scans that
    /// need it then fail with `StoreError::BlocksNotResident` until `load_block`.
    pub fn evict_block(&mut self, bucket: u64, id: u64) -> bool {
        match self.handle_mut(bucket, id) {
            Some(h) => h.bytes.take().is_some(),
            None => false,
        }
    }

    /// Takes an evicted block back from its bytes (verified against the block's checksum).
    pub fn load_block(&mut self, bucket: u64, id: u64, bytes: Vec<u8>) -> Result<(), StoreError> {
        let h = self
            .handle_mut(bucket, id)
            .ok_or(StoreError::UnknownBlock(id))?;
        let header = block_header(&bytes)?;
        let n = bytes.len();
        let crc = u32::from_le_bytes([bytes[n - 4], bytes[n - 3], bytes[n - 2], bytes[n - 1]]);
        if crc != h.crc || header.rows != h.rows as usize || header.min_time != h.min_time {
            return Err(StoreError::BlockMismatch(id));
        }
        h.bytes = Some(bytes);
        Ok(())
    }

    /// Resident memory, so edges can bound it (evict blocks when it grows).
    pub fn memory_usage(&self) -> MemoryUsage {
        let mut m = MemoryUsage::default();
        for b in self.buckets.values() {
            m.index += 64;
            for (mname, fields) in &b.field_types {
                m.index += 48 + mname.len() + fields.keys().map(|k| k.len() + 40).sum::<usize>();
            }
            for (k, s) in &b.series {
                m.index += 96
                    + k.measurement.len()
                    + k.tags
                        .iter()
                        .map(|(a, v)| a.len() + v.len() + 48)
                        .sum::<usize>();
                m.index += s.fields.iter().map(|(n, _)| n.len() + 32).sum::<usize>();
                m.head += s.head.heap_bytes();
                for h in &s.blocks {
                    m.index += std::mem::size_of::<BlockHandle>()
                        + h.slots.capacity() * 4
                        + h.tombstones.len() * 16
                        + h.stats.get().map_or(0, |st| {
                            st.capacity() * std::mem::size_of::<crate::stats::ColStats>()
                        });
                    m.blocks += h.bytes.as_ref().map_or(0, |b| b.capacity());
                }
            }
        }
        m
    }

    /// Number of points (rows) and field values stored (heads + blocks; overlapping
    /// duplicates not yet compacted are counted twice).
    pub fn stats(&self) -> StoreStats {
        let mut st = StoreStats::default();
        for b in self.buckets.values() {
            st.series += b.series.len();
            for s in b.series.values() {
                st.head_rows += s.head.rows();
                st.blocks += s.blocks.len();
                for h in &s.blocks {
                    st.block_rows += h.rows as usize;
                    st.block_bytes += h.len as usize;
                }
            }
        }
        st
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    pub series: usize,
    pub head_rows: usize,
    pub blocks: usize,
    pub block_rows: usize,
    pub block_bytes: usize,
}

/// Rewrites a series' resident blocks per window when they overlap, are small, or carry
/// tombstones. A window with an evicted block is left alone.
fn compact_series(s: &mut Series, shard: i64, max_rows: usize, next_id: &mut u64) {
    let mut windows: Vec<i64> = s.blocks.iter().map(|b| b.window).collect();
    windows.sort_unstable();
    windows.dedup();
    for w in windows {
        let idx: Vec<usize> = (0..s.blocks.len())
            .filter(|&i| s.blocks[i].window == w)
            .collect();
        if idx.iter().any(|&i| s.blocks[i].bytes.is_none()) {
            continue;
        }
        let tomb = idx.iter().any(|&i| !s.blocks[i].tombstones.is_empty());
        let overlap = idx.iter().enumerate().any(|(a, &i)| {
            idx[a + 1..].iter().any(|&j| {
                s.blocks[i].max_time >= s.blocks[j].min_time
                    && s.blocks[j].max_time >= s.blocks[i].min_time
            })
        });
        let small = idx
            .iter()
            .filter(|&&i| (s.blocks[i].rows as usize) < max_rows / 2)
            .count()
            > 1;
        if !(tomb || overlap || small) {
            continue;
        }
        let mut merged = Chunk::default();
        let mut ok = true;
        for &i in &idx {
            match s.decode(&s.blocks[i], None) {
                Ok(c) => merged.append(&c),
                Err(_) => {
                    ok = false;
                    break;
                }
            }
        }
        if !ok {
            continue;
        }
        let merged = merged.normalize();
        let new = s.cut_blocks(&merged, shard, max_rows, next_id);
        let first = idx[0];
        let mut k = 0;
        s.blocks.retain(|_| {
            let keep = !idx.contains(&k);
            k += 1;
            keep
        });
        // Keep the window's position in write order so newer windows still win.
        let at = first.min(s.blocks.len());
        for (j, b) in new.into_iter().enumerate() {
            s.blocks.insert(at + j, b);
        }
    }
}
