f = (a, b => a
