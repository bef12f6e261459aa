//! A seeded, time-boxed fuzzer on stable Rust: mutated real snapshots and random graphs go
//! through parsing and the whole analysis. Nothing may panic; what fails must fail with one
//! line; what loads must satisfy the analysis's invariants, and read back equal from its index.
//!
//! `HEAPSIFT_FUZZ_SECS` sets the budget per target (default 8 s; CI gives it 60).
//! `HEAPSIFT_FUZZ_SEED` replays a run. A crasher is saved under the system's temporary folder
//! with the seed in its name; each one found becomes a test in `bad_input.rs`.

mod common;

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use common::Rng;
use heapsift::analysis::Snapshot;
use heapsift::engine;
use heapsift::format::Bytes;
use heapsift::progress::Progress;

fn budget() -> Duration {
    let secs = std::env::var("HEAPSIFT_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(8.0);
    Duration::from_secs_f64(secs)
}

fn first_seed() -> u64 {
    std::env::var("HEAPSIFT_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

/// Loads `bytes`; a panic fails the test (after saving the input), an error must be one line.
fn load(bytes: Vec<u8>, what: &str) -> Option<Snapshot> {
    let copy = bytes.clone();
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        engine::load_bytes(Bytes::Owned(bytes), &Progress::new())
    }));
    match result {
        Ok(Ok(s)) => Some(s),
        Ok(Err(e)) => {
            let text = e.to_string();
            assert!(
                !text.contains('\n') && !text.is_empty(),
                "{what}: not one line: {text:?}"
            );
            None
        }
        Err(_) => {
            let path = std::env::temp_dir().join(format!("heapsift-crasher-{}.heapsnapshot", what.replace(' ', "-")));
            std::fs::write(&path, &copy).unwrap();
            panic!("{what}: panicked; input saved to {}", path.display());
        }
    }
}

/// What must hold of any snapshot that loads.
fn check_invariants(s: &Snapshot, what: &str) {
    let g = &s.graph;
    let n = g.node_count();
    let root = g.root();
    assert_eq!(
        s.total_size,
        s.retained.get(root) + g.extra_native_bytes(),
        "{what}: the total is the root's retained size"
    );
    for v in g.nodes() {
        let d = s.dominator[v];
        let ord = v.get();
        assert!(d.index() < n, "{what}: dominator of {ord} out of range");
        // Every dominator chain ends at the root, without a cycle.
        let mut u = v;
        let mut steps = 0;
        while u != root {
            u = s.dominator[u];
            steps += 1;
            assert!(steps <= n, "{what}: the dominator chain of {ord} cycles");
        }
        assert!(
            s.retained.get(v) >= g.self_size(v) as f64,
            "{what}: node {ord} retains less than its own size"
        );
        let parent = s.dominator[v];
        if v != root {
            assert!(
                s.retained.get(parent) >= s.retained.get(v),
                "{what}: node {ord} retains more than its dominator"
            );
        }
    }
    let counted: u64 = s.summary.iter().map(|r| r.count).sum();
    let sized = g.nodes().filter(|&v| g.self_size(v) > 0).count() as u64;
    assert_eq!(counted, sized, "{what}: Summary counts are the nodes with a size");
    let shallow: u64 = s.summary.iter().map(|r| r.shallow_size).sum();
    let sizes: u64 = g.self_sizes().iter().map(|&x| x as u64).sum();
    assert_eq!(shallow, sizes, "{what}: Summary shallow sizes add up");
}

