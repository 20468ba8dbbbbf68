a = {a: 1, b: 2, c: 3}
b = {a, b, c}
c = {o with x: 5, y: 5}
d = {o with a, b}
e = {"with spaces": 1, _underscore: 2}
f = {}
g = {a: 1, b: 2, c: 3, d: 4, e: 5}
h = {o with x: {p with y: 1}}
