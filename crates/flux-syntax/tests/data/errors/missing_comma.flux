f(a: 1 b: 2)
z = 3
