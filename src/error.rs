//! The errors every layer shares: `Error` (a bad file, a failed read or write, a cancel),
//! `FileError` (an error and its file), `SaveError` (an index not saved) and `PathIoError` (a
//! failed output, install or export). Each message is one line for the user; the layers above
//! add their own typed errors (`CaptureError`, `DesktopError`, `ExportError`, `CliError`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::progress::Cancelled;

/// Why a snapshot could not be loaded or written. Messages are one line, meant for users; the
/// operating system's error stays attached as the source.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error("cancelled")]
    Cancelled,
    /// The file is not a readable heap snapshot; the text says what is wrong.
    #[error("{0}")]
    Invalid(String),
    /// Reading failed (shared, so results holding an error can be cloned).
    #[error("cannot read the file: {0}")]
    Io(#[source] Arc<std::io::Error>),
    /// Writing an output failed: a full disk, a closed pipe.
    #[error("cannot write {what}: {source}")]
    Write {
        what: &'static str,
        #[source]
        source: Arc<std::io::Error>,
    },
}

impl Error {
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }

    pub fn write(what: &'static str, source: std::io::Error) -> Self {
        Error::Write {
            what,
            source: Arc::new(source),
        }
    }

    /// Names the file in the message, as every user-facing error must.
    pub fn in_file(self, path: &Path) -> FileError {
        FileError {
            path: path.to_path_buf(),
            error: self,
        }
    }
}

impl From<Cancelled> for Error {
    fn from(_: Cancelled) -> Self {
        Error::Cancelled
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(Arc::new(e))
    }
}

/// An [`Error`] together with the file it concerns.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {error}", path.display())]
pub struct FileError {
    pub path: PathBuf,
    #[source]
    pub error: Error,
}

/// An index that could not be saved; the analysis it holds is complete anyway.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the index was not saved to {} ({source})", path.display())]
pub struct SaveError {
    pub path: PathBuf,
    #[source]
    pub source: Arc<std::io::Error>,
}

/// An operating-system failure on a path the user named: `PATH: cannot WHAT: why`. The one shape
/// for outputs, installs and exports.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: cannot {what}: {source}", path.display())]
pub struct PathIoError {
    pub path: PathBuf,
    /// What was being done, as a verb phrase ("write it", "create the folder").
    pub what: &'static str,
    #[source]
    pub source: Arc<std::io::Error>,
}

impl PathIoError {
    /// For `map_err`: the failure of `what` on `path`.
    pub(crate) fn at(path: &Path, what: &'static str) -> impl FnOnce(std::io::Error) -> PathIoError {
        let path = path.to_path_buf();
        move |e| PathIoError {
            path,
            what,
            source: Arc::new(without_temp_path(e)),
        }
    }
}

/// An error from `tempfile` without the temporary file's path it appends (` at path "…"`): users
/// name the file they asked for, never a temporary one.
pub(crate) fn without_temp_path(e: std::io::Error) -> std::io::Error {
    let text = e.to_string();
    match text.split_once(" at path ") {
        Some((why, _)) if e.get_ref().is_some() => std::io::Error::new(e.kind(), why.to_owned()),
        _ => e,
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    #[test]
    fn temporary_paths_are_left_out_of_messages() {
        let e = tempfile::Builder::new()
            .prefix(".heapsift-")
            .tempfile_in("/nonexistent-heapsift-folder")
            .unwrap_err();
        assert!(e.to_string().contains(".heapsift-"), "{e}");
        let e = super::without_temp_path(e);
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        assert!(
            !e.to_string().contains(".heapsift-") && e.to_string().contains("No such file"),
            "{e}"
        );
        let plain = std::io::Error::from_raw_os_error(28);
        assert_eq!(
            super::without_temp_path(plain).raw_os_error(),
            Some(28),
            "other errors pass as they are"
        );
    }
}
