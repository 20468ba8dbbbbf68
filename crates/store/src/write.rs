//! Phase one of a write: validate parsed lines against the bucket's schema without
//! mutating anything, and produce an owned `WriteBatch` (what the edge logs durably)
//! plus InfluxDB's partial-write verdict for what was dropped.

use std::fmt;

use edgeflux_lineproto::{FieldValue as LineValue, Line};
use edgeflux_types::{FieldType, FieldValue};

use crate::bits::FxMap;
use crate::model::SeriesKey;
use crate::store::Store;

/// InfluxDB's `MaxFieldValueLength`: longer string values drop the point.
pub const MAX_FIELD_VALUE_LENGTH: usize = 1_048_576;

/// The accepted points of one write, grouped by series. Owned and encodable
/// (`codec::encode_write`); `Store::apply_write` applies it deterministically.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WriteBatch {
    pub bucket: u64,
    /// Series referenced by `points[..].series`.
    pub series: Vec<SeriesKey>,
    /// Field names referenced by `points[..].fields[..].0`.
    pub field_names: Vec<String>,
    pub points: Vec<BatchPoint>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BatchPoint {
    pub series: u32,
    pub time: i64,
    pub fields: Vec<(u32, FieldValue)>,
}

impl WriteBatch {
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Number of field values in the batch.
    pub fn value_count(&self) -> usize {
        self.points.iter().map(|p| p.fields.len()).sum()
    }
}

/// Points dropped by storage; `Display` is InfluxDB's text
/// (`partial write: <reason> dropped=<n>`). The API prefixes
/// `failure writing points to database: ` and answers 422.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialWrite {
    pub reason: String,
    pub dropped: usize,
}

impl fmt::Display for PartialWrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "partial write: {} dropped={}", self.reason, self.dropped)
    }
}

/// The outcome of `Store::prepare_write`.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedWrite {
    pub batch: WriteBatch,
    /// `Some` when any point was dropped.
    pub partial: Option<PartialWrite>,
}

fn too_long(k: &str, m: &str, len: usize) -> String {
    format!(
        "input field \"{k}\" on measurement \"{m}\" is too long, {len} > {MAX_FIELD_VALUE_LENGTH}"
    )
}

fn owned(v: &LineValue<'_>) -> FieldValue {
    match v {
        LineValue::Float(x) => FieldValue::Float(*x),
        LineValue::Integer(x) => FieldValue::Integer(*x),
        LineValue::UInteger(x) => FieldValue::UInteger(*x),
        LineValue::String(s) => FieldValue::String(s.to_string()),
        LineValue::Boolean(b) => FieldValue::Boolean(*b),
    }
}

