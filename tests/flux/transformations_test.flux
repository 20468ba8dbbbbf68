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

a = csv.from(csv: inData) |> filter(fn: (r) => r.host == "a") |> keep(columns: ["_time", "_value", "host"])

testcase difference_and_cumulative_sum {
    want_diff =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string
#group,false,false,false,false,true
#default,_result,,,,
,result,table,_time,_value,host
,,0,2021-01-01T00:00:10Z,1.0,a
,,0,2021-01-01T00:00:20Z,2.0,a
,,0,2021-01-01T00:00:30Z,4.0,a
",
        )
    want_cum =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string
#group,false,false,false,false,true
#default,_result,,,,
,result,table,_time,_value,host
,,0,2021-01-01T00:00:00Z,1.0,a
,,0,2021-01-01T00:00:10Z,3.0,a
,,0,2021-01-01T00:00:20Z,7.0,a
,,0,2021-01-01T00:00:30Z,15.0,a
",
        )

    testing.diff(got: a |> difference(), want: want_diff) |> yield(name: "difference")
    testing.diff(got: a |> cumulativeSum(), want: want_cum) |> yield(name: "cumulativeSum")
}

testcase derivative_per_second {
    want =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string
#group,false,false,false,false,true
#default,_result,,,,
,result,table,_time,_value,host
,,0,2021-01-01T00:00:10Z,0.1,a
,,0,2021-01-01T00:00:20Z,0.2,a
,,0,2021-01-01T00:00:30Z,0.4,a
",
        )

    testing.diff(got: a |> derivative(unit: 1s), want: want)
}

testcase moving_average_and_elapsed {
    want_ma =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string
#group,false,false,false,false,true
#default,_result,,,,
,result,table,_time,_value,host
,,0,2021-01-01T00:00:10Z,1.5,a
,,0,2021-01-01T00:00:20Z,3.0,a
,,0,2021-01-01T00:00:30Z,6.0,a
",
        )
    want_el =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string,long
#group,false,false,false,false,true,false
#default,_result,,,,,
,result,table,_time,_value,host,elapsed
,,0,2021-01-01T00:00:10Z,2.0,a,10
,,0,2021-01-01T00:00:20Z,4.0,a,10
,,0,2021-01-01T00:00:30Z,8.0,a,10
",
        )

    testing.diff(got: a |> movingAverage(n: 2), want: want_ma) |> yield(name: "ma")
    testing.diff(got: a |> elapsed(unit: 1s), want: want_el) |> yield(name: "elapsed")
}

testcase columns_edit {
    got =
        a
            |> rename(columns: {_value: "v"})
            |> duplicate(column: "v", as: "w")
            |> set(key: "k", value: "x")
            |> drop(columns: ["w"])
            |> limit(n: 1)
    want =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string,string
#group,false,false,false,false,true,false
#default,_result,,,,,
,result,table,_time,v,host,k
,,0,2021-01-01T00:00:00Z,1.0,a,x
",
        )

    testing.diff(got, want)
}

testcase pivot_hosts {
    got =
        csv.from(csv: inData)
            |> filter(fn: (r) => r._time < 2021-01-01T00:00:20Z)
            |> pivot(rowKey: ["_time"], columnKey: ["host"], valueColumn: "_value")
    want =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,string,string,double,double
#group,false,false,false,true,true,false,false
#default,_result,,,,,,
,result,table,_time,_field,_measurement,a,b
,,0,2021-01-01T00:00:00Z,v,m,1.0,10.0
,,0,2021-01-01T00:00:10Z,v,m,2.0,20.0
",
        )

    testing.diff(got, want)
}

testcase window_count {
    got =
        a
            |> range(start: 2021-01-01T00:00:00Z, stop: 2021-01-01T00:00:40Z)
            |> window(every: 20s)
            |> count()
    want =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,string,long
#group,false,false,true,true,true,false
#default,_result,,,,,
,result,table,_start,_stop,host,_value
,,0,2021-01-01T00:00:00Z,2021-01-01T00:00:20Z,a,2
,,1,2021-01-01T00:00:20Z,2021-01-01T00:00:40Z,a,2
",
        )

    testing.diff(got, want)
}

testcase fill_and_union {
    nulls =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string
#group,false,false,false,false,true
#default,_result,,,,
,result,table,_time,_value,host
,,0,2021-01-01T00:00:00Z,,c
,,0,2021-01-01T00:00:10Z,5.0,c
,,0,2021-01-01T00:00:20Z,,c
",
        )
    want =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string
#group,false,false,false,false,true
#default,_result,,,,
,result,table,_time,_value,host
,,0,2021-01-01T00:00:00Z,0.0,c
,,0,2021-01-01T00:00:10Z,5.0,c
,,0,2021-01-01T00:00:20Z,0.0,c
",
        )
    want_prev =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string
