option = 1
