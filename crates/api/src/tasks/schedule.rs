//! When a task runs: `every` (fixed intervals aligned to the Unix epoch, so `every: 1h`
//! saved at 2:30 first runs at 3:00, as in InfluxDB) or `cron` (5 or 6 fields, the
//! `@hourly`-style descriptors and `@every <duration>`), both in UTC. The offset only
//! delays a run; the run's `now()` stays the scheduled time.

use edgeflux_types::time::{civil_from_days, days_from_civil};

const SECOND: i64 = 1_000_000_000;

/// A task's schedule.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// Nanoseconds, at least one second.
    Every(i64),
    Cron(Box<Cron>),
}

impl Schedule {
    /// The first scheduled time strictly after `t` (nanoseconds), if any within ~5 years.
    pub fn next_after(&self, t: i64) -> Option<i64> {
        match self {
            Schedule::Every(every) => t.div_euclid(*every).checked_add(1)?.checked_mul(*every),
            Schedule::Cron(c) => c.next_after(t),
        }
    }
}

/// A duration as Go's `time.ParseDuration` reads it (the only units InfluxDB accepts in
/// task options: `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`, optionally signed), in nanoseconds.
pub fn parse_go_duration(text: &str) -> Option<i64> {
    let (neg, mut rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        let unit = match &rest[..unit_len] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => SECOND,
            "m" => 60 * SECOND,
            "h" => 3600 * SECOND,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    Some(if neg { -total } else { total })
}

/// Go's `time.Duration.String()` (`5m0s`, `1h0m0s`, `1.5s`): how InfluxDB shows an offset.
pub fn go_duration_string(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let sign = if ns < 0 { "-" } else { "" };
    let u = ns.unsigned_abs();
    if u < SECOND as u64 {
        let (div, unit) = match u {
            u if u < 1_000 => (1, "ns"),
            u if u < 1_000_000 => (1_000, "µs"),
            _ => (1_000_000, "ms"),
        };
        return format!("{sign}{}{unit}", decimal(u, div));
    }
    let h = u / (3600 * SECOND as u64);
    let m = u / (60 * SECOND as u64) % 60;
    let s = u % (60 * SECOND as u64);
    let secs = format!("{}s", decimal(s, SECOND as u64));
    match (h, m) {
        (0, 0) => format!("{sign}{secs}"),
        (0, m) => format!("{sign}{m}m{secs}"),
        (h, m) => format!("{sign}{h}h{m}m{secs}"),
    }
}

/// `v / div` with the fraction's trailing zeros trimmed.
fn decimal(v: u64, div: u64) -> String {
    let whole = v / div;
    let frac = v % div;
    if frac == 0 {
        return whole.to_string();
    }
    let width = div.ilog10() as usize;
    let f = format!("{frac:0width$}");
    format!("{whole}.{}", f.trim_end_matches('0'))
}

/// A parsed cron expression: one bit per allowed value of each field.
#[derive(Debug, Clone, PartialEq)]
pub struct Cron {
    seconds: u64,
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    /// `*`/`?` in day-of-month or day-of-week: then both must match, else either.
    day_star: bool,
}

impl Cron {
    fn matches_day(&self, day: u32, weekday: u32) -> bool {
        let d = self.days & (1 << day) != 0;
        let w = self.weekdays & (1 << weekday) != 0;
        if self.day_star {
            d && w
        } else {
            d || w
        }
    }

    /// The first matching second strictly after `t` (nanoseconds), searched ~5 years ahead.
    pub fn next_after(&self, t: i64) -> Option<i64> {
        let mut s = t.div_euclid(SECOND) + 1;
        let limit = s + 5 * 366 * 86_400;
        while s < limit {
            let days = s.div_euclid(86_400);
            let sod = s.rem_euclid(86_400);
            let (y, m, d) = civil_from_days(days);
            if self.months & (1 << m) == 0 {
                let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                s = days_from_civil(ny, nm, 1) * 86_400;
                continue;
            }
            // 1970-01-01 was a Thursday (4).
            let weekday = (days + 4).rem_euclid(7) as u32;
            if !self.matches_day(d, weekday) {
                s = (days + 1) * 86_400;
                continue;
            }
            let (h, mi, se) = (sod / 3600, sod / 60 % 60, sod % 60);
            if self.hours & (1 << h) == 0 {
                s = days * 86_400 + (h + 1) * 3600;
            } else if self.minutes & (1 << mi) == 0 {
                s = days * 86_400 + h * 3600 + (mi + 1) * 60;
            } else if self.seconds & (1 << se) == 0 {
                s += 1;
            } else {
                return s.checked_mul(SECOND);
            }
        }
        None
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// Parses a task's `cron` option. Errors read like robfig/cron's, which InfluxDB wraps
/// as `cron invalid: ...`.
pub fn parse_cron(spec: &str) -> Result<Schedule, String> {
    let spec = spec.trim();
    if let Some(d) = spec.strip_prefix('@') {
        let full = match d {
            "yearly" | "annually" => "0 0 0 1 1 *",
            "monthly" => "0 0 0 1 * *",
            "weekly" => "0 0 0 * * 0",
            "daily" | "midnight" => "0 0 0 * * *",
            "hourly" => "0 0 * * * *",
            _ => {
                let every = d
                    .strip_prefix("every ")
                    .ok_or_else(|| format!("unrecognized descriptor: {spec}"))?;
                let ns = parse_go_duration(every.trim())
                    .filter(|n| *n >= SECOND)
                    .ok_or_else(|| format!("failed to parse duration {spec}"))?;
                return Ok(Schedule::Every(ns));
            }
        };
        return parse_cron(full);
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    let fields: Vec<&str> = match fields.len() {
        5 => std::iter::once("0").chain(fields).collect(),
        6 => fields,
        n => return Err(format!("Expected 5 or 6 fields, found {n}: {spec}")),
    };
    let star = |f: &str| f == "*" || f == "?";
    Ok(Schedule::Cron(Box::new(Cron {
        seconds: field(fields[0], 0, 59, &[])?,
        minutes: field(fields[1], 0, 59, &[])?,
        hours: field(fields[2], 0, 23, &[])?,
        days: field(fields[3], 1, 31, &[])?,
        months: field(fields[4], 1, 12, &MONTHS)?,
        weekdays: {
            let w = field(fields[5], 0, 7, &WEEKDAYS)?;
            // 7 is Sunday too.
            (w | (w >> 7)) & 0x7f
        },
        day_star: star(fields[3]) || star(fields[5]),
    })))
}

/// One cron field: `*`, `?`, `a`, `a-b`, each optionally `/step`, comma-separated.
fn field(text: &str, min: u32, max: u32, names: &[&str]) -> Result<u64, String> {
    let mut bits = 0u64;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<u32>()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("Failed to parse int from {s}"))?,
            ),
            None => (part, 1),
        };
        let value = |v: &str| -> Result<u32, String> {
            let lower = v.to_ascii_lowercase();
            if let Some(i) = names.iter().position(|n| *n == lower) {
                return Ok(i as u32 + min);
            }
            v.parse::<u32>()
                .map_err(|_| format!("Failed to parse int from {v}"))
        };
        let (lo, hi) = if range == "*" || range == "?" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a)?, value(b)?)
        } else {
            let v = value(range)?;
            (v, if part.contains('/') { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return Err(format!(
                "Beginning of range ({lo}) beyond end of range ({hi}) or outside {min}-{max}: {part}"
            ));
        }
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgeflux_types::time::{parse_rfc3339, rfc3339_nano};

    fn at(text: &str) -> i64 {
        parse_rfc3339(text).unwrap()
    }

    #[test]
    fn go_durations_parse_and_print_like_go() {
        assert_eq!(parse_go_duration("1h30m"), Some(5400 * SECOND));
        assert_eq!(parse_go_duration("-5m"), Some(-300 * SECOND));
        assert_eq!(parse_go_duration("0"), Some(0));
        assert_eq!(parse_go_duration("1d"), None);
        assert_eq!(parse_go_duration("1mo"), None);
        assert_eq!(parse_go_duration("h"), None);
        assert_eq!(go_duration_string(300 * SECOND), "5m0s");
        assert_eq!(go_duration_string(3600 * SECOND), "1h0m0s");
        assert_eq!(go_duration_string(1_500_000_000), "1.5s");
        assert_eq!(go_duration_string(-2 * SECOND), "-2s");
        assert_eq!(go_duration_string(1_500_000), "1.5ms");
    }

    #[test]
    fn every_aligns_to_the_epoch() {
        let s = Schedule::Every(3600 * SECOND);
        let next = s.next_after(at("2024-05-01T02:30:00Z")).unwrap();
        assert_eq!(rfc3339_nano(next), "2024-05-01T03:00:00Z");
        let again = s.next_after(next).unwrap();
        assert_eq!(rfc3339_nano(again), "2024-05-01T04:00:00Z");
    }

    #[test]
    fn cron_fields_steps_names_and_descriptors() {
        let next = |spec: &str, t: &str| {
            rfc3339_nano(
                parse_cron(spec)
                    .unwrap()
                    .next_after(at(t))
                    .expect("a next time"),
            )
        };
        assert_eq!(
            next("*/15 * * * *", "2024-05-01T02:31:10Z"),
            "2024-05-01T02:45:00Z"
        );
        assert_eq!(
            next("0 9 * * MON-FRI", "2024-05-03T10:00:00Z"),
            "2024-05-06T09:00:00Z"
        );
        assert_eq!(
            next("0 0 1 jan *", "2024-05-03T10:00:00Z"),
            "2025-01-01T00:00:00Z"
        );
        assert_eq!(
            next("30 * * * * *", "2024-05-01T00:00:30Z"),
            "2024-05-01T00:01:30Z"
        );
        assert_eq!(
            next("0 0 29 2 *", "2025-01-01T00:00:00Z"),
            "2028-02-29T00:00:00Z"
        );
        assert_eq!(
            next("@hourly", "2024-05-01T02:31:10Z"),
            "2024-05-01T03:00:00Z"
        );
        assert_eq!(
            next("0 0 * * 7", "2024-05-01T00:00:00Z"),
            "2024-05-05T00:00:00Z"
        );
        assert_eq!(
            parse_cron("@every 10s").unwrap(),
            Schedule::Every(10 * SECOND)
        );
        assert!(parse_cron("0 0 30 2 *").unwrap().next_after(0).is_none());
        assert_eq!(
            parse_cron("* * *").unwrap_err(),
            "Expected 5 or 6 fields, found 3: * * *"
        );
        assert!(parse_cron("61 * * * *").is_err());
        assert!(parse_cron("x * * * *").is_err());
        assert!(parse_cron("*/0 * * * *").is_err());
        assert!(parse_cron("@sometimes").is_err());
    }
}
