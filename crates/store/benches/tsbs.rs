//! Store benchmark on the TSBS "cpu-only" line-protocol file (not a timed test).
//!
//! ```text
//! python3 /work/shared/bench/gen_lp.py --hosts 100 --hours 24 --out scratch/small.lp
//! cargo bench -p edgeflux-store --bench tsbs            # or EDGEFLUX_BENCH_LP=path
//! ```
//! Reports: ingest (prepare_write + apply_write, parsing excluded) in values/s; resident
//! bytes per value after sealing (`Store::memory_usage`); persisted bytes per value
//! (snapshot size / values); snapshot restore time; mean per host per hour over the
//! whole file via `window_aggregate`; full scan; last point per series.

use std::time::Instant;

use edgeflux_lineproto::{parse, ParseOptions, Precision};
use edgeflux_store::{Aggregate, Predicate, Store, Window};

const BUCKET: u64 = 1;
const BATCH_LINES: usize = 5000;

fn rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU seconds used by this thread (user + system), from /proc; robust to a busy machine
/// where wall-clock figures are not.
fn cpu_secs() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/thread-self/stat") else {
        return 0.0;
    };
    let Some(after) = s.rsplit_once(')').map(|x| x.1) else {
        return 0.0;
    };
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Wall-clock and CPU time of `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let c = cpu_secs();
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64(), cpu_secs() - c)
}

fn main() {
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scratch/small.lp");
    let path = std::env::var("EDGEFLUX_BENCH_LP").unwrap_or_else(|_| default.to_string());
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "tsbs bench: no input at {path}; generate it with gen_lp.py (see the doc comment)"
        );
        return;
    };
    let opts = ParseOptions {
        precision: Precision::Nanoseconds,
        default_time: 0,
    };
    let rss0 = rss_kib();
    let mut store = Store::new();
    let mut values = 0usize;
    let mut ingest = std::time::Duration::ZERO;
    let mut log_bytes = 0usize;
    let mut encode = std::time::Duration::ZERO;
    let mut ingest_cpu = 0.0f64;
    let mut start_ns = i64::MAX;
    let mut stop_ns = i64::MIN;
    let mut rest = text.as_str();
    while !rest.is_empty() {
        // Cut a batch of BATCH_LINES lines.
        let mut cut = 0;
        for _ in 0..BATCH_LINES {
            match rest[cut..].find('\n') {
                Some(i) => cut += i + 1,
                None => {
                    cut = rest.len();
                    break;
                }
            }
        }
        let (batch_text, tail) = rest.split_at(cut);
        rest = tail;
        let parsed = parse(batch_text, &opts);
        assert!(
            parsed.errors.is_empty(),
            "parse errors: {:?}",
            parsed.errors.first()
        );
        for l in &parsed.lines {
            start_ns = start_ns.min(l.timestamp);
            stop_ns = stop_ns.max(l.timestamp);
        }
        let c = cpu_secs();
        let t = Instant::now();
        let prepared = store.prepare_write(BUCKET, &parsed.lines, None);
        store.apply_write(&prepared.batch);
        ingest += t.elapsed();
        ingest_cpu += cpu_secs() - c;
        values += prepared.batch.value_count();
        let t = Instant::now();
        log_bytes += edgeflux_store::codec::encode_write(&prepared.batch).len();
        encode += t.elapsed();
    }
    let t = Instant::now();
    store.seal_all();
    let seal = t.elapsed();
    let sealed_mem = store.memory_usage().total();
    let t = Instant::now();
    let report = store.compact(stop_ns);
    let compact = t.elapsed();
    let mem = store.memory_usage();
    let stats = store.stats();
    let vps = values as f64 / ingest.as_secs_f64();
    println!("input: {path}");
    println!(
        "values: {values}, series: {}, blocks: {}",
        stats.series, stats.blocks
    );
    println!(
        "ingest (prepare+apply, parse excluded): {:.2} s wall = {:.2} M values/s; {:.2} s CPU = {:.2} M values/CPU-s; final seal {:.3} s",
        ingest.as_secs_f64(),
        vps / 1e6,
        ingest_cpu,
        values as f64 / ingest_cpu / 1e6,
        seal.as_secs_f64()
    );
    println!(
        "compact (merge 1024-row blocks up to 4096): {:.3} s, {} blocks -> {}",
        compact.as_secs_f64(),
        report.removed_blocks.len(),
        report.added_blocks.len()
    );
    println!(
        "write-log records (encode_write): {:.2} bytes/value, encoded at {:.2} M values/s",
        log_bytes as f64 / values as f64,
        values as f64 / encode.as_secs_f64() / 1e6
    );
    println!(
        "resident after seal: {:.3} bytes/value; after compact: {} bytes = {:.3} bytes/value (blocks {}, index {}, head {})",
        sealed_mem as f64 / values as f64,
        mem.total(),
        mem.total() as f64 / values as f64,
        mem.blocks,
        mem.index,
        mem.head
    );
    if let (Some(a), Some(b)) = (rss0, rss_kib()) {
        println!(
            "process RSS grew {:.1} MiB (includes the input text and allocator slack)",
            (b.saturating_sub(a)) as f64 / 1024.0
        );
    }
    let t = Instant::now();
    let snap = store.snapshot();
    let snap_time = t.elapsed();
    println!(
        "snapshot: {} bytes = {:.3} bytes/value (encode {:.3} s)",
        snap.len(),
        snap.len() as f64 / values as f64,
        snap_time.as_secs_f64()
    );
    println!(
        "index snapshot (snapshot_without_blocks, blocks persisted one by one): {} bytes",
        store.snapshot_without_blocks().len()
    );
    let t = Instant::now();
    let restored = Store::restore(&snap).expect("restore");
    println!("restore: {:.3} s", t.elapsed().as_secs_f64());
    drop(restored);

    let stop = stop_ns + 1;
    let hour = 3_600_000_000_000i64;
    let cpu = Predicate::measurement_eq("cpu");
    for (label, pred) in [
        (
            "usage_user",
            cpu.clone().and(Predicate::field_eq("usage_user")),
        ),
        ("all 10 fields", cpu.clone()),
    ] {
        let (w, wall, cpu) = timed(|| {
            store
                .window_aggregate(
                    BUCKET,
                    start_ns,
                    stop,
                    &pred,
                    Window {
                        every: hour,
                        offset: 0,
                    },
                    Aggregate::Mean,
                )
                .expect("window")
        });
        let windows: usize = w.iter().map(|t| t.starts.len()).sum();
        println!(
            "mean per host per hour ({label}): {} tables, {} windows in {:.1} ms wall, {:.0} ms CPU",
            w.len(),
            windows,
            wall * 1e3,
            cpu * 1e3
        );
    }
    let day = 24 * hour;
    let (w, wall, cpu_d) = timed(|| {
        store
            .window_aggregate(
                BUCKET,
                start_ns,
                stop,
                &cpu,
                Window {
                    every: day,
                    offset: 0,
                },
                Aggregate::Mean,
            )
            .expect("window")
    });
    println!(
        "mean per host per day, all fields (answered from block summaries): {} tables in {:.1} ms wall, {:.0} ms CPU",
        w.len(),
        wall * 1e3,
        cpu_d * 1e3
    );
    let (all, wall, cpu_s) = timed(|| store.scan(BUCKET, start_ns, stop, &cpu).expect("scan"));
    let n: usize = all.iter().map(|t| t.times.len()).sum();
    println!(
        "full scan: {n} values in {:.1} ms wall, {:.0} ms CPU = {:.1} M values/CPU-s",
        wall * 1e3,
        cpu_s * 1e3,
        n as f64 / cpu_s / 1e6
    );
    let bound = step_entropy_bytes_per_value(&all);
    println!(
        "information in the value steps (order-0 entropy of per-series decimal steps, bound for any per-series step coder): {bound:.3} bytes/value; persisted is {:.2}x that",
        snap.len() as f64 / values as f64 / bound
    );
    let t = Instant::now();
    let last = store
        .last_points(BUCKET, start_ns, stop, &cpu)
        .expect("last");
    println!(
        "last point per series/field: {} tables in {:.1} ms",
        last.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
}

/// Empirical order-0 entropy, in bytes per value, of the steps between consecutive values of
/// each float series once scaled to integers by the series' decimal places. No per-series
/// coder that sees each step on its own (delta, XOR, decimal scaling, bit packing, an entropy
/// coder fed these steps) can store the values in fewer bytes than this; it is the floor the
/// persisted figure is compared with.
fn step_entropy_bytes_per_value(tables: &[edgeflux_store::SeriesTable]) -> f64 {
    use std::collections::HashMap;
    let mut counts: HashMap<i64, u64> = HashMap::new();
    let mut steps = 0u64;
    for t in tables {
        let edgeflux_store::Values::Float(v) = &t.values else {
            continue;
        };
        let Some(scale) = (0..=6)
            .map(|d| 10f64.powi(d))
            .find(|s| v.iter().all(|x| ((x * s).round() - x * s).abs() < 1e-6))
        else {
            continue;
        };
        for w in v.windows(2) {
            let step = (w[1] * scale).round() as i64 - (w[0] * scale).round() as i64;
            *counts.entry(step).or_default() += 1;
            steps += 1;
        }
    }
    let n = steps as f64;
    let bits: f64 = counts
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum();
    bits / 8.0
}
