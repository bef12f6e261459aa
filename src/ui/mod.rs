//! The desktop app (eframe/egui). This is the only module that uses egui: it drives the engine
//! through load jobs and background tasks and draws O(visible rows) per frame.

mod batch;
pub mod compare;
mod containment;
mod doc;
mod dominators;
mod duplicates;
pub mod growth;
pub(crate) mod live;
mod object;
pub(crate) mod screenshot;
mod statistics;
mod summary;
mod table;
pub mod tree;
mod welcome;
mod widgets;
pub(crate) mod wizard;

use crate::model::NodeId;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use egui::{RichText, Ui};
use serde::{Deserialize, Serialize};

pub use doc::View;
use doc::{Doc, DocState};

use crate::engine::Source;
use crate::engine::task::Waker;
use crate::text;

/// The built-in demo: the sample leak set, three snapshots of one page.
pub(crate) const DEMO: [(&str, &[u8]); 3] = [
    (
        "leak-s1.heapsnapshot (demo)",
        include_bytes!("../../sample-snapshots/leak-s1.heapsnapshot"),
    ),
    (
        "leak-s2.heapsnapshot (demo)",
        include_bytes!("../../sample-snapshots/leak-s2.heapsnapshot"),
    ),
    (
        "leak-s3.heapsnapshot (demo)",
        include_bytes!("../../sample-snapshots/leak-s3.heapsnapshot"),
    ),
];

const MAX_RECENT: usize = 10;

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
}

/// What the central area shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Page {
    #[default]
    Snapshot,
    Wizard,
    Growth,
}

/// Where the user is: the page, the snapshot tab, its view and its selected object.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Location {
    pub page: Page,
    pub doc: Option<u64>,
    pub view: View,
    pub node: Option<crate::model::NodeId>,
}

/// Back and Forward across selections and views, as a browser does.
#[derive(Default)]
pub(crate) struct Nav {
    entries: Vec<Location>,
    pos: usize,
}

const MAX_HISTORY: usize = 500;

impl Nav {
    /// Notes where the user is now; a new place drops the Forward entries.
    fn record(&mut self, here: Location) {
        if self.entries.get(self.pos) == Some(&here) {
            return;
        }
        if !self.entries.is_empty() {
            self.entries.truncate(self.pos + 1);
        }
        self.entries.push(here);
        if self.entries.len() > MAX_HISTORY {
            self.entries.remove(0);
        }
        self.pos = self.entries.len() - 1;
    }

    pub(crate) fn can_back(&self) -> bool {
        self.pos > 0
    }

    pub(crate) fn can_forward(&self) -> bool {
        self.pos + 1 < self.entries.len()
    }
}

pub struct HeapsiftApp {
    pub docs: Vec<Doc>,
    pub(crate) nav: Nav,
    pub active: usize,
    pub page: Page,
    pub wizard: Option<wizard::WizardState>,
    pub growth: Option<growth::GrowthState>,
    pub(crate) settings: Settings,
    pub live: live::LiveUi,
    waker: Waker,
    path_field: String,
    open_window: bool,
    /// The path field takes the keyboard focus when the window opens.
    focus_path: bool,
    focus_filter: bool,
    dialog: Option<std::sync::mpsc::Receiver<Vec<PathBuf>>>,
    save_shot: Option<SaveShot>,
    plan: Option<screenshot::Plan>,
    pending_shot: Option<screenshot::Pending>,
    status: Option<Status>,
    /// Process exit code for `--screenshot` runs.
    pub(crate) exit_code: Arc<AtomicI32>,
    /// Height of the menu and tab bar in the last frame.
    top_height: f32,
    /// Width of the window in the last frame, and a counter bumped when it changes: side
    /// panels start again from their default width (a panel squeezed by a small window must
    /// not stay narrow when the window grows again).
    last_width: f32,
    panel_epoch: u32,
    /// With `--theme`: (that theme, the saved one); the saved one is kept unless the user
    /// picks another theme during the run.
    run_theme: Option<(Theme, Theme)>,
}

/// A message in the status bar; it goes away after a while.
struct Status {
    text: String,
    at: std::time::Instant,
}

const STATUS_SECONDS: u64 = 8;

/// A status message shown from now on (until it expires).
fn status(text: impl Into<String>) -> Option<Status> {
    Some(Status {
        text: text.into(),
        at: std::time::Instant::now(),
    })
}

/// "Save screenshot…": the captured image and where to put it.
struct SaveShot {
    image: Arc<egui::ColorImage>,
    path: String,
    error: Option<String>,
    /// The path field takes the keyboard focus when the window opens.
    focus: bool,
}

