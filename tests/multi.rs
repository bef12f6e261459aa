//! The multi-snapshot commands: diff, growth, leaks (with its CI gate and report).

use crate::common;

use std::process::Output;

use serde_json::Value;

fn heapsift(args: &[&str]) -> Output {
    common::heapsift_command()
        .args(args)
        .arg("--quiet")
        .current_dir(common::repo().join("sample-snapshots"))
        .output()
        .expect("runs heapsift")
}

fn json(o: &Output) -> Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("valid JSON")
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(common::repo().join("sample-snapshots/expected.json")).unwrap())
        .unwrap()
}

const LEAK: [&str; 3] = ["leak-s1.heapsnapshot", "leak-s2.heapsnapshot", "leak-s3.heapsnapshot"];

#[test]
fn diff_json_equals_the_golden_comparison() {
    let ours = common::as_devtools(json(&heapsift(&["diff", LEAK[0], LEAK[2], "--json"])));
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("tests/golden/leak-s1__leak-s3.diff.json")).unwrap(),
    )
    .unwrap();
    let key = |v: &Value| {
        let mut rows: Vec<String> = v["classes"].as_array().unwrap().iter().map(|r| r.to_string()).collect();
        rows.sort();
        rows
    };
    assert_eq!(key(&ours), key(&want));
    let text = String::from_utf8_lossy(&heapsift(&["diff", LEAK[0], LEAK[2]]).stdout).into_owned();
    assert!(text.lines().nth(1).unwrap().contains("# New"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("CachedSession") && l.contains("+330")),
        "{text}"
    );
}

#[test]
fn leaks_lists_the_planted_leaks_first_with_their_counts() {
    let out = json(&heapsift(&["leaks", LEAK[0], LEAK[1], LEAK[2], "--json"]));
    let groups = out["groups"].as_array().unwrap();
    let top: Vec<(String, u64)> = groups
        .iter()
        .take(3)
        .map(|g| (g["class"].as_str().unwrap().to_owned(), g["count"].as_u64().unwrap()))
        .collect();
    let e = expected();
    let leak = &e["leak"];
    eprintln!("{leak}");
    assert_eq!(
        top,
        vec![
            ("CachedSession".to_owned(), 300),
            ("EventListener".to_owned(), 200),
            ("MetricSample".to_owned(), 150)
        ],
        "the three planted leaks, largest first"
    );
    // Each path runs from the root to a member, through the object that holds the leak.
    let through = |i: usize, via: &str| {
        let path = groups[i]["path_to_root"].as_array().unwrap();
        assert_eq!(path[0]["id"], 1);
        assert_eq!(path.last().unwrap()["id"], groups[i]["ids"][0]);
        assert!(
            path.iter().any(|h| h["edge_name"] == via),
            "group {i} through {via}: {path:?}"
        );
    };
    through(0, "sessionCache");
    through(1, "appEvents");
    through(2, "metricSamples");
    // What those roots keep alive is nested under them with its exact count, and not counted
    // again: the sessions' user records, the listener's closure and the RequestContext it captured.
    let kept = |g: &Value| -> Vec<(String, u64)> {
        let mut out = Vec::new();
        let mut stack: Vec<(&Value, &Value)> = g["kept_alive"].as_array().unwrap().iter().map(|k| (k, g)).collect();
        while let Some((k, parent)) = stack.pop() {
            // What it keeps alive, counted in the group that keeps it alive.
            let (mine, theirs) = (
                k["retained_size"].as_f64().unwrap(),
                parent["retained_size"].as_f64().unwrap(),
            );
            assert!(mine > 0.0 && mine <= theirs, "{k}");
            // Numbered in reading order under the group that keeps it alive: 1.1, 1.1.1, …
            assert_eq!(k["kept_alive_by"], parent["number"]);
            let number = k["number"].as_str().unwrap();
            assert!(
                number.starts_with(&format!("{}.", parent["number"].as_str().unwrap())),
                "{number}"
            );
            out.push((k["class"].as_str().unwrap().to_owned(), k["count"].as_u64().unwrap()));
            stack.extend(k["kept_alive"].as_array().unwrap().iter().map(|c| (c, k)));
        }
        out
    };
    assert!(
        kept(&groups[0]).contains(&("{id, name, email}".to_owned(), 300)),
        "{:?}",
        kept(&groups[0])
    );
    let listener = kept(&groups[1]);
    for want in [("V8EventListener", 200), ("Function", 200), ("RequestContext", 200)] {
        assert!(
            listener.contains(&(want.0.to_owned(), want.1)),
            "{want:?} under EventListener: {listener:?}"
        );
    }
    // No root group is a browser engine internal, and --top counts root groups only.
    for g in groups {
        let name = g["class"].as_str().unwrap();
        assert!(!name.contains("::") && name != "InternalNode", "{name} is a root group");
    }
    let one = json(&heapsift(&["leaks", LEAK[0], LEAK[1], LEAK[2], "--json", "--top", "1"]));
    let first = &one["groups"][0];
    assert_eq!(first["class"], "CachedSession");
    assert_eq!(
        kept(first),
        kept(&groups[0]),
        "--top 1 keeps what the first group keeps alive"
    );
    // The text nests them too.
    let text = String::from_utf8(heapsift(&["leaks", LEAK[0], LEAK[1], LEAK[2]]).stdout).unwrap();
    assert!(text.contains("↳ #1.1  "), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("RequestContext") && l.contains("kept alive by #")),
        "{text}"
    );
}

