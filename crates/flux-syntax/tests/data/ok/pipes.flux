from(bucket: "telegraf/autogen")
    |> range(start: -5m)
    |> filter(fn: (r) => r._measurement == "cpu" and r._field == "usage_idle")
    |> aggregateWindow(every: 1m, fn: mean)
    |> yield(name: "mean")
x = a |> b()
y = -a |> f()
z = (a |> f()).x
