//! Every file heapsift writes (snapshots, indexes, reports, findings, screenshots, redacted
//! copies, desktop files) is written the same way: into a temporary file beside the
//! destination, synced to disk, then renamed into place. A reader sees the old file or the whole
//! new one, never a part, also after a crash; a failed write leaves nothing behind; and messages
//! name the destination, never the temporary file.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::without_temp_path;

/// What happens to a file already at the destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// It is replaced (indexes, captured snapshots, desktop files, a screenshot the user chose
    /// to overwrite).
    Replace,
    /// The write fails and the file stays as it is (reports, findings, redacted copies).
    NoClobber,
}

/// A file being written in place of `path`: invisible there until [`Pending::commit`]; dropped
/// without a commit, it is removed.
pub struct Pending {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
    mode: Mode,
}

impl Pending {
    /// A temporary file in `path`'s folder, readable by its owner only.
    pub fn new(path: &Path, mode: Mode) -> std::io::Result<Pending> {
        Pending::with_builder(path, mode, tempfile::Builder::new())
    }

    /// Like [`Pending::new`] with these permission bits (the umask still applies), for files
    /// others must read.
    pub fn with_permissions(path: &Path, mode: Mode, bits: u32) -> std::io::Result<Pending> {
        let mut builder = tempfile::Builder::new();
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(bits));
        #[cfg(not(unix))]
        let _ = bits;
        Pending::with_builder(path, mode, builder)
    }

    fn with_builder(path: &Path, mode: Mode, mut builder: tempfile::Builder) -> std::io::Result<Pending> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = builder
            .prefix(".heapsift-")
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(without_temp_path)?;
        Ok(Pending {
            tmp,
            path: path.to_path_buf(),
            mode,
        })
    }

    pub fn file(&self) -> &File {
        self.tmp.as_file()
    }

    pub fn file_mut(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// Syncs the file to disk and renames it into place.
    pub fn commit(self) -> std::io::Result<()> {
        self.tmp.as_file().sync_all()?;
        let result = match self.mode {
            Mode::Replace => self.tmp.persist(&self.path),
            Mode::NoClobber => self.tmp.persist_noclobber(&self.path),
        };
        result.map(drop).map_err(|e| without_temp_path(e.error))
    }
}

/// Writes `bytes` to `path` atomically (see the module).
pub fn write(path: &Path, mode: Mode, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = Pending::new(path, mode)?;
    file.file_mut().write_all(bytes)?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replace_and_no_clobber() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write(&p, Mode::NoClobber, b"one").unwrap();
        let e = write(&p, Mode::NoClobber, b"two").unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert!(!e.to_string().contains(".heapsift-"), "{e}");
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write(&p, Mode::Replace, b"three").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"three");
        assert_eq!(names(dir.path()), ["out.txt"], "no temporary file is left");
    }

    #[test]
    fn an_uncommitted_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        let mut f = Pending::new(&p, Mode::Replace).unwrap();
        f.file_mut().write_all(b"half").unwrap();
        drop(f);
        assert!(names(dir.path()).is_empty());
        let e = write(&dir.path().join("no/such/folder/x"), Mode::Replace, b"x").unwrap_err();
        assert!(!e.to_string().contains(".heapsift-"), "{e}");
    }
}
