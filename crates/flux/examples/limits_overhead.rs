//! What the query limits cost: the same programs run unlimited and with a memory budget
//! plus an interrupt that reads the clock, as `edgeflux serve` runs them. Prints the median
//! of each side. `cargo run --release -p edgeflux-flux --example limits_overhead [rows] [runs]`

use std::time::{Duration, Instant};

use edgeflux_flux::{
    execute, execute_with_limits, ColumnData, MemorySource, QueryLimits, QueryOptions, Table,
};

fn source(series: usize, rows: usize) -> MemorySource {
    let tables = (0..series)
        .map(|s| {
            let times: Vec<i64> = (0..rows as i64).map(|i| i * 10_000_000_000).collect();
            let values = ColumnData::Float((0..rows).map(|i| Some((i % 97) as f64)).collect());
            let host = format!("host_{s}");
            Table::series(
                0,
                i64::MAX,
                "cpu",
                &[("host", &host)],
                "usage",
                times,
                values,
            )
        })
        .collect();
    MemorySource {
        buckets: vec![("b".into(), tables)],
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let rows = args.first().copied().unwrap_or(20_000);
    let runs = args.get(1).copied().unwrap_or(15);
    let src = source(10, rows);
    let options = QueryOptions {
        now_ns: 1 << 60,
        ..QueryOptions::default()
    };
    let deadline = Instant::now() + Duration::from_secs(3600);
    let interrupt = || (Instant::now() >= deadline).then(|| "deadline".to_string());
    let limited = QueryLimits {
        max_bytes: 1 << 30,
        interrupt: Some(&interrupt),
    };
    let programs = [
        (
            "map",
            r#"from(bucket: "b") |> range(start: 0) |> map(fn: (r) => ({r with _value: r._value * 2.0}))"#,
        ),
        (
            "filter+mean",
            r#"from(bucket: "b") |> range(start: 0, stop: 1970-01-03T00:00:00Z) |> filter(fn: (r) => r._value > 10.0) |> aggregateWindow(every: 1h, fn: mean)"#,
        ),
        (
            "group+sort",
            r#"from(bucket: "b") |> range(start: 0) |> group() |> sort(columns: ["_value"]) |> limit(n: 10)"#,
        ),
    ];
    println!(
        "{} series x {rows} rows, median of {runs} runs (interleaved)",
        10
    );
    for (name, text) in programs {
        let (mut plain, mut with_limits) = (Vec::new(), Vec::new());
        for run in 0..runs {
            // Alternate which side goes first, so neither always inherits the other's heap.
            for side in [run % 2, 1 - run % 2] {
                let t = Instant::now();
                if side == 0 {
                    execute(text, &options, &src).expect("runs");
                    plain.push(t.elapsed());
                } else {
                    execute_with_limits(text, &options, &src, limited).expect("runs");
                    with_limits.push(t.elapsed());
                }
            }
        }
        let (a, b) = (median(plain), median(with_limits));
        println!(
            "{name:12} unlimited {a:>10.2?}  limited {b:>10.2?}  ratio {:.3}",
            b.as_secs_f64() / a.as_secs_f64()
        );
    }
}
