//! Annotated CSV, both ways: the encoder writes query results exactly as InfluxDB 2.x does
//! (see influx-compat.md §3); the decoder reads what `csv.from` is given.

use std::sync::Arc;

use crate::error::{FluxError, Result};
use crate::table::{Column, ColumnData, DataType, GroupKey, Table};
use crate::time;
use crate::value::{format_float, Value};

/// One named result of a query (one `yield`).
#[derive(Debug, Clone)]
pub struct FluxResult {
    pub name: String,
    pub tables: Vec<Table>,
}

/// The CSV dialect of a query request (`dialect` in the /api/v2/query body).
#[derive(Debug, Clone)]
pub struct Dialect {
    /// Write the header row (default true).
    pub header: bool,
    /// Field delimiter (default `,`).
    pub delimiter: u8,
    /// Any of `datatype`, `group`, `default`, in the order they are written.
    pub annotations: Vec<String>,
    /// Prefix of annotation rows (default `#`).
    pub comment_prefix: String,
}

impl Default for Dialect {
    /// The API's default: header, comma, no annotations.
    fn default() -> Dialect {
        Dialect {
            header: true,
            delimiter: b',',
            annotations: Vec::new(),
            comment_prefix: "#".to_string(),
        }
    }
}

impl Dialect {
    /// What the UI and the client libraries ask for: all three annotations.
    pub fn full() -> Dialect {
        Dialect {
            annotations: vec!["datatype".into(), "group".into(), "default".into()],
            ..Dialect::default()
        }
    }
}

