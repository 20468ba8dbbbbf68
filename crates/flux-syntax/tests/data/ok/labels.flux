a = .mylabel
b = ."with spaces"
c = f(column: ._value)