impl HeapsiftApp {
    pub fn new(ctx: &egui::Context, storage: Option<&dyn eframe::Storage>, options: Options) -> HeapsiftApp {
        let mut settings: Settings = storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        let saved_theme = settings.theme;
        if let Some(t) = options.theme {
            settings.theme = t;
        }
        let c = ctx.clone();
        let waker: Waker = Arc::new(move || c.request_repaint());
        let mut app = HeapsiftApp {
            docs: Vec::new(),
            nav: Nav::default(),
            active: 0,
            page: Page::Snapshot,
            wizard: None,
            growth: None,
            live: live::LiveUi::new(settings.snapshot_folder.clone().unwrap_or_else(default_snapshot_folder)),
            settings,
            waker: waker.clone(),
            path_field: String::new(),
            open_window: false,
            focus_path: false,
            focus_filter: false,
            dialog: None,
            save_shot: None,
            plan: None,
            pending_shot: None,
            status: None,
            exit_code: Arc::new(AtomicI32::new(0)),
            top_height: 0.0,
            last_width: 0.0,
            panel_epoch: 0,
            run_theme: options.theme.map(|t| (t, saved_theme)),
        };
        app.apply_theme(ctx);
        // Rows are clicked to select; labels inside them must not swallow the click for text
        // selection.
        ctx.all_styles_mut(|s| {
            s.interaction.selectable_labels = false;
            // Scroll bars take their own room instead of floating over the last number column.
            s.spacing.scroll = egui::style::ScrollStyle::solid();
        });
        for f in options.files {
            app.open(Source::File(f));
        }
        if let Some(how) = options.connect {
            app.live.connect(how, &waker);
        }
        if options.wizard {
            app.open_wizard();
            if let Some(w) = &mut app.wizard {
                for (i, d) in app.docs.iter().take(3).enumerate() {
                    w.picks[i] = Some(d.uid);
                }
            }
        }
        if options.growth {
            app.growth = Some(growth::GrowthState {
                order: app.docs.iter().map(|d| d.uid).collect(),
                ..Default::default()
            });
            app.page = Page::Growth;
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

    /// Opens the "Save screenshot" window for a captured image (the menu's path after capture).
    pub fn offer_screenshot(&mut self, image: egui::ColorImage, path: PathBuf) {
        self.save_shot = Some(SaveShot {
            image: Arc::new(image),
            path: path.display().to_string(),
            error: None,
            focus: true,
        });
    }

    /// Where the user is now.
    pub fn location(&self) -> Location {
        match self.docs.get(self.active) {
            Some(d) if self.page == Page::Snapshot => Location {
                page: Page::Snapshot,
                doc: Some(d.uid),
                view: d.view,
                node: d.object.as_ref().map(|o| o.node),
            },
            _ => Location {
                page: self.page,
                doc: None,
                view: View::Summary,
                node: None,
            },
        }
    }

    /// Goes back to the previous place (selection, view, tab or page).
    pub fn back(&mut self) {
        while self.nav.can_back() {
            self.nav.pos -= 1;
            if self.go(self.nav.entries[self.nav.pos]) {
                return;
            }
        }
    }

    pub(crate) fn forward(&mut self) {
        while self.nav.can_forward() {
            self.nav.pos += 1;
            if self.go(self.nav.entries[self.nav.pos]) {
                return;
            }
        }
    }

    /// Shows a recorded place; false when it is gone (its tab was closed).
    fn go(&mut self, to: Location) -> bool {
        match to.page {
            Page::Wizard if self.wizard.is_some() => self.page = Page::Wizard,
            Page::Growth if self.growth.is_some() => self.page = Page::Growth,
            Page::Snapshot => {
                let Some(i) = self.docs.iter().position(|d| Some(d.uid) == to.doc) else {
                    return false;
                };
                self.page = Page::Snapshot;
                self.active = i;
                let waker = self.waker.clone();
                let d = &mut self.docs[i];
                d.view = to.view;
                match to.node {
                    Some(v) => d.select(v, &waker),
                    None => d.object = None,
                }
            }
            _ => return false,
        }
        true
    }

    pub fn open(&mut self, source: Source) {
        if let Source::File(p) = &source {
            let p = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
            self.settings.recent.retain(|x| x != &p);
            self.settings.recent.insert(0, p);
            self.settings.recent.truncate(MAX_RECENT);
        }
        self.docs.push(Doc::open(source, self.waker.clone()));
        self.active = self.docs.len() - 1;
    }

    /// Opens the demo snapshots (once) and returns their doc uids.
    pub(crate) fn open_demo(&mut self) -> Vec<u64> {
        DEMO.iter()
            .map(|&(name, bytes)| {
                match self
                    .docs
                    .iter()
                    .position(|d| matches!(d.source, Source::Embedded(n, _) if n == name))
                {
                    Some(i) => {
                        self.active = i;
                        self.docs[i].uid
                    }
                    None => {
                        self.open(Source::Embedded(name, bytes));
                        self.docs[self.active].uid
                    }
                }
            })
            .collect()
    }

    pub fn open_growth(&mut self) {
        if self.growth.is_none() {
            self.growth = Some(growth::GrowthState {
                order: growth::default_order(&self.docs),
                ..Default::default()
            });
        }
        self.page = Page::Growth;
    }

    fn handle_growth(&mut self, requests: Vec<growth::Request>) {
        for r in requests {
            match r {
                growth::Request::OpenDialog => self.open_dialog(),
                growth::Request::OpenFolder(dir) => match snapshot_files(&dir) {
                    Ok(files) if !files.is_empty() => {
                        for f in files {
                            self.open(Source::File(f));
                        }
                        self.page = Page::Growth;
                    }
                    Ok(_) => self.status = status(format!("No .heapsnapshot files in {}", dir.display())),
                    Err(e) => self.status = status(format!("{}: {e}", dir.display())),
                },
                growth::Request::Object { doc, action } => self.doc_action(doc, action),
            }
        }
    }

    /// A row action on an object of another page's snapshot (Growth, wizard): a click shows it
    /// with its retainers; the context-menu commands act in its tab.
    fn doc_action(&mut self, doc: u64, action: table::Action) {
        match action {
            table::Action::Select(v) => self.reveal(doc, v),
            table::Action::CopyPath(v) => {
                let waker = self.waker.clone();
                if let Some(d) = self.docs.iter_mut().find(|d| d.uid == doc) {
                    d.copy_path(v, &waker);
                }
            }
            other => {
                if let Some(i) = self.docs.iter().position(|d| d.uid == doc) {
                    self.active = i;
                    self.page = Page::Snapshot;
                    let waker = self.waker.clone();
                    self.docs[i].object_action(other, &waker);
                }
            }
        }
    }

    /// Shows an object of an open snapshot with its retainers.
    fn reveal(&mut self, doc: u64, node: NodeId) {
        if let Some(i) = self.docs.iter().position(|d| d.uid == doc) {
            self.active = i;
            self.page = Page::Snapshot;
            let waker = self.waker.clone();
            let d = &mut self.docs[i];
            d.view = View::Retainers;
            d.select(node, &waker);
            d.reveal_in_summary(node, &waker);
        }
    }

    pub(crate) fn open_wizard(&mut self) {
        self.wizard.get_or_insert_with(wizard::WizardState::default);
        self.page = Page::Wizard;
    }

    fn handle_wizard(&mut self, requests: Vec<wizard::Request>) {
        for r in requests {
            match r {
                wizard::Request::OpenDialog => self.open_dialog(),
                wizard::Request::Demo => {
                    let uids = self.open_demo();
                    if let Some(w) = &mut self.wizard {
                        for (i, u) in uids.into_iter().enumerate().take(3) {
                            w.picks[i] = Some(u);
                        }
                    }
                    self.page = Page::Wizard;
                }
                wizard::Request::Object { doc, action } => self.doc_action(doc, action),
                wizard::Request::Capture(i) => self.live.snapshot(live::Purpose::Wizard(i)),
            }
        }
    }

    fn apply_theme(&self, ctx: &egui::Context) {
        ctx.set_theme(match self.settings.theme {
            Theme::System => egui::ThemePreference::System,
            Theme::Light => egui::ThemePreference::Light,
            Theme::Dark => egui::ThemePreference::Dark,
        });
    }

    /// Opens the native file dialog on a helper thread, so the UI keeps drawing.
    fn open_dialog(&mut self) {
        let (tx, rx) = std::sync::mpsc::channel();
        let waker = self.waker.clone();
        let started = std::thread::Builder::new().name("file dialog".into()).spawn(move || {
            let files = rfd::FileDialog::new()
                .set_title("Open heap snapshots")
                .add_filter("Heap snapshots", &["heapsnapshot", "gz", "json"])
                .add_filter("All files", &["*"])
                .pick_files()
                .unwrap_or_default();
            let _ = tx.send(files);
            waker();
        });
        if started.is_ok() {
            self.dialog = Some(rx);
        }
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

    pub(crate) fn active_doc(&mut self) -> Option<&mut Doc> {
        self.docs.get_mut(self.active)
    }

    fn poll(&mut self, ctx: &egui::Context) {
        for d in &mut self.docs {
            d.poll(&self.waker);
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
        if let Some(w) = &mut self.wizard {
            w.poll(&self.docs, &self.waker);
        }
        if let Some(g) = &mut self.growth {
            g.poll(&self.docs, &self.waker);
        }
        if let Some(rx) = &self.dialog
            && let Ok(files) = rx.try_recv()
        {
            self.dialog = None;
            if !files.is_empty() {
                self.open_window = false;
            }
            for f in files {
                self.open(Source::File(f));
            }
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).collect());
        for f in dropped {
            self.open(Source::File(f));
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
                self.save_shot = Some(SaveShot {
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

    fn shortcuts(&mut self, ctx: &egui::Context) {
        use egui::{Key, KeyboardShortcut, Modifiers};
        let open = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
        let find = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);
        let close = KeyboardShortcut::new(Modifiers::COMMAND, Key::W);
        if ctx.input_mut(|i| i.consume_shortcut(&open)) {
            self.open_dialog();
        }
        if ctx.input_mut(|i| i.consume_shortcut(&find))
            && let Some(d) = self.active_doc()
        {
            d.view = View::Summary;
            self.focus_filter = true;
        }
        if ctx.input_mut(|i| i.consume_shortcut(&close)) && !self.docs.is_empty() {
            self.close(self.active);
        }
        // Consumed here, before the tables see them as collapse/expand keys.
        let back = ctx.input_mut(|i| {
            i.consume_key(Modifiers::ALT, Key::ArrowLeft) || i.pointer.button_pressed(egui::PointerButton::Extra1)
        });
        let forward = ctx.input_mut(|i| {
            i.consume_key(Modifiers::ALT, Key::ArrowRight) || i.pointer.button_pressed(egui::PointerButton::Extra2)
        });
        if back {
            self.back();
        }
        if forward {
            self.forward();
        }
        if ctx.input(|i| i.key_pressed(Key::Escape)) && !ctx.egui_wants_keyboard_input() {
            if self.open_window || self.save_shot.is_some() {
                if self.save_shot.take().is_some() {
                    self.status = status("Screenshot not saved");
                }
                self.open_window = false;
            } else if self.page == Page::Snapshot
                && let Some(d) = self.active_doc()
            {
                d.object = None;
            }
        }
    }

    fn close(&mut self, i: usize) {
        if i < self.docs.len() {
            if let DocState::Loading(job) = &self.docs[i].state {
                job.progress.cancel();
            }
            self.docs.remove(i);
            self.active = self.active.min(self.docs.len().saturating_sub(1));
        }
    }

    fn menu(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.add(egui::Button::new("Open…").shortcut_text("Ctrl+O")).clicked() {
                    self.open_dialog();
                    ui.close();
                }
                if ui.button("Open path…").clicked() {
                    self.show_open_window();
                    ui.close();
                }
                ui.menu_button("Open recent", |ui| {
                    if self.settings.recent.is_empty() {
                        ui.label(RichText::new("Nothing yet").weak());
                    }
                    for p in self.settings.recent.clone() {
                        if ui.button(p.display().to_string()).clicked() {
                            self.open(Source::File(p));
                            ui.close();
                        }
                    }
                });
                if ui.button("Open the demo snapshots").clicked() {
                    self.open_demo();
                    ui.close();
                }
                if ui
                    .button("Connect to a process…")
                    .on_hover_text("A running Node process or Chromium page: watch its heap and take snapshots")
                    .clicked()
                {
                    self.live.window = true;
                    self.live.processes = crate::capture::process::node_processes();
                    ui.close();
                }
                ui.separator();
                if ui
                    .add_enabled(!self.docs.is_empty(), egui::Button::new("Save screenshot…"))
                    .clicked()
                {
                    self.pending_shot = Some(screenshot::Pending::request(ui.ctx()));
                    ui.close();
                }
                if ui
                    .add_enabled(
                        !self.docs.is_empty(),
                        egui::Button::new("Close snapshot").shortcut_text("Ctrl+W"),
                    )
                    .clicked()
                {
                    self.close(self.active);
                    ui.close();
                }
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("Analyze", |ui| {
                if ui.button("Leak wizard (three snapshots)…").clicked() {
                    self.open_wizard();
                    ui.close();
                }
                if ui.button("Growth across snapshots…").clicked() {
                    self.open_growth();
                    ui.close();
                }
            });
            ui.separator();
            if ui
                .add_enabled(self.nav.can_back(), egui::Button::new("⬅"))
                .on_hover_text("Back (Alt+←)")
                .clicked()
            {
                self.back();
            }
            if ui
                .add_enabled(self.nav.can_forward(), egui::Button::new("➡"))
                .on_hover_text("Forward (Alt+→)")
                .clicked()
            {
                self.forward();
            }
            ui.separator();
            ui.menu_button("View", |ui| {
                let mut theme = self.settings.theme;
                ui.radio_value(&mut theme, Theme::System, "Follow the system theme");
                ui.radio_value(&mut theme, Theme::Light, "Light");
                ui.radio_value(&mut theme, Theme::Dark, "Dark");
                if theme != self.settings.theme {
                    self.settings.theme = theme;
                    self.apply_theme(ui.ctx());
                }
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let dark = ui.visuals().dark_mode;
                if ui
                    .button(if dark { "☀" } else { "🌙" })
                    .on_hover_text("Switch between light and dark")
                    .clicked()
                {
                    self.settings.theme = if dark { Theme::Light } else { Theme::Dark };
                    self.apply_theme(ui.ctx());
                }
            });
        });
    }

    fn tabs(&mut self, ui: &mut Ui) {
        let mut close = None;
        ui.horizontal_wrapped(|ui| {
            self.page_tabs(ui);
            for (i, d) in self.docs.iter().enumerate() {
                let label = match d.state {
                    DocState::Loading(_) => format!("⟳ {}", d.title()),
                    DocState::Failed(_) => format!("⚠ {}", d.title()),
                    DocState::Cancelled => format!("⏸ {}", d.title()),
                    DocState::Ready(_) => d.title(),
                };
                let active = self.page == Page::Snapshot && i == self.active;
                let mut text = RichText::new(label);
                // On the highlighted tab the theme's own text colour stays legible.
                if matches!(d.state, DocState::Failed(_)) && !active {
                    text = text.color(ui.visuals().error_fg_color);
                }
                if ui.selectable_label(active, text).clicked() {
                    self.active = i;
                    self.page = Page::Snapshot;
                }
                if ui.small_button("×").on_hover_text("Close").clicked() {
                    close = Some(i);
                }
                ui.add_space(6.0);
            }
        });
        if let Some(i) = close {
            self.close(i);
        }
    }

    fn page_tabs(&mut self, ui: &mut Ui) {
        if self.growth.is_some() && self.page_tab(ui, Page::Growth, "Growth") {
            self.growth = None;
        }
        if self.wizard.is_some() {
            ui.separator();
            if self.page_tab(ui, Page::Wizard, "Leak wizard") {
                self.wizard = None;
            }
        }
    }

    /// A tab for a page with a close button; returns true when it was closed.
    fn page_tab(&mut self, ui: &mut Ui, page: Page, label: &str) -> bool {
        if ui
            .selectable_label(self.page == page, RichText::new(label).strong())
            .clicked()
        {
            self.page = page;
        }
        let closed = ui.small_button("×").on_hover_text(format!("Close {label}")).clicked();
        if closed {
            self.page = Page::Snapshot;
        }
        closed
    }

    fn handle_live(&mut self) {
        for r in self.live.poll() {
            match r {
                live::Request::Status(text) => self.status = status(text),
                live::Request::Open(path, purpose) => {
                    self.open(Source::File(path));
                    let uid = self.docs.last().map(|d| d.uid);
                    match purpose {
                        live::Purpose::Open => self.page = Page::Snapshot,
                        live::Purpose::Wizard(i) => {
                            if let Some(w) = &mut self.wizard {
                                w.picks[i] = uid;
                            }
                        }
                        // New snapshots join the Growth series by themselves.
                        live::Purpose::Series => {}
                    }
                }
            }
        }
        let folder = PathBuf::from(self.live.folder.trim());
        if !folder.as_os_str().is_empty() {
            self.settings.snapshot_folder = Some(folder);
        }
    }

    fn windows(&mut self, ctx: &egui::Context) {
        live::connect_window(ctx, &mut self.live, &self.waker);
        // While the window is captured for an export, the dialog itself is not drawn.
        if let Some(w) = &mut self.wizard {
            wizard::export_window(ctx, w, &self.docs, &self.waker);
        }
        if self.open_window {
            let mut open = true;
            let mut chosen = None;
            egui::Window::new("Open a snapshot")
                .open(&mut open)
                .collapsible(false)
                .resizable(false)
                .default_width(480.0)
                .show(ctx, |ui| {
                    if self.dialog.is_some() {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.label("The file dialog is open…");
                        });
                    }
                    ui.label("Path to a .heapsnapshot (or .heapsnapshot.gz) file:");
                    let field = ui.add(
                        egui::TextEdit::singleline(&mut self.path_field)
                            .hint_text("/path/to/file.heapsnapshot")
                            .desired_width(440.0),
                    );
                    if std::mem::take(&mut self.focus_path) {
                        field.request_focus();
                    }
                    let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    if (ui.button("Open").clicked() || enter) && !self.path_field.trim().is_empty() {
                        chosen = Some(PathBuf::from(self.path_field.trim()));
                    }
                });
            if let Some(p) = chosen {
                self.open(Source::File(p));
                self.path_field.clear();
                open = false;
            }
            self.open_window = open;
        }
        if let Some(shot) = &mut self.save_shot {
            let mut open = true;
            let mut outcome: Option<Option<String>> = None;
            egui::Window::new("Save screenshot")
                .open(&mut open)
                .collapsible(false)
                .resizable(false)
                .show(ctx, |ui| {
                    let [w, h] = shot.image.size;
                    ui.label(format!("The window as it looked ({w} × {h}) will be saved as a PNG:"));
                    let field = ui.add(egui::TextEdit::singleline(&mut shot.path).desired_width(440.0));
                    if std::mem::take(&mut shot.focus) {
                        field.request_focus();
                    }
                    let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    if field.changed() {
                        // A warning about the old path says nothing about the new one.
                        shot.error = None;
                    }
                    if let Some(e) = &shot.error {
                        ui.colored_label(ui.visuals().error_fg_color, e);
                    }
                    ui.horizontal(|ui| {
                        if ui.button("Save").clicked() || enter {
                            let path = PathBuf::from(shot.path.trim());
                            if path.exists() && shot.error.as_deref() != Some(OVERWRITE) {
                                shot.error = Some(OVERWRITE.into());
                            } else {
                                match screenshot::save_png(&path, &shot.image) {
                                    Ok(()) => outcome = Some(Some(format!("Saved {}", path.display()))),
                                    Err(e) => shot.error = Some(e.to_string()),
                                }
                            }
                        }
                        if ui.button("Cancel").clicked() {
                            outcome = Some(None);
                        }
                    });
                });
            if !open && outcome.is_none() {
                outcome = Some(None);
            }
            if let Some(message) = outcome {
                self.status = status(message.unwrap_or_else(|| "Screenshot not saved".into()));
                self.save_shot = None;
            }
        }
    }

    fn after_not_open(&mut self, act: Option<bool>) {
        match act {
            Some(true) => {
                let waker = self.waker.clone();
                if let Some(d) = self.docs.get_mut(self.active) {
                    d.reload(&waker);
                }
            }
            Some(false) => self.close(self.active),
            None => {}
        }
    }

    fn central(&mut self, ui: &mut Ui) {
        let waker = self.waker.clone();
        if self.page == Page::Wizard
            && let Some(w) = &mut self.wizard
        {
            let info = wizard::LiveInfo {
                connected: self.live.connected(),
                busy: self.live.busy(),
                taking: [0, 1, 2].map(|i| self.live.taking(live::Purpose::Wizard(i))),
            };
            let requests = wizard::show(ui, w, &self.docs, info, &waker);
            self.handle_wizard(requests);
            return;
        }
        if self.page == Page::Growth
            && let Some(g) = &mut self.growth
        {
            live::series_bar(ui, &mut self.live);
            let requests = growth::show(ui, g, &self.docs, &waker);
            self.handle_growth(requests);
            return;
        }
        let focus_filter = std::mem::take(&mut self.focus_filter);
        let active_uid = self.docs.get(self.active).map(|d| d.uid);
        let candidates: Vec<compare::Candidate> = self
            .docs
            .iter()
            .filter(|d| Some(d.uid) != active_uid)
            .map(|d| compare::Candidate {
                uid: d.uid,
                title: d.title(),
                snapshot: d.snapshot().cloned(),
            })
            .collect();
        let Some(doc) = self.docs.get_mut(self.active) else {
            if let Some(choice) = welcome::show(ui, &self.settings.recent, &mut self.path_field) {
                match choice {
                    welcome::Choice::OpenDialog => self.open_dialog(),
                    welcome::Choice::OpenPath(p) => self.open(Source::File(p)),
                    // The demo ends where the leak is: the wizard's result on the three demo snapshots.
                    welcome::Choice::Demo => {
                        self.open_wizard();
                        self.handle_wizard(vec![wizard::Request::Demo]);
                    }
                    welcome::Choice::Wizard => self.open_wizard(),
                }
            }
            return;
        };
        match &doc.state {
            DocState::Loading(job) => {
                let view = job.progress.view();
                let name = doc.title();
                let cancel = ui
                    .vertical_centered(|ui| {
                        ui.add_space(30.0);
                        widgets::progress_card(ui, &name, view)
                    })
                    .inner;
                if cancel {
                    job.progress.cancel();
                }
                if let Some(p) = doc.partial.clone() {
                    ui.add_space(10.0);
                    partial_summary(ui, &p);
                }
            }
            DocState::Failed(e) => {
                let detail = RichText::new(format!("⚠ {e}")).color(ui.visuals().error_fg_color);
                let act = not_open_page(
                    ui,
                    "This snapshot could not be opened",
                    detail,
                    ("Retry", "Read the file again"),
                );
                self.after_not_open(act);
            }
            DocState::Cancelled => {
                let detail = RichText::new(format!("Indexing {} was cancelled; nothing was kept.", doc.title()));
                let act = not_open_page(ui, "Cancelled", detail, ("Reopen", "Index the file again"));
                self.after_not_open(act);
            }
            DocState::Ready(s) => {
                let s = s.clone();
                // Scroll positions and table states belong to one load of one snapshot.
                let epoch = self.panel_epoch;
                let reveal = ui
                    .push_id((doc.uid, doc.generation), |ui| {
                        ready(ui, doc, &s, &waker, focus_filter, &candidates, epoch)
                    })
                    .inner;
                let wants_open = doc
                    .comparison
                    .as_mut()
                    .is_some_and(|c| std::mem::take(&mut c.wants_open));
                if let Some((uid, node)) = reveal {
                    self.reveal(uid, node);
                }
                if wants_open {
                    self.open_dialog();
                }
            }
        }
    }
}

/// `~/heapsift-snapshots`, or `heapsift-snapshots` in the current folder without a home.
fn default_snapshot_folder() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
        .join("heapsift-snapshots")
}

/// The narrowest a side panel gets; on a small window it may then cover part of a name column.
const SIDE_PANEL_MIN: f32 = 200.0;

/// The page of a snapshot that is not open (failed or cancelled): what happened, a button to
/// load it again and Close. Returns Some(true) for the reload, Some(false) for Close.
fn not_open_page(ui: &mut Ui, heading: &str, detail: RichText, reload: (&str, &str)) -> Option<bool> {
    let mut act = None;
    ui.vertical_centered(|ui| {
        ui.add_space(40.0);
        ui.heading(heading);
        ui.add_space(8.0);
        egui::Frame::group(ui.style())
            .fill(ui.visuals().extreme_bg_color)
            .inner_margin(12.0)
            .show(ui, |ui| {
                ui.set_max_width(720.0);
                ui.add(egui::Label::new(detail).wrap());
            });
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            // Centered by hand: horizontal layouts start at the left.
            ui.add_space((ui.available_width() - 160.0).max(0.0) / 2.0);
            if ui.button(reload.0).on_hover_text(reload.1).clicked() {
                act = Some(true);
            }
            if ui.button("Close").clicked() {
                act = Some(false);
            }
        });
        ui.add_space(8.0);
        ui.label(RichText::new("Other open snapshots are not affected.").weak());
    });
    act
}

