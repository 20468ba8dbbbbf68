//! `to()`: writes its input tables to a bucket and passes them on. Every row becomes one
//! point: the measurement column, the time column, string tag columns, and fields from
//! `_field`/`_value` or from `fieldFn`. The points go to the [`Source`](crate::Source),
//! which checks the target and keeps them for its owner to make durable; this module only
//! turns rows into points, with InfluxDB's rules and error texts.

use std::collections::BTreeSet;

use edgeflux_flux_syntax::ast::{self, Expression, Statement};
use edgeflux_types::FieldValue;

use super::helpers::{input, labels, row_param, row_record, stream};
use crate::error::{FluxError, Result};
use crate::eval::{Args, Function, Interp};
use crate::source::{WritePoint, WriteTarget};
use crate::table::{ColumnData, DataType, Table};
use crate::value::Value;

/// Which rows' columns play which part in a point.
struct Layout {
    measurement: usize,
    time: usize,
    /// Tag columns by index, in key order.
    tags: Vec<usize>,
}

pub fn to(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let target = target(a)?;
    if a.has("host") || a.has("url") || a.has("brokers") {
        return Err(FluxError::Unimplemented(
            "to() can only write to this instance (host, url and brokers are not supported)".into(),
        ));
    }
    let time_column = a.string_or("timeColumn", "_time")?;
    let measurement_column = a.string_or("measurementColumn", "_measurement")?;
    let explicit_tags: Option<BTreeSet<String>> =
        a.strings("tagColumns")?.map(|t| t.into_iter().collect());
    let field_fn = match a.get("fieldFn") {
        Some(_) => Some(a.func("fieldFn")?),
        None => None,
    };
    let tables = input(i, a)?;

    // Columns a field function reads are values, never tags (InfluxDB's rule).
    let mut not_tags: BTreeSet<String> = ["_value", "_field", "_measurement"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if let Some(f) = &field_fn {
        not_tags.extend(referenced_columns(f));
    }

    let mut points = Vec::new();
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        let layout = layout(
            &t,
            &measurement_column,
            &time_column,
            explicit_tags.as_ref(),
            &not_tags,
        )?;
        let ColumnData::Time(times) = &t.columns[layout.time].data else {
            unreachable!("layout checked the time column's type")
        };
        let names = labels(&t);
        let mut keep = Vec::with_capacity(t.len());
        for row in 0..t.len() {
            let Some(time) = times[row] else {
                // Rows without a time are neither written nor passed on.
                keep.push(false);
                continue;
            };
            keep.push(true);
            let measurement = match t.columns[layout.measurement].data.get(row) {
                Value::String(s) if !s.is_empty() => s.to_string(),
                _ => {
                    return Err(FluxError::invalid(format!(
                        "no column with label {measurement_column} exists"
                    )))
                }
            };
            let mut tags = Vec::with_capacity(layout.tags.len());
            for &c in &layout.tags {
                if let Value::String(v) = t.columns[c].data.get(row) {
                    if !v.is_empty() {
                        tags.push((t.columns[c].label.clone(), v.to_string()));
                    }
                }
            }
            let fields = match &field_fn {
                None => default_fields(&t, row)?,
                Some(f) => {
                    let param = row_param(f);
                    let rec = row_record(&t, &names, row);
                    match i.call(f, vec![(param, rec)], None)? {
                        Value::Record(r) => record_fields(&r.fields)?,
                        other => {
                            return Err(FluxError::invalid(format!(
                                "fieldFn must return a record, got {}",
                                other.type_name()
                            )))
                        }
                    }
                }
            };
            if !fields.is_empty() {
                points.push(WritePoint {
                    measurement,
                    tags,
                    fields,
                    time,
                });
            }
        }
        out.push(if keep.iter().all(|k| *k) {
            t
        } else {
            t.filter_rows(&keep)
        });
    }
    if !points.is_empty() {
        i.source.write(&target, points)?;
    }
    Ok(stream(out))
}

fn target(a: &Args) -> Result<WriteTarget> {
    let bucket = a.opt_string("bucket")?;
    let bucket_id = a.opt_string("bucketID")?;
    let org = a.opt_string("org")?;
    let org_id = a.opt_string("orgID")?;
    match (&bucket, &bucket_id) {
        (Some(_), Some(_)) => {
            return Err(FluxError::invalid(
                "cannot provide both `bucket` and `bucketID` parameters to the `to` function",
            ))
        }
        (None, None) => return Err(a.missing("bucketID")),
        _ => {}
    }
    if org.is_some() && org_id.is_some() {
        return Err(FluxError::invalid(
            "cannot provide both `org` and `orgID` parameters to the `to` function",
        ));
    }
    Ok(WriteTarget {
        bucket,
        bucket_id,
        org,
        org_id,
    })
}

