//! Reads for Flux pushdown: `from |> range |> filter` as `scan`, `aggregateWindow` as
//! `window_aggregate` and `last()`/`first()` as `selector`, all per series and field,
//! ordered by series key then field. Only blocks overlapping the range and holding a
//! wanted field are decoded, and only the wanted columns of them.

use crate::error::StoreError;
use edgeflux_types::FieldValue;

use crate::model::{Chunk, Column, SeriesKey, Values};
use crate::predicate::Predicate;
use crate::stats::stat_value;
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
            if !pred.matches_series(k) {
                return None;
            }
            let wanted: Vec<bool> = s.fields.iter().map(|(f, _)| pred.matches(k, f)).collect();
            wanted.iter().any(|&w| w).then_some((k, s, wanted))
        })
        .collect()
    }

    fn needed_blocks<'a, 'w>(
        s: &'a Series,
        wanted: &'w [bool],
        start: i64,
        stop: i64,
    ) -> impl Iterator<Item = &'a BlockHandle> + use<'a, 'w> {
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

    /// The sources of a series' data in [start, stop), grouped into runs: a run is one
    /// source, or several whose time ranges overlap (transitively). Runs are disjoint and
    /// in time order, so each run is read on its own and only overlapping sources are
    /// merged. Writes arriving out of order (concurrent clients) overlap a few blocks; a
    /// single flag for the whole series would make every read of it merge all its blocks.
    fn plan<'a>(s: &'a Series, wanted: &[bool], start: i64, stop: i64) -> Vec<Run<'a>> {
        // In write order: blocks, then the head (newest).
        let mut src: Vec<Source<'a>> = Self::needed_blocks(s, wanted, start, stop)
            .map(|b| Source::Block(b, b.min_time, b.max_time))
            .collect();
        let mut head_range: Option<(i64, i64)> = None;
        for &t in &s.head.times {
            if t >= start && t < stop {
                head_range = Some(head_range.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
            }
        }
        if let Some((a, b)) = head_range {
            src.push(Source::Head(a, b));
        }
        let mut order: Vec<usize> = (0..src.len()).collect();
        order.sort_by_key(|&i| src[i].range());
        let mut runs: Vec<Run<'a>> = Vec::new();
        let mut members: Vec<usize> = Vec::new();
        let mut run_hi = i64::MIN;
        let flush = |members: &mut Vec<usize>, runs: &mut Vec<Run<'a>>| {
            // Write order inside a run, so the merge lets later writes win.
            members.sort_unstable();
            runs.push(Run(members.drain(..).map(|i| src[i]).collect()));
        };
        for i in order {
            let (lo, hi) = src[i].range();
            if !members.is_empty() && lo > run_hi {
                flush(&mut members, &mut runs);
            }
            run_hi = if members.is_empty() {
                hi
            } else {
                run_hi.max(hi)
            };
            members.push(i);
        }
        if !members.is_empty() {
            flush(&mut members, &mut runs);
        }
        runs
    }

    fn read(
        s: &Series,
        src: &Source<'_>,
        wanted: &[bool],
        start: i64,
        stop: i64,
    ) -> Result<Chunk, StoreError> {
        match src {
            Source::Block(b, lo, hi) => {
                let mut c = s.decode(b, Some(wanted))?;
                if *lo < start || *hi >= stop {
                    c.filter_time(start, stop, &[]);
                }
                Ok(c)
            }
            Source::Head(..) => {
                let mut h = Chunk {
                    times: s.head.times.clone(),
                    cols: s
                        .head
                        .cols
                        .iter()
                        .enumerate()
                        .map(|(slot, c)| {
                            c.clone()
                                .filter(|_| wanted.get(slot).copied().unwrap_or(false))
                        })
                        .collect(),
                };
                h.filter_time(start, stop, &[]);
                Ok(h.normalize())
            }
        }
    }

    /// The sorted, de-duplicated rows of one run: its sources merged, last write wins.
    fn read_run(
        s: &Series,
        run: &Run<'_>,
        wanted: &[bool],
        start: i64,
        stop: i64,
    ) -> Result<Chunk, StoreError> {
        if let Some(one) = run.single() {
            return Self::read(s, one, wanted, start, stop);
        }
        let mut merged = Chunk::default();
        for x in &run.0 {
            merged.append(&Self::read(s, x, wanted, start, stop)?);
        }
        Ok(merged.normalize())
    }

    /// The data of a series in [start, stop) as time-ordered, disjoint, sorted chunks.
    fn pieces(
        s: &Series,
        wanted: &[bool],
        start: i64,
        stop: i64,
    ) -> Result<Vec<Chunk>, StoreError> {
        Self::plan(s, wanted, start, stop)
            .iter()
            .map(|run| Self::read_run(s, run, wanted, start, stop))
            .collect()
    }

    /// The sorted, de-duplicated rows of a series in [start, stop) (wanted columns only).
    fn rows(s: &Series, wanted: &[bool], start: i64, stop: i64) -> Result<Chunk, StoreError> {
        let mut pieces = Self::pieces(s, wanted, start, stop)?.into_iter();
        let mut first = pieces.next().unwrap_or_default();
        for p in pieces {
            first.append(&p);
        }
        Ok(first)
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
            let mut chunk = Self::rows(s, &wanted, start, stop)?;
            filter_values(&mut chunk, key, s, pred);
            out.extend(field_tables(key, s, &wanted, chunk));
        }
        Ok(out)
    }

    /// Per-window aggregates of every matching series × field, computed block by block
    /// (partial aggregates merged across block boundaries) without building rows.
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
        let Some(b) = self.buckets.get(&bucket) else {
            return Ok(Vec::new());
        };
        let sel = self.select(b, pred);
        self.check_resident(bucket, &sel, start, stop)?;
        let mut out = Vec::new();
        for (key, s, wanted) in sel {
            let mut parts: Vec<Option<Partial>> = vec![None; s.fields.len()];
            let mut feed = |slot: usize, p: Partial| match &mut parts[slot] {
                Some(acc) => acc.merge(p, agg),
                none => *none = Some(p),
            };
            for run in Self::plan(s, &wanted, start, stop) {
                if let Some(Source::Block(b, lo, hi)) = run.single() {
                    if !pred.mentions_value() {
                        if let Some(ps) =
                            summary_partials(s, b, *lo, *hi, start, stop, window, agg, &wanted)
                        {
                            for (slot, p) in ps {
                                feed(slot, p);
                            }
                            continue;
                        }
                    }
                }
                let mut piece = Self::read_run(s, &run, &wanted, start, stop)?;
                filter_values(&mut piece, key, s, pred);
                for (slot, col) in piece.cols.iter().enumerate() {
                    let Some(col) = col else { continue };
                    if !wanted.get(slot).copied().unwrap_or(false) {
                        continue;
                    }
                    feed(slot, partial(&piece.times, col, window, agg)?);
                }
            }
            let mut slots: Vec<usize> = (0..s.fields.len())
                .filter(|&i| parts[i].is_some())
                .collect();
            slots.sort_by(|&a, &b| s.fields[a].0.cmp(&s.fields[b].0));
            for slot in slots {
                let Some(p) = parts[slot].take() else {
                    continue;
                };
                if p.ws.is_empty() {
                    continue;
                }
                out.push(p.finish(key, &s.fields[slot].0, start, stop, window, agg));
            }
        }
        Ok(out)
    }

    /// The first or last point of every matching series × field in [start, stop)
    /// (`agg` is `First` or `Last`; others are treated as `Last`). Reads only the
    /// blocks it needs, newest (or oldest) first.
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
        let first = agg == Aggregate::First;
        let mut out = Vec::new();
        for (key, s, wanted) in sel {
            let mut runs = Self::plan(s, &wanted, start, stop);
            if !first {
                runs.reverse();
            }
            let mut found: Vec<Option<(i64, FieldValue)>> = vec![None; s.fields.len()];
            // Runs are disjoint in time: the first run (from the wanted end) holding a
            // field's value holds its first/last point.
            for run in &runs {
                if (0..s.fields.len()).all(|i| !wanted[i] || found[i].is_some()) {
                    break;
                }
                let mut c = Self::read_run(s, run, &wanted, start, stop)?;
                filter_values(&mut c, key, s, pred);
                pick_edge(&c, &mut found, first);
            }
            let mut slots: Vec<usize> = (0..s.fields.len())
                .filter(|&i| found[i].is_some())
                .collect();
            slots.sort_by(|&a, &b| s.fields[a].0.cmp(&s.fields[b].0));
            for slot in slots {
                let Some((t, v)) = found[slot].take() else {
                    continue;
                };
                let mut values = Values::new(s.fields[slot].1);
                values.push_value(&v);
                out.push(SeriesTable {
                    measurement: key.measurement.clone(),
                    tags: key.tags.clone(),
                    field: s.fields[slot].0.clone(),
                    times: vec![t],
                    values,
                });
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

/// Where a series' rows come from: a block or the head, with their time bounds.
#[derive(Clone, Copy)]
enum Source<'a> {
    Block(&'a BlockHandle, i64, i64),
    Head(i64, i64),
}

impl Source<'_> {
    fn range(&self) -> (i64, i64) {
        match self {
            Source::Block(_, a, b) | Source::Head(a, b) => (*a, *b),
        }
    }
}

/// Sources of a series that overlap in time, in write order (see `Store::plan`).
struct Run<'a>(Vec<Source<'a>>);

