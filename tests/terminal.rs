//! What terminals and CI read: text that fits the width, sizes with units, one documented JSON
//! schema for every command, the gate's verdict, GitHub annotations and `--baseline`.

use crate::common::{self, heapsift, heapsift_command, schema, stderr};

use serde_json::Value;

const LEAK: [&str; 3] = [
    "sample-snapshots/leak-s1.heapsnapshot",
    "sample-snapshots/leak-s2.heapsnapshot",
    "sample-snapshots/leak-s3.heapsnapshot",
];
const NODE_LEAK: [&str; 3] = [
    "sample-snapshots/node-leak-s1.heapsnapshot.gz",
    "sample-snapshots/node-leak-s2.heapsnapshot.gz",
    "sample-snapshots/node-leak-s3.heapsnapshot.gz",
];

fn samples() -> Vec<String> {
    let mut all: Vec<String> = std::fs::read_dir(common::repo().join("sample-snapshots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".heapsnapshot") || n.ends_with(".heapsnapshot.gz"))
        .map(|n| format!("sample-snapshots/{n}"))
        .collect();
    all.sort();
    all
}

/// Every text command on the samples, as argument lists.
fn text_commands() -> Vec<Vec<String>> {
    let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>();
    let mut all = Vec::new();
    for f in samples() {
        all.push(own(&["summary", &f, "--top", "60"]));
        all.push(own(&["duplicates", &f, "--top", "30"]));
        all.push(own(&["detached", &f]));
    }
    all.push(own(&["summary", LEAK[2], "--filter", "objectsRetainedByEventHandlers"]));
    all.push(own(&["object", LEAK[2], "@40115"]));
    all.push(own(&["object", LEAK[2], "@40115", "--shortest"]));
    all.push(own(&["object", NODE_LEAK[2], "@61963"]));
    all.push(own(&["diff", LEAK[0], LEAK[2]]));
    all.push(own(&["diff", NODE_LEAK[0], NODE_LEAK[2]]));
    let growth: Vec<String> = (1..=5)
        .map(|i| format!("sample-snapshots/growth-{i}.heapsnapshot"))
        .collect();
    let mut g = own(&["growth"]);
    g.extend(growth);
    all.push(g);
    for set in [LEAK, NODE_LEAK] {
        all.push(own(&["leaks", set[0], set[1], set[2], "--fail-above", "1MB"]));
        all.push(own(&[
            "leaks",
            set[0],
            set[1],
            set[2],
            "--include-strings",
            "--include-internals",
        ]));
    }
    all
}

fn run(args: &[String]) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = heapsift(&[&args[..], &["-q"]].concat());
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    out
}

#[test]
fn every_table_fits_80_columns_on_the_samples() {
    let mut lines = 0;
    for args in text_commands() {
        let out = String::from_utf8(run(&args).stdout).unwrap();
        for l in out.lines() {
            assert!(
                l.chars().count() <= 80,
                "{args:?}: {} characters:\n{l}",
                l.chars().count()
            );
            lines += 1;
        }
    }
    assert!(lines > 1500, "the commands printed their tables ({lines} lines)");
    // A wider terminal gets wider tables: the names are no longer cut.
    let wide = heapsift_command()
        .env("COLUMNS", "200")
        .args(["diff", LEAK[0], LEAK[2], "-q"])
        .output()
        .unwrap();
    let wide = String::from_utf8(wide.stdout).unwrap();
    assert!(wide.contains("(concatenated string)"), "{wide}");
    let narrow = String::from_utf8(run(&["diff".into(), LEAK[0].into(), LEAK[2].into()]).stdout).unwrap();
    assert!(narrow.contains("(concatenated stri…"), "cut with an ellipsis: {narrow}");
}

#[test]
fn sizes_have_units_and_bytes_gives_raw_numbers() {
    // The first rows of the Summary with the given unit flag.
    let summary = |units: &[&str]| {
        let mut args: Vec<String> = ["summary", LEAK[2], "--top", "3"].map(String::from).to_vec();
        args.extend(units.iter().map(|u| (*u).to_owned()));
        String::from_utf8(run(&args).stdout).unwrap()
    };
    let text = summary(&[]);
    // (The file's line may wrap at 80 columns.)
    assert!(
        text.replace("\n  ", " ").contains("total size 941 kB"),
        "DevTools' kB: {text}"
    );
    let row = text.lines().find(|l| l.starts_with("(array) ×39")).unwrap();
    assert!(row.contains("138 kB") && row.contains("260 kB"), "{row}");
    let binary = summary(&["--binary-units"]);
    assert!(binary.replace("\n  ", " ").contains("total size 919 KiB"), "{binary}");
    let raw = summary(&["--bytes"]);
    let row = raw.lines().find(|l| l.starts_with("(array) ×39")).unwrap();
    assert!(row.contains(" 137672 ") && row.contains(" 260118 "), "{row}");
    // The legend says what the columns mean, on one line.
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("Shallow: own size · Retained: freed with it")
    );
}

