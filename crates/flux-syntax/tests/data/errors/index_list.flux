a = x  [ a1,]
b = x[]
c = x[1, 2]
