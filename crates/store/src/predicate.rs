//! Scan predicates pushed down from Flux: comparisons on `_measurement`, `_field` and tags
//! (==, !=, =~, !~) combined with and/or/not. A tag missing from a series reads as the
//! empty string, as in InfluxDB's storage engine (so `host != "a"` matches series
//! without a `host` tag).

use std::cmp::Ordering;

use edgeflux_types::FieldValue;
use regex_lite::Regex;

use crate::error::StoreError;
use crate::model::{SeriesKey, Values};

/// A comparison of `_value` with a constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// `values[i] op rhs`. Numbers compare across float/integer/unsigned; other type
/// mismatches (and NaN) are false, like a comparison with null.
pub fn compare(values: &Values, i: usize, op: CmpOp, rhs: &FieldValue) -> bool {
    let ord = match (values, rhs) {
        (Values::Float(v), FieldValue::Float(x)) => v.get(i).and_then(|a| a.partial_cmp(x)),
        (Values::Float(v), FieldValue::Integer(x)) => {
            v.get(i).and_then(|a| a.partial_cmp(&(*x as f64)))
        }
        (Values::Float(v), FieldValue::UInteger(x)) => {
            v.get(i).and_then(|a| a.partial_cmp(&(*x as f64)))
        }
        (Values::Integer(v), FieldValue::Integer(x)) => v.get(i).map(|a| a.cmp(x)),
        (Values::Integer(v), FieldValue::UInteger(x)) => {
            v.get(i).map(|a| i128::from(*a).cmp(&i128::from(*x)))
        }
        (Values::Integer(v), FieldValue::Float(x)) => {
            v.get(i).and_then(|a| (*a as f64).partial_cmp(x))
        }
        (Values::UInteger(v), FieldValue::UInteger(x)) => v.get(i).map(|a| a.cmp(x)),
        (Values::UInteger(v), FieldValue::Integer(x)) => {
            v.get(i).map(|a| i128::from(*a).cmp(&i128::from(*x)))
        }
        (Values::UInteger(v), FieldValue::Float(x)) => {
            v.get(i).and_then(|a| (*a as f64).partial_cmp(x))
        }
        (Values::String(v), FieldValue::String(x)) => v.get(i).map(|a| a.as_str().cmp(x.as_str())),
        (Values::Boolean(v), FieldValue::Boolean(x)) => v.get(i).map(|a| a.cmp(x)),
        _ => None,
    };
    match ord {
        None => false,
        Some(o) => match op {
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
        },
    }
}

/// How one value is tested.
#[derive(Debug, Clone)]
pub enum Matcher {
    Eq(String),
    Ne(String),
    /// Unanchored, as Flux's `=~` (use `^...$` to anchor).
    Regex(Regex),
    NotRegex(Regex),
}

impl Matcher {
    /// A regex matcher from Go/RE2-style syntax (regex-lite: no Unicode classes).
    pub fn regex(pattern: &str) -> Result<Matcher, StoreError> {
        Regex::new(pattern)
            .map(Matcher::Regex)
            .map_err(|e| StoreError::Regex(e.to_string()))
    }

    pub fn not_regex(pattern: &str) -> Result<Matcher, StoreError> {
        Regex::new(pattern)
            .map(Matcher::NotRegex)
            .map_err(|e| StoreError::Regex(e.to_string()))
    }

    pub fn matches(&self, v: &str) -> bool {
        match self {
            Matcher::Eq(s) => v == s,
            Matcher::Ne(s) => v != s,
            Matcher::Regex(r) => r.is_match(v),
            Matcher::NotRegex(r) => !r.is_match(v),
        }
    }
}

/// A boolean predicate over series and fields.
#[derive(Debug, Clone)]
pub enum Predicate {
    True,
    Measurement(Matcher),
    Field(Matcher),
    Tag(String, Matcher),
    /// `_value op constant`, tested row by row.
    Value(CmpOp, FieldValue),
    And(Box<Predicate>, Box<Predicate>),
    Or(Box<Predicate>, Box<Predicate>),
    Not(Box<Predicate>),
}