const OVERWRITE: &str = "That file exists. Click Save again to replace it.";

/// Counts and shallow sizes while retained sizes are still being computed.
fn partial_summary(ui: &mut Ui, p: &crate::analysis::PartialSummary) {
    ui.label(RichText::new(format!(
        "{} nodes, {} edges. Retained sizes and distances are still being computed.",
        text::thousands(p.node_count as u64),
        text::thousands(p.edge_count as u64)
    )));
    let (rows, total) = (&p.rows, p.total_shallow);
    table::tree_table(ui, "partial")
        .column(table::name_column())
        .columns(table::number_column(table::SIZE_WIDTH), 2)
        .header(widgets::ROW_HEIGHT + 4.0, |h| {
            table::header(h, &["Constructor", "Shallow Size", "Retained Size"])
        })
        .body(|body| {
            body.rows(widgets::ROW_HEIGHT, rows.len(), |mut row| {
                let r = &rows[row.index()];
                row.col(|ui| {
                    let job = widgets::job(
                        ui,
                        [
                            RichText::new(crate::text::preview(&r.name, 100)).color(widgets::class_color(ui)),
                            RichText::new(format!("×{}", text::thousands(r.count))).weak(),
                        ],
                    );
                    widgets::truncated(ui, job, None, true, egui::Sense::hover());
                });
                row.col(|ui| widgets::size_cell(ui, r.shallow_size as f64, total));
                row.col(widgets::pending_cell);
            });
        });
}

