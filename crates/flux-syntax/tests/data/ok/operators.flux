a = 1 + 2 * 3 - 4 / 5 % 6
b = 2 ^ 3 ^ 2
c = a == b and c != d or e < f and g <= h
d = x > 1 or y >= 2 and not z
e = r.host =~ /^a/ or r.host !~ /b$/
f = not exists r.x
g = exists r.x and -r.y > +2
h = (1 + 2) * 3
i = - -1
j = not not true
k = a - b - c
l = 2 * -x
