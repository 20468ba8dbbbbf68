//! Behaviour tests of the whole store: write semantics, scans, aggregates, deletes,
//! retention, persistence and lazy loading.

use std::borrow::Cow;

use edgeflux_lineproto::{FieldValue as LV, Line};

use crate::codec;
use crate::*;

const B: u64 = 0x0a0b;

fn line<'a>(
    m: &'a str,
    tags: &[(&'a str, &'a str)],
    fields: Vec<(&'a str, LV<'a>)>,
    t: i64,
) -> Line<'a> {
    let mut tags: Vec<(Cow<'a, str>, Cow<'a, str>)> = tags
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), Cow::Borrowed(*v)))
        .collect();
    tags.sort();
    Line {
        measurement: Cow::Borrowed(m),
        tags,
        fields: fields
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect(),
        timestamp: t,
    }
}

fn write(store: &mut Store, lines: &[Line<'_>]) -> Option<PartialWrite> {
    let p = store.prepare_write(B, lines, None);
    // Always go through the codec, as the edges do.
    let rec = codec::encode_write(&p.batch);
    assert!(store.apply_record(&rec).unwrap());
    p.partial
}

fn floats(t: &SeriesTable) -> Vec<f64> {
    match &t.values {
        Values::Float(v) => v.clone(),
        other => panic!("not floats: {other:?}"),
    }
}

#[test]
fn last_write_wins_and_fields_merge() {
    let mut s = Store::new();
    write(
        &mut s,
        &[
            line(
                "cpu",
                &[("host", "a")],
                vec![("u", LV::Float(1.0)), ("i", LV::Integer(1))],
                10,
            ),
            line("cpu", &[("host", "a")], vec![("u", LV::Float(2.0))], 10),
            line("cpu", &[("host", "a")], vec![("u", LV::Float(0.5))], 5),
        ],
    );
    s.seal_all();
    write(
        &mut s,
        &[line(
            "cpu",
            &[("host", "a")],
            vec![("i", LV::Integer(7))],
            10,
        )],
    );
    let t = s.scan(B, 0, 100, &Predicate::True).unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].field, "i");
    assert_eq!(t[0].values, Values::Integer(vec![7]));
    assert_eq!(t[1].field, "u");
    assert_eq!(t[1].times, vec![5, 10]);
    assert_eq!(floats(&t[1]), vec![0.5, 2.0]);
}

#[test]
fn type_conflicts_are_partial_writes_with_influx_text() {
    let mut s = Store::new();
    assert!(write(&mut s, &[line("m", &[], vec![("f", LV::Integer(1))], 1)]).is_none());
    let p = write(
        &mut s,
        &[
            line("m", &[], vec![("f", LV::Float(1.5))], 2),
            line("m", &[], vec![("g", LV::Boolean(true))], 3),
            line("m", &[], vec![("g", LV::String(Cow::Borrowed("x")))], 4),
        ],
    )
    .unwrap();
    assert_eq!(
        p.to_string(),
        "partial write: field type conflict: input field \"f\" on measurement \"m\" is type float, already exists as type integer dropped=2"
    );
    let t = s.scan(B, 0, 10, &Predicate::True).unwrap();
    assert_eq!(t.iter().map(|t| t.times.len()).sum::<usize>(), 2);
}

#[test]
fn retention_time_field_and_long_strings_drop_points() {
    let s = Store::new();
    let long = "x".repeat(MAX_FIELD_VALUE_LENGTH + 1);
    let p = s.prepare_write(
        B,
        &[line("m", &[], vec![("f", LV::Float(1.0))], 5)],
        Some(10),
    );
    assert_eq!(
        p.partial.unwrap().to_string(),
        "partial write: points beyond retention policy dropped=1"
    );
    let p = s.prepare_write(
        B,
        &[
            line("m", &[], vec![("time", LV::Float(1.0))], 5),
            line(
                "m",
                &[],
                vec![("time", LV::Float(1.0)), ("v", LV::Float(2.0))],
                6,
            ),
        ],
        None,
    );
    assert_eq!(
        p.partial.unwrap().to_string(),
        "partial write: invalid field name: input field \"time\" on measurement \"m\" is invalid dropped=1"
    );
    assert_eq!(p.batch.points.len(), 1);
    assert_eq!(p.batch.field_names, vec!["v".to_string()]);
    let p = s.prepare_write(
        B,
        &[line(
            "m",
            &[],
            vec![("s", LV::String(Cow::Borrowed(&long)))],
            5,
        )],
        None,
    );
    assert_eq!(
        p.partial.unwrap().to_string(),
        format!("partial write: input field \"s\" on measurement \"m\" is too long, {} > 1048576 dropped=1", long.len())
    );
}

