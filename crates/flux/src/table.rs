//! Tables: a group key plus typed columns. Columns are stored as typed vectors with
//! `Option` validity, never as rows of dynamic values, so hot transformations stay tight.

use std::sync::Arc;

use crate::error::{FluxError, Result};
use crate::value::Value;

/// The column types a table can hold (the ones annotated CSV can carry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    Bool,
    Int,
    UInt,
    Float,
    String,
    Time,
}

impl DataType {
    /// The `#datatype` annotation for this type.
    pub fn csv_name(self) -> &'static str {
        match self {
            DataType::Bool => "boolean",
            DataType::Int => "long",
            DataType::UInt => "unsignedLong",
            DataType::Float => "double",
            DataType::String => "string",
            DataType::Time => "dateTime:RFC3339",
        }
    }
    /// Flux's name for the type.
    pub fn flux_name(self) -> &'static str {
        match self {
            DataType::Bool => "bool",
            DataType::Int => "int",
            DataType::UInt => "uint",
            DataType::Float => "float",
            DataType::String => "string",
            DataType::Time => "time",
        }
    }
    /// The column type of a value, if it can live in a column.
    pub fn of(v: &Value) -> Option<DataType> {
        Some(match v {
            Value::Bool(_) => DataType::Bool,
            Value::Int(_) => DataType::Int,
            Value::UInt(_) => DataType::UInt,
            Value::Float(_) => DataType::Float,
            Value::String(_) => DataType::String,
            Value::Time(_) => DataType::Time,
            _ => return None,
        })
    }
}

/// The values of one column, typed, with `None` for null.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    Bool(Vec<Option<bool>>),
    Int(Vec<Option<i64>>),
    UInt(Vec<Option<u64>>),
    Float(Vec<Option<f64>>),
    String(StrColumn),
    Time(Vec<Option<i64>>),
}

const NULL_CODE: u32 = u32::MAX;

/// A string column stored as codes into a table of distinct runs: a column that repeats one
/// value (tags, `_field`, `_measurement`) costs four bytes per row and no reference counting.
#[derive(Debug, Clone, Default)]
pub struct StrColumn {
    dict: Vec<Arc<str>>,
    codes: Vec<u32>,
}

impl PartialEq for StrColumn {
    fn eq(&self, other: &StrColumn) -> bool {
        self.len() == other.len() && (0..self.len()).all(|i| self.get(i) == other.get(i))
    }
}

impl StrColumn {
    pub fn with_capacity(n: usize) -> StrColumn {
        StrColumn {
            dict: Vec::new(),
            codes: Vec::with_capacity(n),
        }
    }
    /// `n` copies of one string.
    pub fn constant(s: Arc<str>, n: usize) -> StrColumn {
        StrColumn {
            dict: vec![s],
            codes: vec![0; n],
        }
    }
    pub fn len(&self) -> usize {
        self.codes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
    pub fn get(&self, i: usize) -> Option<&Arc<str>> {
        match self.codes[i] {
            NULL_CODE => None,
            c => Some(&self.dict[c as usize]),
        }
    }
    pub fn iter(&self) -> impl Iterator<Item = Option<&Arc<str>>> + '_ {
        self.codes.iter().map(move |&c| {
            if c == NULL_CODE {
                None
            } else {
                Some(&self.dict[c as usize])
            }
        })
    }
    fn code_for(&mut self, s: &Arc<str>) -> u32 {
        if let Some(last) = self.dict.last() {
            if Arc::ptr_eq(last, s) || **last == **s {
                return (self.dict.len() - 1) as u32;
            }
        }
        self.dict.push(s.clone());
        (self.dict.len() - 1) as u32
    }
    pub fn push(&mut self, v: Option<Arc<str>>) {
        let c = match &v {
            None => NULL_CODE,
            Some(s) => self.code_for(s),
        };
        self.codes.push(c);
    }
    fn with_codes(&self, codes: Vec<u32>) -> StrColumn {
        StrColumn {
            dict: self.dict.clone(),
            codes,
        }
    }
    /// Bytes held: four per row plus each distinct run's string (for query memory budgets).
    pub fn heap_bytes(&self) -> usize {
        self.codes.len() * 4 + self.dict.iter().map(|s| s.len() + 16).sum::<usize>()
    }
    /// Moves the rows of `other` to the end.
    pub fn append(&mut self, other: StrColumn) {
        let map: Vec<u32> = other.dict.iter().map(|s| self.code_for(s)).collect();
        self.codes.extend(other.codes.iter().map(|&c| {
            if c == NULL_CODE {
                NULL_CODE
            } else {
                map[c as usize]
            }
        }));
    }
}

