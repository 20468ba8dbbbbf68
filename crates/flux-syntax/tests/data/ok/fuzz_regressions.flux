// regressions found by fuzzing
x
3 ._val
a = x [a1,]
// trailing form feed
// trailing spaces   
d = {o with}
e = {o with }
