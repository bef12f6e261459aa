//! The command line as users and CI jobs run it.

use crate::common;

use crate::common::{heapsift, stderr};

use std::process::{Command, Output};

use serde_json::Value;

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
    let raw = json(&heapsift(&["summary", LEAK_S3, "--json", "--quiet"]));
    let mut all = raw.clone();
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("tests/golden/leak-s3.summary.json")).unwrap(),
    )
    .unwrap();
    // DevTools' schema, plus the script's URL where heapsift knows it.
    let mut urls = 0;
    for c in all["classes"].as_array_mut().unwrap() {
        if let Some(l) = c["location"].as_object_mut() {
            urls += usize::from(
                l.remove("url")
                    .is_some_and(|u| u == "https://shop.example.test/js/leak.js"),
            );
        }
    }
    assert!(urls >= 3, "CachedSession, RequestContext, MetricSample name leak.js");
    all = common::as_devtools(all);
    assert_eq!(all["classes"], golden["classes"]);
    assert_eq!(
        (raw["schema_version"].as_u64(), raw["command"].as_str()),
        (Some(1), Some("summary"))
    );
    assert_eq!(all["total_size"], golden["total_size"]);
    let top = common::as_devtools(json(&heapsift(&["summary", LEAK_S3, "--json", "--top", "3"])));
    assert_eq!(top["classes"].as_array().unwrap().len(), 3);
    assert_eq!(top["classes"][0], golden["classes"][0]);
}

#[test]
fn summary_table_lists_constructors_with_counts_and_percentages() {
    let out = heapsift(&["summary", LEAK_S3, "--top", "40", "-q"]);
    assert!(out.status.success());
    let text = stdout(&out);
    // The file's line may wrap (the output fits 80 columns); the table starts at its header.
    let header = text.lines().find(|l| l.starts_with("Constructor")).unwrap();
    for col in ["Constructor", "Distance", "Shallow Size", "Retained Size"] {
        assert!(header.contains(col), "{header}");
    }
    let line = text
        .lines()
        .find(|l| l.starts_with("CachedSession ×"))
        .expect("CachedSession row");
    assert!(line.contains("CachedSession ×342"), "{line}");
    assert!(line.contains('%'), "{line}");
    // The header, 40 rows and the legend.
    assert_eq!(
        text.lines().skip_while(|l| !l.starts_with("Constructor")).count(),
        1 + 40 + 1
    );
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    assert!(text.lines().last().unwrap().starts_with("Shallow: own size"), "{text}");
}

