//! `cargo run --example check -- FILES...`: parses each file and prints its diagnostics
//! (`-v` also prints the AST). Used to check the parser against the Flux stdlib.

fn main() {
    let mut verbose = false;
    let (mut ok, mut failed) = (0, 0);
    for arg in std::env::args().skip(1) {
        if arg == "-v" {
            verbose = true;
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
        let result = edgeflux_flux_syntax::parse(&src);
        if verbose {
            println!("{:#?}", result.file);
        }
        if result.diagnostics.is_empty() {
            ok += 1;
        } else {
            failed += 1;
            let index = edgeflux_flux_syntax::LineIndex::new(&src);
            for d in &result.diagnostics {
                println!("{arg}: {}", d.render(&index));
            }
        }
    }
    println!("ok {ok} failed {failed}");
}