#[test]
fn repeated_line_shapes_are_still_validated() {
    let s = Store::new();
    let long = "y".repeat(MAX_FIELD_VALUE_LENGTH + 1);
    let p = s.prepare_write(
        B,
        &[
            line(
                "m",
                &[("h", "1")],
                vec![
                    ("a", LV::Float(1.0)),
                    ("s", LV::String(Cow::Borrowed("ok"))),
                ],
                1,
            ),
            line(
                "m",
                &[("h", "1")],
                vec![
                    ("a", LV::Float(2.0)),
                    ("s", LV::String(Cow::Borrowed(&long))),
                ],
                2,
            ),
            line(
                "m",
                &[("h", "2")],
                vec![("a", LV::Integer(3)), ("s", LV::String(Cow::Borrowed("x")))],
                3,
            ),
            line(
                "m",
                &[("h", "2")],
                vec![("a", LV::Float(4.0)), ("s", LV::String(Cow::Borrowed("z")))],
                4,
            ),
        ],
        None,
    );
    assert_eq!(p.batch.points.len(), 2);
    assert_eq!(p.batch.points[1].fields[0].1, FieldValue::Float(4.0));
    assert_eq!(p.batch.points[1].series, 1);
    let partial = p.partial.unwrap();
    assert_eq!(partial.dropped, 2);
    assert!(partial.reason.contains("is too long"), "{}", partial.reason);
}

fn sample_store() -> Store {
    let mut s = Store::with_options(StoreOptions {
        max_head_rows: 50,
        max_block_rows: 40,
        ..StoreOptions::default()
    });
    let hosts = ["a", "b", "c"];
    let mut lines = Vec::new();
    for i in 0..200i64 {
        for (h, host) in hosts.iter().enumerate() {
            lines.push(line(
                "cpu",
                &[("host", host), ("region", if h == 2 { "us" } else { "eu" })],
                vec![
                    ("usage", LV::Float((i % 10) as f64 + h as f64)),
                    ("n", LV::Integer(i)),
                ],
                i * 1_000_000_000,
            ));
        }
    }
    lines.push(line(
        "mem",
        &[("host", "a")],
        vec![("free", LV::UInteger(5))],
        0,
    ));
    write(&mut s, &lines);
    s
}

#[test]
fn scan_filters_by_predicate_and_range() {
    let s = sample_store();
    let pred = Predicate::measurement_eq("cpu")
        .and(Predicate::field_eq("usage"))
        .and(Predicate::Tag(
            "region".into(),
            Matcher::regex("^e").unwrap(),
        ));
    let t = s.scan(B, 10_000_000_000, 20_000_000_000, &pred).unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].tags[0].1, "a");
    assert_eq!(t[1].tags[0].1, "b");
    assert_eq!(t[0].times.len(), 10);
    assert_eq!(t[0].times[0], 10_000_000_000);
    assert_eq!(floats(&t[1])[0], 1.0);
    let all = s.scan(B, i64::MIN, i64::MAX, &Predicate::True).unwrap();
    assert_eq!(all.len(), 7);
    assert_eq!(all[6].measurement, "mem");
}

#[test]
fn window_aggregates_match_a_naive_computation() {
    let s = sample_store();
    let pred = Predicate::tag_eq("host", "a").and(Predicate::field_eq("usage"));
    let every = 30_000_000_000;
    let w = s
        .window_aggregate(
            B,
            5_000_000_000,
            95_000_000_000,
            &pred,
            Window { every, offset: 0 },
            Aggregate::Mean,
        )
        .unwrap();
    assert_eq!(w.len(), 1);
    let w = &w[0];
    assert_eq!(
        w.starts,
        vec![
            5_000_000_000,
            30_000_000_000,
            60_000_000_000,
            90_000_000_000
        ]
    );
    assert_eq!(
        w.stops,
        vec![
            30_000_000_000,
            60_000_000_000,
            90_000_000_000,
            95_000_000_000
        ]
    );
    // seconds 5..30: values i % 10 for i in 5..30
    let naive = |a: i64, b: i64| (a..b).map(|i| (i % 10) as f64).sum::<f64>() / (b - a) as f64;
    assert_eq!(
        w.values,
        Values::Float(vec![
            naive(5, 30),
            naive(30, 60),
            naive(60, 90),
            naive(90, 95)
        ])
    );
    let c = s
        .window_aggregate(
            B,
            0,
            200_000_000_000,
            &pred,
            Window { every, offset: 0 },
            Aggregate::Count,
        )
        .unwrap();
    assert_eq!(
        c[0].values,
        Values::Integer(vec![30, 30, 30, 30, 30, 30, 20])
    );
    let mx = s
        .window_aggregate(
            B,
            0,
            200_000_000_000,
            &pred,
            Window { every, offset: 0 },
            Aggregate::Max,
        )
        .unwrap();
    assert_eq!(mx[0].times[0], 9_000_000_000);
    let last = s
        .last_points(B, 0, i64::MAX, &Predicate::tag_eq("host", "c"))
        .unwrap();
    assert_eq!(last.len(), 2);
    assert_eq!(last[0].values, Values::Integer(vec![199]));
    assert_eq!(last[1].times, vec![199_000_000_000]);
    let strs = s.window_aggregate(
        B,
        0,
        10,
        &Predicate::True,
        Window {
            every: 0,
            offset: 0,
        },
        Aggregate::Sum,
    );
    assert_eq!(strs, Err(StoreError::InvalidWindow));
}

