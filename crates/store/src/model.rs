//! In-memory columnar shapes shared by the head, blocks and scans.
//!
//! A `Chunk` is a run of rows of one series: one time column shared by its field
//! columns, each column typed with a validity vector (a field missing from a point is
//! null). The open head is an unsorted chunk; sealed blocks decode to sorted,
//! de-duplicated chunks.

use edgeflux_types::{FieldType, FieldValue};

/// Measurement + sorted tag set: the identity of a series. Orders as InfluxDB's series
/// keys do (measurement first, then tags by key).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SeriesKey {
    pub measurement: String,
    /// Sorted by key, keys unique.
    pub tags: Vec<(String, String)>,
}

impl SeriesKey {
    pub fn new(measurement: impl Into<String>, mut tags: Vec<(String, String)>) -> SeriesKey {
        tags.sort();
        tags.dedup_by(|a, b| a.0 == b.0);
        SeriesKey {
            measurement: measurement.into(),
            tags,
        }
    }

    /// The tag's value; a missing tag reads as "" (InfluxDB storage semantics).
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.tags[i].1.as_str())
    }
}

/// A typed column of values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Float(Vec<f64>),
    Integer(Vec<i64>),
    UInteger(Vec<u64>),
    String(Vec<String>),
    Boolean(Vec<bool>),
}

impl Values {
    pub fn new(ty: FieldType) -> Values {
        match ty {
            FieldType::Float => Values::Float(Vec::new()),
            FieldType::Integer => Values::Integer(Vec::new()),
            FieldType::UInteger => Values::UInteger(Vec::new()),
            FieldType::String => Values::String(Vec::new()),
            FieldType::Boolean => Values::Boolean(Vec::new()),
        }
    }

