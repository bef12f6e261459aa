//! Everything the user or a page can ask the app to do, as one enum. The menus and shortcuts
//! draw on it (each command's label and shortcut are here), pages and views send it, and the
//! app carries it out in one `match` (`app/commands.rs`).

use std::path::PathBuf;

use egui::{Key, KeyboardShortcut, Modifiers};

use super::tree::Action;
use crate::model::NodeId;

/// A tab's identity while it is open (positions shift when tabs close).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct DocId(u64);

impl DocId {
    pub(crate) fn next() -> DocId {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        DocId(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// What a snapshot is for, once it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// "Take snapshot": open it as a tab.
    Open,
    /// The wizard's baseline (0), target (1) or final (2).
    Wizard(usize),
    /// One of the Growth page's timed series.
    Series,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AppCommand {
    /// The native file dialog, with a path field beside it.
    Open,
    /// The native file dialog (and the path field) for the leak wizard: what is opened fills
    /// its slots in the order taken.
    OpenForWizard,
    /// The leak wizard on three snapshots of one process.
    WizardOn([DocId; 3]),
    /// Only the path field.
    OpenPath,
    OpenFile(PathBuf),
    /// Every snapshot in a folder, oldest first, for the Growth page.
    OpenFolder(PathBuf),
    OpenDemo,
    /// The demo set in the leak wizard, ending on its result.
    TryDemo,
    /// The leak wizard's "Use the demo set": the demo snapshots picked as S1, S2, S3.
    WizardDemo,
    Connect,
    SaveScreenshot,
    CloseSnapshot,
    Quit,
    LeakWizard,
    Growth,
    Back,
    Forward,
    /// Ctrl+F: the Summary's class filter.
    FindClass,
    ToggleTheme,
    /// Connected: take a snapshot for this purpose (a wizard step).
    Capture(Purpose),
    /// Connected: start recording allocation stacks.
    StartTracking,
    /// Connected: stop recording; the snapshot V8 takes as it stops serves this purpose.
    StopTracking(Purpose),
    /// A row action on an object of a snapshot other than the shown one (Growth, wizard): a
    /// selection shows it with its retainers; the context-menu commands act in its tab.
    Object {
        doc: DocId,
        action: Action,
    },
    /// Shows an object of an open snapshot with its retainers.
    Reveal {
        doc: DocId,
        node: NodeId,
    },
    /// A line for the status bar.
    Status(String),
    /// The live connection saved a snapshot, taken for this purpose: open it.
    Captured(PathBuf, Purpose),
}

impl AppCommand {
    /// The commands with a keyboard shortcut.
    pub const WITH_SHORTCUTS: [AppCommand; 5] = [
        AppCommand::Open,
        AppCommand::FindClass,
        AppCommand::CloseSnapshot,
        AppCommand::Back,
        AppCommand::Forward,
    ];

    /// How menus and buttons name the command.
    pub fn label(&self) -> &'static str {
        match self {
            AppCommand::Open => "Open…",
            AppCommand::OpenPath => "Open path…",
            AppCommand::OpenForWizard => "Open snapshots…",
            AppCommand::WizardOn(_) => "Find leaks in them (leak wizard)",
            AppCommand::OpenFile(_) => "Open",
            AppCommand::OpenFolder(_) => "Open folder",
            AppCommand::OpenDemo => "Open the demo snapshots",
            AppCommand::TryDemo => "Try the demo",
            AppCommand::WizardDemo => "Use the demo set",
            AppCommand::Connect => "Connect to a process…",
            AppCommand::SaveScreenshot => "Save screenshot…",
            AppCommand::CloseSnapshot => "Close snapshot",
            AppCommand::Quit => "Quit",
            AppCommand::LeakWizard => "Leak wizard (three snapshots)…",
            AppCommand::Growth => "Growth across snapshots…",
            AppCommand::Back => "⬅",
            AppCommand::Forward => "➡",
            AppCommand::FindClass => "Find a class",
            AppCommand::ToggleTheme => "Switch between light and dark",
            AppCommand::Capture(_) => "Take a snapshot",
            AppCommand::StartTracking => "Record allocation stacks",
            AppCommand::StopTracking(_) => "Stop recording allocation stacks",
            AppCommand::Object { .. } => "Act on an object",
            AppCommand::Reveal { .. } => "Show the object",
            AppCommand::Status(_) => "Say",
            AppCommand::Captured(..) => "Open the snapshot taken",
        }
    }

    pub fn shortcut(&self) -> Option<KeyboardShortcut> {
        let (modifiers, key) = match self {
            AppCommand::Open => (Modifiers::COMMAND, Key::O),
            AppCommand::FindClass => (Modifiers::COMMAND, Key::F),
            AppCommand::CloseSnapshot => (Modifiers::COMMAND, Key::W),
            AppCommand::Back => (Modifiers::ALT, Key::ArrowLeft),
            AppCommand::Forward => (Modifiers::ALT, Key::ArrowRight),
            _ => return None,
        };
        Some(KeyboardShortcut::new(modifiers, key))
    }

    /// What the command does, where its label does not say it all.
    pub fn hover(&self) -> Option<&'static str> {
        match self {
            AppCommand::Connect => Some("A running Node process or Chromium page: watch its heap and take snapshots"),
            _ => None,
        }
    }

    /// The shortcut as menus and tooltips write it (`Ctrl+O`, `Alt+←`).
    pub fn shortcut_text(&self) -> Option<&'static str> {
        Some(match self {
            AppCommand::Open => "Ctrl+O",
            AppCommand::FindClass => "Ctrl+F",
            AppCommand::CloseSnapshot => "Ctrl+W",
            AppCommand::Back => "Alt+←",
            AppCommand::Forward => "Alt+→",
            _ => return None,
        })
    }
}

/// A menu entry or button for a command, with its shortcut and what it does on hover; true
/// when clicked.
pub(crate) fn button(ui: &mut egui::Ui, command: &AppCommand, enabled: bool) -> bool {
    let mut b = egui::Button::new(command.label());
    if let Some(s) = command.shortcut_text() {
        b = b.shortcut_text(s);
    }
    let r = ui.add_enabled(enabled, b);
    match command.hover() {
        Some(h) => r.on_hover_text(h).clicked(),
        None => r.clicked(),
    }
}