#[test]
fn value_predicates_filter_rows_in_scans_aggregates_and_selectors() {
    let s = sample_store();
    let pred = Predicate::tag_eq("host", "a")
        .and(Predicate::field_eq("usage"))
        .and(Predicate::Value(CmpOp::Gt, FieldValue::Float(8.0)));
    let t = s.scan(B, 0, i64::MAX, &pred).unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].times.len(), 20);
    assert!(floats(&t[0]).iter().all(|&v| v == 9.0));
    let w = s
        .window_aggregate(
            B,
            0,
            200_000_000_000,
            &pred,
            Window {
                every: 30_000_000_000,
                offset: 0,
            },
            Aggregate::Count,
        )
        .unwrap();
    assert_eq!(w[0].values, Values::Integer(vec![3, 3, 3, 3, 3, 3, 2]));
    let first = s.selector(B, 0, i64::MAX, &pred, Aggregate::First).unwrap();
    assert_eq!(first[0].times, vec![9_000_000_000]);
    let last = s.last_points(B, 0, i64::MAX, &pred).unwrap();
    assert_eq!(last[0].times, vec![199_000_000_000]);
    let none =
        Predicate::field_eq("usage").and(Predicate::Value(CmpOp::Lt, FieldValue::Integer(-1)));
    assert!(s.scan(B, 0, i64::MAX, &none).unwrap().is_empty());
    assert!(s.last_points(B, 0, i64::MAX, &none).unwrap().is_empty());
}

#[test]
fn block_summaries_answer_like_decoding() {
    let mut s = sample_store();
    s.compact(0);
    let with_summaries = s.buckets[&B]
        .series
        .values()
        .flat_map(|x| &x.blocks)
        .filter(|h| h.stats.get().is_some())
        .count();
    assert!(with_summaries > 0);
    let pred = Predicate::measurement_eq("cpu");
    // A `_value` test that every row passes turns summaries off: the decoding path.
    let decoded = pred
        .clone()
        .and(Predicate::Value(CmpOp::Ge, FieldValue::Float(-1e300)));
    for every in [60_000_000_000i64, 100_000_000_000, 1_000_000_000_000] {
        for agg in [
            Aggregate::Count,
            Aggregate::Sum,
            Aggregate::Min,
            Aggregate::Max,
            Aggregate::Mean,
            Aggregate::First,
            Aggregate::Last,
        ] {
            let w = Window { every, offset: 0 };
            let a = s
                .window_aggregate(B, i64::MIN, i64::MAX, &pred, w, agg)
                .unwrap();
            let b = s
                .window_aggregate(B, i64::MIN, i64::MAX, &decoded, w, agg)
                .unwrap();
            assert_eq!(a, b, "{agg:?} every {every}");
        }
    }
    // Strings have no summaries: their windows still come out (decoded).
    let mut t = Store::new();
    write(
        &mut t,
        &[
            line(
                "m",
                &[],
                vec![
                    ("s", LV::String(Cow::Borrowed("x"))),
                    ("b", LV::Boolean(true)),
                ],
                1,
            ),
            line(
                "m",
                &[],
                vec![
                    ("s", LV::String(Cow::Borrowed("y"))),
                    ("b", LV::Boolean(false)),
                ],
                2,
            ),
        ],
    );
    t.seal_all();
    let w1 = Window {
        every: 1000,
        offset: 0,
    };
    let c = t
        .window_aggregate(B, 0, 100, &Predicate::True, w1, Aggregate::Last)
        .unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].values, Values::Boolean(vec![false]));
    assert_eq!(c[1].values, Values::String(vec!["y".into()]));
    assert!(t
        .window_aggregate(B, 0, 100, &Predicate::True, w1, Aggregate::Sum)
        .is_err());
    // Restored stores compute summaries on first use.
    let r = Store::restore(&s.snapshot()).unwrap();
    let w = Window {
        every: 1_000_000_000_000,
        offset: 0,
    };
    assert_eq!(
        r.window_aggregate(B, i64::MIN, i64::MAX, &pred, w, Aggregate::Mean)
            .unwrap(),
        s.window_aggregate(B, i64::MIN, i64::MAX, &decoded, w, Aggregate::Mean)
            .unwrap()
    );
}