/// One random change to a snapshot's text.
fn mutate(src: &[u8], rng: &mut Rng) -> (Vec<u8>, &'static str) {
    let mut b = src.to_vec();
    let len = b.len().max(1);
    let boundaries: Vec<usize> = [
        "\"nodes\"",
        "\"edges\"",
        "\"strings\"",
        "\"locations\"",
        "\"snapshot\"",
        "]",
        "[",
    ]
    .iter()
    .filter_map(|k| memchr::memmem::find(src, k.as_bytes()))
    .collect();
    match rng.below(8) {
        0 => {
            let at = boundaries.get(rng.below(boundaries.len().max(1))).copied().unwrap_or(0);
            let at = (at + rng.below(12)).min(b.len());
            b.truncate(at);
            (b, "truncated at a section")
        }
        1 => {
            b.truncate(rng.below(len));
            (b, "truncated")
        }
        2 => {
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(len);
                if at < b.len() {
                    b[at] ^= 1 << rng.below(8);
                }
            }
            (b, "bits flipped")
        }
        3 => {
            const BYTES: &[u8] = b"\\\",[]{}:0123456789-e.\n \xff";
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(len).min(b.len());
                b.insert(at, BYTES[rng.below(BYTES.len())]);
            }
            (b, "bytes inserted")
        }
        4 => {
            // A section twice.
            let starts: Vec<usize> = boundaries
                .iter()
                .copied()
                .filter(|&x| b.get(x) == Some(&b'"'))
                .collect();
            if let Some(&s) = starts.get(rng.below(starts.len().max(1))) {
                let e = (s + 1 + rng.below(len - s.min(len - 1))).min(b.len());
                let piece = b[s..e].to_vec();
                let at = rng.below(len).min(b.len());
                b.splice(at..at, piece);
            }
            (b, "a section duplicated")
        }
        5 => {
            // A number becomes a string.
            let at = rng.below(len);
            if let Some(i) = b[at.min(b.len())..].iter().position(u8::is_ascii_digit) {
                let i = at + i;
                let end = i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                b.splice(i..end, b"\"x\"".iter().copied());
            }
            (b, "a number made a string")
        }
        6 => {
            let at = rng.below(len).min(b.len());
            let end = (at + rng.below(64)).min(b.len());
            b.drain(at..end);
            (b, "a range deleted")
        }
        _ => {
            // A number replaced by a huge or odd one.
            let at = rng.below(len);
            if let Some(i) = b[at.min(b.len())..].iter().position(u8::is_ascii_digit) {
                let i = at + i;
                let end = i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                const ODD: [&[u8]; 5] = [b"4294967295", b"99999999999999999999", b"0", b"4294967296", b"1e3"];
                b.splice(i..end, ODD[rng.below(ODD.len())].iter().copied());
            }
            (b, "a number replaced")
        }
    }
}

#[test]
fn mutated_snapshots_never_panic_and_what_loads_is_consistent() {
    let seeds: Vec<Vec<u8>> = vec![
        common::random_graph(11, 40, 120).to_json().into_bytes(),
        common::random_graph(12, 7, 10).to_json().into_bytes(),
        common::random_graph(13, 200, 600)
            .without_detachedness()
            .to_json()
            .into_bytes(),
        std::fs::read(common::repo().join("sample-snapshots/small-app.heapsnapshot")).unwrap(),
    ];
    let start = Instant::now();
    let mut seed = first_seed();
    let (mut runs, mut loaded) = (0, 0);
    while start.elapsed() < budget() || runs < 50 {
        let mut rng = Rng::new(seed);
        let src = &seeds[rng.below(seeds.len())];
        let (bytes, how) = mutate(src, &mut rng);
        let what = format!("seed {seed} ({how})");
        if let Some(s) = load(bytes, &what) {
            check_invariants(&s, &what);
            loaded += 1;
        }
        runs += 1;
        seed += 1;
    }
    eprintln!(
        "fuzz: {runs} mutated snapshots, {loaded} loaded, in {:.1?}",
        start.elapsed()
    );
    assert!(
        loaded > 0 && loaded < runs,
        "the mutations both break and keep files ({loaded} of {runs})"
    );
}

#[test]
fn random_graphs_satisfy_the_invariants_and_read_back_from_their_index() {
    let start = Instant::now();
    let mut seed = first_seed();
    let mut runs = 0;
    while start.elapsed() < budget() || runs < 50 {
        let mut rng = Rng::new(seed ^ 0xF00D);
        let cap = if rng.below(10) == 0 { 2000 } else { 60 };
        let nodes = 2 + rng.below(cap);
        let edges = rng.below(nodes * 5);
        let b = common::random_graph(seed, nodes, edges);
        let json = if rng.below(2) == 0 {
            b.to_json()
        } else {
            b.without_detachedness().to_json()
        };
        let what = format!("random graph seed {seed} ({nodes} nodes, {edges} edges)");
        let s = load(json.into_bytes(), &what).unwrap_or_else(|| panic!("{what}: a valid graph failed to load"));
        check_invariants(&s, &what);
        if runs % 10 == 0 {
            let back = common::reopened(&s);
            assert_eq!(back.summary, s.summary, "{what}: index");
            assert_eq!(&*back.dominator, &*s.dominator, "{what}: index");
        }
        runs += 1;
        seed += 1;
    }
    eprintln!("fuzz: {runs} random graphs in {:.1?}", start.elapsed());
}