impl FromIterator<Option<Arc<str>>> for StrColumn {
    fn from_iter<I: IntoIterator<Item = Option<Arc<str>>>>(iter: I) -> StrColumn {
        let mut c = StrColumn::default();
        for v in iter {
            c.push(v);
        }
        c
    }
}

/// The row operations every column representation offers, so the macros below can treat
/// them alike.
trait Rows: Sized {
    fn n(&self) -> usize;
    fn null_at(&self, i: usize) -> bool;
    fn push_none(&mut self);
    fn take_rows(&self, idx: &[usize]) -> Self;
    fn filter_rows(&self, mask: &[bool]) -> Self;
    fn slice_rows(&self, start: usize, end: usize) -> Self;
}

impl<T: Clone> Rows for Vec<Option<T>> {
    fn n(&self) -> usize {
        self.len()
    }
    fn null_at(&self, i: usize) -> bool {
        self[i].is_none()
    }
    fn push_none(&mut self) {
        self.push(None)
    }
    fn take_rows(&self, idx: &[usize]) -> Self {
        idx.iter().map(|&i| self[i].clone()).collect()
    }
    fn filter_rows(&self, mask: &[bool]) -> Self {
        self.iter()
            .zip(mask)
            .filter(|(_, &m)| m)
            .map(|(x, _)| x.clone())
            .collect()
    }
    fn slice_rows(&self, start: usize, end: usize) -> Self {
        self[start..end].to_vec()
    }
}

impl Rows for StrColumn {
    fn n(&self) -> usize {
        self.len()
    }
    fn null_at(&self, i: usize) -> bool {
        self.codes[i] == NULL_CODE
    }
    fn push_none(&mut self) {
        self.codes.push(NULL_CODE)
    }
    fn take_rows(&self, idx: &[usize]) -> Self {
        self.with_codes(idx.iter().map(|&i| self.codes[i]).collect())
    }
    fn filter_rows(&self, mask: &[bool]) -> Self {
        self.with_codes(
            self.codes
                .iter()
                .zip(mask)
                .filter(|(_, &m)| m)
                .map(|(c, _)| *c)
                .collect(),
        )
    }
    fn slice_rows(&self, start: usize, end: usize) -> Self {
        self.with_codes(self.codes[start..end].to_vec())
    }
}

macro_rules! each_col {
    ($self:expr, $v:ident => $e:expr) => {
        match $self {
            ColumnData::Bool($v) => $e,
            ColumnData::Int($v) => $e,
            ColumnData::UInt($v) => $e,
            ColumnData::Float($v) => $e,
            ColumnData::String($v) => $e,
            ColumnData::Time($v) => $e,
        }
    };
}

macro_rules! map_col {
    ($self:expr, $v:ident => $e:expr) => {
        match $self {
            ColumnData::Bool($v) => ColumnData::Bool($e),
            ColumnData::Int($v) => ColumnData::Int($e),
            ColumnData::UInt($v) => ColumnData::UInt($e),
            ColumnData::Float($v) => ColumnData::Float($e),
            ColumnData::String($v) => ColumnData::String($e),
            ColumnData::Time($v) => ColumnData::Time($e),
        }
    };
}

