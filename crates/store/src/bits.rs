//! Byte-level building blocks of every encoding in this crate: a growable writer, a
//! bounds-checked reader (corrupt input becomes `CodecError`, never a panic or a huge
//! allocation), LEB128 varints, zigzag, and frame-of-reference bit packing.

use crate::error::CodecError;

/// A fast, non-cryptographic hasher (FxHash-style) for the write path's key maps; keys
/// come from the batch itself, and a collision only costs time.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.hash = (self.hash.rotate_left(5) ^ v).wrapping_mul(FX_SEED);
        }
        for &b in chunks.remainder() {
            self.hash = (self.hash.rotate_left(5) ^ u64::from(b)).wrapping_mul(FX_SEED);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.hash = (self.hash.rotate_left(5) ^ u64::from(i)).wrapping_mul(FX_SEED);
    }
    fn write_usize(&mut self, i: usize) {
        self.hash = (self.hash.rotate_left(5) ^ i as u64).wrapping_mul(FX_SEED);
    }
    fn finish(&self) -> u64 {
        self.hash
    }
}

pub(crate) type FxBuild = std::hash::BuildHasherDefault<FxHasher>;
pub(crate) type FxMap<K, V> = std::collections::HashMap<K, V, FxBuild>;

pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

pub(crate) fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

#[derive(Default)]
pub(crate) struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn new() -> Writer {
        Writer { buf: Vec::new() }
    }
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn var(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }
    pub fn ivar(&mut self, v: i64) {
        self.var(zigzag(v));
    }
    pub fn usize(&mut self, v: usize) {
        self.var(v as u64);
    }
    pub fn bytes(&mut self, b: &[u8]) {
        self.usize(b.len());
        self.buf.extend_from_slice(b);
    }
    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    pub fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
}

pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if n > self.remaining() {
            return Err(CodecError::Truncated);
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.take(1)?[0])
    }
    pub fn u32(&mut self) -> Result<u32, CodecError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn u64(&mut self) -> Result<u64, CodecError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    pub fn var(&mut self) -> Result<u64, CodecError> {
        let mut v: u64 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.u8()?;
            if shift == 63 && b > 1 {
                return Err(CodecError::Invalid("varint overflow"));
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
            if shift > 63 {
                return Err(CodecError::Invalid("varint overflow"));
            }
        }
    }
    pub fn ivar(&mut self) -> Result<i64, CodecError> {
        Ok(unzigzag(self.var()?))
    }
    /// A length or count; bounded by the bytes left times `per_item_min` so that a corrupt
    /// count cannot make the decoder allocate gigabytes.
    pub fn len(&mut self, min_bytes_per_item: usize) -> Result<usize, CodecError> {
        let v = self.var()?;
        let v = usize::try_from(v).map_err(|_| CodecError::Invalid("length overflow"))?;
        if min_bytes_per_item > 0 && v > self.remaining() / min_bytes_per_item {
            return Err(CodecError::Truncated);
        }
        Ok(v)
    }
    /// A count that is not backed by bytes one-to-one (e.g. rows of a constant column);
    /// bounded by a fixed cap.
    pub fn count(&mut self, cap: usize) -> Result<usize, CodecError> {
        let v = self.var()?;
        if v > cap as u64 {
            return Err(CodecError::Invalid("count too large"));
        }
        Ok(v as usize)
    }
    pub fn bytes(&mut self) -> Result<&'a [u8], CodecError> {
        let n = self.len(1)?;
        self.take(n)
    }
    pub fn str(&mut self) -> Result<&'a str, CodecError> {
        std::str::from_utf8(self.bytes()?).map_err(|_| CodecError::Invalid("invalid utf-8"))
    }
    pub fn string(&mut self) -> Result<String, CodecError> {
        Ok(self.str()?.to_string())
    }
}

/// Bits needed to represent `v`.
pub(crate) fn width(v: u64) -> u32 {
    64 - v.leading_zeros()
}

/// Values per frame of reference in `pack_u64s`.
const FRAME: usize = 128;

