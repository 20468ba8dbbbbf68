//! Flux evaluation: values, tables with group keys and typed columns, the standard library,
//! and annotated CSV in and out. Data comes in through the [`Source`] trait, which the API
//! crate implements over the store; this crate knows nothing of storage.
//!
//! # Entry points
//! ```text
//! let results = edgeflux_flux::execute(flux_text, &QueryOptions { now_ns, ..Default::default() }, &source)?;
//! let mut body = Vec::new();
//! edgeflux_flux::encode_csv(&results, &Dialect::full(), &mut body);
//! ```
//! Errors carry Flux's code ([`FluxError::code`]) and message; when a failure must be reported
//! after CSV was written, [`encode_error`] writes InfluxDB's error table.

// Macros over typed columns clone `Option<T>` generically, Copy or not.
#![allow(
    clippy::clone_on_copy,
    clippy::type_complexity,
    clippy::needless_range_loop
)]

pub mod csv;
pub mod error;
pub mod eval;
pub mod limits;
mod semantic;
pub mod source;
pub mod stdlib;
pub mod table;
pub mod testcase;
pub mod time;
pub mod value;

pub use csv::{decode_csv, encode_csv, encode_error, Dialect, FluxResult};
pub use error::FluxError;
pub use limits::QueryLimits;
pub use source::{
    BucketInfo, MemorySource, NoSource, Predicate, ScanSpec, Source, WindowFn, WindowSpec,
    WritePoint, WriteTarget,
};
pub use table::{Column, ColumnData, DataType, GroupKey, StrColumn, Table};
pub use value::Value;

/// Everything about a query run that is not the program text.
#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    /// `now()` in nanoseconds since the epoch, unless the program sets `option now`.
    pub now_ns: i64,
    /// Flux source evaluated before the program (the `extern` of a query request, e.g.
    /// `option v = {timeRangeStart: -1h}`), already rendered as Flux text.
    pub prelude: Option<String>,
    /// The organization name the query runs in (for `buckets()` and `to()`).
    pub org: Option<String>,
}

/// Parses, checks and runs a Flux program; returns the results in yield order.
/// A program without `yield` yields each table-stream statement as `_result`.
pub fn execute(
    source_text: &str,
    options: &QueryOptions,
    source: &dyn Source,
) -> Result<Vec<FluxResult>, FluxError> {
    eval::run_program(source_text, options, source, QueryLimits::default())
}

/// [`execute`] within a memory budget and an interrupt the edge owns (see [`limits`]):
/// going over the budget is [`FluxError::ResourceExhausted`], an interrupt
/// [`FluxError::Canceled`].
pub fn execute_with_limits(
    source_text: &str,
    options: &QueryOptions,
    source: &dyn Source,
    limits: QueryLimits<'_>,
) -> Result<Vec<FluxResult>, FluxError> {
    eval::run_program(source_text, options, source, limits)
}
