//! The command line as users and CI jobs run it.

mod common;

use std::process::{Command, Output};

use serde_json::Value;

fn heapsift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_heapsift"))
        .args(args)
        .current_dir(common::repo())
        .output()
        .expect("runs heapsift")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("valid JSON")
}

const LEAK_S3: &str = "sample-snapshots/leak-s3.heapsnapshot";

#[test]
fn summary_json_matches_the_golden_file_and_top_limits_rows() {
    let all = json(&heapsift(&["summary", LEAK_S3, "--json", "--quiet"]));
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("tests/golden/leak-s3.summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(all["classes"], golden["classes"]);
    assert_eq!(all["total_size"], golden["total_size"]);
    let top = json(&heapsift(&["summary", LEAK_S3, "--json", "--top", "3"]));
    assert_eq!(top["classes"].as_array().unwrap().len(), 3);
    assert_eq!(top["classes"][0], golden["classes"][0]);
}

#[test]
fn summary_table_lists_constructors_with_counts_and_percentages() {
    let out = heapsift(&["summary", LEAK_S3, "--top", "40", "-q"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let header = text.lines().nth(1).unwrap();
    for col in ["Constructor", "Distance", "Shallow Size", "Retained Size"] {
        assert!(header.contains(col), "{header}");
    }
    let line = text
        .lines()
        .find(|l| l.starts_with("CachedSession ×"))
        .expect("CachedSession row");
    assert!(line.contains("CachedSession ×342"), "{line}");
    assert!(line.contains('%'), "{line}");
    assert_eq!(text.lines().count(), 2 + 40);
}

#[test]
fn object_prints_the_path_from_the_root_to_a_leaked_session() {
    let out = heapsift(&["object", LEAK_S3, "@45239"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert!(text.starts_with("@45239  CachedSession  (object)"), "{text}");
    let path: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("path to root"))
        .skip(1)
        .collect();
    assert!(path[0].contains("@1"), "root first: {path:?}");
    assert!(
        path.iter()
            .any(|l| l.contains("->sessionCache") && l.contains("Map @44655")),
        "{path:?}"
    );
    assert!(path.last().unwrap().contains("CachedSession @45239"), "{path:?}");
}

#[test]
fn object_json_gives_each_hop() {
    let o = json(&heapsift(&["object", LEAK_S3, "52995", "--json"]));
    assert_eq!(o["class_name"], "MetricSample");
    assert_eq!(o["dominator_id"], 44659);
    let path = o["path_to_root"].as_array().unwrap();
    assert_eq!(path[0]["id"], 1);
    let last = path.last().unwrap();
    assert_eq!(last["id"], 52995);
    assert_eq!(last["edge_type"], "element");
    let holder = &path[path.len() - 2];
    assert_eq!(
        (holder["class_name"].as_str(), holder["edge_name"].as_str()),
        (Some("Array"), Some("metricSamples"))
    );
}

#[test]
fn unknown_objects_and_bad_ids_exit_2() {
    let out = heapsift(&["object", LEAK_S3, "@999999999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no object with id @999999999"));
    let out = heapsift(&["object", LEAK_S3, "@abc"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(heapsift(&["summary"]).status.code(), Some(2));
    assert_eq!(heapsift(&["summary", LEAK_S3, "--top", "many"]).status.code(), Some(2));
    assert_eq!(heapsift(&["frobnicate", LEAK_S3]).status.code(), Some(2));
    assert!(heapsift(&["--help"]).status.success());
}

#[test]
fn bench_reports_phases_total_and_peak_memory() {
    let out = heapsift(&["bench", "sample-snapshots/small-app.heapsnapshot", "--quiet"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for phase in [
        "Parsing nodes",
        "Parsing edges",
        "Parsing strings",
        "Building dominator tree",
        "Class sizes and distances",
    ] {
        assert!(text.contains(phase), "{phase} in {text}");
    }
    assert!(text.lines().any(|l| l.starts_with("total ")), "{text}");
    assert!(text.contains("peak RSS:"), "{text}");
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let out = heapsift(&["summary", LEAK_S3, "--top", "1"]);
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}
