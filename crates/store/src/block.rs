//! Sealed blocks: the compressed, immutable, checksummed unit of persistence and of lazy
//! loading. One block holds a time-bounded run of one series (sorted, de-duplicated rows;
//! its field columns share the time column).
//!
//! Encodings, chosen per column:
//! - time: delta-of-delta (or delta, whichever is smaller), zigzag, frame-of-reference
//!   bit packing in frames of 128 (a regular interval costs ~0 bits per row);
//! - float: *decimal-aware*: if every value is exactly `k / 10^d` for a small `d`, the
//!   integers `k` are stored (delta or raw, whichever is smaller, zigzag + bit packing);
//!   two-decimal metrics become small integer steps. Otherwise an XOR-with-previous code
//!   that drops leading and trailing zero bytes;
//! - integer / unsigned: delta (or raw) + zigzag + bit packing;
//! - string: dictionary + bit-packed indices; boolean: bitmap;
//! - validity: one flag byte when all rows are valid, else a bitmap; values are stored
//!   only for valid rows.
//!
//! Layout: `"EFB1" | version | rows | min | max | time column | ncols | (name, type, len,
//! payload)* | crc32c`.

use crate::bits::{
    pack_bits, pack_residuals, pack_u64s, unpack_bits, unpack_residuals, unpack_u64s, unzigzag,
    zigzag, Reader, Writer,
};
use crate::error::CodecError;
use crate::model::{Chunk, Column, Values};
use edgeflux_types::FieldType;

const MAGIC: &[u8; 4] = b"EFB1";
const VERSION: u8 = 1;
/// Upper bound on rows in a block or head image (bounds allocations on corrupt input).
pub(crate) const MAX_ROWS: usize = 1 << 22;

pub(crate) fn type_tag(ty: FieldType) -> u8 {
    match ty {
        FieldType::Float => 0,
        FieldType::Integer => 1,
        FieldType::UInteger => 2,
        FieldType::String => 3,
        FieldType::Boolean => 4,
    }
}

pub(crate) fn type_from_tag(t: u8) -> Result<FieldType, CodecError> {
    Ok(match t {
        0 => FieldType::Float,
        1 => FieldType::Integer,
        2 => FieldType::UInteger,
        3 => FieldType::String,
        4 => FieldType::Boolean,
        _ => return Err(CodecError::Invalid("field type")),
    })
}

// ---- integer sequences ----

fn encode_ints_order(vals: &[i64], order: u8, w: &mut Writer) {
    w.u8(order);
    let mut resid: Vec<u64> = Vec::with_capacity(vals.len());
    match order {
        0 => resid.extend(vals.iter().map(|&v| zigzag(v))),
        1 => {
            if let Some(&f) = vals.first() {
                w.ivar(f);
            }
            resid.extend(vals.windows(2).map(|p| zigzag(p[1].wrapping_sub(p[0]))));
        }
        _ => {
            if let Some(&f) = vals.first() {
                w.ivar(f);
            }
            if vals.len() > 1 {
                w.ivar(vals[1].wrapping_sub(vals[0]));
            }
            resid.extend(vals.windows(3).map(|p| {
                let d1 = p[1].wrapping_sub(p[0]);
                let d2 = p[2].wrapping_sub(p[1]);
                zigzag(d2.wrapping_sub(d1))
            }));
        }
    }
    pack_residuals(&resid, w);
}

/// Writes `vals` with whichever of `orders` (0 raw, 1 delta, 2 delta-of-delta) is smallest.
pub(crate) fn encode_ints(vals: &[i64], orders: &[u8], w: &mut Writer) {
    let mut best: Option<Writer> = None;
    for &o in orders {
        let mut tw = Writer::new();
        encode_ints_order(vals, o, &mut tw);
        if best.as_ref().is_none_or(|b| tw.buf.len() < b.buf.len()) {
            best = Some(tw);
        }
    }
    if let Some(b) = best {
        w.raw(&b.buf);
    }
}

