//! `cargo run --release --example check -- [-v] [--fmt] [--style] [--print] FILES...`: parses each
//! file and prints its diagnostics (`-v` also prints the AST as JSON). With `--fmt` it also
//! checks that formatting is idempotent and that `parse(format(ast))` equals `ast` modulo
//! spans; with `--style` it counts the files already formatted (what `edgeflux fmt --check`
//! accepts) and lists the others. Used to check the parser and formatter against the Flux
//! stdlib.

use edgeflux_flux_syntax::{format_with_source, parse, to_json, JsonOptions, LineIndex};

fn main() {
    let mut verbose = false;
    let mut fmt = false;
    let mut print = false;
    let mut style = false;
    let (mut ok, mut failed, mut fmt_failed, mut styled) = (0, 0, 0, 0);
    let no_spans = JsonOptions {
        spans: false,
        pretty: true,
    };
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "-v" => verbose = true,
            "--fmt" => fmt = true,
            "--print" => print = true,
            "--style" => style = true,
            _ => {}
        }
        if arg.starts_with('-') {
            continue;
        }
        let src = match std::fs::read_to_string(&arg) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{arg}: {e}");
                failed += 1;
                continue;
            }
        };
        let result = parse(&src);
        if verbose {
            println!("{}", to_json(&result.file, &JsonOptions::default()));
        }
        if !result.diagnostics.is_empty() {
            failed += 1;
            let index = LineIndex::new(&src);
            for d in &result.diagnostics {
                println!("{arg}: {}", d.render(&index));
            }
            continue;
        }
        ok += 1;
        if print {
            print!("{}", format_with_source(&result.file, &src));
        }
        if style {
            if format_with_source(&result.file, &src) == src {
                styled += 1;
            } else {
                println!("{arg}: not in canonical form");
            }
        }
        if fmt {
            let once = format_with_source(&result.file, &src);
            let reparsed = parse(&once);
            let twice = format_with_source(&reparsed.file, &once);
            let a = to_json(&result.file, &no_spans);
            let b = to_json(&reparsed.file, &no_spans);
            let mut bad = Vec::new();
            if !reparsed.diagnostics.is_empty() {
                bad.push(format!(
                    "formatted output does not parse: {:?}",
                    reparsed.diagnostics[0]
                ));
            }
            if a != b {
                bad.push("AST differs after formatting".to_string());
            }
            if once != twice {
                bad.push("formatting is not idempotent".to_string());
            }
            if !bad.is_empty() {
                fmt_failed += 1;
                println!("{arg}: {}", bad.join("; "));
                if verbose {
                    std::fs::write("/tmp/fmt_once.flux", &once).ok();
                    std::fs::write("/tmp/fmt_twice.flux", &twice).ok();
                    std::fs::write("/tmp/ast_a.json", &a).ok();
                    std::fs::write("/tmp/ast_b.json", &b).ok();
                }
            }
        }
    }
    println!("parsed ok {ok} failed {failed}; format failures {fmt_failed}");
    if style {
        println!("already formatted: {styled} of {ok}");
    }
}
