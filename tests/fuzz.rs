//! A seeded fuzzer on stable Rust: mutated real snapshots and random graphs go through parsing
//! and the whole analysis. Nothing may panic; what fails must fail with one line; what loads
//! must satisfy the invariants DevTools keeps, and read back equal from its index.
//!
//! Every run first replays the findings listed in `tests/regressions/fuzz-seeds.txt`, then
//! explores `HEAPSIFT_FUZZ_CASES` seeds per target (default 2000) from `HEAPSIFT_FUZZ_SEED`
//! (default 1). A case is a function of its seed alone, so the same seeds give the same verdict on
//! any machine; CI derives the first seed from the commit. `HEAPSIFT_FUZZ_SECS` explores by time
//! instead, for long runs by hand. A failing input is saved under the system's temporary folder
//! with its target and seed in the name; each finding is added to `fuzz-seeds.txt` with its fix.

use crate::common;

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use crate::common::Rng;
use heapsift::analysis::Snapshot;
use heapsift::engine;
use heapsift::format::Bytes;
use heapsift::model::NodeId;
use heapsift::progress::Progress;

const MUTATED: &str = "mutated";
const RANDOM: &str = "random";

fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    let text = std::env::var(name).ok()?;
    Some(
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a number")),
    )
}

/// The committed findings of `target`: the seeds to replay before exploring.
fn regression_seeds(target: &str) -> Vec<u64> {
    let path = common::repo().join("tests/regressions/fuzz-seeds.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut seeds = Vec::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let mut words = line.split_whitespace();
        let (t, seed) = (words.next(), words.next().and_then(|w| w.parse().ok()));
        match (t, seed) {
            (Some(t), Some(seed)) if t == MUTATED || t == RANDOM => {
                if t == target {
                    seeds.push(seed);
                }
            }
            _ => panic!("{}: not `mutated|random SEED  why`: {line:?}", path.display()),
        }
    }
    seeds
}

/// Replays `target`'s committed findings, then explores from the first seed: a fixed number of
/// cases, or with `HEAPSIFT_FUZZ_SECS` as many as fit in that time (at least 50). Returns how
/// many cases it explored and for how many `case` returned true.
fn fuzz(target: &str, mut case: impl FnMut(u64) -> bool) -> (u64, u64) {
    let replayed = regression_seeds(target);
    for &seed in &replayed {
        case(seed);
    }
    let first: u64 = env("HEAPSIFT_FUZZ_SEED").unwrap_or(1);
    let secs: Option<f64> = env("HEAPSIFT_FUZZ_SECS");
    let cases: u64 = env("HEAPSIFT_FUZZ_CASES").unwrap_or(2000);
    let start = Instant::now();
    let (mut seed, mut yes) = (first, 0);
    loop {
        let done = seed - first;
        let more = match secs {
            Some(s) => start.elapsed() < Duration::from_secs_f64(s) || done < 50,
            None => done < cases,
        };
        if !more {
            break;
        }
        yes += u64::from(case(seed));
        seed += 1;
    }
    eprintln!(
        "fuzz {target}: {} regression seeds, then seeds {first}..={} ({} cases) in {:.1?}",
        replayed.len(),
        seed.saturating_sub(1),
        seed - first,
        start.elapsed()
    );
    (seed - first, yes)
}

