//! Types shared by several core crates: field values and types, write precision,
//! and InfluxDB's 16-hex-digit resource IDs. Kept tiny on purpose: anything that
//! only one crate needs lives in that crate.

use std::fmt;
use std::str::FromStr;

pub mod time;

/// Nanoseconds since the Unix epoch, the one time unit of the engine.
pub type Timestamp = i64;

/// The five field types of InfluxDB's data model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldType {
    Float,
    Integer,
    UInteger,
    String,
    Boolean,
}

impl FieldType {
    /// The name InfluxDB uses in messages such as partial-write errors.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Float => "float",
            FieldType::Integer => "integer",
            FieldType::UInteger => "unsigned",
            FieldType::String => "string",
            FieldType::Boolean => "boolean",
        }
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An owned field value.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Float(f64),
    Integer(i64),
    UInteger(u64),
    String(String),
    Boolean(bool),
}

impl FieldValue {
    pub fn field_type(&self) -> FieldType {
        match self {
            FieldValue::Float(_) => FieldType::Float,
            FieldValue::Integer(_) => FieldType::Integer,
            FieldValue::UInteger(_) => FieldType::UInteger,
            FieldValue::String(_) => FieldType::String,
            FieldValue::Boolean(_) => FieldType::Boolean,
        }
    }
}

/// Write precision of timestamps in line protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Precision {
    #[default]
    Nanoseconds,
    Microseconds,
    Milliseconds,
    Seconds,
}

impl Precision {
    /// Nanoseconds per unit of this precision.
    pub fn multiplier(self) -> i64 {
        match self {
            Precision::Nanoseconds => 1,
            Precision::Microseconds => 1_000,
            Precision::Milliseconds => 1_000_000,
            Precision::Seconds => 1_000_000_000,
        }
    }

    /// Parses the v2 API's `precision` parameter (exactly `ns`, `us`, `ms`, `s`).
    pub fn from_v2_param(s: &str) -> Option<Precision> {
        match s {
            "ns" => Some(Precision::Nanoseconds),
            "us" => Some(Precision::Microseconds),
            "ms" => Some(Precision::Milliseconds),
            "s" => Some(Precision::Seconds),
            _ => None,
        }
    }
}

/// A 64-bit resource ID, written as 16 lowercase hex digits (orgs, buckets, users, tokens...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub u64);

/// Why a string is not a valid ID; the texts are InfluxDB's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    /// `id must have a length of 16 bytes`
    Length,
    /// `invalid ID` (non-hex digits, or zero, which InfluxDB treats as invalid)
    Invalid,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdError::Length => f.write_str("id must have a length of 16 bytes"),
            IdError::Invalid => f.write_str("invalid ID"),
        }
    }
}

impl std::error::Error for IdError {}

impl FromStr for Id {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Id, IdError> {
        if s.len() != 16 {
            return Err(IdError::Length);
        }
        let v = u64::from_str_radix(s, 16).map_err(|_| IdError::Invalid)?;
        if v == 0 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(IdError::Invalid);
        }
        Ok(Id(v))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_round_trips_as_16_hex_digits() {
        let id: Id = "0a1b2c3d4e5f6071".parse().unwrap();
        assert_eq!(id.0, 0x0a1b2c3d4e5f6071);
        assert_eq!(id.to_string(), "0a1b2c3d4e5f6071");
        assert_eq!("abc".parse::<Id>(), Err(IdError::Length));
        assert_eq!("000000000000000g".parse::<Id>(), Err(IdError::Invalid));
        assert_eq!("0000000000000000".parse::<Id>(), Err(IdError::Invalid));
        assert_eq!("+a1b2c3d4e5f6071".parse::<Id>(), Err(IdError::Invalid));
    }

    #[test]
    fn precision_parses_only_the_four_v2_units() {
        assert_eq!(Precision::from_v2_param("s"), Some(Precision::Seconds));
        assert_eq!(Precision::from_v2_param("ns").unwrap().multiplier(), 1);
        assert_eq!(Precision::from_v2_param("n"), None);
        assert_eq!(Precision::from_v2_param("h"), None);
    }
}
