//! `edgeflux fmt`. Not implemented yet.

use std::process::ExitCode;

pub fn run(_args: &[String]) -> ExitCode {
    eprintln!("edgeflux fmt: not implemented yet");
    ExitCode::from(2)
}
