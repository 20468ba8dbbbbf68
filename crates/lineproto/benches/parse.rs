//! Parse throughput on TSBS "devops cpu-only" line protocol: ours vs the crates.io crate
//! `influxdb-line-protocol` (InfluxDB 3's parser), in one run.
//!
//! `cargo bench -p edgeflux-lineproto --bench parse` parses a small built-in data set
//! (same shape as `shared/bench/gen_lp.py`: 10 tags, 10 floats, ns timestamps);
//! `LP_FILE=/path/to/small.lp` parses that file instead, `LP_RUNS=n` sets the runs
//! (best run reported).

use std::hint::black_box;
use std::time::Instant;

use edgeflux_lineproto::{parse, write_lines, FieldValue, ParseOptions, Parser, Precision};

fn generated(hosts: usize, points_per_host: usize) -> String {
    let regions = [
        "us-east-1",
        "us-west-1",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-northeast-1",
        "sa-east-1",
    ];
    let fields = [
        "usage_user",
        "usage_system",
        "usage_idle",
        "usage_nice",
        "usage_iowait",
        "usage_irq",
        "usage_softirq",
        "usage_steal",
        "usage_guest",
        "usage_guest_nice",
    ];
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let keys: Vec<String> = (0..hosts)
        .map(|h| {
            let r = regions[h % regions.len()];
            format!(
                "cpu,hostname=host_{h},region={r},datacenter={r}{},rack={},os=Ubuntu16.04LTS,arch=x64,team=SF,service={},service_version=1,service_environment=test",
                ["a", "b", "c"][h % 3],
                rnd() % 100,
                rnd() % 20
            )
        })
        .collect();
    let mut out = String::new();
    for p in 0..points_per_host {
        let ts = 1_451_606_400_000_000_000i64 + p as i64 * 10_000_000_000;
        for key in &keys {
            out.push_str(key);
            for (i, f) in fields.iter().enumerate() {
                let v = rnd() % 10_000;
                out.push(if i == 0 { ' ' } else { ',' });
                out.push_str(&format!("{f}={}.{:02}", v / 100, v % 100));
            }
            out.push_str(&format!(" {ts}\n"));
        }
    }
    out
}

fn best(runs: usize, f: &dyn Fn() -> usize) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        n = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, n)
}

fn report(name: &str, bytes: usize, lines: usize, secs: f64) {
    println!(
        "{name:<44} {:>9.1} MB/s {:>12.0} lines/s  ({lines} lines, {:.3} s)",
        bytes as f64 / 1e6 / secs,
        lines as f64 / secs,
        secs
    );
}