impl Predicate {
    pub fn measurement_eq(m: &str) -> Predicate {
        Predicate::Measurement(Matcher::Eq(m.to_string()))
    }
    pub fn field_eq(f: &str) -> Predicate {
        Predicate::Field(Matcher::Eq(f.to_string()))
    }
    pub fn tag_eq(k: &str, v: &str) -> Predicate {
        Predicate::Tag(k.to_string(), Matcher::Eq(v.to_string()))
    }
    /// `key` may be `_measurement`, `_field` or a tag key.
    pub fn key(key: &str, m: Matcher) -> Predicate {
        match key {
            "_measurement" => Predicate::Measurement(m),
            "_field" => Predicate::Field(m),
            _ => Predicate::Tag(key.to_string(), m),
        }
    }
    pub fn and(self, other: Predicate) -> Predicate {
        match (self, other) {
            (Predicate::True, o) | (o, Predicate::True) => o,
            (a, b) => Predicate::And(Box::new(a), Box::new(b)),
        }
    }
    pub fn or(self, other: Predicate) -> Predicate {
        Predicate::Or(Box::new(self), Box::new(other))
    }
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Predicate {
        Predicate::Not(Box::new(self))
    }

    /// Whether some row of this series and field may match (`_value` tests count as
    /// "maybe"; scans then test them row by row).
    pub fn matches(&self, key: &SeriesKey, field: &str) -> bool {
        self.eval(key, Some(field), None) != Some(false)
    }

    /// Whether some field of this series may match: false when the measurement and tags
    /// alone rule the series out, so its fields need not be tested one by one.
    pub fn matches_series(&self, key: &SeriesKey) -> bool {
        self.eval(key, None, None) != Some(false)
    }

    /// Three-valued evaluation: `None` = depends on a field or value not given.
    fn eval(
        &self,
        key: &SeriesKey,
        field: Option<&str>,
        value: Option<(&Values, usize)>,
    ) -> Option<bool> {
        match self {
            Predicate::True => Some(true),
            Predicate::Measurement(m) => Some(m.matches(&key.measurement)),
            Predicate::Field(m) => field.map(|f| m.matches(f)),
            Predicate::Tag(k, m) => Some(m.matches(key.tag(k).unwrap_or(""))),
            Predicate::Value(op, rhs) => value.map(|(v, i)| compare(v, i, *op, rhs)),
            Predicate::And(a, b) => Self::junction(a, b, false, key, field, value),
            Predicate::Or(a, b) => Self::junction(a, b, true, key, field, value),
            Predicate::Not(a) => a.eval(key, field, value).map(|x| !x),
        }
    }

    /// `a and b` (`decides` = false) or `a or b` (`decides` = true), three-valued: either
    /// side evaluating to `decides` settles it, and `b` is not evaluated when `a` does.
    fn junction(
        a: &Predicate,
        b: &Predicate,
        decides: bool,
        key: &SeriesKey,
        field: Option<&str>,
        value: Option<(&Values, usize)>,
    ) -> Option<bool> {
        let x = a.eval(key, field, value);
        if x == Some(decides) {
            return x;
        }
        match (x, b.eval(key, field, value)) {
            (_, Some(y)) if y == decides => Some(decides),
            (Some(_), Some(_)) => Some(!decides),
            _ => None,
        }
    }

    /// Evaluates for one row (`values[i]`) of a series and field.
    pub fn matches_row(&self, key: &SeriesKey, field: &str, values: &Values, i: usize) -> bool {
        self.eval(key, Some(field), Some((values, i))) == Some(true)
    }

