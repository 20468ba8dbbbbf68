package flux_test

import "testing"
import "array"
import "internal/debug"
import "timezone"
import "date"
import "math"
import "join"

option now = () => 2021-01-01T00:01:00Z

testcase count_includes_null_values {
    got =
        array.from(rows: [{k: "a", _value: 1.0}, {k: "a", _value: debug.null(type: "float")}, {k: "a", _value: 3.0}])
            |> group(columns: ["k"])
            |> count()
    want = array.from(rows: [{k: "a", _value: 3}]) |> group(columns: ["k"])

    testing.diff(got, want)
}

testcase derivative_initial_zero_turns_decreases_into_zero {
    got =
        array.from(
            rows: [
                {_time: 2021-01-01T00:00:00Z, _value: 10.0},
                {_time: 2021-01-01T00:00:10Z, _value: 20.0},
                {_time: 2021-01-01T00:00:20Z, _value: 5.0},
            ],
        )
            |> derivative(unit: 10s, nonNegative: true, initialZero: true)
    want = array.from(rows: [{_time: 2021-01-01T00:00:10Z, _value: 10.0}, {_time: 2021-01-01T00:00:20Z, _value: 0.0}])

    testing.diff(got, want)
}

testcase key_values_lists_each_pair_once {
    got =
        array.from(
            rows: [
                {m: "cpu", host: "a", dc: "x"},
                {m: "cpu", host: "a", dc: "y"},
                {m: "cpu", host: "b", dc: "x"},
            ],
        )
            |> group(columns: ["m"])
            |> keyValues(keyColumns: ["host", "dc"])
    want =
        array.from(
            rows: [
                {m: "cpu", _key: "host", _value: "a"},
                {m: "cpu", _key: "dc", _value: "x"},
                {m: "cpu", _key: "dc", _value: "y"},
                {m: "cpu", _key: "host", _value: "b"},
            ],
        )
            |> group(columns: ["m"])

    testing.diff(got, want)
}

testcase integral_linear_extends_to_the_range_bounds {
    data =
        array.from(rows: [{_time: 2021-01-01T00:00:10Z, _value: 2.0}, {_time: 2021-01-01T00:00:20Z, _value: 4.0}])
            |> range(start: 2021-01-01T00:00:00Z, stop: 2021-01-01T00:00:30Z)
    // The line through (10s, 2) and (20s, 4) reaches 0 at 0s and 6 at 30s: area 90 value·s.
    got = data |> integral(unit: 1s, interpolate: "linear") |> keep(columns: ["_value"])
    plain = data |> integral(unit: 1s) |> keep(columns: ["_value"])

    testing.diff(got, want: array.from(rows: [{_value: 90.0}]))
    testing.diff(got: plain, want: array.from(rows: [{_value: 30.0}]))
}

testcase display_sorts_labels_and_breaks_long_composites {
    short = display(v: {b: "x", a: [1, 2]})
    long = display(v: {d: 4, c: 3, b: ["k": "v"], a: "s"})
    got = array.from(rows: [{short: short, long: long}])
    want =
        array.from(
            rows: [
                {
                    short: "{a: [1, 2], b: x}",
                    long:
                        "{
    a: s,
    b: [k: v],
    c: 3,
    d: 4
}",
                },
            ],
        )

    testing.diff(got, want)
}

testcase window_cuts_at_a_dst_gap {
    // 2021-03-14 02:00 does not exist in Los Angeles: the 01:30-02:30 window ends at the jump.
    option location = timezone.location(name: "America/Los_Angeles")

    got =
        array.from(rows: [{_time: 2021-03-14T09:45:00Z, _value: 1.0}])
            |> range(start: 2021-03-14T09:00:00Z, stop: 2021-03-14T12:00:00Z)
            |> window(every: 1h, offset: 30m)
            |> keep(columns: ["_start", "_stop", "_value"])
    want =
        array.from(rows: [{_start: 2021-03-14T09:30:00Z, _stop: 2021-03-14T10:00:00Z, _value: 1.0}])
            |> group(columns: ["_start", "_stop"])

    testing.diff(got, want)
}

testcase window_with_a_fixed_location_shifts_the_zero {
    option location = timezone.fixed(offset: -1mo)

    got =
        array.from(rows: [{_time: 2021-05-10T00:00:00Z, _value: 1.0}])
            |> range(start: 2021-01-01T00:00:00Z, stop: 2022-01-01T00:00:00Z)
            |> window(every: 3mo)
            |> keep(columns: ["_start", "_stop", "_value"])
    want =
        array.from(rows: [{_start: 2021-05-01T00:00:00Z, _stop: 2021-08-01T00:00:00Z, _value: 1.0}])
            |> group(columns: ["_start", "_stop"])

    testing.diff(got, want)
}

