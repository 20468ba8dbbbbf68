//! Schema introspection for `schema.*` / `v1.*` Flux functions and the API: measurements,
//! tag keys and values, field keys and types, series cardinality, each under a predicate
//! and a time range. Answered from series keys and block metadata, without decoding
//! (tombstoned rows inside a block still count until the next `compact`; `_value` tests
//! in the predicate count as "may match").

use edgeflux_types::FieldType;

use crate::model::SeriesKey;
use crate::predicate::Predicate;
use crate::store::{Series, Store};

/// A field key of a measurement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FieldInfo {
    pub measurement: String,
    pub field: String,
    pub field_type: FieldType,
}

fn slot_in_range(s: &Series, slot: usize, start: i64, stop: i64) -> bool {
    s.blocks
        .iter()
        .any(|b| b.overlaps(start, stop) && b.slots.contains(&(slot as u32)))
        || s.head
            .cols
            .get(slot)
            .and_then(|c| c.as_ref())
            .is_some_and(|c| {
                s.head
                    .times
                    .iter()
                    .zip(&c.valid)
                    .any(|(&t, &v)| v && t >= start && t < stop)
            })
}

impl Store {
    /// (series, matching field slots with data in range) for each series with any.
    fn live<'a>(
        &'a self,
        bucket: u64,
        start: i64,
        stop: i64,
        pred: &Predicate,
    ) -> Vec<(&'a SeriesKey, &'a Series, Vec<usize>)> {
        let Some(b) = self.buckets.get(&bucket) else {
            return Vec::new();
        };
        b.series
            .iter()
            .filter_map(|(k, s)| {
                let slots: Vec<usize> = (0..s.fields.len())
                    .filter(|&i| {
                        pred.matches(k, &s.fields[i].0) && slot_in_range(s, i, start, stop)
                    })
                    .collect();
                (!slots.is_empty()).then_some((k, s, slots))
            })
            .collect()
    }

    /// Measurements with matching data in [start, stop), sorted.
    pub fn measurements(
        &self,
        bucket: u64,
        start: i64,
        stop: i64,
        pred: &Predicate,
    ) -> Vec<String> {
        let mut out: Vec<String> = self
            .live(bucket, start, stop, pred)
            .into_iter()
            .map(|(k, _, _)| k.measurement.clone())
            .collect();
        out.dedup();
        out
    }

    /// Tag keys of matching series, sorted (without `_measurement`/`_field`).
    pub fn tag_keys(&self, bucket: u64, start: i64, stop: i64, pred: &Predicate) -> Vec<String> {
        let mut out: Vec<String> = self
            .live(bucket, start, stop, pred)
            .into_iter()
            .flat_map(|(k, _, _)| k.tags.iter().map(|(t, _)| t.clone()))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Distinct values of tag `key` (or `_measurement` / `_field`) among matching series.
    pub fn tag_values(
        &self,
        bucket: u64,
        key: &str,
        start: i64,
        stop: i64,
        pred: &Predicate,
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (k, s, slots) in self.live(bucket, start, stop, pred) {
            match key {
                "_measurement" => out.push(k.measurement.clone()),
                "_field" => out.extend(slots.iter().map(|&i| s.fields[i].0.clone())),
                _ => out.extend(k.tag(key).map(str::to_string)),
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Field keys and types of matching series, sorted by measurement then field.
    pub fn field_keys(
        &self,
        bucket: u64,
        start: i64,
        stop: i64,
        pred: &Predicate,
    ) -> Vec<FieldInfo> {
        let mut out: Vec<FieldInfo> = self
            .live(bucket, start, stop, pred)
            .into_iter()
            .flat_map(|(k, s, slots)| {
                slots.into_iter().map(move |i| FieldInfo {
                    measurement: k.measurement.clone(),
                    field: s.fields[i].0.clone(),
                    field_type: s.fields[i].1,
                })
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Number of matching series (measurement + tag set) with data in range.
    pub fn series_cardinality(
        &self,
        bucket: u64,
        start: i64,
        stop: i64,
        pred: &Predicate,
    ) -> usize {
        self.live(bucket, start, stop, pred).len()
    }

    /// The bucket's current type for a measurement's field (what writes are checked against).
    pub fn field_type(&self, bucket: u64, measurement: &str, field: &str) -> Option<FieldType> {
        self.buckets.get(&bucket)?.field_type(measurement, field)
    }
}
