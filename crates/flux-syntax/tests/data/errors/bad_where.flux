builtin x : int where
