//! Writes the seed corpus of the fuzz targets (crates/store/fuzz/corpus/<target>/):
//! `cargo run -p edgeflux-store --example fuzz_seeds`.

use std::borrow::Cow;

use edgeflux_lineproto::{FieldValue as LV, Line};
use edgeflux_store::codec;
use edgeflux_store::{Store, StoreOptions};

fn main() -> std::io::Result<()> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus");
    let mut store = Store::with_options(StoreOptions {
        max_head_rows: 16,
        max_block_rows: 8,
        ..StoreOptions::default()
    });
    let mut lines = Vec::new();
    for i in 0..40i64 {
        lines.push(Line {
            measurement: Cow::Borrowed("cpu"),
            tags: vec![(
                Cow::Borrowed("host"),
                Cow::Borrowed(if i % 2 == 0 { "a" } else { "b" }),
            )],
            fields: vec![
                (Cow::Borrowed("f"), LV::Float(i as f64 / 4.0)),
                (Cow::Borrowed("i"), LV::Integer(i * 3 - 7)),
                (
                    Cow::Borrowed("s"),
                    LV::String(Cow::Owned(format!("v{}", i % 3))),
                ),
                (Cow::Borrowed("b"), LV::Boolean(i % 5 == 0)),
                (Cow::Borrowed("u"), LV::UInteger(i as u64)),
            ],
            timestamp: 1_000_000_000 * (i % 17),
        });
    }
    let batch = store.prepare_write(7, &lines, None).batch;
    store.apply_write(&batch);
    let delete = store
        .prepare_delete(7, 0, 3_000_000_000, "_measurement=\"cpu\" AND host=\"a\"")
        .expect("valid predicate");
    store.apply_delete(&delete);
    let write_payload = codec::encode_write_payload(&batch);
    let delete_payload = codec::encode_delete_payload(&delete);
    let snapshot = store.snapshot();
    let mut blocks = Vec::new();
    for b in store.blocks(7) {
        if let Some(bytes) = store.block_bytes(7, b.id) {
            blocks.push(bytes.to_vec());
        }
    }
    let seeds: Vec<(&str, Vec<Vec<u8>>)> = vec![
        (
            "decode_record",
            vec![
                codec::encode_write(&batch),
                codec::encode_delete(&delete),
                codec::encode_record(0x41, b"catalog"),
            ],
        ),
        ("decode_write", vec![write_payload]),
        ("decode_delete", vec![delete_payload]),
        ("decode_block", blocks),
        ("restore_snapshot", vec![snapshot]),
        (
            "delete_predicate",
            vec![
                b"_measurement=\"cpu\" AND (host=\"a\" and t != -1.5)".to_vec(),
                b"a=~/x/ OR b='c'".to_vec(),
            ],
        ),
    ];
    for (target, files) in seeds {
        let dir = format!("{root}/{target}");
        std::fs::create_dir_all(&dir)?;
        for (i, bytes) in files.iter().enumerate() {
            std::fs::write(format!("{dir}/seed{i}"), bytes)?;
        }
    }
    println!("seeds written under {root}");
    Ok(())
}
