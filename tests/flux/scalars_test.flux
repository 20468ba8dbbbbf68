package flux_test

import "testing"
import "array"
import "strings"
import "regexp"
import "math"
import "date"
import "dict"
import "bitwise"

option now = () => 2021-01-01T00:01:00Z

testcase strings_regexp_math_date {
    got =
        array.from(
            rows: [
                {
                    up: strings.toUpper(v: "abc"),
                    split: strings.joinStr(arr: strings.split(v: "a,b,c", t: ","), v: "-"),
                    has: strings.hasPrefix(v: "cpu0", prefix: "cpu"),
                    sub: strings.substring(v: "influx", start: 1, end: 4),
                    re: regexp.replaceAllString(r: /[0-9]+/, v: "a1b22", t: "#"),
                    m: regexp.matchRegexpString(r: /^h.st$/, v: "host"),
                    root: math.sqrt(x: 16.0),
                    floor: math.floor(x: -1.5),
                    hour: date.hour(t: 2021-03-04T05:06:07Z),
                    wd: date.weekDay(t: 2021-03-04T05:06:07Z),
                    trunc: date.truncate(t: 2021-03-04T05:06:07Z, unit: 1h),
                    interp: "n=${string(v: 1 + 2)}",
                    d: dict.get(dict: ["a": 1, "b": 2], key: "b", default: 0),
                },
            ],
        )
    want =
        array.from(
            rows: [
                {
                    up: "ABC",
                    split: "a-b-c",
                    has: true,
                    sub: "nfl",
                    re: "a#b#",
                    m: true,
                    root: 4.0,
                    floor: -2.0,
                    hour: 5,
                    wd: 4,
                    trunc: 2021-03-04T05:00:00Z,
                    interp: "n=3",
                    d: 2,
                },
            ],
        )

    testing.diff(got, want)
}

testcase conversions_and_arrays {
    got =
        array.from(
            rows: [
                {
                    f: float(v: "1.5"),
                    i: int(v: 2.9),
                    u: uint(v: 7),
                    s: string(v: 1.25),
                    b: bool(v: "true"),
                    t: time(v: "2021-01-01T00:00:00Z"),
                    n: length(arr: [1, 2, 3]),
                    c: contains(value: 2, set: [1, 2]),
                    e: exists {a: 1}.b,
                    cond: if 1 > 2 then "x" else "y",
                },
            ],
        )
    want =
        array.from(
            rows: [
                {
                    f: 1.5,
                    i: 2,
                    u: uint(v: 7),
                    s: "1.25",
                    b: true,
                    t: 2021-01-01T00:00:00Z,
                    n: 3,
                    c: true,
                    e: false,
                    cond: "y",
                },
            ],
        )

    testing.diff(got, want)
}

testcase functions_records_and_table_fns {
    add = (a, b=10) => a + b
    twice = (f, x) => f(a: f(a: x))
    rec = {a: 1, b: {c: "d"}}
    data = array.from(rows: [{k: "x", v: 1}, {k: "y", v: 2}])
    got =
        array.from(
            rows: [
                {
                    s: add(a: 1),
                    t: twice(f: add, x: 1),
                    c: rec.b.c,
                    idx: ["p", "q"][1],
                    col: (data |> findColumn(fn: (key) => true, column: "v"))[1],
                    row: (data |> findRecord(fn: (key) => true, idx: 0)).k,
                    cnt: length(arr: data |> getColumn(column: "k")),
                },
            ],
        )
    want = array.from(rows: [{s: 11, t: 21, c: "d", idx: "q", col: 2, row: "x", cnt: 2}])

    testing.diff(got, want)
}

testcase bitwise_and_assert_equal_values {
    testing.assertEqualValues(got: bitwise.sand(a: 6, b: 3), want: 2)
    testing.assertEqualValues(got: bitwise.uor(a: uint(v: 4), b: uint(v: 1)), want: uint(v: 5))
    testing.assertEqualValues(got: bitwise.slshift(a: 1, b: 4), want: 16)
    testing.shouldError(fn: () => testing.assertEqualValues(got: 1, want: 2), want: /got 1, want 2/)
}
