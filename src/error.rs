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

pub type Result<T, E = Error> = std::result::Result<T, E>;
