//! Times parsing of small constructs repeated (for finding slow grammar paths).
fn main() {
    let snippets = [
        ("ints", "x = 1\n"),
        ("binary", "x = a + b * c - d / e\n"),
        ("call", "x = f(a: 1, b: 2, c: 3)\n"),
        ("pipe", "x = a |> f(a: 1) |> g(b: 2)\n"),
        ("paren", "x = (a + (b + (c)))\n"),
        ("func", "x = (r) => r._value > 1.0\n"),
        ("record", "x = {r with a: 1, b: \"s\"}\n"),
        ("string", "x = \"row ${r.host}-1\"\n"),
        ("cond", "x = if a then b else if c then d else e\n"),
        ("array", "x = [1, 2, 3, -4]\n"),
        ("dict", "x = [\"a\": 1, \"b\": 2]\n"),
        ("member", "x = a.b.c.d\n"),
        ("logical", "x = a == 1 and b == 2 or c =~ /x/\n"),
    ];
    for (name, s) in snippets {
        let src = s.repeat(20000);
        let t = std::time::Instant::now();
        let r = edgeflux_flux_syntax::parse(&src);
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{name:8} {:6.1} MB/s  ({} diags)",
            src.len() as f64 / 1e6 / secs,
            r.diagnostics.len()
        );
    }
}