impl<'a> Run<'a> {
    /// The run's only source, when it has one (then it can be read or summarised alone).
    fn single(&self) -> Option<&Source<'a>> {
        match self.0.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}

/// A block's window aggregates from its summaries, when the block lies inside [start,
/// stop) and inside one window and every wanted column's summary answers `agg`.
#[allow(clippy::too_many_arguments)]
fn summary_partials(
    s: &Series,
    b: &BlockHandle,
    lo: i64,
    hi: i64,
    start: i64,
    stop: i64,
    window: Window,
    agg: Aggregate,
    wanted: &[bool],
) -> Option<Vec<(usize, Partial)>> {
    let ws = window_start(lo, window.every, window.offset);
    if !b.tombstones.is_empty()
        || lo < start
        || hi >= stop
        || window_start(hi, window.every, window.offset) != ws
    {
        return None;
    }
    let stats = match b.stats.get() {
        Some(st) => st,
        None => {
            let chunk = s.decode(b, None).ok()?;
            b.stats.get_or_init(|| crate::stats::chunk_stats(&chunk))
        }
    };
    // Every wanted column of the block needs a summary (strings have none).
    if b.slots.iter().any(|&sl| {
        wanted.get(sl as usize).copied().unwrap_or(false) && !stats.iter().any(|st| st.slot == sl)
    }) {
        return None;
    }
    let mut out = Vec::new();
    for st in stats {
        let slot = st.slot as usize;
        if !wanted.get(slot).copied().unwrap_or(false) {
            continue;
        }
        let (t, v) = stat_value(st, agg)?;
        let mut values = Values::new(match agg {
            Aggregate::Mean => edgeflux_types::FieldType::Float,
            _ => v.field_type(),
        });
        values.push_value(&v);
        out.push((
            slot,
            Partial {
                ws: vec![ws],
                counts: vec![st.count],
                times: vec![t],
                values,
            },
        ));
    }
    Some(out)
}