pub(crate) fn decode_ints(r: &mut Reader<'_>, n: usize) -> Result<Vec<i64>, CodecError> {
    let order = r.u8()?;
    if n == 0 {
        // An empty sequence still carries its (empty) frame list.
        return Ok(Vec::new());
    }
    // The residuals are unpacked after `head` leading slots and turned into values in
    // place (u64 → i64 collects into the same allocation): no second buffer, no pushes.
    let head = (order as usize).min(n);
    let mut raw: Vec<u64> = Vec::with_capacity(n);
    raw.resize(head, 0);
    let (first, step) = match order {
        0 => (0, 0),
        1 => (r.ivar()?, 0),
        2 => {
            let first = r.ivar()?;
            (first, if n > 1 { r.ivar()? } else { 0 })
        }
        _ => return Err(CodecError::Invalid("integer order")),
    };
    // A single value in delta-of-delta order carries no residual list at all.
    if !(order == 2 && n == 1) {
        unpack_residuals(r, n - head, &mut raw)?;
    }
    Ok(match order {
        0 => raw.into_iter().map(unzigzag).collect(),
        1 => {
            let mut prev = first;
            raw.into_iter()
                .enumerate()
                .map(|(i, z)| {
                    if i > 0 {
                        prev = prev.wrapping_add(unzigzag(z));
                    }
                    prev
                })
                .collect()
        }
        _ => {
            let (mut prev, mut d) = (first, step);
            raw.into_iter()
                .enumerate()
                .map(|(i, z)| {
                    match i {
                        0 => {}
                        1 => prev = prev.wrapping_add(d),
                        _ => {
                            d = d.wrapping_add(unzigzag(z));
                            prev = prev.wrapping_add(d);
                        }
                    }
                    prev
                })
                .collect()
        }
    })
}

// ---- floats ----

const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The smallest `d` such that every value is exactly `k / 10^d` with |k| < 2^53.
fn decimal_scale(vals: &[f64]) -> Option<(u8, Vec<i64>)> {
    'scale: for (d, &p) in POW10.iter().enumerate() {
        let mut ints = Vec::with_capacity(vals.len());
        for &v in vals {
            let k = (v * p).round();
            if !k.is_finite() || k.abs() >= 9007199254740992.0 {
                continue 'scale;
            }
            // Exactly what the decoder computes (this also keeps -0.0 out: it decodes as 0.0).
            let k = k as i64;
            if (k as f64 / p).to_bits() != v.to_bits() {
                continue 'scale;
            }
            ints.push(k);
        }
        return Some((d as u8, ints));
    }
    None
}

fn encode_floats(vals: &[f64], w: &mut Writer) {
    if let Some((d, ints)) = decimal_scale(vals) {
        w.u8(0);
        w.u8(d);
        encode_ints(&ints, &[0, 1], w);
        return;
    }
    w.u8(1);
    let mut prev = 0u64;
    for &v in vals {
        let bits = v.to_bits();
        let x = bits ^ prev;
        prev = bits;
        if x == 0 {
            w.u8(0x80);
            continue;
        }
        let lz = x.leading_zeros() / 8;
        let tz = x.trailing_zeros() / 8;
        w.u8(((lz as u8) << 4) | tz as u8);
        let be = x.to_be_bytes();
        w.raw(&be[lz as usize..(8 - tz) as usize]);
    }
}

fn decode_floats(r: &mut Reader<'_>, n: usize) -> Result<Vec<f64>, CodecError> {
    match r.u8()? {
        0 => {
            let d = r.u8()? as usize;
            let p = *POW10.get(d).ok_or(CodecError::Invalid("decimal scale"))?;
            Ok(decode_ints(r, n)?
                .into_iter()
                .map(|k| k as f64 / p)
                .collect())
        }
        1 => {
            if n > r.remaining() {
                return Err(CodecError::Truncated);
            }
            let mut out = Vec::with_capacity(n);
            let mut prev = 0u64;
            for _ in 0..n {
                let h = r.u8()?;
                let (lz, tz) = ((h >> 4) as usize, (h & 0x0f) as usize);
                if lz + tz > 8 {
                    return Err(CodecError::Invalid("xor header"));
                }
                let mid = r.take(8 - lz - tz)?;
                let mut be = [0u8; 8];
                be[lz..8 - tz].copy_from_slice(mid);
                prev ^= u64::from_be_bytes(be);
                out.push(f64::from_bits(prev));
            }
            Ok(out)
        }
        _ => Err(CodecError::Invalid("float mode")),
    }
}

// ---- columns ----

