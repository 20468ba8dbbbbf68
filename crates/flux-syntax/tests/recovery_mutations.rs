//! Recovery must hold up on every broken variant of real input, not just the golden cases:
//! each golden input with one character deleted, and with a `)` inserted, at every position, must parse without panicking, and every diagnostic and every statement must lie
//! inside the source.

use std::path::Path;

use edgeflux_flux_syntax::parse;

fn check(src: &str) {
    let result = parse(src);
    let len = src.len() as u32;
    for d in &result.diagnostics {
        assert!(
            d.span.start <= d.span.end && d.span.end <= len,
            "{d:?} in {src:?}"
        );
    }
    for s in &result.file.body {
        let span = s.span();
        assert!(
            span.start <= span.end && span.end <= len,
            "{s:?} in {src:?}"
        );
    }
}

#[test]
fn every_one_character_mutation_of_the_golden_inputs_parses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut variants = 0;
    for dir in ["ok", "errors"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("tests/data") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|x| x != "flux") {
                continue;
            }
            let Ok(src) = std::fs::read_to_string(&path) else {
                continue; // the invalid UTF-8 case
            };
            if src.len() > 1000 {
                continue; // the nesting-limit and deep-formatting inputs: long, not about recovery
            }
            for (i, c) in src.char_indices() {
                let mut deleted = src.clone();
                deleted.remove(i);
                check(&deleted);
                let mut inserted = src.clone();
                inserted.insert(i + c.len_utf8(), ')');
                check(&inserted);
                variants += 2;
            }
        }
    }
    assert!(variants > 8_000, "only {variants} variants");
}
