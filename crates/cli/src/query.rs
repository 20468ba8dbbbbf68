//! `edgeflux query [-f FILE | 'FLUX'] [--data LP_FILE... | --engine-path DIR [--org ORG]]
//! [--bucket NAME] [--now TIME] [--repeat N]`: runs a Flux program and prints annotated CSV
//! (all three annotations).
//! With `--data`, the line-protocol files are loaded into an in-memory store first; every
//! `from(bucket: ...)` then reads it (or only `--bucket NAME` when given). With
//! `--engine-path`, the data directory of `edgeflux serve` is read (never written) and the
//! program sees the buckets of one organization by their real names.

use std::process::ExitCode;
use std::time::Instant;

use edgeflux_flux::source::BucketInfo;
use edgeflux_flux::{
    encode_csv, Dialect, FluxError, FluxResult, QueryOptions, ScanSpec, Source, Table, WindowFn,
    WindowSpec,
};
use edgeflux_store::Store;

use edgeflux_api::{SourceBucket, StoreSource};

const USAGE: &str = "usage: edgeflux query [-f FILE | 'FLUX'] [--data LP_FILE... | --engine-path DIR [--org ORG]] [--bucket NAME] [--now RFC3339] [--repeat N]";

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

/// The organization `--engine-path` queries run in: `--org` (ID or name), else the only one.
fn pick_org(engine: &edgeflux_api::Engine, org: Option<String>) -> Result<String, String> {
    if let Some(o) = org {
        return Ok(o);
    }
    let names = engine.org_names();
    match names.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err("the data directory has no organization (not set up yet)".into()),
        many => Err(format!(
            "the data directory has several organizations ({}); pass --org",
            many.join(", ")
        )),
    }
}

/// Where `from()` reads: line-protocol files loaded into a store, or a serve data dir.
enum Data {
    Files(Store),
    Engine(Box<edgeflux_api::Engine>, String),
}

impl Data {
    /// Loads the files or reads the directory; `report_load` prints the load time.
    fn open(
        files: &[String],
        engine_path: Option<&str>,
        org: Option<String>,
        report_load: bool,
    ) -> Result<Data, String> {
        let Some(dir) = engine_path else {
            let load_start = Instant::now();
            let (store, points) = load_store(files)?;
            if report_load && !files.is_empty() {
                eprintln!(
                    "loaded {points} lines in {:.1} ms",
                    load_start.elapsed().as_secs_f64() * 1e3
                );
            }
            return Ok(Data::Files(store));
        };
        let r = crate::serve::storage::recover(std::path::Path::new(dir))
            .map_err(|e| format!("cannot read {dir}: {e}"))?;
        if r.recovery.truncated_bytes > 0 {
            eprintln!(
                "edgeflux query: ignoring {} bytes of an unfinished log record",
                r.recovery.truncated_bytes
            );
        }
        let org = pick_org(&r.engine, org)?;
        Ok(Data::Engine(Box::new(r.engine), org))
    }

    /// Runs `program` over this data each time it is called (`--repeat` calls it often).
    fn executor<'a>(
        &'a self,
        program: &'a str,
        options: &'a QueryOptions,
        bucket: Option<String>,
    ) -> Box<dyn Fn() -> Result<Vec<FluxResult>, FluxError> + 'a> {
        match self {
            Data::Files(store) => {
                let source = AnyBucket {
                    inner: StoreSource::new(
                        store,
                        vec![SourceBucket {
                            name: "data".into(),
                            id: 1,
                            ..Default::default()
                        }],
                    ),
                    pinned: bucket,
                };
                Box::new(move || edgeflux_flux::execute(program, options, &source))
            }
            Data::Engine(engine, org) => Box::new(move || engine.query_org(org, program, options)),
        }
    }
}

