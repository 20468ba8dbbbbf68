//! Runs every testcase of the repository's Flux test files (tests/flux/*_test.flux).

use edgeflux_flux::testcase::{run_file, Outcome};
use edgeflux_flux::QueryOptions;

#[test]
fn repository_flux_testcases_pass() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/flux");
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/flux exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with("_test.flux"))
        .collect();
    entries.sort();
    assert!(!entries.is_empty());
    let mut failures = Vec::new();
    let mut passed = 0;
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("readable");
        for r in run_file(&text, &QueryOptions::default()) {
            match r.outcome {
                Outcome::Pass => passed += 1,
                Outcome::Fail(m) => failures.push(format!("{}::{}\n{m}", path.display(), r.name)),
                Outcome::Skip(m) => {
                    failures.push(format!("{}::{} skipped: {m}", path.display(), r.name))
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} passed, {} failed:\n{}",
        passed,
        failures.len(),
        failures.join("\n\n")
    );
    assert!(passed >= 10, "only {passed} testcases ran");
}
