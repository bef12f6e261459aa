//! The snapshots the server has open: each opened on first use (through its saved index when
//! one matches), kept while it fits the memory bound, the least recently used dropped first,
//! and reopened when its file changes on disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Instant, SystemTime};

use crate::analysis::Snapshot;
use crate::analysis::readable::ReadablePaths;
use crate::engine;
use crate::progress::Progress;

/// One open snapshot, with what is worth computing once per snapshot.
pub struct Open {
    pub snapshot: Snapshot,
    readable: OnceLock<Option<ReadablePaths>>,
}

impl Open {
    /// The readable paths (computed on first use; `None` when cancelled).
    pub fn readable(&self, progress: &Progress) -> Option<&ReadablePaths> {
        self.readable
            .get_or_init(|| ReadablePaths::compute(&self.snapshot, progress).ok())
            .as_ref()
    }
}

impl std::ops::Deref for Open {
    type Target = Snapshot;
    fn deref(&self) -> &Snapshot {
        &self.snapshot
    }
}

/// A shared open snapshot that reads as a [`Snapshot`], for the engine's workflows.
#[derive(Clone)]
pub struct Shared(pub Arc<Open>);

impl std::ops::Deref for Shared {
    type Target = Snapshot;
    fn deref(&self) -> &Snapshot {
        &self.0.snapshot
    }
}

/// What a file was when it was opened: a changed file is reopened.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(path: &Path) -> std::io::Result<Stamp> {
        let m = std::fs::metadata(path)?;
        Ok(Stamp {
            len: m.len(),
            modified: m.modified().ok(),
        })
    }
}

struct Slot {
    /// Held while the file is opened, so that two calls on one file open it once.
    open: Mutex<Option<(Stamp, Arc<Open>)>>,
    used: Mutex<Instant>,
}

/// The open snapshots, by canonical path.
pub struct Store {
    slots: Mutex<HashMap<PathBuf, Arc<Slot>>>,
    /// Bytes of index kept in memory at most (one snapshot bigger than this is still opened).
    budget: u64,
}

impl Store {
    pub fn new(budget: u64) -> Store {
        Store {
            slots: Mutex::new(HashMap::new()),
            budget,
        }
    }

    /// The snapshot at `path`, opened if it is not open or changed on disk since. Errors are
    /// one line naming the file.
    pub fn get(&self, path: &str, progress: &Progress) -> Result<Arc<Open>, String> {
        let given = Path::new(path);
        let canonical = std::fs::canonicalize(given).map_err(|e| format!("{path}: {}", reason(&e)))?;
        if canonical.is_dir() {
            return Err(format!("{path}: is a folder; give a .heapsnapshot file"));
        }
        let stamp = Stamp::of(&canonical).map_err(|e| format!("{path}: {}", reason(&e)))?;
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots
                .entry(canonical.clone())
                .or_insert_with(|| {
                    Arc::new(Slot {
                        open: Mutex::new(None),
                        used: Mutex::new(Instant::now()),
                    })
                })
                .clone()
        };
        *slot.used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        let open = {
            let mut held = slot.open.lock().unwrap_or_else(|e| e.into_inner());
            match &*held {
                Some((s, open)) if *s == stamp => return Ok(open.clone()),
                _ => {}
            }
            *held = None;
            let loaded = engine::open(engine::Source::File(canonical.clone()), progress, &|_| {})
                .map_err(|e| e.in_file(given).to_string())?;
            // Notes go to stderr, which MCP clients keep as the server's log.
            for note in &loaded.notes {
                eprintln!("heapsift: {path}: {note}");
            }
            if let Some(save) = &loaded.save
                && let Err(e) = save.write(&loaded.snapshot)
            {
                eprintln!("heapsift: {path}: {e}; the analysis is complete");
            }
            let open = Arc::new(Open {
                snapshot: loaded.snapshot,
                readable: OnceLock::new(),
            });
            *held = Some((stamp, open.clone()));
            open
        };
        self.evict(&canonical);
        Ok(open)
    }

    /// Drops the least recently used snapshots (never `keep`) until the rest fit the budget.
    fn evict(&self, keep: &Path) {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let mut open: Vec<(Instant, u64, &PathBuf, &Arc<Slot>)> = slots
            .iter()
            .filter_map(|(p, slot)| {
                let held = slot.open.try_lock().ok()?;
                let bytes = held.as_ref()?.1.snapshot.heap_bytes() as u64;
                Some((*slot.used.lock().unwrap_or_else(|e| e.into_inner()), bytes, p, slot))
            })
            .collect();
        let mut total: u64 = open.iter().map(|o| o.1).sum();
        open.sort_by_key(|o| o.0);
        for (_, bytes, path, slot) in open {
            if total <= self.budget {
                break;
            }
            if path == keep {
                continue;
            }
            if let Ok(mut held) = slot.open.try_lock() {
                *held = None;
                total -= bytes;
            }
        }
    }

    /// The paths of the snapshots held now, for the server's own tests and diagnostics.
    #[cfg(test)]
    pub fn held(&self) -> Vec<PathBuf> {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots
            .iter()
            .filter(|(_, s)| s.open.lock().map(|h| h.is_some()).unwrap_or(false))
            .map(|(p, _)| p.clone())
            .collect()
    }
}

/// An I/O error as the end of one line: "no such file", not "(os error 2)".
fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_fits_and_reopens_a_changed_file() {
        engine::use_cache(engine::CachePolicy::Off);
        let dir = tempfile::tempdir().unwrap();
        let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-snapshots");
        let (a, b) = (dir.path().join("a.heapsnapshot"), dir.path().join("b.heapsnapshot"));
        std::fs::copy(samples.join("leak-s1.heapsnapshot"), &a).unwrap();
        std::fs::copy(samples.join("leak-s2.heapsnapshot"), &b).unwrap();
        let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
        let p = Progress::new();

        // A budget of one byte keeps only the snapshot just opened.
        let store = Store::new(1);
        let first = store.get(a, &p).unwrap();
        assert!(
            Arc::ptr_eq(&first, &store.get(a, &p).unwrap()),
            "an open file is not opened again"
        );
        store.get(b, &p).unwrap();
        assert_eq!(store.held(), [std::fs::canonicalize(b).unwrap()]);

        // Room for both: both stay; a file that changes is opened again.
        let store = Store::new(u64::MAX);
        let before = store.get(a, &p).unwrap();
        store.get(b, &p).unwrap();
        assert_eq!(store.held().len(), 2);
        std::fs::copy(samples.join("leak-s3.heapsnapshot"), a).unwrap();
        let after = store.get(a, &p).unwrap();
        assert!(!Arc::ptr_eq(&before, &after));
        assert_ne!(before.graph.node_count(), after.graph.node_count());

        let e = store
            .get(dir.path().join("none.heapsnapshot").to_str().unwrap(), &p)
            .err()
            .unwrap();
        assert!(e.ends_with("none.heapsnapshot: no such file"), "{e}");
    }
}