#[test]
fn schema_introspection() {
    let s = sample_store();
    assert_eq!(
        s.measurements(B, i64::MIN, i64::MAX, &Predicate::True),
        vec!["cpu", "mem"]
    );
    assert_eq!(
        s.tag_keys(B, i64::MIN, i64::MAX, &Predicate::measurement_eq("cpu")),
        vec!["host", "region"]
    );
    assert_eq!(
        s.tag_values(
            B,
            "host",
            i64::MIN,
            i64::MAX,
            &Predicate::tag_eq("region", "eu")
        ),
        vec!["a", "b"]
    );
    assert_eq!(
        s.series_cardinality(B, i64::MIN, i64::MAX, &Predicate::True),
        4
    );
    // mem only has data at t=0
    assert_eq!(s.series_cardinality(B, 1, i64::MAX, &Predicate::True), 3);
    let f = s.field_keys(B, i64::MIN, i64::MAX, &Predicate::True);
    assert_eq!(f.len(), 3);
    assert_eq!(f[2].field_type, FieldType::UInteger);
    assert_eq!(s.field_type(B, "cpu", "n"), Some(FieldType::Integer));
}

#[test]
fn deletes_remove_points_in_head_and_blocks() {
    let mut s = sample_store();
    let d = s
        .prepare_delete(
            B,
            20_000_000_000,
            29_000_000_000,
            "_measurement=\"cpu\" AND host=\"a\"",
        )
        .unwrap();
    let rec = codec::encode_delete(&d);
    assert_eq!(codec::decode_delete(&rec).unwrap(), d);
    s.apply_record(&rec).unwrap();
    let count = |s: &Store, host: &str| {
        s.scan(
            B,
            0,
            i64::MAX,
            &Predicate::tag_eq("host", host).and(Predicate::field_eq("n")),
        )
        .unwrap()
        .iter()
        .map(|t| t.times.len())
        .sum::<usize>()
    };
    assert_eq!(count(&s, "a"), 190);
    assert_eq!(count(&s, "b"), 200);
    s.compact(0);
    assert_eq!(count(&s, "a"), 190);
    assert!(s.blocks(B).iter().all(|b| b.rows <= 40));
    assert_eq!(
        s.prepare_delete(B, 0, 1, "_field=\"x\""),
        Err(DeleteError::FieldNotSupported)
    );
    // Delete everything of mem: the series and its schema disappear.
    let d = s
        .prepare_delete(B, i64::MIN, i64::MAX, "_measurement=\"mem\"")
        .unwrap();
    s.apply_delete(&d);
    assert_eq!(
        s.measurements(B, i64::MIN, i64::MAX, &Predicate::True),
        vec!["cpu"]
    );
    assert_eq!(s.field_type(B, "mem", "free"), None);
}

#[test]
fn retention_drops_expired_shard_windows() {
    let mut s = Store::new();
    s.set_bucket_options(
        B,
        BucketOptions {
            retention_ns: 3_600_000_000_000,
            shard_group_ns: 0,
        },
    );
    let h = 3_600_000_000_000i64;
    write(
        &mut s,
        &[
            line("m", &[], vec![("f", LV::Float(1.0))], h / 2),
            line("m", &[], vec![("f", LV::Float(2.0))], 3 * h + 1),
        ],
    );
    // now = 3h + 2: cutoff = 2h + 2; the window [0, 1h) has ended before it.
    s.seal_all();
    assert_eq!(s.blocks(B).len(), 2);
    let r = s.compact(3 * h + 2);
    assert_eq!(r.removed_blocks.len(), 1);
    let t = s.scan(B, i64::MIN, i64::MAX, &Predicate::True).unwrap();
    assert_eq!(t[0].times, vec![3 * h + 1]);
}

#[test]
fn snapshot_restore_and_lazy_blocks() {
    let mut s = sample_store();
    let d = s.prepare_delete(B, 0, 3_000_000_000, "host=\"b\"").unwrap();
    s.apply_delete(&d);
    let before = s.scan(B, i64::MIN, i64::MAX, &Predicate::True).unwrap();
    let snap = s.snapshot();
    let r = Store::restore(&snap).unwrap();
    assert_eq!(
        r.scan(B, i64::MIN, i64::MAX, &Predicate::True).unwrap(),
        before
    );
    assert_eq!(r.snapshot(), snap);

    let mut r = r;
    let blocks = r.blocks(B);
    let target = blocks
        .iter()
        .find(|b| b.series.tag("host") == Some("a"))
        .unwrap()
        .clone();
    let bytes = r.block_bytes(B, target.id).unwrap().to_vec();
    let mem_before = r.memory_usage().blocks;
    assert!(r.evict_block(B, target.id));
    assert!(r.memory_usage().blocks < mem_before);
    match r.scan(B, i64::MIN, i64::MAX, &Predicate::tag_eq("host", "a")) {
        Err(StoreError::BlocksNotResident { blocks, .. }) => assert_eq!(blocks, vec![target.id]),
        other => panic!("expected BlocksNotResident, got {other:?}"),
    }
    // Other series still answer.
    assert!(r
        .scan(B, i64::MIN, i64::MAX, &Predicate::tag_eq("host", "b"))
        .is_ok());
    let mut wrong = bytes.clone();
    wrong[10] ^= 1;
    assert!(r.load_block(B, target.id, wrong).is_err());
    r.load_block(B, target.id, bytes).unwrap();
    assert_eq!(
        r.scan(B, i64::MIN, i64::MAX, &Predicate::True).unwrap(),
        before
    );
}