pub fn run(args: &[String]) -> ExitCode {
    let mut program: Option<String> = None;
    let mut data: Vec<String> = Vec::new();
    let mut engine_path: Option<String> = None;
    let mut org: Option<String> = None;
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
            "--data" | "--engine-path" | "--org" => {
                let Some(v) = it.next() else {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                };
                match a.as_str() {
                    "--data" => data.push(v.clone()),
                    "--engine-path" => engine_path = Some(v.clone()),
                    _ => org = Some(v.clone()),
                }
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
    if engine_path.is_some() && (!data.is_empty() || bucket.is_some()) {
        eprintln!("edgeflux query: --engine-path reads real buckets; it takes neither --data nor --bucket\n{USAGE}");
        return ExitCode::from(2);
    }
    let data = match Data::open(&data, engine_path.as_deref(), org, repeat > 1) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("edgeflux query: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = QueryOptions {
        now_ns: now.unwrap_or_else(now_ns),
        ..Default::default()
    };
    let execute = data.executor(&program, &options, bucket);
    let mut timings = Vec::with_capacity(repeat);
    let mut body = Vec::new();
    for _ in 0..repeat {
        let t = Instant::now();
        body.clear();
        match execute() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::storage::tests::{run, temp_dir, TestEnv};
    use crate::serve::storage::Storage;

    fn csv(data: &Data, program: &str) -> Result<String, FluxError> {
        let options = QueryOptions {
            now_ns: 1_700_000_000_000_000_000,
            ..Default::default()
        };
        let results = data.executor(program, &options, None)()?;
        let mut body = Vec::new();
        encode_csv(&results, &Dialect::full(), &mut body);
        Ok(String::from_utf8(body).unwrap())
    }

    fn listing(dir: &std::path::Path) -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                (name, e.metadata().unwrap().len())
            })
            .collect();
        v.sort();
        v
    }

    /// A directory written by the serve storage code: onboarding and a write covered by a
    /// snapshot, one more write in the log after it, and a torn record at the end.
    fn serve_dir(name: &str, second_org: bool) -> std::path::PathBuf {
        use std::io::Write as _;
        let dir = temp_dir(name);
        let mut env = TestEnv(7);
        let (mut storage, mut engine, _) = Storage::open(&dir).unwrap();
        let setup = r#"{"username":"u","org":"o","bucket":"b","token":"T"}"#;
        let s = &mut storage;
        assert_eq!(
            run(s, &mut engine, &mut env, "/api/v2/setup", "", setup),
            201
        );
        let mut write = |s: &mut Storage, engine: &mut edgeflux_api::Engine, lines: &str| {
            let path = "/api/v2/write";
            assert_eq!(run(s, engine, &mut env, path, "org=o&bucket=b", lines), 204);
        };
        write(s, &mut engine, "m,h=a v=1 1000000000\nm,h=b v=2 1000000000");
        s.snapshot(&engine).unwrap();
        write(s, &mut engine, "m,h=a v=3 2000000000");
        if second_org {
            let org = r#"{"name":"other"}"#;
            assert_eq!(run(s, &mut engine, &mut env, "/api/v2/orgs", "", org), 201);
        }
        drop(storage);
        let wal = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "log"))
            .max()
            .unwrap();
        let mut f = std::fs::OpenOptions::new().append(true).open(wal).unwrap();
        f.write_all(&[90, 0, 0, 0, b'E']).unwrap();
        dir
    }

    #[test]
    fn engine_path_reads_snapshot_and_log_without_changing_the_dir() {
        let dir = serve_dir("query-engine-path", false);
        let before = listing(&dir);
        let data = Data::open(&[], dir.to_str(), None, false).unwrap();
        let got = csv(
            &data,
            r#"from(bucket: "b") |> range(start: 0) |> filter(fn: (r) => r.h == "a") |> sum()"#,
        )
        .unwrap();
        // 1 from the write the snapshot covers, 3 from the log after it.
        let row = ",,0,1970-01-01T00:00:00Z,2023-11-14T22:13:20Z,v,m,a,4\r\n";
        assert!(got.contains(row), "{got}");
        let missing = csv(&data, r#"from(bucket: "nope") |> range(start: 0)"#).unwrap_err();
        assert!(
            missing.message().contains("could not find bucket \"nope\""),
            "{missing:?}"
        );
        assert_eq!(listing(&dir), before, "the directory is read only");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn engine_path_needs_org_when_several_exist() {
        let dir = serve_dir("query-engine-path-orgs", true);
        let err = Data::open(&[], dir.to_str(), None, false).err().unwrap();
        assert!(
            err.contains("several organizations (o, other)") || err.contains("(other, o)"),
            "{err}"
        );
        let data = Data::open(&[], dir.to_str(), Some("other".into()), false).unwrap();
        let err = csv(&data, r#"from(bucket: "b") |> range(start: 0)"#).unwrap_err();
        assert!(err.message().contains("could not find bucket"), "{err:?}");
        let data = Data::open(&[], dir.to_str(), Some("nobody".into()), false).unwrap();
        let err = csv(&data, r#"buckets()"#).unwrap_err();
        assert_eq!(err.message(), "organization name \"nobody\" not found");
        let _ = std::fs::remove_dir_all(&dir);
        let err = Data::open(&[], dir.to_str(), None, false).err().unwrap();
        assert!(err.starts_with("cannot read"), "{err}");
    }
}
