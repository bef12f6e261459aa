//! The settings every running instance shares (recent files, theme, snapshot folder), in one
//! JSON file. Each instance writes what it changed over what the file holds now, atomically, so
//! two windows open at once both keep what they added instead of the last one to save erasing
//! the other's.

use std::path::{Path, PathBuf};

use super::options::{MAX_RECENT, Settings, Theme};

/// Settings as this instance read them, and what it changed since.
pub(crate) struct Store {
    /// The shared file; None when this run must leave settings alone (tests, screenshots).
    file: Option<PathBuf>,
    /// What the file held when this instance last read or wrote it.
    base: Settings,
    /// Paths this run opened (most recent first) and those that failed to open.
    opened: Vec<PathBuf>,
    failed: Vec<PathBuf>,
}

impl Store {
    /// Reads the shared file (or, the first time, what eframe kept for older versions).
    pub(crate) fn open(file: Option<PathBuf>, legacy: Option<Settings>) -> (Store, Settings) {
        let base = file.as_deref().and_then(read).or(legacy).unwrap_or_default();
        let store = Store {
            file,
            base: base.clone(),
            opened: Vec::new(),
            failed: Vec::new(),
        };
        (store, base)
    }

    /// The shared file in eframe's folder for this app (`~/.local/share/heapsift`).
    pub(crate) fn default_file() -> Option<PathBuf> {
        eframe::storage_dir("heapsift").map(|d| d.join("settings.json"))
    }

    pub(crate) fn opened(&mut self, p: &Path) {
        self.opened.retain(|x| x != p);
        self.opened.insert(0, p.to_path_buf());
        self.failed.retain(|x| x != p);
    }

    pub(crate) fn failed(&mut self, p: &Path) {
        self.opened.retain(|x| x != p);
        if !self.failed.iter().any(|x| x == p) {
            self.failed.push(p.to_path_buf());
        }
    }

    /// Writes `now` over what the file holds at this moment: this run's opens first, then the
    /// file's list without what failed here; theme and folder only if this run changed them.
    /// Returns the merged settings (what every instance will read next).
    pub(crate) fn save(&mut self, now: &Settings) -> std::io::Result<Settings> {
        let Some(file) = self.file.clone() else {
            return Ok(now.clone());
        };
        let disk = read(&file).unwrap_or_default();
        let merged = self.merge(now, &disk);
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_vec_pretty(&merged).map_err(std::io::Error::other)?;
        crate::atomic::write(&file, crate::atomic::Mode::Replace, &text)?;
        self.base = merged.clone();
        Ok(merged)
    }

    fn merge(&self, now: &Settings, disk: &Settings) -> Settings {
        let mut recent: Vec<PathBuf> = self.opened.clone();
        for p in &disk.recent {
            if !recent.contains(p) && !self.failed.contains(p) {
                recent.push(p.clone());
            }
        }
        recent.truncate(MAX_RECENT);
        let changed = |ours: &Theme, base: &Theme| ours != base;
        Settings {
            recent,
            theme: if changed(&now.theme, &self.base.theme) {
                now.theme
            } else {
                disk.theme
            },
            snapshot_folder: if now.snapshot_folder != self.base.snapshot_folder {
                now.snapshot_folder.clone()
            } else {
                disk.snapshot_folder.clone()
            },
        }
    }
}

fn read(file: &Path) -> Option<Settings> {
    serde_json::from_slice(&std::fs::read(file).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(v: &[&str]) -> Vec<PathBuf> {
        v.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn two_instances_keep_what_each_opened() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.json");
        let start = Settings {
            recent: paths(&["/old.heapsnapshot"]),
            ..Default::default()
        };
        std::fs::write(&file, serde_json::to_vec(&start).unwrap()).unwrap();
        let (mut a, mut sa) = Store::open(Some(file.clone()), None);
        let (mut b, mut sb) = Store::open(Some(file.clone()), None);
        a.opened(Path::new("/a.heapsnapshot"));
        sa.theme = Theme::Dark;
        b.opened(Path::new("/b.heapsnapshot"));
        b.failed(Path::new("/old.heapsnapshot"));
        sb.snapshot_folder = Some("/snaps".into());
        a.save(&sa).unwrap();
        let merged = b.save(&sb).unwrap();
        assert_eq!(merged.recent, paths(&["/b.heapsnapshot", "/a.heapsnapshot"]));
        assert_eq!(
            merged.theme,
            Theme::Dark,
            "b did not change the theme: a's choice stays"
        );
        assert_eq!(merged.snapshot_folder, Some("/snaps".into()));
        assert_eq!(read(&file).unwrap().recent, merged.recent);
        // A run that must not touch settings writes nothing.
        let (mut none, s) = Store::open(None, None);
        none.opened(Path::new("/c"));
        none.save(&s).unwrap();
        assert_eq!(read(&file).unwrap().recent, merged.recent);
    }
}