/// Writes one cell, quoting like Go's `encoding/csv` with CRLF line endings.
fn write_cell(out: &mut Vec<u8>, s: &str, delim: u8) {
    let needs = !s.is_empty()
        && (s == "\\."
            || s.bytes()
                .any(|c| c == b'\n' || c == b'\r' || c == b'"' || c == delim)
            || s.chars().next().is_some_and(char::is_whitespace));
    if !needs {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    out.push(b'"');
    for c in s.bytes() {
        match c {
            b'"' => out.extend_from_slice(b"\"\""),
            b'\r' => {}
            b'\n' => out.extend_from_slice(b"\r\n"),
            c => out.push(c),
        }
    }
    out.push(b'"');
}

fn value_text(v: &Value, buf: &mut String) {
    buf.clear();
    match v {
        Value::Null => {}
        Value::Float(f) => format_float(*f, buf),
        Value::Time(t) => time::format_rfc3339(*t, buf),
        Value::String(s) => buf.push_str(s),
        other => {
            use std::fmt::Write as _;
            let _ = write!(buf, "{other}");
        }
    }
}

fn cell_text(c: &ColumnData, i: usize, buf: &mut String) {
    use std::fmt::Write as _;
    buf.clear();
    match c {
        ColumnData::Bool(v) => {
            if let Some(b) = v[i] {
                buf.push_str(if b { "true" } else { "false" })
            }
        }
        ColumnData::Int(v) => {
            if let Some(x) = v[i] {
                let _ = write!(buf, "{x}");
            }
        }
        ColumnData::UInt(v) => {
            if let Some(x) = v[i] {
                let _ = write!(buf, "{x}");
            }
        }
        ColumnData::Float(v) => {
            if let Some(x) = v[i] {
                format_float(x, buf)
            }
        }
        ColumnData::String(v) => {
            if let Some(x) = v.get(i) {
                buf.push_str(x)
            }
        }
        ColumnData::Time(v) => {
            if let Some(x) = v[i] {
                time::format_rfc3339(x, buf)
            }
        }
    }
}

fn schema_of(t: &Table) -> Vec<(&str, DataType, bool)> {
    t.columns
        .iter()
        .map(|c| {
            (
                c.label.as_str(),
                c.data.data_type(),
                t.key.contains(&c.label),
            )
        })
        .collect()
}

/// A piece of every data row of a table: prebuilt bytes, or the cell of a varying column.
enum Segment {
    Bytes(Vec<u8>),
    Cell(usize),
}

/// Encodes results as annotated CSV into `out`.
pub fn encode_csv(results: &[FluxResult], dialect: &Dialect, out: &mut Vec<u8>) {
    for r in results {
        encode_result(r, dialect, out);
        out.extend_from_slice(b"\r\n");
    }
}

fn encode_result(r: &FluxResult, d: &Dialect, out: &mut Vec<u8>) {
    let delim = d.delimiter;
    let has_default = d.annotations.iter().any(|a| a == "default");
    let mut prev: Option<(Vec<(&str, DataType, bool)>, bool)> = None;
    let mut buf = String::new();
    for (id, t) in r.tables.iter().enumerate() {
        let schema = schema_of(t);
        let empty = t.is_empty();
        let new_block = match &prev {
            None => true,
            Some((ps, pe)) => *pe || empty || *ps != schema,
        };
        if new_block {
            if prev.is_some() {
                out.extend_from_slice(b"\r\n");
            }
            for a in &d.annotations {
                out.extend_from_slice(d.comment_prefix.as_bytes());
                out.extend_from_slice(a.as_bytes());
                match a.as_str() {
                    "datatype" => {
                        out.push(delim);
                        out.extend_from_slice(b"string");
                        out.push(delim);
                        out.extend_from_slice(b"long");
                        for (_, dt, _) in &schema {
                            out.push(delim);
                            out.extend_from_slice(dt.csv_name().as_bytes());
                        }
                    }
                    "group" => {
                        out.push(delim);
                        out.extend_from_slice(b"false");
                        out.push(delim);
                        out.extend_from_slice(b"false");
                        for (_, _, g) in &schema {
                            out.push(delim);
                            out.extend_from_slice(if *g { b"true" } else { b"false" });
                        }
                    }
                    "default" => {
                        out.push(delim);
                        write_cell(out, &r.name, delim);
                        out.push(delim);
                        if empty {
                            out.extend_from_slice(id.to_string().as_bytes());
                        }
                        for (label, _, g) in &schema {
                            out.push(delim);
                            if empty && *g {
                                if let Some(v) = t.key.get(label) {
                                    value_text(v, &mut buf);
                                    write_cell(out, &buf, delim);
                                }
                            }
                        }
                    }
                    _ => {}
                }
                out.extend_from_slice(b"\r\n");
            }
            if d.header {
                out.push(delim);
                out.extend_from_slice(b"result");
                out.push(delim);
                out.extend_from_slice(b"table");
                for (label, _, _) in &schema {
                    out.push(delim);
                    write_cell(out, label, delim);
                }
                out.extend_from_slice(b"\r\n");
            }
        }
        // Cells holding one value in every row (the result and table cells, the group
        // key's columns, `_start`, `_stop`) are written once per table into runs of bytes;
        // a row is then those runs plus its varying cells. A varying cell that repeats
        // the row above reuses its bytes.
        let n = t.len();
        let mut segments: Vec<Segment> = Vec::new();
        let mut run = Vec::new();
        run.push(delim);
        if !has_default {
            write_cell(&mut run, &r.name, delim);
        }
        run.push(delim);
        run.extend_from_slice(id.to_string().as_bytes());
        for (ci, c) in t.columns.iter().enumerate() {
            run.push(delim);
            if n > 0 && c.data.is_constant() {
                cell_text(&c.data, 0, &mut buf);
                write_cell(&mut run, &buf, delim);
            } else {
                segments.push(Segment::Bytes(std::mem::take(&mut run)));
                segments.push(Segment::Cell(ci));
            }
        }
        run.extend_from_slice(b"\r\n");
        segments.push(Segment::Bytes(run));
        let mut cells: Vec<Vec<u8>> = vec![Vec::new(); t.columns.len()];
        for i in 0..n {
            for seg in &segments {
                match seg {
                    Segment::Bytes(b) => out.extend_from_slice(b),
                    Segment::Cell(ci) => {
                        let (c, cell) = (&t.columns[*ci].data, &mut cells[*ci]);
                        if i == 0 || !c.repeats_previous(i) {
                            cell_text(c, i, &mut buf);
                            cell.clear();
                            write_cell(cell, &buf, delim);
                        }
                        out.extend_from_slice(cell);
                    }
                }
            }
        }
        prev = Some((schema, empty));
    }
}

/// The error table InfluxDB appends when a query fails after data was written.
pub fn encode_error(message: &str, dialect: &Dialect, out: &mut Vec<u8>) {
    let delim = dialect.delimiter;
    for a in &dialect.annotations {
        out.extend_from_slice(dialect.comment_prefix.as_bytes());
        out.extend_from_slice(a.as_bytes());
        match a.as_str() {
            "datatype" => {
                out.push(delim);
                out.extend_from_slice(b"string");
                out.push(delim);
                out.extend_from_slice(b"string");
            }
            "group" => {
                out.push(delim);
                out.extend_from_slice(b"true");
                out.push(delim);
                out.extend_from_slice(b"true");
            }
            _ => {
                out.push(delim);
                out.push(delim);
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    if dialect.header {
        out.push(delim);
        out.extend_from_slice(b"error");
        out.push(delim);
        out.extend_from_slice(b"reference\r\n");
    }
    out.push(delim);
    write_cell(out, message, delim);
    out.push(delim);
    out.extend_from_slice(b"\r\n");
}

/// Splits CSV text into records (RFC 4180 quoting; `\r\n` or `\n`). Blank lines are kept as
/// empty records because they separate tables.
pub(crate) fn split_records(text: &str) -> Result<Vec<Vec<String>>> {
    let mut records = Vec::new();
    let mut rec: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
            } else if c == '\r' && chars.peek() == Some(&'\n') {
                // CRLF inside a quoted field decodes to LF, like Go's reader
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                in_quotes = true;
                any = true;
            }
            ',' => {
                rec.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if any || !field.is_empty() {
                    rec.push(std::mem::take(&mut field));
                }
                records.push(std::mem::take(&mut rec));
                any = false;
            }
            c => {
                field.push(c);
                any = true;
            }
        }
    }
    if in_quotes {
        return Err(FluxError::invalid(
            "csv: extraneous or missing \" in quoted-field",
        ));
    }
    if any || !field.is_empty() {
        rec.push(field);
        records.push(rec);
    }
    Ok(records)
}

fn parse_cell(t: DataType, s: &str) -> Result<Value> {
    let bad = || FluxError::invalid(format!("failed to parse {s:?} as {}", t.flux_name()));
    Ok(match t {
        DataType::Bool => match s {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(bad()),
        },
        DataType::Int => Value::Int(s.parse().map_err(|_| bad())?),
        DataType::UInt => Value::UInt(s.parse().map_err(|_| bad())?),
        DataType::Float => Value::Float(match s {
            "+Inf" | "Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            _ => s.parse().map_err(|_| bad())?,
        }),
        DataType::String => Value::String(Arc::from(s)),
        DataType::Time => Value::Time(time::parse_rfc3339(s).ok_or_else(bad)?),
    })
}

fn parse_datatype(s: &str) -> Result<DataType> {
    Ok(match s {
        "boolean" => DataType::Bool,
        "long" => DataType::Int,
        "unsignedLong" => DataType::UInt,
        "double" => DataType::Float,
        "string" => DataType::String,
        s if s == "dateTime" || s.starts_with("dateTime:") => DataType::Time,
        other => {
            return Err(FluxError::invalid(format!(
                "unsupported data type {other:?}"
            )))
        }
    })
}

struct Block {
    labels: Vec<String>,
    types: Vec<DataType>,
    group: Vec<bool>,
    defaults: Vec<String>,
    table_col: Option<usize>,
    skip: Vec<bool>,
}

/// Decodes annotated CSV (`csv.from(csv: ...)`) into tables. Requires `#datatype`.
pub fn decode_csv(text: &str) -> Result<Vec<Table>> {
    let records = split_records(text)?;
    let mut tables: Vec<Table> = Vec::new();
    let mut datatype: Option<Vec<String>> = None;
    let mut group: Option<Vec<String>> = None;
    let mut defaults: Option<Vec<String>> = None;
    let mut block: Option<Block> = None;
    let mut cur: Option<(String, Vec<ColumnData>)> = None;

    let flush = |block: &Block,
                 cur: &mut Option<(String, Vec<ColumnData>)>,
                 tables: &mut Vec<Table>|
     -> Result<()> {
        if let Some((_, cols)) = cur.take() {
            tables.push(make_table(block, cols)?);
        }
        Ok(())
    };

    for rec in records {
        let blank = rec.iter().all(|c| c.is_empty());
        if blank {
            // A blank line ends a table; the schema carries on unless annotations follow.
            if let Some(b) = &block {
                flush(b, &mut cur, &mut tables)?;
            }
            continue;
        }
        let first = rec[0].as_str();
        if first.starts_with('#') {
            if let Some(b) = &block {
                flush(b, &mut cur, &mut tables)?;
                block = None;
            }
            let rest: Vec<String> = rec[1..].to_vec();
            match first {
                "#datatype" => datatype = Some(rest),
                "#group" => group = Some(rest),
                "#default" => defaults = Some(rest),
                _ => {}
            }
            continue;
        }
        if block.is_none() {
            // header row
            let labels: Vec<String> = rec[1..].to_vec();
            let Some(dt) = datatype.take() else {
                return Err(FluxError::invalid(
                    "failed to read annotations: missing #datatype annotation",
                ));
            };
            let n = labels.len();
            let mut types = Vec::with_capacity(n);
            for i in 0..n {
                types.push(parse_datatype(
                    dt.get(i).map(String::as_str).unwrap_or("string"),
                )?);
            }
            let g = group.take().unwrap_or_default();
            let dfl = defaults.take().unwrap_or_default();
            let skip: Vec<bool> = labels
                .iter()
                .map(|l| l == "result" || l == "table")
                .collect();
            block = Some(Block {
                table_col: labels.iter().position(|l| l == "table"),
                group: (0..n)
                    .map(|i| g.get(i).is_some_and(|x| x == "true"))
                    .collect(),
                defaults: (0..n)
                    .map(|i| dfl.get(i).cloned().unwrap_or_default())
                    .collect(),
                labels,
                types,
                skip,
            });
            continue;
        }
        let Some(b) = &block else { continue };
        let cells = &rec[1..];
        if cells == b.labels.as_slice() {
            // the header repeated after a blank line
            continue;
        }
        let table_id = b
            .table_col
            .and_then(|i| cells.get(i).cloned())
            .filter(|s| !s.is_empty())
            .or_else(|| b.table_col.map(|i| b.defaults[i].clone()))
            .unwrap_or_default();
        if cur.as_ref().is_some_and(|(id, _)| *id != table_id) {
            flush(b, &mut cur, &mut tables)?;
        }
        let cols = &mut cur
            .get_or_insert_with(|| {
                (
                    table_id.clone(),
                    b.types.iter().map(|t| ColumnData::new(*t)).collect(),
                )
            })
            .1;
        for (i, t) in b.types.iter().enumerate() {
            if b.skip[i] {
                continue;
            }
            let raw = cells.get(i).map(String::as_str).unwrap_or("");
            let raw = if raw.is_empty() {
                b.defaults[i].as_str()
            } else {
                raw
            };
            let v = if raw.is_empty() {
                Value::Null
            } else {
                parse_cell(*t, raw)?
            };
            cols[i].push(&v)?;
        }
    }
    if let Some(b) = &block {
        flush(b, &mut cur, &mut tables)?;
    }
    Ok(tables)
}

fn make_table(b: &Block, cols: Vec<ColumnData>) -> Result<Table> {
    let mut columns = Vec::new();
    let mut key = GroupKey::default();
    for (i, data) in cols.into_iter().enumerate() {
        if b.skip[i] {
            continue;
        }
        if b.group[i] {
            let v = if data.is_empty() {
                if b.defaults[i].is_empty() {
                    Value::Null
                } else {
                    parse_cell(b.types[i], &b.defaults[i])?
                }
            } else {
                data.get(0)
            };
            key.cols.push((b.labels[i].clone(), v));
        }
        columns.push(Column::new(b.labels[i].clone(), data));
    }
    Ok(Table::new(key, columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Table> {
        let t0 = time::parse_rfc3339("2018-05-22T19:53:26Z").unwrap();
        let stop = time::parse_rfc3339("2018-05-22T19:54:00Z").unwrap();
        vec![
            Table::series(
                0,
                stop,
                "cpu",
                &[("host", "a")],
                "usage",
                vec![t0, t0 + 10_000_000_000],
                ColumnData::Float(vec![Some(1.5), Some(1e21)]),
            ),
            Table::series(
                0,
                stop,
                "cpu",
                &[("host", "b, c")],
                "usage",
                vec![t0],
                ColumnData::Float(vec![None]),
            ),
        ]
    }

    #[test]
    fn golden_full_annotations() {
        let results = vec![FluxResult {
            name: "_result".into(),
            tables: sample(),
        }];
        let mut out = Vec::new();
        encode_csv(&results, &Dialect::full(), &mut out);
        let want = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/two_series_full.csv"
        ))
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    #[test]
    fn no_annotations_repeats_result_name() {
        let results = vec![FluxResult {
            name: "_result".into(),
            tables: sample()[..1].to_vec(),
        }];
        let mut out = Vec::new();
        encode_csv(&results, &Dialect::default(), &mut out);
        let s = String::from_utf8(out).unwrap();
        assert_eq!(
            s,
            ",result,table,_start,_stop,_time,_value,_field,_measurement,host\r\n\
             ,_result,0,1970-01-01T00:00:00Z,2018-05-22T19:54:00Z,2018-05-22T19:53:26Z,1.5,usage,cpu,a\r\n\
             ,_result,0,1970-01-01T00:00:00Z,2018-05-22T19:54:00Z,2018-05-22T19:53:36Z,1000000000000000000000,usage,cpu,a\r\n\r\n"
        );
    }

    #[test]
    fn empty_results_and_error_table() {
        let mut out = Vec::new();
        encode_csv(
            &[FluxResult {
                name: "_result".into(),
                tables: vec![],
            }],
            &Dialect::full(),
            &mut out,
        );
        assert_eq!(out, b"\r\n");
        let mut out = Vec::new();
        encode_error("boom, \"bad\"", &Dialect::full(), &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "#datatype,string,string\r\n#group,true,true\r\n#default,,\r\n,error,reference\r\n,\"boom, \"\"bad\"\"\",\r\n"
        );
    }

    #[test]
    fn empty_table_writes_defaults() {
        let mut t = sample().remove(0);
        t = t.slice_rows(0, 0);
        let mut out = Vec::new();
        encode_csv(
            &[FluxResult {
                name: "r".into(),
                tables: vec![t],
            }],
            &Dialect::full(),
            &mut out,
        );
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.contains("#default,r,0,1970-01-01T00:00:00Z,2018-05-22T19:54:00Z,,,usage,cpu,a\r\n"),
            "{s}"
        );
    }

    #[test]
    fn decode_round_trips_encode() {
        let results = vec![FluxResult {
            name: "_result".into(),
            tables: sample(),
        }];
        let mut out = Vec::new();
        encode_csv(&results, &Dialect::full(), &mut out);
        let tables = decode_csv(std::str::from_utf8(&out).unwrap()).unwrap();
        assert_eq!(tables.len(), 2);
        assert_eq!(tables[1].key.get("host").unwrap().as_str(), Some("b, c"));
        assert_eq!(tables[0].columns, sample()[0].columns);
        assert_eq!(tables[1].columns[3].data, ColumnData::Float(vec![None]));
    }

    #[test]
    fn decode_errors_are_errors() {
        assert!(decode_csv(",result,table,x\n,,0,1\n").is_err());
        assert!(decode_csv("#datatype,string,long,long\n,result,table,x\n,,0,abc\n").is_err());
        assert!(decode_csv("#datatype,string,long,long\n,result,table,x\n,,0,\"1\n").is_err());
    }
}
