//! Scan predicates pushed down from Flux: comparisons on `_measurement`, `_field` and tags
//! (==, !=, =~, !~) combined with and/or/not. A tag missing from a series reads as the
//! empty string, as in InfluxDB's storage engine (so `host != "a"` matches series
//! without a `host` tag).

use regex_lite::Regex;

use crate::error::StoreError;
use crate::model::SeriesKey;

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

    /// Evaluates for one series and field.
    pub fn matches(&self, key: &SeriesKey, field: &str) -> bool {
        match self {
            Predicate::True => true,
            Predicate::Measurement(m) => m.matches(&key.measurement),
            Predicate::Field(m) => m.matches(field),
            Predicate::Tag(k, m) => m.matches(key.tag(k).unwrap_or("")),
            Predicate::And(a, b) => a.matches(key, field) && b.matches(key, field),
            Predicate::Or(a, b) => a.matches(key, field) || b.matches(key, field),
            Predicate::Not(a) => !a.matches(key, field),
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
        assert!(Matcher::regex("(").is_err());
    }
}
