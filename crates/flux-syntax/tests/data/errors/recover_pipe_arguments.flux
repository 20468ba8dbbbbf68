data = from(bucket: "telegraf")
    |> range(start: )
    |> filter(fn: (r) => r._measurement == "cpu" and r._value > )
    |> map(fn: (r) => ({r with x: r._value * 2.0}))
    |> yield(name: "out")

after = 1
