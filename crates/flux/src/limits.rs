//! Query limits: a memory budget and an interrupt, so one query cannot take a server's
//! memory or keep a thread busy after its deadline.
//!
//! The core has no clock, so it never decides *when* a query is out of time: the edge
//! passes an interrupt hook (a deadline it measures, a client that went away) and the
//! evaluator asks it between chunks of work: every table stream a function or a scan
//! produces, and every [`CHECK_EVERY_CALLS`] function calls (row closures of `map`,
//! `filter`, `reduce` included). The memory budget counts the bytes of materialised tables:
//! each stream a step produces plus the results already yielded must fit, which bounds
//! what the query holds at once to a small multiple of the budget.
//!
//! ```text
//! let deadline_passed = || (clock() > deadline).then(|| "query timed out".to_string());
//! let limits = QueryLimits { max_bytes: 64 << 20, interrupt: Some(&deadline_passed) };
//! edgeflux_flux::execute_with_limits(text, &options, &source, limits)?;
//! ```

use crate::error::{FluxError, Result};
use crate::table::{ColumnData, Table};

/// How often (in function calls) the interrupt hook is asked between table boundaries.
pub const CHECK_EVERY_CALLS: u32 = 1024;

/// What an edge allows one query.
#[derive(Clone, Copy, Default)]
pub struct QueryLimits<'a> {
    /// Most bytes of materialised tables the query may hold; 0 = unlimited.
    pub max_bytes: usize,
    /// Asked between chunks of work: `Some(reason)` stops the query with
    /// [`FluxError::Canceled`] carrying that reason.
    pub interrupt: Option<&'a dyn Fn() -> Option<String>>,
}

impl std::fmt::Debug for QueryLimits<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryLimits")
            .field("max_bytes", &self.max_bytes)
            .field("interrupt", &self.interrupt.is_some())
            .finish()
    }
}

/// The running account of one query against its limits.
#[derive(Debug, Default)]
pub(crate) struct Budget<'a> {
    limits: QueryLimits<'a>,
    /// Bytes of the results yielded so far (they live until the query ends).
    held: usize,
    calls: u32,
}

