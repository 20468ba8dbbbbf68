//! The compact hand-off of an AST to JavaScript: a flat array of 32-bit words that
//! `js/ast_decoder.mjs` turns into the same objects `JSON.parse` makes of the compact JSON
//! ([`crate::json`]). Building objects from numbers costs V8 a small fraction of parsing the
//! JSON text for them (and writing the words costs the wasm side less than writing JSON).
//!
//! Layout (little-endian `u32` words):
//! ```text
//! [0] MAGIC  [1] VERSION  [2] node words N  [3] string count S  [4] string bytes B
//! [5 .. 5+N)           the File node, in preorder
//! [5+N .. 5+N+S)       the length of each string in UTF-16 code units
//! [5+N+S .. )          the strings' UTF-8 bytes, back to back, padded to a whole word
//! ```
//! A node is its kind number ([`crate::encode::Kind`]), then `start`, `end` (absent for the
//! spanless string parts and duration values), then its fields in the order of
//! [`crate::encode`]: a child node inline; an absent optional child as the word 0; a list as
//! its length then the items; a string as its index in the string table (equal strings are
//! stored once); an operator or unit as its index in a fixed table; an integer as two words
//! (low, high; signed); a float as its IEEE-754 bits in two words (low, high).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::ast::{File, Span};
use crate::encode::{self, Kind, Sink};

/// `"FLXA"` read as a little-endian word.
pub const MAGIC: u32 = u32::from_le_bytes(*b"FLXA");
pub const VERSION: u32 = 1;
const HEADER: usize = 5;

/// Encodes `file` in the layout above.
pub fn to_binary(file: &File) -> Vec<u32> {
    let mut sink = BinarySink {
        // about one word per source byte for dense code
        words: Vec::with_capacity(HEADER + file.span.end as usize),
        strings: HashMap::default(),
        lengths: Vec::new(),
        bytes: Vec::new(),
    };
    sink.words.extend_from_slice(&[MAGIC, VERSION, 0, 0, 0]);
    encode::file(&mut sink, file);
    let BinarySink {
        mut words,
        lengths,
        mut bytes,
        ..
    } = sink;
    words[2] = (words.len() - HEADER) as u32;
    words[3] = lengths.len() as u32;
    words[4] = bytes.len() as u32;
    words.extend_from_slice(&lengths);
    bytes.resize(bytes.len().next_multiple_of(4), 0);
    words.extend(
        bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
    );
    words
}

struct BinarySink<'a> {
    words: Vec<u32>,
    strings: HashMap<&'a str, u32, BuildHasherDefault<Fnv>>,
    lengths: Vec<u32>,
    bytes: Vec<u8>,
}

impl BinarySink<'_> {
    fn pair(&mut self, v: u64) {
        self.words.extend_from_slice(&[v as u32, (v >> 32) as u32]);
    }
}

impl<'a> Sink<'a> for BinarySink<'a> {
    fn begin(&mut self, kind: Kind, span: Option<Span>) {
        match span {
            Some(s) => self.words.extend_from_slice(&[kind as u32, s.start, s.end]),
            None => self.words.push(kind as u32),
        }
    }
    fn end(&mut self) {}
    fn key(&mut self, _: &'static str) {}
    fn none(&mut self, _: &'static str) {
        self.words.push(0);
    }
    fn str(&mut self, _: &'static str, value: &'a str) {
        let next = self.lengths.len() as u32;
        let index = match self.strings.get(value) {
            Some(&i) => i,
            None => {
                let utf16 = if value.is_ascii() {
                    value.len()
                } else {
                    value.encode_utf16().count()
                };
                self.lengths.push(utf16 as u32);
                self.bytes.extend_from_slice(value.as_bytes());
                self.strings.insert(value, next);
                next
            }
        };
        self.words.push(index);
    }
    fn int(&mut self, _: &'static str, value: i64) {
        self.pair(value as u64);
    }
    fn float(&mut self, _: &'static str, value: f64) {
        self.pair(value.to_bits());
    }
    fn word(&mut self, _: &'static str, index: u32, _: &'static str) {
        self.words.push(index);
    }
    fn begin_list(&mut self, _: &'static str, len: usize) {
        self.words.push(len as u32);
    }
    fn end_list(&mut self, _: usize) {}
}

/// FNV-1a: the string table's keys are short identifiers, where SipHash's setup dominates.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}
