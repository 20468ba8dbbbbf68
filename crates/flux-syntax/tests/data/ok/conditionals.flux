color = if code == 0 then "green" else if code == 1 then "yellow" else "red"
x = if exists r.a then r.a else 0
y = (if a then b else c) + 1
