//! Reads for Flux pushdown: `from |> range |> filter` as `scan`, `aggregateWindow` as
//! `window_aggregate` and `last()`/`first()` as `selector`, all per series and field,
//! ordered by series key then field. Only blocks overlapping the range and holding a
//! wanted field are decoded, and only the wanted columns of them.

use crate::error::StoreError;
use crate::model::{Chunk, SeriesKey, Values};
use crate::predicate::Predicate;
use crate::store::{window_start, BlockHandle, Bucket, Series, Store};

/// One series' values of one field in [start, stop), sorted by time, nulls removed.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesTable {
    pub measurement: String,
    /// Sorted by key.
    pub tags: Vec<(String, String)>,
    pub field: String,
    pub times: Vec<i64>,
    pub values: Values,
}

/// Window aggregates of one series and field. Windows without points are omitted.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowTable {
    pub measurement: String,
    pub tags: Vec<(String, String)>,
    pub field: String,
    /// Window bounds, clipped to the scan's [start, stop) like Flux's `_start`/`_stop`.
    pub starts: Vec<i64>,
    pub stops: Vec<i64>,
    /// For selectors (first, last, min, max): the selected point's time; for count, sum
    /// and mean: the (clipped) window stop, which is what `aggregateWindow` uses as `_time`.
    pub times: Vec<i64>,
    /// count → Integer; mean → Float; sum, min, max, first, last → the field's type.
    pub values: Values,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Count,
    Sum,
    Min,
    Max,
    Mean,
    First,
    Last,
}

impl Aggregate {
    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Count => "count",
            Aggregate::Sum => "sum",
            Aggregate::Min => "min",
            Aggregate::Max => "max",
            Aggregate::Mean => "mean",
            Aggregate::First => "first",
            Aggregate::Last => "last",
        }
    }
}

/// Epoch-aligned windows of `every` ns shifted by `offset` ns (Flux `window(every, offset)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub every: i64,
    pub offset: i64,
}

/// Selected (series, series data, wanted slots) of a bucket.
type Selection<'a> = Vec<(&'a SeriesKey, &'a Series, Vec<bool>)>;

impl Store {
    fn select<'a>(&'a self, bucket: &'a Bucket, pred: &Predicate) -> Selection<'a> {
        let iter: Box<dyn Iterator<Item = (&SeriesKey, &Series)>> =
            match pred.required_measurement() {
                Some(m) => {
                    let from = SeriesKey {
                        measurement: m.to_string(),
                        tags: Vec::new(),
                    };
                    Box::new(
                        bucket
                            .series
                            .range(from..)
                            .take_while(move |(k, _)| k.measurement == m),
                    )
                }
                None => Box::new(bucket.series.iter()),
            };
        iter.filter_map(|(k, s)| {
            let wanted: Vec<bool> = s.fields.iter().map(|(f, _)| pred.matches(k, f)).collect();
            wanted.iter().any(|&w| w).then_some((k, s, wanted))
        })
        .collect()
    }

