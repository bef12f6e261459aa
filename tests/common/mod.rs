#![allow(dead_code)]

pub mod node;
pub mod schema;

use std::path::PathBuf;

use heapsift::analysis::Snapshot;
use heapsift::engine;
use heapsift::format::Bytes;
use heapsift::format::build::SnapshotJson;
use heapsift::model::NodeId;
use heapsift::progress::Progress;

/// Indexes a hand-built snapshot. With HEAPSIFT_DUMP_TEST_GRAPHS=DIR the JSON is also written
/// to DIR/<name>.heapsnapshot, so its expected numbers can be checked with devtools-reference.
pub fn index(name: &str, b: &SnapshotJson) -> Snapshot {
    let json = b.to_json();
    if let Ok(dir) = std::env::var("HEAPSIFT_DUMP_TEST_GRAPHS") {
        std::fs::write(PathBuf::from(dir).join(format!("{name}.heapsnapshot")), &json).unwrap();
    }
    engine::load_bytes(Bytes::Owned(json.into_bytes()), &Progress::new()).expect("hand-built snapshot loads")
}

/// The node with snapshot id `id`.
pub fn node(s: &Snapshot, id: u32) -> NodeId {
    s.graph
        .find_id(heapsift::model::ObjectId(id))
        .unwrap_or_else(|| panic!("no node @{id}"))
}

pub fn dominator_id(s: &Snapshot, id: u32) -> u32 {
    s.graph.id(s.dominator[node(s, id)]).0
}

pub fn retained(s: &Snapshot, id: u32) -> f64 {
    s.retained.get(node(s, id))
}

pub fn self_size(s: &Snapshot, id: u32) -> u32 {
    s.graph.self_size(node(s, id))
}

pub fn distance(s: &Snapshot, id: u32) -> i32 {
    s.distances[node(s, id)].0
}

pub fn class(s: &Snapshot, id: u32) -> String {
    s.class_name(node(s, id)).to_owned()
}