/// Drops (marks invalid) the rows failing a predicate's `_value` tests.
fn filter_values(c: &mut Chunk, key: &SeriesKey, s: &Series, pred: &Predicate) {
    if !pred.mentions_value() {
        return;
    }
    for (slot, col) in c.cols.iter_mut().enumerate() {
        let (Some(col), Some((field, _))) = (col.as_mut(), s.fields.get(slot)) else {
            continue;
        };
        for i in 0..col.valid.len() {
            if col.valid[i] && !pred.matches_row(key, field, &col.values, i) {
                col.valid[i] = false;
            }
        }
    }
}

/// Records the first/last valid value of each column of `c` into `found` where unset.
fn pick_edge(c: &Chunk, found: &mut [Option<(i64, FieldValue)>], first: bool) {
    for (slot, col) in c.cols.iter().enumerate() {
        let Some(col) = col else { continue };
        if slot >= found.len() || found[slot].is_some() {
            continue;
        }
        let idx = if first {
            col.valid.iter().position(|&v| v)
        } else {
            col.valid.iter().rposition(|&v| v)
        };
        if let Some(i) = idx {
            if let Some(v) = col.values.get(i) {
                found[slot] = Some((c.times[i], v));
            }
        }
    }
}

/// Window aggregates of one sorted piece: window starts, counts, selected times and
/// values (sums for `Mean`).
#[derive(Debug, Clone)]
struct Partial {
    ws: Vec<i64>,
    counts: Vec<i64>,
    times: Vec<i64>,
    values: Values,
}

