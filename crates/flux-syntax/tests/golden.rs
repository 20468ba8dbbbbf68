//! Golden (snapshot) tests: every `tests/data/{ok,errors}/NAME.flux` has a `NAME.golden` with
//! its diagnostics, its canonical formatting and its AST as JSON (with byte spans).
//! `UPDATE_GOLDEN=1 cargo test -p edgeflux-flux-syntax --test golden` rewrites them; review
//! the diff. Files under `ok/` must parse cleanly and survive the formatter round trip.

use std::path::{Path, PathBuf};

use edgeflux_flux_syntax::{format_with_source, parse, to_json, JsonOptions, LineIndex};

fn inputs(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "flux"))
        .collect();
    v.sort();
    v
}

fn snapshot(src: &str) -> String {
    let result = parse(src);
    let index = LineIndex::new(src);
    let mut out = String::from("== diagnostics ==\n");
    for d in &result.diagnostics {
        out.push_str(&d.render(&index));
        out.push('\n');
    }
    if result.diagnostics.is_empty() {
        out.push_str("== formatted ==\n");
        out.push_str(&format_with_source(&result.file, src));
    }
    out.push_str("== ast ==\n");
    out.push_str(&to_json(&result.file, &JsonOptions::default()));
    out.push('\n');
    out
}

fn check_dir(dir: &str, expect_clean: bool) {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    let files = inputs(dir);
    assert!(!files.is_empty());
    for path in files {
        let src = std::fs::read_to_string(&path).expect("read input");
        let got = snapshot(&src);
        let golden = path.with_extension("golden");
        if update {
            std::fs::write(&golden, &got).expect("write golden");
        } else {
            let want = std::fs::read_to_string(&golden).unwrap_or_default();
            if want != got {
                failures.push(format!("{} differs from its .golden", path.display()));
            }
        }
        let result = parse(&src);
        if expect_clean != result.diagnostics.is_empty() {
            failures.push(format!(
                "{}: expected {} diagnostics, got {:?}",
                path.display(),
                if expect_clean { "no" } else { "some" },
                result.diagnostics
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn productions() {
    check_dir("ok", true);
}

#[test]
fn diagnostics() {
    check_dir("errors", false);
}

#[test]
fn formatter_round_trip_and_idempotence() {
    let no_spans = JsonOptions {
        spans: false,
        pretty: false,
    };
    for path in inputs("ok") {
        let src = std::fs::read_to_string(&path).expect("read input");
        let first = parse(&src);
        let once = format_with_source(&first.file, &src);
        let second = parse(&once);
        assert!(
            second.diagnostics.is_empty(),
            "{}: {:?}",
            path.display(),
            second.diagnostics
        );
        assert_eq!(
            to_json(&first.file, &no_spans),
            to_json(&second.file, &no_spans),
            "{}: parse(format(ast)) != ast",
            path.display()
        );
        let twice = format_with_source(&second.file, &once);
        assert_eq!(
            once,
            twice,
            "{}: formatting is not idempotent",
            path.display()
        );
    }
}
