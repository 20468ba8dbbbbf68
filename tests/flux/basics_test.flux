package flux_test

import "testing"
import "csv"

option now = () => 2021-01-01T00:01:00Z

inData =
    "
#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,0,2021-01-01T00:00:00Z,1.0,v,m,a
,,0,2021-01-01T00:00:10Z,2.0,v,m,a
,,0,2021-01-01T00:00:20Z,4.0,v,m,a
,,0,2021-01-01T00:00:30Z,8.0,v,m,a
,,1,2021-01-01T00:00:00Z,10.0,v,m,b
,,1,2021-01-01T00:00:10Z,20.0,v,m,b
,,1,2021-01-01T00:00:20Z,30.0,v,m,b
,,1,2021-01-01T00:00:30Z,40.0,v,m,b
"

testcase filter_rows {
    got = csv.from(csv: inData) |> filter(fn: (r) => r._value > 5.0 and r.host == "a")
    want =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,0,2021-01-01T00:00:30Z,8.0,v,m,a
",
        )

    testing.diff(got, want)
}

testcase filter_keep_empty {
    got = csv.from(csv: inData) |> filter(fn: (r) => r._value > 100.0, onEmpty: "keep") |> count()
    want =
        csv.from(
            csv:
                "
#datatype,string,long,string,string,string,long
#group,false,false,true,true,true,false
#default,_result,,,,,
,result,table,_field,_measurement,host,_value
,,0,v,m,a,0
,,1,v,m,b,0
",
        )

    testing.diff(got, want)
}

testcase map_with {
    got = csv.from(csv: inData) |> filter(fn: (r) => r.host == "a") |> map(fn: (r) => ({r with _value: r._value * 2.0, big: r._value >= 4.0}))
    want =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string,string,string,boolean
#group,false,false,false,false,true,true,true,false
#default,_result,,,,,,,
,result,table,_time,_value,_field,_measurement,host,big
,,0,2021-01-01T00:00:00Z,2.0,v,m,a,false
,,0,2021-01-01T00:00:10Z,4.0,v,m,a,false
,,0,2021-01-01T00:00:20Z,8.0,v,m,a,true
,,0,2021-01-01T00:00:30Z,16.0,v,m,a,true
",
        )

    testing.diff(got, want)
}

testcase aggregates {
    data = csv.from(csv: inData)
    want_sum =
        csv.from(
            csv:
                "
#datatype,string,long,string,string,string,double
#group,false,false,true,true,true,false
#default,_result,,,,,
,result,table,_field,_measurement,host,_value
,,0,v,m,a,15.0
,,1,v,m,b,100.0
",
        )
    want_mean =
        csv.from(
            csv:
                "
#datatype,string,long,string,string,string,double
#group,false,false,true,true,true,false
#default,_result,,,,,
,result,table,_field,_measurement,host,_value
,,0,v,m,a,3.75
,,1,v,m,b,25.0
",
        )
    want_count =
        csv.from(
            csv:
                "
#datatype,string,long,string,string,string,long
#group,false,false,true,true,true,false
#default,_result,,,,,
,result,table,_field,_measurement,host,_value
,,0,v,m,a,4
,,1,v,m,b,4
",
        )

    testing.diff(got: data |> sum(), want: want_sum) |> yield(name: "sum")
    testing.diff(got: data |> mean(), want: want_mean) |> yield(name: "mean")
    testing.diff(got: data |> count(), want: want_count) |> yield(name: "count")
}

testcase selectors {
    data = csv.from(csv: inData)
    want_max =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,0,2021-01-01T00:00:30Z,8.0,v,m,a
,,1,2021-01-01T00:00:30Z,40.0,v,m,b
",
        )
    want_first =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,0,2021-01-01T00:00:00Z,1.0,v,m,a
,,1,2021-01-01T00:00:00Z,10.0,v,m,b
",
        )

    testing.diff(got: data |> max(), want: want_max) |> yield(name: "max")
    testing.diff(got: data |> last(), want: want_max) |> yield(name: "last")
    testing.diff(got: data |> first(), want: want_first) |> yield(name: "first")
    testing.diff(got: data |> min(), want: want_first) |> yield(name: "min")
}

testcase group_sort_limit {
    got =
        csv.from(csv: inData)
            |> group()
            |> sort(columns: ["_value"], desc: true)
            |> limit(n: 2)
    want =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,false,false,false
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,0,2021-01-01T00:00:30Z,40.0,v,m,b
,,0,2021-01-01T00:00:20Z,30.0,v,m,b
",
        )

    testing.diff(got, want)
}

testcase range_aggregate_window {
    got =
        csv.from(csv: inData)
            |> range(start: 2021-01-01T00:00:00Z, stop: 2021-01-01T00:00:40Z)
            |> filter(fn: (r) => r.host == "a")
            |> aggregateWindow(every: 20s, fn: sum)
    want =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string
#group,false,false,true,true,false,false,true,true,true
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,host
,,0,2021-01-01T00:00:00Z,2021-01-01T00:00:40Z,2021-01-01T00:00:20Z,3.0,v,m,a
,,0,2021-01-01T00:00:00Z,2021-01-01T00:00:40Z,2021-01-01T00:00:40Z,12.0,v,m,a
",
        )

    testing.diff(got, want)
}

testcase aggregate_window_create_empty {
    got =
        csv.from(csv: inData)
            |> range(start: 2021-01-01T00:00:00Z, stop: 2021-01-01T00:01:00Z)
            |> filter(fn: (r) => r.host == "a")
            |> aggregateWindow(every: 20s, fn: count)
    want =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,long,string,string,string
#group,false,false,true,true,false,false,true,true,true
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,host
,,0,2021-01-01T00:00:00Z,2021-01-01T00:01:00Z,2021-01-01T00:00:20Z,2,v,m,a
,,0,2021-01-01T00:00:00Z,2021-01-01T00:01:00Z,2021-01-01T00:00:40Z,2,v,m,a
,,0,2021-01-01T00:00:00Z,2021-01-01T00:01:00Z,2021-01-01T00:01:00Z,0,v,m,a
",
        )

    testing.diff(got, want)
}

testcase relative_range_uses_now {
    got = csv.from(csv: inData) |> range(start: -35s) |> filter(fn: (r) => r.host == "b") |> keep(columns: ["_time", "_value", "host"])
    want =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string
#group,false,false,false,false,true
#default,_result,,,,
,result,table,_time,_value,host
,,0,2021-01-01T00:00:30Z,40.0,b
",
        )

    testing.diff(got, want)
}
