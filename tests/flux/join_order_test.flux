package flux_test

import "testing"
import "array"

testcase join_emits_tables_in_key_order {
    left = array.from(rows: [{k: "b", id: 1, l: 1}, {k: "a", id: 1, l: 2}]) |> group(columns: ["k"])
    right = array.from(rows: [{id: 1, r: 9}])
    got = join(tables: {left: left, right: right}, on: ["id"]) |> group() |> keep(columns: ["k", "l", "r"])
    want = array.from(rows: [{k: "a", l: 2, r: 9}, {k: "b", l: 1, r: 9}])

    testing.diff(got, want)
}
