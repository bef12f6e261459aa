//! Every `AppCommand`, carried out in one match; the keyboard shortcuts that send them; and
//! the app's actions they use (open, close, reveal).

use std::path::PathBuf;

use super::options::{DEMO, MAX_RECENT};
use super::{Batch, HeapsiftApp, Page, status};
use crate::engine::{Source, snapshot_files};
use crate::ui::command::AppCommand;
use crate::ui::command::Purpose;
use crate::ui::doc::{Doc, DocId, DocState, View};
use crate::ui::growth::GrowthState;
use crate::ui::tree::Action;
use crate::ui::wizard::WizardState;

impl HeapsiftApp {
    /// Carries out the commands queued this frame.
    pub(super) fn run_commands(&mut self, ctx: &egui::Context) {
        while !self.commands.is_empty() {
            for command in std::mem::take(&mut self.commands) {
                self.handle(command, ctx);
            }
        }
    }

    fn handle(&mut self, command: AppCommand, ctx: &egui::Context) {
        match command {
            AppCommand::Open => self.open_dialog(false),
            AppCommand::OpenPath => {
                self.open_for_wizard = false;
                self.show_open_window();
            }
            AppCommand::OpenFile(p) => self.open(Source::File(p)),
            AppCommand::OpenFolder(dir) => {
                if self.open_batch(vec![dir], false) > 0 {
                    self.page = Page::Growth;
                }
            }
            AppCommand::OpenForWizard => self.open_dialog(true),
            AppCommand::WizardOn(ids) => {
                self.open_wizard();
                if let Some(w) = &mut self.wizard {
                    w.picks = ids.map(Some);
                }
                self.wizard_offer = None;
            }
            AppCommand::OpenDemo => {
                self.open_demo();
            }
            // The demo ends where the leak is: the wizard's result on the three demo snapshots.
            AppCommand::TryDemo => {
                self.open_wizard();
                self.handle(AppCommand::WizardDemo, ctx);
            }
            AppCommand::WizardDemo => {
                let ids = self.open_demo();
                if let Some(w) = &mut self.wizard {
                    for (i, id) in ids.into_iter().enumerate().take(3) {
                        w.picks[i] = Some(id);
                    }
                }
                self.page = Page::Wizard;
            }
            AppCommand::Connect => {
                self.live.window = true;
                self.live.processes = crate::capture::process::node_processes();
            }
            AppCommand::SaveScreenshot => self.pending_shot = Some(crate::ui::screenshot::Pending::request(ctx)),
            AppCommand::CloseSnapshot => {
                if !self.docs.is_empty() {
                    self.close(self.active);
                }
            }
            AppCommand::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            AppCommand::LeakWizard => self.open_wizard(),
            AppCommand::Growth => self.open_growth(),
            AppCommand::Back => self.back(),
            AppCommand::Forward => self.forward(),
            AppCommand::FindClass => {
                if let Some(d) = self.docs.get_mut(self.active) {
                    d.view = View::Summary;
                    self.focus_filter = true;
                }
            }
            AppCommand::ToggleTheme => {
                let dark = ctx.theme() == egui::Theme::Dark;
                self.settings.theme = if dark { super::Theme::Light } else { super::Theme::Dark };
                self.apply_theme(ctx);
            }
            AppCommand::Capture(purpose) => self.live.snapshot(purpose),
            AppCommand::StartTracking => self.live.start_tracking(),
            AppCommand::StopTracking(purpose) => self.live.stop_tracking(purpose),
            AppCommand::Object { doc, action } => self.doc_action(doc, action),
            AppCommand::Reveal { doc, node } => self.reveal(doc, node),
            AppCommand::Status(text) => self.status = status(text),
            AppCommand::Captured(path, purpose) => {
                // A sampling heap profile opens on its own page (`open` shows it).
                if crate::ui::profile::is_heap_profile(&path) {
                    self.open(Source::File(path));
                    return;
                }
                self.open(Source::File(path));
                let id = self.docs.last().map(|d| d.id);
                match purpose {
                    Purpose::Open => self.page = Page::Snapshot,
                    Purpose::Wizard(i) => {
                        if let Some(w) = &mut self.wizard {
                            w.picks[i] = id;
                        }
                    }
                    // New snapshots join the Growth series by themselves.
                    Purpose::Series => {}
                }
            }
        }
    }