impl<'a> Budget<'a> {
    pub(crate) fn new(limits: QueryLimits<'a>) -> Budget<'a> {
        Budget {
            limits,
            held: 0,
            calls: 0,
        }
    }

    /// Stops the query if the edge says so.
    pub(crate) fn check_interrupt(&self) -> Result<()> {
        match self.limits.interrupt.and_then(|ask| ask()) {
            Some(reason) => Err(FluxError::Canceled(reason)),
            None => Ok(()),
        }
    }

    /// Counts one function call; asks the interrupt hook every [`CHECK_EVERY_CALLS`].
    pub(crate) fn tick(&mut self) -> Result<()> {
        self.calls = self.calls.wrapping_add(1);
        if self.calls.is_multiple_of(CHECK_EVERY_CALLS) {
            self.check_interrupt()?;
        }
        Ok(())
    }

    /// Admits a freshly materialised stream: it must fit beside the results held.
    /// Returns its size in bytes.
    pub(crate) fn admit(&self, tables: &[Table]) -> Result<usize> {
        self.check_interrupt()?;
        if self.limits.max_bytes == 0 {
            return Ok(0);
        }
        let wanted = tables_bytes(tables);
        if self.held.saturating_add(wanted) > self.limits.max_bytes {
            return Err(FluxError::ResourceExhausted(format!(
                "memory allocation limit reached: limit {} bytes, allocated: {}, wanted: {}",
                self.limits.max_bytes, self.held, wanted
            )));
        }
        Ok(wanted)
    }

    /// Admits tables that are kept until the end of the query (a yielded result).
    pub(crate) fn hold(&mut self, tables: &[Table]) -> Result<()> {
        let bytes = self.admit(tables)?;
        self.held += bytes;
        Ok(())
    }
}

/// The bytes a stream's columns occupy (values with their validity; strings once per
/// distinct run). Group keys and vector headers are small and not counted.
pub fn tables_bytes(tables: &[Table]) -> usize {
    tables
        .iter()
        .flat_map(|t| t.columns.iter())
        .map(|c| match &c.data {
            ColumnData::Bool(v) => std::mem::size_of_val(v.as_slice()),
            ColumnData::Int(v) | ColumnData::Time(v) => std::mem::size_of_val(v.as_slice()),
            ColumnData::UInt(v) => std::mem::size_of_val(v.as_slice()),
            ColumnData::Float(v) => std::mem::size_of_val(v.as_slice()),
            ColumnData::String(s) => s.heap_bytes(),
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{execute_with_limits, MemorySource, QueryOptions};
    use std::cell::Cell;

    /// One series of `n` float points, one per second from the epoch.
    fn source(n: i64) -> MemorySource {
        let times: Vec<i64> = (0..n).map(|i| i * 1_000_000_000).collect();
        let values = ColumnData::Float((0..n).map(|i| Some(i as f64)).collect());
        let table = Table::series(0, i64::MAX, "m", &[("host", "a")], "v", times, values);
        MemorySource {
            buckets: vec![("b".into(), vec![table])],
        }
    }

    const SCAN: &str = r#"from(bucket: "b") |> range(start: 0)"#;
    const MAP: &str = r#"from(bucket: "b") |> range(start: 0) |> map(fn: (r) => ({r with _value: r._value * 2.0}))"#;

    /// `now()` well after the points, so `range(start: 0)` holds them all.
    fn options() -> QueryOptions {
        QueryOptions {
            now_ns: 1 << 60,
            ..QueryOptions::default()
        }
    }

    fn run(text: &str, src: &MemorySource, limits: QueryLimits<'_>) -> Result<usize> {
        let results = execute_with_limits(text, &options(), src, limits)?;
        Ok(results.iter().flat_map(|r| &r.tables).map(Table::len).sum())
    }

    #[test]
    fn a_stream_over_the_memory_budget_is_resource_exhausted() {
        let src = source(1000);
        let small = QueryLimits {
            max_bytes: 4096,
            interrupt: None,
        };
        let err = run(SCAN, &src, small).unwrap_err();
        assert_eq!(err.code(), "resource exhausted");
        assert!(
            err.message().starts_with(
                "memory allocation limit reached: limit 4096 bytes, allocated: 0, wanted: "
            ),
            "{err}"
        );
        // The same query fits a budget its tables fit in, and runs unlimited by default.
        let roomy = QueryLimits {
            max_bytes: 1 << 20,
            interrupt: None,
        };
        assert_eq!(run(SCAN, &src, roomy).unwrap(), 1000);
        assert_eq!(run(SCAN, &src, QueryLimits::default()).unwrap(), 1000);
    }

    #[test]
    fn results_already_held_count_against_the_budget() {
        let src = source(100);
        let all = execute_with_limits(SCAN, &options(), &src, QueryLimits::default()).unwrap();
        let one = tables_bytes(&all[0].tables);
        // Room for the scan twice, not for two results plus the second scan's stream.
        let limits = QueryLimits {
            max_bytes: one * 2 + one / 2,
            interrupt: None,
        };
        let twice = format!("{SCAN} |> yield(name: \"x\")\n{SCAN} |> yield(name: \"y\")");
        assert_eq!(run(SCAN, &src, limits).unwrap(), 100);
        let err = run(&twice, &src, limits).unwrap_err();
        assert_eq!(err.code(), "resource exhausted", "{err}");
    }

    #[test]
    fn an_interrupt_stops_evaluation_where_it_fires() {
        let src = source(20_000);
        let asked = Cell::new(0);
        let third_time = || {
            asked.set(asked.get() + 1);
            (asked.get() == 3).then(|| "query timed out".to_string())
        };
        let limits = QueryLimits {
            max_bytes: 0,
            interrupt: Some(&third_time),
        };
        let err = run(MAP, &src, limits).unwrap_err();
        assert_eq!(err, FluxError::Canceled("query timed out".into()));
        // Asked after the scan and then every CHECK_EVERY_CALLS row closures: the 20,000
        // rows of map would have asked ~20 times had evaluation gone on.
        assert_eq!(asked.get(), 3);

        let never = || None;
        let limits = QueryLimits {
            max_bytes: 0,
            interrupt: Some(&never),
        };
        assert_eq!(run(MAP, &src, limits).unwrap(), 20_000);
    }
}
