//! Golden vectors: every `tests/data/*.txt` file holds cases of the form
//!
//! ```text
//! === name [precision=s] [default=<ns>]
//! <input lines; <CR> <TAB> <NUL> <LF> stand for those bytes>
//! ---
//! <one line per parsed point or error, as rendered by `render`>
//! ```
//!
//! Inputs are joined by `\n` with no final newline; `{{x*N}}` stands for the character
//! `x` repeated N times (inputs and expectations). `UPDATE_GOLDEN=1` rewrites the
//! expectations from the parser (review the diff before committing).

use std::fmt::Write as _;
use std::path::Path;

use edgeflux_lineproto::{write_line, ParseOptions, Parser, Precision};

const DEFAULT_TIME: i64 = 1_700_000_000_123_456_789;

struct Case {
    header: String,
    input: Vec<String>,
    expected: Vec<String>,
}

/// Expands `{{x*N}}` runs.
fn expand(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let run = tail.find("}}").and_then(|end| {
            let (c, n) = tail[..end].split_once('*')?;
            Some((c.to_string(), n.parse::<usize>().ok()?, end))
        });
        match run {
            Some((c, n, end)) => {
                out.push_str(&c.repeat(n));
                rest = &tail[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Writes runs of 64 or more equal characters as `{{x*N}}`.
fn compress(s: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let mut j = i;
        while j < chars.len() && chars[j] == chars[i] {
            j += 1;
        }
        if j - i >= 64 && !matches!(chars[i], '{' | '}' | '*') {
            out.push_str(&format!("{{{{{}*{}}}}}", chars[i], j - i));
        } else {
            out.extend(&chars[i..j]);
        }
        i = j;
    }
    out
}

fn decode(s: &str) -> String {
    expand(s)
        .replace("<CR>", "\r")
        .replace("<TAB>", "\t")
        .replace("<NUL>", "\0")
        .replace("<LF>", "\n")
}

fn encode(s: &str) -> String {
    compress(s)
        .replace('\r', "<CR>")
        .replace('\t', "<TAB>")
        .replace('\0', "<NUL>")
        .replace('\n', "<LF>")
}

fn parse_cases(text: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    let mut in_expected = false;
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("=== ") {
            cases.push(Case {
                header: h.to_string(),
                input: Vec::new(),
                expected: Vec::new(),
            });
            in_expected = false;
        } else if line == "---" {
            in_expected = true;
        } else if let Some(c) = cases.last_mut() {
            if in_expected {
                if !line.trim().is_empty() {
                    c.expected.push(line.to_string());
                }
            } else {
                c.input.push(line.to_string());
            }
        }
    }
    cases
}

fn options(header: &str) -> ParseOptions {
    let mut opts = ParseOptions {
        precision: Precision::Nanoseconds,
        default_time: DEFAULT_TIME,
    };
    for word in header.split_whitespace() {
        if let Some(p) = word.strip_prefix("[precision=") {
            opts.precision =
                Precision::from_v2_param(p.trim_end_matches(']')).expect("bad precision in header");
        }
        if let Some(d) = word.strip_prefix("[default=") {
            opts.default_time = d.trim_end_matches(']').parse().expect("bad default");
        }
    }
    opts
}

fn render(input: &str, opts: &ParseOptions) -> Vec<String> {
    let mut out = Vec::new();
    let general: Vec<_> = Parser::new(input, opts).general_path_only().collect();
    let fast: Vec<_> = Parser::new(input, opts).collect();
    assert_eq!(
        fast, general,
        "fast path and general path disagree on {input:?}"
    );
    for item in fast {
        match item {
            Ok(line) => {
                let mut s = format!(
                    "ok {:?} {:?} {:?} {}",
                    line.measurement, line.tags, line.fields, line.timestamp
                );
                // Every good point must survive the writer (or be refused by it).
                let mut w = String::new();
                match write_line(&line, &mut w) {
                    Ok(()) => {
                        let ns = ParseOptions {
                            precision: Precision::Nanoseconds,
                            default_time: 0,
                        };
                        let back: Vec<_> = Parser::new(&w, &ns).collect();
                        assert_eq!(back.len(), 1, "writer output {w:?}");
                        assert_eq!(back[0].as_ref().ok(), Some(&line), "round trip of {w:?}");
                    }
                    Err(e) => write!(s, " (writer: {e})").unwrap(),
                }
                out.push(encode(&s));
            }
            Err(e) => out.push(encode(&format!("error {}:{} {}", e.line, e.column, e))),
        }
    }
    out
}

#[test]
fn golden_vectors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/data")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut total = 0;
    let mut failures = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read golden file");
        let cases = parse_cases(&text);
        let mut rewritten = String::new();
        for case in &cases {
            total += 1;
            let input = decode(&case.input.join("\n"));
            let actual = render(&input, &options(&case.header));
            if actual != case.expected {
                failures.push(format!(
                    "{}: {}\n  expected: {:#?}\n  actual:   {:#?}",
                    path.display(),
                    case.header,
                    case.expected,
                    actual
                ));
            }
            writeln!(rewritten, "=== {}", case.header).unwrap();
            for l in &case.input {
                writeln!(rewritten, "{}", compress(l)).unwrap();
            }
            writeln!(rewritten, "---").unwrap();
            for l in &actual {
                writeln!(rewritten, "{l}").unwrap();
            }
            writeln!(rewritten).unwrap();
        }
        if update {
            std::fs::write(&path, rewritten).expect("write golden file");
        }
    }
    assert!(total >= 200, "only {total} golden cases");
    if !update {
        assert!(
            failures.is_empty(),
            "{} of {total} cases failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