/// Frame-of-reference bit packing: frames of 128 values, each stored as its minimum
/// (varint), a bit width and the packed differences. Random-walk deltas and constant
/// strides both end up close to their information content.
pub(crate) fn pack_u64s(vals: &[u64], w: &mut Writer) {
    for frame in vals.chunks(FRAME) {
        let mut min = u64::MAX;
        let mut max = 0u64;
        for &v in frame {
            min = min.min(v);
            max = max.max(v);
        }
        let bits = width(max - min);
        w.var(min);
        w.u8(bits as u8);
        pack_bits(frame.iter().map(|v| v - min), bits, &mut w.buf);
    }
}

pub(crate) fn unpack_u64s(
    r: &mut Reader<'_>,
    n: usize,
    out: &mut Vec<u64>,
) -> Result<(), CodecError> {
    out.reserve(n.min(r.remaining().saturating_mul(8) + FRAME));
    let mut left = n;
    while left > 0 {
        let cnt = left.min(FRAME);
        let min = r.var()?;
        let bits = u32::from(r.u8()?);
        if bits > 64 {
            return Err(CodecError::Invalid("bit width"));
        }
        let nbytes = (cnt * bits as usize).div_ceil(8);
        let data = r.take(nbytes)?;
        unpack_bits(data, cnt, bits, |v| out.push(v.wrapping_add(min)));
        left -= cnt;
    }
    Ok(())
}

/// Size in bytes `pack_u64s` would produce.
fn frames_size(vals: &[u64]) -> usize {
    vals.chunks(FRAME)
        .map(|f| {
            let (lo, hi) = f
                .iter()
                .fold((u64::MAX, 0), |(a, b), &v| (a.min(v), b.max(v)));
            var_len(lo) + 1 + (f.len() * width(hi - lo) as usize).div_ceil(8)
        })
        .sum()
}

fn var_len(v: u64) -> usize {
    (width(v).max(1) as usize).div_ceil(7)
}

/// The largest `g` with `range^g - 1` fitting a u64, and that power.
fn radix_group(range: u64) -> Option<(u32, u64)> {
    if range < 3 {
        return None;
    }
    let mut g = 1u32;
    let mut pow = range;
    while let Some(p) = pow.checked_mul(range) {
        pow = p;
        g += 1;
    }
    Some((g, pow))
}

/// Residuals packed either as frames of reference (mode 0) or, when the whole column's
/// range is not a power of two, in mixed radix (mode 1): `g` values in base `range`
/// per `width(range^g - 1)` bits, which spends log2(range) bits per value instead of
/// rounding up to whole bits (a ±1.00 random walk at 2 decimals: 7.75 bits, not 8).
pub(crate) fn pack_residuals(vals: &[u64], w: &mut Writer) {
    let frames = frames_size(vals);
    if let (Some(&first), true) = (vals.first(), vals.len() >= 16) {
        let (lo, hi) = vals
            .iter()
            .fold((first, first), |(a, b), &v| (a.min(v), b.max(v)));
        if let Some(range) = (hi - lo).checked_add(1) {
            if let Some((g, pow)) = radix_group(range) {
                let gbits = width(pow - 1) as usize;
                let full = vals.len() / g as usize;
                let tail = vals.len() % g as usize;
                let tail_bits = if tail == 0 {
                    0
                } else {
                    width(range.pow(tail as u32) - 1) as usize
                };
                let radix = 1
                    + var_len(lo)
                    + var_len(range)
                    + (full * gbits).div_ceil(8)
                    + tail_bits.div_ceil(8);
                if radix < frames + 1 {
                    w.u8(1);
                    w.var(lo);
                    w.var(range);
                    let groups = vals
                        .chunks_exact(g as usize)
                        .map(|c| c.iter().rev().fold(0u64, |acc, &v| acc * range + (v - lo)));
                    pack_bits(groups, gbits as u32, &mut w.buf);
                    let rest = vals.chunks_exact(g as usize).remainder();
                    if !rest.is_empty() {
                        let t = rest
                            .iter()
                            .rev()
                            .fold(0u64, |acc, &v| acc * range + (v - lo));
                        pack_bits(std::iter::once(t), tail_bits as u32, &mut w.buf);
                    }
                    return;
                }
            }
        }
    }
    w.u8(0);
    pack_u64s(vals, w);
}

