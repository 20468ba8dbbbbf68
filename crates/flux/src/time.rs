//! Time arithmetic on i64 nanoseconds (UTC): RFC3339 formatting and parsing, and Flux
//! durations with calendar months. Written by hand because it sits on the hot path of the
//! CSV encoder and window boundaries.

use std::fmt::Write as _;

pub const NS_PER_SEC: i64 = 1_000_000_000;
pub const NS_PER_DAY: i64 = 86_400 * NS_PER_SEC;

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

/// Days since 1970-01-01 → (year, month 1..=12, day 1..=31). Howard Hinnant's algorithm.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) → days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

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

/// RFC3339 with nanoseconds, trailing zeros trimmed, always UTC (`Z`).
pub fn format_rfc3339(t: i64, out: &mut String) {
    let days = t.div_euclid(NS_PER_DAY);
    let rem = t.rem_euclid(NS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let secs = rem / NS_PER_SEC;
    let nanos = rem % NS_PER_SEC;
    let (hh, mm, ss) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if (0..=9999).contains(&y) {
        let _ = write!(out, "{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}");
    } else {
        let _ = write!(out, "{y}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}");
    }
    if nanos != 0 {
        let mut frac = format!("{nanos:09}");
        while frac.ends_with('0') {
            frac.pop();
        }
        out.push('.');
        out.push_str(&frac);
    }
    out.push('Z');
}

/// RFC3339 with all nine fraction digits, as Go's `string(v: time)` writes it.
pub fn rfc3339_nano9(t: i64) -> String {
    let mut x = String::new();
    format_rfc3339(t - t.rem_euclid(NS_PER_SEC), &mut x);
    x.pop();
    format!("{x}.{:09}Z", t.rem_euclid(NS_PER_SEC))
}

pub fn rfc3339(t: i64) -> String {
    let mut s = String::with_capacity(30);
    format_rfc3339(t, &mut s);
    s
}

/// Parses RFC3339 (`2006-01-02T15:04:05.999999999Z07:00`) or a bare date (`2006-01-02`, UTC).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.is_empty() || !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = num(0..4)?;
    let mo = num(5..7)? as u32;
    let d = num(8..10)? as u32;
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    if b.len() == 10 {
        return days.checked_mul(NS_PER_DAY);
    }
    if b.len() < 20
        || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let hh = num(11..13)?;
    let mi = num(14..16)?;
    let ss = num(17..19)?;
    if hh > 23 || mi > 59 || ss > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = &s[start..i];
        if digits.is_empty() || digits.len() > 9 {
            return None;
        }
        nanos = digits.parse::<i64>().ok()? * 10i64.pow(9 - digits.len() as u32);
    }
    let offset_secs = match b.get(i) {
        Some(b'Z') | Some(b'z') if i + 1 == b.len() => 0,
        Some(c @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            let o = oh * 3600 + om * 60;
            if *c == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    let secs = days * 86_400 + hh * 3600 + mi * 60 + ss - offset_secs;
    // Out-of-range years wrap like Go's UnixNano.
    Some(secs.wrapping_mul(NS_PER_SEC).wrapping_add(nanos))
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
