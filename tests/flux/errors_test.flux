package flux_test

import "testing"
import "array"

testcase errors_are_reported {
    testing.shouldError(fn: () => array.from(rows: [{a: 1}]) |> map(fn: (r) => ({r with b: r.a / 0})) |> yield(), want: /divide by zero/)
    testing.shouldError(fn: () => die(msg: "boom"), want: /boom/)
    testing.shouldError(fn: () => from(bucket: "b") |> filter(fn: (r) => true) |> yield(), want: /unbounded/)
    testing.shouldError(fn: () => array.from(rows: [{a: 1}]) |> limit(), want: /missing required argument n/)
}

testcase assert_empty {
    array.from(rows: [{a: 1}]) |> filter(fn: (r) => r.a > 5) |> testing.assertEmpty()
}
