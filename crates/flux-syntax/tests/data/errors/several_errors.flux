x = )
y = 1
z = (
w = 2
