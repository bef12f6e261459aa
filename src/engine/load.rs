//! Loading a snapshot: file → parse → graph → analysis (`load`), or the fastest way that gives
//! the same numbers (`open`: an index file, a saved index that matches, or a full analysis
//! whose index is then saved), and `LoadJob`, which does that on a background thread for the
//! app, one load at a time.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::store::{self, CachePolicy, SaveIndex, cache_policy};
use crate::analysis::process::Fingerprint;
use crate::analysis::{self, PartialSummary, Snapshot};
use crate::error::{Error, FileError, SaveError};
use crate::format::{self, Bytes};
use crate::model::Graph;
use crate::progress::{Phase, Progress, Waker};

/// Opens and fully indexes a snapshot file.
pub fn load(path: &Path, progress: &Progress) -> Result<Snapshot, FileError> {
    load_with(Source::File(path.to_path_buf()), progress, &|_| {}).map_err(|e| e.in_file(path))
}

/// Where a snapshot comes from.
#[derive(Clone, Debug)]
pub enum Source {
    File(PathBuf),
    /// Bytes built into the binary (the demo samples), with a display name.
    Embedded(&'static str, &'static [u8]),
}

impl Source {
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            Source::Embedded(name, _) => (*name).to_owned(),
        }
    }

    pub fn path(&self) -> PathBuf {
        match self {
            Source::File(p) => p.clone(),
            Source::Embedded(name, _) => PathBuf::from(name),
        }
    }
}

/// Opens and indexes a snapshot from any source, reporting the partial Summary early.
pub fn load_with(
    source: Source,
    progress: &Progress,
    on_partial: &(dyn Fn(PartialSummary) + Sync),
) -> Result<Snapshot, Error> {
    let bytes = match source {
        Source::File(path) => Bytes::open(&path)?,
        Source::Embedded(_, data) => Bytes::Static(data),
    };
    let raw = format::parse(&bytes, progress)?;
    // The mapping is no longer needed: every column now lives in our own arrays.
    drop(bytes);
    let graph = Graph::from_raw(raw, progress)?;
    analysis::analyze_with(graph, progress, on_partial)
}

/// Indexes snapshot bytes already in memory (decompressed files, tests).
pub fn load_bytes(bytes: Bytes, progress: &Progress) -> Result<Snapshot, Error> {
    let raw = format::parse(&bytes, progress)?;
    drop(bytes);
    let graph = Graph::from_raw(raw, progress)?;
    analysis::analyze(graph, progress)
}

/// Where a loaded snapshot's index came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadedFrom {
    /// Parsed and analysed now.
    Snapshot,
    /// Read from the saved index at this path.
    Cache(PathBuf),
    /// The file opened was an index itself (`heapsift index`).
    IndexFile,
}

/// A snapshot, where its index came from, what to save, and what the user should know.
pub struct Loaded {
    pub snapshot: Snapshot,
    pub from: LoadedFrom,
    /// Where to save the index just built, when the cache is on.
    pub save: Option<SaveIndex>,
    /// One line each: why a saved index was not used.
    pub notes: Vec<String>,
}

/// Opens a snapshot the fastest way that gives exact numbers: an index file given directly, a
/// saved index that matches the file as it is now, or a full parse and analysis (and then says
/// where to save its index). A saved index that is stale or damaged is never trusted: it is
/// rebuilt, with a note saying why.
pub fn open(
    source: Source,
    progress: &Progress,
    on_partial: &(dyn Fn(PartialSummary) + Sync),
) -> Result<Loaded, Error> {
    let mut loaded = open_unmapped(source, progress, on_partial)?;
    // Source maps are read from disk on every open, never stored in an index: the scripts and
    // maps beside them may change while the snapshot does not.
    loaded.notes.extend(super::sourcemaps::attach(&loaded.snapshot));
    Ok(loaded)
}

