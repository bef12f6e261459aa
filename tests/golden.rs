//! Every committed sample snapshot against Chrome DevTools' own numbers (golden files made by
//! `devtools-reference`, see tests/golden/regenerate.sh): every class row, every total, and the
//! per-object numbers of the objects the goldens list.

use crate::common;

use std::path::{Path, PathBuf};

use heapsift::analysis::Snapshot;
use heapsift::analysis::query::display_name;
use heapsift::engine::{self, workflows};
use heapsift::present::report::js_number;
use heapsift::progress::Progress;
use serde_json::{Value, json};

fn samples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(common::repo().join("sample-snapshots"))
        .expect("sample-snapshots/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "heapsnapshot"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the sample sets are committed: {files:?}");
    files
}

fn summary_json(s: &Snapshot, file: &Path, top: Option<usize>) -> Value {
    common::as_devtools(heapsift::present::report::summary_json(s, file, top))
}

fn diff_json(base: &Path, current: &Path, rows: &[heapsift::analysis::diff::DiffRow]) -> Value {
    common::as_devtools(heapsift::present::report::diff_json(base, current, rows, None))
}

fn golden(sample: &Path) -> Value {
    let stem = sample.file_stem().unwrap().to_string_lossy();
    let path = common::repo().join("tests/golden").join(format!("{stem}.summary.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("golden file {} is missing", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// heapsift's Summary of `sample` (both fresh and from its index) against DevTools' golden.
fn assert_summary_equals_golden(sample: &Path, want: &Value) {
    for (how, s) in common::both_ways(sample) {
        let ours = summary_json(&s, sample, None);
        let name = format!("{} ({how})", sample.display());
        for key in ["file", "node_count", "edge_count", "total_size", "max_js_object_id"] {
            assert_eq!(ours[key], want[key], "{name}: {key}");
        }
        let (ours, want) = (ours["classes"].as_array().unwrap(), want["classes"].as_array().unwrap());
        for (i, (o, w)) in ours.iter().zip(want).enumerate() {
            // DevTools' schema plus the script's `url` where heapsift resolves it.
            let mut o = o.clone();
            if let Some(l) = o["location"].as_object_mut() {
                l.remove("url");
            }
            assert_eq!(&o, w, "{name}: class row {i}");
        }
        assert_eq!(ours.len(), want.len(), "{name}: number of classes");
    }
}

#[test]
fn summaries_equal_devtools_on_every_row() {
    for sample in samples() {
        assert_summary_equals_golden(&sample, &golden(&sample));
    }
}

/// Fuzz findings kept as files (tests/regressions/fuzz-seeds.txt): damaged snapshots on which
/// DevTools' numbers are surprising, so heapsift must show the same surprise.
#[test]
fn fuzz_findings_equal_devtools() {
    let dir = common::repo().join("tests/regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "heapsnapshot"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: the fuzz findings are committed", dir.display());
    for file in files {
        assert_summary_equals_golden(&file, &golden(&file));
    }
}

#[test]
fn objects_equal_devtools() {
    let mut checked = 0;
    for sample in samples() {
        let want = golden(&sample);
        let Some(objects) = want["objects"].as_array() else {
            continue;
        };
        for (how, s) in common::both_ways(&sample) {
            for w in objects {
                let id = w["id"].as_u64().unwrap() as u32;
                let v = s
                    .graph
                    .find_id(heapsift::model::ObjectId(id))
                    .unwrap_or_else(|| panic!("{}: @{id} missing", sample.display()));
                let name = display_name(&s.graph, v);
                let ours = json!({
                    "id": id,
                    "type": s.graph.type_name(v),
                    "name": if name.chars().count() > 200 { w["name"].clone() } else { json!(name) },
                    "class_name": s.class_name(v),
                    "self_size": s.graph.self_size(v),
                    "retained_size": js_number(s.retained.get(v).round()),
                    "distance": s.distances[v].shown(),
                    "dominator_id": s.graph.id(s.dominator[v]),
                });
                assert_eq!(&ours, w, "{} ({how}): object @{id}", sample.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "goldens list objects to check ({checked})");
}

fn load(name: &str) -> heapsift::analysis::Snapshot {
    engine::load(&common::repo().join("sample-snapshots").join(name), &Progress::new()).unwrap()
}

/// A sample analysed now, or reopened from its index.
fn load_via(name: &str, via_index: bool) -> heapsift::analysis::Snapshot {
    let s = load(name);
    if via_index { common::reopened(&s) } else { s }
}

/// Rows keyed for comparison; ties in the printed order may fall either way.
fn keyed(rows: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
    v.sort();
    v
}

/// The engine's one Comparison path, as the CLI and the app run it.
fn comparison(current: &Snapshot, base: &Snapshot) -> Vec<heapsift::analysis::diff::DiffRow> {
    let pick = |side| -> Result<&Snapshot, heapsift::error::Error> {
        Ok(match side {
            workflows::Side::Current => current,
            workflows::Side::Base => base,
        })
    };
    workflows::comparison(&Progress::new(), pick).unwrap().rows
}

#[test]
fn comparisons_equal_devtools_on_every_row() {
    let mut checked = 0;
    for entry in std::fs::read_dir(common::repo().join("tests/golden")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(pair) = name.strip_suffix(".diff.json") else {
            continue;
        };
        let (base, current) = pair.split_once("__").unwrap();
        let want: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for via_index in [false, true] {
            let cur = load_via(&format!("{current}.heapsnapshot"), via_index);
            let b = load_via(&format!("{base}.heapsnapshot"), via_index);
            // The engine's one Comparison path, as the CLI and the app run it.
            let rows = comparison(&cur, &b);
            let ours = diff_json(
                std::path::Path::new(&format!("{base}.heapsnapshot")),
                std::path::Path::new(&format!("{current}.heapsnapshot")),
                &rows,
            );
            assert_eq!(ours["base"], want["base"]);
            assert_eq!(ours["current"], want["current"]);
            let (o, w) = (ours["classes"].as_array().unwrap(), want["classes"].as_array().unwrap());
            assert_eq!(keyed(o), keyed(w), "{name}: every row");
            // The printed order is DevTools' (size delta, then name).
            for (a, b) in o.iter().zip(w) {
                assert_eq!(
                    (&a["size_delta"], &a["name"]),
                    (&b["size_delta"], &b["name"]),
                    "{name}: order"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 14, "the golden comparisons are committed ({checked})");
}

#[test]
fn allocated_between_equals_devtools() {
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(common::repo().join("tests/golden/leak.between.json")).unwrap())
            .unwrap();
    for via_index in [false, true] {
        let (s1, s2, s3) = (
            load_via("leak-s1.heapsnapshot", via_index),
            load_via("leak-s2.heapsnapshot", via_index),
            load_via("leak-s3.heapsnapshot", via_index),
        );
        let (min, max) = (s1.max_js_object_id, s2.max_js_object_id);
        assert_eq!(want["min_node_id_exclusive"], min);
        assert_eq!(want["max_node_id_inclusive"], max);
        let mut rows = s3.summary_between(min, max);
        heapsift::analysis::aggregates::sort_rows(&mut rows);
        let ours: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "location": r.location.map(|l| json!({"script_id": l.script_id, "line": l.line, "column": l.column})),
                "count": r.count,
                "shallow_size": r.shallow_size,
                "retained_size": js_number(r.retained_size.round()),
                "distance": r.distance.shown(),
            })
        })
        .collect();
        let want_rows = want["classes"].as_array().unwrap();
        assert_eq!(keyed(&ours), keyed(want_rows), "every row");
        let count = |name: &str| ours.iter().find(|r| r["name"] == name).map(|r| r["count"].clone());
        assert_eq!(count("CachedSession"), Some(json!(300)));
        assert_eq!(count("RequestContext"), Some(json!(200)));
        assert_eq!(count("MetricSample"), Some(json!(150)));
    }
}

#[test]
fn partial_summary_is_the_final_one_without_retained_sizes() {
    let path = common::repo().join("sample-snapshots/leak-s3.heapsnapshot");
    let partial = std::sync::Mutex::new(None);
    let s = engine::load_with(engine::Source::File(path), &Progress::new(), &|p| {
        *partial.lock().unwrap() = Some(p)
    })
    .unwrap();
    let p = partial.into_inner().unwrap().expect("the partial Summary is reported");
    assert_eq!(
        (p.node_count, p.edge_count),
        (s.graph.node_count(), s.graph.edge_count())
    );
    assert!(
        p.rows.windows(2).all(|w| w[0].shallow_size >= w[1].shallow_size),
        "largest first"
    );
    assert!(p.rows.iter().all(|r| r.retained_size == 0.0));
    let final_total: u64 = s.summary.iter().map(|r| r.shallow_size).sum();
    assert_eq!(p.total_shallow, final_total as f64);
    let facts = |rows: &[heapsift::analysis::aggregates::ClassRow]| {
        let mut v: Vec<(String, u64, u64)> = rows.iter().map(|r| (r.name.clone(), r.count, r.shallow_size)).collect();
        v.sort();
        v
    };
    assert_eq!(facts(&p.rows), facts(&s.summary));
}

/// The Node samples, committed gzip-compressed (heapsift reads `.gz`; the reference reads them
/// decompressed, so the "file" field differs).
fn node_samples() -> Vec<PathBuf> {
    [
        "node-cache",
        "node-leak-s1",
        "node-leak-s2",
        "node-leak-s3",
        "node-captured",
    ]
    .iter()
    .map(|n| common::repo().join(format!("sample-snapshots/{n}.heapsnapshot.gz")))
    .collect()
}

/// `leak-s1` for `…/leak-s1.heapsnapshot` and `node-cache` for `…/node-cache.heapsnapshot.gz`.
fn stem(sample: &Path) -> String {
    sample
        .file_name()
        .unwrap()
        .to_string_lossy()
        .replace(".heapsnapshot.gz", "")
        .replace(".heapsnapshot", "")
}

/// Our Summary JSON equals the DevTools golden of `stem` in every total and on every row (the
/// script URLs heapsift adds aside).
fn assert_summary_is_golden(ours: &Value, stem: &str, how: &str) {
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join(format!("tests/golden/{stem}.summary.json"))).unwrap(),
    )
    .unwrap();
    for key in ["node_count", "edge_count", "total_size", "max_js_object_id"] {
        assert_eq!(ours[key], want[key], "{stem} ({how}): {key}");
    }
    let mut rows = ours["classes"].as_array().unwrap().clone();
    for r in &mut rows {
        if let Some(l) = r["location"].as_object_mut() {
            l.remove("url");
        }
    }
    assert_eq!(&Value::Array(rows), &want["classes"], "{stem} ({how}): every row");
}

/// Every Node sample: DevTools' Summary on every row.
#[test]
fn node_samples_equal_devtools() {
    for sample in node_samples() {
        for (how, s) in common::both_ways(&sample) {
            assert_summary_is_golden(&summary_json(&s, &sample, None), &stem(&sample), how);
        }
    }
}

/// The Node sample's locations, resolved to the module that defines each class.
#[test]
fn node_sample_equals_devtools_and_names_its_scripts() {
    let sample = common::repo().join("sample-snapshots/node-cache.heapsnapshot.gz");
    let s = engine::load(&sample, &Progress::new()).unwrap();
    let raw = heapsift::present::report::summary_json(&s, &sample, None);
    let ours = summary_json(&s, &sample, None);
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("tests/golden/node-cache.summary.json")).unwrap(),
    )
    .unwrap();
    for key in ["node_count", "edge_count", "total_size", "max_js_object_id"] {
        assert_eq!(ours[key], want[key], "{key}");
    }
    let (rows, want_rows) = (ours["classes"].as_array().unwrap(), want["classes"].as_array().unwrap());
    assert_eq!(rows.len(), want_rows.len(), "number of classes");
    for (i, (o, w)) in rows.iter().zip(want_rows).enumerate() {
        assert_eq!(o, w, "class row {i}");
    }
    let urls = raw["classes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["location"]["url"].is_string())
        .count();
    assert!(urls > 10, "most located classes name their script ({urls})");

    // The app's own classes read file:line:column, 1-based, with the full path on hover.
    let row = s.summary.iter().find(|r| r.name == "SessionPayload").unwrap();
    let l = row.location.unwrap();
    assert_eq!(s.scripts.format(l), format!("app.js:{}:{}", l.line + 1, l.column + 1));
    assert!(
        s.scripts
            .url(l.script_id)
            .unwrap()
            .ends_with("sample-snapshots/node/app.js"),
        "{:?}",
        s.scripts.url(l.script_id)
    );
    // Its source, the constructor's line marked.
    let lines = s
        .scripts
        .source_lines(&s.graph, l, 2)
        .expect("Node snapshots hold the source");
    let marked: Vec<&str> = lines.iter().filter(|x| x.2).map(|x| x.1.as_str()).collect();
    assert_eq!(marked, vec!["  constructor(id) {"]);
    assert!(lines.iter().any(|x| x.1.contains("class SessionPayload")));
    // Node's own modules keep their names.
    let builtin = s.summary.iter().find(|r| r.name == "BuiltinModule").unwrap();
    assert!(
        s.scripts
            .format(builtin.location.unwrap())
            .starts_with("node:internal/bootstrap/realm:")
    );
    // A closure's location is its own.
    let handle = s
        .graph
        .nodes()
        .find(|&v| {
            s.graph.kind(v) == heapsift::model::NodeKind::Closure && display_name(&s.graph, v) == "handleRequest"
        })
        .unwrap();
    assert!(
        heapsift::present::names::defined_at(&s, handle)
            .unwrap()
            .starts_with("app.js:20:"),
        "{:?}",
        heapsift::present::names::defined_at(&s, handle)
    );
}

/// Chromium samples made by evaluating code have no script name in the snapshot (their
/// `//# sourceURL` comment lies beyond the 1,024 characters V8 keeps of a string), so their
/// locations keep the script id; the leak set's script runs under a URL and is named.
#[test]
fn unnamed_scripts_keep_their_id() {
    let s = load("small-app.heapsnapshot");
    let row = s.summary.iter().find(|r| r.name == "Book").unwrap();
    assert!(
        s.scripts.format(row.location.unwrap()).starts_with("script "),
        "{:?}",
        row.location
    );
    let s = load("leak-s3.heapsnapshot");
    let row = s.summary.iter().find(|r| r.name == "CachedSession").unwrap();
    assert_eq!(s.scripts.format(row.location.unwrap()), "leak.js:14:14");
    assert_eq!(
        s.scripts.url(row.location.unwrap().script_id),
        Some("https://shop.example.test/js/leak.js")
    );
}

/// Every committed sample (the Node one too): each of DevTools' named Summary filters and its
/// duplicated strings, row for row, against `devtools-reference summary --filter NAME` and
/// `devtools-reference duplicates` (tests/golden/filters/).
#[test]
fn named_filters_and_duplicated_strings_equal_devtools() {
    use heapsift::analysis::filters::{NamedFilter, duplicate_strings};
    let mut files = samples();
    files.extend(node_samples());
    let golden = |stem: &str, what: &str| -> Value {
        let path = common::repo().join(format!("tests/golden/filters/{stem}.{what}.json"));
        serde_json::from_str(
            &std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display())),
        )
        .unwrap()
    };
    let mut nonempty = 0;
    for sample in files {
        let stem = stem(&sample);
        for (how, s) in common::both_ways(&sample) {
            for f in NamedFilter::ALL {
                let members = f.members(&s, &Progress::new()).unwrap();
                let rows = heapsift::present::report::sorted(s.summary_filtered(&|v| members.get(v.index())), None);
                let ours = common::as_devtools(heapsift::present::report::summary_rows_json(
                    &s,
                    &sample,
                    rows,
                    Some(f.name()),
                ));
                let want = golden(&stem, &format!("filter.{}", f.name()));
                assert_eq!(ours["filter"], want["filter"]);
                let mut classes = ours["classes"].as_array().unwrap().clone();
                for c in &mut classes {
                    if let Some(l) = c["location"].as_object_mut() {
                        l.remove("url");
                    }
                }
                assert_eq!(
                    &Value::Array(classes.clone()),
                    &want["classes"],
                    "{stem} ({how}): {}",
                    f.name()
                );
                nonempty += usize::from(!classes.is_empty());
            }
            let ours = common::as_devtools(heapsift::present::report::duplicates_json(
                &s,
                &sample,
                &duplicate_strings(&s),
            ));
            let want = golden(&stem, "duplicates");
            assert_eq!(ours["groups"], want["groups"], "{stem} ({how}): duplicated strings");
            for key in ["node_count", "edge_count", "total_size", "max_js_object_id"] {
                assert_eq!(ours[key], want[key], "{stem} ({how}): {key}");
            }
        }
    }
    assert!(
        nonempty >= 40,
        "the goldens exercise the filters ({nonempty} non-empty)"
    );
}