    fn needed_blocks<'a>(
        s: &'a Series,
        wanted: &'a [bool],
        start: i64,
        stop: i64,
    ) -> impl Iterator<Item = &'a BlockHandle> {
        s.blocks.iter().filter(move |b| {
            b.overlaps(start, stop)
                && b.slots
                    .iter()
                    .any(|&sl| wanted.get(sl as usize).copied().unwrap_or(false))
        })
    }

    /// Fails with `BlocksNotResident` listing every evicted block the read needs.
    fn check_resident(
        &self,
        bucket: u64,
        sel: &Selection<'_>,
        start: i64,
        stop: i64,
    ) -> Result<(), StoreError> {
        let mut missing: Vec<u64> = sel
            .iter()
            .flat_map(|(_, s, w)| {
                Self::needed_blocks(s, w, start, stop)
                    .filter(|b| b.bytes.is_none())
                    .map(|b| b.id)
            })
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        missing.sort_unstable();
        Err(StoreError::BlocksNotResident {
            bucket,
            blocks: missing,
        })
    }

    /// The sorted, de-duplicated rows of a series in [start, stop) (wanted columns only).
    fn rows(s: &Series, wanted: &[bool], start: i64, stop: i64) -> Result<Chunk, StoreError> {
        let blocks: Vec<&BlockHandle> = Self::needed_blocks(s, wanted, start, stop).collect();
        let head_hit = s.head.rows() > 0 && s.head.times.iter().any(|&t| t >= start && t < stop);
        if blocks.len() == 1 && !head_hit {
            let mut c = s.decode(blocks[0], Some(wanted))?;
            if blocks[0].min_time < start || blocks[0].max_time >= stop {
                c.filter_time(start, stop, &[]);
            }
            return Ok(c);
        }
        let mut merged = Chunk::default();
        for b in blocks {
            let mut c = s.decode(b, Some(wanted))?;
            c.filter_time(start, stop, &[]);
            merged.append(&c);
        }
        if head_hit {
            let mut h = s.head.clone();
            for (slot, col) in h.cols.iter_mut().enumerate() {
                if !wanted.get(slot).copied().unwrap_or(false) {
                    *col = None;
                }
            }
            h.filter_time(start, stop, &[]);
            merged.append(&h);
        }
        Ok(merged.normalize())
    }

    /// Every matching series × field with data in [start, stop).
    pub fn scan(
        &self,
        bucket: u64,
        start: i64,
        stop: i64,
        pred: &Predicate,
    ) -> Result<Vec<SeriesTable>, StoreError> {
        let Some(b) = self.buckets.get(&bucket) else {
            return Ok(Vec::new());
        };
        let sel = self.select(b, pred);
        self.check_resident(bucket, &sel, start, stop)?;
        let mut out = Vec::new();
        for (key, s, wanted) in sel {
            let chunk = Self::rows(s, &wanted, start, stop)?;
            for (slot, table) in field_tables(key, s, &wanted, chunk) {
                let _ = slot;
                out.push(table);
            }
        }
        Ok(out)
    }

    /// Per-window aggregates of every matching series × field, computed from blocks
    /// without building rows.
    pub fn window_aggregate(
        &self,
        bucket: u64,
        start: i64,
        stop: i64,
        pred: &Predicate,
        window: Window,
        agg: Aggregate,
    ) -> Result<Vec<WindowTable>, StoreError> {
        if window.every <= 0 {
            return Err(StoreError::InvalidWindow);
        }
        let tables = self.scan(bucket, start, stop, pred)?;
        let mut out = Vec::with_capacity(tables.len());
        for t in tables {
            let mut ranges: Vec<(i64, usize, usize)> = Vec::new();
            let mut s = 0;
            while s < t.times.len() {
                let ws = window_start(t.times[s], window.every, window.offset);
                let we = ws.saturating_add(window.every);
                let mut e = s + 1;
                while e < t.times.len() && t.times[e] < we {
                    e += 1;
                }
                ranges.push((ws, s, e));
                s = e;
            }
            let starts: Vec<i64> = ranges.iter().map(|r| r.0.max(start)).collect();
            let stops: Vec<i64> = ranges
                .iter()
                .map(|r| r.0.saturating_add(window.every).min(stop))
                .collect();
            let (times, values) = aggregate(&t.times, &t.values, &ranges, &stops, agg)?;
            out.push(WindowTable {
                measurement: t.measurement,
                tags: t.tags,
                field: t.field,
                starts,
                stops,
                times,
                values,
            });
        }
        Ok(out)
    }

    /// The first or last point of every matching series × field in [start, stop)
    /// (`agg` is `First` or `Last`; others are treated as `Last`).
    pub fn selector(
        &self,
        bucket: u64,
        start: i64,
        stop: i64,
        pred: &Predicate,
        agg: Aggregate,
    ) -> Result<Vec<SeriesTable>, StoreError> {
        let Some(b) = self.buckets.get(&bucket) else {
            return Ok(Vec::new());
        };
        let sel = self.select(b, pred);
        self.check_resident(bucket, &sel, start, stop)?;
        let mut out = Vec::new();
        for (key, s, wanted) in sel {
            let chunk = Self::rows(s, &wanted, start, stop)?;
            for (_, mut t) in field_tables(key, s, &wanted, chunk) {
                let i = if agg == Aggregate::First {
                    0
                } else {
                    t.times.len() - 1
                };
                t.times = vec![t.times[i]];
                t.values = pick(&t.values, &[i]);
                out.push(t);
            }
        }
        Ok(out)
    }

    /// `last()` per series and field.
    pub fn last_points(
        &self,
        bucket: u64,
        start: i64,
        stop: i64,
        pred: &Predicate,
    ) -> Result<Vec<SeriesTable>, StoreError> {
        self.selector(bucket, start, stop, pred, Aggregate::Last)
    }
}

