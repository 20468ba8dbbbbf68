//! Per-block, per-field summaries (count, first, last, min, max, sum) kept beside each
//! block, so a window aggregate whose window holds a whole block answers from the
//! summary without decoding it (e.g. daily means over weeks of 10-second data).
//! Derived state: computed when a block is cut or on first use; never persisted.
//! Numeric and boolean columns only (string values would cost memory); values are kept
//! as 64-bit patterns of the column's type to keep a summary under 100 bytes.

use edgeflux_types::{FieldType, FieldValue};

use crate::model::{Chunk, Column, Values};
use crate::scan::Aggregate;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ColStats {
    pub slot: u32,
    pub ty: FieldType,
    pub count: i64,
    /// (time, value bits) of the first and last rows and of the first minimum / maximum.
    pub first: (i64, u64),
    pub last: (i64, u64),
    pub min: (i64, u64),
    pub max: (i64, u64),
    /// The sum in the column's type (wrapping for integers), and in f64 for means; both
    /// accumulated in row order like the decoding path.
    pub sum: u64,
    pub fsum: f64,
}

fn value(ty: FieldType, bits: u64) -> FieldValue {
    match ty {
        FieldType::Float => FieldValue::Float(f64::from_bits(bits)),
        FieldType::Integer => FieldValue::Integer(bits as i64),
        FieldType::UInteger => FieldValue::UInteger(bits),
        FieldType::Boolean => FieldValue::Boolean(bits != 0),
        FieldType::String => FieldValue::String(String::new()),
    }
}

fn col_stats(slot: usize, times: &[i64], col: &Column) -> Option<ColStats> {
    let idx: Vec<usize> = (0..col.valid.len()).filter(|&i| col.valid[i]).collect();
    let (&f, &l) = (idx.first()?, idx.last()?);
    macro_rules! numeric {
        ($v:expr, $ty:expr, $bits:expr, $sum:expr, $fsum:expr) => {{
            let v = $v;
            let (mut lo, mut hi) = (f, f);
            for &i in &idx {
                if v[i] < v[lo] {
                    lo = i;
                }
                if v[i] > v[hi] {
                    hi = i;
                }
            }
            Some(ColStats {
                slot: slot as u32,
                ty: $ty,
                count: idx.len() as i64,
                first: (times[f], $bits(v[f])),
                last: (times[l], $bits(v[l])),
                min: (times[lo], $bits(v[lo])),
                max: (times[hi], $bits(v[hi])),
                sum: $sum,
                fsum: $fsum,
            })
        }};
    }
    match &col.values {
        Values::Float(v) => {
            // Same summation as the decoding path (`Iterator::sum`), to the last bit.
            let sum: f64 = idx.iter().map(|&i| v[i]).sum();
            numeric!(v, FieldType::Float, f64::to_bits, sum.to_bits(), sum)
        }
        Values::Integer(v) => numeric!(
            v,
            FieldType::Integer,
            |x: i64| x as u64,
            idx.iter().fold(0i64, |a, &i| a.wrapping_add(v[i])) as u64,
            idx.iter().map(|&i| v[i] as f64).sum()
        ),
        Values::UInteger(v) => numeric!(
            v,
            FieldType::UInteger,
            |x: u64| x,
            idx.iter().fold(0u64, |a, &i| a.wrapping_add(v[i])),
            idx.iter().map(|&i| v[i] as f64).sum()
        ),
        Values::Boolean(v) => Some(ColStats {
            slot: slot as u32,
            ty: FieldType::Boolean,
            count: idx.len() as i64,
            first: (times[f], u64::from(v[f])),
            last: (times[l], u64::from(v[l])),
            min: (0, 0),
            max: (0, 0),
            sum: 0,
            fsum: 0.0,
        }),
        Values::String(_) => None,
    }
}

/// Summaries of every column of a sorted, de-duplicated chunk.
pub(crate) fn chunk_stats(c: &Chunk) -> Vec<ColStats> {
    let mut out: Vec<ColStats> = c
        .cols
        .iter()
        .enumerate()
        .filter_map(|(slot, col)| col.as_ref().and_then(|col| col_stats(slot, &c.times, col)))
        .collect();
    out.shrink_to_fit();
    out
}

/// The single-window aggregate of a summarized column as (selected time, value);
/// `None` when the aggregate does not apply to the type (the decoding path reports it).
pub(crate) fn stat_value(st: &ColStats, agg: Aggregate) -> Option<(i64, FieldValue)> {
    let numeric = matches!(
        st.ty,
        FieldType::Float | FieldType::Integer | FieldType::UInteger
    );
    let v = |x: (i64, u64)| (x.0, value(st.ty, x.1));
    match agg {
        Aggregate::Count => Some(v(st.first)),
        Aggregate::First => Some(v(st.first)),
        Aggregate::Last => Some(v(st.last)),
        Aggregate::Min if numeric => Some(v(st.min)),
        Aggregate::Max if numeric => Some(v(st.max)),
        Aggregate::Sum if numeric => Some((0, value(st.ty, st.sum))),
        Aggregate::Mean if numeric => Some((0, FieldValue::Float(st.fsum))),
        _ => None,
    }
}
