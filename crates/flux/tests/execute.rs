//! End-to-end tests of `execute` over an in-memory Source.

use edgeflux_flux::{
    encode_csv, execute, ColumnData, Dialect, MemorySource, NoSource, QueryOptions, Table,
};

const H: i64 = 3_600_000_000_000;
const T0: i64 = 1_451_606_400_000_000_000; // 2016-01-01T00:00:00Z

fn source() -> MemorySource {
    let mut tables = Vec::new();
    for (host, base) in [("a", 1.0), ("b", 10.0)] {
        let times: Vec<i64> = (0..6).map(|k| T0 + k * H / 2).collect();
        let vals = ColumnData::Float((0..6).map(|k| Some(base + k as f64)).collect());
        tables.push(Table::series(
            0,
            0,
            "m",
            &[("host", host)],
            "v",
            times,
            vals,
        ));
    }
    tables.push(Table::series(
        0,
        0,
        "other",
        &[("host", "a")],
        "v",
        vec![T0],
        ColumnData::Int(vec![Some(7)]),
    ));
    MemorySource {
        buckets: vec![("b".into(), tables)],
    }
}

fn run(q: &str) -> String {
    let opts = QueryOptions {
        now_ns: T0 + 3 * H,
        ..Default::default()
    };
    let res = execute(q, &opts, &source()).unwrap_or_else(|e| panic!("{q}: {e}"));
    let mut out = Vec::new();
    encode_csv(&res, &Dialect::default(), &mut out);
    String::from_utf8(out).unwrap().replace("\r\n", "\n")
}

fn err(q: &str) -> (String, String) {
    let opts = QueryOptions {
        now_ns: T0 + 3 * H,
        ..Default::default()
    };
    let e = execute(q, &opts, &source()).expect_err(q);
    (e.code().to_string(), e.message().to_string())
}

#[test]
fn walking_skeleton() {
    let out = run(
        r#"from(bucket: "b") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "m")"#,
    );
    assert_eq!(
        out,
        ",result,table,_start,_stop,_time,_value,_field,_measurement,host\n\
         ,_result,0,2016-01-01T02:00:00Z,2016-01-01T03:00:00Z,2016-01-01T02:00:00Z,5,v,m,a\n\
         ,_result,0,2016-01-01T02:00:00Z,2016-01-01T03:00:00Z,2016-01-01T02:30:00Z,6,v,m,a\n\
         ,_result,1,2016-01-01T02:00:00Z,2016-01-01T03:00:00Z,2016-01-01T02:00:00Z,14,v,m,b\n\
         ,_result,1,2016-01-01T02:00:00Z,2016-01-01T03:00:00Z,2016-01-01T02:30:00Z,15,v,m,b\n\n"
    );
}

#[test]
fn aggregate_window_mean_per_hour() {
    let out = run(
        r#"from(bucket: "b") |> range(start: 2016-01-01T00:00:00Z, stop: 2016-01-01T03:00:00Z)
        |> filter(fn: (r) => r._measurement == "m" and r.host == "a")
        |> aggregateWindow(every: 1h, fn: mean)"#,
    );
    assert_eq!(
        out,
        ",result,table,_start,_stop,_time,_value,_field,_measurement,host\n\
         ,_result,0,2016-01-01T00:00:00Z,2016-01-01T03:00:00Z,2016-01-01T01:00:00Z,1.5,v,m,a\n\
         ,_result,0,2016-01-01T00:00:00Z,2016-01-01T03:00:00Z,2016-01-01T02:00:00Z,3.5,v,m,a\n\
         ,_result,0,2016-01-01T00:00:00Z,2016-01-01T03:00:00Z,2016-01-01T03:00:00Z,5.5,v,m,a\n\n"
    );
}

#[test]
fn group_and_count_and_yields() {
    let out = run(r#"data = from(bucket: "b") |> range(start: 0)
        data |> filter(fn: (r) => r._value > 12.0) |> group() |> count() |> yield(name: "big")
        data |> last() |> keep(columns: ["_measurement", "host", "_value"]) |> yield(name: "last")"#);
    assert!(
        out.starts_with(",result,table,_value\n,big,0,3\n\n"),
        "{out}"
    );
    assert!(out.contains(",last,0,6,m,a\n"), "{out}");
    assert!(out.contains("other,a"), "{out}");
}

#[test]
fn map_and_pivot() {
    let out = run(
        r#"from(bucket: "b") |> range(start: 0) |> filter(fn: (r) => r._measurement == "m")
        |> map(fn: (r) => ({r with _value: r._value * 2.0}))
        |> pivot(rowKey: ["_time"], columnKey: ["host"], valueColumn: "_value")
        |> group() |> limit(n: 1)"#,
    );
    assert!(out.contains(",a,b\n"), "{out}");
    assert!(out.contains(",2,20\n"), "{out}");
}

#[test]
fn errors_have_flux_codes_and_positions() {
    let (code, msg) = err("x");
    assert_eq!(code, "invalid");
    assert_eq!(
        msg,
        "compilation failed: error at @1:1-1:2: undefined identifier \"x\""
    );
    let (code, msg) = err(r#"from(bucket: "nope") |> range(start: -1h)"#);
    assert_eq!(code, "not found");
    assert!(msg.contains("could not find bucket \"nope\""), "{msg}");
    let (_, msg) = err(r#"from(bucket: "b") |> filter(fn: (r) => true)"#);
    assert!(msg.contains("unbounded"), "{msg}");
}

#[test]
fn csv_from_round_trip_and_scalars() {
    let q = r##"import "csv"
import "strings"
data = "#datatype,string,long,dateTime:RFC3339,double,string
#group,false,false,false,false,true
#default,_result,,,,
,result,table,_time,_value,t
,,0,2020-01-01T00:00:00Z,1.5,x
,,0,2020-01-01T00:01:00Z,2.5,x
"
csv.from(csv: data) |> map(fn: (r) => ({r with s: strings.toUpper(v: r.t) + "${r._value}"}))"##;
    let opts = QueryOptions::default();
    let res = execute(q, &opts, &NoSource).unwrap();
    let mut out = Vec::new();
    encode_csv(&res, &Dialect::default(), &mut out);
    let s = String::from_utf8(out).unwrap();
    assert!(s.contains("X1.5"), "{s}");
}