#[test]
fn evicted_blocks_survive_deletes_compaction_and_snapshots() {
    let mut s = sample_store();
    s.seal_all();
    let want = {
        let mut x = s.clone();
        let d = x
            .prepare_delete(B, 5_000_000_000, 7_000_000_000, "")
            .unwrap();
        x.apply_delete(&d);
        x.scan(B, i64::MIN, i64::MAX, &Predicate::True).unwrap()
    };
    // Evict everything, keeping the bytes as an edge would.
    let saved: Vec<(u64, Vec<u8>)> = s
        .blocks(B)
        .iter()
        .map(|b| (b.id, s.block_bytes(B, b.id).unwrap().to_vec()))
        .collect();
    for (id, _) in &saved {
        assert!(s.evict_block(B, *id));
    }
    assert_eq!(s.memory_usage().blocks, 0);
    let d = s
        .prepare_delete(B, 5_000_000_000, 7_000_000_000, "")
        .unwrap();
    s.apply_delete(&d);
    let report = s.compact(0);
    assert!(
        report.added_blocks.is_empty(),
        "evicted windows are left alone"
    );
    // A snapshot without block bytes restores to a store that asks for them.
    let mut r = Store::restore(&s.snapshot()).unwrap();
    let missing = match r.scan(B, i64::MIN, i64::MAX, &Predicate::True) {
        Err(StoreError::BlocksNotResident { blocks, .. }) => blocks,
        other => panic!("expected BlocksNotResident, got {other:?}"),
    };
    for id in missing {
        let bytes = saved.iter().find(|(i, _)| *i == id).unwrap().1.clone();
        r.load_block(B, id, bytes).unwrap();
    }
    assert_eq!(
        r.scan(B, i64::MIN, i64::MAX, &Predicate::True).unwrap(),
        want
    );
    r.compact(0);
    assert_eq!(
        r.scan(B, i64::MIN, i64::MAX, &Predicate::True).unwrap(),
        want
    );
    assert_eq!(
        r.load_block(B, 999_999, Vec::new()),
        Err(StoreError::UnknownBlock(999_999))
    );
}

