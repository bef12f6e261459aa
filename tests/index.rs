//! Saved indexes: a reopen gives the numbers a fresh analysis gives, and a stale, truncated,
//! bit-flipped, foreign-version, foreign-endian or forged index is refused and rebuilt, never
//! trusted and never a panic.

use crate::common;

use std::path::{Path, PathBuf};

use heapsift::analysis::Snapshot;
use heapsift::engine::{self, CachePolicy, LoadedFrom, Source, store};
use heapsift::present::report::{js_number, summary_json};
use heapsift::progress::Progress;
use serde_json::{Value, json};

/// Everything a user could read off a snapshot: the Summary with its header, and per node its
/// id, class, sizes, distance, dominator and first retainer.
fn numbers(s: &Snapshot) -> Value {
    let g = &s.graph;
    let nodes: Vec<Value> = g
        .nodes()
        .map(|v| {
            let r = &s.retainers;
            let first_retainer = (r.first[v] < r.first[v.index() + 1]).then(|| r.source(r.first[v] as usize).get());
            json!([
                g.id(v),
                s.class_name(v),
                g.self_size(v),
                js_number(s.retained.get(v)),
                s.distances[v].0,
                s.dominator[v].get(),
                first_retainer,
                s.flags[v],
            ])
        })
        .collect();
    json!({
        "summary": summary_json(s, Path::new("x"), None),
        "nodes": nodes,
        "statistics": s.statistics,
        "orphans": s.orphans,
        "cliques": s.cliques,
        "interfaces": s.interface_definitions.len(),
    })
}

fn sample(name: &str) -> PathBuf {
    common::repo().join("sample-snapshots").join(name)
}

fn written(s: &Snapshot, dir: &Path) -> PathBuf {
    let path = dir.join("x.hsidx");
    let origin = store::Origin {
        key: None,
        source: "test".into(),
    };
    store::write(s, &origin, &path).unwrap();
    path
}

