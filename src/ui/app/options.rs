//! How the app starts and what it keeps between runs: its command-line options, the settings
//! it saves (recent files, theme, snapshot folder), the built-in demo and the window.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use serde::{Deserialize, Serialize};

use super::HeapsiftApp;
use crate::ui::doc::View;

/// The built-in demo: the sample leak set, three snapshots of one page.
pub(crate) const DEMO: [(&str, &[u8]); 3] = [
    (
        "leak-s1.heapsnapshot (demo)",
        include_bytes!("../../../sample-snapshots/leak-s1.heapsnapshot"),
    ),
    (
        "leak-s2.heapsnapshot (demo)",
        include_bytes!("../../../sample-snapshots/leak-s2.heapsnapshot"),
    ),
    (
        "leak-s3.heapsnapshot (demo)",
        include_bytes!("../../../sample-snapshots/leak-s3.heapsnapshot"),
    ),
];

pub(crate) const MAX_RECENT: usize = 10;

#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, Debug)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// Everything that persists between runs.
#[derive(Serialize, Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct Settings {
    pub recent: Vec<PathBuf>,
    pub theme: Theme,
    /// Where live snapshots are saved.
    pub(crate) snapshot_folder: Option<PathBuf>,
}

/// How the app was started.
#[derive(Default)]
pub struct Options {
    pub files: Vec<PathBuf>,
    pub screenshot: Option<PathBuf>,
    pub view: Option<View>,
    pub select: Option<crate::model::ObjectId>,
    /// Limit each snapshot's Summary to the objects this query keeps once it is loaded.
    pub query: Option<String>,
    /// Open the leak wizard with the three files.
    pub wizard: bool,
    pub export_finding: Option<PathBuf>,
    /// Open the growth view over the files, in the order given.
    pub growth: bool,
    /// The window's inner size in points (default 1280 × 800).
    pub size: Option<[f32; 2]>,
    /// The theme for this run only (not saved).
    pub theme: Option<Theme>,
    /// Connect to a running process at start (`--connect`).
    pub connect: Option<crate::capture::Connect>,
    /// The settings file shared with other instances (`run` sets it); None leaves settings
    /// alone, as tests do.
    pub settings_file: Option<PathBuf>,
}

/// `~/heapsift-snapshots`, or `heapsift-snapshots` in the current folder without a home.
pub(super) fn default_snapshot_folder() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
        .join("heapsift-snapshots")
}

/// Runs the desktop app; returns the process exit code.
pub fn run(mut options: Options) -> i32 {
    // A screenshot or export run is a batch job: it neither reads nor writes the user's settings.
    if options.screenshot.is_none() && options.export_finding.is_none() {
        options.settings_file = super::settings::Store::default_file();
    }
    let icon = eframe::icon_data::from_png_bytes(include_bytes!("../../../assets/icon.png")).ok();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("heapsift")
        .with_app_id("heapsift")
        .with_inner_size(options.size.unwrap_or([1280.0, 800.0]))
        .with_min_inner_size([720.0, 480.0])
        .with_drag_and_drop(true);
    if let Some(icon) = icon {
        viewport = viewport.with_icon(icon);
    }
    let native = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        // Screenshot runs must not restore a previous window size or be affected by it.
        persist_window: options.screenshot.is_none() && options.size.is_none(),
        ..Default::default()
    };
    if no_display() {
        return no_window(NO_DISPLAY);
    }
    let exit = Arc::new(AtomicI32::new(0));
    let exit_for_app = exit.clone();
    let result = eframe::run_native(
        "heapsift",
        native,
        Box::new(move |cc| {
            let mut app = HeapsiftApp::new(&cc.egui_ctx, cc.storage, options);
            app.exit_code = exit_for_app;
            Ok(Box::new(app))
        }),
    );
    if let Err(e) = result {
        // winit's error names its own source file; the user needs the reason and a way on.
        return no_window(e.to_string().split(" at /").next().unwrap_or_default());
    }
    exit.load(Ordering::Relaxed)
}

const NO_DISPLAY: &str = "no display (DISPLAY and WAYLAND_DISPLAY are not set)";

/// One line on stderr that points to the command line, and exit code 2.
fn no_window(why: &str) -> i32 {
    eprintln!(
        "heapsift: cannot open a window: {why}; the command line needs none: heapsift summary FILE, heapsift leaks S1 S2 S3 (heapsift --help lists all)"
    );
    2
}

/// No display server to open a window on (Linux and the BSDs; elsewhere there always is one).
fn no_display() -> bool {
    cfg!(all(unix, not(target_os = "macos")))
        && ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"]
            .iter()
            .all(|v| std::env::var_os(v).is_none_or(|x| x.is_empty()))
}
