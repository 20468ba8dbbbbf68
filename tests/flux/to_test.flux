package flux_test

import "testing"
import "csv"

// `edgeflux test` runs without a store: to() writes go nowhere, so these testcases check
// what to() passes on and which inputs it refuses (the API tests check the writes).
inData =
    "
#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,0,2021-01-01T00:00:00Z,1.0,v,m,a
,,0,2021-01-01T00:00:10Z,2.0,v,m,a
,,1,2021-01-01T00:00:00Z,10.0,v,m,b
"

testcase to_passes_its_input_on {
    testing.diff(got: csv.from(csv: inData) |> to(bucket: "b"), want: csv.from(csv: inData))
}

testcase to_drops_rows_without_time {
    header =
        "
#datatype,string,long,dateTime:RFC3339,long,string,string
#group,false,false,false,false,true,true
#default,_result,,,,,
,result,table,_time,_value,_field,_measurement
,,0,2021-01-01T00:00:00Z,1,f,m
"
    got = csv.from(csv: header + ",,0,,2,f,m\n") |> to(bucket: "b")

    testing.diff(got: got, want: csv.from(csv: header))
}

testcase to_with_field_fn_and_tag_columns {
    got =
        csv.from(csv: inData)
            |> to(bucket: "b", tagColumns: ["host"], fieldFn: (r) => ({"doubled": r._value * 2.0}))

    testing.diff(got: got, want: csv.from(csv: inData))
}

testcase to_refuses_bad_input {
    testing.shouldError(fn: () => csv.from(csv: inData) |> to(bucket: "b", bucketID: "0000000000000001") |> yield(), want: /cannot provide both `bucket` and `bucketID`/)
    testing.shouldError(fn: () => csv.from(csv: inData) |> to(org: "o") |> yield(), want: /missing required argument bucketID/)
    testing.shouldError(fn: () => csv.from(csv: inData) |> drop(columns: ["_measurement"]) |> to(bucket: "b") |> yield(), want: /no column with label _measurement exists/)
    testing.shouldError(fn: () => csv.from(csv: inData) |> drop(columns: ["_time"]) |> to(bucket: "b") |> yield(), want: /no time column detected/)
    testing.shouldError(fn: () => csv.from(csv: inData) |> to(bucket: "b", timeColumn: "_value") |> yield(), want: /column _value of type float is not of type time/)
    testing.shouldError(fn: () => csv.from(csv: inData) |> drop(columns: ["_value"]) |> to(bucket: "b") |> yield(), want: /table has no _value column/)
    testing.shouldError(fn: () => csv.from(csv: inData) |> to(bucket: "b", tagColumns: ["_value"]) |> yield(), want: /invalid type for tag column/)
}