fn field_tables(
    key: &SeriesKey,
    s: &Series,
    wanted: &[bool],
    chunk: Chunk,
) -> Vec<(usize, SeriesTable)> {
    let mut out = Vec::new();
    let mut slots: Vec<usize> = (0..s.fields.len()).filter(|&i| wanted[i]).collect();
    slots.sort_by(|&a, &b| s.fields[a].0.cmp(&s.fields[b].0));
    for slot in slots {
        let Some(Some(col)) = chunk.cols.get(slot) else {
            continue;
        };
        let idx: Vec<usize> = (0..col.valid.len()).filter(|&i| col.valid[i]).collect();
        if idx.is_empty() {
            continue;
        }
        let times = if idx.len() == chunk.times.len() {
            chunk.times.clone()
        } else {
            idx.iter().map(|&i| chunk.times[i]).collect()
        };
        let values = if idx.len() == col.valid.len() {
            col.values.clone()
        } else {
            pick(&col.values, &idx)
        };
        out.push((
            slot,
            SeriesTable {
                measurement: key.measurement.clone(),
                tags: key.tags.clone(),
                field: s.fields[slot].0.clone(),
                times,
                values,
            },
        ));
    }
    out
}

fn pick(v: &Values, idx: &[usize]) -> Values {
    match v {
        Values::Float(x) => Values::Float(idx.iter().map(|&i| x[i]).collect()),
        Values::Integer(x) => Values::Integer(idx.iter().map(|&i| x[i]).collect()),
        Values::UInteger(x) => Values::UInteger(idx.iter().map(|&i| x[i]).collect()),
        Values::String(x) => Values::String(idx.iter().map(|&i| x[i].clone()).collect()),
        Values::Boolean(x) => Values::Boolean(idx.iter().map(|&i| x[i]).collect()),
    }
}

type Ranges = [(i64, usize, usize)];

fn aggregate(
    times: &[i64],
    v: &Values,
    ranges: &Ranges,
    stops: &[i64],
    agg: Aggregate,
) -> Result<(Vec<i64>, Values), StoreError> {
    let unsupported = || StoreError::UnsupportedAggregate {
        agg: agg.name(),
        ty: v.field_type(),
    };
    let sel = |idx: Vec<usize>| {
        (
            idx.iter().map(|&i| times[i]).collect::<Vec<_>>(),
            pick(v, &idx),
        )
    };
    Ok(match agg {
        Aggregate::Count => (
            stops.to_vec(),
            Values::Integer(ranges.iter().map(|r| (r.2 - r.1) as i64).collect()),
        ),
        Aggregate::First => sel(ranges.iter().map(|r| r.1).collect()),
        Aggregate::Last => sel(ranges.iter().map(|r| r.2 - 1).collect()),
        Aggregate::Min | Aggregate::Max => {
            let better = |a: usize, b: usize| -> bool {
                let less = match v {
                    Values::Float(x) => x[a] < x[b],
                    Values::Integer(x) => x[a] < x[b],
                    Values::UInteger(x) => x[a] < x[b],
                    _ => false,
                };
                let greater = match v {
                    Values::Float(x) => x[a] > x[b],
                    Values::Integer(x) => x[a] > x[b],
                    Values::UInteger(x) => x[a] > x[b],
                    _ => false,
                };
                if agg == Aggregate::Min {
                    less
                } else {
                    greater
                }
            };
            if matches!(v, Values::String(_) | Values::Boolean(_)) {
                return Err(unsupported());
            }
            sel(ranges
                .iter()
                .map(|r| (r.1 + 1..r.2).fold(r.1, |best, i| if better(i, best) { i } else { best }))
                .collect())
        }
        Aggregate::Sum => (
            stops.to_vec(),
            match v {
                Values::Float(x) => {
                    Values::Float(ranges.iter().map(|r| x[r.1..r.2].iter().sum()).collect())
                }
                Values::Integer(x) => Values::Integer(
                    ranges
                        .iter()
                        .map(|r| x[r.1..r.2].iter().fold(0i64, |a, b| a.wrapping_add(*b)))
                        .collect(),
                ),
                Values::UInteger(x) => Values::UInteger(
                    ranges
                        .iter()
                        .map(|r| x[r.1..r.2].iter().fold(0u64, |a, b| a.wrapping_add(*b)))
                        .collect(),
                ),
                _ => return Err(unsupported()),
            },
        ),
        Aggregate::Mean => (
            stops.to_vec(),
            Values::Float(match v {
                Values::Float(x) => ranges
                    .iter()
                    .map(|r| x[r.1..r.2].iter().sum::<f64>() / (r.2 - r.1) as f64)
                    .collect(),
                Values::Integer(x) => ranges
                    .iter()
                    .map(|r| {
                        x[r.1..r.2].iter().map(|&a| a as f64).sum::<f64>() / (r.2 - r.1) as f64
                    })
                    .collect(),
                Values::UInteger(x) => ranges
                    .iter()
                    .map(|r| {
                        x[r.1..r.2].iter().map(|&a| a as f64).sum::<f64>() / (r.2 - r.1) as f64
                    })
                    .collect(),
                _ => return Err(unsupported()),
            }),
        ),
    })
}
