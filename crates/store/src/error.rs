//! The crate's error enums. `StoreError` is what store operations return; `CodecError`
//! is what every decoder returns on corrupt or truncated bytes; `DeleteError` carries
//! InfluxDB's texts for bad `/api/v2/delete` predicates.

use edgeflux_types::FieldType;

/// Why bytes could not be decoded. Decoders never panic on corrupt input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("truncated input")]
    Truncated,
    #[error("checksum mismatch")]
    Checksum,
    #[error("bad magic bytes")]
    Magic,
    #[error("unsupported format version {0}")]
    Version(u8),
    #[error("unexpected record kind {0}")]
    Kind(u8),
    #[error("invalid data: {0}")]
    Invalid(&'static str),
    #[error("{0} trailing bytes")]
    Trailing(usize),
}

/// Errors of store operations.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// A scan needs blocks that were evicted (`Store::evict_block`). The edge fetches their
    /// bytes, calls `Store::load_block` for each, and retries the scan.
    #[error("blocks not resident in bucket {bucket:016x}: {blocks:?}")]
    BlocksNotResident { bucket: u64, blocks: Vec<u64> },
    #[error("unknown block {0}")]
    UnknownBlock(u64),
    #[error("block bytes do not match block {0}")]
    BlockMismatch(u64),
    #[error("invalid regex: {0}")]
    Regex(String),
    #[error("unsupported aggregate: {agg} over {ty} values")]
    UnsupportedAggregate { agg: &'static str, ty: FieldType },
    #[error("window every must be positive")]
    InvalidWindow,
    #[error(transparent)]
    Delete(#[from] DeleteError),
}

/// Errors of the delete predicate and delete request, with InfluxDB's messages.
/// `FieldNotSupported` is a 501 (`not implemented`) in the API; the others are 400 `invalid`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeleteError {
    /// A syntax error; the text is InfluxDB's (e.g. `the logical operator OR is not supported
    /// yet at position 11`, `operator: "=~" at position: 5 is not supported yet`).
    #[error("{0}")]
    Syntax(String),
    #[error("delete by field is not supported")]
    FieldNotSupported,
    #[error("invalid request; start time is after stop time")]
    StartAfterStop,
}