    /// The keyboard shortcuts, consumed before the tables see them as their own keys (Alt+← is
    /// Back, not collapse); the mouse's back and forward buttons; Escape.
    pub(super) fn shortcuts(&mut self, ctx: &egui::Context) {
        for command in AppCommand::WITH_SHORTCUTS {
            if let Some(s) = command.shortcut()
                && ctx.input_mut(|i| i.consume_shortcut(&s))
            {
                self.send(command);
            }
        }
        if ctx.input(|i| i.pointer.button_pressed(egui::PointerButton::Extra1)) {
            self.send(AppCommand::Back);
        }
        if ctx.input(|i| i.pointer.button_pressed(egui::PointerButton::Extra2)) {
            self.send(AppCommand::Forward);
        }
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) && !ctx.egui_wants_keyboard_input() {
            if self.open_window || self.save_shot.is_some() {
                if self.save_shot.take().is_some() {
                    self.status = status("Screenshot not saved");
                }
                self.open_window = false;
            } else if self.page == Page::Snapshot
                && let Some(d) = self.docs.get_mut(self.active)
            {
                d.object = None;
            }
        }
    }

    pub fn open(&mut self, source: Source) {
        // One name per file, so that Recent and the settings of other windows agree on it.
        let source = match source {
            Source::File(p) => Source::File(std::fs::canonicalize(&p).unwrap_or(p)),
            other => other,
        };
        // A sampling heap profile opens on its own page.
        if let Source::File(p) = &source
            && crate::ui::profile::is_heap_profile(p)
        {
            self.profile = Some(crate::ui::profile::ProfileState::open(p.clone(), &self.waker));
            self.page = Page::Profile;
            return;
        }
        if let Source::File(p) = &source {
            self.settings.recent.retain(|x| x != p);
            self.settings.recent.insert(0, p.clone());
            self.settings.recent.truncate(MAX_RECENT);
            self.store.opened(p);
        }
        self.docs.push(Doc::open(source, self.waker.clone()));
        self.active = self.docs.len() - 1;
        self.relabel();
    }

    /// Opens what one action brought (a dialog's choice, a drop, typed paths, the command line),
    /// a folder standing for the snapshots in it; returns how many snapshots it opened. Once
    /// they are indexed, `settle_batch` fills the wizard's slots with them (`for_wizard`) or,
    /// for three of one process, offers the wizard.
    pub(crate) fn open_batch(&mut self, paths: Vec<PathBuf>, for_wizard: bool) -> usize {
        let mut ids = Vec::new();
        for p in paths {
            let files = if p.is_dir() {
                match snapshot_files(&p) {
                    Ok(files) if !files.is_empty() => files,
                    Ok(_) => {
                        self.status = status(format!("No .heapsnapshot files in {}", p.display()));
                        continue;
                    }
                    Err(e) => {
                        self.status = status(format!("{}: {e}", p.display()));
                        continue;
                    }
                }
            } else {
                vec![p]
            };
            for f in files {
                self.open(Source::File(f));
                ids.extend(self.docs.last().map(|d| d.id));
            }
        }
        let n = ids.len();
        if n > 0 {
            self.batch = Some(Batch { ids, for_wizard });
            self.wizard_offer = None;
        }
        n
    }

    /// A batch whose snapshots are all indexed: into the wizard's slots in the order they were
    /// taken, or, for three of one process, the offer of the wizard.
    pub(super) fn settle_batch(&mut self) {
        let Some(batch) = &self.batch else { return };
        let docs = &self.docs;
        let open: Vec<DocId> = batch
            .ids
            .iter()
            .copied()
            .filter(|id| docs.iter().any(|d| d.id == *id))
            .collect();
        if open.iter().any(|id| docs.iter().any(|d| d.id == *id && d.is_loading())) {
            return;
        }
        let for_wizard = batch.for_wizard;
        self.batch = None;
        // The batch's snapshots by process, each in the order taken.
        let by_set: Vec<Vec<DocId>> = self
            .sets
            .sets()
            .into_iter()
            .map(|set| {
                self.sets
                    .members(set)
                    .into_iter()
                    .filter(|m| open.contains(m))
                    .collect::<Vec<_>>()
            })
            .filter(|v| !v.is_empty())
            .collect();
        let three = by_set.iter().find(|v| v.len() >= 3).map(|v| [v[0], v[1], v[2]]);
        if for_wizard {
            let Some(w) = &mut self.wizard else { return };
            match three {
                Some(t) => w.picks = t.map(Some),
                None => {
                    let mut next = by_set.into_iter().flatten();
                    for slot in w.picks.iter_mut().filter(|p| p.is_none()) {
                        *slot = next.next();
                    }
                }
            }
            self.page = Page::Wizard;
        } else if open.len() == 3 {
            self.wizard_offer = three;
        }
    }

    /// Names every tab so that two open files of one name differ (by their folders).
    fn relabel(&mut self) {
        let paths: Vec<std::path::PathBuf> = self
            .docs
            .iter()
            .map(|d| match &d.source {
                Source::File(p) => std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()),
                Source::Embedded(..) => d.source.path(),
            })
            .collect();
        for (d, label) in self.docs.iter_mut().zip(crate::present::files::labels(&paths)) {
            d.label = label;
        }
    }

    /// Opens the demo snapshots (once) and returns their tabs.
    fn open_demo(&mut self) -> Vec<DocId> {
        DEMO.iter()
            .map(|&(name, bytes)| {
                let open = self
                    .docs
                    .iter()
                    .position(|d| matches!(d.source, Source::Embedded(n, _) if n == name));
                match open {
                    Some(i) => self.active = i,
                    None => self.open(Source::Embedded(name, bytes)),
                }
                self.docs[self.active].id
            })
            .collect()
    }

    pub fn open_growth(&mut self) {
        if self.growth.is_none() {
            let active = self.docs.get(self.active).map(|d| d.id);
            self.growth = Some(GrowthState::for_doc(&self.sets, active));
        }
        self.page = Page::Growth;
    }

    pub(super) fn open_wizard(&mut self) {
        self.wizard.get_or_insert_with(WizardState::default);
        self.page = Page::Wizard;
    }

    /// A row action on an object of another page's snapshot (Growth, wizard): a click shows it
    /// with its retainers; the context-menu commands act in its tab.
    fn doc_action(&mut self, doc: DocId, action: Action) {
        let waker = self.waker.clone();
        match action {
            Action::Select(v) => self.reveal(doc, v),
            Action::CopyPath(v) => {
                if let Some(d) = self.docs.iter_mut().find(|d| d.id == doc) {
                    d.copy_path(v, &waker);
                }
            }
            other => {
                if let Some(i) = self.docs.iter().position(|d| d.id == doc) {
                    self.active = i;
                    self.page = Page::Snapshot;
                    self.docs[i].object_action(other, &waker);
                }
            }
        }
    }

    /// Shows an object of an open snapshot with its retainers.
    fn reveal(&mut self, doc: DocId, node: crate::model::NodeId) {
        if let Some(i) = self.docs.iter().position(|d| d.id == doc) {
            self.active = i;
            self.page = Page::Snapshot;
            let waker = self.waker.clone();
            let d = &mut self.docs[i];
            d.view = View::Retainers;
            d.select(node, &waker);
            d.reveal_in_summary(node, &waker);
        }
    }

    pub(super) fn apply_theme(&self, ctx: &egui::Context) {
        ctx.set_theme(match self.settings.theme {
            super::Theme::System => egui::ThemePreference::System,
            super::Theme::Light => egui::ThemePreference::Light,
            super::Theme::Dark => egui::ThemePreference::Dark,
        });
    }

    /// Opens the native file dialog on a helper thread, so the UI keeps drawing; what it gives
    /// fills the wizard's slots when `for_wizard`.
    fn open_dialog(&mut self, for_wizard: bool) {
        let (tx, rx) = std::sync::mpsc::channel();
        let waker = self.waker.clone();
        let started = std::thread::Builder::new().name("file dialog".into()).spawn(move || {
            let files: Vec<PathBuf> = rfd::FileDialog::new()
                .set_title("Open heap snapshots")
                .add_filter("Heap snapshots", &["heapsnapshot", "heaptimeline", "gz", "json"])
                .add_filter("Sampling heap profiles", &["heapprofile"])
                .add_filter("All files", &["*"])
                .pick_files()
                .unwrap_or_default();
            let _ = tx.send(files);
            waker();
        });
        if started.is_ok() {
            self.dialog = Some(rx);
        }
        self.open_for_wizard = for_wizard;
        // The path field works everywhere, including where no native dialog exists.
        self.show_open_window();
    }

    fn show_open_window(&mut self) {
        if !self.open_window {
            self.path_field.clear();
            self.focus_path = true;
        }
        self.open_window = true;
    }

    pub(super) fn close(&mut self, i: usize) {
        if i < self.docs.len() {
            if let DocState::Loading(job) = &self.docs[i].state {
                job.progress.cancel();
            }
            self.docs.remove(i);
            self.active = self.active.min(self.docs.len().saturating_sub(1));
            self.relabel();
        }
    }
}
