x = f(a: 1, b: g(c: 2)
y = 2
z = h(a: [1, 2)
w = 3
