a = r.x
b = r["with space"]
c = r.x.y.z
d = f().x
e = a[1 + 2]
f = r["x"]
g = r.x(a: 1).y[0]