pub(crate) fn encode_values(values: &Values, valid: &[bool], w: &mut Writer) {
    let all_valid = valid.iter().all(|&v| v);
    if all_valid {
        w.u8(0);
    } else {
        w.u8(1);
        pack_bits(valid.iter().map(|&v| u64::from(v)), 1, &mut w.buf);
    }
    fn dense<T: Clone>(v: &[T], valid: &[bool], all: bool) -> Vec<T> {
        if all {
            v.to_vec()
        } else {
            v.iter()
                .zip(valid)
                .filter(|(_, &ok)| ok)
                .map(|(x, _)| x.clone())
                .collect()
        }
    }
    match values {
        Values::Float(v) => encode_floats(&dense(v, valid, all_valid), w),
        Values::Integer(v) => encode_ints(&dense(v, valid, all_valid), &[0, 1], w),
        Values::UInteger(v) => {
            let ints: Vec<i64> = dense(v, valid, all_valid)
                .into_iter()
                .map(|x| x as i64)
                .collect();
            encode_ints(&ints, &[0, 1], w)
        }
        Values::Boolean(v) => {
            let d = dense(v, valid, all_valid);
            pack_bits(d.iter().map(|&b| u64::from(b)), 1, &mut w.buf);
        }
        Values::String(v) => {
            let d = dense(v, valid, all_valid);
            let mut dict: Vec<&str> = Vec::new();
            let mut index: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
            let mut ids = Vec::with_capacity(d.len());
            for s in &d {
                let id = *index.entry(s.as_str()).or_insert_with(|| {
                    dict.push(s.as_str());
                    (dict.len() - 1) as u64
                });
                ids.push(id);
            }
            w.usize(dict.len());
            for s in dict {
                w.str(s);
            }
            pack_u64s(&ids, w);
        }
    }
}

pub(crate) fn decode_values(
    r: &mut Reader<'_>,
    ty: FieldType,
    rows: usize,
) -> Result<Column, CodecError> {
    let valid: Vec<bool> = match r.u8()? {
        0 => vec![true; rows],
        1 => {
            let data = r.take(rows.div_ceil(8))?;
            let mut v = Vec::with_capacity(rows);
            unpack_bits(data, rows, 1, |b| v.push(b == 1));
            v
        }
        _ => return Err(CodecError::Invalid("validity flag")),
    };
    let n = valid.iter().filter(|&&v| v).count();
    fn spread<T: Clone>(dense: Vec<T>, valid: &[bool], fill: T) -> Vec<T> {
        if dense.len() == valid.len() {
            return dense;
        }
        let mut it = dense.into_iter();
        valid
            .iter()
            .map(|&ok| {
                if ok {
                    it.next().unwrap_or_else(|| fill.clone())
                } else {
                    fill.clone()
                }
            })
            .collect()
    }
    let values = match ty {
        FieldType::Float => Values::Float(spread(decode_floats(r, n)?, &valid, 0.0)),
        FieldType::Integer => Values::Integer(spread(decode_ints(r, n)?, &valid, 0)),
        FieldType::UInteger => Values::UInteger(spread(
            decode_ints(r, n)?.into_iter().map(|x| x as u64).collect(),
            &valid,
            0,
        )),
        FieldType::Boolean => {
            let data = r.take(n.div_ceil(8))?;
            let mut d = Vec::with_capacity(n);
            unpack_bits(data, n, 1, |b| d.push(b == 1));
            Values::Boolean(spread(d, &valid, false))
        }
        FieldType::String => {
            let nd = r.len(1)?;
            let mut dict = Vec::with_capacity(nd);
            for _ in 0..nd {
                dict.push(r.string()?);
            }
            let mut ids = Vec::new();
            unpack_u64s(r, n, &mut ids)?;
            let mut d = Vec::with_capacity(n);
            for id in ids {
                let s = usize::try_from(id)
                    .ok()
                    .and_then(|i| dict.get(i))
                    .ok_or(CodecError::Invalid("string dictionary index"))?;
                d.push(s.clone());
            }
            Values::String(spread(d, &valid, String::new()))
        }
    };
    Ok(Column { valid, values })
}

/// Encodes rows of a series (any order; sealed blocks pass normalized chunks).
/// `fields[slot]` names each column of `chunk`.
pub(crate) fn encode_block(chunk: &Chunk, fields: &[(String, FieldType)]) -> Vec<u8> {
    let mut w = Writer::new();
    w.raw(MAGIC);
    w.u8(VERSION);
    let rows = chunk.rows();
    w.usize(rows);
    let (lo, hi) = chunk.min_max().unwrap_or((0, 0));
    w.ivar(lo);
    w.ivar(hi);
    let mut tw = Writer::new();
    encode_ints(&chunk.times, &[1, 2], &mut tw);
    w.bytes(&tw.buf);
    let cols: Vec<(usize, &Column)> = chunk
        .cols
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            c.as_ref()
                .filter(|c| c.valid.iter().any(|&v| v))
                .map(|c| (i, c))
        })
        .collect();
    w.usize(cols.len());
    for (slot, col) in cols {
        let (name, ty) = &fields[slot];
        w.str(name);
        w.u8(type_tag(*ty));
        let mut cw = Writer::new();
        encode_values(&col.values, &col.valid, &mut cw);
        w.bytes(&cw.buf);
    }
    let crc = crc32c::crc32c(&w.buf);
    w.u32(crc);
    w.buf
}

