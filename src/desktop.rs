//! `heapsift --install-desktop`: installs heapsift for the current user as a desktop app,
//! following the freedesktop.org specs (Desktop Entry, Icon Theme, Shared MIME-info, XDG Base
//! Directory): a launcher, its icon and the snapshot file types, so file managers open
//! `.heapsnapshot` files with heapsift. `--uninstall-desktop` removes them again.
//!
//! No egui here: the flag works in builds without the `gui` feature too.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

use crate::error::PathIoError;

/// Why an install or uninstall failed, in one line for the user.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DesktopError {
    #[error("neither XDG_DATA_HOME nor HOME is set to an absolute path")]
    NoHome,
    #[error("--install-desktop is for Linux and BSD desktops (freedesktop.org)")]
    Unsupported,
    #[error("cannot find the heapsift binary's path: {0}")]
    NoProgram(#[source] std::io::Error),
    /// The program's path cannot be written into a launcher.
    #[error("{shown}: the program's path {why}")]
    ProgramPath { shown: String, why: &'static str },
    #[error(transparent)]
    Io(#[from] PathIoError),
    #[error("{tool} {} failed ({status}): {why}", dir.display())]
    ToolFailed {
        tool: &'static str,
        dir: PathBuf,
        status: ExitStatus,
        why: String,
    },
    #[error("cannot run {tool}: {source}")]
    CannotRun {
        tool: &'static str,
        #[source]
        source: std::io::Error,
    },
}

type Result<T> = std::result::Result<T, DesktopError>;

/// The app's icon, the same PNG the window uses.
const ICON: &[u8] = include_bytes!("../assets/icon.png");

/// The icon's width and height, read from its PNG header when compiling.
const ICON_SIZE: u32 = png_size(ICON);

const fn png_size(png: &[u8]) -> u32 {
    assert!(
        png.len() > 24
            && png[0] == 0x89
            && png[1] == b'P'
            && png[2] == b'N'
            && png[3] == b'G'
            && png[12] == b'I'
            && png[13] == b'H'
            && png[14] == b'D'
            && png[15] == b'R',
        "assets/icon.png is not a PNG"
    );
    let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    assert!(width == height, "assets/icon.png must be square for the hicolor theme");
    width
}

/// The desktop file id, the icon name and the MIME package name. Matches the app's
/// Wayland app id / X11 WM_CLASS (`heapsift`), so the running window gets this launcher's icon.
pub(crate) const APP_ID: &str = "heapsift";

/// The MIME type of `.heapsnapshot` files.
pub(crate) const MIME_SNAPSHOT: &str = "application/x-heapsnapshot";
/// The MIME type of `.heapsnapshot.gz` files.
pub(crate) const MIME_SNAPSHOT_GZ: &str = "application/x-heapsnapshot+gzip";

/// The shared-mime-info package. `*.heapsnapshot.gz` outweighs `application/gzip`'s `*.gz`
/// (weight 50), and as a subclass of `application/gzip` it also wins over gzip's magic
/// bytes: a glob match that is a subclass of the sniffed type is kept.
const MIME_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="application/x-heapsnapshot">
    <comment>V8 heap snapshot</comment>
    <sub-class-of type="application/json"/>
    <icon name="heapsift"/>
    <glob pattern="*.heapsnapshot"/>
  </mime-type>
  <mime-type type="application/x-heapsnapshot+gzip">
    <comment>V8 heap snapshot (gzip-compressed)</comment>
    <sub-class-of type="application/gzip"/>
    <icon name="heapsift"/>
    <glob pattern="*.heapsnapshot.gz" weight="60"/>
  </mime-type>
</mime-info>
"#;

/// The files `--install-desktop` writes, under one `$XDG_DATA_HOME`.
#[derive(Debug, Clone)]
pub(crate) struct Paths {
    pub data_home: PathBuf,
    pub(crate) desktop_file: PathBuf,
    pub icon: PathBuf,
    pub(crate) mime_package: PathBuf,
}

impl Paths {
    pub fn new(data_home: &Path) -> Paths {
        Paths {
            data_home: data_home.to_path_buf(),
            desktop_file: data_home.join("applications").join(format!("{APP_ID}.desktop")),
            icon: data_home
                .join("icons/hicolor")
                .join(format!("{ICON_SIZE}x{ICON_SIZE}"))
                .join("apps")
                .join(format!("{APP_ID}.png")),
            mime_package: data_home.join("mime/packages").join(format!("{APP_ID}.xml")),
        }
    }

    /// `$XDG_DATA_HOME`, or `$HOME/.local/share` when it is unset, empty or relative (the
    /// XDG Base Directory spec says to ignore relative paths).
    pub fn from_env() -> Result<Paths> {
        let absolute = |v: Option<std::ffi::OsString>| v.map(PathBuf::from).filter(|p| p.is_absolute());
        let data_home = match absolute(std::env::var_os("XDG_DATA_HOME")) {
            Some(dir) => dir,
            None => absolute(std::env::var_os("HOME"))
                .ok_or(DesktopError::NoHome)?
                .join(".local/share"),
        };
        Ok(Paths::new(&data_home))
    }

    fn all(&self) -> [&Path; 3] {
        [&self.desktop_file, &self.icon, &self.mime_package]
    }
}

/// What an install or uninstall did, line by line, for the user.
#[derive(Debug, Default)]
pub struct Report {
    pub lines: Vec<String>,
}

/// Writes the launcher (running `exe`), the icon and the MIME package, then refreshes the
/// desktop and MIME caches when their tools are installed.
pub fn install(paths: &Paths, exe: &Path) -> Result<Report> {
    unsupported_platform()?;
    let entry = desktop_entry(exe)?;
    let mut report = Report::default();
    for (path, bytes) in [
        (&paths.desktop_file, entry.as_bytes()),
        (&paths.icon, ICON),
        (&paths.mime_package, MIME_XML.as_bytes()),
    ] {
        write_atomically(path, bytes)?;
        report.lines.push(format!("wrote {}", path.display()));
    }
    refresh_caches(paths, &mut report)?;
    Ok(report)
}

/// Removes what [`install`] wrote (files already gone are fine) and refreshes the caches.
pub fn uninstall(paths: &Paths) -> Result<Report> {
    unsupported_platform()?;
    let mut report = Report::default();
    for path in paths.all() {
        match std::fs::remove_file(path) {
            Ok(()) => report.lines.push(format!("removed {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                report.lines.push(format!("not installed: {}", path.display()))
            }
            Err(e) => return Err(PathIoError::at(path, "remove")(e).into()),
        }
    }
    refresh_caches(paths, &mut report)?;
    Ok(report)
}

fn unsupported_platform() -> Result<()> {
    if cfg!(any(windows, target_os = "macos")) {
        return Err(DesktopError::Unsupported);
    }
    Ok(())
}

/// The `.desktop` file: a launcher that opens any number of snapshots (`%F`).
pub(crate) fn desktop_entry(exe: &Path) -> Result<String> {
    let exe_str = exe.to_str().ok_or_else(|| DesktopError::ProgramPath {
        shown: exe.display().to_string(),
        why: "is not UTF-8",
    })?;
    if exe_str.chars().any(char::is_control) {
        // Quoted, so the control characters show as escapes on one line.
        return Err(DesktopError::ProgramPath {
            shown: format!("{exe_str:?}"),
            why: "has control characters",
        });
    }
    Ok(format!(
        "[Desktop Entry]
Type=Application
Version=1.4
Name=heapsift
GenericName=Heap Snapshot Explorer
Comment=Explore V8 heap snapshots (Node.js, Chrome, Electron, Deno): what holds your memory
Icon={APP_ID}
TryExec={try_exec}
Exec={exec} %F
Terminal=false
MimeType={MIME_SNAPSHOT};{MIME_SNAPSHOT_GZ};
Categories=Development;Debugger;
Keywords=heap;snapshot;memory;leak;V8;Node.js;Chrome;DevTools;
StartupNotify=true
StartupWMClass={APP_ID}
",
        try_exec = escape_string(exe_str),
        exec = escape_string(&exec_argument(exe_str)),
    ))
}

/// One `Exec` argument, quoted when it has a reserved character (Desktop Entry spec, "The Exec
/// key"); `%` is doubled. The result still needs the string escape ([`escape_string`]).
fn exec_argument(arg: &str) -> String {
    const RESERVED: &str = " \t\n\"'\\><~|&;$*?#()`";
    let arg = arg.replace('%', "%%");
    if !arg.chars().any(|c| RESERVED.contains(c)) {
        return arg;
    }
    let mut quoted = String::from("\"");
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// The escape of the Desktop Entry `string` type: a backslash is written `\\`.
fn escape_string(s: &str) -> String {
    s.replace('\\', "\\\\")
}

/// Writes `bytes` to a temporary file next to `path` and renames it into place, so a reader
/// never sees a half-written file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().expect("installed files have a parent folder");
    std::fs::create_dir_all(dir).map_err(PathIoError::at(dir, "create the folder"))?;
    // Launchers, icons and MIME packages are read by the desktop, not only by their owner.
    let mut tmp = crate::atomic::Pending::with_permissions(path, crate::atomic::Mode::Replace, 0o644)
        .map_err(PathIoError::at(path, "write"))?;
    tmp.file_mut()
        .write_all(bytes)
        .and_then(|()| tmp.commit())
        .map_err(|e| PathIoError::at(path, "write")(e).into())
}

/// Runs `update-mime-database` and `update-desktop-database` on the user's folders; a tool
/// that is not installed is skipped with a note.
fn refresh_caches(paths: &Paths, report: &mut Report) -> Result<()> {
    let mime_dir = paths.data_home.join("mime");
    let applications_dir = paths.data_home.join("applications");
    for (tool, dir, without) in [
        (
            "update-mime-database",
            &mime_dir,
            "file managers will not know the snapshot file types until it runs (package shared-mime-info)",
        ),
        (
            "update-desktop-database",
            &applications_dir,
            "some desktops need it to offer heapsift for snapshot files (package desktop-file-utils)",
        ),
    ] {
        if !dir.is_dir() {
            continue;
        }
        match Command::new(tool).arg(dir).output() {
            Ok(out) if out.status.success() => report.lines.push(format!("ran {tool} {}", dir.display())),
            Ok(out) => {
                let stderr = String::from_utf8_lossy(&out.stderr);
                let why = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message");
                return Err(DesktopError::ToolFailed {
                    tool,
                    dir: dir.clone(),
                    status: out.status,
                    why: why.to_owned(),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => report
                .lines
                .push(format!("{tool} is not installed, skipped: {without}")),
            Err(source) => return Err(DesktopError::CannotRun { tool, source }),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icon_size_comes_from_the_png() {
        assert_eq!(ICON_SIZE, 256);
        assert!(
            Paths::new(Path::new("/d"))
                .icon
                .ends_with("icons/hicolor/256x256/apps/heapsift.png")
        );
    }

    #[test]
    fn plain_paths_are_not_quoted() {
        let e = desktop_entry(Path::new("/home/me/.cargo/bin/heapsift")).unwrap();
        assert!(e.contains("\nExec=/home/me/.cargo/bin/heapsift %F\n"), "{e}");
        assert!(e.contains("\nTryExec=/home/me/.cargo/bin/heapsift\n"), "{e}");
    }

    #[test]
    fn reserved_characters_are_quoted_and_escaped() {
        assert_eq!(exec_argument("/opt/my apps/heapsift"), r#""/opt/my apps/heapsift""#);
        assert_eq!(exec_argument("/opt/100%/heapsift"), "/opt/100%%/heapsift");
        // A `$` and a backslash: quoting escapes both, then the string escape doubles the backslashes.
        let e = desktop_entry(Path::new(r"/opt/$x\y/heapsift")).unwrap();
        assert!(e.contains(r#"Exec="/opt/\\$x\\\\y/heapsift" %F"#), "{e}");
        assert!(e.contains(r"TryExec=/opt/$x\\y/heapsift"), "{e}");
        assert!(desktop_entry(Path::new("/opt/a\nb")).is_err());
    }
}
