//! The evaluator (being written).
use crate::csv::FluxResult;
use crate::error::{FluxError, Result};
use crate::source::Source;
use crate::QueryOptions;

#[derive(Debug)]
pub enum Function {}

pub fn run_program(_text: &str, _o: &QueryOptions, _s: &dyn Source) -> Result<Vec<FluxResult>> {
    Err(FluxError::Unimplemented(
        "flux evaluation is not implemented yet".into(),
    ))
}
