//! `edgeflux test [--json] PATH...`: runs every `testcase` of Flux test files (directories are
//! searched for `*_test.flux`), one line per testcase, failures with their diff, and a closing
//! line `N passed, N failed, N skipped`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use edgeflux_flux::testcase::{run_file, Outcome};
use edgeflux_flux::QueryOptions;

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(rd) = std::fs::read_dir(path) else {
            return;
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                collect(&e, out);
            } else if e.to_string_lossy().ends_with("_test.flux") {
                out.push(e);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    edgeflux_flux_syntax::json::write_str(s, &mut o);
    o
}

pub fn run(args: &[String]) -> ExitCode {
    let json = args.iter().any(|a| a == "--json");
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if paths.is_empty() {
        eprintln!("usage: edgeflux test [--json] PATH...");
        return ExitCode::from(2);
    }
    let mut files = Vec::new();
    for p in paths {
        collect(Path::new(p), &mut files);
    }
    let (mut passed, mut failed, mut skipped) = (0usize, 0usize, 0usize);
    let mut records = Vec::new();
    // Like Flux's test runner, `now()` is the wall clock unless a file sets `option now`.
    let options = QueryOptions {
        now_ns: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i64),
        ..Default::default()
    };
    for f in &files {
        let display = f.display().to_string();
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                failed += 1;
                if !json {
                    println!("FAIL {display}: {e}");
                }
                records.push((display.clone(), "<read>".to_string(), "fail", e.to_string()));
                continue;
            }
        };
        for r in run_file(&text, &options) {
            let (status, msg) = match &r.outcome {
                Outcome::Pass => {
                    passed += 1;
                    ("pass", String::new())
                }
                Outcome::Fail(m) => {
                    failed += 1;
                    ("fail", m.clone())
                }
                Outcome::Skip(m) => {
                    skipped += 1;
                    ("skip", m.clone())
                }
            };
            if !json {
                match status {
                    "pass" => println!("ok   {display}::{}", r.name),
                    "skip" => println!("skip {display}::{} ({msg})", r.name),
                    _ => {
                        println!("FAIL {display}::{}", r.name);
                        for line in msg.lines() {
                            println!("     {line}");
                        }
                    }
                }
            }
            records.push((display.clone(), r.name, status, msg));
        }
    }
    if json {
        let tests: Vec<String> = records
            .iter()
            .map(|(f, n, s, m)| {
                format!(
                    "{{\"file\":{},\"name\":{},\"status\":{},\"message\":{}}}",
                    json_str(f),
                    json_str(n),
                    json_str(s),
                    json_str(m)
                )
            })
            .collect();
        println!(
            "{{\"tests\":[{}],\"passed\":{passed},\"failed\":{failed},\"skipped\":{skipped}}}",
            tests.join(",")
        );
    } else {
        println!("{passed} passed, {failed} failed, {skipped} skipped");
    }
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