#[test]
fn block_wise_persistence_round_trips() {
    let mut s = sample_store();
    s.seal_all();
    let mut disk: std::collections::BTreeMap<u64, Vec<u8>> = Default::default();
    let persist = |s: &mut Store, disk: &mut std::collections::BTreeMap<u64, Vec<u8>>| {
        let ch = s.take_block_changes();
        for (b, id) in &ch.added {
            disk.insert(*id, s.block_bytes(*b, *id).unwrap().to_vec());
        }
        for (_, id) in &ch.removed {
            assert!(disk.remove(id).is_some());
        }
        ch
    };
    let ch = persist(&mut s, &mut disk);
    assert_eq!(ch.added.len(), s.stats().blocks);
    assert!(ch.removed.is_empty());
    assert!(s.take_block_changes().added.is_empty(), "nothing new");
    let d = s
        .prepare_delete(B, 0, 150_000_000_000, "host=\"a\"")
        .unwrap();
    s.apply_delete(&d);
    s.compact(0);
    let ch = persist(&mut s, &mut disk);
    assert!(!ch.removed.is_empty() && !ch.added.is_empty());
    let index = s.snapshot_without_blocks();
    assert!(
        index.len() < s.snapshot().len(),
        "the index snapshot has no block bytes"
    );
    let mut r = Store::restore(&index).unwrap();
    assert_eq!(r.memory_usage().blocks, 0);
    let want = s.scan(B, i64::MIN, i64::MAX, &Predicate::True).unwrap();
    let got = loop {
        match r.scan(B, i64::MIN, i64::MAX, &Predicate::True) {
            Ok(t) => break t,
            Err(StoreError::BlocksNotResident { blocks, .. }) => {
                for id in blocks {
                    r.load_block(B, id, disk[&id].clone()).unwrap();
                }
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(got, want);
    assert!(
        r.take_block_changes().added.is_empty(),
        "restored blocks count as persisted"
    );
}

#[test]
fn records_reject_corruption() {
    let rec = codec::encode_record(0x41, b"catalog");
    assert_eq!(codec::decode_record(&rec).unwrap(), (0x41, &b"catalog"[..]));
    for cut in 0..rec.len() {
        assert!(codec::decode_record(&rec[..cut]).is_err());
    }
    let mut bad = rec.clone();
    bad[8] ^= 1;
    assert_eq!(codec::decode_record(&bad), Err(CodecError::Checksum));
    let mut two = rec.clone();
    two.extend_from_slice(&codec::encode_record(1, b""));
    let (k, _, rest) = codec::split_record(&two).unwrap();
    assert_eq!(k, 0x41);
    assert_eq!(codec::split_record(rest).unwrap().0, 1);
    let mut s = Store::new();
    assert!(!s.apply_record(&rec).unwrap());
    let snap = sample_store().snapshot();
    for cut in [1, snap.len() / 3, snap.len() - 1] {
        assert!(Store::restore(&snap[..cut]).is_err());
    }
}

#[test]
fn many_small_series_seal_when_heads_grow_too_large() {
    let mut s = Store::with_options(StoreOptions {
        max_total_head_rows: 100,
        ..StoreOptions::default()
    });
    let names: Vec<String> = (0..150).map(|i| format!("h{i}")).collect();
    let lines: Vec<Line<'_>> = names
        .iter()
        .map(|n| line("m", &[("host", n.as_str())], vec![("v", LV::Integer(1))], 7))
        .collect();
    write(&mut s, &lines[..90]);
    assert_eq!(s.head_rows(), 90);
    assert_eq!(s.stats().blocks, 0);
    write(&mut s, &lines[90..]);
    assert_eq!(s.head_rows(), 0, "150 > 100 head rows: everything sealed");
    assert_eq!(s.stats().blocks, 150);
    let r = Store::restore(&s.snapshot()).unwrap();
    assert_eq!(r.options(), s.options());
    assert_eq!(
        r.series_cardinality(B, i64::MIN, i64::MAX, &Predicate::True),
        150
    );
}

#[test]
fn drop_bucket_forgets_everything() {
    let mut s = sample_store();
    s.seal_all();
    assert!(!s.drop_bucket(B).is_empty());
    assert!(s
        .scan(B, i64::MIN, i64::MAX, &Predicate::True)
        .unwrap()
        .is_empty());
    assert_eq!(s.memory_usage().total(), 0);
}

mod props {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// (host, time, [(field, value)])
    type PropPoint = (u8, i64, Vec<(u8, i32)>);

    #[derive(Debug, Clone)]
    enum Op {
        Write(Vec<PropPoint>),
        Seal,
        Compact,
        Delete(u8, i64, i64),
        /// Evict every block (the edge keeps the bytes).
        Evict,
    }

    /// Scans, loading evicted blocks from `saved` when the store asks for them.
    fn scan_all(s: &mut Store, saved: &BTreeMap<u64, Vec<u8>>) -> Vec<SeriesTable> {
        loop {
            match s.scan(B, i64::MIN, i64::MAX, &Predicate::True) {
                Ok(t) => return t,
                Err(StoreError::BlocksNotResident { blocks, .. }) => {
                    for id in blocks {
                        s.load_block(B, id, saved[&id].clone()).unwrap();
                    }
                }
                Err(e) => panic!("{e}"),
            }
        }
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => prop::collection::vec(
                (0u8..3, 0i64..60, prop::collection::vec((0u8..3, -50i32..50), 1..3)),
                1..20
            )
            .prop_map(Op::Write),
            1 => Just(Op::Seal),
            1 => Just(Op::Compact),
            1 => Just(Op::Evict),
            1 => (0u8..3, 0i64..60, 0i64..20).prop_map(|(h, a, l)| Op::Delete(h, a, a + l)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

        #[test]
        fn scan_equals_last_write_wins_model(ops in prop::collection::vec(op(), 1..12)) {
            let mut s = Store::with_options(StoreOptions { max_head_rows: 7, max_block_rows: 5, max_total_head_rows: 16 });
            s.set_bucket_options(B, BucketOptions { retention_ns: 0, shard_group_ns: 16 });
            // model: (host, field, time) -> value
            let mut model: BTreeMap<(String, String, i64), f64> = BTreeMap::new();
            let mut saved: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
            let hosts = ["h0", "h1", "h2"];
            let fields = ["a", "b", "c"];
            for op in &ops {
                match op {
                    Op::Write(points) => {
                        let lines: Vec<Line<'_>> = points.iter().map(|(h, t, fs)| {
                            line("m", &[("host", hosts[*h as usize])],
                                 fs.iter().map(|(f, v)| (fields[*f as usize], LV::Float(f64::from(*v) / 4.0))).collect(), *t)
                        }).collect();
                        for (h, t, fs) in points {
                            for (f, v) in fs {
                                model.insert((hosts[*h as usize].to_string(), fields[*f as usize].to_string(), *t), f64::from(*v) / 4.0);
                            }
                        }
                        write(&mut s, &lines);
                    }
                    Op::Seal => s.seal_all(),
                    Op::Compact => { s.compact(0); }
                    Op::Evict => {
                        for b in s.blocks(B) {
                            if let Some(bytes) = s.block_bytes(B, b.id) {
                                saved.insert(b.id, bytes.to_vec());
                            }
                            s.evict_block(B, b.id);
                        }
                    }
                    Op::Delete(h, a, b) => {
                        let d = s.prepare_delete(B, *a, *b, &format!("host=\"{}\"", hosts[*h as usize])).unwrap();
                        s.apply_delete(&d);
                        model.retain(|(mh, _, t), _| !(mh == hosts[*h as usize] && *t >= *a && *t <= *b));
                    }
                }
            }
            let mut got: BTreeMap<(String, String, i64), f64> = BTreeMap::new();
            for t in scan_all(&mut s, &saved) {
                let vals = floats(&t);
                prop_assert!(t.times.windows(2).all(|w| w[0] < w[1]));
                for (tm, v) in t.times.iter().zip(vals) {
                    got.insert((t.tags[0].1.clone(), t.field.clone(), *tm), v);
                }
            }
            prop_assert_eq!(&got, &model);
            // first()/last() of every series × field: the model's earliest/latest point
            for (agg, pick_last) in [(Aggregate::First, false), (Aggregate::Last, true)] {
                let sel = loop {
                    match s.selector(B, i64::MIN, i64::MAX, &Predicate::True, agg) {
                        Ok(t) => break t,
                        Err(StoreError::BlocksNotResident { blocks, .. }) => {
                            for id in blocks {
                                s.load_block(B, id, saved[&id].clone()).unwrap();
                            }
                        }
                        Err(e) => panic!("{e}"),
                    }
                };
                let mut want: BTreeMap<(String, String), (i64, f64)> = BTreeMap::new();
                // the model iterates in time order per series and field
                for ((h, f, t), v) in &model {
                    let e = want.entry((h.clone(), f.clone())).or_insert((*t, *v));
                    if pick_last {
                        *e = (*t, *v);
                    }
                }
                let got: BTreeMap<(String, String), (i64, f64)> = sel
                    .iter()
                    .map(|t| ((t.tags[0].1.clone(), t.field.clone()), (t.times[0], floats(t)[0])))
                    .collect();
                prop_assert_eq!(got, want, "{:?}", agg);
            }
            let restored = Store::restore(&s.snapshot()).unwrap();
            prop_assert_eq!(restored.head_rows(), s.head_rows(), "head row counter drifted");
            prop_assert_eq!(restored.scan(B, i64::MIN, i64::MAX, &Predicate::True).unwrap(),
                            s.scan(B, i64::MIN, i64::MAX, &Predicate::True).unwrap());
        }

        #[test]
        fn window_aggregates_equal_naive_over_scan(
            batches in prop::collection::vec(prop::collection::vec((0i64..200, -40i32..40), 1..40), 1..6),
            every in 1i64..50,
            offset in -60i64..60,
            range in (0i64..100, 100i64..250),
        ) {
            let mut s = Store::with_options(StoreOptions { max_head_rows: 9, max_block_rows: 6, ..StoreOptions::default() });
            s.set_bucket_options(B, BucketOptions { retention_ns: 0, shard_group_ns: 64 });
            for (k, b) in batches.iter().enumerate() {
                let lines: Vec<Line<'_>> = b.iter().map(|(t, v)| line("m", &[], vec![("x", LV::Integer(i64::from(*v)))], *t)).collect();
                write(&mut s, &lines);
                if k % 2 == 0 { s.seal_all(); }
            }
            let (start, stop) = range;
            let w = Window { every, offset };
            let scanned = s.scan(B, start, stop, &Predicate::True).unwrap();
            for agg in [Aggregate::Count, Aggregate::Sum, Aggregate::Min, Aggregate::Max, Aggregate::Mean, Aggregate::First, Aggregate::Last] {
                let got = s.window_aggregate(B, start, stop, &Predicate::True, w, agg).unwrap();
                // naive: group the scanned rows by window
                let mut groups: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
                if let Some(t) = scanned.first() {
                    let Values::Integer(vals) = &t.values else { panic!() };
                    for (tm, v) in t.times.iter().zip(vals) {
                        let ws = crate::store::window_start(*tm, every, offset);
                        groups.entry(ws).or_default().push((*tm, *v));
                    }
                }
                prop_assert_eq!(got.len(), usize::from(!groups.is_empty()));
                let Some(g) = got.first() else { continue };
                prop_assert_eq!(g.starts.len(), groups.len());
                for (i, (ws, rows)) in groups.iter().enumerate() {
                    prop_assert_eq!(g.starts[i], (*ws).max(start));
                    let want: FieldValue = match agg {
                        Aggregate::Count => FieldValue::Integer(rows.len() as i64),
                        Aggregate::Sum => FieldValue::Integer(rows.iter().map(|r| r.1).sum()),
                        Aggregate::Mean => FieldValue::Float(rows.iter().map(|r| r.1 as f64).sum::<f64>() / rows.len() as f64),
                        Aggregate::Min => FieldValue::Integer(rows.iter().map(|r| r.1).min().unwrap()),
                        Aggregate::Max => FieldValue::Integer(rows.iter().map(|r| r.1).max().unwrap()),
                        Aggregate::First => FieldValue::Integer(rows[0].1),
                        Aggregate::Last => FieldValue::Integer(rows[rows.len() - 1].1),
                    };
                    prop_assert_eq!(g.values.get(i).unwrap(), want, "{:?} window {}", agg, ws);
                    if agg == Aggregate::First { prop_assert_eq!(g.times[i], rows[0].0); }
                    if agg == Aggregate::Last { prop_assert_eq!(g.times[i], rows[rows.len() - 1].0); }
                }
            }
            let last = s.last_points(B, start, stop, &Predicate::True).unwrap();
            let first = s.selector(B, start, stop, &Predicate::True, Aggregate::First).unwrap();
            match scanned.first() {
                Some(t) => {
                    prop_assert_eq!(last[0].times[0], *t.times.last().unwrap());
                    prop_assert_eq!(last[0].values.get(0), t.values.get(t.times.len() - 1));
                    prop_assert_eq!(first[0].times[0], t.times[0]);
                    prop_assert_eq!(first[0].values.get(0), t.values.get(0));
                }
                None => prop_assert!(last.is_empty() && first.is_empty()),
            }
        }

        #[test]
        fn delete_records_round_trip(
            bucket in any::<u64>(), start in any::<i64>(), stop in any::<i64>(),
            rules in prop::collection::vec(("[a-z_]{1,8}", any::<bool>(), ".{0,8}"), 0..5),
        ) {
            let d = DeleteBatch {
                bucket,
                start,
                stop,
                predicate: DeletePredicate {
                    rules: rules.into_iter().map(|(key, eq, value)| TagRule {
                        key,
                        op: if eq { DeleteOp::Eq } else { DeleteOp::Ne },
                        value,
                    }).collect(),
                },
            };
            let rec = codec::encode_delete(&d);
            prop_assert_eq!(codec::decode_delete(&rec).unwrap(), d);
            for cut in [0, rec.len() / 2, rec.len() - 1] {
                prop_assert!(codec::decode_delete(&rec[..cut]).is_err());
            }
        }

        #[test]
        fn write_batches_round_trip(points in prop::collection::vec((0u8..4, any::<i64>(), any::<f64>(), any::<i64>(), any::<bool>(), ".{0,8}"), 0..30)) {
            let lines: Vec<Line<'_>> = points.iter().map(|(h, t, f, i, b, st)| {
                line("m", &[("h", ["0", "1", "2", "3"][*h as usize])],
                     vec![("f", LV::Float(*f)), ("i", LV::Integer(*i)), ("b", LV::Boolean(*b)),
                          ("s", LV::String(Cow::Borrowed(st.as_str()))), ("u", LV::UInteger(*i as u64))], *t)
            }).collect();
            let batch = Store::new().prepare_write(B, &lines, None).batch;
            let rec = codec::encode_write(&batch);
            let back = codec::decode_write(&rec).unwrap();
            prop_assert_eq!(codec::encode_write(&back), rec);
            prop_assert_eq!(back.points.len(), batch.points.len());
        }

        #[test]
        fn blocks_round_trip_arbitrary_columns(rows in prop::collection::vec((any::<i64>(), prop::option::of(any::<f64>()), prop::option::of(any::<i64>()), prop::option::of("[a-c]{0,3}")), 1..300)) {
            use crate::model::Chunk;
            let fields = vec![("f".to_string(), FieldType::Float), ("i".to_string(), FieldType::Integer), ("s".to_string(), FieldType::String)];
            let types: Vec<FieldType> = fields.iter().map(|f| f.1).collect();
            let mut c = Chunk::default();
            for (t, f, i, st) in &rows {
                let fv = f.map(FieldValue::Float);
                let iv = i.map(FieldValue::Integer);
                let sv = st.clone().map(FieldValue::String);
                let mut row = Vec::new();
                if let Some(v) = &fv { row.push((0, v)); }
                if let Some(v) = &iv { row.push((1, v)); }
                if let Some(v) = &sv { row.push((2, v)); }
                c.push_row(*t, &row, &types);
            }
            let bytes = crate::block::encode_block(&c, &fields);
            let (times, cols) = crate::block::decode_block_columns(&bytes).unwrap();
            prop_assert_eq!(&times, &c.times);
            for (name, valid, values) in cols {
                let slot = fields.iter().position(|f| f.0 == name).unwrap();
                let orig = c.cols[slot].as_ref().unwrap();
                prop_assert_eq!(&valid, &orig.valid);
                for (k, ok) in valid.iter().enumerate() {
                    if *ok {
                        match (values.get(k).unwrap(), orig.values.get(k).unwrap()) {
                            (FieldValue::Float(a), FieldValue::Float(b)) => prop_assert_eq!(a.to_bits(), b.to_bits()),
                            (a, b) => prop_assert_eq!(a, b),
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn store_is_send_and_sync() {
    fn assert<T: Send + Sync + Clone>() {}
    assert::<Store>();
    assert::<WriteBatch>();
    assert::<DeleteBatch>();
}