/// A Chromium page whose script has a URL: its classes' locations name the file, with the
/// source lines V8 kept; its detached table rows are found with what holds them.
#[test]
fn chromium_sample_with_a_script_url() {
    let s = load("dom.heapsnapshot");
    let row = s.summary.iter().find(|r| r.name == "RowWidget").unwrap();
    let l = row.location.unwrap();
    assert_eq!(s.scripts.format(l), "dom.js:4:14");
    assert_eq!(s.scripts.url(l.script_id), Some("https://shop.example.test/js/dom.js"));
    let lines = s.scripts.source_lines(&s.graph, l, 1).unwrap();
    assert!(
        lines.iter().any(|x| x.2 && x.1.contains("constructor(row, index)")),
        "{lines:?}"
    );
    // Three removed tables: each a tree of linked detached nodes, held by its 20 row widgets.
    let trees = heapsift::analysis::detached::detached_trees(&s);
    assert_eq!(trees.len(), 3, "{trees:?}");
    for t in &trees {
        assert!(t.nodes > 160, "a table with 20 rows of 3 cells: {}", t.nodes);
        assert_eq!(t.holders, 20, "its row widgets");
        let r = t.holder.unwrap();
        assert_eq!(s.graph.edge_name(r.edge).to_string(), "row");
        assert_eq!(s.class_name(r.from), "RowWidget");
    }
}