impl ColumnData {
    pub fn new(t: DataType) -> ColumnData {
        ColumnData::with_capacity(t, 0)
    }
    pub fn with_capacity(t: DataType, n: usize) -> ColumnData {
        match t {
            DataType::Bool => ColumnData::Bool(Vec::with_capacity(n)),
            DataType::Int => ColumnData::Int(Vec::with_capacity(n)),
            DataType::UInt => ColumnData::UInt(Vec::with_capacity(n)),
            DataType::Float => ColumnData::Float(Vec::with_capacity(n)),
            DataType::String => ColumnData::String(StrColumn::with_capacity(n)),
            DataType::Time => ColumnData::Time(Vec::with_capacity(n)),
        }
    }
    /// A column of `n` copies of `v` (null when `v` is null).
    pub fn repeat(t: DataType, v: &Value, n: usize) -> ColumnData {
        let mut c = ColumnData::with_capacity(t, n);
        for _ in 0..n {
            // a value of the wrong type becomes null rather than failing
            let _ = c.push(v);
        }
        c
    }
    pub fn data_type(&self) -> DataType {
        match self {
            ColumnData::Bool(_) => DataType::Bool,
            ColumnData::Int(_) => DataType::Int,
            ColumnData::UInt(_) => DataType::UInt,
            ColumnData::Float(_) => DataType::Float,
            ColumnData::String(_) => DataType::String,
            ColumnData::Time(_) => DataType::Time,
        }
    }
    pub fn len(&self) -> usize {
        each_col!(self, v => v.n())
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn is_null(&self, i: usize) -> bool {
        each_col!(self, v => v.null_at(i))
    }
    /// True when every row holds what the first holds (floats by bits).
    pub fn is_constant(&self) -> bool {
        fn all_same<T: PartialEq>(v: &[T]) -> bool {
            v.first().is_none_or(|f| v.iter().all(|x| x == f))
        }
        match self {
            ColumnData::Bool(v) => all_same(v),
            ColumnData::Int(v) | ColumnData::Time(v) => all_same(v),
            ColumnData::UInt(v) => all_same(v),
            ColumnData::Float(v) => v
                .first()
                .is_none_or(|f| v.iter().all(|x| x.map(f64::to_bits) == f.map(f64::to_bits))),
            ColumnData::String(v) => all_same(&v.codes),
        }
    }
    /// True when row `i` (> 0) holds exactly what row `i - 1` holds (floats by bits).
    pub fn repeats_previous(&self, i: usize) -> bool {
        match self {
            ColumnData::Bool(v) => v[i] == v[i - 1],
            ColumnData::Int(v) | ColumnData::Time(v) => v[i] == v[i - 1],
            ColumnData::UInt(v) => v[i] == v[i - 1],
            ColumnData::Float(v) => v[i].map(f64::to_bits) == v[i - 1].map(f64::to_bits),
            ColumnData::String(v) => v.codes[i] == v.codes[i - 1],
        }
    }
    /// The value at row `i` (Null when null).
    pub fn get(&self, i: usize) -> Value {
        match self {
            ColumnData::Bool(v) => v[i].map_or(Value::Null, Value::Bool),
            ColumnData::Int(v) => v[i].map_or(Value::Null, Value::Int),
            ColumnData::UInt(v) => v[i].map_or(Value::Null, Value::UInt),
            ColumnData::Float(v) => v[i].map_or(Value::Null, Value::Float),
            ColumnData::String(v) => v.get(i).map_or(Value::Null, |s| Value::String(s.clone())),
            ColumnData::Time(v) => v[i].map_or(Value::Null, Value::Time),
        }
    }
    /// Appends a value; a value of another type is an error naming both types.
    pub fn push(&mut self, v: &Value) -> Result<()> {
        match (self, v) {
            (c, Value::Null) => each_col!(c, x => x.push_none()),
            (ColumnData::Bool(c), Value::Bool(b)) => c.push(Some(*b)),
            (ColumnData::Int(c), Value::Int(b)) => c.push(Some(*b)),
            (ColumnData::UInt(c), Value::UInt(b)) => c.push(Some(*b)),
            (ColumnData::Float(c), Value::Float(b)) => c.push(Some(*b)),
            (ColumnData::String(c), Value::String(b)) => c.push(Some(b.clone())),
            (ColumnData::Time(c), Value::Time(b)) => c.push(Some(*b)),
            (c, v) => {
                let t = c.data_type();
                // Null column pushes keep the row count right even on error.
                each_col!(c, x => x.push_none());
                return Err(FluxError::invalid(format!(
                    "column type mismatch: expected {}, got {}",
                    t.flux_name(),
                    v.type_name()
                )));
            }
        }
        Ok(())
    }
    pub fn push_null(&mut self) {
        each_col!(self, v => v.push_none())
    }
    /// The rows at `idx`, in that order.
    pub fn take(&self, idx: &[usize]) -> ColumnData {
        map_col!(self, v => v.take_rows(idx))
    }
    /// The rows where `mask` is true.
    pub fn filter(&self, mask: &[bool]) -> ColumnData {
        map_col!(self, v => v.filter_rows(mask))
    }
    pub fn slice(&self, start: usize, end: usize) -> ColumnData {
        map_col!(self, v => v.slice_rows(start, end))
    }
    /// Moves all rows of `other` (same type) to the end of this column.
    pub fn append(&mut self, other: ColumnData) -> Result<()> {
        match (self, other) {
            (ColumnData::Bool(a), ColumnData::Bool(mut b)) => a.append(&mut b),
            (ColumnData::Int(a), ColumnData::Int(mut b)) => a.append(&mut b),
            (ColumnData::UInt(a), ColumnData::UInt(mut b)) => a.append(&mut b),
            (ColumnData::Float(a), ColumnData::Float(mut b)) => a.append(&mut b),
            (ColumnData::String(a), ColumnData::String(b)) => a.append(b),
            (ColumnData::Time(a), ColumnData::Time(mut b)) => a.append(&mut b),
            (a, b) => {
                return Err(FluxError::invalid(format!(
                    "schema collision: cannot union {} and {}",
                    a.data_type().flux_name(),
                    b.data_type().flux_name()
                )))
            }
        }
        Ok(())
    }
    /// Appends all rows of `other`, which must have the same type.
    pub fn extend(&mut self, other: &ColumnData) -> Result<()> {
        match (self, other) {
            (ColumnData::Bool(a), ColumnData::Bool(b)) => a.extend_from_slice(b),
            (ColumnData::Int(a), ColumnData::Int(b)) => a.extend_from_slice(b),
            (ColumnData::UInt(a), ColumnData::UInt(b)) => a.extend_from_slice(b),
            (ColumnData::Float(a), ColumnData::Float(b)) => a.extend_from_slice(b),
            (ColumnData::String(a), ColumnData::String(b)) => a.append(b.clone()),
            (ColumnData::Time(a), ColumnData::Time(b)) => a.extend_from_slice(b),
            (a, b) => {
                return Err(FluxError::invalid(format!(
                    "schema collision: cannot union {} and {}",
                    a.data_type().flux_name(),
                    b.data_type().flux_name()
                )))
            }
        }
        Ok(())
    }
}

/// A named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub label: String,
    pub data: ColumnData,
}

