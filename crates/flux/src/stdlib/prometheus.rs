//! `experimental/prometheus.histogramQuantile`: quantiles of Prometheus histograms as
//! Telegraf writes them — metric version 2 (one `le` tag per bucket) or version 1 (one
//! field per bucket) — by way of universe's `histogramQuantile`.

use super::convert;
use super::helpers::*;
use super::universe::regroup;
use crate::error::{FluxError, Result};
use crate::eval::{Args, Interp};
use crate::table::{ColumnData, Table};
use crate::value::Value;

/// Converts the bucket bounds in `from` (strings such as "0.5" or "+Inf") into a float
/// `le` column.
fn float_le(t: &mut Table, from: &str) -> Result<()> {
    let Some(c) = t.column(from) else {
        return Ok(());
    };
    let mut le = ColumnData::new(crate::table::DataType::Float);
    for r in 0..c.data.len() {
        le.push(&convert::to_float(&c.data.get(r))?)?;
    }
    set_column(t, crate::table::Column::new("le", le));
    Ok(())
}

pub fn histogram_quantile(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let q = a.float("quantile")?;
    let version = a.int_or("metricVersion", 2)?;
    let on_nonmonotonic = a.string_or("onNonmonotonic", "error")?;
    let mut tables = input(i, a)?;
    let strs = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let buckets = match version {
        2 => {
            let mut t = regroup(tables, &strs(&["le", "_value"]), false)?;
            for x in t.iter_mut() {
                float_le(x, "le")?;
            }
            t
        }
        1 => {
            for t in tables.iter_mut() {
                if let Some(f) = t.column("_field") {
                    let keep: Vec<bool> = (0..t.len())
                        .map(|r| !matches!(f.data.get(r).as_str(), Some("sum" | "count")))
                        .collect();
                    *t = t.filter_rows(&keep);
                }
                float_le(t, "_field")?;
            }
            // Like filter(), tables left empty (the sum and count fields) are dropped.
            tables.retain(|t| !t.is_empty());
            regroup(tables, &strs(&["_field", "le", "_value"]), false)?
        }
        _ => {
            return Err(FluxError::invalid(
                "Invalid metricVersion. Available versions are 1 and 2.",
            ))
        }
    };
    let mut args = Args {
        fname: "histogramQuantile",
        items: vec![
            ("quantile".to_string(), Value::Float(q)),
            ("onNonmonotonic".to_string(), Value::str(&on_nonmonotonic)),
            ("tables".to_string(), stream(buckets)),
        ],
    };
    let v = super::extra::histogram_quantile(i, &mut args)?;
    let mut out = regroup(
        i.take_tables(v, "histogramQuantile")?,
        &strs(&["le", "_value", "_time"]),
        false,
    )?;
    let label = convert::to_string(&Value::Float(q))?;
    for t in out.iter_mut() {
        if let Some(c) = const_column("quantile", &label, t.len()) {
            set_column(t, c);
        }
        t.key.cols.push(("quantile".into(), label.clone()));
    }
    Ok(stream(merge_by_key(out)?))
}