/// Header of a block: rows, min time, max time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockHeader {
    pub rows: usize,
    pub min_time: i64,
    pub max_time: i64,
}

fn open_block(bytes: &[u8]) -> Result<(Reader<'_>, BlockHeader), CodecError> {
    open_block_checked(bytes, true)
}

fn open_block_checked(bytes: &[u8], verify: bool) -> Result<(Reader<'_>, BlockHeader), CodecError> {
    if bytes.len() < 9 {
        return Err(CodecError::Truncated);
    }
    let (body, crc) = bytes.split_at(bytes.len() - 4);
    let crc = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
    if verify && crc32c::crc32c(body) != crc {
        return Err(CodecError::Checksum);
    }
    let mut r = Reader::new(body);
    if r.take(4)? != MAGIC {
        return Err(CodecError::Magic);
    }
    let v = r.u8()?;
    if v != VERSION {
        return Err(CodecError::Version(v));
    }
    let rows = r.count(MAX_ROWS)?;
    let min_time = r.ivar()?;
    let max_time = r.ivar()?;
    Ok((
        r,
        BlockHeader {
            rows,
            min_time,
            max_time,
        },
    ))
}

pub(crate) fn block_header(bytes: &[u8]) -> Result<BlockHeader, CodecError> {
    open_block(bytes).map(|(_, h)| h)
}

/// Decodes a block. `select(name, type)` maps a column to a slot of the output chunk
/// (`Ok(None)` skips the column without decoding it).
/// Maps a block column (name, type) to an output slot, or `None` to skip it.
pub(crate) type ColumnSelect<'a> =
    dyn FnMut(&str, FieldType) -> Result<Option<usize>, CodecError> + 'a;

/// A decoded block: times and (name, validity, values) per column.
pub type BlockColumns = (Vec<i64>, Vec<(String, Vec<bool>, Values)>);

pub(crate) fn decode_block(
    bytes: &[u8],
    select: &mut ColumnSelect<'_>,
) -> Result<Chunk, CodecError> {
    decode_block_checked(bytes, select, true)
}

/// [`decode_block`] for bytes already held by the store: their checksum was verified
/// when they came in (`load_block`, or the checksummed snapshot) or they were encoded
/// here, so reads skip it (it was a tenth of a full-range aggregate).
pub(crate) fn decode_resident_block(
    bytes: &[u8],
    select: &mut ColumnSelect<'_>,
) -> Result<Chunk, CodecError> {
    decode_block_checked(bytes, select, false)
}

fn decode_block_checked(
    bytes: &[u8],
    select: &mut ColumnSelect<'_>,
    verify: bool,
) -> Result<Chunk, CodecError> {
    let (mut r, h) = open_block_checked(bytes, verify)?;
    let tbytes = r.bytes()?;
    let mut tr = Reader::new(tbytes);
    let times = decode_ints(&mut tr, h.rows)?;
    let ncols = r.len(3)?;
    let mut chunk = Chunk {
        times,
        cols: Vec::new(),
    };
    for _ in 0..ncols {
        let name = r.str()?;
        let ty = type_from_tag(r.u8()?)?;
        let payload = r.bytes()?;
        if let Some(slot) = select(name, ty)? {
            let col = decode_values(&mut Reader::new(payload), ty, h.rows)?;
            if slot >= chunk.cols.len() {
                chunk.cols.resize(slot + 1, None);
            }
            chunk.cols[slot] = Some(col);
        }
    }
    if !r.is_empty() {
        return Err(CodecError::Trailing(r.remaining()));
    }
    Ok(chunk)
}

/// Appends a block's checksum to `body` (for tools and fuzzing, which need to get past
/// the checksum to reach the decoder).
pub fn with_checksum(body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    out.extend_from_slice(&crc32c::crc32c(body).to_le_bytes());
    out
}