testcase range_replaces_bounds_that_came_with_the_data {
    input =
        array.from(
            rows: [
                {_start: 2021-01-01T00:00:00Z, _stop: 2021-01-01T00:00:20Z, _time: 2021-01-01T00:00:10Z, _value: 1.0},
                {_start: 2021-01-01T00:00:00Z, _stop: 2021-01-01T00:00:20Z, _time: 2021-01-01T00:00:30Z, _value: 2.0},
            ],
        )
            |> group(columns: ["_start", "_stop"])
    got = input |> range(start: 2021-01-01T00:00:00Z, stop: 2021-01-01T00:01:00Z)
    // A range right after a range keeps their intersection.
    twice =
        input
            |> range(start: 2021-01-01T00:00:00Z, stop: 2021-01-01T00:01:00Z)
            |> range(start: 2021-01-01T00:00:20Z)
    want =
        array.from(
            rows: [
                {_start: 2021-01-01T00:00:00Z, _stop: 2021-01-01T00:01:00Z, _time: 2021-01-01T00:00:10Z, _value: 1.0},
                {_start: 2021-01-01T00:00:00Z, _stop: 2021-01-01T00:01:00Z, _time: 2021-01-01T00:00:30Z, _value: 2.0},
            ],
        )
            |> group(columns: ["_start", "_stop"])

    testing.diff(got, want)
    testing.diff(
        got: twice,
        want:
            array.from(rows: [{_start: 2021-01-01T00:00:20Z, _stop: 2021-01-01T00:01:00Z, _time: 2021-01-01T00:00:30Z, _value: 2.0}])
                |> group(columns: ["_start", "_stop"]),
    )
}

testcase date_functions_read_the_location_clock {
    option location = timezone.fixed(offset: 5h30m)

    t = 2021-03-01T20:00:00Z
    got =
        array.from(
            rows: [
                {
                    hour: date.hour(t: t),
                    day: date.monthDay(t: t),
                    trunc: date.truncate(t: t, unit: 1d),
                    utcHour: date.hour(t: t, location: timezone.utc),
                },
            ],
        )
    want = array.from(rows: [{hour: 1, day: 2, trunc: 2021-03-01T18:30:00Z, utcHour: 20}])

    testing.diff(got, want)
}

testcase date_scale_and_math_extras {
    got =
        array.from(
            rows: [
                {
                    later: date.add(d: date.scale(d: 1mo1h, n: 2), to: 2021-01-01T00:00:00Z),
                    dim: math.dim(x: 3.0, y: 5.0),
                    atan2: math.atan2(y: 1.0, x: 1.0) * 4.0,
                    hypot: math.hypot(p: 3.0, q: 4.0),
                },
            ],
        )
    want = array.from(rows: [{later: 2021-03-01T02:00:00Z, dim: 0.0, atan2: math.pi, hypot: 5.0}])

    testing.diff(got, want)
}

testcase hour_selection_on_the_location_clock {
    option location = timezone.fixed(offset: -8h)

    got =
        array.from(rows: [{_time: 2021-01-01T17:30:00Z, _value: 1}, {_time: 2021-01-01T09:30:00Z, _value: 2}])
            |> hourSelection(start: 9, stop: 9)
    want = array.from(rows: [{_time: 2021-01-01T17:30:00Z, _value: 1}])

    testing.diff(got, want)
}

testcase time_weighted_avg_over_the_range {
    got =
        array.from(rows: [{_time: 2021-01-01T00:00:00Z, _value: 0.0}, {_time: 2021-01-01T00:00:10Z, _value: 10.0}])
            |> range(start: 2021-01-01T00:00:00Z, stop: 2021-01-01T00:00:20Z)
            |> timeWeightedAvg(unit: 1s)
            |> keep(columns: ["_value"])
    // Linear from 0 to 20 over 20 s: an average of 10.
    want = array.from(rows: [{_value: 10.0}])

    testing.diff(got, want)
}

testcase date_add_and_today_follow_the_location_calendar {
    option now = () => 2022-11-06T12:00:00Z
    option location = timezone.location(name: "America/Los_Angeles")

    // The day of the fall-back change lasts 25 hours on that clock.
    got = array.from(rows: [{today: today(), tomorrow: date.add(d: 1d, to: today())}])
    want = array.from(rows: [{today: 2022-11-06T07:00:00Z, tomorrow: 2022-11-07T08:00:00Z}])

    testing.diff(got, want)
}

testcase join_package_outer_join_without_partner_table {
    left = array.from(rows: [{_time: 2021-01-01T00:00:00Z, k: 1, v: 1}]) |> group(columns: ["k"])
    right = array.from(rows: [{_time: 2021-01-01T00:00:00Z, k: 2, w: 0.5}]) |> group(columns: ["k"])
    got =
        join.full(
            left: left,
            right: right,
            on: (l, r) => l._time == r._time,
            as: (l, r) => ({k: if exists l.k then l.k else r.k, v: l.v, w: r.w}),
        )
    // The missing side carries the shared key; every table has every column.
    want =
        array.from(
            rows: [
                {k: 1, v: 1, w: debug.null(type: "float")},
                {k: 2, v: debug.null(type: "int"), w: 0.5},
            ],
        )
            |> group(columns: ["k"])

    testing.diff(got, want)
}

testcase aggregate_window_keys_by_window_bounds_after_group {
    got =
        array.from(rows: [{_time: 2021-01-01T00:00:10Z, host: "a", _value: 1.0}, {_time: 2021-01-01T00:00:20Z, host: "a", _value: 3.0}])
            |> range(start: 2021-01-01T00:00:00Z, stop: 2021-01-01T00:01:00Z)
            |> group(columns: ["host"])
            |> aggregateWindow(every: 1m, fn: sum)
    want =
        array.from(
            rows: [
                {_start: 2021-01-01T00:00:00Z, _stop: 2021-01-01T00:01:00Z, _time: 2021-01-01T00:01:00Z, host: "a", _value: 4.0},
            ],
        )
            |> group(columns: ["host", "_start", "_stop"])

    testing.diff(got, want)
}
