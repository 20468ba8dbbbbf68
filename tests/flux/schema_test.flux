package flux_test

import "testing"
import "array"
import "influxdata/influxdb/schema"

option now = () => 2021-01-01T01:00:00Z

option schema._from = (bucket) =>
    array.from(
        rows: [
            {_time: 2021-01-01T00:00:00Z, _measurement: "cpu", _field: "idle", host: "a", _value: 1.0},
            {_time: 2021-01-01T00:00:10Z, _measurement: "cpu", _field: "user", host: "b", _value: 2.0},
            {_time: 2021-01-01T00:00:20Z, _measurement: "mem", _field: "used", host: "c", _value: 3.0},
            {_time: 2020-01-01T00:00:00Z, _measurement: "old", _field: "gone", host: "z", _value: 4.0},
        ],
    )
        |> group(columns: ["_measurement", "_field", "host"])

testcase tag_values_follow_range_and_predicate {
    got =
        schema.tagValues(bucket: "b", tag: "host", predicate: (r) => r._field != "user", start: -1d)
            |> sort()
    want = array.from(rows: [{_value: "a"}, {_value: "c"}])

    testing.diff(got, want)
}

testcase measurement_variants_and_keys {
    fields = schema.measurementFieldKeys(bucket: "b", measurement: "cpu", start: -1d) |> sort()
    keys =
        schema.tagKeys(bucket: "b", start: -1d)
            |> filter(fn: (r) => r._value != "_start" and r._value != "_stop")
            |> sort()

    testing.diff(got: fields, want: array.from(rows: [{_value: "idle"}, {_value: "user"}]))
    testing.diff(
        got: keys,
        want: array.from(rows: [{_value: "_field"}, {_value: "_measurement"}, {_value: "host"}]),
    )
    testing.diff(
        got: schema.measurements(bucket: "b", start: -1d) |> sort(),
        want: array.from(rows: [{_value: "cpu"}, {_value: "mem"}]),
    )
}
