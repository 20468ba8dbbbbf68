f = (r) => (r._value > )
g = (tables=<-) => tables |> filter(fn: (r) => if r.x then else 1)
h = () => {
    x = (1 + )
    return x
}
k = 6
