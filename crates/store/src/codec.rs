//! The persistence format: versioned, crc32c-checksummed records.
//!
//! Every log record is framed as
//! `0xEF | version (1) | kind (u8) | payload length (u32 LE) | payload | crc32c (u32 LE)`,
//! the checksum covering everything before it. Kinds below 0x40 belong to the store
//! (`RECORD_*`); the API frames its own catalog records with kinds 0x40..=0xFF through
//! the same `encode_record` / `decode_record`. A log file is records back to back
//! (`split_record` walks it). Sealed blocks carry their own checksum (see `block`), and
//! a snapshot is one framed record of kind `RECORD_SNAPSHOT`.
//!
//! Decoders return `CodecError` on corrupt or truncated bytes and never panic.

use std::collections::BTreeMap;

use crate::bits::{Reader, Writer};
use crate::block::{
    block_header, decode_block, decode_ints, decode_values, encode_block, encode_ints,
    encode_values, type_from_tag, type_tag, MAX_ROWS,
};
use crate::delete::{DeleteBatch, DeleteOp, DeletePredicate, TagRule};
use crate::error::{CodecError, StoreError};
use crate::model::{Chunk, Column, SeriesKey};
use crate::store::{BlockHandle, Bucket, BucketOptions, Series, Store, StoreOptions};
use crate::write::{BatchPoint, WriteBatch};

const MAGIC: u8 = 0xEF;
const VERSION: u8 = 1;
const HEADER: usize = 7;

/// A `WriteBatch` (see `encode_write`).
pub const RECORD_WRITE: u8 = 1;
/// A `DeleteBatch`.
pub const RECORD_DELETE: u8 = 2;
/// Drop a bucket's data: payload = bucket id (u64 LE).
pub const RECORD_DROP_BUCKET: u8 = 3;
/// Set a bucket's options: bucket id (u64 LE), retention ns, shard-group ns (zigzag varints).
pub const RECORD_BUCKET_OPTIONS: u8 = 4;
/// A whole-store snapshot.
pub const RECORD_SNAPSHOT: u8 = 0x10;
/// First kind available to the API's own records.
pub const FIRST_API_KIND: u8 = 0x40;