impl Column {
    pub fn new(label: impl Into<String>, data: ColumnData) -> Column {
        Column {
            label: label.into(),
            data,
        }
    }
}

/// The group key of a table: the labels of the key columns and their (constant) values.
#[derive(Debug, Clone, Default)]
pub struct GroupKey {
    pub cols: Vec<(String, Value)>,
}

impl GroupKey {
    pub fn contains(&self, label: &str) -> bool {
        self.cols.iter().any(|(l, _)| l == label)
    }
    pub fn get(&self, label: &str) -> Option<&Value> {
        self.cols.iter().find(|(l, _)| l == label).map(|(_, v)| v)
    }
    /// Canonical bytes of the key (labels sorted), for hashing and equality.
    pub fn canonical(&self) -> Vec<u8> {
        let mut sorted: Vec<&(String, Value)> = self.cols.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = Vec::new();
        for (l, v) in sorted {
            out.extend_from_slice(l.as_bytes());
            out.push(0xff);
            v.key_bytes(&mut out);
        }
        out
    }
    /// Orders keys like Flux sorts tables: by sorted labels, then values.
    pub fn sort_cmp(&self, other: &GroupKey) -> std::cmp::Ordering {
        let mut a: Vec<&(String, Value)> = self.cols.iter().collect();
        let mut b: Vec<&(String, Value)> = other.cols.iter().collect();
        a.sort_by(|x, y| x.0.cmp(&y.0));
        b.sort_by(|x, y| x.0.cmp(&y.0));
        for (x, y) in a.iter().zip(b.iter()) {
            let o = x.0.cmp(&y.0).then_with(|| x.1.sort_cmp(&y.1));
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        a.len().cmp(&b.len())
    }
}

/// One table of a stream.
#[derive(Debug, Clone)]
pub struct Table {
    pub key: GroupKey,
    pub columns: Vec<Column>,
}

impl Table {
    pub fn new(key: GroupKey, columns: Vec<Column>) -> Table {
        Table { key, columns }
    }
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, |c| c.data.len())
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn column_index(&self, label: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.label == label)
    }
    pub fn column(&self, label: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.label == label)
    }
    /// Keeps the rows where `mask` is true.
    pub fn filter_rows(&self, mask: &[bool]) -> Table {
        Table {
            key: self.key.clone(),
            columns: self
                .columns
                .iter()
                .map(|c| Column::new(c.label.clone(), c.data.filter(mask)))
                .collect(),
        }
    }
    pub fn take_rows(&self, idx: &[usize]) -> Table {
        Table {
            key: self.key.clone(),
            columns: self
                .columns
                .iter()
                .map(|c| Column::new(c.label.clone(), c.data.take(idx)))
                .collect(),
        }
    }
    pub fn slice_rows(&self, start: usize, end: usize) -> Table {
        Table {
            key: self.key.clone(),
            columns: self
                .columns
                .iter()
                .map(|c| Column::new(c.label.clone(), c.data.slice(start, end)))
                .collect(),
        }
    }

    /// The table `from |> range` yields for one series: columns `_start, _stop, _time,
    /// _value, _field, _measurement, <tags sorted>`, grouped by all but `_time` and `_value`.
    /// `times` and `values` must have the same length; the Source adapter calls this.
    pub fn series(
        start: i64,
        stop: i64,
        measurement: &str,
        tags: &[(&str, &str)],
        field: &str,
        times: Vec<i64>,
        values: ColumnData,
    ) -> Table {
        let n = times.len();
        let mut tags: Vec<(&str, &str)> = tags.to_vec();
        tags.sort_by(|a, b| a.0.cmp(b.0));
        // One shared string per key value, for the key and its column.
        let field: Arc<str> = Arc::from(field);
        let measurement: Arc<str> = Arc::from(measurement);
        let mut key = Vec::with_capacity(4 + tags.len());
        key.extend([
            ("_start".to_string(), Value::Time(start)),
            ("_stop".to_string(), Value::Time(stop)),
            ("_field".to_string(), Value::String(field.clone())),
            (
                "_measurement".to_string(),
                Value::String(measurement.clone()),
            ),
        ]);
        let mut columns = Vec::with_capacity(6 + tags.len());
        columns.extend([
            Column::new("_start", ColumnData::Time(vec![Some(start); n])),
            Column::new("_stop", ColumnData::Time(vec![Some(stop); n])),
            Column::new(
                "_time",
                ColumnData::Time(times.into_iter().map(Some).collect()),
            ),
            Column::new("_value", values),
            Column::new("_field", ColumnData::String(StrColumn::constant(field, n))),
            Column::new(
                "_measurement",
                ColumnData::String(StrColumn::constant(measurement, n)),
            ),
        ]);
        for (k, v) in tags {
            let v: Arc<str> = Arc::from(v);
            key.push((k.to_string(), Value::String(v.clone())));
            columns.push(Column::new(
                k,
                ColumnData::String(StrColumn::constant(v, n)),
            ));
        }
        Table::new(GroupKey { cols: key }, columns)
    }
}

