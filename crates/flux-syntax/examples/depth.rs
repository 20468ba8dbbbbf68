//! `cargo run --example depth -- STACK_KB`: the deepest paren nesting that parses on a thread
//! with that stack (for choosing `MAX_NESTING`).
fn main() {
    let kb: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1024);
    for depth in [10, 20, 30, 40, 50, 60, 70, 80, 90, 99] {
        let ok = std::thread::Builder::new()
            .stack_size(kb * 1024)
            .spawn(move || {
                let src = format!("x = {}1{}", "(".repeat(depth), ")".repeat(depth));
                edgeflux_flux_syntax::parse(&src).diagnostics.is_empty()
            })
            .map(|h| h.join().unwrap_or(false))
            .unwrap_or(false);
        println!("{kb} KiB depth {depth}: {ok}");
    }
}