/// A redacted copy of a sample, analysed.
fn redacted(sample: &Path, keep_urls: bool) -> (Vec<u8>, heapsift::analysis::Snapshot) {
    let bytes = heapsift::format::Bytes::open(sample).unwrap();
    let mut out = Vec::new();
    let opts = heapsift::format::redact::Options { keep_urls };
    heapsift::format::redact::redact(&bytes, opts, &mut out, &Progress::new()).unwrap();
    let s = engine::load_bytes(heapsift::format::Bytes::Owned(out.clone()), &Progress::new())
        .expect("a redacted snapshot is a valid snapshot");
    (out, s)
}

/// The redacted copy of every sample gives DevTools' Summary of the original on every row, and
/// the redacted pairs DevTools' Comparison of the originals.
#[test]
fn redacted_samples_equal_devtools_on_every_row() {
    let mut all = samples();
    all.extend(node_samples());
    for sample in all {
        for keep_urls in [false, true] {
            let (_, s) = redacted(&sample, keep_urls);
            let how = if keep_urls { "redacted, URLs kept" } else { "redacted" };
            assert_summary_is_golden(&summary_json(&s, &sample, None), &stem(&sample), how);
        }
    }
    for (base, current) in [("leak-s1", "leak-s2"), ("leak-s2", "leak-s3"), ("growth-1", "growth-2")] {
        let want: Value = serde_json::from_str(
            &std::fs::read_to_string(common::repo().join(format!("tests/golden/{base}__{current}.diff.json"))).unwrap(),
        )
        .unwrap();
        let sample = |n: &str| common::repo().join(format!("sample-snapshots/{n}.heapsnapshot"));
        let (_, b) = redacted(&sample(base), false);
        let (_, cur) = redacted(&sample(current), false);
        let rows = comparison(&cur, &b);
        let ours = diff_json(Path::new("b"), Path::new("c"), &rows);
        assert_eq!(
            keyed(ours["classes"].as_array().unwrap()),
            keyed(want["classes"].as_array().unwrap()),
            "{base} → {current} redacted: every row"
        );
    }
}