impl Store {
    /// Validates `lines` for `bucket` (no mutation). Drops, as InfluxDB does:
    /// points older than `retention_cutoff_ns` (`points beyond retention policy`), points
    /// with a `time` tag, points whose only field is `time` (a `time` field is otherwise
    /// stripped), points with a string value over 1 MiB, and points with a field whose
    /// type conflicts with the bucket's schema or with an earlier point of the batch.
    /// As in InfluxDB's points writer, a shard-level reason (the first one) wins and its
    /// `dropped` counts the shard-level drops only; otherwise the retention reason is
    /// reported with the points beyond retention.
    pub fn prepare_write(
        &self,
        bucket: u64,
        lines: &[Line<'_>],
        retention_cutoff_ns: Option<i64>,
    ) -> PreparedWrite {
        let known = self.bucket(bucket);
        let mut batch = WriteBatch {
            bucket,
            ..WriteBatch::default()
        };
        // Keys are `measurement \0 k \0 v ...` / `measurement \0 field` built in reused
        // buffers, so a repeated series or field costs no allocation.
        let mut series_ids: FxMap<String, u32> = FxMap::default();
        let mut field_ids: FxMap<String, u32> = FxMap::default();
        let mut batch_types: FxMap<String, FxMap<String, FieldType>> = FxMap::default();
        let mut keybuf = String::new();
        let mut dropped = 0usize;
        let mut retention_dropped = 0usize;
        let mut reason: Option<String> = None;
        let mut fields: Vec<(u32, FieldValue)> = Vec::new();
        // The field names, types and ids of the last accepted line: lines of the same
        // shape (the common case) skip the per-field map lookups.
        let mut shape_m = String::new();
        let mut shape: Vec<(String, FieldType, u32)> = Vec::new();

        'lines: for line in lines {
            let m: &str = &line.measurement;
            if retention_cutoff_ns.is_some_and(|c| line.timestamp < c) {
                dropped += 1;
                retention_dropped += 1;
                continue;
            }
            if line.tags.iter().any(|(k, _)| k == "time") {
                dropped += 1;
                reason.get_or_insert_with(|| {
                    format!("invalid tag key: input tag \"time\" on measurement \"{m}\" is invalid")
                });
                continue;
            }
            if !line.fields.iter().any(|(k, _)| k != "time") {
                dropped += 1;
                reason.get_or_insert_with(|| format!("invalid field name: input field \"time\" on measurement \"{m}\" is invalid"));
                continue;
            }
            let same_shape = !shape.is_empty()
                && shape_m == m
                && shape.len() == line.fields.len()
                && line
                    .fields
                    .iter()
                    .zip(&shape)
                    .all(|((k, v), (n, t, _))| k == n && v.field_type() == *t);
            if same_shape {
                for (k, v) in &line.fields {
                    if let LineValue::String(s) = v {
                        if s.len() > MAX_FIELD_VALUE_LENGTH {
                            dropped += 1;
                            reason.get_or_insert_with(|| too_long(k, m, s.len()));
                            continue 'lines;
                        }
                    }
                }
                fields.clear();
                fields.extend(
                    line.fields
                        .iter()
                        .zip(&shape)
                        .map(|((_, v), (_, _, id))| (*id, owned(v))),
                );
            } else {
                // Validate every field before accepting any type from this point.
                let mtypes = batch_types.get(m);
                for (k, v) in &line.fields {
                    let k: &str = k;
                    if let LineValue::String(s) = v {
                        if s.len() > MAX_FIELD_VALUE_LENGTH {
                            dropped += 1;
                            reason.get_or_insert_with(|| too_long(k, m, s.len()));
                            continue 'lines;
                        }
                    }
                    if k == "time" {
                        continue;
                    }
                    let ty = v.field_type();
                    let existing = mtypes
                        .and_then(|t| t.get(k))
                        .copied()
                        .or_else(|| known.and_then(|b| b.field_type(m, k)));
                    if let Some(existing) = existing {
                        if existing != ty {
                            dropped += 1;
                            reason.get_or_insert_with(|| {
                            format!(
                                "field type conflict: input field \"{k}\" on measurement \"{m}\" is type {ty}, already exists as type {existing}"
                            )
                        });
                            continue 'lines;
                        }
                    }
                }
                fields.clear();
                if !batch_types.contains_key(m) {
                    batch_types.insert(m.to_string(), FxMap::default());
                }
                let Some(mtypes) = batch_types.get_mut(m) else {
                    continue;
                };
                for (k, v) in &line.fields {
                    let k: &str = k;
                    if k == "time" {
                        continue;
                    }
                    if !mtypes.contains_key(k) {
                        mtypes.insert(k.to_string(), v.field_type());
                    }
                    let id = match field_ids.get(k) {
                        Some(&id) => id,
                        None => {
                            let id = field_ids.len() as u32;
                            field_ids.insert(k.to_string(), id);
                            batch.field_names.push(k.to_string());
                            id
                        }
                    };
                    // A repeated field within one line: the last one wins.
                    if let Some(slot) = fields.iter_mut().find(|(fid, _)| *fid == id) {
                        slot.1 = owned(v);
                    } else {
                        fields.push((id, owned(v)));
                    }
                }
                shape.clear();
                if fields.len() == line.fields.len() {
                    shape_m.clear();
                    shape_m.push_str(m);
                    shape.extend(
                        line.fields
                            .iter()
                            .zip(&fields)
                            .map(|((k, v), (id, _))| (k.to_string(), v.field_type(), *id)),
                    );
                }
            }
            keybuf.clear();
            keybuf.push_str(m);
            for (k, v) in &line.tags {
                keybuf.push('\0');
                keybuf.push_str(k);
                keybuf.push('\0');
                keybuf.push_str(v);
            }
            let sid = match series_ids.get(keybuf.as_str()) {
                Some(&id) => id,
                None => {
                    let id = series_ids.len() as u32;
                    series_ids.insert(keybuf.clone(), id);
                    batch.series.push(SeriesKey::new(
                        m,
                        line.tags
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect(),
                    ));
                    id
                }
            };
            batch.points.push(BatchPoint {
                series: sid,
                time: line.timestamp,
                fields: std::mem::take(&mut fields),
            });
        }
        let partial = match reason {
            Some(reason) => Some(PartialWrite {
                reason,
                dropped: dropped - retention_dropped,
            }),
            None if retention_dropped > 0 => Some(PartialWrite {
                reason: "points beyond retention policy".to_string(),
                dropped: retention_dropped,
            }),
            None => None,
        };
        PreparedWrite { batch, partial }
    }
}
