package flux_test

import "testing"
import "array"
import "internal/debug"
import "json"
import expjson "experimental/json"
import "strings"
import "regexp"
import "generate"
import "interpolate"
import "internal/influxql"
import "experimental/record"
import "experimental/table"
import exparray "experimental/array"
import itesting "internal/testing"

testcase array_from_takes_piped_rows {
    got = [{a: 1}, {a: 2}] |> array.from()
    want = array.from(rows: [{a: 1}, {a: 2}])

    testing.diff(got, want)
}

testcase experimental_array_conversions {
    floats = [1, 2] |> exparray.toFloat()
    strings = [1.5, 2.0] |> exparray.toString()
    got = array.from(rows: [{f: floats[1], s: strings[0]}])
    want = array.from(rows: [{f: 2.0, s: "1.5"}])

    testing.diff(got, want)
}

testcase record_get_and_json_encode {
    r = {x: 1, b: "two"}
    got =
        array.from(
            rows: [
                {
                    x: record.get(r: r, key: "x", default: 0),
                    y: record.get(r: r, key: "y", default: -1),
                    json: string(v: json.encode(v: r)),
                },
            ],
        )
    want = array.from(rows: [{x: 1, y: -1, json: "{\"b\":\"two\",\"x\":1}"}])

    testing.diff(got, want)
}

testcase table_fill_gives_empty_tables_one_row {
    got =
        array.from(rows: [{k: "a", v: 1}, {k: "b", v: 2}])
            |> group(columns: ["k"])
            |> filter(fn: (r) => r.k == "a", onEmpty: "keep")
            |> table.fill()
    want =
        array.from(rows: [{k: "a", v: 1}, {k: "b", v: debug.null(type: "int")}])
            |> group(columns: ["k"])

    testing.diff(got, want)
}

testcase internal_testing_helpers {
    itesting.assertMatches(got: "abc123", want: /c1/)
    itesting.shouldErrorWithCode(fn: () => die(msg: "boom"), want: /boom/, code: uint(v: 3))
}

testcase split_n_find_string_index_and_get_option {
    parts = strings.splitN(v: "a,b,c", t: ",", i: 2)
    idx = regexp.findStringIndex(r: /b+/, v: "abbc")
    got = array.from(rows: [{n: length(arr: parts), rest: parts[1], start: idx[0], end: idx[1]}])
    want = array.from(rows: [{n: 2, rest: "b,c", start: 1, end: 3}])

    testing.diff(got, want)
    testing.assertEqualValues(got: debug.getOption(pkg: "internal/debug", name: "vectorize"), want: false)
}

testcase generate_interpolate_and_influxql_bounds {
    generated =
        generate.from(count: 3, fn: (n) => float(v: n * 10), start: 2021-01-01T00:00:00Z, stop: 2021-01-01T00:03:00Z)
            |> filter(fn: (r) => r._value != 10.0)
            |> interpolate.linear(every: 1m)
            |> keep(columns: ["_time", "_value"])
    want =
        array.from(
            rows: [
                {_time: 2021-01-01T00:00:00Z, _value: 0.0},
                {_time: 2021-01-01T00:01:00Z, _value: 10.0},
                {_time: 2021-01-01T00:02:00Z, _value: 20.0},
            ],
        )

    testing.diff(got: generated |> group(), want: want)
    testing.assertEqualValues(got: int(v: influxql.maxTime), want: 9223372036854775806)
}

testcase json_parse_and_encode_round_trip {
    v = expjson.parse(data: bytes(v: "{\"a\": [1, 2.5, true], \"s\": \"x\\ny\", \"n\": null}"))
    got = array.from(rows: [{first: v.a[0], second: v.a[1], s: v.s, back: string(v: json.encode(v: {a: v.a}))}])
    want = array.from(rows: [{first: 1.0, second: 2.5, s: "x\ny", back: "{\"a\":[1,2.5,true]}"}])

    testing.diff(got, want)
    testing.shouldError(fn: () => expjson.parse(data: bytes(v: "{\"a\": }")), want: /json.parse/)
}
