//! RFC 3339 times as InfluxDB writes and reads them (`createdAt`, `now`, delete ranges),
//! without a calendar crate: the civil-date conversions are a few lines.

/// Days since 1970-01-01 for a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// RFC3339Nano in UTC with trailing zeros of the fraction trimmed (Go's format).
pub fn format_rfc3339_nano(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let frac = ns.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut out = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    );
    if frac != 0 {
        let f = format!("{frac:09}");
        out.push('.');
        out.push_str(f.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Parses an RFC 3339 date-time (`2020-01-01T00:00:00Z`, fractions, `±hh:mm` offsets)
/// into nanoseconds since the epoch. None when malformed or out of range.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac: i64 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = &text[start..i];
        if digits.is_empty() || digits.len() > 9 {
            return None;
        }
        frac = digits.parse::<i64>().ok()? * 10i64.pow(9 - digits.len() as u32);
    }
    let offset_secs = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        c @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            let v = oh * 3600 + om * 60;
            if *c == b'+' {
                v
            } else {
                -v
            }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    let secs = days * 86_400 + h * 3600 + mi * 60 + s - offset_secs;
    secs.checked_mul(1_000_000_000)?.checked_add(frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go_rfc3339nano() {
        assert_eq!(format_rfc3339_nano(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_rfc3339_nano(1_678_886_400_500_000_000),
            "2023-03-15T13:20:00.5Z"
        );
        assert_eq!(format_rfc3339_nano(-1), "1969-12-31T23:59:59.999999999Z");
        assert_eq!(
            format_rfc3339_nano(951_782_400_000_000_000),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn parses_what_it_formats_and_offsets() {
        for ns in [
            0,
            1,
            -1,
            1_678_886_400_123_456_789,
            4_102_444_800_000_000_000,
        ] {
            assert_eq!(parse_rfc3339(&format_rfc3339_nano(ns)), Some(ns));
        }
        assert_eq!(
            parse_rfc3339("2023-03-15T14:20:00+01:00"),
            parse_rfc3339("2023-03-15T13:20:00Z")
        );
        assert_eq!(parse_rfc3339("2023-03-15"), None);
        assert_eq!(parse_rfc3339("2023-13-15T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2023-03-15T00:00:00"), None);
        assert_eq!(parse_rfc3339("2023-03-15T00:00:00Zjunk"), None);
        assert_eq!(
            parse_rfc3339("9999-03-15T00:00:00Z"),
            None,
            "out of i64 ns range"
        );
    }
}