#group,false,false,false,false,true
#default,_result,,,,
,result,table,_time,_value,host
,,0,2021-01-01T00:00:00Z,,c
,,0,2021-01-01T00:00:10Z,5.0,c
,,0,2021-01-01T00:00:20Z,5.0,c
",
        )

    testing.diff(got: nulls |> fill(value: 0.0), want: want) |> yield(name: "fill")
    testing.diff(got: nulls |> fill(usePrevious: true), want: want_prev) |> yield(name: "prev")
    testing.diff(got: union(tables: [a, nulls]) |> count(), want: union(tables: [a |> count(), nulls |> count()])) |> yield(name: "union")
}

testcase join_on_time {
    b = csv.from(csv: inData) |> filter(fn: (r) => r.host == "b") |> keep(columns: ["_time", "_value"])
    got = join(tables: {a: a |> group(), b: b}, on: ["_time"]) |> limit(n: 1)
    want =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string,double
#group,false,false,false,false,false,false
#default,_result,,,,,
,result,table,_time,_value_a,host,_value_b
,,0,2021-01-01T00:00:00Z,1.0,a,10.0
",
        )

    testing.diff(got, want)
}

testcase distinct_top_bottom_tail {
    want_top =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string
#group,false,false,false,false,true
#default,_result,,,,
,result,table,_time,_value,host
,,0,2021-01-01T00:00:30Z,8.0,a
,,0,2021-01-01T00:00:20Z,4.0,a
",
        )
    want_bottom =
        csv.from(
            csv:
                "
#datatype,string,long,dateTime:RFC3339,double,string
#group,false,false,false,false,true
#default,_result,,,,
,result,table,_time,_value,host
,,0,2021-01-01T00:00:00Z,1.0,a
",
        )
    want_distinct =
        csv.from(
            csv:
                "
#datatype,string,long,string,string
#group,false,false,true,false
#default,_result,,,
,result,table,host,_value
,,0,a,a
",
        )

    testing.diff(got: a |> top(n: 2), want: want_top) |> yield(name: "top")
    testing.diff(got: a |> bottom(n: 1), want: want_bottom) |> yield(name: "bottom")
    testing.diff(got: a |> tail(n: 2) |> bottom(n: 1, columns: ["_time"]), want: want_top |> tail(n: 1)) |> yield(name: "tail")
    testing.diff(got: a |> distinct(column: "host"), want: want_distinct) |> yield(name: "distinct")
}

testcase quantiles_and_spread {
    want =
        csv.from(
            csv:
                "
#datatype,string,long,string,double
#group,false,false,true,false
#default,_result,,,
,result,table,host,_value
,,0,a,3.0
",
        )
    want_spread =
        csv.from(
            csv:
                "
#datatype,string,long,string,double
#group,false,false,true,false
#default,_result,,,
,result,table,host,_value
,,0,a,7.0
",
        )

    testing.diff(got: a |> median(), want: want) |> yield(name: "median")
    testing.diff(got: a |> quantile(q: 0.5, method: "exact_mean"), want: want) |> yield(name: "quantile")
    testing.diff(got: a |> spread(), want: want_spread) |> yield(name: "spread")
}

testcase reduce_and_state_count {
    want =
        csv.from(
            csv:
                "
#datatype,string,long,string,double,long
#group,false,false,true,false,false
#default,_result,,,,
,result,table,host,sum,n
,,0,a,15.0,4
",
        )
    got = a |> reduce(fn: (r, accumulator) => ({sum: accumulator.sum + r._value, n: accumulator.n + 1}), identity: {sum: 0.0, n: 0})

    testing.diff(got, want) |> yield(name: "reduce")
    testing.assertEquals(
        name: "stateCount",
        got: a |> stateCount(fn: (r) => r._value > 1.5) |> keep(columns: ["stateCount", "host"]),
        want:
            csv.from(
                csv:
                    "
#datatype,string,long,string,long
#group,false,false,true,false
#default,_result,,,
,result,table,host,stateCount
,,0,a,-1
,,0,a,1
,,0,a,2
,,0,a,3
",
            ),
    )
}

testcase columns_lists_every_label_with_the_group_key {
    got =
        csv.from(csv: inData)
            |> filter(fn: (r) => r.host == "b")
            |> drop(columns: ["_time"])
            |> columns(column: "label")
    want =
        csv.from(
            csv:
                "
#datatype,string,long,string,string,string,string
#group,false,false,true,true,true,false
#default,_result,,,,,
,result,table,_field,_measurement,host,label
,,0,v,m,b,_value
,,0,v,m,b,_field
,,0,v,m,b,_measurement
,,0,v,m,b,host
",
        )

    testing.diff(got, want)
}

testcase keys_lists_the_group_key_sorted {
    got = csv.from(csv: inData) |> filter(fn: (r) => r.host == "a") |> keys()
    want =
        csv.from(
            csv:
                "
#datatype,string,long,string,string,string,string
#group,false,false,true,true,true,false
#default,_result,,,,,
,result,table,_field,_measurement,host,_value
,,0,v,m,a,_field
,,0,v,m,a,_measurement
,,0,v,m,a,host
",
        )

    testing.diff(got, want)
}
