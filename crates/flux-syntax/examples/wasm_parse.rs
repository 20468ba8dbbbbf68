//! A raw wasm module (no wasm-bindgen) exposing the parser to JavaScript, for the side-by-side
//! benchmark in `benches/node/bench.mjs`. Build:
//! `cargo build --release --example wasm_parse --target wasm32-unknown-unknown`.
//!
//! JS writes UTF-8 source into memory from `ef_alloc`, then calls `ef_parse_ast` (the AST in
//! the compact binary encoding, which `js/ast_decoder.mjs` turns into objects; free it with
//! `ef_free_ast`), `ef_parse_json` (the AST as compact JSON, the hand-off libflux's `parse`
//! does; free it with `ef_free`) or `ef_parse_only`.

use std::alloc::{alloc, dealloc, Layout};

fn layout(len: usize) -> Option<Layout> {
    Layout::from_size_align(len.max(1), 1).ok()
}

/// Allocates `len` bytes for the caller.
#[no_mangle]
pub extern "C" fn ef_alloc(len: usize) -> *mut u8 {
    match layout(len) {
        // SAFETY: the layout has a non-zero size.
        Some(l) => unsafe { alloc(l) },
        None => std::ptr::null_mut(),
    }
}

/// Frees a buffer from `ef_alloc` or `ef_parse_json`.
///
/// # Safety
/// `ptr` must come from `ef_alloc(len)` or be the pointer half of `ef_parse_json`'s result
/// with its length.
#[no_mangle]
pub unsafe extern "C" fn ef_free(ptr: *mut u8, len: usize) {
    if let (false, Some(l)) = (ptr.is_null(), layout(len)) {
        dealloc(ptr, l);
    }
}

unsafe fn source<'a>(ptr: *const u8, len: usize) -> &'a str {
    let bytes = std::slice::from_raw_parts(ptr, len);
    std::str::from_utf8(bytes).unwrap_or("")
}

/// Parses and returns `(ptr << 32) | len` of the AST as JSON (compact, with spans).
///
/// # Safety
/// `ptr..ptr+len` must be a buffer from `ef_alloc` holding UTF-8.
#[no_mangle]
pub unsafe extern "C" fn ef_parse_json(ptr: *const u8, len: usize) -> u64 {
    let result = edgeflux_flux_syntax::parse(source(ptr, len));
    let json = edgeflux_flux_syntax::to_json(
        &result.file,
        &edgeflux_flux_syntax::JsonOptions {
            spans: true,
            pretty: false,
        },
    );
    let mut bytes = json.into_bytes().into_boxed_slice();
    let out_len = bytes.len();
    let out_ptr = bytes.as_mut_ptr();
    std::mem::forget(bytes);
    ((out_ptr as usize as u64) << 32) | out_len as u64
}

/// Parses and returns `(ptr << 32) | byte_len` of the AST in the binary encoding
/// (`edgeflux_flux_syntax::binary`).
///
/// # Safety
/// `ptr..ptr+len` must be a buffer from `ef_alloc` holding UTF-8.
#[no_mangle]
pub unsafe extern "C" fn ef_parse_ast(ptr: *const u8, len: usize) -> u64 {
    let result = edgeflux_flux_syntax::parse(source(ptr, len));
    let words = edgeflux_flux_syntax::to_binary(&result.file).into_boxed_slice();
    let out_len = words.len() * 4;
    let out_ptr = Box::into_raw(words) as *mut u32;
    ((out_ptr as usize as u64) << 32) | out_len as u64
}

/// Frees the result of `ef_parse_ast`.
///
/// # Safety
/// `ptr` and `byte_len` must be the two halves of one `ef_parse_ast` result.
#[no_mangle]
pub unsafe extern "C" fn ef_free_ast(ptr: *mut u32, byte_len: usize) {
    drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
        ptr,
        byte_len / 4,
    )));
}

/// Parses only; returns the number of top-level statements plus diagnostics (so the work is
/// not optimised away).
///
/// # Safety
/// `ptr..ptr+len` must be a buffer from `ef_alloc` holding UTF-8.
#[no_mangle]
pub unsafe extern "C" fn ef_parse_only(ptr: *const u8, len: usize) -> u32 {
    let result = edgeflux_flux_syntax::parse(source(ptr, len));
    (result.file.body.len() + result.diagnostics.len()) as u32
}
