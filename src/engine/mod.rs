//! Loading and indexing jobs: file → parse → graph → analysis, with progress and cancel.
//! Used by the CLI directly and by the app on background threads.

pub mod task;
pub mod workflows;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::analysis::{self, PartialSummary, Snapshot};
use crate::error::{Error, FileError};
use crate::format::{self, Bytes};
use crate::model::Graph;
use crate::progress::{Phase, Progress};

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
pub fn load_with(source: Source, progress: &Progress, on_partial: &dyn Fn(PartialSummary)) -> Result<Snapshot, Error> {
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

/// A load running on a named background thread.
pub struct LoadJob {
    pub source: Source,
    pub progress: Progress,
    partial: Arc<Mutex<Option<Arc<PartialSummary>>>>,
    handle: Option<std::thread::JoinHandle<Result<Snapshot, FileError>>>,
}

impl LoadJob {
    /// Starts loading; `waker` is called when the partial Summary and the result are ready.
    pub fn spawn(source: Source, waker: task::Waker) -> LoadJob {
        let progress = Progress::new();
        let partial: Arc<Mutex<Option<Arc<PartialSummary>>>> = Arc::default();
        let (p, src, part) = (progress.clone(), source.clone(), partial.clone());
        let handle = std::thread::Builder::new()
            .name(format!("load {}", source.name()))
            .spawn(move || {
                let path = src.path();
                let wake = waker.clone();
                let result = load_with(src, &p, &move |s| {
                    *part.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(s));
                    wake();
                })
                .map_err(|e| e.in_file(&path));
                p.finish();
                waker();
                result
            })
            .ok();
        LoadJob {
            source,
            progress,
            partial,
            handle,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }

    /// Counts and shallow sizes, once known.
    pub fn partial(&self) -> Option<Arc<PartialSummary>> {
        self.partial.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits for the result; call after `is_finished` to avoid blocking.
    pub fn join(mut self) -> Result<Arc<Snapshot>, FileError> {
        let path = self.source.path();
        match self.handle.take() {
            None => Err(Error::Io("could not start a loader thread".into()).in_file(&path)),
            Some(h) => match h.join() {
                Ok(r) => r.map(Arc::new),
                Err(_) => Err(Error::invalid("the loader crashed (a bug in heapsift)").in_file(&path)),
            },
        }
    }
}

/// Peak resident memory of this process so far, in bytes (Linux; `None` elsewhere).
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Phase timings of a finished load, for `heapsift bench`.
pub fn timings(progress: &Progress) -> Vec<(Phase, Duration)> {
    progress.finish()
}

/// Samples resident memory every few milliseconds and keeps the maximum seen in each phase.
pub struct RssSampler {
    stop: Arc<std::sync::atomic::AtomicBool>,
    handle: Option<std::thread::JoinHandle<Vec<(Phase, u64)>>>,
}

impl RssSampler {
    pub fn start(progress: &Progress) -> RssSampler {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (p, s) = (progress.clone(), stop.clone());
        let handle = std::thread::Builder::new()
            .name("rss sampler".into())
            .spawn(move || {
                let mut max: Vec<(Phase, u64)> = Vec::new();
                while !s.load(std::sync::atomic::Ordering::Relaxed) {
                    if let Some(rss) = current_rss() {
                        let phase = p.view().phase;
                        match max.iter_mut().find(|(ph, _)| *ph == phase) {
                            Some((_, m)) => *m = (*m).max(rss),
                            None => max.push((phase, rss)),
                        }
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                max
            })
            .ok();
        RssSampler { stop, handle }
    }

    pub fn finish(mut self) -> Vec<(Phase, u64)> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.handle.take().and_then(|h| h.join().ok()).unwrap_or_default()
    }
}

/// Current resident memory in bytes (Linux).
pub fn current_rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}
