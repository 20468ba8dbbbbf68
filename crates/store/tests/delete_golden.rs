//! Golden cases for the `/api/v2/delete` predicate parser: accepted predicates and
//! InfluxDB's error texts (tests/data/delete_predicates.tsv).

use edgeflux_store::{parse_delete_predicate, DeleteOp};

fn render(input: &str) -> String {
    match parse_delete_predicate(input) {
        Ok(p) => {
            let rules: Vec<String> = p
                .rules
                .iter()
                .map(|r| {
                    let op = match r.op {
                        DeleteOp::Eq => "=",
                        DeleteOp::Ne => "!=",
                    };
                    format!("{} {op} {}", r.key, r.value)
                })
                .collect();
            format!("ok {}", rules.join(" & "))
        }
        Err(e) => format!("err {e}"),
    }
}

#[test]
fn delete_predicates_match_golden_file() {
    let data = include_str!("data/delete_predicates.tsv");
    let mut n = 0;
    for line in data
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (input, want) = line.split_once('\t').expect("input<TAB>expected");
        assert_eq!(render(input), want, "input: {input:?}");
        n += 1;
    }
    assert!(n >= 20);
    assert_eq!(render(""), "ok ");
}
