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

testcase check_turns_rows_into_statuses {
    got =
        array.from(rows: [{_time: 2021-01-01T00:00:00Z, _measurement: "cpu", host: "a", idle: 3.0}, {_time: 2021-01-01T00:01:00Z, _measurement: "cpu", host: "a", idle: 50.0}])
            |> group(columns: ["_measurement", "host"])
            |> monitor.check(
                data: {_check_id: "c1", _check_name: "idle", _type: "threshold", tags: {team: "ops"}},
                messageFn: (r) => "idle ${r.idle}",
                crit: (r) => r.idle < 5.0,
            )
            |> keep(columns: ["_measurement", "_source_measurement", "_level", "_message", "team", "host", "_source_timestamp", "_time", "_check_id"])
    want =
        array.from(
            rows: [
                {
                    _measurement: "statuses",
                    _source_measurement: "cpu",
                    _level: "crit",
                    _message: "idle 3",
                    team: "ops",
                    host: "a",
                    _source_timestamp: 1609459200000000000,
                    _time: 2021-01-01T00:10:00Z,
                    _check_id: "c1",
                },
                {
                    _measurement: "statuses",
                    _source_measurement: "cpu",
                    _level: "ok",
                    _message: "idle 50",
                    team: "ops",
                    host: "a",
                    _source_timestamp: 1609459260000000000,
                    _time: 2021-01-01T00:10:00Z,
                    _check_id: "c1",
                },
            ],
        )
            |> group(columns: ["_measurement", "host", "team", "_source_measurement", "_check_id", "_level"])

    testing.diff(got, want)
}
