#![allow(dead_code)]

use std::path::PathBuf;

use heapsift::analysis::Snapshot;
use heapsift::engine;
use heapsift::format::Bytes;
use heapsift::model::builder::SnapshotBuilder;
use heapsift::progress::Progress;

/// Indexes a hand-built snapshot. With HEAPSIFT_DUMP_TEST_GRAPHS=DIR the JSON is also written
/// to DIR/<name>.heapsnapshot, so its expected numbers can be checked with devtools-reference.
pub fn index(name: &str, b: &SnapshotBuilder) -> Snapshot {
    let json = b.to_json();
    if let Ok(dir) = std::env::var("HEAPSIFT_DUMP_TEST_GRAPHS") {
        std::fs::write(PathBuf::from(dir).join(format!("{name}.heapsnapshot")), &json).unwrap();
    }
    engine::load_bytes(Bytes::Owned(json.into_bytes()), &Progress::new()).expect("hand-built snapshot loads")
}

/// The node with snapshot id `id`.
pub fn node(s: &Snapshot, id: u32) -> u32 {
    s.graph.find_id(id).unwrap_or_else(|| panic!("no node @{id}"))
}

pub fn dominator_id(s: &Snapshot, id: u32) -> u32 {
    s.graph.id(s.dominator[node(s, id) as usize])
}

pub fn retained(s: &Snapshot, id: u32) -> f64 {
    s.retained.get(node(s, id))
}

pub fn self_size(s: &Snapshot, id: u32) -> u32 {
    s.graph.self_size[node(s, id) as usize]
}

pub fn distance(s: &Snapshot, id: u32) -> i32 {
    s.distances[node(s, id) as usize]
}

pub fn class(s: &Snapshot, id: u32) -> String {
    s.class_name(node(s, id)).to_owned()
}

/// A root with `(GC roots)` and one user global, as V8 writes every snapshot.
pub fn base() -> (SnapshotBuilder, usize, usize) {
    let mut b = SnapshotBuilder::new();
    let root = b.node("synthetic", "", 1, 0);
    let gc = b.node("synthetic", "(GC roots)", 3, 0);
    let global = b.node("object", "global", 5, 100);
    b.edge(root, "element", "1", gc);
    b.edge(root, "shortcut", "1", global);
    (b, gc, global)
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