fn main() {
    let data = match std::env::var("LP_FILE") {
        Ok(path) => std::fs::read_to_string(&path).expect("read LP_FILE"),
        Err(_) => generated(100, 720),
    };
    let runs: usize = std::env::var("LP_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let opts = ParseOptions {
        precision: Precision::Nanoseconds,
        default_time: 0,
    };
    println!(
        "input: {:.1} MB, {} lines, best of {runs} runs",
        data.len() as f64 / 1e6,
        data.lines().count()
    );

    // Both parsers must read the same points (checked once, outside the timings).
    let mut checked = 0;
    for (ours, theirs) in Parser::new(&data, &opts).zip(influxdb_line_protocol::parse_lines(&data))
    {
        let (ours, theirs) = (ours.expect("ours"), theirs.expect("theirs"));
        assert_eq!(ours.measurement, theirs.series.measurement.as_str());
        assert_eq!(ours.timestamp, theirs.timestamp.expect("timestamp"));
        let tags = theirs.series.tag_set.as_ref().map_or(0, |t| t.len());
        assert_eq!(ours.tags.len(), tags);
        assert_eq!(ours.fields.len(), theirs.field_set.len());
        for ((k, v), (tk, tv)) in ours.fields.iter().zip(&theirs.field_set) {
            assert_eq!(k, tk.as_str());
            match (v, tv) {
                (FieldValue::Float(a), influxdb_line_protocol::FieldValue::F64(b)) => {
                    assert_eq!(a.to_bits(), b.to_bits())
                }
                other => panic!("field types differ: {other:?}"),
            }
        }
        checked += 1;
    }
    println!("both parsers agree on all {checked} points");

    // Runs alternate between the parsers so a busy machine hurts both alike.
    let ours = || {
        let mut n = 0usize;
        let mut sum = 0.0;
        for line in Parser::new(&data, &opts) {
            let line = line.expect("valid input");
            if let Some((_, FieldValue::Float(v))) = line.fields.first() {
                sum += v;
            }
            n += 1;
            black_box(&line);
        }
        black_box(sum);
        n
    };
    let batch = || {
        let out = parse(&data, &opts);
        assert!(out.errors.is_empty());
        black_box(&out);
        out.lines.len()
    };
    // What the write API sees: requests of 5000 lines (the client libraries' default batch).
    let chunks: Vec<&str> = {
        let mut v = Vec::new();
        let mut rest = data.as_str();
        while !rest.is_empty() {
            let mut end = 0;
            for _ in 0..5000 {
                match rest[end..].find('\n') {
                    Some(k) => end += k + 1,
                    None => {
                        end = rest.len();
                        break;
                    }
                }
            }
            v.push(&rest[..end]);
            rest = &rest[end..];
        }
        v
    };
    let batches = || {
        let mut n = 0;
        for chunk in &chunks {
            let out = parse(chunk, &opts);
            assert!(out.errors.is_empty());
            n += out.lines.len();
            black_box(&out);
        }
        n
    };
    let theirs = || {
        let mut n = 0usize;
        let mut sum = 0.0;
        for line in influxdb_line_protocol::parse_lines(&data) {
            let line = line.expect("valid input");
            if let Some((_, influxdb_line_protocol::FieldValue::F64(v))) = line.field_set.first() {
                sum += v;
            }
            n += 1;
            black_box(&line);
        }
        black_box(sum);
        n
    };
    if std::env::var_os("LP_ONLY_OURS").is_some() {
        // For profiling the parser alone.
        let (secs, n) = best(runs, &ours);
        report("edgeflux-lineproto (Parser, per line)", data.len(), n, secs);
        return;
    }
    let mut results = [(f64::MAX, 0usize); 4];
    for _ in 0..runs {
        for (slot, f) in results.iter_mut().zip([
            &ours as &dyn Fn() -> usize,
            &batch as &dyn Fn() -> usize,
            &batches as &dyn Fn() -> usize,
            &theirs as &dyn Fn() -> usize,
        ]) {
            let (secs, n) = best(1, f);
            if secs < slot.0 {
                *slot = (secs, n);
            }
        }
    }
    let names = [
        "edgeflux-lineproto (Parser, per line)",
        "edgeflux-lineproto (parse, whole input)",
        "edgeflux-lineproto (parse, 5000-line batches)",
        "influxdb-line-protocol 1.0 (parse_lines)",
    ];
    for (name, (secs, n)) in names.iter().zip(results) {
        report(name, data.len(), n, secs);
    }
    println!(
        "ratio ours / theirs MB/s: per line {:.2}x, 5000-line batches {:.2}x",
        results[3].0 / results[0].0,
        results[3].0 / results[2].0
    );

    // The writer: every parsed point back to canonical line protocol.
    let points = parse(&data, &opts).lines;
    let mut out = String::with_capacity(data.len() + data.len() / 8);
    let (secs, n) = best(runs, &|| {
        let mut out = String::with_capacity(data.len() + data.len() / 8);
        write_lines(&points, &mut out).expect("writable");
        black_box(&out);
        points.len()
    });
    write_lines(&points, &mut out).expect("writable");
    report("edgeflux-lineproto (write_lines)", out.len(), n, secs);
}