#[test]
fn every_sample_reads_back_with_every_number_equal() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(common::repo().join("sample-snapshots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".heapsnapshot") || p.to_string_lossy().ends_with(".heapsnapshot.gz"))
        .collect();
    files.sort();
    assert!(files.len() >= 14, "{files:?}");
    for f in files {
        let fresh = engine::load(&f, &Progress::new()).unwrap();
        let back = common::reopened(&fresh);
        assert_eq!(numbers(&back), numbers(&fresh), "{}", f.display());
        assert_eq!(back.scripts.parts().0.len(), fresh.scripts.parts().0.len());
        assert_eq!(back.graph.strings().len(), fresh.graph.strings().len());
    }
}

#[test]
fn every_damaged_byte_is_refused_or_harmless() {
    let fresh = engine::load(&sample("leak-s2.heapsnapshot"), &Progress::new()).unwrap();
    let want = numbers(&fresh);
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(written(&fresh, dir.path())).unwrap();
    let path = dir.path().join("damaged.hsidx");
    let (mut refused, mut harmless) = (0, 0);
    // Every byte of the header and table, then a spread over the sections.
    let positions: Vec<usize> = (0..1024.min(good.len()))
        .chain((1024..good.len()).step_by(good.len() / 3000 + 1))
        .collect();
    for at in positions {
        let mut bad = good.clone();
        bad[at] ^= 0x10;
        std::fs::write(&path, &bad).unwrap();
        match store::open(&path, &Progress::new()) {
            Err(e) => {
                assert!(!e.to_string().contains('\n'), "one line: {e}");
                refused += 1;
            }
            // Only padding between sections may change unnoticed, and then nothing differs.
            Ok((s, _)) => {
                assert_eq!(numbers(&s), want, "a flipped byte at {at} changed a number");
                harmless += 1;
            }
        }
    }
    assert!(
        refused > 2000,
        "damage is detected ({refused} refused, {harmless} harmless)"
    );
}

#[test]
fn truncated_indexes_are_refused() {
    let fresh = engine::load(&sample("leak-s1.heapsnapshot"), &Progress::new()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(written(&fresh, dir.path())).unwrap();
    let path = dir.path().join("short.hsidx");
    let mut cuts: Vec<usize> = vec![0, 1, 15, 16, 39, 40, 41, 100, 680, 1000, good.len() - 1];
    cuts.extend((1..50).map(|i| good.len() * i / 50));
    for cut in cuts {
        std::fs::write(&path, &good[..cut]).unwrap();
        let e = store::open(&path, &Progress::new())
            .err()
            .unwrap_or_else(|| panic!("cut at {cut} was accepted"));
        assert!(e.to_string().contains("index"), "{e}");
    }
}

#[test]
fn other_versions_and_byte_orders_are_refused() {
    let fresh = engine::load(&sample("leak-s1.heapsnapshot"), &Progress::new()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = written(&fresh, dir.path());
    let good = std::fs::read(&path).unwrap();
    let mut other = good.clone();
    other[16..20].copy_from_slice(&(store::VERSION + 1).to_le_bytes());
    std::fs::write(&path, &other).unwrap();
    let e = store::open(&path, &Progress::new()).err().unwrap().to_string();
    assert!(e.contains(&format!("format version {}", store::VERSION + 1)), "{e}");
    let mut swapped = good.clone();
    swapped[20..24].reverse();
    std::fs::write(&path, &swapped).unwrap();
    let e = store::open(&path, &Progress::new()).err().unwrap().to_string();
    assert!(e.contains("byte order"), "{e}");
}

/// The cache as the CLI and the app use it: saved after the first open, read on the second,
/// rebuilt (with a note) when stale or damaged.
#[test]
fn the_cache_saves_reads_and_rebuilds() {
    let cache = tempfile::tempdir().unwrap();
    let _policy = common::cache_policy_lock();
    engine::use_cache(CachePolicy::Dir(cache.path().to_path_buf()));
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("leak-s3.heapsnapshot");
    std::fs::copy(sample("leak-s3.heapsnapshot"), &file).unwrap();
    let open = || engine::open(Source::File(file.clone()), &Progress::new(), &|_| {}).unwrap();

    let first = open();
    assert_eq!(first.from, LoadedFrom::Snapshot);
    assert!(first.notes.is_empty(), "{:?}", first.notes);
    let want = numbers(&first.snapshot);
    let save = first.save.as_ref().expect("the cache is on");
    assert!(save.path.starts_with(cache.path()));
    save.write(&first.snapshot).unwrap();

    let second = open();
    assert_eq!(second.from, LoadedFrom::Cache(save.path.clone()));
    assert!(second.save.is_none() && second.notes.is_empty());
    assert_eq!(numbers(&second.snapshot), want);

    // Damaged: a flipped byte in the middle of a column.
    let mut bytes = std::fs::read(&save.path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&save.path, &bytes).unwrap();
    let third = open();
    assert_eq!(third.from, LoadedFrom::Snapshot);
    assert!(
        third.notes[0].contains("rebuilding the saved index"),
        "{:?}",
        third.notes
    );
    assert_eq!(numbers(&third.snapshot), want);
    third.save.as_ref().unwrap().write(&third.snapshot).unwrap();
    assert!(matches!(open().from, LoadedFrom::Cache(_)), "rebuilt and saved again");

    // Truncated.
    let len = std::fs::metadata(&save.path).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&save.path)
        .unwrap()
        .set_len(len / 3)
        .unwrap();
    let fourth = open();
    assert_eq!(fourth.from, LoadedFrom::Snapshot);
    assert_eq!(numbers(&fourth.snapshot), want);
    fourth.save.as_ref().unwrap().write(&fourth.snapshot).unwrap();

    // An index file opened directly, in place of its snapshot.
    let direct = engine::open(Source::File(save.path.clone()), &Progress::new(), &|_| {}).unwrap();
    assert_eq!(direct.from, LoadedFrom::IndexFile);
    assert_eq!(numbers(&direct.snapshot), want);

    // Stale: the snapshot file replaced by another one at the same path.
    std::fs::copy(sample("leak-s1.heapsnapshot"), &file).unwrap();
    let fifth = open();
    assert_eq!(fifth.from, LoadedFrom::Snapshot);
    assert!(fifth.notes[0].contains("changed"), "{:?}", fifth.notes);
    assert!(!save.path.exists(), "a stale index is deleted when found");
    let fresh_s1 = engine::load(&sample("leak-s1.heapsnapshot"), &Progress::new()).unwrap();
    assert_eq!(numbers(&fifth.snapshot), numbers(&fresh_s1));

    engine::use_cache(CachePolicy::Off);
}

#[test]
fn a_failed_save_leaves_nothing_behind() {
    let s = engine::load(&sample("leak-s1.heapsnapshot"), &Progress::new()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A folder where the index should be: the rename fails after the data is written.
    let dest = dir.path().join("taken");
    std::fs::create_dir(&dest).unwrap();
    std::fs::write(dest.join("keep"), b"x").unwrap();
    let origin = store::Origin {
        key: None,
        source: "test".into(),
    };
    assert!(store::write(&s, &origin, &dest).is_err());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from("taken")],
        "no temporary file is left"
    );
    // A folder that cannot be made.
    let save = engine::SaveIndex {
        path: dir.path().join("taken/keep/sub/x.hsidx"),
        origin,
    };
    let e = save.write(&s).unwrap_err();
    let e = e.to_string();
    assert!(e.contains("not saved") && !e.contains('\n'), "{e}");
}

/// The cache stays under its limit: the least recently used indexes go first, never the one
/// just written, never other files.
#[test]
fn the_cache_evicts_the_least_recently_used_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, len: usize, age_secs: u64| {
        let p = dir.path().join(name);
        std::fs::write(&p, vec![0u8; len]).unwrap();
        let f = std::fs::File::options().append(true).open(&p).unwrap();
        f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(age_secs))
            .unwrap();
        p
    };
    let oldest = file("a.hsidx", 1000, 300);
    let old = file("b.hsidx", 1000, 200);
    let recent = file("c.hsidx", 1000, 100);
    let other = file("notes.txt", 5000, 400);
    let just_written = file("d.hsidx", 1000, 500);
    // Using an index makes it recent.
    store::touch(&oldest);
    store::evict(dir.path(), &just_written, 2000);
    let left = |p: &PathBuf| p.exists();
    assert!(left(&just_written), "the one just written stays, however old");
    assert!(left(&oldest), "used just now");
    assert!(
        !left(&old) && !left(&recent),
        "the least recently used go until 2,000 bytes are left"
    );
    assert!(left(&other), "not ours");
}
