x = "\xff"
