use std::fmt;
use std::path::{Path, PathBuf};

use crate::progress::Cancelled;

/// Why a snapshot could not be loaded. Messages are one line, meant for users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    Cancelled,
    /// The file is not a readable heap snapshot; the text says what is wrong.
    Invalid(String),
    Io(String),
}

impl Error {
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }

    /// Names the file in the message, as every user-facing error must.
    pub fn in_file(self, path: &Path) -> FileError {
        FileError {
            path: path.to_path_buf(),
            error: self,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Cancelled => write!(f, "cancelled"),
            Error::Invalid(m) => write!(f, "{m}"),
            Error::Io(m) => write!(f, "cannot read the file: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<Cancelled> for Error {
    fn from(_: Cancelled) -> Self {
        Error::Cancelled
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}

/// An [`Error`] together with the file it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub path: PathBuf,
    pub error: Error,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for FileError {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
