//! The edge home: edgeflux's v2 API on Cloudflare Workers. The Worker (`worker/entry.mjs`,
//! a few lines of JS so a Rust panic cannot strand it) forwards every request that is not a
//! static asset (the playground in `www/`) to a Durable Object, which holds an
//! [`edgeflux_api::Engine`] and keeps its log and snapshots in the object's storage. One
//! object serves everything for now; the sharding plan is in DESIGN.md.
//!
//! Per request the object follows the API crate's seam: `handle` → store the log records
//! (the storage put resolves) → `apply` → respond. A failed put answers 500 and changes
//! nothing. On its first request after waking up the object restores from the snapshot
//! and the log after it. Tasks run on the object's alarm, set to the engine's next due
//! run after every mutation and after every alarm.

mod log;
mod object;
mod panic;

/// Most bytes of tables one Flux query may hold: a quarter of the isolate's 128 MB, which
/// also holds the store and the CSV answer. There is no query deadline here: workerd
/// stops the clock while code runs, and its CPU limit ends a runaway request.
pub const QUERY_MEMORY_BYTES: usize = 32 << 20;

/// Splits a request URL into path and query (without `?`).
pub fn path_and_query(url: &str) -> (String, String) {
    let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
    let rest = if url.contains("://") {
        after_scheme
            .find(['/', '?'])
            .map_or("", |j| &after_scheme[j..])
    } else {
        url
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = if path.is_empty() { "/" } else { path };
    (path.to_string(), query.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_and_query_split() {
        assert_eq!(
            path_and_query("http://127.0.0.1:8787/api/v2/write?org=o&bucket=b"),
            ("/api/v2/write".into(), "org=o&bucket=b".into())
        );
        assert_eq!(path_and_query("https://x"), ("/".into(), "".into()));
        assert_eq!(
            path_and_query("https://x/health"),
            ("/health".into(), "".into())
        );
    }
}