/// Frames a payload as a checksummed record.
pub fn encode_record(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + HEADER + 4);
    out.push(MAGIC);
    out.push(VERSION);
    out.push(kind);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
    let crc = crc32c::crc32c(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Splits the first record off `bytes`: (kind, payload, rest).
pub fn split_record(bytes: &[u8]) -> Result<(u8, &[u8], &[u8]), CodecError> {
    if bytes.len() < HEADER + 4 {
        return Err(CodecError::Truncated);
    }
    if bytes[0] != MAGIC {
        return Err(CodecError::Magic);
    }
    if bytes[1] != VERSION {
        return Err(CodecError::Version(bytes[1]));
    }
    let kind = bytes[2];
    let len = u32::from_le_bytes([bytes[3], bytes[4], bytes[5], bytes[6]]) as usize;
    let end = HEADER.checked_add(len).ok_or(CodecError::Truncated)?;
    if bytes.len() < end + 4 {
        return Err(CodecError::Truncated);
    }
    let crc = u32::from_le_bytes([bytes[end], bytes[end + 1], bytes[end + 2], bytes[end + 3]]);
    if crc32c::crc32c(&bytes[..end]) != crc {
        return Err(CodecError::Checksum);
    }
    Ok((kind, &bytes[HEADER..end], &bytes[end + 4..]))
}

/// Decodes exactly one record: (kind, payload).
pub fn decode_record(bytes: &[u8]) -> Result<(u8, &[u8]), CodecError> {
    let (kind, payload, rest) = split_record(bytes)?;
    if !rest.is_empty() {
        return Err(CodecError::Trailing(rest.len()));
    }
    Ok((kind, payload))
}

fn expect(bytes: &[u8], want: u8) -> Result<&[u8], CodecError> {
    let (kind, payload) = decode_record(bytes)?;
    if kind != want {
        return Err(CodecError::Kind(kind));
    }
    Ok(payload)
}

fn finish(r: &Reader<'_>) -> Result<(), CodecError> {
    if r.is_empty() {
        Ok(())
    } else {
        Err(CodecError::Trailing(r.remaining()))
    }
}

// ---- write batches ----

fn put_key(w: &mut Writer, k: &SeriesKey) {
    w.str(&k.measurement);
    w.usize(k.tags.len());
    for (a, b) in &k.tags {
        w.str(a);
        w.str(b);
    }
}

fn get_key(r: &mut Reader<'_>) -> Result<SeriesKey, CodecError> {
    let measurement = r.string()?;
    let n = r.len(2)?;
    let mut tags = Vec::with_capacity(n);
    for _ in 0..n {
        tags.push((r.string()?, r.string()?));
    }
    if !tags.windows(2).all(|w| w[0].0 < w[1].0) {
        return Err(CodecError::Invalid("tags not sorted"));
    }
    Ok(SeriesKey { measurement, tags })
}

/// Format of write payloads: points grouped by series, each series columnar (times
/// and one compressed column per field and type, as in blocks), so a log record costs
/// about as much as the data it carries.
const WRITE_FORMAT: u8 = 2;

/// The payload of a write record. Points are stored grouped by series, keeping their
/// order within a series (all that last-write-wins depends on); `decode_write_payload`
/// returns them in that grouped order.
pub fn encode_write_payload(b: &WriteBatch) -> Vec<u8> {
    let mut w = Writer::new();
    w.u8(WRITE_FORMAT);
    w.u64(b.bucket);
    w.usize(b.series.len());
    for k in &b.series {
        put_key(&mut w, k);
    }
    w.usize(b.field_names.len());
    for f in &b.field_names {
        w.str(f);
    }
    let mut by_series: Vec<Vec<&BatchPoint>> = vec![Vec::new(); b.series.len()];
    for p in &b.points {
        if let Some(v) = by_series.get_mut(p.series as usize) {
            v.push(p);
        }
    }
    for points in &by_series {
        w.usize(points.len());
        if points.is_empty() {
            continue;
        }
        let times: Vec<i64> = points.iter().map(|p| p.time).collect();
        let mut tw = Writer::new();
        encode_ints(&times, &[1, 2], &mut tw);
        w.bytes(&tw.buf);
        // Columns keyed by (field id, type), in that order.
        let mut cols: BTreeMap<(u32, u8), Column> = BTreeMap::new();
        for (row, p) in points.iter().enumerate() {
            for (fid, v) in &p.fields {
                let col = cols
                    .entry((*fid, type_tag(v.field_type())))
                    .or_insert_with(|| Column::nulls(v.field_type(), points.len()));
                if col.values.set(row, v) {
                    col.valid[row] = true;
                }
            }
        }
        w.usize(cols.len());
        for ((fid, tag), col) in &cols {
            w.var(u64::from(*fid));
            w.u8(*tag);
            let mut cw = Writer::new();
            encode_values(&col.values, &col.valid, &mut cw);
            w.bytes(&cw.buf);
        }
    }
    w.buf
}

pub fn decode_write_payload(payload: &[u8]) -> Result<WriteBatch, CodecError> {
    let mut r = Reader::new(payload);
    let format = r.u8()?;
    if format != WRITE_FORMAT {
        return Err(CodecError::Version(format));
    }
    let bucket = r.u64()?;
    let ns = r.len(2)?;
    let mut series = Vec::with_capacity(ns);
    for _ in 0..ns {
        series.push(get_key(&mut r)?);
    }
    let nf = r.len(1)?;
    let mut field_names = Vec::with_capacity(nf);
    for _ in 0..nf {
        field_names.push(r.string()?);
    }
    let mut points = Vec::new();
    for sid in 0..ns {
        let n = r.count(MAX_ROWS)?;
        if n == 0 {
            continue;
        }
        let times = decode_ints(&mut Reader::new(r.bytes()?), n)?;
        let first = points.len();
        points.extend(times.into_iter().map(|time| BatchPoint {
            series: sid as u32,
            time,
            fields: Vec::new(),
        }));
        let ncols = r.len(3)?;
        for _ in 0..ncols {
            let fid = r.var()?;
            if fid >= nf as u64 {
                return Err(CodecError::Invalid("field index"));
            }
            let ty = type_from_tag(r.u8()?)?;
            let col = decode_values(&mut Reader::new(r.bytes()?), ty, n)?;
            for (i, p) in points[first..].iter_mut().enumerate() {
                if col.valid[i] {
                    if let Some(v) = col.values.get(i) {
                        p.fields.push((fid as u32, v));
                    }
                }
            }
        }
    }
    finish(&r)?;
    Ok(WriteBatch {
        bucket,
        series,
        field_names,
        points,
    })
}

/// A write batch as a framed log record.
pub fn encode_write(b: &WriteBatch) -> Vec<u8> {
    encode_record(RECORD_WRITE, &encode_write_payload(b))
}

pub fn decode_write(bytes: &[u8]) -> Result<WriteBatch, CodecError> {
    decode_write_payload(expect(bytes, RECORD_WRITE)?)
}

// ---- deletes and bucket records ----

pub fn encode_delete_payload(d: &DeleteBatch) -> Vec<u8> {
    let mut w = Writer::new();
    w.u64(d.bucket);
    w.ivar(d.start);
    w.ivar(d.stop);
    w.usize(d.predicate.rules.len());
    for r in &d.predicate.rules {
        w.str(&r.key);
        w.u8(match r.op {
            DeleteOp::Eq => 0,
            DeleteOp::Ne => 1,
        });
        w.str(&r.value);
    }
    w.buf
}

pub fn decode_delete_payload(payload: &[u8]) -> Result<DeleteBatch, CodecError> {
    let mut r = Reader::new(payload);
    let bucket = r.u64()?;
    let start = r.ivar()?;
    let stop = r.ivar()?;
    let n = r.len(3)?;
    let mut rules = Vec::with_capacity(n);
    for _ in 0..n {
        let key = r.string()?;
        let op = match r.u8()? {
            0 => DeleteOp::Eq,
            1 => DeleteOp::Ne,
            _ => return Err(CodecError::Invalid("delete operator")),
        };
        rules.push(TagRule {
            key,
            op,
            value: r.string()?,
        });
    }
    finish(&r)?;
    Ok(DeleteBatch {
        bucket,
        start,
        stop,
        predicate: DeletePredicate { rules },
    })
}

pub fn encode_delete(d: &DeleteBatch) -> Vec<u8> {
    encode_record(RECORD_DELETE, &encode_delete_payload(d))
}

pub fn decode_delete(bytes: &[u8]) -> Result<DeleteBatch, CodecError> {
    decode_delete_payload(expect(bytes, RECORD_DELETE)?)
}

pub fn encode_drop_bucket(bucket: u64) -> Vec<u8> {
    encode_record(RECORD_DROP_BUCKET, &bucket.to_le_bytes())
}

pub fn encode_bucket_options(bucket: u64, o: BucketOptions) -> Vec<u8> {
    let mut w = Writer::new();
    w.u64(bucket);
    w.ivar(o.retention_ns);
    w.ivar(o.shard_group_ns);
    encode_record(RECORD_BUCKET_OPTIONS, &w.buf)
}

fn decode_bucket_options(payload: &[u8]) -> Result<(u64, BucketOptions), CodecError> {
    let mut r = Reader::new(payload);
    let id = r.u64()?;
    let o = BucketOptions {
        retention_ns: r.ivar()?,
        shard_group_ns: r.ivar()?,
    };
    finish(&r)?;
    Ok((id, o))
}

impl Store {
    /// Applies a store log record (kinds < 0x40). Returns `Ok(false)` for other kinds,
    /// which belong to the API.
    pub fn apply_record(&mut self, bytes: &[u8]) -> Result<bool, StoreError> {
        let (kind, payload) = decode_record(bytes)?;
        self.apply_payload(kind, payload)
    }

    /// Like `apply_record` for an already split record.
    pub fn apply_payload(&mut self, kind: u8, payload: &[u8]) -> Result<bool, StoreError> {
        match kind {
            RECORD_WRITE => self.apply_write(&decode_write_payload(payload)?),
            RECORD_DELETE => self.apply_delete(&decode_delete_payload(payload)?),
            RECORD_DROP_BUCKET => {
                let mut r = Reader::new(payload);
                let id = r.u64()?;
                finish(&r)?;
                self.drop_bucket(id);
            }
            RECORD_BUCKET_OPTIONS => {
                let (id, o) = decode_bucket_options(payload)?;
                self.set_bucket_options(id, o);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The whole store as one record (resident block bytes included; evicted blocks are
    /// listed by id and must be supplied later with `load_block`).
    pub fn snapshot(&self) -> Vec<u8> {
        self.snapshot_impl(true)
    }

    /// A snapshot of everything but block bytes (schema, series, heads, block metadata):
    /// for edges that persist blocks one by one (`take_block_changes` + `block_bytes`).
    /// The restored store has every block evicted and asks for them with
    /// `StoreError::BlocksNotResident`.
    pub fn snapshot_without_blocks(&self) -> Vec<u8> {
        self.snapshot_impl(false)
    }

    fn snapshot_impl(&self, with_blocks: bool) -> Vec<u8> {
        let mut w = Writer::new();
        w.usize(self.options.max_head_rows);
        w.usize(self.options.max_block_rows);
        w.usize(self.options.max_total_head_rows);
        w.var(self.next_block_id);
        w.usize(self.buckets.len());
        for (id, b) in &self.buckets {
            w.u64(*id);
            w.ivar(b.options.retention_ns);
            w.ivar(b.options.shard_group_ns);
            w.usize(b.field_types.len());
            for (m, fields) in &b.field_types {
                w.str(m);
                w.usize(fields.len());
                for (f, t) in fields {
                    w.str(f);
                    w.u8(type_tag(*t));
                }
            }
            w.usize(b.series.len());
            for (k, s) in &b.series {
                put_key(&mut w, k);
                w.usize(s.fields.len());
                for (f, t) in &s.fields {
                    w.str(f);
                    w.u8(type_tag(*t));
                }
                if s.head.rows() == 0 {
                    w.usize(0);
                } else {
                    w.bytes(&encode_block(&s.head, &s.fields));
                }
                w.usize(s.blocks.len());
                for h in &s.blocks {
                    w.var(h.id);
                    w.ivar(h.min_time);
                    w.ivar(h.max_time);
                    w.var(u64::from(h.rows));
                    w.ivar(h.window);
                    w.usize(h.slots.len());
                    for sl in &h.slots {
                        w.var(u64::from(*sl));
                    }
                    w.usize(h.tombstones.len());
                    for (a, b) in &h.tombstones {
                        w.ivar(*a);
                        w.ivar(*b);
                    }
                    w.u32(h.crc);
                    w.var(u64::from(h.len));
                    match h.bytes.as_ref().filter(|_| with_blocks) {
                        Some(bytes) => {
                            w.u8(1);
                            w.bytes(bytes);
                        }
                        None => w.u8(0),
                    }
                }
            }
        }
        encode_record(RECORD_SNAPSHOT, &w.buf)
    }

    /// Rebuilds a store from `snapshot()` bytes.
    pub fn restore(bytes: &[u8]) -> Result<Store, StoreError> {
        let payload = expect(bytes, RECORD_SNAPSHOT)?;
        Ok(restore_payload(payload)?)
    }
}

fn restore_payload(payload: &[u8]) -> Result<Store, CodecError> {
    let mut r = Reader::new(payload);
    let options = StoreOptions {
        max_head_rows: r.count(MAX_ROWS)?.max(1),
        max_block_rows: r.count(MAX_ROWS)?.max(1),
        max_total_head_rows: usize::try_from(r.var()?).unwrap_or(usize::MAX),
    };
    let mut store = Store::with_options(options);
    store.next_block_id = r.var()?;
    let mut seen_ids = std::collections::HashSet::new();
    let nb = r.len(10)?;
    for _ in 0..nb {
        let id = r.u64()?;
        let mut bucket = Bucket {
            options: BucketOptions {
                retention_ns: r.ivar()?,
                shard_group_ns: r.ivar()?,
            },
            ..Bucket::default()
        };
        let nm = r.len(2)?;
        for _ in 0..nm {
            let m = r.string()?;
            let nf = r.len(2)?;
            let mut fields = BTreeMap::new();
            for _ in 0..nf {
                let f = r.string()?;
                fields.insert(f, type_from_tag(r.u8()?)?);
            }
            bucket.field_types.insert(m, fields);
        }
        let ns = r.len(4)?;
        for _ in 0..ns {
            let key = get_key(&mut r)?;
            let nf = r.len(2)?;
            let mut s = Series::default();
            for _ in 0..nf {
                let f = r.string()?;
                let t = type_from_tag(r.u8()?)?;
                if s.slot(&f).is_some() {
                    return Err(CodecError::Invalid("duplicate field"));
                }
                s.fields.push((f, t));
            }
            let head = r.bytes()?;
            if !head.is_empty() {
                s.head = decode_into_series(&s, head)?;
            }
            let nblocks = r.len(8)?;
            for _ in 0..nblocks {
                let id = r.var()?;
                if id >= store.next_block_id || !seen_ids.insert(id) {
                    return Err(CodecError::Invalid("block id"));
                }
                let min_time = r.ivar()?;
                let max_time = r.ivar()?;
                let rows = u32::try_from(r.var()?).map_err(|_| CodecError::Invalid("rows"))?;
                let window = r.ivar()?;
                let nsl = r.len(1)?;
                let mut slots = Vec::with_capacity(nsl);
                for _ in 0..nsl {
                    let sl = r.var()?;
                    if sl >= s.fields.len() as u64 {
                        return Err(CodecError::Invalid("block slot"));
                    }
                    slots.push(sl as u32);
                }
                let nt = r.len(2)?;
                let mut tombstones = Vec::with_capacity(nt);
                for _ in 0..nt {
                    tombstones.push((r.ivar()?, r.ivar()?));
                }
                let crc = r.u32()?;
                let len =
                    u32::try_from(r.var()?).map_err(|_| CodecError::Invalid("block length"))?;
                let bytes = match r.u8()? {
                    0 => None,
                    1 => {
                        let b = r.bytes()?.to_vec();
                        let h = block_header(&b)?;
                        if h.rows != rows as usize
                            || b.len() != len as usize
                            || b[b.len() - 4..] != crc.to_le_bytes()
                        {
                            return Err(CodecError::Invalid("block does not match its metadata"));
                        }
                        Some(b)
                    }
                    _ => return Err(CodecError::Invalid("resident flag")),
                };
                let h = BlockHandle {
                    id,
                    min_time,
                    max_time,
                    rows,
                    window,
                    slots,
                    tombstones,
                    crc,
                    len,
                    bytes,
                    stats: Default::default(),
                };
                s.blocks.push(h);
            }
            if bucket.series.insert(key, s).is_some() {
                return Err(CodecError::Invalid("duplicate series"));
            }
        }
        if store.buckets.insert(id, bucket).is_some() {
            return Err(CodecError::Invalid("duplicate bucket"));
        }
    }
    finish(&r)?;
    store.recount_head_rows();
    store.reported_blocks = store.block_ids();
    Ok(store)
}

fn decode_into_series(s: &Series, bytes: &[u8]) -> Result<Chunk, CodecError> {
    let mut chunk = decode_block(bytes, &mut |name, ty| {
        let slot = s
            .slot(name)
            .ok_or(CodecError::Invalid("head field not in series"))?;
        if s.fields[slot].1 != ty {
            return Err(CodecError::Invalid("head field type"));
        }
        Ok(Some(slot))
    })?;
    chunk.cols.resize(s.fields.len(), None);
    Ok(chunk)
}
