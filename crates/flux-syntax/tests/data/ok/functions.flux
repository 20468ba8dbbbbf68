one = () => 1
add = (a, b) => a + b
defaults = (x=1, y=1) => x * y
piped = (tables=<-, n=5) => tables |> limit(n: n)
block = (a, b, c) => {
    d = a + b

    return d / c
}
record = (r) => ({r with z: 0})
curried = (a) => (b) => a + b
trailing = (a, b,) => a
call = add(a: 1, b: 2)
short = add(a, b)
nested = apply(f: (x) => x + 1, x: 2)
