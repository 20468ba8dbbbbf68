//! The JavaScript decoder of the binary hand-off (`js/ast_decoder.mjs`) must build exactly the
//! objects `JSON.parse` makes of the compact JSON, for every golden input (every production
//! and every error case, so partial ASTs with `Bad` nodes too). It runs the real decoder in
//! node (a prerequisite of this repository, see the README), so it fails when node is missing.

use std::path::Path;
use std::process::Command;

use edgeflux_flux_syntax::{parse, to_binary, to_json, JsonOptions};

#[test]
fn js_decoder_builds_the_objects_of_the_compact_json() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("edgeflux-ast-decoder-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("temp dir");
    let compact = JsonOptions {
        spans: true,
        pretty: false,
    };
    let mut written = 0;
    for dir in ["ok", "errors"] {
        for entry in std::fs::read_dir(root.join("tests/data").join(dir)).expect("tests/data") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|x| x != "flux") {
                continue;
            }
            let src = std::fs::read_to_string(&path).unwrap_or_else(|_| {
                // bad_utf8.flux: parse what a lossy reader would hand us
                String::from_utf8_lossy(&std::fs::read(&path).expect("read")).into_owned()
            });
            let file = parse(&src).file;
            let stem = format!("{dir}-{}", path.file_stem().unwrap().to_string_lossy());
            let bytes: Vec<u8> = to_binary(&file)
                .iter()
                .flat_map(|w| w.to_le_bytes())
                .collect();
            std::fs::write(out.join(format!("{stem}.bin")), bytes).expect("write");
            std::fs::write(out.join(format!("{stem}.json")), to_json(&file, &compact))
                .expect("write");
            written += 1;
        }
    }
    let result = Command::new("node")
        .arg(root.join("tests/js/check_decoder.mjs"))
        .arg(&out)
        .output()
        .expect("node must be installed to run this test");
    let _ = std::fs::remove_dir_all(&out);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert_eq!(stdout.trim(), format!("checked {written} files"));
}
