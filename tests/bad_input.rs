//! Every kind of broken file gets a one-line error naming the file, and exit code 2.

use std::path::{Path, PathBuf};
use std::process::Command;

const META: &str = r#"{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"]}"#;

/// A two-node snapshot (root → A); each part can be replaced to break it.
fn snapshot(node_count: &str, edge_count: &str, nodes: &str, edges: &str, strings: &str) -> String {
    format!(
        r#"{{"snapshot":{{"meta":{META},"node_count":{node_count},"edge_count":{edge_count},"trace_function_count":0}},"nodes":[{nodes}],"edges":[{edges}],"strings":[{strings}]}}"#
    )
}

const NODES: &str = "9,0,1,0,1,0,0,3,1,3,10,0,0,0";
const EDGES: &str = "5,2,7";
const STRINGS: &str = r#""","A","a""#;

fn valid() -> String {
    snapshot("2", "1", NODES, EDGES, STRINGS)
}

/// The two-node file with other `nodes` or `edges` arrays.
fn with_arrays(nodes: &str, edges: &str) -> Vec<u8> {
    snapshot("2", "1", nodes, edges, STRINGS).into_bytes()
}

fn run(path: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_heapsift"))
        .env(
            "HEAPSIFT_CACHE_DIR",
            std::env::temp_dir().join(format!("heapsift-test-cache-{}", std::process::id())),
        )
        .args(["summary", "--quiet"])
        .arg(path)
        .output()
        .expect("runs heapsift");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("heapsift-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// Asserts the run failed with one line that names the file and contains `expect`.
fn assert_rejected(name: &str, content: &[u8], expect: &str) {
    let path = write(name, content);
    let (code, stdout, stderr) = run(&path);
    assert_eq!(code, 2, "{name}: exit code; stderr: {stderr}");
    assert!(stdout.is_empty(), "{name}: nothing on stdout");
    assert_eq!(stderr.lines().count(), 1, "{name}: one line: {stderr:?}");
    assert!(
        stderr.contains(&path.display().to_string()),
        "{name}: names the file: {stderr}"
    );
    assert!(stderr.contains(expect), "{name}: {stderr:?} should say {expect:?}");
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        content,
        "{name}: the input is never modified"
    );
}

#[test]
fn the_valid_base_case_loads() {
    let path = write("valid.heapsnapshot", valid().as_bytes());
    let (code, stdout, stderr) = run(&path);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("A ×1"), "{stdout}");
}

#[test]
fn empty_file() {
    assert_rejected("empty.heapsnapshot", b"", "the file is empty");
    assert_rejected("blank.heapsnapshot", b"   \n", "the file is empty");
}

#[test]
fn truncated_files() {
    let v = valid();
    for cut in [
        20,
        v.find("\"nodes\"").unwrap() + 12,
        v.find("\"edges\"").unwrap() + 10,
        v.len() - 5,
    ] {
        assert_rejected(
            &format!("truncated-{cut}.heapsnapshot"),
            &v.as_bytes()[..cut],
            "truncated",
        );
    }
}

#[test]
fn not_json() {
    assert_rejected(
        "text.heapsnapshot",
        b"hello, world",
        "does not start with a JSON object",
    );
    assert_rejected(
        "binary.heapsnapshot",
        &[0u8, 159, 146, 150],
        "does not start with a JSON object",
    );
}

#[test]
fn json_that_is_not_a_snapshot() {
    assert_rejected(
        "other.json",
        br#"{"name": "package", "version": 1}"#,
        "no \"snapshot\" header",
    );
    assert_rejected("array.json", b"[1, 2, 3]", "does not start with a JSON object");
    assert_rejected(
        "bad-header.json",
        br#"{"snapshot": {"meta": 3}}"#,
        "header is not valid",
    );
}

#[test]
fn counts_that_disagree_with_the_arrays() {
    assert_rejected(
        "node-count.heapsnapshot",
        snapshot("3", "1", NODES, EDGES, STRINGS).as_bytes(),
        "\"nodes\" array holds 14 values but the header implies 21",
    );
    assert_rejected(
        "edge-count.heapsnapshot",
        snapshot("2", "2", NODES, EDGES, STRINGS).as_bytes(),
        "header's edge_count is 2",
    );
    assert_rejected(
        "edge-array.heapsnapshot",
        &with_arrays(NODES, "5,2,7,5,2,7"),
        "\"edges\" array holds 6 values but the header implies 3",
    );
    let nodes = "9,0,1,0,2,0,0,3,1,3,10,0,0,0";
    assert_rejected(
        "edge-sum.heapsnapshot",
        &with_arrays(nodes, EDGES),
        "edge counts add up to 2",
    );
}

#[test]
fn edges_pointing_outside_the_nodes() {
    assert_rejected(
        "edge-outside.heapsnapshot",
        &with_arrays(NODES, "5,2,14"),
        "outside the nodes array",
    );
    assert_rejected(
        "edge-misaligned.heapsnapshot",
        &with_arrays(NODES, "5,2,8"),
        "not a multiple of the node field count 7",
    );
}

#[test]
fn unknown_type_indices() {
    let nodes = "9,0,1,0,1,0,0,42,1,3,10,0,0,0";
    assert_rejected("node-type.heapsnapshot", &with_arrays(nodes, EDGES), "type index 42");
    assert_rejected("edge-type.heapsnapshot", &with_arrays(NODES, "17,2,7"), "type index 17");
}