/// A root with `(GC roots)` and one user global, as V8 writes every snapshot.
pub fn base() -> (SnapshotJson, usize, usize) {
    let mut b = SnapshotJson::new();
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

/// The snapshot written to an index file and read back (memory-mapped), as a cached reopen
/// gives it.
pub fn reopened(s: &Snapshot) -> Snapshot {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reopened.hsidx");
    let origin = engine::store::Origin {
        key: None,
        source: "test".into(),
    };
    engine::store::write(s, &origin, &path).expect("index written");
    let (back, read_origin) = engine::store::open(&path, &Progress::new()).expect("index reads back");
    assert_eq!(read_origin, origin);
    assert!(
        back.graph.is_mapped() && back.dominator.is_mapped(),
        "columns are mapped, not copied"
    );
    // The mapping outlives the file's name: the folder may go.
    back
}

/// A snapshot file loaded both ways: analysed now, and reopened from its index.
pub fn both_ways(path: &std::path::Path) -> [(&'static str, Snapshot); 2] {
    let fresh = engine::load(path, &Progress::new()).unwrap_or_else(|e| panic!("{e}"));
    let back = reopened(&fresh);
    [("analysed", fresh), ("from its index", back)]
}

/// The heapsift binary, run in the repository with this test process's cache folder.
pub fn heapsift_command() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_heapsift"));
    // Output is laid out for 80 columns when piped, unless COLUMNS says otherwise.
    cmd.env("HEAPSIFT_CACHE_DIR", cache_dir())
        .env_remove("COLUMNS")
        .current_dir(repo());
    cmd
}

/// Runs the heapsift binary in the repository, with this test process's cache folder.
pub fn heapsift(args: &[&str]) -> std::process::Output {
    heapsift_command().args(args).output().expect("runs heapsift")
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A cache folder for the binary's saved indexes, one per test process, so tests never write to
/// the user's cache.
pub fn cache_dir() -> PathBuf {
    std::env::temp_dir().join(format!("heapsift-test-cache-{}", std::process::id()))
}

/// A small deterministic pseudo-random generator (xorshift64*), so random tests replay.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A random heap graph: a synthetic root with GC-roots-like children, objects, arrays, closures
/// and strings, edges of every type (weak and shortcut ones too), cycles, cliques unreachable
/// from the root, nodes only weak edges reach, and several roots' worth of fan-out.
pub fn random_graph(seed: u64, nodes: usize, edges: usize) -> SnapshotJson {
    const TYPES: [&str; 6] = ["object", "object", "array", "closure", "string", "hidden"];
    const EDGE_TYPES: [&str; 7] = [
        "property", "property", "element", "internal", "context", "weak", "shortcut",
    ];
    const NAMES: [&str; 5] = ["a", "b", "next", "map", "__proto__"];
    let mut r = Rng::new(seed);
    let mut b = SnapshotJson::new();
    let nodes = nodes.max(2);
    let root = b.node("synthetic", "", 1, 0);
    for i in 1..nodes {
        let ty = TYPES[r.below(TYPES.len())];
        let name = ["Foo", "Bar", "Baz", "Object"][r.below(4)];
        b.node(ty, name, (i as u32) * 2 + 1, r.below(200) as u64);
    }
    // The root reaches a few nodes; some nodes hang off those; the rest is random.
    for _ in 0..(1 + r.below(4)) {
        let t = 1 + r.below(nodes - 1);
        b.edge(root, "element", &r.below(10).to_string(), t);
    }
    for _ in 0..edges {
        let from = r.below(nodes);
        let to = 1 + r.below(nodes - 1);
        let ty = EDGE_TYPES[r.below(EDGE_TYPES.len())];
        if ty == "element" {
            b.edge(from, ty, &r.below(50).to_string(), to);
        } else {
            b.edge(from, ty, NAMES[r.below(NAMES.len())], to);
        }
    }
    b
}

/// The engine's cache policy is process-wide and every test shares one process: a test that
/// turns the cache on holds this lock until it turns it off again, so no other test switches it
/// under it.
pub fn cache_policy_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// heapsift's JSON (one schema for every command: `class`, `shallow_size`, 1-based
/// locations, script URLs) in the terms of DevTools' reference tool, which the goldens keep.
pub fn as_devtools(mut v: serde_json::Value) -> serde_json::Value {
    for row in v["classes"].as_array_mut().into_iter().flatten() {
        let row = row.as_object_mut().unwrap();
        let class = row.remove("class").unwrap();
        row.insert("name".into(), class);
        if let Some(l) = row.get_mut("location").and_then(serde_json::Value::as_object_mut) {
            l.remove("url");
            for k in ["line", "column"] {
                let n = l[k].as_u64().unwrap();
                l.insert(k.into(), serde_json::json!(n - 1));
            }
        }
    }
    for group in v["groups"].as_array_mut().into_iter().flatten() {
        let group = group.as_object_mut().unwrap();
        for (ours, theirs) in [
            ("shallow_size", "total_self_size"),
            ("retained_size", "total_retained_size"),
        ] {
            let x = group.remove(ours).unwrap();
            group.insert(theirs.into(), x);
        }
    }
    v
}

/// The leak kinds of `tests/live/kinds.js` (KIND, one object of its own class per action), each
/// with the cause `hunt` must name: (kind, cause kind, the leaked class, how the holder reads).
/// The live tests hunt the services; `multi` checks the committed sets they made.
pub const LEAK_KINDS: [(&str, &str, &str, &str); 8] = [
    (
        "cache",
        "collection",
        "UserProfile",
        "userCache (Map in module scope of kinds.js)",
    ),
    (
        "listeners",
        "listeners",
        "Subscription",
        "'price' listeners of priceFeed",
    ),
    (
        "closure",
        "closure",
        "ReportBuffer",
        "the variable buffer in the scope the closures share",
    ),
    ("timers", "timers", "PollJob", "Node's timer list"),
    (
        "promises",
        "promise",
        "PendingJob",
        "ready (Promise in module scope of kinds.js)",
    ),
    ("connections", "handles", "DbConnection", "open TCP handles"),
    (
        "streams",
        "stream",
        "FeedTap",
        "ticker (Readable in module scope of kinds.js)",
    ),
    ("globals", "global", "AuditEntry", "globalThis.auditLog"),
];
