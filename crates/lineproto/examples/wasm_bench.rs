//! A wasm-bindgen-free module for measuring the parser in a wasm engine (see
//! `benches/wasm_bench.mjs`). Build:
//! `cargo build -p edgeflux-lineproto --release --example wasm_bench --target wasm32-unknown-unknown`
//! Natively it builds as a plain library and does nothing.

use edgeflux_lineproto::{FieldValue, ParseOptions, Parser, Precision};

/// Reserves `len` bytes inside the module for the host to copy input into.
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len);
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

fn input<'a>(ptr: *const u8, len: usize) -> Option<&'a str> {
    // SAFETY: the host passes a region it obtained from `alloc(len)` and filled.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    std::str::from_utf8(bytes).ok()
}

/// UTF-8 validation only (to subtract from `parse_all`).
#[no_mangle]
pub extern "C" fn validate(ptr: *const u8, len: usize) -> u32 {
    u32::from(input(ptr, len).is_some())
}

/// Parses the whole input point by point; returns the number of good lines
/// (`u32::MAX` if the input is not UTF-8 or a line is bad).
#[no_mangle]
pub extern "C" fn parse_all(ptr: *const u8, len: usize) -> u32 {
    let Some(text) = input(ptr, len) else {
        return u32::MAX;
    };
    let opts = ParseOptions {
        precision: Precision::Nanoseconds,
        default_time: 0,
    };
    let mut n = 0u32;
    let mut sum = 0.0;
    for line in Parser::new(text, &opts) {
        let Ok(line) = line else {
            return u32::MAX;
        };
        if let Some((_, FieldValue::Float(v))) = line.fields.first() {
            sum += v;
        }
        n += 1;
    }
    std::hint::black_box(sum);
    n
}