/// A loaded snapshot: view tabs, the view, and the selected object's panels.
fn ready(
    ui: &mut Ui,
    doc: &mut Doc,
    s: &Arc<crate::analysis::Snapshot>,
    waker: &Waker,
    focus_filter: bool,
    candidates: &[compare::Candidate],
    panel_epoch: u32,
) -> Option<(u64, NodeId)> {
    let mut reveal = None;
    if doc.view == View::Comparison
        && let Some(c) = &mut doc.comparison
        && c.base.is_none()
    {
        // The most recent snapshot taken before this one is the natural base.
        c.base = candidates
            .iter()
            .filter_map(|c| c.snapshot.as_ref().map(|x| (c.uid, x.max_js_object_id)))
            .filter(|&(_, m)| m < s.max_js_object_id)
            .max_by_key(|&(_, m)| m)
            .map(|(u, _)| u);
    }
    egui::Panel::top("view-tabs").show(ui, |ui| {
        ui.horizontal(|ui| {
            for v in View::ALL {
                if ui
                    .selectable_label(doc.view == v, RichText::new(v.label()).strong())
                    .clicked()
                {
                    doc.view = v;
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let load = match (doc.load_time, &doc.loaded_from) {
                    (Some(t), Some(crate::engine::LoadedFrom::Snapshot)) => {
                        format!(", indexed in {:.2} s", t.as_secs_f32())
                    }
                    (Some(t), Some(_)) => format!(", saved index read in {:.2} s", t.as_secs_f32()),
                    _ => String::new(),
                };
                // Cut rather than widen the window's content on a narrow window.
                ui.add(
                    egui::Label::new(
                        RichText::new(format!(
                            "{} nodes · {} edges · total {}{load}",
                            text::thousands(s.graph.node_count() as u64),
                            text::thousands(s.graph.edge_count() as u64),
                            text::bytes(s.total_size)
                        ))
                        .weak(),
                    )
                    .truncate(),
                );
            });
        });
    });
    match doc.view {
        View::Statistics => {
            egui::CentralPanel::default().show(ui, |ui| statistics::show(ui, s));
        }
        View::Retainers => {
            let width = ui.available_width();
            let room = (width - table::min_width(ui, &table::OBJECT_NUMBERS)).max(SIDE_PANEL_MIN);
            egui::Panel::right(("path-panel", panel_epoch))
                .resizable(true)
                // On a small window the retainer tree's deep rows need the width more.
                .default_size((width * 0.36).min(room).min((width - 700.0).max(SIDE_PANEL_MIN)))
                .min_size(SIDE_PANEL_MIN)
                .max_size(room)
                .show(ui, |ui| {
                    // Long lines end in "…" (full text on hover) instead of widening the panel.
                    egui::ScrollArea::vertical()
                        .id_salt("path-scroll")
                        .auto_shrink([false, false])
                        .show(ui, |ui| {
                            object::path_to_root(ui, doc, s, waker);
                            ui.separator();
                            object::inspector(ui, doc, s, waker);
                        });
                });
            egui::CentralPanel::default().show(ui, |ui| object::retainers(ui, doc, s, waker, true));
        }
        View::Summary | View::Dominators | View::Comparison | View::Duplicates | View::Containment | View::Detached => {
            // The object panels appear once an object is selected; until then tables get the width.
            if doc.object.is_some() {
                let width = ui.available_width();
                let numbers: &[f32] = if doc.view == View::Comparison {
                    &compare::NUMBERS
                } else {
                    &table::OBJECT_NUMBERS
                };
                // The panel never takes the room the table needs to show its number columns.
                let room = (width - table::min_width(ui, numbers)).max(SIDE_PANEL_MIN);
                egui::Panel::right(("inspector-panel", panel_epoch))
                    .resizable(true)
                    .default_size(380.0_f32.min(width * 0.4).min(room))
                    .min_size(SIDE_PANEL_MIN)
                    .max_size(room)
                    .show(ui, |ui| {
                        egui::ScrollArea::vertical()
                            .id_salt("inspector-scroll")
                            .auto_shrink([false, false])
                            .show(ui, |ui| {
                                // The path first: on a small window it is what must show.
                                object::path_to_root(ui, doc, s, waker);
                                ui.separator();
                                object::inspector(ui, doc, s, waker);
                            });
                    });
                let keys = doc.keys_to_panel;
                egui::Panel::bottom("retainers-panel")
                    .resizable(true)
                    .default_size(ui.available_height() * 0.38)
                    .show(ui, |ui| object::retainers(ui, doc, s, waker, keys));
            }
            egui::CentralPanel::default().show(ui, |ui| match doc.view {
                View::Summary => summary::show(ui, doc, s, waker, focus_filter, candidates),
                View::Comparison => reveal = compare::show(ui, doc, s, candidates, waker),
                View::Duplicates => duplicates::show(ui, doc, s, waker),
                View::Containment => containment::containment(ui, doc, s, waker),
                View::Detached => containment::detached(ui, doc, s, waker),
                _ => dominators::show(ui, doc, s, waker),
            });
        }
    }
    reveal
}