fn partial(
    times: &[i64],
    col: &Column,
    window: Window,
    agg: Aggregate,
) -> Result<Partial, StoreError> {
    let (t, v): (std::borrow::Cow<'_, [i64]>, std::borrow::Cow<'_, Values>) =
        if col.valid.iter().all(|&x| x) {
            (times.into(), std::borrow::Cow::Borrowed(&col.values))
        } else {
            let idx: Vec<usize> = (0..col.valid.len()).filter(|&i| col.valid[i]).collect();
            (
                idx.iter().map(|&i| times[i]).collect::<Vec<_>>().into(),
                std::borrow::Cow::Owned(pick(&col.values, &idx)),
            )
        };
    let mut ranges: Vec<(i64, usize, usize)> = Vec::new();
    let mut s = 0;
    while s < t.len() {
        let ws = window_start(t[s], window.every, window.offset);
        let we = ws.saturating_add(window.every);
        // times are sorted: find the window's end by bisection, not row by row
        let e = s + 1 + t[s + 1..].partition_point(|&x| x < we);
        ranges.push((ws, s, e));
        s = e;
    }
    let (sel_times, values) = if agg == Aggregate::Mean {
        if matches!(v.as_ref(), Values::String(_) | Values::Boolean(_)) {
            return Err(StoreError::UnsupportedAggregate {
                agg: agg.name(),
                ty: v.field_type(),
            });
        }
        // Means keep f64 sums so partials of several blocks merge before dividing.
        (
            vec![0; ranges.len()],
            Values::Float(ranges.iter().map(|r| sum_f64(&v, r)).collect()),
        )
    } else {
        aggregate(&t, &v, &ranges, &vec![0; ranges.len()], agg)?
    };
    Ok(Partial {
        ws: ranges.iter().map(|r| r.0).collect(),
        counts: ranges.iter().map(|r| (r.2 - r.1) as i64).collect(),
        times: sel_times,
        values,
    })
}

fn sum_f64(v: &Values, r: &(i64, usize, usize)) -> f64 {
    match v {
        Values::Integer(x) => x[r.1..r.2].iter().map(|&a| a as f64).sum(),
        Values::UInteger(x) => x[r.1..r.2].iter().map(|&a| a as f64).sum(),
        Values::Float(x) => x[r.1..r.2].iter().sum(),
        _ => 0.0,
    }
}

impl Partial {
    /// Appends a later piece, combining the shared boundary window if any.
    fn merge(&mut self, mut o: Partial, agg: Aggregate) {
        if o.ws.is_empty() {
            return;
        }
        if self.ws.last() == o.ws.first() {
            let i = self.ws.len() - 1;
            self.counts[i] += o.counts[0];
            let replace = match agg {
                Aggregate::Count | Aggregate::First => false,
                Aggregate::Last => true,
                Aggregate::Sum | Aggregate::Mean => {
                    add_into(&mut self.values, i, &o.values, 0);
                    false
                }
                Aggregate::Min => less(&o.values, 0, &self.values, i),
                Aggregate::Max => less(&self.values, i, &o.values, 0),
            };
            if replace {
                self.times[i] = o.times[0];
                copy_into(&mut self.values, i, &o.values, 0);
            }
            o.ws.remove(0);
            o.counts.remove(0);
            o.times.remove(0);
            o.values.remove(0);
        }
        self.ws.extend(o.ws);
        self.counts.extend(o.counts);
        self.times.extend(o.times);
        self.values.extend_from(&o.values);
    }

