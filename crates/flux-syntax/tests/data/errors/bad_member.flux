x = r.