fn open_unmapped(
    source: Source,
    progress: &Progress,
    on_partial: &(dyn Fn(PartialSummary) + Sync),
) -> Result<Loaded, Error> {
    let mut notes = Vec::new();
    let mut save = None;
    if let Source::File(path) = &source {
        if store::is_index_file(path) {
            let (snapshot, _) = store::open(path, progress)?;
            return Ok(Loaded {
                snapshot,
                from: LoadedFrom::IndexFile,
                save: None,
                notes,
            });
        }
        if let (CachePolicy::Dir(dir), Ok(key)) = (cache_policy(), store::SourceKey::of(path)) {
            let cached = store::cache_path(&dir, path);
            if cached.exists() {
                let found = store::read_origin(&cached).and_then(|origin| {
                    if origin.key != Some(key) {
                        return Err(Error::invalid("the snapshot file changed since"));
                    }
                    store::open(&cached, progress)
                });
                match found {
                    Ok((snapshot, _)) => {
                        store::touch(&cached);
                        return Ok(Loaded {
                            snapshot,
                            from: LoadedFrom::Cache(cached),
                            save: None,
                            notes,
                        });
                    }
                    Err(Error::Cancelled) => return Err(Error::Cancelled),
                    Err(e) => {
                        // Gone now rather than replaced later: its space may be what the new
                        // one needs.
                        let _ = std::fs::remove_file(&cached);
                        notes.push(format!("rebuilding the saved index: {e}"));
                    }
                }
            }
            save = Some(SaveIndex {
                path: cached,
                origin: store::Origin::of(path, key),
            });
        }
    }
    let snapshot = load_with(source, progress, on_partial)?;
    Ok(Loaded {
        snapshot,
        from: LoadedFrom::Snapshot,
        save,
        notes,
    })
}

/// A finished load in the app: the snapshot, where its index came from, and notes for the user.
pub struct Opened {
    pub snapshot: Arc<Snapshot>,
    /// Which process it comes from, for grouping it with the other open snapshots.
    pub print: Arc<Fingerprint>,
    pub from: LoadedFrom,
    pub notes: Vec<String>,
    /// The outcome of saving the index, which happens after the snapshot is handed over; `None`
    /// when nothing is saved. A saved index comes back as the same snapshot read from it
    /// (memory-mapped): swapped in, it frees the analysis's own arrays.
    pub saving: Option<std::sync::mpsc::Receiver<Saved>>,
}

/// What saving an index gave: the snapshot mapped from it, or why it was not saved.
pub type Saved = Result<Option<Arc<Snapshot>>, SaveError>;

/// One load at a time in the app, in the order the loads were asked for: an analysis needs its
/// whole working set, and two at once on big snapshots need twice the memory for no gain (each
/// phase already uses every core). A turn lasts until the index is saved and the snapshot
/// swapped for its mapped copy.
static QUEUE: Mutex<std::collections::VecDeque<u64>> = Mutex::new(std::collections::VecDeque::new());
static NEXT_TICKET: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A place in the load queue; leaving it (dropped, also on a cancel or a panic) lets the next
/// load go.
struct Ticket(u64);

impl Ticket {
    fn take() -> Ticket {
        let t = NEXT_TICKET.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        QUEUE.lock().unwrap_or_else(|e| e.into_inner()).push_back(t);
        Ticket(t)
    }