/// Each edge keeps its type in 4 bits beside its target: a file declaring more edge types than
/// that is refused with the reason, not misread.
#[test]
fn more_edge_types_than_an_edge_can_hold() {
    let types = (0..16).map(|i| format!(r#""t{i}""#)).collect::<Vec<_>>().join(",");
    let meta = META.replace(
        r#"["context","element","property","internal","hidden","shortcut","weak"]"#,
        &format!("[{types}]"),
    );
    let text = valid().replace(META, &meta);
    assert_rejected(
        "edge-types.heapsnapshot",
        text.as_bytes(),
        "16 edge types; heapsift reads at most 15",
    );
}

/// A node keeps its type in 6 bits beside its detachedness: a file declaring more node types is
/// refused with the reason.
#[test]
fn more_node_types_than_a_node_can_hold() {
    let types = (0..65).map(|i| format!(r#""n{i}""#)).collect::<Vec<_>>().join(",");
    let listed = r#"["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"]"#;
    let meta = META.replace(listed, &format!("[{types}]"));
    let text = valid().replace(META, &meta);
    assert_rejected(
        "node-types.heapsnapshot",
        text.as_bytes(),
        "65 node types; heapsift reads at most 64",
    );
}

#[test]
fn string_indices_out_of_range() {
    let nodes = "9,0,1,0,1,0,0,3,99,3,10,0,0,0";
    assert_rejected(
        "node-name.heapsnapshot",
        &with_arrays(nodes, EDGES),
        "name index 99, but there are only 3 strings",
    );
    assert_rejected("edge-name.heapsnapshot", &with_arrays(NODES, "2,77,7"), "name index 77");
}

#[test]
fn garbage_inside_arrays_and_strings() {
    assert_rejected(
        "negative.heapsnapshot",
        &with_arrays("9,0,1,0,1,0,0,3,1,3,-10,0,0,0", EDGES),
        "not an unsigned integer",
    );
    assert_rejected(
        "bad-escape.heapsnapshot",
        snapshot("2", "1", NODES, EDGES, r#""","A\q","a""#).as_bytes(),
        "invalid escape",
    );
    assert_rejected("bad-gzip.heapsnapshot.gz", &[0x1f, 0x8b, 8, 0, 1, 2, 3], "gzip");
}

#[test]
fn missing_and_unreadable_files() {
    let missing = std::env::temp_dir().join("heapsift-no-such-file.heapsnapshot");
    let (code, _, stderr) = run(&missing);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("heapsift-no-such-file") && stderr.contains("cannot read"),
        "{stderr}"
    );
    let dir = std::env::temp_dir();
    let (code, _, stderr) = run(&dir);
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("a folder, not a snapshot file"), "{stderr}");
}

#[test]
fn lone_surrogates_do_not_fail_the_load() {
    let path = write(
        "surrogate.heapsnapshot",
        snapshot("2", "1", NODES, EDGES, r#""","A\ud800","a""#).as_bytes(),
    );
    let (code, stdout, stderr) = run(&path);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("A\u{FFFD}"), "{stdout}");
}

/// Counts the file cannot hold are refused before anything is reserved for them (a small file
/// claiming two billion nodes must not make heapsift ask for tens of GB).
#[test]
fn counts_the_file_cannot_hold_are_refused_before_allocating() {
    for (nodes, edges) in [("2000000000", "1"), ("2", "900000000")] {
        let file = snapshot(nodes, edges, NODES, EDGES, STRINGS);
        assert_rejected(
            &format!("claims-{nodes}-{edges}.heapsnapshot"),
            file.as_bytes(),
            "more than the",
        );
    }
}

#[test]
fn a_trailing_comma_is_not_a_value() {
    assert_rejected(
        "trailing-comma.heapsnapshot",
        snapshot("2", "1", NODES, "5,2,7,", STRINGS).as_bytes(),
        "ends with a comma",
    );
}

/// Sections in another order than V8's (the header last) load the same.
#[test]
fn sections_in_any_order_load_the_same() {
    let reordered = format!(
        r#"{{"nodes":[{NODES}],"strings":[{STRINGS}],"edges":[{EDGES}],"snapshot":{{"meta":{META},"node_count":2,"edge_count":1,"trace_function_count":0}}}}"#
    );
    let (a, b) = (
        write("v8-order.heapsnapshot", valid().as_bytes()),
        write("reordered.heapsnapshot", reordered.as_bytes()),
    );
    let (code_a, out_a, _) = run(&a);
    let (code_b, out_b, err_b) = run(&b);
    assert_eq!((code_a, code_b), (0, 0), "{err_b}");
    // Past the file's own line (which may wrap): the table.
    let body = |s: &str| {
        s.lines()
            .skip_while(|l| !l.starts_with("Constructor"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&out_a), body(&out_b));
}

/// A backslash as the very last byte, inside a string that is being skipped.
#[test]
fn a_trailing_backslash_is_a_truncation() {
    assert_rejected("backslash-end.heapsnapshot", b"{\"snapshot\":\"\\", "truncated");
    assert_rejected("backslash-quote.heapsnapshot", b"{\"snapshot\":\"\\\"", "truncated");
    assert_rejected("backslash-key.heapsnapshot", b"{\"x\":[\"\\", "truncated");
}

/// Fuzz finding (mutated seed 1146855069): a line break inserted into a section name made the
/// message two lines. A damaged name is quoted escaped, and a long one is cut.
#[test]
fn a_damaged_section_name_stays_on_one_line() {
    let broken = valid().replace("\"edges\":[5,2,7]", "\"ed\nges\":[5,2,7]x");
    assert_rejected(
        "newline-key.heapsnapshot",
        broken.as_bytes(),
        r#"after the "ed\nges" section"#,
    );
    let long = format!("{{\"{}\":[1,", "e".repeat(5000));
    let path = write("long-key.heapsnapshot", long.as_bytes());
    let (code, _, stderr) = run(&path);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.len() < 300, "a short line: {stderr}");
    assert!(stderr.contains(&format!("\"{}\"…", "e".repeat(40))), "{stderr}");
}
