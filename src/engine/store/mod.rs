//! The index store: saved indexes of snapshots, so a later open of the same file reads in a
//! second what took a full parse and analysis. [`file`] is the index file's format (write,
//! open, verify); this module is the cache folder around it: which index belongs to which
//! snapshot file ([`SourceKey`], [`Origin`]), where it lives ([`cache_dir`], [`cache_path`]),
//! whether the cache is on ([`CachePolicy`]), saving ([`SaveIndex`]) and eviction.

pub mod file;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use xxhash_rust::xxh3::xxh3_64;

use crate::analysis::Snapshot;
use crate::error::SaveError;

pub use file::{VERSION, is_index_file, open, read_origin, write};

/// How loads use saved indexes. Off unless the program turns it on: the command line does,
/// from the environment; library users and tests choose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CachePolicy {
    Off,
    /// Look for and save indexes in this folder.
    Dir(PathBuf),
}

impl CachePolicy {
    /// The default folder ([`cache_dir`]), or off when none can be named.
    pub fn from_env() -> CachePolicy {
        cache_dir().map_or(CachePolicy::Off, CachePolicy::Dir)
    }
}

static CACHE: std::sync::RwLock<CachePolicy> = std::sync::RwLock::new(CachePolicy::Off);

/// Sets how every later load of a snapshot file uses saved indexes.
pub fn use_cache(policy: CachePolicy) {
    *CACHE.write().unwrap_or_else(|e| e.into_inner()) = policy;
}

pub(crate) fn cache_policy() -> CachePolicy {
    CACHE.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// An index to write once the snapshot is analysed.
#[derive(Clone, Debug)]
pub struct SaveIndex {
    pub path: PathBuf,
    pub origin: Origin,
}

impl SaveIndex {
    /// Writes the index (creating the cache folder). On failure nothing is left behind, and the
    /// error is one line for the user; the analysis is complete either way.
    pub fn write(&self, s: &Snapshot) -> Result<(), SaveError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .and_then(|_| write(s, &self.origin, &self.path))
            .map_err(|e| SaveError {
                path: self.path.clone(),
                source: Arc::new(crate::error::without_temp_path(e)),
            })?;
        if let CachePolicy::Dir(cache) = cache_policy()
            && self.path.parent() == Some(cache.as_path())
        {
            evict(&cache, &self.path, cache_limit());
        }
        Ok(())
    }
}

/// What identifies the snapshot file an index was made from: its size, modification time and a
/// hash of its first and last megabyte. Any change to the file changes at least one of them in
/// practice (a rewrite changes the time; an edit in place that keeps size, time and both ends
/// is not something snapshot producers do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceKey {
    pub len: u64,
    pub(crate) mtime_secs: i64,
    pub(crate) mtime_nanos: u32,
    pub head: u64,
    pub(crate) tail: u64,
}

impl SourceKey {
    pub fn of(path: &Path) -> std::io::Result<SourceKey> {
        const EDGE: u64 = 1 << 20;
        let mut f = File::open(path)?;
        let meta = f.metadata()?;
        let len = meta.len();
        let (mtime_secs, mtime_nanos) = match meta.modified()?.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
            Err(e) => (-(e.duration().as_secs() as i64), e.duration().subsec_nanos()),
        };
        let mut buf = vec![0u8; EDGE.min(len) as usize];
        f.read_exact(&mut buf)?;
        let head = xxh3_64(&buf);
        f.seek(SeekFrom::Start(len - buf.len() as u64))?;
        f.read_exact(&mut buf)?;
        let tail = xxh3_64(&buf);
        Ok(SourceKey {
            len,
            mtime_secs,
            mtime_nanos,
            head,
            tail,
        })
    }
}

/// Where an index came from, as recorded in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub key: Option<SourceKey>,
    /// The snapshot's path when the index was written (shown, never trusted).
    pub source: String,
}

impl Origin {
    /// A snapshot file as it is now, recorded by its absolute path.
    pub fn of(snapshot: &Path, key: SourceKey) -> Origin {
        Origin {
            key: Some(key),
            source: std::fs::canonicalize(snapshot)
                .unwrap_or_else(|_| snapshot.to_path_buf())
                .display()
                .to_string(),
        }
    }
}

/// Where cached indexes live: `HEAPSIFT_CACHE_DIR`, else `$XDG_CACHE_HOME/heapsift`, else
/// `~/.cache/heapsift`; `None` when none can be named.
pub fn cache_dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("HEAPSIFT_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("heapsift")))
        .or_else(|| env("HOME").map(|d| d.join(".cache").join("heapsift")))
}

/// The cached index's path for a snapshot file: one per snapshot path, named after the file
/// and a hash of its absolute path.
pub fn cache_path(dir: &Path, snapshot: &Path) -> PathBuf {
    let abs = std::fs::canonicalize(snapshot).unwrap_or_else(|_| snapshot.to_path_buf());
    let stem: String = snapshot
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    let hash = xxh3_64(abs.as_os_str().as_encoded_bytes());
    dir.join(format!("{stem}-{hash:016x}.hsidx"))
}

/// The most the cache folder may hold: `HEAPSIFT_CACHE_MAX_GB` (default 20 GB).
pub(crate) fn cache_limit() -> u64 {
    std::env::var("HEAPSIFT_CACHE_MAX_GB")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| *v >= 0.0)
        .map_or(20 << 30, |gb| (gb * (1u64 << 30) as f64) as u64)
}

/// Marks a cached index as just used, for [`evict`] (its modification time; the file's
/// contents never change).
pub fn touch(path: &Path) {
    if let Ok(f) = File::options().append(true).open(path) {
        let _ = f.set_modified(std::time::SystemTime::now());
    }
}

/// Deletes the least recently used indexes in `dir` until it holds at most `max` bytes, never
/// `keep` (the one just written). Other files are left alone.
pub fn evict(dir: &Path, keep: &Path, max: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut found: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "hsidx"))
        .filter_map(|p| {
            let m = std::fs::metadata(&p).ok()?;
            Some((m.modified().ok()?, m.len(), p))
        })
        .collect();
    let mut total: u64 = found.iter().map(|f| f.1).sum();
    found.sort();
    for (_, len, path) in found {
        if total <= max {
            break;
        }
        if path != keep && std::fs::remove_file(&path).is_ok() {
            total -= len;
        }
    }
}