pub(crate) fn unpack_residuals(
    r: &mut Reader<'_>,
    n: usize,
    out: &mut Vec<u64>,
) -> Result<(), CodecError> {
    match r.u8()? {
        0 => unpack_u64s(r, n, out),
        1 => {
            let lo = r.var()?;
            let range = r.var()?;
            let (g, pow) = radix_group(range).ok_or(CodecError::Invalid("radix range"))?;
            let gbits = width(pow - 1);
            let g = g as usize;
            let full = n / g;
            let tail = n % g;
            let data = r.take((full * gbits as usize).div_ceil(8))?;
            out.reserve(n);
            let mut bad = false;
            let radix = Divisor::new(range);
            unpack_bits(data, full, gbits, |mut x| {
                for _ in 0..g {
                    let (q, digit) = radix.div_rem(x);
                    out.push(lo.wrapping_add(digit));
                    x = q;
                }
                bad |= x != 0;
            });
            if tail > 0 {
                let tbits = width(range.pow(tail as u32) - 1);
                let data = r.take((tbits as usize).div_ceil(8))?;
                unpack_bits(data, 1, tbits, |mut x| {
                    for _ in 0..tail {
                        let (q, digit) = radix.div_rem(x);
                        out.push(lo.wrapping_add(digit));
                        x = q;
                    }
                    bad |= x != 0;
                });
            }
            if bad {
                return Err(CodecError::Invalid("radix digit overflow"));
            }
            Ok(())
        }
        _ => Err(CodecError::Invalid("residual mode")),
    }
}

pub(crate) fn pack_bits(vals: impl Iterator<Item = u64>, bits: u32, out: &mut Vec<u8>) {
    if bits == 0 {
        return;
    }
    let mut acc: u128 = 0;
    let mut have = 0u32;
    for v in vals {
        acc |= u128::from(v) << have;
        have += bits;
        while have >= 8 {
            out.push(acc as u8);
            acc >>= 8;
            have -= 8;
        }
    }
    if have > 0 {
        out.push(acc as u8);
    }
}

/// Division of u64s by one fixed divisor with two multiplications instead of a hardware
/// division (which costs tens of cycles; mixed-radix decoding does one per value).
/// Lemire, Kaser & Kurz (2019): with c = ceil(2^128 / d), n / d = floor(c * n / 2^128)
/// for every 64-bit n.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Divisor {
    d: u64,
    c_hi: u64,
    c_lo: u64,
}

impl Divisor {
    /// `d` must be at least 2 (2^128 / 1 does not fit); mixed radix uses 3 and up.
    pub(crate) fn new(d: u64) -> Divisor {
        let c = (u128::MAX / u128::from(d.max(1))).wrapping_add(1);
        Divisor {
            d,
            c_hi: (c >> 64) as u64,
            c_lo: c as u64,
        }
    }

    /// (n / d, n % d)
    #[inline]
    pub(crate) fn div_rem(&self, n: u64) -> (u64, u64) {
        // floor(c * n / 2^128) from the two 64-bit halves of c; exact, see above.
        let low = (u128::from(self.c_lo) * u128::from(n)) >> 64;
        let q = ((u128::from(self.c_hi) * u128::from(n) + low) >> 64) as u64;
        (q, n - q * self.d)
    }
}