    pub fn field_type(&self) -> FieldType {
        match self {
            Values::Float(_) => FieldType::Float,
            Values::Integer(_) => FieldType::Integer,
            Values::UInteger(_) => FieldType::UInteger,
            Values::String(_) => FieldType::String,
            Values::Boolean(_) => FieldType::Boolean,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Values::Float(v) => v.len(),
            Values::Integer(v) => v.len(),
            Values::UInteger(v) => v.len(),
            Values::String(v) => v.len(),
            Values::Boolean(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `i` as an owned `FieldValue`.
    pub fn get(&self, i: usize) -> Option<FieldValue> {
        Some(match self {
            Values::Float(v) => FieldValue::Float(*v.get(i)?),
            Values::Integer(v) => FieldValue::Integer(*v.get(i)?),
            Values::UInteger(v) => FieldValue::UInteger(*v.get(i)?),
            Values::String(v) => FieldValue::String(v.get(i)?.clone()),
            Values::Boolean(v) => FieldValue::Boolean(*v.get(i)?),
        })
    }

    pub(crate) fn push_default(&mut self) {
        match self {
            Values::Float(v) => v.push(0.0),
            Values::Integer(v) => v.push(0),
            Values::UInteger(v) => v.push(0),
            Values::String(v) => v.push(String::new()),
            Values::Boolean(v) => v.push(false),
        }
    }

    /// Sets slot `i`; false if the value's type differs from the column's.
    pub(crate) fn set(&mut self, i: usize, value: &FieldValue) -> bool {
        match (self, value) {
            (Values::Float(v), FieldValue::Float(x)) => v[i] = *x,
            (Values::Integer(v), FieldValue::Integer(x)) => v[i] = *x,
            (Values::UInteger(v), FieldValue::UInteger(x)) => v[i] = *x,
            (Values::String(v), FieldValue::String(x)) => v[i].clone_from(x),
            (Values::Boolean(v), FieldValue::Boolean(x)) => v[i] = *x,
            _ => return false,
        }
        true
    }

    /// Appends `other[i]` (same type) to self.
    pub(crate) fn push_from(&mut self, other: &Values, i: usize) {
        match (self, other) {
            (Values::Float(a), Values::Float(b)) => a.push(b[i]),
            (Values::Integer(a), Values::Integer(b)) => a.push(b[i]),
            (Values::UInteger(a), Values::UInteger(b)) => a.push(b[i]),
            (Values::String(a), Values::String(b)) => a.push(b[i].clone()),
            (Values::Boolean(a), Values::Boolean(b)) => a.push(b[i]),
            (a, _) => a.push_default(),
        }
    }

    /// Appends a value of the column's type (others append a placeholder).
    pub(crate) fn push_value(&mut self, v: &FieldValue) {
        match (self, v) {
            (Values::Float(a), FieldValue::Float(x)) => a.push(*x),
            (Values::Integer(a), FieldValue::Integer(x)) => a.push(*x),
            (Values::UInteger(a), FieldValue::UInteger(x)) => a.push(*x),
            (Values::String(a), FieldValue::String(x)) => a.push(x.clone()),
            (Values::Boolean(a), FieldValue::Boolean(x)) => a.push(*x),
            (a, _) => a.push_default(),
        }
    }

    pub(crate) fn remove(&mut self, i: usize) {
        match self {
            Values::Float(v) => {
                v.remove(i);
            }
            Values::Integer(v) => {
                v.remove(i);
            }
            Values::UInteger(v) => {
                v.remove(i);
            }
            Values::String(v) => {
                v.remove(i);
            }
            Values::Boolean(v) => {
                v.remove(i);
            }
        }
    }

    /// Appends all of `other` (same type; a different type appends placeholders).
    pub(crate) fn extend_from(&mut self, other: &Values) {
        match (self, other) {
            (Values::Float(a), Values::Float(b)) => a.extend_from_slice(b),
            (Values::Integer(a), Values::Integer(b)) => a.extend_from_slice(b),
            (Values::UInteger(a), Values::UInteger(b)) => a.extend_from_slice(b),
            (Values::String(a), Values::String(b)) => a.extend_from_slice(b),
            (Values::Boolean(a), Values::Boolean(b)) => a.extend_from_slice(b),
            (a, b) => {
                for _ in 0..b.len() {
                    a.push_default();
                }
            }
        }
    }

    /// Keeps the entries where `keep` is true.
    pub(crate) fn retain_mask(&mut self, keep: &[bool]) {
        fn go<T>(v: &mut Vec<T>, keep: &[bool]) {
            let mut i = 0;
            v.retain(|_| {
                let k = keep[i];
                i += 1;
                k
            });
        }
        match self {
            Values::Float(v) => go(v, keep),
            Values::Integer(v) => go(v, keep),
            Values::UInteger(v) => go(v, keep),
            Values::String(v) => go(v, keep),
            Values::Boolean(v) => go(v, keep),
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            Values::Float(v) => v.capacity() * 8,
            Values::Integer(v) => v.capacity() * 8,
            Values::UInteger(v) => v.capacity() * 8,
            Values::String(v) => v.capacity() * 24 + v.iter().map(|s| s.capacity()).sum::<usize>(),
            Values::Boolean(v) => v.capacity(),
        }
    }
}

/// A column of a chunk: `values` and `valid` have one entry per row; invalid rows hold a
/// placeholder.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub valid: Vec<bool>,
    pub values: Values,
}

impl Column {
    pub fn nulls(ty: FieldType, rows: usize) -> Column {
        let mut values = Values::new(ty);
        for _ in 0..rows {
            values.push_default();
        }
        Column {
            valid: vec![false; rows],
            values,
        }
    }
}

/// Rows of one series. `cols[i]` belongs to the series' field slot `i`; `None` = all null.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Chunk {
    pub times: Vec<i64>,
    pub cols: Vec<Option<Column>>,
}

impl Chunk {
    pub fn rows(&self) -> usize {
        self.times.len()
    }

    pub fn min_max(&self) -> Option<(i64, i64)> {
        let mut it = self.times.iter();
        let first = *it.next()?;
        Some(it.fold((first, first), |(lo, hi), &t| (lo.min(t), hi.max(t))))
    }

    /// Appends one row: nulls everywhere, then the given (slot, value) pairs.
    pub fn push_row(&mut self, time: i64, fields: &[(usize, &FieldValue)], types: &[FieldType]) {
        let row = self.times.len();
        self.times.push(time);
        for col in self.cols.iter_mut().flatten() {
            col.valid.push(false);
            col.values.push_default();
        }
        for &(slot, value) in fields {
            if slot >= self.cols.len() {
                self.cols.resize(slot + 1, None);
            }
            let col = self.cols[slot].get_or_insert_with(|| Column::nulls(types[slot], row + 1));
            if col.values.set(row, value) {
                col.valid[row] = true;
            }
        }
    }

    /// Keeps rows where `keep` is true.
    pub fn retain_rows(&mut self, keep: &[bool]) {
        if keep.iter().all(|&k| k) {
            return;
        }
        let mut i = 0;
        self.times.retain(|_| {
            let k = keep[i];
            i += 1;
            k
        });
        for col in self.cols.iter_mut().flatten() {
            let mut i = 0;
            col.valid.retain(|_| {
                let k = keep[i];
                i += 1;
                k
            });
            col.values.retain_mask(keep);
        }
    }

