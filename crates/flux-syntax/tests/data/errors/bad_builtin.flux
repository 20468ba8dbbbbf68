builtin x int
