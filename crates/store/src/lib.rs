//! edgeflux's columnar time-series store: no I/O, no clocks (time comes in as
//! arguments), builds for wasm32. It knows neither Flux nor HTTP; the API joins them.
//!
//! # Model
//! bucket (u64 id) → series (`SeriesKey`: measurement + sorted tags) → typed field columns
//! sharing one time column, with validity. Each series has an open, unsorted head and
//! sealed, compressed, immutable blocks (see [`block`] for the encodings). Same series +
//! field + timestamp: the last write wins; fields of one point merge.
//!
//! # How the API drives it
//! ```text
//! // write (two phases: the log record is made durable before state changes)
//! let prepared = store.prepare_write(bucket, &lines, retention_cutoff);   // no mutation
//! if let Some(p) = &prepared.partial { /* 422 "failure writing points to database: {p}" */ }
//! let record = codec::encode_write(&prepared.batch);                      // log it durably
//! store.apply_record(&record)?;  // or store.apply_write(&prepared.batch); same at recovery
//! // delete (predicate errors carry InfluxDB's texts; FieldNotSupported is a 501)
//! let d = store.prepare_delete(bucket, start, stop, "_measurement=\"cpu\" AND host=\"a\"")?;
//! let record = codec::encode_delete(&d); store.apply_delete(&d);
//! // buckets
//! store.set_bucket_options(bucket, BucketOptions { retention_ns, shard_group_ns: 0 });
//! store.drop_bucket(bucket);
//! // read (Flux pushdown); results ordered by series key, then field
//! store.scan(bucket, start, stop, &Predicate::measurement_eq("cpu"))?;    // Vec<SeriesTable>
//! store.window_aggregate(bucket, start, stop, &pred, Window { every, offset }, Aggregate::Mean)?;
//! store.selector(bucket, start, stop, &pred, Aggregate::First)?;  store.last_points(..)?;
//! // schema
//! store.measurements(..); store.tag_keys(..); store.tag_values(bucket, "host", ..);
//! store.field_keys(..); store.series_cardinality(..); store.field_type(bucket, m, f);
//! // maintenance and persistence
//! store.compact(now_ns) /* = enforce_retention + seal + merge */;  store.seal_all();
//! store.snapshot();  Store::restore(&bytes)?;  store.memory_usage();  store.stats();
//! store.blocks(bucket); store.block_bytes(bucket, id); store.evict_block(bucket, id);
//! store.load_block(bucket, id, bytes)?;
//! // block-wise persistence (Durable Object rows ≤ 2 MB, IndexedDB): persist each added
//! // block, delete each removed one, then store the small index snapshot
//! let ch = store.take_block_changes();  store.snapshot_without_blocks();
//! ```
//! A read that needs an evicted block fails with `StoreError::BlocksNotResident` naming
//! the blocks; the edge fetches them, calls `load_block`, and retries.
//!
//! Predicates test `_measurement`, `_field` and tags (==, !=, =~, !~; a missing tag
//! reads as "") and `_value` (`Predicate::Value(CmpOp, FieldValue)`, row by row), with
//! and/or/not. Window aggregates read each block once; a block lying inside one window
//! is answered from its per-field summary without decoding.
//!
//! Record kinds below `codec::FIRST_API_KIND` (0x40) are the store's; the API frames its
//! own records with `codec::encode_record(kind >= 0x40, payload)`.

mod bits;
pub mod block;
pub mod codec;
pub mod delete;
pub mod error;
pub mod model;
pub mod predicate;
pub mod scan;
pub mod schema;
mod stats;
pub mod store;
pub mod write;

pub use delete::{parse_delete_predicate, DeleteBatch, DeleteOp, DeletePredicate, TagRule};
pub use edgeflux_types::{FieldType, FieldValue};
pub use error::{CodecError, DeleteError, StoreError};
pub use model::{SeriesKey, Values};
pub use predicate::{CmpOp, Matcher, Predicate};
pub use scan::{Aggregate, SeriesTable, Window, WindowTable};
pub use schema::FieldInfo;
pub use store::{
    BlockChanges, BlockInfo, BucketOptions, CompactReport, MemoryUsage, Store, StoreOptions,
    StoreStats,
};
pub use write::{BatchPoint, PartialWrite, PreparedWrite, WriteBatch, MAX_FIELD_VALUE_LENGTH};

#[cfg(test)]
mod tests;