/// Builds a table row by row from dynamic values (used where columns are not known up front).
#[derive(Debug, Default)]
pub struct TableBuilder {
    pub key: GroupKey,
    pub columns: Vec<Column>,
    rows: usize,
}

impl TableBuilder {
    pub fn new(key: GroupKey) -> TableBuilder {
        TableBuilder {
            key,
            columns: Vec::new(),
            rows: 0,
        }
    }
    /// Adds a column (filled with nulls for the rows already added) and returns its index.
    pub fn add_column(&mut self, label: &str, t: DataType) -> usize {
        if let Some(i) = self.columns.iter().position(|c| c.label == label) {
            return i;
        }
        let mut data = ColumnData::with_capacity(t, self.rows);
        for _ in 0..self.rows {
            data.push_null();
        }
        self.columns.push(Column::new(label, data));
        self.columns.len() - 1
    }
    /// Appends one row given as (label, value) pairs; missing columns get null.
    pub fn push_row(&mut self, row: &[(&str, Value)]) -> Result<()> {
        for (label, v) in row {
            if self.columns.iter().all(|c| c.label != *label) {
                if let Some(t) = DataType::of(v) {
                    self.add_column(label, t);
                }
            }
        }
        for c in self.columns.iter_mut() {
            match row.iter().find(|(l, _)| *l == c.label) {
                Some((_, v)) => c.data.push(v).map_err(|e| {
                    FluxError::invalid(format!("column {:?}: {}", c.label, e.message()))
                })?,
                None => c.data.push_null(),
            }
        }
        self.rows += 1;
        Ok(())
    }
    pub fn rows(&self) -> usize {
        self.rows
    }
    pub fn build(self) -> Table {
        Table::new(self.key, self.columns)
    }
}
