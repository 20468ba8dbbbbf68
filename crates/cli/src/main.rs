//! `edgeflux`: the native home (serve, query, test, fmt). Placeholder until the skeleton lands.
fn main() {
    println!("edgeflux {}", env!("CARGO_PKG_VERSION"));
}