#[test]
fn leaks_gate_exits_1_above_the_limit() {
    let below = heapsift(&["leaks", LEAK[0], LEAK[1], LEAK[2], "--fail-above", "1MB"]);
    assert_eq!(
        below.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&below.stderr)
    );
    let above = heapsift(&["leaks", LEAK[0], LEAK[1], LEAK[2], "--fail-above", "50kB"]);
    assert_eq!(above.status.code(), Some(1));
    let why = String::from_utf8_lossy(&above.stderr);
    assert!(
        why.contains("#1 CachedSession ×300") && why.contains("more than --fail-above 50kB"),
        "{why}"
    );
    // The last line says the gate failed and why.
    let text = String::from_utf8_lossy(&above.stdout);
    assert!(
        text.trim_end()
            .ends_with("Gate failed: 1 leak group retains more than 50kB: #1 CachedSession ×300."),
        "{text}"
    );
    assert!(
        String::from_utf8_lossy(&below.stdout).contains("Gate passed: no leak group retains more than 1MB"),
        "the passing gate says so too"
    );
    let over = json(&heapsift(&[
        "leaks",
        LEAK[0],
        LEAK[1],
        LEAK[2],
        "--fail-above",
        "1MB",
        "--json",
    ]));
    assert_eq!(over["gate"]["passed"], true);
    assert_eq!(over["gate"]["fail_above"], 1_000_000, "MB are DevTools' powers of 1000");
    assert_eq!(over["gate"]["failing"], serde_json::json!([]));
    let bad = heapsift(&["leaks", LEAK[0], LEAK[1], LEAK[2], "--fail-above", "lots"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn leaks_rejects_snapshots_out_of_order_or_of_other_processes() {
    let swapped = heapsift(&["leaks", LEAK[2], LEAK[1], LEAK[0]]);
    assert_eq!(swapped.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&swapped.stderr).contains("not in order"));
    let mixed = heapsift(&["leaks", "small-app.heapsnapshot", LEAK[1], LEAK[2]]);
    assert_eq!(mixed.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&mixed.stderr).contains("one process"),
        "{}",
        String::from_utf8_lossy(&mixed.stderr)
    );
    // The same snapshot twice (by name or as a copy) is refused before it reads "0 objects".
    for s2 in [LEAK[0], LEAK[1]] {
        let s1 = LEAK[0];
        let s3 = if s2 == LEAK[1] { LEAK[1] } else { LEAK[2] };
        let repeated = heapsift(&["leaks", s1, s2, s3]);
        let err = String::from_utf8_lossy(&repeated.stderr);
        assert_eq!(repeated.status.code(), Some(2), "{err}");
        assert!(err.contains("are the same snapshot"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// `diff` and `growth` compare whatever they are given, as DevTools does, but say on stderr and
/// in their JSON when the snapshots do not come from one process (or not oldest first).
#[test]
fn diff_and_growth_warn_when_processes_are_mixed() {
    let ok = heapsift(&["diff", LEAK[0], LEAK[2], "--json"]);
    assert!(String::from_utf8_lossy(&ok.stderr).is_empty());
    assert_eq!(json(&ok)["same_process"], true);
    let mixed = heapsift(&["diff", "growth-1.heapsnapshot", LEAK[2], "--json"]);
    let err = String::from_utf8_lossy(&mixed.stderr);
    assert!(
        err.starts_with("heapsift: warning: growth-1.heapsnapshot and leak-s3.heapsnapshot do not look like snapshots of one process"),
        "{err}"
    );
    assert_eq!(json(&mixed)["same_process"], false);

    let growth = [
        "growth",
        "growth-1.heapsnapshot",
        "growth-2.heapsnapshot",
        "growth-3.heapsnapshot",
    ];
    let ok = heapsift(&[&growth[..], &["--json"]].concat());
    assert!(String::from_utf8_lossy(&ok.stderr).is_empty());
    let ok = json(&ok);
    assert_eq!((&ok["same_process"], &ok["in_order"]), (&true.into(), &true.into()));
    let mixed = heapsift(&[
        "growth",
        LEAK[0],
        "growth-2.heapsnapshot",
        "growth-3.heapsnapshot",
        "--json",
    ]);
    let err = String::from_utf8_lossy(&mixed.stderr);
    assert!(
        err.contains("leak-s1.heapsnapshot and growth-3.heapsnapshot do not look like snapshots of one process"),
        "{err}"
    );
    assert_eq!(json(&mixed)["same_process"], false);
    let swapped = heapsift(&["growth", "growth-2.heapsnapshot", "growth-1.heapsnapshot", "--json"]);
    let err = String::from_utf8_lossy(&swapped.stderr);
    assert!(
        err.contains("growth-2.heapsnapshot has newer objects than growth-1.heapsnapshot"),
        "{err}"
    );
    assert_eq!(json(&swapped)["in_order"], false);
}

#[test]
fn leaks_report_is_written_once() {
    let dir = std::env::temp_dir().join(format!("heapsift-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("leaks.md");
    let _ = std::fs::remove_file(&report);
    let r = report.to_str().unwrap();
    let out = heapsift(&["leaks", LEAK[0], LEAK[1], LEAK[2], "--report", r]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(
        md.contains("# Memory leak report") && md.contains("`CachedSession`") && md.contains("->sessionCache"),
        "{md}"
    );
    // An existing file (a CI step summary) is appended to, never replaced.
    let again = heapsift(&["leaks", LEAK[0], LEAK[1], LEAK[2], "--report", r, "--fail-above", "1MB"]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let both = std::fs::read_to_string(&report).unwrap();
    assert!(both.starts_with(&md), "the first report stays");
    assert_eq!(both.matches("# Memory leak report").count(), 2);
    assert!(both.trim_end().ends_with("**Gate passed: no leak group retains more than 1MB (the largest, #1 CachedSession ×300, retains 68.4 kB).**"), "{both}");
    // `-` is stdout: the Markdown in place of the text.
    let out = heapsift(&["leaks", LEAK[0], LEAK[1], LEAK[2], "--report", "-"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# Memory leak report"));
    assert!(!dir.join("-").exists(), "no file named -");
}

#[test]
fn growth_ranks_the_growing_classes_first() {
    let files: Vec<String> = (1..=5).map(|i| format!("growth-{i}.heapsnapshot")).collect();
    let mut args = vec!["growth"];
    args.extend(files.iter().map(String::as_str));
    args.push("--json");
    let out = json(&heapsift(&args));
    let classes = out["classes"].as_array().unwrap();
    let names: Vec<&str> = classes.iter().take(2).map(|c| c["class"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Order", "AuditLogEntry"]);
    assert_eq!(classes[0]["counts"], serde_json::json!([200, 400, 600, 800, 1000]));
    assert_eq!(classes[1]["counts"], serde_json::json!([100, 200, 300, 400, 500]));
    assert_eq!(classes[0]["monotonic"], true);
    let draft = classes.iter().find(|c| c["class"] == "CartDraft").unwrap();
    assert_eq!(draft["monotonic"], false);
    let once = classes.iter().find(|c| c["class"] == "Object").unwrap();
    assert_eq!(once["monotonic"], false, "grew once, then stayed: {once}");
    assert!(
        classes
            .iter()
            .all(|c| c["counts"].as_array().unwrap().windows(2).any(|w| w[0] != w[1]) || c["size_delta"] != 0),
        "unchanged classes are left out"
    );
}

/// A Node service's three snapshots (gzip): the leaked sessions come first, named after their
/// file, with the record each one keeps alive nested under them and the path through the cache.
#[test]
fn leaks_in_a_node_service_name_the_file_and_the_cache() {
    let set: Vec<String> = (1..=3)
        .map(|i| {
            common::repo()
                .join(format!("sample-snapshots/node-leak-s{i}.heapsnapshot.gz"))
                .display()
                .to_string()
        })
        .collect();
    let out = json(&heapsift(&["leaks", &set[0], &set[1], &set[2], "--json"]));
    let first = &out["groups"][0];
    assert_eq!(first["class"], "SessionPayload");
    assert_eq!(first["count"], 200);
    assert!(
        first["location"]["url"]
            .as_str()
            .unwrap()
            .ends_with("sample-snapshots/node/app.js")
            && first["location"]["line"] == 6
            && first["location"]["column"] == 14,
        "{first}"
    );
    assert_eq!(first["kept_alive"][0]["class"], "{name, email}");
    assert_eq!(first["kept_alive"][0]["count"], 200);
    let path = first["path_to_root"].as_array().unwrap();
    assert!(path.iter().any(|h| h["edge_name"] == "sessionCache"), "{path:?}");
    assert!(path.iter().any(|h| h["scope"] == "module scope of app.js"), "{path:?}");
    let text = String::from_utf8(heapsift(&["leaks", &set[0], &set[1], &set[2]]).stdout).unwrap();
    assert!(text.contains("#1  SessionPayload (app.js:6:14) ×200"), "{text}");
    assert!(text.contains("{context} → module scope of app.js @"), "{text}");
}

/// The committed leak sets keep their groups and counts, now with causes; no group there is
/// one that only the engine's feedback and compiled code keep alive.
#[test]
fn leaks_on_the_samples_name_their_causes() {
    let node: Vec<String> = (1..=3).map(|i| format!("node-leak-s{i}.heapsnapshot.gz")).collect();
    // Per set: its files, and its first groups as (class, count, cause, holder).
    type Want<'a> = &'a [(&'a str, u64, &'a str, &'a str)];
    let sets: [(Vec<&str>, Want); 2] = [
        (
            LEAK.to_vec(),
            &[
                (
                    "CachedSession",
                    300,
                    "collection",
                    "sessionCache (Map in script scope of leak.js)",
                ),
                ("EventListener", 200, "listeners", "listeners of appEvents (EventTarget"),
                (
                    "MetricSample",
                    150,
                    "collection",
                    "metricSamples (Array in script scope of leak.js)",
                ),
            ],
        ),
        (
            node.iter().map(String::as_str).collect(),
            &[(
                "SessionPayload",
                200,
                "collection",
                "sessionCache (Map in module scope of app.js)",
            )],
        ),
    ];
    for (files, want) in &sets {
        let out = json(&heapsift(&["leaks", files[0], files[1], files[2], "--json"]));
        let groups = out["groups"].as_array().unwrap();
        for (i, (class, count, kind, holder)) in want.iter().enumerate() {
            let g = &groups[i];
            assert_eq!(
                (g["class"].as_str(), g["count"].as_u64()),
                (Some(*class), Some(*count)),
                "{g}"
            );
            assert_eq!(g["cause"]["kind"], *kind, "{class}: {}", g["cause"]);
            assert!(
                g["cause"]["holder"].as_str().unwrap().starts_with(holder),
                "{class}: {}",
                g["cause"]
            );
        }
        let text =
            String::from_utf8(heapsift(&["leaks", files[0], files[1], files[2], "-q", "--top", "100"]).stdout).unwrap();
        for engine in ["{feedback_cell}", "{transition_info}", "(compiled code)"] {
            assert!(
                !text.contains(engine),
                "an engine-held group is reported: {engine}\n{text}"
            );
        }
    }
    // A collection's entries in each snapshot, followed by id: the page's own sessionCache.size
    // and metricSamples.length when each snapshot was taken (sample-snapshots/expected.json).
    let out = json(&heapsift(&["leaks", LEAK[0], LEAK[1], LEAK[2], "--json"]));
    let counts = |i: usize| out["groups"][i]["cause"]["counts"].clone();
    assert_eq!(
        counts(0),
        serde_json::json!({"baseline": 12, "target": 312, "final": 342})
    );
    assert_eq!(
        counts(2),
        serde_json::json!({"baseline": 20, "target": 170, "final": 195})
    );
}

/// Growth follows the collections of the last snapshot back by object id: the growth page's
/// `orders` and `auditLog` arrays with the page's own lengths in each snapshot, named by their
/// variables, as growing collections.
#[test]
fn growth_follows_collections_by_id() {
    let files: Vec<String> = (1..=5).map(|i| format!("growth-{i}.heapsnapshot")).collect();
    let mut args = vec!["growth"];
    args.extend(files.iter().map(String::as_str));
    let mut with_json = args.clone();
    with_json.push("--json");
    let out = json(&heapsift(&with_json));
    let got: Vec<(String, Value, String)> = out["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["cause"]["holder"].as_str().unwrap().to_owned(),
                c["entries"].clone(),
                c["cause"]["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "orders (Array in script scope of script 5)".to_owned(),
                serde_json::json!([200, 400, 600, 800, 1000]),
                "collection".to_owned()
            ),
            (
                "auditLog (Array in script scope of script 5)".to_owned(),
                serde_json::json!([100, 200, 300, 400, 500]),
                "collection".to_owned()
            ),
        ]
    );
    let text = String::from_utf8(heapsift(&args).stdout).unwrap();
    assert!(
        text.contains("orders (Array in script scope of script 5) @38541  200 → 400 → 600 → 800 →"),
        "{text}"
    );
}

/// The three-snapshot sets `hunt --repeat 60` made of `tests/live/kinds.js` (one service per kind
/// of leak, one object of its own class per action) and of the express-session service, and a
/// Chromium page's detached toasts (`sample-snapshots/make-dom-leak.mjs`),
/// committed so the causes are checked without Node: each names its cause and holder, and
/// headlines the planted class with its exact count; the capped cache is not growing; the
/// control has nothing that grows with every action.
#[test]
fn the_committed_kind_sets_name_their_causes() {
    // The Node kinds, then a page's and a dependency's.
    let cases = common::LEAK_KINDS.into_iter().chain([
        (
            "dom",
            "detached_dom",
            "Detached <div>",
            "closedToasts (Array in script scope of dom-leak.js)",
        ),
        (
            "npm-session",
            "collection",
            "(concatenated string)",
            ".sessions (Object of MemoryStore) in the package express-session",
        ),
    ]);
    let run = |kind: &str, json_out: bool| {
        let files: Vec<String> = ["baseline", "target", "final"]
            .iter()
            .map(|s| format!("kinds/{kind}-{s}.heapsnapshot.gz"))
            .collect();
        let mut args = vec!["leaks", &files[0], &files[1], &files[2], "--runs", "60"];
        if json_out {
            args.push("--json");
        }
        heapsift(&args)
    };
    let mut wrong = Vec::new();
    for (kind, cause, class, holder) in cases {
        let v = json(&run(kind, true));
        let first = &v["groups"][0];
        let headline = if first["leaked"].is_null() {
            first
        } else {
            &first["leaked"]
        };
        let got = (
            first["cause"]["kind"].as_str().unwrap_or_default(),
            first["cause"]["holder"].as_str().unwrap_or_default(),
            headline["class"].as_str().unwrap_or_default(),
            headline["count"].as_u64(),
            first["grows_per_action"].as_bool(),
        );
        if got.0 != cause || !got.1.starts_with(holder) || got.2 != class || got.3 != Some(60) || got.4 != Some(true) {
            wrong.push(format!(
                "{kind}: got {got:?}, want ({cause}, {holder}…, {class} ×60, growing)"
            ));
        }
        // The text headlines the same class and count, the cause under it.
        let text = String::from_utf8(run(kind, false).stdout).unwrap();
        let head = text.lines().find(|l| l.starts_with("#1 ")).unwrap_or_default();
        if !head.contains(class) || !head.contains("×60 (1.0 per run)") || !text.contains(&format!("cause: {cause}: "))
        {
            wrong.push(format!("{kind}: the text reads {head:?}"));
        }
        for engine in ["{feedback_cell}", "{transition_info}", "(compiled code)"] {
            if text.contains(engine) {
                wrong.push(format!("{kind}: an engine-held group is reported: {engine}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // A cache capped at 20: twenty entries kept, not growing with every action; its entries over
    // the three snapshots say so too.
    let v = json(&run("lru", true));
    let first = &v["groups"][0];
    assert_eq!(
        (
            first["class"].as_str(),
            first["count"].as_u64(),
            first["grows_per_action"].as_bool()
        ),
        (Some("CachedPage"), Some(20), Some(false)),
        "{first}"
    );
    assert_eq!(
        first["cause"]["counts"],
        serde_json::json!({"baseline": 1, "target": 20, "final": 20})
    );
    // Patterns the path merely passes through are no cause: express's router (an Array) and its
    // server's 'request' listener and listening socket hold Layer params that replace old ones.
    let v = json(&run("npm-session", true));
    let claimed: Vec<String> = v["groups"].as_array().unwrap()[1..]
        .iter()
        .filter(|g| {
            matches!(
                g["cause"]["kind"].as_str(),
                Some("collection" | "listeners" | "handles")
            )
        })
        .map(|g| format!("{} {}", g["class"], g["cause"]))
        .collect();
    assert!(claimed.is_empty(), "{claimed:?}");
    let v = json(&run("control", true));
    let growing: Vec<&Value> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["grows_per_action"] == true)
        .collect();
    assert!(growing.is_empty(), "nothing grows with every action: {growing:?}");
}

/// A set taken by `hunt --track-allocations`: each leak group says which code made its objects,
/// in text, JSON and the Markdown report (the stacks the target snapshot recorded).
#[test]
fn tracked_leak_groups_say_which_code_made_them() {
    let files: Vec<String> = ["baseline", "target", "final"]
        .iter()
        .map(|s| format!("kinds/tracked-listeners-{s}.heapsnapshot.gz"))
        .collect();
    let out = heapsift(&["leaks", &files[0], &files[1], &files[2], "--runs", "60"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.split("\n#2 ").next().unwrap();
    assert!(first.contains("#1  Subscription (kinds.js:36:14) ×60"), "{first}");
    assert!(
        first.contains("    allocated by: action (kinds.js:108:16) ← (anonymous) (kinds.js:173:34) ← …\n"),
        "{first}"
    );
    let out = heapsift(&["leaks", &files[0], &files[1], &files[2], "--runs", "60", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The listener array's group holds the Subscriptions two levels down.
    let leaked = v["groups"][0]["leaked"]["number"].as_str().unwrap().to_owned();
    let mut found = None;
    let mut stack = vec![v["groups"][0].clone()];
    while let Some(g) = stack.pop() {
        if g["number"] == leaked.as_str() {
            found = Some(g.clone());
        }
        stack.extend(g["kept_alive"].as_array().unwrap().iter().cloned());
    }
    let made = &found.unwrap()["allocated_by"][0];
    assert_eq!(made["count"], 60, "{made}");
    assert_eq!(made["frames"][0]["function_name"], "action", "{made}");
    assert_eq!(
        (made["frames"][0]["line"].as_u64(), made["frames"][0]["column"].as_u64()),
        (Some(108), Some(16))
    );
    // An untracked set says nothing of stacks.
    let out = heapsift(&[
        "leaks",
        "node-leak-s1.heapsnapshot.gz",
        "node-leak-s2.heapsnapshot.gz",
        "node-leak-s3.heapsnapshot.gz",
        "--json",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["groups"][0]["allocated_by"], Value::Null);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.md");
    let out = heapsift(&[
        "leaks",
        &files[0],
        &files[1],
        &files[2],
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(
        md.contains("**Allocated by**: `action (kinds.js:108:16) ← (anonymous) (kinds.js:173:34) ← …`"),
        "{md}"
    );
}

/// A TypeScript service bundled and minified by esbuild (tests/live/ts-service): through its
/// source map (beside the script, or found with --source-maps where the script is not at the
/// path the snapshot names) the leak reads as the code was written: its class, its .ts file and
/// line, the functions that made it, in text, JSON and the report; DevTools' own names and the
/// generated positions stay in the JSON.
#[test]
fn a_minified_typescript_leak_reads_its_original_names() {
    let files: Vec<String> = ["baseline", "target", "final"]
        .iter()
        .map(|s| format!("kinds/ts-{s}.heapsnapshot.gz"))
        .collect();
    let maps = "../tests/live/ts-service/dist";
    let args = |extra: &[&str]| -> Vec<String> {
        let base = [
            "leaks",
            &files[0],
            &files[1],
            &files[2],
            "--runs",
            "60",
            "--source-maps",
            maps,
        ];
        base.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let run = |a: &[String]| heapsift(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let out = run(&args(&[]));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\n#1  TenantProfile (profiles.ts:9:3) ×60 (1.0 per run)"),
        "{text}"
    );
    assert!(
        text.contains("    allocated by: remember (profiles.ts:17:17) ← handler (server.ts:7:10) ← …\n"),
        "{text}"
    );
    assert!(text.contains("→ TenantProfile @"), "the path names it too: {text}");
    let v = json(&run(&args(&["--json"])));
    let g = &v["groups"][0];
    assert_eq!(
        (g["class"].as_str(), g["original_class"].as_str()),
        (Some("o"), Some("TenantProfile"))
    );
    assert_eq!(
        g["location"]["original"],
        serde_json::json!({"source": "../src/profiles.ts", "line": 9, "column": 3})
    );
    assert_eq!(
        (g["location"]["line"].as_u64(), g["location"]["column"].as_u64()),
        (Some(1), Some(513))
    );
    let frame = &g["allocated_by"][0]["frames"][0];
    assert_eq!(
        (frame["function_name"].as_str(), frame["original"]["name"].as_str()),
        (Some("a"), Some("remember"))
    );
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.md");
    let out = run(&args(&["--report", report.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(0));
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.contains("## 1. `TenantProfile` ×60"), "{md}");
    assert!(
        md.contains("**Allocated by**: `remember (profiles.ts:17:17) ← handler (server.ts:7:10) ← …`"),
        "{md}"
    );
    // `object` keeps both positions.
    let id = g["ids"][0].as_u64().unwrap().to_string();
    let at = format!("@{id}");
    let out = heapsift(&["object", &files[2], &at, "--source-maps", maps]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("TenantProfile (named o in the generated code)  (object)"),
        "{text}"
    );
    assert!(
        text.contains("defined at:    ../src/profiles.ts:9:3 (generated:"),
        "{text}"
    );
    assert!(text.contains("allocated by:  remember (profiles.ts:17:17)"), "{text}");
}
