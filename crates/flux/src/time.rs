//! Time arithmetic on i64 nanoseconds (UTC): Flux durations with calendar months, and
//! Flux's forms of RFC3339 text on top of the shared civil-date code in `edgeflux_types::time`.

use std::fmt::Write as _;

pub use edgeflux_types::time::{NS_PER_DAY, NS_PER_SEC};

/// A Flux duration: calendar months plus nanoseconds, both carrying the same sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    pub months: i64,
    pub nanos: i64,
}

impl Duration {
    pub const fn from_nanos(nanos: i64) -> Duration {
        Duration { months: 0, nanos }
    }
    pub fn is_zero(&self) -> bool {
        self.months == 0 && self.nanos == 0
    }
    pub fn is_negative(&self) -> bool {
        self.months < 0 || self.nanos < 0
    }
    pub fn negated(self) -> Duration {
        Duration {
            months: -self.months,
            nanos: -self.nanos,
        }
    }
    /// Multiplies both parts (saturating).
    pub fn times(self, k: i64) -> Duration {
        Duration {
            months: self.months.saturating_mul(k),
            nanos: self.nanos.saturating_mul(k),
        }
    }
    /// Parses a Flux duration literal such as `1h30m`, `-5mo`, `1y2w`.
    pub fn parse(s: &str) -> Option<Duration> {
        let (neg, body) = match s.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, s),
        };
        if body.is_empty() {
            return None;
        }
        let bytes = body.as_bytes();
        let mut i = 0;
        let mut d = Duration::default();
        while i < bytes.len() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if start == i {
                return None;
            }
            let n: i64 = body[start..i].parse().ok()?;
            let ustart = i;
            while i < bytes.len() && !bytes[i].is_ascii_digit() {
                i += 1;
            }
            let unit = &body[ustart..i];
            let (months, ns): (i64, i64) = match unit {
                "y" => (12, 0),
                "mo" => (1, 0),
                "w" => (0, 7 * NS_PER_DAY),
                "d" => (0, NS_PER_DAY),
                "h" => (0, 3600 * NS_PER_SEC),
                "m" => (0, 60 * NS_PER_SEC),
                "s" => (0, NS_PER_SEC),
                "ms" => (0, 1_000_000),
                "us" | "µs" | "μs" => (0, 1_000),
                "ns" => (0, 1),
                _ => return None,
            };
            d.months = d.months.checked_add(n.checked_mul(months)?)?;
            d.nanos = d.nanos.checked_add(n.checked_mul(ns)?)?;
        }
        Some(if neg { d.negated() } else { d })
    }
}

impl std::fmt::Display for Duration {
    /// Formats like Flux: `1h30m`, `-5m`, `1y2mo`, `0s`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_zero() {
            return f.write_str("0s");
        }
        let mut out = String::new();
        if self.is_negative() {
            out.push('-');
        }
        let mut m = self.months.unsigned_abs();
        let mut n = self.nanos.unsigned_abs();
        if m >= 12 {
            write!(out, "{}y", m / 12)?;
            m %= 12;
        }
        if m > 0 {
            write!(out, "{m}mo")?;
        }
        let units: [(u64, &str); 9] = [
            (7 * NS_PER_DAY as u64, "w"),
            (NS_PER_DAY as u64, "d"),
            (3_600_000_000_000, "h"),
            (60_000_000_000, "m"),
            (1_000_000_000, "s"),
            (1_000_000, "ms"),
            (1_000, "us"),
            (1, "ns"),
            (0, ""),
        ];
        for (size, name) in units {
            if size == 0 {
                break;
            }
            if n >= size {
                write!(out, "{}{}", n / size, name)?;
                n %= size;
            }
        }
        f.write_str(&out)
    }
}

pub use edgeflux_types::time::{
    civil_from_days, days_from_civil, days_in_month, format_rfc3339_nano as format_rfc3339,
    rfc3339_nano as rfc3339,
};