/// Every command's JSON, each with the `command` it should name.
fn json_commands() -> Vec<(&'static str, Vec<String>)> {
    let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>();
    let mut all = vec![
        ("summary", own(&["summary", LEAK[2]])),
        (
            "summary",
            own(&["summary", LEAK[2], "--filter", "objectsRetainedByEventHandlers"]),
        ),
        ("summary", own(&["summary", NODE_LEAK[2], "--top", "50"])),
        ("duplicates", own(&["duplicates", LEAK[2], "--top", "20"])),
        ("detached", own(&["detached", "sample-snapshots/dom.heapsnapshot"])),
        ("detached", own(&["detached", NODE_LEAK[0]])),
        ("object", own(&["object", LEAK[2], "@40115"])),
        ("object", own(&["object", NODE_LEAK[2], "@61963", "--shortest"])),
        ("diff", own(&["diff", LEAK[0], LEAK[2]])),
        ("diff", own(&["diff", LEAK[0], NODE_LEAK[2]])),
        (
            "leaks",
            own(&["leaks", LEAK[0], LEAK[1], LEAK[2], "--fail-above", "50kB"]),
        ),
        ("leaks", own(&["leaks", NODE_LEAK[0], NODE_LEAK[1], NODE_LEAK[2]])),
    ];
    let mut g = own(&["growth"]);
    g.extend((1..=5).map(|i| format!("sample-snapshots/growth-{i}.heapsnapshot")));
    all.push(("growth", g));
    all.push(("profile", own(&["profile", "sample-snapshots/node-alloc.heapprofile"])));
    let cache = "sample-snapshots/kinds/cache-final.heapsnapshot.gz";
    all.push((
        "find",
        own(&["find", cache, "--class", "UserProfile", "--where", ".name ~ 'user 1'"]),
    ));
    all.push((
        "find",
        own(&["find", cache, "--class", "UserProfile", "--group-by", ".prefs"]),
    ));
    all.push(("find", own(&["find", cache, "--entries", "@77383", "--limit", "3"])));
    // Allocation stacks: a tracked set, and an untracked snapshot where there are none.
    let tracked = |s: &str| format!("sample-snapshots/kinds/tracked-listeners-{s}.heapsnapshot.gz");
    all.push((
        "allocations",
        own(&["allocations", &tracked("final"), "--callers", "--top", "30"]),
    ));
    all.push(("allocations", own(&["allocations", LEAK[2]])));
    all.push(("object", own(&["object", &tracked("final"), "@95849"])));
    all.push((
        "leaks",
        own(&[
            "leaks",
            &tracked("baseline"),
            &tracked("target"),
            &tracked("final"),
            "--runs",
            "60",
        ]),
    ));
    all
}

