//! Every committed sample snapshot against Chrome DevTools' own numbers (golden files made by
//! `devtools-reference`, see tests/golden/regenerate.sh): every class row, every total, and the
//! per-object numbers of the objects the goldens list.

mod common;

use std::path::{Path, PathBuf};

use heapsift::analysis::query::{display_name, shown_distance};
use heapsift::engine;
use heapsift::progress::Progress;
use heapsift::report::{js_number, summary_json};
use serde_json::{Value, json};

fn samples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(common::repo().join("sample-snapshots"))
        .expect("sample-snapshots/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "heapsnapshot"))
        .collect();
    files.sort();
    assert!(files.len() >= 9, "the sample sets are committed: {files:?}");
    files
}

fn golden(sample: &Path) -> Value {
    let stem = sample.file_stem().unwrap().to_string_lossy();
    let path = common::repo().join("tests/golden").join(format!("{stem}.summary.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("golden file {} is missing", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn summaries_equal_devtools_on_every_row() {
    for sample in samples() {
        let s = engine::load(&sample, &Progress::new()).unwrap();
        let ours = summary_json(&s, &sample, None);
        let want = golden(&sample);
        let name = sample.display();
        for key in ["file", "node_count", "edge_count", "total_size", "max_js_object_id"] {
            assert_eq!(ours[key], want[key], "{name}: {key}");
        }
        let (ours, want) = (ours["classes"].as_array().unwrap(), want["classes"].as_array().unwrap());
        for (i, (o, w)) in ours.iter().zip(want).enumerate() {
            assert_eq!(o, w, "{name}: class row {i}");
        }
        assert_eq!(ours.len(), want.len(), "{name}: number of classes");
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
        let s = engine::load(&sample, &Progress::new()).unwrap();
        for w in objects {
            let id = w["id"].as_u64().unwrap() as u32;
            let v = s
                .graph
                .find_id(id)
                .unwrap_or_else(|| panic!("{}: @{id} missing", sample.display()));
            let name = display_name(&s.graph, v);
            let ours = json!({
                "id": id,
                "type": s.graph.type_name(v),
                "name": if name.chars().count() > 200 { w["name"].clone() } else { json!(name) },
                "class_name": s.class_name(v),
                "self_size": s.graph.self_size[v as usize],
                "retained_size": js_number(s.retained.get(v).round()),
                "distance": shown_distance(s.distances[v as usize]),
                "dominator_id": s.graph.id(s.dominator[v as usize]),
            });
            assert_eq!(&ours, w, "{}: object @{id}", sample.display());
            checked += 1;
        }
    }
    assert!(checked >= 20, "goldens list objects to check ({checked})");
}
