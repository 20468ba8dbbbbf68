//! `edgeflux fmt [--check] FILES...`: rewrites Flux files in canonical form (like `flux fmt`).
//! With `--check` nothing is written; files that would change are listed and the exit code is 1.
//! `-` reads standard input and writes the result to standard output.

use std::io::{Read, Write};
use std::process::ExitCode;

use edgeflux_flux_syntax::{format_with_source, parse, LineIndex};

const USAGE: &str = "usage: edgeflux fmt [--check] FILES...   (- for stdin)";

pub fn run(args: &[String]) -> ExitCode {
    let mut check = false;
    let mut files = Vec::new();
    for a in args {
        match a.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            s if s.starts_with("--") => {
                eprintln!("edgeflux fmt: unknown flag {s}\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => files.push(a.clone()),
        }
    }
    if files.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut status = 0u8;
    for name in &files {
        let source = if name == "-" {
            let mut s = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                eprintln!("edgeflux fmt: stdin: {e}");
                status = 2;
                continue;
            }
            s
        } else {
            match std::fs::read_to_string(name) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("edgeflux fmt: {name}: {e}");
                    status = 2;
                    continue;
                }
            }
        };
        let parsed = parse(&source);
        if !parsed.diagnostics.is_empty() {
            let index = LineIndex::new(&source);
            for d in &parsed.diagnostics {
                eprintln!("{name}: {}", d.render(&index));
            }
            status = 2;
            continue;
        }
        let formatted = format_with_source(&parsed.file, &source);
        if check {
            if formatted != source {
                println!("{name}");
                status = status.max(1);
            }
        } else if name == "-" {
            if let Err(e) = std::io::stdout().write_all(formatted.as_bytes()) {
                eprintln!("edgeflux fmt: stdout: {e}");
                status = 2;
            }
        } else if formatted != source {
            if let Err(e) = std::fs::write(name, formatted) {
                eprintln!("edgeflux fmt: {name}: {e}");
                status = 2;
            }
        }
    }
    ExitCode::from(status)
}