impl eframe::App for HeapsiftApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll(ctx);
        self.handle_live();
        if let Some(after) = self.live.repaint_after() {
            ctx.request_repaint_after(after);
        }
        self.shortcuts(ctx);
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
            if !self.docs.is_empty() || self.wizard.is_some() || self.growth.is_some() {
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
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                let age = self.status.as_ref().map(|s| s.at.elapsed());
                match (&self.status, age) {
                    (Some(s), Some(age)) if age.as_secs() < STATUS_SECONDS => {
                        ui.label(RichText::new(&s.text).weak());
                        ui.ctx()
                            .request_repaint_after(std::time::Duration::from_secs(STATUS_SECONDS) - age);
                    }
                    _ => {
                        ui.label(RichText::new("Drop .heapsnapshot files here to open them.").weak());
                    }
                }
            });
        });
        if self.live.live.is_some() {
            egui::Panel::right("live-panel")
                .resizable(true)
                .default_size(360.0)
                .min_size(SIDE_PANEL_MIN)
                .show(ui, |ui| live::panel(ui, &mut self.live));
        }
        egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        let here = self.location();
        self.nav.record(here);
        let ctx = ui.ctx().clone();
        self.windows(&ctx);
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

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        // A --screenshot run must not show hover highlights where the pointer happens to be.
        if self.plan.is_some() {
            raw_input.events.retain(|e| !matches!(e, egui::Event::PointerMoved(_)));
            raw_input.events.push(egui::Event::PointerGone);
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Some(live) = self.live.live.take() {
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
            eframe::set_value(storage, eframe::APP_KEY, &settings);
        }
    }

    /// Scroll offsets and expanded states belong to one snapshot; restoring them on another
    /// file would land the user in the middle of an unrelated table.
    fn persist_egui_memory(&self) -> bool {
        false
    }
}

/// Runs the desktop app; returns the process exit code.
pub fn run(options: Options) -> i32 {
    let icon = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png")).ok();
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
        eprintln!("heapsift: cannot open a window: {e}");
        return 1;
    }
    exit.load(Ordering::Relaxed)
}

/// The snapshot files in a folder, oldest first (then by name).
fn snapshot_files(dir: &std::path::Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            let n = p
                .file_name()
                .map(|f| f.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            n.ends_with(".heapsnapshot") || n.ends_with(".heapsnapshot.gz")
        })
        .map(|p| {
            (
                std::fs::metadata(&p)
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH),
                p,
            )
        })
        .collect();
    files.sort();
    Ok(files.into_iter().map(|x| x.1).collect())
}