    fn finish(
        self,
        key: &SeriesKey,
        field: &str,
        start: i64,
        stop: i64,
        window: Window,
        agg: Aggregate,
    ) -> WindowTable {
        let starts: Vec<i64> = self.ws.iter().map(|&w| w.max(start)).collect();
        let stops: Vec<i64> = self
            .ws
            .iter()
            .map(|&w| w.saturating_add(window.every).min(stop))
            .collect();
        let (times, values) = match agg {
            Aggregate::Count => (stops.clone(), Values::Integer(self.counts)),
            Aggregate::Sum => (stops.clone(), self.values),
            Aggregate::Mean => {
                let sums = match self.values {
                    Values::Float(x) => x,
                    _ => Vec::new(),
                };
                (
                    stops.clone(),
                    Values::Float(
                        sums.iter()
                            .zip(&self.counts)
                            .map(|(s, &n)| s / n as f64)
                            .collect(),
                    ),
                )
            }
            _ => (self.times, self.values),
        };
        WindowTable {
            measurement: key.measurement.clone(),
            tags: key.tags.clone(),
            field: field.to_string(),
            starts,
            stops,
            times,
            values,
        }
    }
}

fn add_into(a: &mut Values, i: usize, b: &Values, j: usize) {
    match (a, b) {
        (Values::Float(x), Values::Float(y)) => x[i] += y[j],
        (Values::Integer(x), Values::Integer(y)) => x[i] = x[i].wrapping_add(y[j]),
        (Values::UInteger(x), Values::UInteger(y)) => x[i] = x[i].wrapping_add(y[j]),
        _ => {}
    }
}

fn copy_into(a: &mut Values, i: usize, b: &Values, j: usize) {
    match (a, b) {
        (Values::Float(x), Values::Float(y)) => x[i] = y[j],
        (Values::Integer(x), Values::Integer(y)) => x[i] = y[j],
        (Values::UInteger(x), Values::UInteger(y)) => x[i] = y[j],
        (Values::String(x), Values::String(y)) => x[i].clone_from(&y[j]),
        (Values::Boolean(x), Values::Boolean(y)) => x[i] = y[j],
        _ => {}
    }
}

/// a[i] < b[j]
fn less(a: &Values, i: usize, b: &Values, j: usize) -> bool {
    match (a, b) {
        (Values::Float(x), Values::Float(y)) => x[i] < y[j],
        (Values::Integer(x), Values::Integer(y)) => x[i] < y[j],
        (Values::UInteger(x), Values::UInteger(y)) => x[i] < y[j],
        _ => false,
    }
}

fn field_tables(
    key: &SeriesKey,
    s: &Series,
    wanted: &[bool],
    mut chunk: Chunk,
) -> Vec<SeriesTable> {
    let mut out = Vec::new();
    let mut slots: Vec<usize> = (0..s.fields.len()).filter(|&i| wanted[i]).collect();
    slots.sort_by(|&a, &b| s.fields[a].0.cmp(&s.fields[b].0));
    for slot in slots {
        let Some(col) = chunk.cols.get_mut(slot).and_then(Option::take) else {
            continue;
        };
        let n = col.valid.iter().filter(|&&v| v).count();
        if n == 0 {
            continue;
        }
        let (times, values) = if n == chunk.times.len() {
            (chunk.times.clone(), col.values)
        } else {
            let idx: Vec<usize> = (0..col.valid.len()).filter(|&i| col.valid[i]).collect();
            (
                idx.iter().map(|&i| chunk.times[i]).collect(),
                pick(&col.values, &idx),
            )
        };
        out.push(SeriesTable {
            measurement: key.measurement.clone(),
            tags: key.tags.clone(),
            field: s.fields[slot].0.clone(),
            times,
            values,
        });
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
