//! The app shell: one window with a menu, tabs (snapshots, the leak wizard, Growth), a status
//! bar, the live panel and the page in the middle. This module holds the app's state and its
//! frame; `commands.rs` carries out every `AppCommand` in one match, `menu.rs` draws the menu
//! and tabs, `page.rs` the central page, `windows.rs` the dialogs, `navigation.rs` Back and
//! Forward, `options.rs` how the app starts and what it saves.

mod batch;
mod commands;
mod menu;
mod navigation;
pub mod options;
mod page;
mod settings;
mod windows;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicI32;

use egui::Ui;

use navigation::Nav;
pub use navigation::{Location, Page};
pub(crate) use options::Settings;
pub use options::{Options, Theme, run};

use super::command::AppCommand;
use super::doc::{Doc, DocId, DocState, View};
use super::growth::GrowthState;
use super::live::LiveUi;
use super::screenshot;
use super::wizard::WizardState;
use crate::engine::sets::Sets;
use crate::engine::task::Waker;

pub struct HeapsiftApp {
    pub(crate) docs: Vec<Doc>,
    /// Which open snapshots come from one process.
    pub(crate) sets: Sets<DocId>,
    pub(crate) nav: Nav,
    pub(crate) active: usize,
    pub(crate) page: Page,
    pub(crate) wizard: Option<WizardState>,
    pub(crate) growth: Option<GrowthState>,
    /// The sampling heap profile opened last.
    pub(crate) profile: Option<crate::ui::profile::ProfileState>,
    pub(crate) settings: Settings,
    /// Where settings are kept, shared with other instances.
    store: settings::Store,
    /// `--size`, applied on the first frame: eframe restores the last window's size over the
    /// one it is given.
    size: Option<egui::Vec2>,
    pub(crate) live: LiveUi,
    /// What the user and the pages asked for this frame, carried out after it.
    commands: Vec<AppCommand>,
    waker: Waker,
    pub(crate) path_field: String,
    /// The path field's completions, for the text they were listed for.
    pub(crate) completions: (String, Vec<String>),
    pub(crate) open_window: bool,
    /// The path field takes the keyboard focus when the window opens.
    pub(crate) focus_path: bool,
    pub(crate) focus_filter: bool,
    pub(crate) dialog: Option<std::sync::mpsc::Receiver<Vec<PathBuf>>>,
    /// What the dialog and the path window open fills the wizard's slots.
    pub(crate) open_for_wizard: bool,
    /// The snapshots one open action brought, until they are indexed.
    pub(crate) batch: Option<Batch>,
    /// Three snapshots of one process just opened: the wizard is one click away.
    pub(crate) wizard_offer: Option<[DocId; 3]>,
    pub(crate) save_shot: Option<windows::SaveShot>,
    pub(crate) plan: Option<screenshot::Plan>,
    pub(crate) pending_shot: Option<screenshot::Pending>,
    pub(crate) status: Option<Status>,
    /// Process exit code for `--screenshot` runs.
    pub(crate) exit_code: Arc<AtomicI32>,
    /// Height of the menu and tab bar in the last frame.
    pub(crate) top_height: f32,
    /// Width of the window in the last frame, and a counter bumped when it changes: side
    /// panels start again from their default width (a panel squeezed by a small window must
    /// not stay narrow when the window grows again).
    pub(crate) last_width: f32,
    pub(crate) panel_epoch: u32,
    /// With `--theme`: (that theme, the saved one); the saved one is kept unless the user
    /// picks another theme during the run.
    run_theme: Option<(Theme, Theme)>,
}

/// The snapshots one open action brought (see `open_batch`).
pub(crate) struct Batch {
    pub(super) ids: Vec<DocId>,
    pub(super) for_wizard: bool,
}

/// A message in the status bar; it goes away after a while.
pub(crate) struct Status {
    text: String,
    at: std::time::Instant,
}

