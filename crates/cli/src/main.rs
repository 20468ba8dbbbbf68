//! `edgeflux`: the native home. Each subcommand lives in its own module and takes the
//! arguments after its name; this file only dispatches.

use std::process::ExitCode;

mod fmt;
mod parse;
mod query;
mod serve;
mod test;

const USAGE: &str = "usage: edgeflux <command> [args]

commands:
  serve   run the InfluxDB 2.x compatible HTTP API (default 127.0.0.1:8086)
  query   run a Flux program and print annotated CSV
  test    run the testcases of Flux test files
  fmt     format Flux files
  parse   print the AST of a Flux file
  version print the version";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    match command.as_str() {
        "serve" => serve::run(rest),
        "query" => query::run(rest),
        "test" => test::run(rest),
        "fmt" => fmt::run(rest),
        "parse" => parse::run(rest),
        "version" | "--version" | "-V" => {
            println!("edgeflux {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("edgeflux: unknown command {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
