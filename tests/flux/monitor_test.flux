package flux_test

import "testing"
import "array"
import "influxdata/influxdb/monitor"

option now = () => 2021-01-01T00:10:00Z

statuses =
    array.from(
        rows: [
            {_time: 2021-01-01T00:00:00Z, _source_timestamp: 1, host: "a", _level: "ok"},
            {_time: 2021-01-01T00:01:00Z, _source_timestamp: 2, host: "a", _level: "warn"},
            {_time: 2021-01-01T00:02:00Z, _source_timestamp: 3, host: "a", _level: "warn"},
            {_time: 2021-01-01T00:03:00Z, _source_timestamp: 4, host: "a", _level: "crit"},
            {_time: 2021-01-01T00:04:00Z, _source_timestamp: 5, host: "a", _level: "ok"},
        ],
    )
        |> group(columns: ["host", "_level"])

testcase state_changes_any_and_to_a_level {
    any = statuses |> monitor.stateChanges() |> keep(columns: ["_time", "host", "_level"])
    toCrit = statuses |> monitor.stateChanges(toLevel: "crit") |> keep(columns: ["_time", "_level"])

    testing.diff(
        got: any,
        want:
            array.from(
                rows: [
                    {_time: 2021-01-01T00:01:00Z, host: "a", _level: "warn"},
                    {_time: 2021-01-01T00:03:00Z, host: "a", _level: "crit"},
                    {_time: 2021-01-01T00:04:00Z, host: "a", _level: "ok"},
                ],
            )
                |> group(columns: ["host", "_level"]),
    )
    testing.diff(
        got: toCrit,
        want: array.from(rows: [{_time: 2021-01-01T00:03:00Z, _level: "crit"}]) |> group(columns: ["_level"]),
    )
}

testcase deadman_marks_series_silent_since_t {
    got =
        array.from(rows: [{_time: 2021-01-01T00:01:00Z, host: "a"}, {_time: 2021-01-01T00:08:00Z, host: "b"}])
            |> group(columns: ["host"])
            |> monitor.deadman(t: 2021-01-01T00:05:00Z)
    want =
        array.from(rows: [{_time: 2021-01-01T00:01:00Z, host: "a", dead: true}, {_time: 2021-01-01T00:08:00Z, host: "b", dead: false}])
            |> group(columns: ["host"])

    testing.diff(got, want)
}