pub(crate) const STATUS_SECONDS: u64 = 8;

/// A status message shown from now on (until it expires).
pub(crate) fn status(text: impl Into<String>) -> Option<Status> {
    Some(Status {
        text: text.into(),
        at: std::time::Instant::now(),
    })
}

impl HeapsiftApp {
    pub fn new(ctx: &egui::Context, storage: Option<&dyn eframe::Storage>, options: Options) -> HeapsiftApp {
        let legacy: Option<Settings> = storage.and_then(|s| eframe::get_value(s, eframe::APP_KEY));
        let (store, mut settings) = settings::Store::open(options.settings_file.clone(), legacy);
        let saved_theme = settings.theme;
        if let Some(t) = options.theme {
            settings.theme = t;
        }
        let c = ctx.clone();
        let waker: Waker = Arc::new(move || c.request_repaint());
        let mut app = HeapsiftApp {
            docs: Vec::new(),
            sets: Sets::default(),
            nav: Nav::default(),
            active: 0,
            page: Page::Snapshot,
            wizard: None,
            growth: None,
            profile: None,
            live: LiveUi::new(
                settings
                    .snapshot_folder
                    .clone()
                    .unwrap_or_else(options::default_snapshot_folder),
            ),
            commands: Vec::new(),
            settings,
            waker: waker.clone(),
            path_field: String::new(),
            completions: Default::default(),
            open_window: false,
            focus_path: false,
            focus_filter: false,
            dialog: None,
            open_for_wizard: false,
            batch: None,
            wizard_offer: None,
            save_shot: None,
            plan: None,
            pending_shot: None,
            status: None,
            exit_code: Arc::new(AtomicI32::new(0)),
            top_height: 0.0,
            last_width: 0.0,
            panel_epoch: 0,
            run_theme: options.theme.map(|t| (t, saved_theme)),
            store,
            size: options.size.map(egui::Vec2::from),
        };
        app.apply_theme(ctx);
        // Rows are clicked to select; labels inside them must not swallow the click for text
        // selection.
        ctx.all_styles_mut(|s| {
            s.interaction.selectable_labels = false;
            // Scroll bars take their own room instead of floating over the last number column.
            s.spacing.scroll = egui::style::ScrollStyle::solid();
        });
        let opened: Vec<DocId> = {
            app.open_batch(options.files, options.wizard);
            app.docs.iter().map(|d| d.id).collect()
        };
        if let Some(how) = options.connect {
            app.live.connect(how, &waker);
        }
        if options.wizard {
            app.open_wizard();
            // As given for now; once indexed, in the order they were taken.
            if let Some(w) = &mut app.wizard {
                for (i, id) in opened.iter().take(3).enumerate() {
                    w.picks[i] = Some(*id);
                }
            }
        }
        if options.growth {
            app.growth = Some(GrowthState::default());
            app.page = Page::Growth;
        }
        if let Some(q) = &options.query {
            for d in &mut app.docs {
                d.pending_query = Some(q.clone());
            }
        }
        if options.screenshot.is_some() || options.export_finding.is_some() {
            app.plan = Some(screenshot::Plan {
                out: options.screenshot,
                export: options.export_finding,
                view: options.view.unwrap_or(View::Summary),
                select: options.select,
                stage: screenshot::Stage::Loading,
                quiet_frames: 0,
            });
        } else if let Some(v) = options.view {
            for d in &mut app.docs {
                d.view = v;
            }
        }
        app
    }

