//! The data side of the engine: the columnar store behind the few calls the routes need.
//! Write and delete log payloads are the store's own encodings (`codec::encode_*_payload`)
//! inside the API's record frame.

use edgeflux_lineproto::Line;
use edgeflux_store::{codec, BucketOptions, DeleteError, Store};
use edgeflux_types::Id;

use crate::catalog::Bucket;

#[derive(Default)]
pub struct Data {
    pub(crate) store: Store,
}

/// A validated write, ready to be logged.
pub struct PreparedWrite {
    /// The log payload (`apply_write` input); None when nothing is left to write.
    pub payload: Option<Vec<u8>>,
    /// `partial write: <reason> dropped=<n>` when storage dropped points.
    pub partial: Option<String>,
}

pub enum DeleteFailure {
    Invalid(String),
    NotImplemented(String),
}

impl Data {
    /// Keeps the store's per-bucket options in step with the catalog.
    pub fn set_bucket(&mut self, bucket: &Bucket) {
        self.store.set_bucket_options(
            bucket.id.0,
            BucketOptions {
                retention_ns: bucket.retention_ns(),
                shard_group_ns: bucket.shard_group_seconds.saturating_mul(1_000_000_000),
            },
        );
    }

    pub fn drop_bucket(&mut self, id: Id) {
        self.store.drop_bucket(id.0);
    }

    pub fn prepare_write(
        &self,
        bucket: &Bucket,
        lines: &[Line<'_>],
        now: i64,
    ) -> Result<PreparedWrite, String> {
        let retention = bucket.retention_ns();
        let cutoff = (retention > 0).then(|| now.saturating_sub(retention));
        let prepared = self.store.prepare_write(bucket.id.0, lines, cutoff);
        Ok(PreparedWrite {
            payload: (!prepared.batch.is_empty())
                .then(|| codec::encode_write_payload(&prepared.batch)),
            partial: prepared.partial.map(|p| p.to_string()),
        })
    }

    /// Applies a logged write unless its bucket is gone: an edge may prepare a write
    /// concurrently with a bucket deletion and log it after (the write then did nothing).
    pub fn apply_write(
        &mut self,
        payload: &[u8],
        bucket_exists: impl Fn(Id) -> bool,
    ) -> Result<(), String> {
        let batch = codec::decode_write_payload(payload).map_err(|e| e.to_string())?;
        if bucket_exists(Id(batch.bucket)) {
            self.store.apply_write(&batch);
        }
        Ok(())
    }

    /// Validates a delete of `start <= _time <= stop` under an InfluxDB delete predicate.
    pub fn prepare_delete(
        &self,
        bucket: &Bucket,
        start: i64,
        stop: i64,
        predicate: &str,
    ) -> Result<Vec<u8>, DeleteFailure> {
        match self
            .store
            .prepare_delete(bucket.id.0, start, stop, predicate)
        {
            Ok(d) => Ok(codec::encode_delete_payload(&d)),
            Err(e @ DeleteError::FieldNotSupported) => {
                Err(DeleteFailure::NotImplemented(e.to_string()))
            }
            Err(e @ DeleteError::StartAfterStop) => Err(DeleteFailure::Invalid(e.to_string())),
            Err(e) => Err(DeleteFailure::Invalid(format!(
                "invalid request; error parsing predicate: {e}"
            ))),
        }
    }

    pub fn apply_delete(&mut self, payload: &[u8]) -> Result<(), String> {
        let d = codec::decode_delete_payload(payload).map_err(|e| e.to_string())?;
        self.store.apply_delete(&d);
        Ok(())
    }

    pub fn snapshot(&self) -> Vec<u8> {
        self.store.snapshot()
    }

    pub fn restore(bytes: &[u8]) -> Result<Data, String> {
        if bytes.is_empty() {
            return Ok(Data::default());
        }
        Ok(Data {
            store: Store::restore(bytes).map_err(|e| e.to_string())?,
        })
    }

    pub fn series_count(&self) -> usize {
        self.store.stats().series
    }

    /// Background maintenance (retention, sealing, compaction) as of `now`.
    pub fn compact(&mut self, now: i64) {
        self.store.compact(now);
    }
}
