//! `edgeflux query [-f FILE | 'FLUX'] [--data LP_FILE...] [--bucket NAME] [--now TIME]
//! [--repeat N]`: runs a Flux program and prints annotated CSV (all three annotations).
//! With `--data`, the line-protocol files are loaded into an in-memory store first; every
//! `from(bucket: ...)` then reads it (or only `--bucket NAME` when given).

use std::process::ExitCode;
use std::time::Instant;

use edgeflux_flux::source::BucketInfo;
use edgeflux_flux::{
    encode_csv, Dialect, FluxError, QueryOptions, ScanSpec, Source, Table, WindowFn, WindowSpec,
};
use edgeflux_store::Store;

use edgeflux_api::{SourceBucket, StoreSource};

const USAGE: &str = "usage: edgeflux query [-f FILE | 'FLUX'] [--data LP_FILE...] [--bucket NAME] [--now RFC3339] [--repeat N]";

/// Routes every bucket name to the one loaded store bucket (unless `--bucket` pins a name).
struct AnyBucket<'a> {
    inner: StoreSource<'a>,
    pinned: Option<String>,
}

impl AnyBucket<'_> {
    fn rename(&self, spec: &ScanSpec) -> Result<ScanSpec, FluxError> {
        if let Some(p) = &self.pinned {
            if *p != spec.bucket {
                return Err(FluxError::NotFound(format!(
                    "could not find bucket {:?}",
                    spec.bucket
                )));
            }
        }
        let mut s = spec.clone();
        s.bucket = "data".into();
        Ok(s)
    }
}

impl Source for AnyBucket<'_> {
    fn scan(&self, spec: &ScanSpec) -> Result<Vec<Table>, FluxError> {
        self.inner.scan(&self.rename(spec)?)
    }
    fn scan_window(
        &self,
        spec: &ScanSpec,
        w: &WindowSpec,
    ) -> Result<Option<Vec<Table>>, FluxError> {
        self.inner.scan_window(&self.rename(spec)?, w)
    }
    fn scan_selector(&self, spec: &ScanSpec, f: WindowFn) -> Result<Option<Vec<Table>>, FluxError> {
        self.inner.scan_selector(&self.rename(spec)?, f)
    }
    fn buckets(&self) -> Result<Vec<BucketInfo>, FluxError> {
        let mut b = self.inner.buckets()?;
        if let Some(p) = &self.pinned {
            for x in b.iter_mut() {
                x.name = p.clone();
            }
        }
        Ok(b)
    }
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// Loads line-protocol files into a fresh store (bucket id 1); returns the point count.
pub fn load_store(files: &[String]) -> Result<(Store, usize), String> {
    let mut store = Store::new();
    let mut points = 0;
    let now = now_ns();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
        // Batches keep memory for the parsed lines bounded on big files.
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let cut = match rest.char_indices().nth(4_000_000) {
                Some((i, _)) => rest[i..].find('\n').map_or(rest.len(), |j| i + j + 1),
                None => rest.len(),
            };
            let (chunk, tail) = rest.split_at(cut);
            rest = tail;
            let opts = edgeflux_lineproto::ParseOptions {
                precision: Default::default(),
                default_time: now,
            };
            let out = edgeflux_lineproto::parse(chunk, &opts);
            if let Some(e) = out.errors.first() {
                return Err(format!("{f}: {e}"));
            }
            points += out.lines.len();
            let prepared = store.prepare_write(1, &out.lines, None);
            if let Some(p) = &prepared.partial {
                return Err(format!("{f}: {p}"));
            }
            store.apply_write(&prepared.batch);
        }
    }
    Ok((store, points))
}

pub fn run(args: &[String]) -> ExitCode {
    let mut program: Option<String> = None;
    let mut data: Vec<String> = Vec::new();
    let mut bucket: Option<String> = None;
    let mut now: Option<i64> = None;
    let mut repeat = 1usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-f" | "--file" => match it.next().map(std::fs::read_to_string) {
                Some(Ok(t)) => program = Some(t),
                Some(Err(e)) => {
                    eprintln!("edgeflux query: {e}");
                    return ExitCode::FAILURE;
                }
                None => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--data" => {
                let Some(f) = it.next() else {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                };
                data.push(f.clone());
            }
            "--bucket" => bucket = it.next().cloned(),
            "--now" => match it
                .next()
                .and_then(|t| edgeflux_flux::time::parse_rfc3339(t))
            {
                Some(t) => now = Some(t),
                None => {
                    eprintln!("edgeflux query: --now needs an RFC3339 time");
                    return ExitCode::from(2);
                }
            },
            "--repeat" => repeat = it.next().and_then(|n| n.parse().ok()).unwrap_or(1).max(1),
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            s if program.is_none() && !s.starts_with('-') => program = Some(s.to_string()),
            other => {
                eprintln!("edgeflux query: unexpected argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(program) = program else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let load_start = Instant::now();
    let (store, points) = match load_store(&data) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("edgeflux query: {e}");
            return ExitCode::FAILURE;
        }
    };
    if !data.is_empty() && repeat > 1 {
        eprintln!(
            "loaded {points} lines in {:.1} ms",
            load_start.elapsed().as_secs_f64() * 1e3
        );
    }
    let source = AnyBucket {
        inner: StoreSource::new(
            &store,
            vec![SourceBucket {
                name: "data".into(),
                id: 1,
                ..Default::default()
            }],
        ),
        pinned: bucket,
    };
    let options = QueryOptions {
        now_ns: now.unwrap_or_else(now_ns),
        ..Default::default()
    };
    let mut timings = Vec::with_capacity(repeat);
    let mut body = Vec::new();
    for _ in 0..repeat {
        let t = Instant::now();
        body.clear();
        match edgeflux_flux::execute(&program, &options, &source) {
            Ok(results) => encode_csv(&results, &Dialect::full(), &mut body),
            Err(e) => {
                eprintln!("Error: {}", e.message());
                return ExitCode::FAILURE;
            }
        }
        timings.push(t.elapsed().as_secs_f64() * 1e3);
    }
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(&body).is_err() {
        return ExitCode::FAILURE;
    }
    if repeat > 1 {
        timings.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        eprintln!(
            "query+encode over {repeat} runs: min {:.3} ms, median {:.3} ms, max {:.3} ms",
            timings[0],
            timings[repeat / 2],
            timings[repeat - 1]
        );
    }
    ExitCode::SUCCESS
}
