//! Log records and snapshots as bytes: a versioned, checksummed frame around each payload,
//! so recovery can tell a torn or corrupt record from a good one.
//!
//! Frame: `b"EFLX"`, version (u8), kind (u8), payload length (u32 LE), CRC-32C of the
//! payload (u32 LE), payload.

use crate::ApiError;

const MAGIC: &[u8; 4] = b"EFLX";
const VERSION: u8 = 1;
const HEADER: usize = 4 + 1 + 1 + 4 + 4;

/// What a frame holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// JSON list of catalog changes.
    Catalog = 1,
    /// A write batch: bucket id + the store's encoded batch.
    Write = 2,
    /// A delete: JSON.
    Delete = 3,
    /// A whole-engine snapshot.
    Snapshot = 4,
}

impl Kind {
    fn from_u8(v: u8) -> Option<Kind> {
        Some(match v {
            1 => Kind::Catalog,
            2 => Kind::Write,
            3 => Kind::Delete,
            4 => Kind::Snapshot,
            _ => return None,
        })
    }
}

pub fn frame(kind: Kind, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.push(kind as u8);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32c::crc32c(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Checks the frame and returns its kind and payload.
pub fn unframe(bytes: &[u8]) -> Result<(Kind, &[u8]), String> {
    if bytes.len() < HEADER {
        return Err("truncated header".into());
    }
    if &bytes[..4] != MAGIC {
        return Err("bad magic".into());
    }
    if bytes[4] != VERSION {
        return Err(format!("unsupported version {}", bytes[4]));
    }
    let kind = Kind::from_u8(bytes[5]).ok_or_else(|| format!("unknown kind {}", bytes[5]))?;
    let len = u32::from_le_bytes([bytes[6], bytes[7], bytes[8], bytes[9]]) as usize;
    let crc = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]);
    let payload = &bytes[HEADER..];
    if payload.len() != len {
        return Err(format!("length {} != {}", payload.len(), len));
    }
    if crc32c::crc32c(payload) != crc {
        return Err("checksum mismatch".into());
    }
    Ok((kind, payload))
}

pub fn corrupt_record(e: impl std::fmt::Display) -> ApiError {
    ApiError::CorruptRecord(e.to_string())
}

/// Reads little-endian fields out of a payload without panicking.
pub struct Cursor<'a> {
    pub buf: &'a [u8],
}

impl<'a> Cursor<'a> {
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.buf.len() < n {
            return Err("truncated payload".into());
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Ok(a)
    }
    pub fn u64(&mut self) -> Result<u64, String> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    pub fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.u64()?;
        let n = usize::try_from(n).map_err(|_| "length overflow".to_string())?;
        self.take(n)
    }
}

pub fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u64).to_le_bytes());
    out.extend_from_slice(b);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_detect_damage() {
        let f = frame(Kind::Write, b"payload");
        assert_eq!(unframe(&f).unwrap(), (Kind::Write, &b"payload"[..]));
        let mut bad = f.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(unframe(&bad).unwrap_err().contains("checksum"));
        assert!(unframe(&f[..f.len() - 1]).is_err());
        assert!(unframe(&f[..3]).is_err());
        let mut v = f.clone();
        v[4] = 9;
        assert!(unframe(&v).unwrap_err().contains("version"));
    }

    #[test]
    fn cursor_never_reads_past_the_end() {
        let mut out = Vec::new();
        put_bytes(&mut out, b"abc");
        let mut c = Cursor { buf: &out };
        assert_eq!(c.bytes().unwrap(), b"abc");
        assert!(c.u64().is_err());
        let mut c = Cursor { buf: &[0xff; 8] };
        assert!(c.bytes().is_err());
    }
}
