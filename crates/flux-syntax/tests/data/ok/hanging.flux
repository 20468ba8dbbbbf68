package hanging


import "csv"

data = "
a,b
1,2
"
got = csv.from(csv: data) |> filter(fn: (r) => r.a == 1) |> yield(name: "got")
t = () => csv.from(csv: "
x
1
") |> range(start: 0)
f = (r) => r.a_long_field_name == "a long string value" and r.another_long_field_name == "another long value"
option task = {name: "n", every: 1h}

check = () => {
    return if exists r.x then "a very long consequent string value" else "a very long alternate string value"
}
m = (r) => ({r with first_property: "a long string value that does not fit", second: r._value * 2.0, third: 3})
kept = from(bucket: "b")
    |> range(start: -1h)
