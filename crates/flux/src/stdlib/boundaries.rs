//! `experimental/date/boundaries`: `{start, stop}` of yesterday, of the last given weekday,
//! of a week or of a month, counted from `today()` on the `location` clock.

use super::packages::{add_in, date_location, record, truncate_in};
use crate::error::Result;
use crate::eval::{Args, Interp};
use crate::time::{Duration, NS_PER_DAY};
use crate::value::Value;

const DAY: Duration = Duration {
    months: 0,
    nanos: NS_PER_DAY,
};
const WEEK: Duration = Duration {
    months: 0,
    nanos: 7 * NS_PER_DAY,
};

fn bounds(start: i64, stop: i64) -> Value {
    record(vec![
        ("start", Value::Time(start)),
        ("stop", Value::Time(stop)),
    ])
}

/// Sunday = 0 … Saturday = 6, of the local clock reading `local`.
fn weekday(local: i64) -> i64 {
    (local.div_euclid(NS_PER_DAY) + 4).rem_euclid(7)
}

/// Midnight of the most recent `weekday` strictly before the day `offset` from today (a
/// week back when that day already is one).
fn last_weekday(i: &Interp, a: &Args, weekday_wanted: i64, offset: Duration) -> Result<i64> {
    let loc = date_location(i, a)?;
    let today = truncate_in(&loc, i.now, DAY);
    let day = add_in(&loc, today, offset);
    let current = weekday(loc.to_local(day));
    let back = if current == weekday_wanted {
        7
    } else if current == 0 {
        7 - weekday_wanted
    } else if weekday_wanted >= current {
        7 - (weekday_wanted - current)
    } else {
        current - weekday_wanted
    };
    let earlier = add_in(&loc, day, Duration::from_nanos(-back * NS_PER_DAY));
    Ok(truncate_in(&loc, earlier, DAY))
}

pub fn yesterday(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let loc = date_location(i, a)?;
    let today = truncate_in(&loc, i.now, DAY);
    Ok(bounds(add_in(&loc, today, DAY.negated()), today))
}

macro_rules! weekday_fn {
    ($name:ident, $n:expr) => {
        pub fn $name(i: &mut Interp, a: &mut Args) -> Result<Value> {
            let start = last_weekday(i, a, $n, Duration::default())?;
            Ok(bounds(start, add_in(&date_location(i, a)?, start, DAY)))
        }
    };
}
weekday_fn!(sunday, 0);
weekday_fn!(monday, 1);
weekday_fn!(tuesday, 2);
weekday_fn!(wednesday, 3);
weekday_fn!(thursday, 4);
weekday_fn!(friday, 5);
weekday_fn!(saturday, 6);

/// `month(month_offset: 0)`: the current month, or one `month_offset` months away.
pub fn month(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let loc = date_location(i, a)?;
    let n = a.int_or("month_offset", 0)?;
    let this = truncate_in(
        &loc,
        i.now,
        Duration {
            months: 1,
            nanos: 0,
        },
    );
    let start = add_in(
        &loc,
        this,
        Duration {
            months: n,
            nanos: 0,
        },
    );
    Ok(bounds(
        start,
        add_in(
            &loc,
            start,
            Duration {
                months: 1,
                nanos: 0,
            },
        ),
    ))
}

/// `week(week_offset: 0, start_sunday: false)`: the current week (from Monday or Sunday),
/// or one `week_offset` weeks away.
pub fn week(i: &mut Interp, a: &mut Args) -> Result<Value> {
    let loc = date_location(i, a)?;
    let n = a.int_or("week_offset", 0)?;
    let first = if a.bool_or("start_sunday", false)? {
        0
    } else {
        1
    };
    let offset = Duration::from_nanos(n.saturating_mul(WEEK.nanos));
    let mut start = last_weekday(i, a, first, offset)?;
    let today = truncate_in(&loc, i.now, DAY);
    if weekday(loc.to_local(today)) == weekday(loc.to_local(start)) {
        start = add_in(&loc, start, WEEK);
    }
    Ok(bounds(start, add_in(&loc, start, WEEK)))
}
