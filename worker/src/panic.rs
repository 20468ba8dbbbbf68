//! A Rust panic inside the Durable Object must answer its request, not leave it hanging.
//!
//! The Worker is built with `panic = "abort"`: a panic traps the wasm instance in the middle
//! of a future, so the promise workerd awaits never settles; workers-rs then reinitialises
//! the instance on the next call (its shim rebuilds the object, which restores from storage).
//! What is missing is an answer for the requests in flight. The panic hook below runs before
//! the trap, while the instance is still sound, and tells `worker/entry.mjs`, which races
//! every call into the object against it and answers 500 `internal error` (JSON, as InfluxDB
//! does) for the calls the panic killed. The Worker's routing lives in that JS file too:
//! the Worker shares the wasm instance with the object when they share an isolate.
//!
//! For the end-to-end test, `EDGEFLUX_TEST_PANIC=1` (a `--var`, never set in
//! `wrangler.toml`) makes a request carrying `X-Edgeflux-Test-Panic` panic on purpose.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(inline_js = "export function notify_panic(message) {
  const listener = globalThis.__edgefluxOnPanic;
  if (typeof listener === 'function') listener(message);
}")]
extern "C" {
    fn notify_panic(message: &str);
}

/// The request header that panics on purpose when test panics are enabled.
pub const TEST_PANIC_HEADER: &str = "X-Edgeflux-Test-Panic";

static TEST_PANICS: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// Chains the panic hook to the entry's listener (once per wasm instance) and reads
/// whether test panics are enabled.
pub fn install(env: &worker::Env) {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            previous(info);
            notify_panic(&format!("Rust panic: {info}"));
        }));
    });
    let enabled = env
        .var("EDGEFLUX_TEST_PANIC")
        .is_ok_and(|v| v.to_string().trim() == "1");
    TEST_PANICS.store(enabled, Ordering::Relaxed);
}

/// Panics when test panics are enabled and the request asks for one.
pub fn test_point(req: &worker::Request) {
    if TEST_PANICS.load(Ordering::Relaxed) && req.headers().has(TEST_PANIC_HEADER).unwrap_or(false)
    {
        panic!("test panic requested with {TEST_PANIC_HEADER}");
    }
}