    /// Moves finished background work into place, in every tab and page.
    fn poll(&mut self, ctx: &egui::Context) {
        for d in &mut self.docs {
            d.poll(&self.waker);
            // A file that fails to open leaves Recent (here and in the shared settings).
            if let (DocState::Failed(_), crate::engine::Source::File(p), false) = (&d.state, &d.source, d.failure_noted)
            {
                d.failure_noted = true;
                self.settings.recent.retain(|x| x != p);
                self.store.failed(p);
            }
            if !d.notes.is_empty() {
                let notes: Vec<String> = d.notes.drain(..).collect();
                self.status = status(format!("{}: {}", d.title(), notes.join("; ")));
            }
            if let Some(t) = &d.copy_task
                && let Some(r) = t.get()
            {
                match r {
                    Ok(text) => {
                        ctx.copy_text(text.clone());
                        self.status = status(format!("Copied the path ({} lines)", text.lines().count()));
                    }
                    Err(e) => self.status = status(format!("Could not copy the path: {e}")),
                }
                d.copy_task = None;
            }
        }
        self.sync_sets();
        self.settle_batch();
        if let Some(w) = &mut self.wizard {
            w.poll(&self.docs, &self.sets, &self.waker);
        }
        if let Some(g) = &mut self.growth {
            g.poll(&self.docs, &self.sets, &self.waker);
        }
        if let Some(rx) = &self.dialog
            && let Ok(files) = rx.try_recv()
        {
            self.dialog = None;
            if !files.is_empty() {
                self.open_window = false;
            }
            self.open_batch(files, self.open_for_wizard);
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).collect());
        if !dropped.is_empty() {
            self.open_batch(dropped, self.page == Page::Wizard);
        }
        if let Some(p) = &self.pending_shot
            && let Some(img) = p.take()
        {
            self.pending_shot = None;
            if self.plan.is_some() {
                self.finish_plan(ctx, &img);
            } else {
                let name = self
                    .docs
                    .get(self.active)
                    .map(|d| d.title().replace(".heapsnapshot", "").replace(" (demo)", ""))
                    .unwrap_or_else(|| "heapsift".into());
                let dir = std::env::current_dir().unwrap_or_default();
                self.save_shot = Some(windows::SaveShot {
                    image: img,
                    path: dir.join(format!("{name}.png")).display().to_string(),
                    error: None,
                    focus: true,
                });
                self.status = None;
            }
        }
        self.drive_plan(ctx);
    }

    /// Snapshots join their set once loaded (again after a reload) and leave it when closed.
    fn sync_sets(&mut self) {
        let docs = &self.docs;
        self.sets
            .retain(|id| docs.iter().any(|d| d.id == id && d.snapshot().is_some()));
        for d in docs {
            if let (Some(print), Some(_)) = (&d.print, d.snapshot())
                && !self.sets.print(d.id).is_some_and(|p| Arc::ptr_eq(p, print))
            {
                self.sets.add(d.id, print.clone());
            }
        }
    }

    /// What the live connection reported becomes commands; its folder is remembered.
    fn handle_live(&mut self) {
        let events = self.live.poll();
        self.commands.extend(events);
        let folder = PathBuf::from(self.live.folder.trim());
        if !folder.as_os_str().is_empty() {
            self.settings.snapshot_folder = Some(folder);
        }
    }

    /// Queues a command, carried out after this frame's drawing.
    pub(crate) fn send(&mut self, command: AppCommand) {
        self.commands.push(command);
    }

    // Read-only views of the app's state, for tests and the batch runs.

    pub fn docs(&self) -> &[Doc] {
        &self.docs
    }

    /// The tabs, for tests that act in them as a user would (select, clear a field).
    /// Which open snapshots come from one process.
    pub fn sets(&self) -> &Sets<DocId> {
        &self.sets
    }

    pub fn docs_mut(&mut self) -> &mut [Doc] {
        &mut self.docs
    }

    /// Shows tab `i`, as clicking it does.
    pub fn show_tab(&mut self, i: usize) {
        if i < self.docs.len() {
            self.active = i;
            self.page = Page::Snapshot;
        }
    }

    /// The position of the shown tab in [`HeapsiftApp::docs`].
    pub fn active(&self) -> usize {
        self.active
    }

    pub fn page(&self) -> Page {
        self.page
    }

    /// The wizard offered for three snapshots of one process just opened.
    pub fn wizard_offer(&self) -> Option<[DocId; 3]> {
        self.wizard_offer
    }

    pub fn wizard(&self) -> Option<&WizardState> {
        self.wizard.as_ref()
    }

    pub fn growth(&self) -> Option<&GrowthState> {
        self.growth.as_ref()
    }

    pub fn profile(&self) -> Option<&crate::ui::profile::ProfileState> {
        self.profile.as_ref()
    }

    pub fn live(&self) -> &LiveUi {
        &self.live
    }

    pub fn live_mut(&mut self) -> &mut LiveUi {
        &mut self.live
    }
}