/// Decodes every column of a block, naming them (used by fuzzing and tools).
pub fn decode_block_columns(bytes: &[u8]) -> Result<BlockColumns, CodecError> {
    let mut names: Vec<String> = Vec::new();
    let chunk = decode_block(bytes, &mut |name, _| {
        names.push(name.to_string());
        Ok(Some(names.len() - 1))
    })?;
    let cols = chunk
        .cols
        .into_iter()
        .zip(names)
        .filter_map(|(c, n)| c.map(|c| (n, c.valid, c.values)))
        .collect();
    Ok((chunk.times, cols))
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgeflux_types::FieldValue;

    fn fields() -> Vec<(String, FieldType)> {
        vec![
            ("f".into(), FieldType::Float),
            ("i".into(), FieldType::Integer),
            ("u".into(), FieldType::UInteger),
            ("s".into(), FieldType::String),
            ("b".into(), FieldType::Boolean),
            ("x".into(), FieldType::Float),
        ]
    }

    fn sample() -> Chunk {
        let f = fields();
        let types: Vec<FieldType> = f.iter().map(|x| x.1).collect();
        let mut c = Chunk::default();
        for i in 0..1000i64 {
            let t = 1_451_606_400_000_000_000 + i * 10_000_000_000;
            let fv = FieldValue::Float(((i * 37 % 1000) as f64) / 100.0);
            let iv = FieldValue::Integer(i * i - 500);
            let uv = FieldValue::UInteger(u64::MAX - i as u64);
            let sv = FieldValue::String(format!("s{}", i % 7));
            let bv = FieldValue::Boolean(i % 3 == 0);
            let xv = FieldValue::Float((i as f64).sqrt() * -1.5);
            let mut row = vec![(0, &fv), (1, &iv), (2, &uv), (4, &bv), (5, &xv)];
            if i % 5 != 0 {
                row.push((3, &sv));
            }
            c.push_row(t, &row, &types);
        }
        c
    }

    #[test]
    fn block_round_trips_every_type_with_nulls() {
        let c = sample();
        let bytes = encode_block(&c, &fields());
        let d = decode_block(&bytes, &mut |name, _| {
            Ok(fields().iter().position(|f| f.0 == name))
        })
        .unwrap();
        assert_eq!(d, c);
        let h = block_header(&bytes).unwrap();
        assert_eq!(h.rows, 1000);
        assert_eq!(h.min_time, c.times[0]);
    }

    #[test]
    fn two_decimal_floats_and_regular_times_are_small() {
        let f = vec![("v".to_string(), FieldType::Float)];
        let mut c = Chunk::default();
        let mut v = 50.0f64;
        for i in 0..1024i64 {
            v = ((v * 100.0).round() + ((i * 7919) % 41 - 20) as f64) / 100.0;
            c.push_row(
                i * 10_000_000_000,
                &[(0, &FieldValue::Float(v))],
                &[FieldType::Float],
            );
        }
        let bytes = encode_block(&c, &f);
        // 41 distinct steps fit 6 bits: well under one byte per value, times ~free.
        assert!(bytes.len() < 1024 * 7 / 8, "{} bytes", bytes.len());
    }

    #[test]
    fn corruption_is_detected_not_panicking() {
        let bytes = encode_block(&sample(), &fields());
        for cut in [0, 1, 5, 9, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode_block_columns(&bytes[..cut]).is_err());
        }
        let mut bad = bytes.clone();
        bad[20] ^= 0x40;
        assert_eq!(
            decode_block_columns(&bad).unwrap_err(),
            CodecError::Checksum
        );
    }

    #[test]
    fn non_decimal_floats_round_trip_bit_exactly() {
        let vals = [f64::NAN, -0.0, 0.0, f64::INFINITY, 1e300, 5e-324, 0.1 + 0.2];
        for v in [[-0.0f64; 3], [1.5, -0.0, 2.0]] {
            let mut w = Writer::new();
            encode_floats(&v, &mut w);
            let out = decode_floats(&mut Reader::new(&w.buf), v.len()).unwrap();
            assert_eq!(out[1].to_bits(), v[1].to_bits(), "-0.0 keeps its sign");
        }
        let mut w = Writer::new();
        encode_floats(&vals, &mut w);
        let out = decode_floats(&mut Reader::new(&w.buf), vals.len()).unwrap();
        let a: Vec<u64> = vals.iter().map(|v| v.to_bits()).collect();
        let b: Vec<u64> = out.iter().map(|v| v.to_bits()).collect();
        assert_eq!(a, b);
    }
}