#[test]
fn every_command_prints_json_in_the_documented_schema() {
    let schema = schema::schema();
    for (command, args) in json_commands() {
        let mut args = args.clone();
        args.extend(["--json".to_owned(), "-q".to_owned()]);
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = heapsift(&a);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?}: {}", stderr(&out));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert_eq!(
            (doc["schema_version"].as_u64(), doc["command"].as_str()),
            (Some(1), Some(command))
        );
        let errors = schema::errors(&schema, &doc);
        assert!(
            errors.is_empty(),
            "{args:?} breaks docs/heapsift.schema.json:\n{}",
            errors.join("\n")
        );
    }
    // The app's finding, as committed in docs/.
    let finding: Value =
        serde_json::from_slice(&std::fs::read(common::repo().join("docs/finding-example/finding.json")).unwrap())
            .unwrap();
    let errors = schema::errors(&schema, &finding);
    assert!(
        errors.is_empty(),
        "docs/finding-example/finding.json:\n{}",
        errors.join("\n")
    );
    // The check can fail: a renamed field, a 0-based line and a missing one are each caught.
    let out = heapsift(&["summary", LEAK[2], "--json", "--top", "12", "-q"]);
    let good: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = good["classes"]
        .as_array()
        .unwrap()
        .iter()
        .position(|r| r["location"].is_object())
        .unwrap();
    let mut renamed = good.clone();
    let class = renamed["classes"][0].as_object_mut().unwrap().remove("class").unwrap();
    renamed["classes"][0]["class_name"] = class;
    let mut zero = good.clone();
    zero["classes"][row]["location"]["line"] = 0.into();
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("total_size");
    for (why, bad) in [("renamed", renamed), ("0-based", zero), ("missing", missing)] {
        assert!(
            !schema::errors(&schema, &bad).is_empty(),
            "a {why} field passes the schema"
        );
    }
}

fn leaks(set: [&str; 3], extra: &[&str]) -> std::process::Output {
    heapsift(&[&["leaks", set[0], set[1], set[2], "-q"][..], extra].concat())
}