/// No string value of the original survives redaction, unless it is also a name (a property,
/// a class, a function), which stays by design; URLs and paths survive only when kept.
#[test]
fn redaction_leaves_no_original_string_value() {
    use std::collections::HashSet;
    let files = [
        common::repo().join("sample-snapshots/node-cache.heapsnapshot.gz"),
        common::repo().join("sample-snapshots/leak-s3.heapsnapshot"),
    ];
    for sample in files {
        let original = engine::load(&sample, &Progress::new()).unwrap();
        let g = &original.graph;
        let is_value = |v: heapsift::model::NodeId| match g.type_name(v) {
            // Code named after its script's URL or path counts as a value too.
            "code" => heapsift::format::redact::looks_like_url_or_path(g.name(v)),
            t => heapsift::format::redact::holds_a_value(t),
        };
        let mut names: HashSet<&str> = HashSet::new();
        for v in g.nodes() {
            if !is_value(v) {
                names.insert(g.name(v));
            }
            for e in g.edges(v) {
                if let Some(n) = g.edge_str(e) {
                    names.insert(n);
                }
            }
        }
        let values: HashSet<&str> = g
            .nodes()
            .filter(|&v| is_value(v))
            .map(|v| g.name(v))
            .filter(|s| !names.contains(s))
            .collect();
        assert!(values.len() > 100, "{}: {} values", sample.display(), values.len());
        let urls: Vec<&str> = values
            .iter()
            .copied()
            .filter(|s| heapsift::format::redact::looks_like_url_or_path(s))
            .collect();
        assert!(!urls.is_empty(), "the sample has script URLs");
        for keep_urls in [false, true] {
            let (bytes, s) = redacted(&sample, keep_urls);
            // The file's own strings (not the class names the analysis adds).
            let in_file = s.graph.strings().parts().1.len() as u32;
            let left: HashSet<&str> = (0..in_file).map(|i| s.graph.strings().get(i)).collect();
            for v in &values {
                let kept = keep_urls
                    && heapsift::format::redact::looks_like_url_or_path(v)
                    && heapsift::format::redact::without_secrets(v) == *v;
                assert_eq!(
                    left.contains(v),
                    kept,
                    "{}: {v:?} (keep_urls {keep_urls})",
                    sample.display()
                );
                // Nor anywhere else in the file, as a JSON string (long values only, to keep
                // the scan short).
                if !kept && v.len() >= 24 {
                    let json = serde_json::to_string(v).unwrap();
                    let needle = json.as_bytes();
                    assert!(
                        memchr::memmem::find(&bytes, needle).is_none(),
                        "{}: {v:?} is still in the file",
                        sample.display()
                    );
                }
            }
        }
    }
}

