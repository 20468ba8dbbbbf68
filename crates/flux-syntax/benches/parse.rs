//! Parse throughput (not a test): `cargo bench -p edgeflux-flux-syntax --bench parse`.
//!
//! Inputs: every `.flux` file under `$FLUX_STDLIB` (a local checkout of the Flux stdlib, not
//! committed; skipped when unset or missing), each parsed as its own file, and a generated
//! program of ~4 MB. Prints MB/s (10^6 bytes per second) of lexing + parsing to an AST, the
//! best of several rounds, plus the formatter's throughput.

use std::time::Instant;

use edgeflux_flux_syntax::{format, parse};

/// A large program shaped like real Flux: imports, options, functions with pipe parameters,
/// pipelines with filters and maps, records, string interpolation, conditionals, durations.
pub fn generated_program(target_bytes: usize) -> String {
    let mut s = String::from("package bench\n\nimport \"strings\"\nimport \"math\"\n\n");
    let mut i = 0usize;
    while s.len() < target_bytes {
        s.push_str(&format!(
            r#"// helper {i}
option task{i} = {{name: "task{i}", every: 1h30m, offset: 5m}}

scale{i} = (tables=<-, factor=2.0, column="_value") => tables
    |> map(fn: (r) => ({{r with _value: r._value * factor + float(v: {i}), label: "row ${{r.host}}-{i}"}}))

data{i} = from(bucket: "telegraf/autogen")
    |> range(start: -1h, stop: 2024-01-01T00:00:00Z)
    |> filter(fn: (r) => r._measurement == "cpu" and r._field == "usage_idle" or r.host =~ /^web-\d+$/)
    |> aggregateWindow(every: 1m, fn: mean, createEmpty: false)
    |> scale{i}(factor: 1.5)
    |> group(columns: ["host", "region"], mode: "by")
    |> yield(name: "mean{i}")

check{i} = (r) => if r._value > 90.0 then "crit" else if r._value > 75.0 then "warn" else "ok"
lookup{i} = ["a": 1, "b": 2, "c": {i}]
values{i} = [1, 2, 3, -4, 5 % 3, 2 ^ 8, math.pi * 2.0, strings.toUpper(v: "x")]

"#
        ));
        i += 1;
    }
    s
}

fn best_of<F: FnMut()>(rounds: usize, mut f: F) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..rounds {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    let mut inputs: Vec<(String, Vec<String>)> = Vec::new();
    if let Some(dir) = std::env::var_os("FLUX_STDLIB") {
        let mut files = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "flux") {
                    if let Ok(s) = std::fs::read_to_string(&p) {
                        files.push(s);
                    }
                }
            }
        }
        if !files.is_empty() {
            inputs.push((format!("stdlib ({} files)", files.len()), files));
        }
    }
    let size: usize = std::env::var("GEN_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000_000);
    let generated = generated_program(size);
    if let Some(out) = std::env::var_os("GEN_OUT") {
        // the node side-by-side bench (benches/node/bench.mjs) reads the same program
        if let Err(e) = std::fs::write(&out, &generated) {
            eprintln!("GEN_OUT: {e}");
        }
    }
    inputs.push(("generated program".to_string(), vec![generated]));

    for (name, files) in &inputs {
        let bytes: usize = files.iter().map(|f| f.len()).sum();
        let mut errors = 0;
        for f in files {
            errors += parse(f).diagnostics.len();
        }
        let secs = best_of(5, || {
            for f in files {
                std::hint::black_box(parse(std::hint::black_box(f)));
            }
        });
        let asts: Vec<_> = files.iter().map(|f| parse(f).file).collect();
        let fmt_secs = best_of(3, || {
            for a in &asts {
                std::hint::black_box(format(a));
            }
        });
        println!(
            "{name}: {:.2} MB, {errors} diagnostics, parse {:.1} MB/s ({:.1} ms), format {:.1} MB/s",
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / secs,
            secs * 1e3,
            bytes as f64 / 1e6 / fmt_secs,
        );
    }
}
