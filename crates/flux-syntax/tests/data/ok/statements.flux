package main

import "array"
import "influxdata/influxdb/v1"
import s "strings"

option now = () => 2020-01-01T00:00:00Z
option alert.severity = ["low", "critical"]

builtin filter : (<-tables: stream[T], fn: (r: T) => bool) => stream[T]

x = 1
1 + 1
f()
a

testcase addition {
    testing.assertEqualValues(got: 1 + 1, want: 2)
}

@feature({vectorization: true})
testcase vector_addition extends "basics_test.addition" {
    super()
}

f = () => {
    return 1
}