fn layout(
    t: &Table,
    measurement_column: &str,
    time_column: &str,
    explicit_tags: Option<&BTreeSet<String>>,
    not_tags: &BTreeSet<String>,
) -> Result<Layout> {
    let measurement = t.column_index(measurement_column).ok_or_else(|| {
        FluxError::invalid(format!("no column with label {measurement_column} exists"))
    })?;
    let m_type = t.columns[measurement].data.data_type();
    if m_type != DataType::String {
        return Err(FluxError::invalid(format!(
            "column {measurement_column} of type {} is not of type string",
            m_type.flux_name()
        )));
    }
    let time = t
        .column_index(time_column)
        .ok_or_else(|| FluxError::invalid("no time column detected"))?;
    let t_type = t.columns[time].data.data_type();
    if t_type != DataType::Time {
        return Err(FluxError::invalid(format!(
            "column {time_column} of type {} is not of type time",
            t_type.flux_name()
        )));
    }
    let mut tags: Vec<usize> = Vec::new();
    for (c, col) in t.columns.iter().enumerate() {
        if c == measurement || c == time {
            continue;
        }
        let is_tag = match explicit_tags {
            Some(set) => set.contains(&col.label),
            None => col.data.data_type() == DataType::String && !not_tags.contains(&col.label),
        };
        if is_tag {
            if col.data.data_type() != DataType::String {
                return Err(FluxError::invalid("invalid type for tag column"));
            }
            tags.push(c);
        }
    }
    tags.sort_by(|&x, &y| t.columns[x].label.cmp(&t.columns[y].label));
    Ok(Layout {
        measurement,
        time,
        tags,
    })
}

/// `_field` names the field, `_value` holds its value.
fn default_fields(t: &Table, row: usize) -> Result<Vec<(String, FieldValue)>> {
    let field = t
        .column("_field")
        .ok_or_else(|| FluxError::invalid("table has no _field column"))?;
    let value = t
        .column("_value")
        .ok_or_else(|| FluxError::invalid("table has no _value column"))?;
    let Value::String(name) = field.data.get(row) else {
        return Ok(Vec::new());
    };
    record_fields(&[(name, value.data.get(row))])
}

/// The fields of a record: nulls and non-finite floats are left out (no line can carry
/// them); times are written as integer nanoseconds.
fn record_fields(fields: &[(std::sync::Arc<str>, Value)]) -> Result<Vec<(String, FieldValue)>> {
    let mut out = Vec::with_capacity(fields.len());
    for (k, v) in fields {
        let value = match v {
            Value::Null => continue,
            Value::Float(f) if !f.is_finite() => continue,
            Value::Float(f) => FieldValue::Float(*f),
            Value::Int(x) => FieldValue::Integer(*x),
            Value::UInt(x) => FieldValue::UInteger(*x),
            Value::String(s) => FieldValue::String(s.to_string()),
            Value::Bool(b) => FieldValue::Boolean(*b),
            Value::Time(t) => FieldValue::Integer(*t),
            other => {
                return Err(FluxError::invalid(format!(
                    "unsupported field type {}",
                    other.type_name()
                )))
            }
        };
        if !k.is_empty() {
            out.push((k.to_string(), value));
        }
    }
    Ok(out)
}

/// The columns a field function reads as `r.col` or `r["col"]`.
fn referenced_columns(f: &Function) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Function::Closure { expr, .. } = f {
        if let Some(p) = expr.params.first() {
            body(&expr.body, &p.key.name, &mut out);
        }
    }
    out
}

fn body(b: &ast::FunctionBody, param: &str, out: &mut BTreeSet<String>) {
    match b {
        ast::FunctionBody::Expression(e) => walk(e, param, out),
        ast::FunctionBody::Block(b) => {
            for st in &b.body {
                match st {
                    Statement::Variable(v) => walk(&v.init, param, out),
                    Statement::Return(r) => walk(&r.argument, param, out),
                    Statement::Expression(e) => walk(&e.expression, param, out),
                    _ => {}
                }
            }
        }
    }
}

fn walk(e: &Expression, param: &str, out: &mut BTreeSet<String>) {
    let properties = |ps: &[ast::Property], out: &mut BTreeSet<String>| {
        for p in ps {
            if let Some(v) = &p.value {
                walk(v, param, out);
            }
        }
    };
    match e {
        Expression::Member(m) => {
            if matches!(&m.object, Expression::Identifier(id) if id.name == param) {
                out.insert(m.property.name().to_string());
            }
            walk(&m.object, param, out);
        }
        Expression::Index(x) => {
            walk(&x.array, param, out);
            walk(&x.index, param, out);
        }
        Expression::String(s) => {
            for p in &s.parts {
                if let ast::StringPart::Interpolated(x) = p {
                    walk(x, param, out);
                }
            }
        }
        Expression::Array(a) => a.elements.iter().for_each(|x| walk(x, param, out)),
        Expression::Dict(d) => d.elements.iter().for_each(|it| {
            walk(&it.key, param, out);
            walk(&it.value, param, out);
        }),
        Expression::Record(r) => properties(&r.properties, out),
        // A nested function that rebinds the parameter name hides it; others see it.
        Expression::Function(f) if !f.params.iter().any(|p| p.key.name == param) => {
            body(&f.body, param, out)
        }
        Expression::Call(c) => {
            walk(&c.callee, param, out);
            properties(&c.arguments, out);
        }
        Expression::Pipe(p) => {
            walk(&p.argument, param, out);
            walk(&p.call.callee, param, out);
            properties(&p.call.arguments, out);
        }
        Expression::Unary(u) => walk(&u.argument, param, out),
        Expression::Binary(b) => {
            walk(&b.left, param, out);
            walk(&b.right, param, out);
        }
        Expression::Logical(l) => {
            walk(&l.left, param, out);
            walk(&l.right, param, out);
        }
        Expression::Conditional(c) => {
            walk(&c.test, param, out);
            walk(&c.consequent, param, out);
            walk(&c.alternate, param, out);
        }
        Expression::Paren(p) => walk(&p.expression, param, out),
        _ => {}
    }
}
