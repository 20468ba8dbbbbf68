//! Civil-date arithmetic and RFC 3339 text, shared by the API (`createdAt`, `now`,
//! delete ranges), Flux (time values, annotated CSV) and the Flux parser (date-time
//! literals). No calendar crate: the conversions are a few lines, and this keeps the core
//! small on wasm.

use std::fmt::Write as _;

pub const NS_PER_SEC: i64 = 1_000_000_000;
pub const NS_PER_DAY: i64 = 86_400 * NS_PER_SEC;

/// Days since 1970-01-01 → (year, month 1..=12, day 1..=31), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
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
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn is_leap_year(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap_year(y) => 29,
        _ => 28,
    }
}

/// Appends RFC3339Nano in UTC with the fraction's trailing zeros trimmed, as InfluxDB
/// writes times (`2018-05-22T00:00:30Z`, `2023-03-15T13:20:00.5Z`).
pub fn format_rfc3339_nano(ns: i64, out: &mut String) {
    let days = ns.div_euclid(NS_PER_DAY);
    let rem = ns.rem_euclid(NS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let secs = rem / NS_PER_SEC;
    let nanos = rem % NS_PER_SEC;
    let (hh, mm, ss) = (secs / 3600, (secs / 60) % 60, secs % 60);
    // Digits are written directly: annotated CSV formats three times per row, and going
    // through `fmt` made that the largest cost of encoding a result.
    if (0..=9999).contains(&y) {
        push_digits(out, y as u32, 4);
    } else {
        let _ = write!(out, "{y}");
    }
    out.push('-');
    push_digits(out, m, 2);
    out.push('-');
    push_digits(out, d, 2);
    out.push('T');
    push_digits(out, hh as u32, 2);
    out.push(':');
    push_digits(out, mm as u32, 2);
    out.push(':');
    push_digits(out, ss as u32, 2);
    if nanos != 0 {
        let mut frac = nanos as u32;
        let mut width = 9;
        while frac.is_multiple_of(10) {
            frac /= 10;
            width -= 1;
        }
        out.push('.');
        push_digits(out, frac, width);
    }
    out.push('Z');
}

/// Appends `v` as exactly `width` decimal digits (zero-padded; `v < 10^width`).
fn push_digits(out: &mut String, v: u32, width: u32) {
    let mut buf = [b'0'; 10];
    let mut v = v;
    let width = (width as usize).min(buf.len());
    for b in buf[..width].iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
    // ASCII digits: always valid UTF-8.
    out.push_str(std::str::from_utf8(&buf[..width]).unwrap_or_default());
}

/// [`format_rfc3339_nano`] into a new string.
pub fn rfc3339_nano(ns: i64) -> String {
    let mut out = String::with_capacity(30);
    format_rfc3339_nano(ns, &mut out);
    out
}

/// Parses an RFC 3339 date-time (`2006-01-02T15:04:05.999999999Z07:00`: `T`, `t` or a
/// space between date and time, up to nine fraction digits, `Z` or `±hh:mm`) into
/// nanoseconds since the epoch. `None` when malformed (including a day the month does not
/// have) or outside the i64 nanosecond range.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let (secs, nanos) = parse_rfc3339_parts(text)?;
    // i128: near i64::MIN the whole seconds overflow before the fraction brings them back.
    i64::try_from(i128::from(secs) * i128::from(NS_PER_SEC) + i128::from(nanos)).ok()
}

/// [`parse_rfc3339`] before the range check: whole seconds since the epoch and the
/// nanosecond fraction (0..1e9), for callers with their own out-of-range rule.
pub fn parse_rfc3339_parts(text: &str) -> Option<(i64, i64)> {
    let b = text.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let days = parse_date(text.get(..10)?)?;
    let (hh, mi, ss) = (
        digits(text, 11..13)?,
        digits(text, 14..16)?,
        digits(text, 17..19)?,
    );
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
        let frac = &text[start..i];
        if frac.is_empty() || frac.len() > 9 {
            return None;
        }
        nanos = frac.parse::<i64>().ok()? * 10i64.pow(9 - frac.len() as u32);
    }
    let offset_secs = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let o = digits(text, i + 1..i + 3)? * 3600 + digits(text, i + 4..i + 6)? * 60;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    Some((
        days * 86_400 + hh * 3600 + mi * 60 + ss - offset_secs,
        nanos,
    ))
}

/// Parses a bare `YYYY-MM-DD` into days since the epoch.
pub fn parse_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (
        digits(text, 0..4)?,
        digits(text, 5..7)?,
        digits(text, 8..10)?,
    );
    let (m, d) = (u32::try_from(m).ok()?, u32::try_from(d).ok()?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn digits(text: &str, range: std::ops::Range<usize>) -> Option<i64> {
    let part = text.get(range)?;
    if part.is_empty() || !part.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_influxdb() {
        assert_eq!(rfc3339_nano(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339_nano(1_678_886_400_500_000_000),
            "2023-03-15T13:20:00.5Z"
        );
        assert_eq!(rfc3339_nano(-1), "1969-12-31T23:59:59.999999999Z");
        assert_eq!(
            rfc3339_nano(951_782_400_000_000_000),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(rfc3339_nano(1_000_000_010), "1970-01-01T00:00:01.00000001Z");
        assert_eq!(rfc3339_nano(i64::MIN), "1677-09-21T00:12:43.145224192Z");
        assert_eq!(rfc3339_nano(i64::MAX), "2262-04-11T23:47:16.854775807Z");
    }

    #[test]
    fn formatting_round_trips_through_the_parser() {
        let mut t: i64 = 0x1234_5678_9abc_def1;
        for _ in 0..20_000 {
            // xorshift: times over the whole range, with and without fractions
            t ^= t << 13;
            t ^= t >> 7;
            t ^= t << 17;
            for ns in [t, t - t.rem_euclid(NS_PER_SEC), t / 1000 * 1000] {
                let text = rfc3339_nano(ns);
                assert_eq!(parse_rfc3339(&text), Some(ns), "{text}");
                let trimmed = !text.contains('.') || !text.ends_with("0Z");
                assert!(trimmed && !text.contains(".Z"), "{text}");
            }
        }
    }

    #[test]
    fn parses_offsets_fractions_and_rejects_bad_dates() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01t00:00:00.25z"), Some(250_000_000));
        assert_eq!(
            parse_rfc3339("2000-02-29 00:00:00Z"),
            Some(951_782_400_000_000_000)
        );
        assert_eq!(parse_rfc3339("2001-02-29T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2001-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2001-01-01T00:00:00"), None);
        assert_eq!(parse_rfc3339("2001-01-01T00:00:00.Z"), None);
        assert_eq!(parse_rfc3339("2001-01-01"), None);
        assert_eq!(parse_rfc3339("9999-01-01T00:00:00Z"), None, "beyond i64 ns");
        assert_eq!(parse_rfc3339("2023-03-15T00:00:00Zjunk"), None);
        assert_eq!(parse_date("2001-01-02"), Some(11_324));
        for ns in [0, -1, 1_678_886_400_500_000_000, i64::MAX, i64::MIN + 1] {
            assert_eq!(parse_rfc3339(&rfc3339_nano(ns)), Some(ns), "{ns}");
        }
    }

    #[test]
    fn civil_round_trips_every_day_of_four_centuries() {
        for day in -146_097..146_097 {
            let (y, m, d) = civil_from_days(day);
            assert!(d <= days_in_month(y, m));
            assert_eq!(days_from_civil(y, m, d), day);
        }
    }
}