impl eframe::App for HeapsiftApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        if let Some(size) = self.size.take() {
            ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(size));
        }
        self.poll(ctx);
        self.handle_live();
        self.shortcuts(ctx);
        self.run_commands(ctx);
        if let Some(after) = self.live.repaint_after() {
            ctx.request_repaint_after(after);
        }
        if self.docs.iter().any(|d| d.is_loading()) {
            // Progress bars move without input events.
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let width = ui.ctx().content_rect().width();
        if (width - self.last_width).abs() > 0.5 {
            self.last_width = width;
            self.panel_epoch = self.panel_epoch.wrapping_add(1);
        }
        let top = egui::Panel::top("menu").show(ui, |ui| {
            self.menu(ui);
            if !self.docs.is_empty() || self.wizard.is_some() || self.growth.is_some() || self.profile.is_some() {
                self.tabs(ui);
            }
        });
        // When the tabs wrap onto a new row (a resize, a new tab), everything below moves: draw
        // again at once instead of leaving the new row blank until the next input.
        let height = top.response.rect.height();
        if (height - self.top_height).abs() > 0.5 {
            self.top_height = height;
            ui.ctx().request_repaint();
        }
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        if self.live.monitor.is_some() {
            egui::Panel::right("live-panel")
                .resizable(true)
                .default_size(360.0)
                .min_size(page::SIDE_PANEL_MIN)
                .show(ui, |ui| super::live::panel(ui, &mut self.live));
        }
        egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        let ctx = ui.ctx().clone();
        self.windows(&ctx);
        self.run_commands(&ctx);
        let here = self.location();
        self.nav.record(here);
        let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
        if hovering {
            let screen = ctx.content_rect();
            let painter = ctx.layer_painter(egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("drop")));
            painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(160));
            painter.text(
                screen.center(),
                egui::Align2::CENTER_CENTER,
                "Drop to open",
                egui::FontId::proportional(28.0),
                egui::Color32::WHITE,
            );
        }
    }

    fn raw_input_hook(&mut self, ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        menu::swallow_closing_click(ctx, raw_input);
        // A --screenshot run must not show hover highlights where the pointer happens to be.
        if self.plan.is_some() {
            raw_input.events.retain(|e| !matches!(e, egui::Event::PointerMoved(_)));
            raw_input.events.push(egui::Event::PointerGone);
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Some(live) = self.live.monitor.take() {
            live.shutdown(std::time::Duration::from_secs(3));
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        // A --screenshot run is a batch job: it leaves the user's settings alone.
        if self.plan.is_none() {
            let mut settings = self.settings.clone();
            // A theme given on the command line is for this run only.
            if let Some((given, saved)) = self.run_theme
                && self.settings.theme == given
            {
                settings.theme = saved;
            }
            let _ = storage;
            match self.store.save(&settings) {
                // What other windows opened meanwhile shows up in this one's Recent too.
                Ok(merged) => self.settings.recent = merged.recent,
                Err(e) => self.status = status(format!("Settings not saved: {e}")),
            }
        }
    }

    /// Scroll offsets and expanded states belong to one snapshot; restoring them on another
    /// file would land the user in the middle of an unrelated table.
    fn persist_egui_memory(&self) -> bool {
        false
    }
}