    /// Drops rows outside [start, stop) and rows inside any inclusive tombstone range.
    pub fn filter_time(&mut self, start: i64, stop: i64, tombstones: &[(i64, i64)]) {
        let keep: Vec<bool> = self
            .times
            .iter()
            .map(|&t| t >= start && t < stop && !tombstones.iter().any(|&(a, b)| t >= a && t <= b))
            .collect();
        self.retain_rows(&keep);
    }

    pub fn is_sorted_unique(&self) -> bool {
        self.times.windows(2).all(|w| w[0] < w[1])
    }

    /// Sorts by time and collapses equal timestamps: per field, the last valid value in
    /// row order wins (last write wins; fields of one point merge).
    pub fn normalize(self) -> Chunk {
        if self.is_sorted_unique() {
            return self;
        }
        let mut order: Vec<usize> = (0..self.rows()).collect();
        order.sort_by_key(|&i| self.times[i]); // stable: later rows stay later
        let mut groups: Vec<(usize, usize)> = Vec::new(); // ranges in `order`
        let mut s = 0;
        for i in 1..=order.len() {
            if i == order.len() || self.times[order[i]] != self.times[order[s]] {
                groups.push((s, i));
                s = i;
            }
        }
        let times = groups.iter().map(|&(s, _)| self.times[order[s]]).collect();
        let cols = self
            .cols
            .iter()
            .map(|col| {
                col.as_ref().map(|col| {
                    let mut out = Column {
                        valid: Vec::with_capacity(groups.len()),
                        values: Values::new(col.values.field_type()),
                    };
                    for &(s, e) in &groups {
                        match order[s..e].iter().rev().find(|&&i| col.valid[i]) {
                            Some(&i) => {
                                out.valid.push(true);
                                out.values.push_from(&col.values, i);
                            }
                            None => {
                                out.valid.push(false);
                                out.values.push_default();
                            }
                        }
                    }
                    out
                })
            })
            .collect();
        Chunk { times, cols }
    }

    /// Appends all rows of `other` (same slot layout) after self's rows.
    pub fn append(&mut self, other: &Chunk) {
        let rows = self.rows();
        let width = self.cols.len().max(other.cols.len());
        self.cols.resize(width, None);
        for (slot, col) in self.cols.iter_mut().enumerate() {
            match (col.as_mut(), other.cols.get(slot).and_then(|c| c.as_ref())) {
                (Some(a), Some(b)) => {
                    a.valid.extend_from_slice(&b.valid);
                    a.values.extend_from(&b.values);
                }
                (Some(a), None) => {
                    for _ in 0..other.rows() {
                        a.valid.push(false);
                        a.values.push_default();
                    }
                }
                (None, Some(b)) => {
                    let mut a = Column::nulls(b.values.field_type(), rows);
                    a.valid.extend_from_slice(&b.valid);
                    a.values.extend_from(&b.values);
                    *col = Some(a);
                }
                (None, None) => {}
            }
        }
        self.times.extend_from_slice(&other.times);
    }

    /// Rows in [from, to) as a new chunk.
    pub fn slice(&self, from: usize, to: usize) -> Chunk {
        let keep: Vec<bool> = (0..self.rows()).map(|i| i >= from && i < to).collect();
        let mut c = self.clone();
        c.retain_rows(&keep);
        c
    }

    pub fn heap_bytes(&self) -> usize {
        self.times.capacity() * 8
            + self
                .cols
                .iter()
                .flatten()
                .map(|c| c.valid.capacity() + c.values.heap_bytes())
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_keeps_last_valid_value_per_field() {
        let types = [FieldType::Float, FieldType::Integer];
        let mut c = Chunk::default();
        c.push_row(20, &[(0, &FieldValue::Float(1.0))], &types);
        c.push_row(
            10,
            &[(0, &FieldValue::Float(2.0)), (1, &FieldValue::Integer(7))],
            &types,
        );
        c.push_row(20, &[(1, &FieldValue::Integer(9))], &types);
        c.push_row(10, &[(0, &FieldValue::Float(3.0))], &types);
        let n = c.normalize();
        assert_eq!(n.times, vec![10, 20]);
        let f = n.cols[0].as_ref().unwrap();
        assert_eq!(f.values, Values::Float(vec![3.0, 1.0]));
        let i = n.cols[1].as_ref().unwrap();
        assert_eq!(i.valid, vec![true, true]);
        assert_eq!(i.values, Values::Integer(vec![7, 9]));
    }
}