    /// Waits until this ticket is first in line.
    fn wait(&self, progress: &Progress) -> Result<(), Error> {
        progress.begin(Phase::Waiting, 1);
        loop {
            if QUEUE.lock().unwrap_or_else(|e| e.into_inner()).front() == Some(&self.0) {
                return Ok(());
            }
            progress.check()?;
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        QUEUE.lock().unwrap_or_else(|e| e.into_inner()).retain(|&t| t != self.0);
    }
}

type Slot<T> = Arc<Mutex<Option<T>>>;

/// A load running on a named background thread. With the cache on, the same thread then saves
/// the index while the app already shows the snapshot.
pub struct LoadJob {
    pub source: Source,
    pub progress: Progress,
    partial: Slot<Arc<PartialSummary>>,
    result: Slot<Result<Opened, FileError>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl LoadJob {
    /// Starts loading; `waker` is called when the partial Summary and the result are ready.
    pub fn spawn(source: Source, waker: Waker) -> LoadJob {
        let progress = Progress::new();
        let partial: Slot<Arc<PartialSummary>> = Arc::default();
        let result: Slot<Result<Opened, FileError>> = Arc::default();
        let (p, src, part, out) = (progress.clone(), source.clone(), partial.clone(), result.clone());
        let ticket = Ticket::take();
        let handle = std::thread::Builder::new()
            .name(format!("load {}", source.name()))
            .spawn(move || {
                let path = src.path();
                let wake = waker.clone();
                let turn = match ticket.wait(&p) {
                    Ok(()) => ticket,
                    Err(e) => {
                        p.finish();
                        *out.lock().unwrap_or_else(|e| e.into_inner()) = Some(Err(e.in_file(&path)));
                        waker();
                        return;
                    }
                };
                let loaded = open(src, &p, &move |s| {
                    *part.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(s));
                    wake();
                })
                .map_err(|e| e.in_file(&path));
                p.finish();
                let (opened, save) = match loaded {
                    Err(e) => (Err(e), None),
                    Ok(l) => {
                        let snapshot = Arc::new(l.snapshot);
                        let save = l.save.map(|target| {
                            let (tx, rx) = std::sync::mpsc::channel();
                            (target, snapshot.clone(), tx, rx)
                        });
                        let (job, rx) = match save {
                            Some((target, s, tx, rx)) => (Some((target, s, tx)), Some(rx)),
                            None => (None, None),
                        };
                        let opened = Opened {
                            print: Arc::new(Fingerprint::of(&snapshot)),
                            snapshot,
                            from: l.from,
                            notes: l.notes,
                            saving: rx,
                        };
                        (Ok(opened), job)
                    }
                };
                *out.lock().unwrap_or_else(|e| e.into_inner()) = Some(opened);
                waker();
                if let Some((target, snapshot, tx)) = save {
                    let saved = target.write(&snapshot).map(|()| {
                        store::open(&target.path, &Progress::new()).ok().map(|(mapped, _)| {
                            // The same source maps for the snapshot mapped from its index.
                            if let Some(m) = snapshot.scripts.shared_maps() {
                                mapped.scripts.set_maps(m);
                            }
                            Arc::new(mapped)
                        })
                    });
                    drop(snapshot);
                    let _ = tx.send(saved);
                    waker();
                }
                drop(turn);
            })
            .ok();
        LoadJob {
            source,
            progress,
            partial,
            result,
            handle,
        }
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.result.lock().unwrap_or_else(|e| e.into_inner()).is_some()
            || self.handle.as_ref().is_none_or(|h| h.is_finished())
    }

    /// Counts and shallow sizes, once known.
    pub fn partial(&self) -> Option<Arc<PartialSummary>> {
        self.partial.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The result; call after `is_finished`.
    pub fn join(self) -> Result<Opened, FileError> {
        let path = self.source.path();
        let result = self.result.lock().unwrap_or_else(|e| e.into_inner()).take();
        match (result, &self.handle) {
            (Some(r), _) => r,
            (None, None) => Err(Error::invalid("could not start a loader thread").in_file(&path)),
            (None, Some(_)) => Err(Error::invalid("the loader crashed (a bug in heapsift)").in_file(&path)),
        }
    }
}

/// The snapshot files in a folder, oldest first (then by name).
pub fn snapshot_files(dir: &std::path::Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            let n = p
                .file_name()
                .map(|f| f.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            n.ends_with(".heapsnapshot") || n.ends_with(".heapsnapshot.gz") || n.ends_with(".heaptimeline")
        })
        .map(|p| {
            (
                std::fs::metadata(&p)
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH),
                p,
            )
        })
        .collect();
    files.sort();
    Ok(files.into_iter().map(|x| x.1).collect())
}