    /// Whether the predicate tests `_value`.
    pub fn mentions_value(&self) -> bool {
        match self {
            Predicate::Value(..) => true,
            Predicate::And(a, b) | Predicate::Or(a, b) => a.mentions_value() || b.mentions_value(),
            Predicate::Not(a) => a.mentions_value(),
            _ => false,
        }
    }

    /// Whether the predicate can be decided without a field (no `_field` test inside).
    pub fn mentions_field(&self) -> bool {
        match self {
            Predicate::Field(_) => true,
            Predicate::And(a, b) | Predicate::Or(a, b) => a.mentions_field() || b.mentions_field(),
            Predicate::Not(a) => a.mentions_field(),
            _ => false,
        }
    }

    /// A measurement every match must have (`_measurement == m` in a conjunction), used to
    /// narrow the series range.
    pub fn required_measurement(&self) -> Option<&str> {
        match self {
            Predicate::Measurement(Matcher::Eq(m)) => Some(m),
            Predicate::And(a, b) => a
                .required_measurement()
                .or_else(|| b.required_measurement()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SeriesKey {
        SeriesKey::new(
            "cpu",
            vec![
                ("host".into(), "a".into()),
                ("region".into(), "eu-1".into()),
            ],
        )
    }

    #[test]
    fn predicates_evaluate_tags_fields_and_logic() {
        let k = key();
        assert!(Predicate::tag_eq("host", "a").matches(&k, "x"));
        assert!(!Predicate::tag_eq("host", "b").matches(&k, "x"));
        assert!(Predicate::Tag("dc".into(), Matcher::Ne("z".into())).matches(&k, "x"));
        assert!(Predicate::Tag("dc".into(), Matcher::Eq(String::new())).matches(&k, "x"));
        let re = Predicate::Tag("region".into(), Matcher::regex("^eu-").unwrap());
        assert!(re.matches(&k, "x"));
        assert!(!re.clone().not().matches(&k, "x"));
        let p = Predicate::measurement_eq("cpu")
            .and(Predicate::field_eq("usage").or(Predicate::field_eq("idle")));
        assert!(p.matches(&k, "idle"));
        assert!(!p.matches(&k, "other"));
        assert_eq!(p.required_measurement(), Some("cpu"));
        assert!(p.matches_series(&k), "depends on the field");
        let other = Predicate::tag_eq("host", "b").and(Predicate::field_eq("idle"));
        assert!(!other.matches_series(&k), "ruled out by the tag alone");
        assert!(Predicate::field_eq("idle").not().matches_series(&k));
        assert!(Matcher::regex("(").is_err());
    }

    #[test]
    fn value_comparisons_are_three_valued() {
        let k = key();
        let v = Values::Float(vec![1.5, 3.0, f64::NAN]);
        let gt2 = Predicate::Value(CmpOp::Gt, FieldValue::Integer(2));
        assert!(gt2.matches(&k, "x"), "maybe matches at series level");
        assert!(!gt2.matches_row(&k, "x", &v, 0));
        assert!(gt2.matches_row(&k, "x", &v, 1));
        assert!(!gt2.matches_row(&k, "x", &v, 2), "NaN compares false");
        let p = Predicate::tag_eq("host", "zzz").and(gt2.clone());
        assert!(!p.matches(&k, "x"), "decided by the tag alone");
        let p = Predicate::tag_eq("host", "a").or(gt2.clone());
        assert!(p.matches_row(&k, "x", &v, 0));
        let s = Values::String(vec!["b".into()]);
        assert!(!gt2.matches_row(&k, "x", &s, 0), "type mismatch is false");
        assert!(compare(&s, 0, CmpOp::Ge, &FieldValue::String("a".into())));
        let u = Values::UInteger(vec![u64::MAX]);
        assert!(compare(&u, 0, CmpOp::Gt, &FieldValue::Integer(-1)));
        assert!(Predicate::Value(CmpOp::Ne, FieldValue::Integer(2))
            .not()
            .matches_row(&k, "x", &Values::Integer(vec![2]), 0));
    }
}
