package flux_test

import "testing"
import "array"

testcase errors_are_reported {
    testing.shouldError(fn: () => array.from(rows: [{a: 1}]) |> map(fn: (r) => ({r with b: r.a / 0})) |> yield(), want: /divide by zero/)
    testing.shouldError(fn: () => die(msg: "boom"), want: /boom/)
    testing.shouldError(fn: () => from(bucket: "b") |> filter(fn: (r) => true) |> yield(), want: /unbounded/)
    testing.shouldError(
        fn: () =>
            array.from(rows: [{_time: 2020-01-01T00:00:00Z, _value: 1.0}])
                |> range(start: 2020-01-01T00:00:00Z, stop: 2020-01-02T00:00:00Z)
                |> aggregateWindow(every: 1ms, fn: mean)
                |> yield(),
        want: /more than 1000000 windows/,
    )
}

testcase assert_empty {
    array.from(rows: [{a: 1}]) |> filter(fn: (r) => r.a > 5) |> testing.assertEmpty()
}
