package flux_test

import "testing"
import "array"
import "experimental"

option now = () => 2021-01-01T00:01:00Z

data =
    array.from(
        rows: [
            {_time: 2021-01-01T00:00:00Z, host: "a", region: "east", _value: 1.0},
            {_time: 2021-01-01T00:00:10Z, host: "a", region: "west", _value: 2.0},
            {_time: 2021-01-01T00:00:20Z, host: "a", region: "east", _value: 4.0},
            {_time: 2021-01-01T00:00:00Z, host: "b", region: "east", _value: 8.0},
        ],
    )
        |> group(columns: ["host"])

testcase group_extend_adds_key_columns {
    got = data |> experimental.group(columns: ["region"], mode: "extend") |> experimental.sum()
    want =
        array.from(
            rows: [
                {host: "a", region: "east", _value: 5.0},
                {host: "a", region: "west", _value: 2.0},
                {host: "b", region: "east", _value: 8.0},
            ],
        )
            |> group(columns: ["host", "region"])

    testing.diff(got, want)
}

testcase set_merges_tables_whose_keys_become_equal {
    got = data |> experimental.set(o: {host: "all", n: 1}) |> experimental.count()
    want = array.from(rows: [{host: "all", _value: 4}]) |> group(columns: ["host"])

    testing.diff(got, want)
}

testcase object_keys_in_order {
    keys = experimental.objectKeys(o: {b: 1, a: "x", c: true})
    got = array.from(rows: [{n: length(arr: keys), first: keys[0], last: keys[2]}])
    want = array.from(rows: [{n: 3, first: "b", last: "c"}])

    testing.diff(got, want)
}

testcase unpivot_turns_columns_into_fields {
    got =
        array.from(
            rows: [
                {_time: 2021-01-01T00:00:00Z, m: "cpu", idle: 90.0, user: 10.0},
                {_time: 2021-01-01T00:00:10Z, m: "cpu", idle: 80.0, user: 20.0},
            ],
        )
            |> group(columns: ["m"])
            |> experimental.unpivot()
    want =
        array.from(
            rows: [
                {_time: 2021-01-01T00:00:00Z, m: "cpu", _field: "idle", _value: 90.0},
                {_time: 2021-01-01T00:00:10Z, m: "cpu", _field: "idle", _value: 80.0},
                {_time: 2021-01-01T00:00:00Z, m: "cpu", _field: "user", _value: 10.0},
                {_time: 2021-01-01T00:00:10Z, m: "cpu", _field: "user", _value: 20.0},
            ],
        )
            |> group(columns: ["m", "_field"])

    testing.diff(got, want)
}

testcase unpivot_rejects_field_columns {
    testing.shouldError(
        fn: () => array.from(rows: [{_field: "x", _time: 2021-01-01T00:00:00Z}]) |> experimental.unpivot() |> yield(),
        want: /unpivot can't have "_field" or "_value" as an input column/,
    )
}

testcase diff_marks_removed_and_added_rows {
    want = array.from(rows: [{k: "a", v: 1}, {k: "a", v: 2}, {k: "a", v: 3}]) |> group(columns: ["k"])
    got = array.from(rows: [{k: "a", v: 1}, {k: "a", v: 4}, {k: "a", v: 3}]) |> group(columns: ["k"])
    expected =
        array.from(
            rows: [
                {k: "a", v: 1, _diff: ""},
                {k: "a", v: 2, _diff: "-"},
                {k: "a", v: 4, _diff: "+"},
                {k: "a", v: 3, _diff: ""},
            ],
        )
            |> group(columns: ["k"])

    testing.diff(got: experimental.diff(got: got, want: want), want: expected)
    experimental.diff(got: want, want: want) |> testing.assertEmpty()
}

testcase preview_limits_tables_and_rows {
    got = data |> experimental.preview(nrows: 1, ntables: 1)
    want =
        array.from(rows: [{_time: 2021-01-01T00:00:00Z, host: "a", region: "east", _value: 1.0}])
            |> group(columns: ["host"])

    testing.diff(got, want)
}

testcase catch_returns_the_error {
    caught = experimental.catch(fn: () => die(msg: "boom"))
    fine = experimental.catch(fn: () => 41 + 1)
    got =
        array.from(
            rows: [{boom: caught.msg =~ /boom$/, code: caught.code, value: fine.value, ok: not exists fine.msg}],
        )
    want = array.from(rows: [{boom: true, code: uint(v: 3), value: 42, ok: true}])

    testing.diff(got, want)
}

testcase chain_answers_the_second_stream {
    got = experimental.chain(first: data |> count(), second: data |> experimental.max())
    want =
        array.from(
            rows: [
                {_time: 2021-01-01T00:00:20Z, host: "a", region: "east", _value: 4.0},
                {_time: 2021-01-01T00:00:00Z, host: "b", region: "east", _value: 8.0},
            ],
        )
            |> group(columns: ["host"])

    testing.diff(got, want)
}

testcase align_time_moves_each_table_to_a_common_start {
    got = data |> experimental.alignTime(alignTo: 2020-01-01T00:00:00Z) |> keep(columns: ["_time", "host"])
    want =
        array.from(
            rows: [
                {_time: 2020-01-01T00:00:00Z, host: "a"},
                {_time: 2020-01-01T00:00:10Z, host: "a"},
                {_time: 2020-01-01T00:00:20Z, host: "a"},
                {_time: 2020-01-01T00:00:00Z, host: "b"},
            ],
        )
            |> group(columns: ["host"])

    testing.diff(got, want)
}

testcase join_pairs_rows_with_equal_key_and_time {
    left = array.from(rows: [{_time: 2021-01-01T00:00:00Z, k: "a", l: 1}, {_time: 2021-01-01T00:00:10Z, k: "a", l: 2}]) |> group(columns: ["k"])
    right = array.from(rows: [{_time: 2021-01-01T00:00:10Z, k: "a", r: 20}]) |> group(columns: ["k"])
    got = experimental.join(left: left, right: right, fn: (left, right) => ({left with r: right.r}))
    want = array.from(rows: [{_time: 2021-01-01T00:00:10Z, k: "a", l: 2, r: 20}]) |> group(columns: ["k"])

    testing.diff(got, want)
}

testcase quantile_estimates_like_a_tdigest {
    got = data |> group() |> quantile(q: 0.75) |> keep(columns: ["_value"])
    // Four values, each its own centroid: 0.75·4 = 3 lies halfway between the midpoints of 4.0 and 8.0.
    want = array.from(rows: [{_value: 6.0}])

    testing.diff(got, want)
    testing.diff(got: data |> group() |> median(method: "exact_mean") |> keep(columns: ["_value"]), want: array.from(rows: [{_value: 3.0}]))
}
