//! `edgeflux parse FILE [--json] [--no-spans]`: prints the AST of a Flux file (`-` for stdin).
//! `--json` prints JSON (node objects with libflux's type names and `start`/`end` byte
//! offsets, see `edgeflux_flux_syntax::json`), otherwise Rust's debug form. Diagnostics go to
//! stderr (as JSON with `--json`) and make the exit code 1; the partial AST is still printed.

use std::io::{Read, Write};
use std::process::ExitCode;

use edgeflux_flux_syntax::{diagnostics_to_json, parse, to_json, JsonOptions, LineIndex};

const USAGE: &str = "usage: edgeflux parse FILE [--json] [--no-spans]   (- for stdin)";

pub fn run(args: &[String]) -> ExitCode {
    let mut json = false;
    let mut spans = true;
    let mut file = None;
    for a in args {
        match a.as_str() {
            "--json" => json = true,
            "--no-spans" => spans = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            s if s.starts_with("--") => {
                eprintln!("edgeflux parse: unknown flag {s}\n{USAGE}");
                return ExitCode::from(2);
            }
            _ if file.is_some() => {
                eprintln!("edgeflux parse: one file at a time\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => file = Some(a.clone()),
        }
    }
    let Some(name) = file else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let source = if name == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            eprintln!("edgeflux parse: stdin: {e}");
            return ExitCode::from(2);
        }
        s
    } else {
        match std::fs::read_to_string(&name) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("edgeflux parse: {name}: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let result = parse(&source);
    // A reader that stops early (`| head`) is not an error worth a panic: stop writing.
    let mut stdout = std::io::stdout().lock();
    if json {
        let text = to_json(
            &result.file,
            &JsonOptions {
                spans,
                pretty: true,
            },
        );
        let _ = writeln!(stdout, "{text}");
        if !result.diagnostics.is_empty() {
            eprintln!("{}", diagnostics_to_json(&source, &result.diagnostics));
        }
    } else {
        let _ = writeln!(stdout, "{:#?}", result.file);
        let index = LineIndex::new(&source);
        for d in &result.diagnostics {
            eprintln!("{name}: {}", d.render(&index));
        }
    }
    if result.diagnostics.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