#[test]
fn github_annotations_point_at_the_leaking_class() {
    // The sample was captured in /work/main: as the workspace, its scripts are repository paths
    // wherever this checkout is.
    let out = heapsift_command()
        .env("GITHUB_WORKSPACE", "/work/main")
        .args(["leaks", NODE_LEAK[0], NODE_LEAK[1], NODE_LEAK[2], "-q"])
        .args(["--format", "github", "--fail-above", "30kB"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(
            "::error file=sample-snapshots/node/app.js,line=6,col=14,title=Leak group #1%3A SessionPayload ×200::"
        ),
        "{first}"
    );
    assert!(
        first.contains("more than --fail-above 30kB") && first.contains("%0A->sessionCache → Map"),
        "{first}"
    );
    assert!(
        text.lines().any(|l| l
            == "::error title=heapsift::Gate failed: 1 leak group retains more than 30kB: #1 SessionPayload ×200."),
        "{text}"
    );
    // The text follows for the log, closed by the verdict.
    assert!(text.contains("#1  SessionPayload (app.js:6:14) ×200"), "{text}");
    assert!(
        text.trim_end()
            .ends_with("Gate failed: 1 leak group retains more than 30kB: #1 SessionPayload ×200.")
    );
    let pass = leaks(LEAK, &["--format", "github"]);
    assert!(pass.status.success());
    let pass = String::from_utf8(pass.stdout).unwrap();
    assert!(pass.starts_with("::warning file=js/leak.js,line=14,col=14,"), "{pass}");
}

#[test]
fn a_baseline_fails_only_on_new_or_grown_groups() {
    let dir = tempfile::tempdir().unwrap();
    let prev = dir.path().join("main.json");
    let out = leaks(LEAK, &["--json"]);
    assert!(out.status.success());
    std::fs::write(&prev, &out.stdout).unwrap();
    let p = prev.to_str().unwrap();
    // The same build: nothing new, nothing grew.
    let same = leaks(LEAK, &["--baseline", p]);
    assert!(same.status.success(), "{}", stderr(&same));
    let text = String::from_utf8(same.stdout).unwrap();
    assert!(
        text.contains("Gate passed: no leak group is new or grew since main.json"),
        "{text}"
    );

    // The last build leaked less: CachedSession grew from 200 to 300.
    let mut doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let groups = doc["groups"].as_array_mut().unwrap();
    let i = groups.iter().position(|g| g["class"] == "CachedSession").unwrap();
    groups[i]["count"] = 200.into();
    std::fs::write(&prev, serde_json::to_vec(&doc).unwrap()).unwrap();
    let grew = leaks(LEAK, &["--baseline", p]);
    assert_eq!(grew.status.code(), Some(1));
    assert!(
        stderr(&grew).contains("leak group #1 CachedSession ×300 grew since the baseline from ×200 to ×300"),
        "{}",
        stderr(&grew)
    );
    // With --fail-above, a grown group under the size passes.
    let small = leaks(LEAK, &["--baseline", p, "--fail-above", "1MB"]);
    assert!(small.status.success(), "{}", stderr(&small));

    // A group the last build did not have is new.
    doc["groups"].as_array_mut().unwrap().remove(i);
    std::fs::write(&prev, serde_json::to_vec(&doc).unwrap()).unwrap();
    let new = leaks(LEAK, &["--baseline", p, "--json"]);
    assert_eq!(new.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&new.stdout).unwrap();
    assert_eq!(v["gate"]["passed"], false);
    assert_eq!(v["gate"]["failing"][0]["why"], "is new since the baseline");

    // Not a leaks report: one line, exit 2, before any work.
    let summary = dir.path().join("summary.json");
    std::fs::write(&summary, heapsift(&["summary", LEAK[0], "--json", "-q"]).stdout).unwrap();
    let bad = leaks(LEAK, &["--baseline", summary.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        stderr(&bad).trim(),
        format!(
            "heapsift: {}: not the JSON of heapsift leaks or hunt (schema_version 1) (given as --baseline)",
            summary.display()
        )
    );
}

#[test]
fn usage_mistakes_read_as_one_line() {
    let out = heapsift(&["leaks", LEAK[0], LEAK[1]]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "heapsift: the following required arguments were not provided: <S3> (usage: heapsift leaks <S1> <S2> <S3>)"
    );
    let both = leaks(LEAK, &["--report", "-", "--json"]);
    assert_eq!(both.status.code(), Some(2));
    assert_eq!(stderr(&both).lines().count(), 1, "{}", stderr(&both));
}

#[test]
fn the_wizard_given_an_empty_folder_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = heapsift(&["--wizard", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        format!(
            "heapsift: {}: no .heapsnapshot or .heapsnapshot.gz files in this folder",
            dir.path().display()
        )
    );
}

#[test]
fn without_a_display_the_app_points_to_the_command_line() {
    if !cfg!(feature = "gui") {
        eprintln!("SKIPPED without_a_display_the_app_points_to_the_command_line: built without the app");
        return;
    }
    let out = heapsift_command()
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .arg(LEAK[0])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("no display") && err.contains("heapsift summary FILE"),
        "{err}"
    );
}

/// The app's *Export finding* (run for real under Xvfb, as `--wizard --export-finding`) writes
/// JSON in the documented schema.
#[test]
fn the_exported_finding_is_in_the_schema() {
    if !cfg!(feature = "gui") {
        eprintln!("SKIPPED the_exported_finding_is_in_the_schema: built without the app");
        return;
    }
    let Some(xvfb) = common::node::find("xvfb-run") else {
        assert!(!common::node::in_ci(), "xvfb-run is missing on the CI machine");
        eprintln!("SKIPPED the_exported_finding_is_in_the_schema: no xvfb-run here");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("finding");
    std::fs::create_dir(&out).unwrap();
    let run = std::process::Command::new(xvfb)
        .args(["-a", "-s", "-screen 0 1280x800x24 -nolisten tcp"])
        .arg(env!("CARGO_BIN_EXE_heapsift"))
        .args(["--wizard", "--export-finding", out.to_str().unwrap()])
        .args(NODE_LEAK)
        .env("HEAPSIFT_CACHE_DIR", common::cache_dir())
        .env("XDG_RUNTIME_DIR", dir.path())
        .current_dir(common::repo())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let doc: Value = serde_json::from_slice(&std::fs::read(out.join("finding.json")).unwrap()).unwrap();
    let errors = schema::errors(&schema::schema(), &doc);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(
        (doc["group"]["class"].as_str(), doc["group"]["count"].as_u64()),
        (Some("SessionPayload"), Some(200))
    );
    assert_eq!(doc["group"]["cause"]["kind"], "collection", "{}", doc["group"]);
    let md = std::fs::read_to_string(out.join("finding.md")).unwrap();
    assert!(
        md.contains("**Cause**: collection: sessionCache (Map in module scope of app.js)"),
        "{md}"
    );
}