/// `data` must hold at least `ceil(n * bits / 8)` bytes (callers take exactly that).
pub(crate) fn unpack_bits(data: &[u8], n: usize, bits: u32, mut f: impl FnMut(u64)) {
    if bits == 0 {
        for _ in 0..n {
            f(0);
        }
        return;
    }
    let mask: u128 = if bits == 64 {
        u128::from(u64::MAX)
    } else {
        (1u128 << bits) - 1
    };
    let mut acc: u128 = 0;
    let mut have = 0u32;
    let mut pos = 0;
    for _ in 0..n {
        if have < bits {
            // Eight bytes at a time while they last (have < 64 leaves room in 128 bits).
            if let Some(word) = data.get(pos..pos + 8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(word);
                acc |= u128::from(u64::from_le_bytes(w)) << have;
                have += 64;
                pos += 8;
            } else {
                while have < bits {
                    let b = data.get(pos).copied().unwrap_or(0);
                    acc |= u128::from(b) << have;
                    have += 8;
                    pos += 1;
                }
            }
        }
        f((acc & mask) as u64);
        acc >>= bits;
        have -= bits;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divisor_matches_hardware_division() {
        let mut n: u64 = 0x9e37_79b9_7f4a_7c15;
        let divisors = [
            2,
            3,
            7,
            10,
            215,
            1 << 20,
            1_000_003,
            u64::MAX / 3,
            u64::MAX - 1,
            u64::MAX,
        ];
        for d in divisors {
            let div = Divisor::new(d);
            for k in 0..20_000u64 {
                n ^= n << 13;
                n ^= n >> 7;
                n ^= n << 17;
                for x in [n, n >> (k % 64), k, u64::MAX - k] {
                    assert_eq!(div.div_rem(x), (x / d, x % d), "{x} / {d}");
                }
            }
        }
    }

    #[test]
    fn varints_and_zigzag_round_trip() {
        let mut w = Writer::new();
        let vals = [0i64, 1, -1, 63, -64, i64::MAX, i64::MIN, 123456789];
        for v in vals {
            w.ivar(v);
        }
        w.var(u64::MAX);
        let mut r = Reader::new(&w.buf);
        for v in vals {
            assert_eq!(r.ivar().unwrap(), v);
        }
        assert_eq!(r.var().unwrap(), u64::MAX);
        assert!(r.is_empty());
        assert_eq!(r.u8(), Err(CodecError::Truncated));
    }

    #[test]
    fn overlong_varint_is_an_error() {
        let bytes = [0xffu8; 11];
        assert!(Reader::new(&bytes).var().is_err());
    }

    #[test]
    fn residuals_round_trip_in_both_modes() {
        let walk: Vec<u64> = (0..1000u64).map(|i| (i * 2654435761) % 201).collect();
        let mut w = Writer::new();
        pack_residuals(&walk, &mut w);
        assert_eq!(w.buf[0], 1, "mixed radix chosen for range 201");
        assert!(w.buf.len() < 1000 * 78 / 80, "{} bytes", w.buf.len());
        let mut out = Vec::new();
        unpack_residuals(&mut Reader::new(&w.buf), walk.len(), &mut out).unwrap();
        assert_eq!(out, walk);
        for vals in [
            vec![7u64; 40],
            (0..300).map(|i| i * 1000).collect(),
            vec![0, u64::MAX, 5, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
        ] {
            let mut w = Writer::new();
            pack_residuals(&vals, &mut w);
            let mut out = Vec::new();
            unpack_residuals(&mut Reader::new(&w.buf), vals.len(), &mut out).unwrap();
            assert_eq!(out, vals);
        }
    }

    #[test]
    fn bit_packing_round_trips_all_widths() {
        for bits in [0u32, 1, 3, 7, 8, 13, 33, 63, 64] {
            let vals: Vec<u64> = (0..300u64)
                .map(|i| {
                    if bits == 0 {
                        5
                    } else {
                        (i * 2654435761) & (u64::MAX >> (64 - bits))
                    }
                })
                .collect();
            let mut w = Writer::new();
            pack_u64s(&vals, &mut w);
            let mut out = Vec::new();
            unpack_u64s(&mut Reader::new(&w.buf), vals.len(), &mut out).unwrap();
            assert_eq!(out, vals, "bits {bits}");
        }
    }
}