#[test]
fn object_prints_the_path_from_the_root_to_a_leaked_session() {
    let out = heapsift(&["object", LEAK_S3, "@40115"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert!(text.starts_with("@40115  CachedSession  (object)"), "{text}");
    let path: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("path to root"))
        .skip(1)
        .collect();
    assert!(path[0].contains("@1"), "root first: {path:?}");
    assert!(
        path.iter()
            .any(|l| l.contains("->sessionCache") && l.contains("Map @39839")),
        "{path:?}"
    );
    assert!(path.last().unwrap().contains("CachedSession @40115"), "{path:?}");
}

/// The path DevTools calls shortest to a cached session of the Node sample runs through a
/// report object's prototype (`metricsReports[99].__proto__.constructor → {context}`); the
/// readable path goes through the code that owns the cache.
#[test]
fn object_path_reads_as_the_cause() {
    let node = common::repo().join("sample-snapshots/node-cache.heapsnapshot.gz");
    let node = node.to_str().unwrap();
    let lines = |args: &[&str]| -> Vec<String> {
        let out = heapsift(args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        stdout(&out)
            .lines()
            .skip_while(|l| !l.contains("path to root, "))
            .skip(1)
            .map(str::to_owned)
            .collect()
    };
    let shortest = lines(&["object", node, "@61963", "--shortest"]);
    assert!(shortest.iter().any(|l| l.contains(".metricsReports")), "{shortest:#?}");
    assert!(shortest.iter().any(|l| l.contains(".__proto__")), "{shortest:#?}");
    let readable = lines(&["object", node, "@61963"]);
    assert!(readable.iter().any(|l| l.contains("->sessionCache")), "{readable:#?}");
    for avoided in [".metricsReports", ".__proto__", ".constructor"] {
        assert!(
            readable.iter().all(|l| !l.contains(avoided)),
            "{avoided}: {readable:#?}"
        );
    }
    assert!(
        readable.last().unwrap().contains("SessionPayload @61963"),
        "{readable:#?}"
    );
    // JSON has both.
    let o = json(&heapsift(&["object", node, "@61963", "--json"]));
    assert!(o["path_to_root"].as_array().unwrap().len() <= o["shortest_path_to_root"].as_array().unwrap().len() + 4);
    // Locations are 1-based in JSON as in text: line 6, column 14 is `app.js:6:14`.
    assert_eq!(
        (o["location"]["line"].as_u64(), o["location"]["column"].as_u64()),
        (Some(6), Some(14)),
        "{}",
        o["location"]
    );
    assert!(o["location"]["url"].as_str().unwrap().ends_with("app.js"));
}

#[test]
fn object_json_gives_each_hop() {
    let o = json(&heapsift(&["object", LEAK_S3, "53003", "--json"]));
    assert_eq!(o["class"], "MetricSample");
    assert_eq!(o["dominator"]["id"], 39845);
    let path = o["path_to_root"].as_array().unwrap();
    assert_eq!(path[0]["id"], 1);
    let last = path.last().unwrap();
    assert_eq!(last["id"], 53003);
    assert_eq!(last["edge_type"], "element");
    let holder = &path[path.len() - 2];
    assert_eq!(
        (holder["class"].as_str(), holder["edge_name"].as_str()),
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
    // A mistyped subcommand is a file that does not exist: one line naming it and every command.
    let out = heapsift(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("heapsift: frobnicate: no such file or subcommand"),
        "{err}"
    );
    let commands = err.split("commands: ").nth(1).expect("lists the commands");
    for command in ["summary", "object", "diff", "growth", "leaks", "bench"] {
        assert!(commands.contains(command), "{command} in {err}");
    }
    assert!(!commands.contains("dump-nodes"), "hidden commands stay hidden: {err}");
    // A typo next to a real file is still a typo, not a file to open beside it.
    let out = heapsift(&["sumary", LEAK_S3]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("heapsift: sumary: no such file or subcommand"));
    assert!(heapsift(&["--help"]).status.success());
}

#[test]
fn batch_runs_refuse_missing_files() {
    let out = heapsift(&["--screenshot", "/nonexistent/out.png", LEAK_S3, "no-such.heapsnapshot"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "heapsift: no-such.heapsnapshot: no such file\n");
}

#[test]
fn install_desktop_writes_a_launcher_icon_and_file_types() {
    let data_home = std::env::temp_dir().join(format!("heapsift-desktop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_home);
    let run = |flag: &str| {
        Command::new(env!("CARGO_BIN_EXE_heapsift"))
            .arg(flag)
            .env("XDG_DATA_HOME", &data_home)
            .output()
            .expect("runs heapsift")
    };
    let out = run("--install-desktop");
    assert!(out.status.success(), "{}", stderr(&out));
    let desktop = data_home.join("applications/heapsift.desktop");
    let icon = data_home.join("icons/hicolor/256x256/apps/heapsift.png");
    let mime = data_home.join("mime/packages/heapsift.xml");
    for f in [&desktop, &icon, &mime] {
        assert!(f.is_file(), "{} exists", f.display());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(f).unwrap().permissions().mode();
            assert_eq!(
                mode & 0o044,
                0o044,
                "{} is readable by the desktop ({mode:o})",
                f.display()
            );
        }
        assert!(
            stdout(&out).contains(&format!("wrote {}", f.display())),
            "{}",
            stdout(&out)
        );
    }
    assert_eq!(
        std::fs::read(&icon).unwrap(),
        std::fs::read(common::repo().join("assets/icon.png")).unwrap()
    );
    let entry = std::fs::read_to_string(&desktop).unwrap();
    assert!(entry.starts_with("[Desktop Entry]\n"), "{entry}");
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_heapsift")).unwrap();
    for line in [
        "Type=Application".to_owned(),
        "Name=heapsift".to_owned(),
        "Icon=heapsift".to_owned(),
        format!("Exec={} %F", exe.display()),
        "MimeType=application/x-heapsnapshot;application/x-heapsnapshot+gzip;".to_owned(),
        "Categories=Development;Debugger;".to_owned(),
        "Terminal=false".to_owned(),
    ] {
        assert!(entry.lines().any(|l| l == line), "{line:?} in {entry}");
    }
    let types = std::fs::read_to_string(&mime).unwrap();
    assert!(types.contains(r#"<glob pattern="*.heapsnapshot"/>"#), "{types}");
    assert!(
        types.contains(r#"<glob pattern="*.heapsnapshot.gz" weight="60"/>"#),
        "{types}"
    );
    match Command::new("desktop-file-validate").arg(&desktop).output() {
        Ok(v) => assert!(
            v.status.success() && v.stdout.is_empty() && v.stderr.is_empty(),
            "desktop-file-validate: {}{}",
            stdout(&v),
            stderr(&v)
        ),
        Err(_) => println!("desktop-file-validate is not installed: the .desktop file was not validated"),
    }
    let out = run("--uninstall-desktop");
    assert!(out.status.success(), "{}", stderr(&out));
    for f in [&desktop, &icon, &mime] {
        assert!(!f.exists(), "{} removed", f.display());
    }
    let _ = std::fs::remove_dir_all(&data_home);
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
        "Class sizes",
        // Beside the dominator tree, on the other core: listed apart, with its own time.
        "  Calculating distances (beside)",
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

#[test]
fn summary_filters_and_duplicates_from_the_command_line() {
    let o = json(&heapsift(&[
        "summary",
        LEAK_S3,
        "--filter",
        "objectsRetainedByEventHandlers",
        "--json",
    ]));
    assert_eq!(o["filter"], "objectsRetainedByEventHandlers");
    let names: Vec<&str> = o["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"RequestContext"),
        "the listeners' closures capture request contexts: {names:?}"
    );
    let bad = heapsift(&["summary", LEAK_S3, "--filter", "bogus"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("objectsRetainedByContexts"), "lists the filters");
    let d = json(&heapsift(&["duplicates", LEAK_S3, "--json", "--top", "3"]));
    let groups = d["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 3);
    assert!(groups[0]["count"].as_u64().unwrap() >= 2);
    let text = stdout(&heapsift(&["duplicates", LEAK_S3]));
    assert!(
        text.replace("\n  ", " ")
            .contains("duplicated strings in 198 groups; one copy of each would save"),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
}

#[test]
fn detached_dom_trees_from_the_command_line() {
    let small = common::repo().join("sample-snapshots/small-app.heapsnapshot");
    let o = json(&heapsift(&["detached", small.to_str().unwrap(), "--json"]));
    let trees = o["trees"].as_array().unwrap();
    assert_eq!(trees.len(), 1);
    assert_eq!(trees[0]["class"], "Detached <div>");
    assert_eq!(trees[0]["held_by"]["edge_name"], "detachedPanel");
    assert_eq!(o["has_dom"], true);
    let text = stdout(&heapsift(&["detached", LEAK_S3]));
    assert!(text.contains("no detached DOM nodes"), "{text}");
    // A Node process has no DOM: its native bindings marked detached are not listed as DOM.
    let node = common::repo().join("sample-snapshots/node-cache.heapsnapshot.gz");
    // (The line names the file's whole path, so where it wraps depends on the checkout.)
    let text = stdout(&heapsift(&["detached", node.to_str().unwrap()])).replace("\n  ", " ");
    assert!(text.contains("no DOM in this snapshot"), "{text}");
    assert!(!text.contains("BindingData"), "{text}");
    let o = json(&heapsift(&["detached", node.to_str().unwrap(), "--json"]));
    assert_eq!(
        (o["has_dom"].clone(), o["trees"].as_array().unwrap().len()),
        (false.into(), 0)
    );
}

/// `heapsift` with its own, empty cache folder.
fn heapsift_cached(cache: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_heapsift"))
        .env("HEAPSIFT_CACHE_DIR", cache)
        .args(args)
        .current_dir(common::repo())
        .output()
        .expect("runs heapsift")
}

fn indexes_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

#[test]
fn a_second_summary_reads_the_saved_index_and_prints_the_same_bytes() {
    let cache = tempfile::tempdir().unwrap();
    let first = heapsift_cached(cache.path(), &["summary", LEAK_S3, "--quiet"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let saved = indexes_in(cache.path());
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert!(saved[0].to_string_lossy().ends_with(".hsidx"));
    // A rewrite would rename a new file into place: a new inode.
    let inode = |p: &std::path::Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
    let written = inode(&saved[0]);
    let second = heapsift_cached(cache.path(), &["summary", LEAK_S3, "--quiet"]);
    assert_eq!(second.stdout, first.stdout);
    assert!(second.stderr.is_empty(), "{}", stderr(&second));
    assert_eq!(inode(&saved[0]), written, "read, not rewritten");
    for args in [
        &["summary", LEAK_S3, "--json", "--quiet"][..],
        &["object", LEAK_S3, "@40115", "--quiet"],
    ] {
        let cached = heapsift_cached(cache.path(), args);
        let mut fresh_args = args.to_vec();
        fresh_args.push("--no-cache");
        let fresh = heapsift_cached(cache.path(), &fresh_args);
        assert_eq!(stdout(&cached), stdout(&fresh), "{args:?}");
    }

    // --no-cache neither reads nor writes.
    let empty = tempfile::tempdir().unwrap();
    let out = heapsift_cached(empty.path(), &["summary", LEAK_S3, "--quiet", "--no-cache"]);
    assert_eq!(out.stdout, first.stdout);
    assert!(indexes_in(empty.path()).is_empty());
}

#[test]
fn index_writes_a_portable_file_that_opens_in_place_of_the_snapshot() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("leak-s3.hsidx");
    let out = out_path.to_str().unwrap();
    let made = heapsift_cached(cache.path(), &["index", LEAK_S3, "-o", out, "--quiet"]);
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(stdout(&made).contains("index saved to"), "{}", stdout(&made));
    assert!(indexes_in(cache.path()).is_empty(), "-o writes only there");
    let from_index = json(&heapsift_cached(cache.path(), &["summary", out, "--json", "--quiet"]));
    let from_snapshot = json(&heapsift_cached(
        cache.path(),
        &["summary", LEAK_S3, "--json", "--quiet", "--no-cache"],
    ));
    assert_eq!(from_index["classes"], from_snapshot["classes"]);
    assert_eq!(from_index["total_size"], from_snapshot["total_size"]);
    // Again over an index: fine. Over anything else: refused, untouched.
    assert!(
        heapsift_cached(cache.path(), &["index", LEAK_S3, "-o", out, "-q"])
            .status
            .success()
    );
    let victim = dir.path().join("notes.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let refused = heapsift_cached(cache.path(), &["index", LEAK_S3, "-o", victim.to_str().unwrap(), "-q"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("not overwriting"), "{}", stderr(&refused));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    // Without -o: into the cache, where the next open finds it.
    assert!(
        heapsift_cached(cache.path(), &["index", LEAK_S3, "-q"])
            .status
            .success()
    );
    assert_eq!(indexes_in(cache.path()).len(), 1);
}

#[test]
fn a_cache_that_cannot_be_written_is_a_note_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    // The cache folder would have to be made inside a file.
    let out = heapsift_cached(&file.join("cache"), &["summary", LEAK_S3, "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("CachedSession"));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("index was not saved") && err.contains("analysis is complete"),
        "{err}"
    );
}

/// A write that fails is an error (exit 2, one line), never a silently short output; a reader
/// that goes away early (`| head`) ends the command quietly.
#[test]
fn output_errors_fail_and_closed_pipes_end_quietly() {
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full exists on Linux");
    for args in [
        &["summary", LEAK_S3, "-q"][..],
        &["summary", LEAK_S3, "-q", "--json"],
        &["dump-nodes", LEAK_S3, "-q"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_heapsift"))
            .env("HEAPSIFT_CACHE_DIR", common::cache_dir())
            .args(args)
            .current_dir(common::repo())
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("cannot write the output") && err.contains("No space left"),
            "{err}"
        );
    }
    // Megabytes of output into a pipe whose reader has gone.
    let mut child = Command::new(env!("CARGO_BIN_EXE_heapsift"))
        .env("HEAPSIFT_CACHE_DIR", common::cache_dir())
        .args(["dump-nodes", LEAK_S3, "-q"])
        .current_dir(common::repo())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}

#[test]
fn redact_writes_a_new_file_never_over_one_and_gzips_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shared.heapsnapshot.gz");
    let out_s = out.to_str().unwrap();
    let input = "sample-snapshots/node-cache.heapsnapshot.gz";
    let before = std::fs::read(common::repo().join(input)).unwrap();
    let o = heapsift(&["redact", input, out_s, "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("string values in"), "{}", stdout(&o));
    assert_eq!(
        std::fs::read(common::repo().join(input)).unwrap(),
        before,
        "the input is untouched"
    );
    // A valid snapshot, gzip-compressed, with the original's numbers.
    let redacted = json(&heapsift(&["summary", out_s, "--json", "-q", "--top", "5"]));
    let original = json(&heapsift(&["summary", input, "--json", "-q", "--top", "5"]));
    assert_eq!(redacted["classes"], original["classes"]);
    assert_eq!(redacted["total_size"], original["total_size"]);
    // Never over an existing file, the input included.
    let o = heapsift(&["redact", input, out_s]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("already exists; not overwriting it"),
        "{}",
        stderr(&o)
    );
    let o = heapsift(&["redact", input, input]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(common::repo().join(input)).unwrap(), before);
    // A broken input: one line naming it, and no output file.
    let bad = dir.path().join("bad.heapsnapshot");
    std::fs::write(&bad, "{\"snapshot\":{\"meta\":").unwrap();
    let broken_out = dir.path().join("never.heapsnapshot");
    let o = heapsift(&["redact", bad.to_str().unwrap(), broken_out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("bad.heapsnapshot"));
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["bad.heapsnapshot", "shared.heapsnapshot.gz"],
        "no temporary file left"
    );
    // An output folder that does not exist: the line names the output, not a temporary file.
    let nowhere = dir.path().join("missing/out.heapsnapshot");
    let o = heapsift(&["redact", input, nowhere.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("missing/out.heapsnapshot: cannot write it: No such file") && !err.contains(".heapsift-"),
        "{err}"
    );
}

/// `profile` sums a sampling heap profile (`node --heap-prof`) by function: the functions' self
/// sizes are exactly the profile's `selfSize`s (summed here from the raw file), by self size;
/// Node's functions with no URL are kept under their name; a file that is not a profile is one
/// line and exit 2.
#[test]
fn profile_sums_a_sampling_heap_profile_by_function() {
    const FILE: &str = "sample-snapshots/node-alloc.heapprofile";
    let raw: Value = serde_json::from_slice(&std::fs::read(common::repo().join(FILE)).unwrap()).unwrap();
    fn walk(n: &Value, by: &mut std::collections::HashMap<String, f64>) {
        let f = &n["callFrame"];
        let key = format!("{}|{}|{}", f["functionName"], f["scriptId"], f["lineNumber"]);
        *by.entry(key).or_default() += n["selfSize"].as_f64().unwrap();
        for c in n["children"].as_array().unwrap() {
            walk(c, by);
        }
    }
    let mut by = std::collections::HashMap::new();
    walk(&raw["head"], &mut by);
    let total: f64 = by.values().sum();

    let v = json(&heapsift(&["profile", FILE, "--json", "--top", "1000"]));
    assert_eq!(v["total_size"].as_f64(), Some(total));
    let functions = v["functions"].as_array().unwrap();
    assert_eq!(functions.len(), by.len(), "one row per function");
    let sizes: Vec<f64> = functions.iter().map(|f| f["self_size"].as_f64().unwrap()).collect();
    assert_eq!(sizes.iter().sum::<f64>(), total);
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "by self size");
    // The planted allocator comes first among the program's own functions, with its line.
    let first = functions
        .iter()
        .find(|f| f["url"].as_str().is_some_and(|u| u.ends_with("/alloc.js")))
        .expect("the program's functions");
    assert_eq!(
        (first["name"].as_str(), first["line"].as_i64()),
        (Some("makeRecords"), Some(13)),
        "{first}"
    );
    let record = functions
        .iter()
        .find(|f| f["name"] == "Record")
        .expect("the program's class");
    assert!(record["self_size"].as_f64().unwrap() > 0.0);
    assert!(record["total_size"].as_f64() >= record["self_size"].as_f64());

    let text = stdout(&heapsift(&["profile", FILE, "--top", "5"]));
    assert!(text.lines().any(|l| l.starts_with("Function  ")), "{text}");
    assert!(text.contains("more functions (--top"), "{text}");

    let o = heapsift(&["profile", "sample-snapshots/leak-s1.heapsnapshot"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.starts_with("heapsift: sample-snapshots/leak-s1.heapsnapshot: not a sampling heap profile"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // And the other way round: a profile given where a snapshot goes says what it is.
    let o = heapsift(&["summary", FILE]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("a sampling heap profile, not a heap snapshot: `heapsift profile FILE` reads it"),
        "{}",
        stderr(&o)
    );
}

/// `heapsift find FILE ARGS --json`, which must succeed.
fn find_json(file: &str, args: &[&str]) -> Value {
    let mut a = vec!["find", file, "--json", "-q"];
    a.extend(args);
    let out = heapsift(&a);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `heapsift find FILE ARGS` refused: exit code 2 and one line that says `says`.
fn find_refuses(file: &str, args: &[&str], says: &str) {
    let mut a = vec!["find", file, "-q"];
    a.extend(args);
    let out = heapsift(&a);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(says) && err.trim().lines().count() == 1, "{args:?}: {err}");
}

/// `heapsift find` on the committed cache leak: the query language, a Map's entries, a
/// property's distribution, and mistakes as one line with exit code 2.
#[test]
fn find_answers_questions_about_objects_contents() {
    let cache = "sample-snapshots/kinds/cache-final.heapsnapshot.gz";
    let json = |args: &[&str]| find_json(cache, args);
    // user 1, user 10 … user 19: the names the service gave.
    let doc = json(&[
        "--class",
        "UserProfile",
        "--where",
        ".name ~ /^user 1\\d?$/",
        "--limit",
        "100",
    ]);
    assert_eq!((doc["total"].as_u64(), doc["examined"].as_u64()), (Some(11), Some(61)));
    // The Map that holds 61 entries is the leaking cache; its entries are queried as objects.
    let doc = json(&["--class", "Map", "--where", "entries == 61"]);
    assert_eq!(doc["total"], 1);
    let map = doc["objects"][0]["id"].as_u64().unwrap().to_string();
    let doc = json(&["--entries", &map, "--where", "value.name == 'user 42'"]);
    assert_eq!(doc["total"], 1);
    assert_eq!(doc["objects"][0]["value"]["class"], "UserProfile");
    assert_eq!(
        doc["objects"][0]["key"],
        serde_json::json!({"type": "string", "value": "user-42"})
    );
    let doc = json(&["--class", "UserProfile", "--group-by", ".prefs.theme"]);
    assert_eq!(
        doc["groups"],
        serde_json::json!([{"value": {"type": "string", "value": "dark"}, "count": 61, "self_size": 2928, "retained_size": 6832}])
    );
    // Sizes take units; the largest retainers come first.
    let doc = json(&["--where", "retained_size > 100kB", "--limit", "500"]);
    let sizes: Vec<f64> = doc["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["retained_size"].as_f64().unwrap())
        .collect();
    assert!(!sizes.is_empty() && sizes.iter().all(|&r| r > 100_000.0) && sizes.windows(2).all(|w| w[0] >= w[1]));

    let text = heapsift(&[
        "find",
        cache,
        "--class",
        "UserProfile",
        "--group-by",
        ".prefs.theme",
        "-q",
    ]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("61 of 61 UserProfile objects"), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("\"dark\"") && l.contains(" 61 ")),
        "{text}"
    );

    for (args, says) in [
        (
            vec!["--where", ".name = 'x'"],
            "--where \".name = 'x'\": column 7: a single '=': write '==' to compare",
        ),
        (vec!["--where", "retained_size > 1XB"], "column 18: unknown unit 'XB'"),
        (vec!["--entries", "@1"], "--entries: @1 is a (root), not a Map or Set"),
        (
            vec!["--where", "key == 'a'"],
            "give the Map or Set whose entries to search",
        ),
        (vec!["--group-by", "3"], "--group-by \"3\": column 1"),
    ] {
        find_refuses(cache, &args, says);
    }
}

/// What a new user tried: Chromium's oddballs as values, typos that must not find nothing
/// silently, a hostile query, a class in the wrong case, numbers the snapshot does not hold.
#[test]
fn find_says_what_it_cannot_answer_instead_of_finding_nothing() {
    let page = "sample-snapshots/leak-s3.heapsnapshot";
    let total = |args: &[&str]| find_json(page, args)["total"].as_u64().unwrap();
    // leak.js sets lastInvalidation to null; Chromium writes null as a native node named "null".
    assert_eq!(
        total(&["--class", "RequestContext", "--where", ".lastInvalidation == null"]),
        228
    );
    assert_eq!(
        total(&["--class", "RequestContext", "--where", "NOT .lastInvalidation"]),
        228
    );
    assert_eq!(
        total(&["--class", "RequestContext", "--where", ".lastInvalidation == 'null'"]),
        0
    );
    // `.length` of an array or a string, as JavaScript reads it.
    assert_eq!(
        total(&["--class", "CachedSession", "--where", ".roles.length == 2"]),
        total(&["--class", "CachedSession", "--where", "entries(.roles) == 2"])
    );
    let deep = format!("{}distance > 1{}", "(".repeat(10_000), ")".repeat(10_000));
    for (args, says) in [
        (
            vec!["--where", "clas == CachedSession"],
            "'clas' is not an attribute: did you mean class?",
        ),
        (vec!["--where", "sessionId == 'x'"], "write .sessionId for a property"),
        (
            vec!["--where", "retained_size > abc"],
            "retained_size is a number; \"abc\" is not",
        ),
        (vec!["--where", ".path == /api/items/1"], "quote it"),
        (vec!["--class", "cachedsession"], "did you mean CachedSession?"),
        (
            vec!["--group-by", "key"],
            "--group-by: key and value name a Map's or Set's entries",
        ),
        (vec!["--where", &deep], "nested more than 64 deep"),
    ] {
        find_refuses(page, &args, says);
    }
    // A comparison with a number in a snapshot that holds no numbers' values says so.
    let out = heapsift(&["find", page, "--class", "MetricSample", "--where", ".value > 50", "-q"]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("does not record numbers' values"),
        "{}",
        stderr(&out)
    );
}