/// A three-snapshot set taken with allocation tracking on (`hunt --track-allocations`): the
/// Allocation view of each equals DevTools' on every row, and the objects the stack golden lists
/// have DevTools' allocation stacks, fresh and from the index.
#[test]
fn allocations_equal_devtools_on_every_row() {
    use heapsift::present::allocations::{stack_json, top_json};
    let read = |name: &str| -> Value {
        let path = common::repo().join("tests/golden").join(name);
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    };
    for step in ["baseline", "target", "final"] {
        let sample = common::repo().join(format!(
            "sample-snapshots/kinds/tracked-listeners-{step}.heapsnapshot.gz"
        ));
        let want = read(&format!("tracked-listeners-{step}.allocations.json"));
        let want = want["tops"].as_array().unwrap();
        assert!(want.len() > 20, "{step}: the golden lists the functions");
        for (how, s) in common::both_ways(&sample) {
            let (p, t) = (s.allocations.as_ref().expect("tracked"), s.graph.traces().unwrap());
            let ours: Vec<Value> = p.tops().iter().map(|top| top_json(&s, t, top, None)).collect();
            for (i, (o, w)) in ours.iter().zip(want).enumerate() {
                assert_eq!(o, w, "{step} ({how}): row {i}");
            }
            assert_eq!(ours.len(), want.len(), "{step} ({how}): rows");
        }
    }
    let sample = common::repo().join("sample-snapshots/kinds/tracked-listeners-final.heapsnapshot.gz");
    let want = read("tracked-listeners-final.stacks.json");
    let mut with_frames = 0;
    for (how, s) in common::both_ways(&sample) {
        let p = s.allocations.as_ref().unwrap();
        for w in want["objects"].as_array().unwrap() {
            let id = w["id"].as_u64().unwrap() as u32;
            let v = s.graph.find_id(heapsift::model::ObjectId(id)).unwrap();
            let ours = stack_json(&s, &p.stack_of(&s.graph, v));
            assert_eq!(ours, w["allocation_stack"], "{how}: the stack of @{id}");
            with_frames += usize::from(!ours.as_array().unwrap().is_empty());
        }
    }
    assert!(
        with_frames >= 16,
        "the golden lists objects with stacks ({with_frames})"
    );
    // A snapshot taken without tracking has no Allocation view, as in DevTools.
    assert!(load("leak-s3.heapsnapshot").allocations.is_none());
}
