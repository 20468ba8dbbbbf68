// file comment
// second line

// doc for x
x = 1 // trailing x

y = f(
    // leading arg comment
    a: 1, // trailing arg comment
    b: 2,
)

z = () => {
    // inside block
    return 1
    // end of block
}

p = data
    // before stage
    |> filter(fn: (r) => true) // after stage
    |> yield()
// end of file
