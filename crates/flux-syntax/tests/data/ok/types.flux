builtin a : int
builtin b : (x: A, y: B) => {x: A, y: B}
builtin c : (r: A) => {A with z: int} where A: Record
builtin d : (<-tables: stream[A], ?fn: (r: A) => bool, columns: [string]) => stream[A] where A: Record, B: Addable + Comparable
builtin e : [string: int]
builtin f : (v: A) => vector[A]
builtin g : dynamic
builtin h : (<-: A) => A
builtin i : {"with space": int, _time: time}
builtin j : (?col: L = ._value) => L where L: Label
builtin k : () => regexp