/// Adds a duration to a time, months first (clamping the day like Go's Flux does), then nanoseconds.
pub fn add_duration(t: i64, d: Duration) -> i64 {
    let mut t = t;
    if d.months != 0 {
        let days = t.div_euclid(NS_PER_DAY);
        let rem = t.rem_euclid(NS_PER_DAY);
        let (y, m, day) = civil_from_days(days);
        let total = y * 12 + (m as i64 - 1) + d.months;
        let ny = total.div_euclid(12);
        let nm = (total.rem_euclid(12) + 1) as u32;
        let nd = day.min(days_in_month(ny, nm));
        t = days_from_civil(ny, nm, nd)
            .saturating_mul(NS_PER_DAY)
            .saturating_add(rem);
    }
    t.saturating_add(d.nanos)
}

/// RFC3339 with all nine fraction digits, as Go's `string(v: time)` writes it.
pub fn rfc3339_nano9(t: i64) -> String {
    let mut x = String::new();
    format_rfc3339(t - t.rem_euclid(NS_PER_SEC), &mut x);
    x.pop();
    format!("{x}.{:09}Z", t.rem_euclid(NS_PER_SEC))
}

/// Parses RFC3339 (`2006-01-02T15:04:05.999999999Z07:00`) or, as Flux's `time()` also
/// accepts, a bare date (`2006-01-02`, midnight UTC).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    match edgeflux_types::time::parse_date(s) {
        Some(days) => days.checked_mul(NS_PER_DAY),
        None => {
            // Out-of-range years wrap like Go's UnixNano; Flux's own conversion tests pin it.
            let (secs, nanos) = edgeflux_types::time::parse_rfc3339_parts(s)?;
            Some(secs.wrapping_mul(NS_PER_SEC).wrapping_add(nanos))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2018-05-22T00:00:30Z",
            "2018-05-22T00:00:30.5Z",
            "2016-01-01T23:59:59.000000001Z",
            "1969-12-31T23:59:59.999Z",
            "2024-02-29T12:00:00Z",
        ] {
            let t = parse_rfc3339(s).unwrap();
            assert_eq!(rfc3339(t), s);
        }
        assert_eq!(
            parse_rfc3339("2016-01-01T00:00:00Z"),
            Some(1_451_606_400 * NS_PER_SEC)
        );
        assert_eq!(
            parse_rfc3339("2016-01-01T01:00:00+01:00"),
            Some(1_451_606_400 * NS_PER_SEC)
        );
        assert_eq!(
            parse_rfc3339("2016-01-01"),
            Some(1_451_606_400 * NS_PER_SEC)
        );
        assert_eq!(parse_rfc3339("2016-02-30T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("garbage"), None);
    }

    #[test]
    fn durations_parse_and_print() {
        let d = Duration::parse("1h30m").unwrap();
        assert_eq!(d.nanos, 5400 * NS_PER_SEC);
        assert_eq!(d.to_string(), "1h30m");
        let d = Duration::parse("-1y2mo").unwrap();
        assert_eq!(d.months, -14);
        assert_eq!(d.to_string(), "-1y2mo");
        assert_eq!(Duration::parse("5µs").unwrap().nanos, 5000);
        assert_eq!(Duration::parse("1x"), None);
        assert_eq!(Duration::parse(""), None);
    }

    #[test]
    fn month_arithmetic_clamps_the_day() {
        let t = parse_rfc3339("2024-01-31T06:20:00Z").unwrap();
        let u = add_duration(
            t,
            Duration {
                months: 1,
                nanos: 0,
            },
        );
        assert_eq!(rfc3339(u), "2024-02-29T06:20:00Z");
        let u = add_duration(
            t,
            Duration {
                months: -13,
                nanos: 0,
            },
        );
        assert_eq!(rfc3339(u), "2022-12-31T06:20:00Z");
    }
}