/// Loads `bytes` and checks what loads; any panic (the analysis's or an invariant's) saves the
/// input and names the replay. Returns whether the file loaded.
fn check(bytes: Vec<u8>, target: &str, seed: u64, how: &str) -> bool {
    let what = format!("{target} seed {seed} ({how})");
    let input = bytes.clone();
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        match engine::load_bytes(Bytes::Owned(bytes), &Progress::new()) {
            Ok(s) => {
                check_invariants(&s, &what);
                if target == RANDOM && seed.is_multiple_of(10) {
                    let back = common::reopened(&s);
                    assert_eq!(back.summary, s.summary, "{what}: index");
                    assert_eq!(&*back.dominator, &*s.dominator, "{what}: index");
                }
                true
            }
            Err(e) => {
                let text = e.to_string();
                assert!(target != RANDOM, "{what}: a valid graph failed to load: {text}");
                assert!(
                    !text.contains('\n') && !text.is_empty(),
                    "{what}: not one line: {text:?}"
                );
                false
            }
        }
    }));
    result.unwrap_or_else(|_| {
        let path = std::env::temp_dir().join(format!("heapsift-fuzz-{target}-{seed}.heapsnapshot"));
        std::fs::write(&path, &input).unwrap();
        panic!(
            "{what} failed; input saved to {}; replay: HEAPSIFT_FUZZ_CASES=1 HEAPSIFT_FUZZ_SEED={seed} \
             cargo test --release --test main -- fuzz::{target}",
            path.display()
        );
    })
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
    check_summary_rows(s, what);
}

/// The Summary has one row per public class key (the class name, plus the script location where
/// the object has one). Internal keys are string indexes, so two string-table entries with the
/// same text are two internal keys with one public key: DevTools keeps the row of the one whose
/// first sized instance comes later, and the other's instances are in no row
/// (`aggregatesWithFilter` re-keys a Map into an object). So: every class with sized instances
/// either has a row with exactly their count and shallow size, or shares its public key with the
/// row of a later class; no two rows share a key.
fn check_summary_rows(s: &Snapshot, what: &str) {
    let g = &s.graph;
    let mut classes: HashMap<u32, (u64, u64, NodeId)> = HashMap::new();
    for v in g.nodes().filter(|&v| g.self_size(v) > 0) {
        let c = classes.entry(s.classes.of_node[v]).or_insert((0, 0, v));
        c.0 += 1;
        c.1 += u64::from(g.self_size(v));
    }
    let key = |class: u32| s.classes.public_key(g, class);
    let mut rows: HashMap<String, u32> = HashMap::new();
    for r in &s.summary {
        let (count, shallow, _) = classes
            .get(&r.class)
            .unwrap_or_else(|| panic!("{what}: row {} has no sized instance", r.name));
        assert_eq!(r.count, *count, "{what}: the count of {}", r.name);
        assert_eq!(r.shallow_size, *shallow, "{what}: the shallow size of {}", r.name);
        assert!(
            rows.insert(key(r.class), r.class).is_none(),
            "{what}: two rows {}",
            r.name
        );
    }
    let shown: HashSet<u32> = s.summary.iter().map(|r| r.class).collect();
    for (&c, &(count, _, first)) in classes.iter().filter(|(c, _)| !shown.contains(c)) {
        let name = s.classes.name(g, c);
        let row = rows
            .get(&key(c))
            .unwrap_or_else(|| panic!("{what}: {count} sized {name} objects are in no row"));
        assert!(
            classes[row].2 > first,
            "{what}: {name}: the row kept is not the later of two keys"
        );
    }
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
    let inputs: Vec<Vec<u8>> = vec![
        common::random_graph(11, 40, 120).to_json().into_bytes(),
        common::random_graph(12, 7, 10).to_json().into_bytes(),
        common::random_graph(13, 200, 600)
            .without_detachedness()
            .to_json()
            .into_bytes(),
        std::fs::read(common::repo().join("sample-snapshots/small-app.heapsnapshot")).unwrap(),
    ];
    let (runs, loaded) = fuzz(MUTATED, |seed| {
        let mut rng = Rng::new(seed);
        let src = &inputs[rng.below(inputs.len())];
        let (bytes, how) = mutate(src, &mut rng);
        check(bytes, MUTATED, seed, how)
    });
    assert!(
        runs < 50 || (loaded > 0 && loaded < runs),
        "the mutations both break and keep files ({loaded} of {runs})"
    );
}

#[test]
fn random_graphs_satisfy_the_invariants_and_read_back_from_their_index() {
    fuzz(RANDOM, |seed| {
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
        check(
            json.into_bytes(),
            RANDOM,
            seed,
            &format!("{nodes} nodes, {edges} edges"),
        )
    });
}
