//! The guided three-snapshot leak hunt: how to take the snapshots, which three, indexing, then
//! leak groups with the chain that keeps each alive, and "Export finding…".

use std::path::PathBuf;
use std::sync::Arc;

use egui::{RichText, Ui};

use super::doc::{Doc, DocState};
use super::screenshot;
use super::table::{header, tree_table};
use super::widgets::{self, ROW_HEIGHT};
use crate::analysis::Snapshot;
use crate::analysis::leaks::{self, LeakGroup, LeakOptions};
use crate::engine::Source;
use crate::engine::task::{Task, Waker};
use crate::engine::workflows;
use crate::error::PathIoError;
use crate::present::finding::{self, ExportError};
use crate::present::names;
use crate::text::preview;
use crate::text::{bytes, thousands};

pub struct LeakResult {
    pub snapshot: Arc<Snapshot>,
    pub names: Vec<String>,
    pub(crate) candidates: usize,
    pub groups: Vec<LeakGroup>,
    /// Reading order: each root group, then what it keeps alive (group, depth); the minor
    /// single-object root groups apart.
    pub(crate) listing: leaks::Listing,
}

#[derive(Default)]
pub struct WizardState {
    /// Doc uids for S1, S2, S3.
    pub picks: [Option<u64>; 3],
    pub options: LeakOptions,
    pub result: Option<Task<Arc<LeakResult>>>,
    /// The picks and options the result was computed for.
    computed_for: Option<([u64; 3], LeakOptions)>,
    pub selected: Option<usize>,
    pub export: Option<Export>,
    /// Steps 1–3 are folded into one line once results are in (until the user reopens them).
    pub(crate) setup_folded: bool,
    /// The single small objects are listed one by one (folded into one row by default).
    pub(crate) show_minor: bool,
    folded_for: Option<[u64; 3]>,
    /// Connected: the action run between baseline and target, how many times, and its run.
    pub action: String,
    pub(crate) action_times: String,
    pub action_run: Option<Task<()>>,
}

/// What the wizard knows of the live connection.
#[derive(Default, Clone, Copy)]
pub(crate) struct LiveInfo {
    pub connected: bool,
    /// A snapshot or collection is under way.
    pub busy: bool,
    /// Which of S1..S3 is being taken.
    pub(crate) taking: [bool; 3],
}

/// What the wizard asks the app to do.
pub enum Request {
    OpenDialog,
    Demo,
    /// Connected: take S1, S2 or S3 now (0, 1, 2), after a garbage collection.
    Capture(usize),
    /// A click or context-menu command on an object of the final snapshot.
    Object {
        doc: u64,
        action: super::table::Action,
    },
}

pub struct Export {
    pub folder: String,
    pub base: String,
    pub redact: bool,
    /// What was written, or why not.
    pub message: Option<Result<String, ExportError>>,
    stage: ExportStage,
}

enum ExportStage {
    Editing,
    Capturing(screenshot::Pending),
    Writing(Task<Result<String, ExportError>>),
}

fn doc_by_uid(docs: &[Doc], uid: Option<u64>) -> Option<&Doc> {
    uid.and_then(|u| docs.iter().find(|d| d.uid == u))
}

impl WizardState {
    /// Starts or refreshes the analysis when the three snapshots are ready.
    pub(crate) fn poll(&mut self, docs: &[Doc], waker: &Waker) {
        let snaps: Vec<Option<Arc<Snapshot>>> = self
            .picks
            .iter()
            .map(|&u| doc_by_uid(docs, u).and_then(|d| d.settled_snapshot().cloned()))
            .collect();
        let ([Some(a), Some(b), Some(c)], [Some(u1), Some(u2), Some(u3)]) = (
            <[Option<Arc<Snapshot>>; 3]>::try_from(snaps).unwrap_or([None, None, None]),
            self.picks,
        ) else {
            return;
        };
        let key = ([u1, u2, u3], self.options);
        if self.computed_for == Some(key) {
            // The result opens on the largest group, where the leak is.
            if self.selected.is_none() && self.result().is_some_and(|r| !r.groups.is_empty()) {
                self.selected = Some(0);
            }
            return;
        }
        self.computed_for = Some(key);
        self.selected = None;
        let names: Vec<String> = self
            .picks
            .iter()
            .map(|&u| doc_by_uid(docs, u).map(|d| d.title()).unwrap_or_default())
            .collect();
        let opts = self.options;
        self.result = Some(Task::spawn(waker.clone(), move |p| {
            let snaps = [a, b, c];
            let report = workflows::three_snapshot([&names[0], &names[1], &names[2]], &opts, p, |i| {
                Ok::<_, crate::error::Error>(snaps[i].clone())
            })?;
            Ok(Arc::new(LeakResult {
                snapshot: report.last,
                names,
                candidates: report.candidates,
                listing: leaks::listing(&report.groups, usize::MAX),
                groups: report.groups,
            }))
        }));
    }

    pub fn busy(&self) -> bool {
        self.result.as_ref().is_some_and(|t| !t.is_done())
            || self
                .export
                .as_ref()
                .is_some_and(|e| !matches!(e.stage, ExportStage::Editing))
    }
}

pub fn show(ui: &mut Ui, w: &mut WizardState, docs: &[Doc], live: LiveInfo, waker: &Waker) -> Vec<Request> {
    let mut requests = Vec::new();
    egui::ScrollArea::vertical()
        .id_salt("wizard")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.heading("Leak wizard: the three-snapshot method");
            ui.add_space(4.0);
            let ready = w.result().is_some();
            if ready && w.computed_for.map(|k| k.0) != w.folded_for {
                // Fold the setup the first time results for these snapshots arrive.
                w.folded_for = w.computed_for.map(|k| k.0);
                w.setup_folded = true;
            }
            if ready && w.setup_folded {
                ui.horizontal(|ui| {
                    let names: Vec<String> = w
                        .picks
                        .iter()
                        .map(|&u| doc_by_uid(docs, u).map(|d| d.title()).unwrap_or_default())
                        .collect();
                    ui.label(
                        RichText::new(format!(
                            "Baseline {} → target {} → final {}",
                            names[0], names[1], names[2]
                        ))
                        .weak(),
                    );
                    if ui.small_button("Change…").clicked() {
                        w.setup_folded = false;
                    }
                });
            } else {
                step_method(ui);
                ui.separator();
                step_pick(ui, w, docs, live, waker, &mut requests);
                ui.separator();
                step_index(ui, w, docs);
            }
            ui.separator();
            step_results(ui, w, &mut requests);
        });
    requests
}

fn step_title(ui: &mut Ui, n: usize, title: &str) {
    ui.add_space(6.0);
    ui.label(RichText::new(format!("{n} · {title}")).strong().size(16.0));
    ui.add_space(2.0);
}

fn step_method(ui: &mut Ui) {
    step_title(ui, 1, "Take three snapshots of one process");
    ui.label(
        "Objects that exist in the target snapshot but not in the baseline, and are still alive in the final one, \
         are what the action leaked: temporary allocations are gone by then.",
    );
    egui::Grid::new("method")
        .num_columns(2)
        .spacing([10.0, 4.0])
        .show(ui, |ui| {
            for (n, what) in [
                (
                    "S1",
                    "Baseline: start the app, use every feature once, force a GC, take a snapshot.",
                ),
                (
                    "S2",
                    "Target: repeat the suspect action many times (e.g. 100 requests), force a GC, take a snapshot.",
                ),
                ("S3", "Final: wait a little, force a GC, take a snapshot."),
            ] {
                ui.label(RichText::new(n).strong());
                ui.label(what);
                ui.end_row();
            }
        });
    ui.collapsing("How to take heap snapshots", |ui| {
        howto(ui, "Node.js, on a signal (force GC first: run with --expose-gc)", "node --expose-gc --heapsnapshot-signal=SIGUSR2 server.js\nkill -USR2 $(pgrep -f server.js)");
        howto(ui, "Node.js, from code", "global.gc?.(); require('v8').writeHeapSnapshot();");
        howto(ui, "Node.js with Chrome DevTools", "node --inspect server.js   # chrome://inspect → Memory → Take snapshot");
        ui.label("Chrome, Edge, Electron: DevTools ▸ Memory ▸ click the trash can (collect garbage) ▸ Heap snapshot ▸ Take snapshot; then Save each profile.");
    });
}

fn howto(ui: &mut Ui, title: &str, code: &str) {
    ui.label(RichText::new(title).weak());
    ui.horizontal(|ui| {
        ui.add(egui::Label::new(RichText::new(code).monospace()).wrap());
        if ui.small_button("📋 Copy").clicked() {
            ui.ctx().copy_text(code.to_owned());
        }
    });
}

fn step_pick(
    ui: &mut Ui,
    w: &mut WizardState,
    docs: &[Doc],
    live: LiveInfo,
    waker: &Waker,
    requests: &mut Vec<Request>,
) {
    step_title(
        ui,
        2,
        if live.connected {
            "Take them, or choose them"
        } else {
            "Choose them"
        },
    );
    if live.connected {
        ui.label(
            "Connected: each button collects garbage in the process, takes the snapshot, saves it and picks it here.",
        );
    } else if docs.is_empty() {
        ui.label(RichText::new("Open the three snapshots first, or try the built-in demo set.").weak());
    }
    egui::Grid::new("picks")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            for (i, role) in ["Baseline (S1)", "Target (S2)", "Final (S3)"].iter().enumerate() {
                ui.label(*role);
                let current = doc_by_uid(docs, w.picks[i])
                    .map(|d| d.title())
                    .unwrap_or_else(|| "choose…".into());
                ui.horizontal(|ui| {
                    egui::ComboBox::from_id_salt(("pick", i))
                        .selected_text(current)
                        .width(320.0)
                        .show_ui(ui, |ui| {
                            for d in docs {
                                ui.selectable_value(&mut w.picks[i], Some(d.uid), d.title());
                            }
                        });
                    if live.connected {
                        let name = ["baseline", "target", "final"][i];
                        if live.taking[i] {
                            ui.spinner();
                            ui.label(format!("taking the {name}…"));
                        } else if ui
                            // In the method's order: a target needs its baseline, a final its target.
                            .add_enabled(
                                !live.busy && !action_running(w) && (i == 0 || w.picks[i - 1].is_some()),
                                egui::Button::new(format!("📷 Take {name} now")),
                            )
                            .clicked()
                        {
                            requests.push(Request::Capture(i));
                        }
                    }
                });
                ui.end_row();
                if i == 0 && live.connected {
                    ui.label("");
                    action_row(ui, w, live, waker);
                    ui.end_row();
                }
            }
        });
    ui.horizontal(|ui| {
        if ui.button("Open snapshots…").clicked() {
            requests.push(Request::OpenDialog);
        }
        if ui
            .button("Use the demo set")
            .on_hover_text("Three built-in snapshots of a page that leaks")
            .clicked()
        {
            requests.push(Request::Demo);
        }
        if w.picks.iter().all(Option::is_none) && docs.len() >= 3 && ui.button("Use the last three opened").clicked() {
            for (i, d) in docs[docs.len() - 3..].iter().enumerate() {
                w.picks[i] = Some(d.uid);
            }
        }
    });
    ui.horizontal(|ui| {
        ui.checkbox(&mut w.options.include_strings, "Include strings");
        ui.checkbox(
            &mut w.options.include_internals,
            "Include V8 internals (arrays, contexts, code)",
        );
    });
}

fn action_running(w: &WizardState) -> bool {
    w.action_run.as_ref().is_some_and(|t| !t.is_done())
}

/// Between baseline and target: run the suspect action N times (a shell command).
fn action_row(ui: &mut Ui, w: &mut WizardState, live: LiveInfo, waker: &Waker) {
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            ui.label("Then run");
            ui.add(
                egui::TextEdit::singleline(&mut w.action)
                    .hint_text("curl -s localhost:3000/checkout")
                    .desired_width(280.0)
                    .font(egui::TextStyle::Monospace),
            );
            ui.add(
                egui::TextEdit::singleline(&mut w.action_times)
                    .hint_text("100")
                    .desired_width(40.0),
            );
            ui.label("times");
            let times = match w.action_times.trim() {
                "" => Some(100),
                t => t.parse::<usize>().ok().filter(|n| *n > 0),
            };
            if action_running(w) {
                if ui.button("Stop").clicked()
                    && let Some(t) = &w.action_run
                {
                    t.cancel();
                }
            } else if ui
                // Not while a snapshot is taken: the action's objects would land in it.
                .add_enabled(
                    !w.action.trim().is_empty() && times.is_some() && !live.busy,
                    egui::Button::new("▶ Run"),
                )
                .on_hover_text("Runs the command through the shell, one run after another; stops at the first failure")
                .clicked()
            {
                let (cmd, n) = (w.action.trim().to_owned(), times.unwrap_or(1));
                w.action_run = Some(Task::spawn_thread(waker.clone(), move |p| {
                    crate::capture::process::run_action(&cmd, n, std::time::Duration::from_secs(600), p).map_err(|e| {
                        match e {
                            crate::capture::CaptureError::Cancelled => crate::error::Error::Cancelled,
                            e => crate::error::Error::invalid(e.to_string()),
                        }
                    })
                }));
            }
        });
        if let Some(t) = &w.action_run {
            match t.get() {
                None => {
                    let v = t.progress.view();
                    ui.add(
                        egui::ProgressBar::new(v.fraction)
                            .desired_width(360.0)
                            .text(format!("{:.0}% of the runs", v.fraction * 100.0)),
                    );
                    ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
                }
                Some(Ok(())) => {
                    ui.label(RichText::new("✔ The action ran; now take the target.").weak());
                }
                Some(Err(e)) => {
                    ui.colored_label(ui.visuals().error_fg_color, e.to_string());
                }
            }
        }
    });
}

fn step_index(ui: &mut Ui, w: &WizardState, docs: &[Doc]) {
    step_title(ui, 3, "Index them");
    for (i, uid) in w.picks.iter().enumerate() {
        let Some(d) = doc_by_uid(docs, *uid) else { continue };
        ui.horizontal(|ui| {
            ui.label(format!("S{}", i + 1));
            match &d.state {
                DocState::Loading(job) => {
                    let v = job.progress.view();
                    ui.add(egui::ProgressBar::new(v.overall).desired_width(260.0).text(format!(
                        "{:.0}% · {}",
                        v.overall * 100.0,
                        v.phase.label()
                    )));
                }
                DocState::Ready(s) => {
                    ui.label(RichText::new("✔").color(egui::Color32::from_rgb(90, 170, 90)));
                    ui.label(format!(
                        "{}: {} objects, newest id @{}",
                        d.title(),
                        thousands(s.graph.node_count() as u64),
                        s.max_js_object_id
                    ));
                }
                DocState::Failed(e) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                DocState::Cancelled => {
                    ui.label(RichText::new("cancelled: reopen it from its tab").weak());
                }
            }
        });
    }
}

fn step_results(ui: &mut Ui, w: &mut WizardState, requests: &mut Vec<Request>) {
    step_title(ui, 4, "Leak groups");
    let Some(task) = &w.result else {
        ui.label(RichText::new("Results appear here once the three snapshots are indexed.").weak());
        return;
    };
    let Some(r) = widgets::task_value(ui, task, "Comparing the snapshots…").cloned() else {
        return;
    };
    ui.label(format!(
        "{} objects were allocated between {} and {} and are still alive in {}. Grouped by class and by the path that keeps them alive, largest first:",
        thousands(r.candidates as u64),
        r.names[0],
        r.names[1],
        r.names[2]
    ));
    ui.add_space(4.0);
    ui.columns(2, |cols| {
        groups_table(&mut cols[0], w, &r);
        group_detail(&mut cols[1], w, &r, requests);
    });
}

fn groups_table(ui: &mut Ui, w: &mut WizardState, r: &LeakResult) {
    let total = r.snapshot.total_size;
    let mut clicked = None;
    let mut toggle_minor = false;
    tree_table(ui, "leak-groups")
        .column(super::table::number_column(34.0))
        .column(super::table::name_column())
        .column(super::table::number_column(72.0))
        .column(super::table::number_column(super::table::SIZE_WIDTH))
        .column(super::table::number_column(92.0))
        .min_scrolled_height(200.0)
        .max_scroll_height(560.0)
        .auto_shrink([false, true])
        .header(ROW_HEIGHT + 4.0, |h| {
            header(h, &["#", "Class", "Count", "Retained", "Shallow"])
        })
        .body(|body| {
            let minor = &r.listing.minor;
            let shown_minor = if w.show_minor { minor.len() } else { 0 };
            let summary_row = usize::from(!minor.is_empty());
            let n = r.listing.rows.len() + summary_row + shown_minor;
            body.rows(ROW_HEIGHT, n, |mut row| {
                let k = row.index();
                if k == r.listing.rows.len() {
                    // The single small objects, folded into one row.
                    row.col(|_| {});
                    row.col(|ui| {
                        // The button first: on a narrow window the text is what gets cut.
                        if ui.small_button(if w.show_minor { "Hide" } else { "Show" }).clicked() {
                            toggle_minor = true;
                        }
                        let job = widgets::job(
                            ui,
                            [RichText::new(format!(
                                "{}, {} in all: {}",
                                crate::text::count(minor.len(), "single object", "single objects"),
                                bytes(r.listing.minor_retained),
                                names::minor_names(&r.listing, &r.groups, 6)
                            ))
                            .weak()],
                        );
                        widgets::truncated(ui, job, None, true, egui::Sense::hover());
                    });
                    for _ in 0..3 {
                        row.col(|_| {});
                    }
                    return;
                }
                let (i, depth) = match r.listing.rows.get(k) {
                    Some(&x) => x,
                    None => (minor[k - r.listing.rows.len() - 1], 0),
                };
                let g = &r.groups[i];
                row.set_selected(w.selected == Some(i));
                row.col(|ui| {
                    ui.label(RichText::new(format!("{}", i + 1)).weak());
                });
                row.col(|ui| {
                    // What a leak keeps alive is listed under it, indented.
                    let mut parts = Vec::new();
                    if depth > 0 {
                        ui.add_space(widgets::indent(depth as u16 - 1));
                        parts.push(RichText::new("↳").weak());
                    }
                    // "↳" and "counted in #k" say it is kept alive by the group above.
                    parts.push(RichText::new(preview(&g.class, 80)).color(widgets::class_color(ui)));
                    let job = widgets::job(ui, parts);
                    widgets::truncated(ui, job, None, true, egui::Sense::hover());
                });
                row.col(|ui| widgets::right_text(ui, thousands(g.nodes.len() as u64)));
                row.col(|ui| match g.part_of {
                    Some(k) => widgets::right_text(ui, RichText::new(format!("counted in #{}", k + 1)).weak()),
                    None => widgets::size_cell(ui, g.retained_size, total),
                });
                row.col(|ui| widgets::right_text(ui, bytes(g.shallow_size as f64)));
                if row.response().clicked() {
                    clicked = Some(i);
                }
            });
        });
    if let Some(i) = clicked {
        w.selected = Some(i);
    }
    if toggle_minor {
        w.show_minor = !w.show_minor;
    }
}

fn group_detail(ui: &mut Ui, w: &mut WizardState, r: &LeakResult, requests: &mut Vec<Request>) {
    let Some(sel) = w.selected.filter(|&i| i < r.groups.len()) else {
        ui.label(RichText::new("Select a group to see what keeps it alive.").weak());
        return;
    };
    let g = &r.groups[sel];
    let s = &r.snapshot;
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!("#{} {}", sel + 1, preview(&g.class, 80)))
                .strong()
                .size(16.0)
                .color(widgets::class_color(ui)),
        );
        ui.label(match g.part_of {
            // What another group keeps alive is counted there.
            Some(k) => format!(
                "×{} · kept alive by #{}, counted there",
                thousands(g.nodes.len() as u64),
                k + 1
            ),
            None => format!(
                "×{} · retains {}",
                thousands(g.nodes.len() as u64),
                bytes(g.retained_size)
            ),
        });
        if let Some(l) = s.location_of(g.nodes[0]) {
            ui.label(RichText::new(format!("defined at {}", s.scripts.format(l))).weak())
                .on_hover_text(s.scripts.format_full(l));
        }
        if ui.button("Export finding…").clicked() && w.export.is_none() {
            let dir = std::env::current_dir().unwrap_or_default();
            let safe: String = g.class.chars().filter(|c| c.is_ascii_alphanumeric()).take(40).collect();
            w.export = Some(Export {
                folder: dir.display().to_string(),
                base: format!("leak-{}", if safe.is_empty() { "group".into() } else { safe }),
                redact: false,
                message: None,
                stage: ExportStage::Editing,
            });
        }
    });
    ui.label(RichText::new("Path to the root of its largest member (root first):").weak());
    for (i, h) in g.path.iter().enumerate() {
        if super::object::hop_line(ui, s, Some(i), h.edge, h.node, i + 1 == g.path.len())
            && let Some(u) = w.picks[2]
        {
            requests.push(Request::Object {
                doc: u,
                action: super::table::Action::Select(h.node),
            });
        }
    }
    ui.add_space(6.0);
    ui.label(
        RichText::new(format!(
            "{} objects, largest first (click one for its retainers in the final snapshot; right-click for more):",
            thousands(g.nodes.len() as u64)
        ))
        .weak(),
    );
    // The list takes the rest of the window (the page scrolls; its content height is unbounded).
    let room = (ui.ctx().content_rect().bottom() - ui.cursor().top() - 48.0).max(200.0);
    let actions = super::table::object_list(ui, "leak-objects", s, &g.nodes, None, room);
    if let Some(u) = w.picks[2] {
        requests.extend(actions.into_iter().map(|action| Request::Object { doc: u, action }));
    }
}

/// The export window; drives capture and writing. Call every frame.
pub(crate) fn export_window(ctx: &egui::Context, w: &mut WizardState, docs: &[Doc], waker: &Waker) {
    let Some(ex) = &mut w.export else { return };
    let Some(r) = w.result.as_ref().and_then(|t| t.value()).cloned() else {
        w.export = None;
        return;
    };
    let Some(selected) = w.selected.filter(|&i| i < r.groups.len()) else {
        w.export = None;
        return;
    };
    let group = &r.groups[selected];
    match &mut ex.stage {
        ExportStage::Capturing(p) => {
            if let Some(img) = p.take() {
                // Once per export, not per frame: the group and what it keeps alive.
                let group = group.clone();
                let kept = finding::kept_alive(&r.groups, selected);
                let png = screenshot::encode_png(&img);
                let sources: Vec<Source> = w
                    .picks
                    .iter()
                    .filter_map(|&u| doc_by_uid(docs, u).map(|d| d.source.clone()))
                    .collect();
                let (folder, base, redact) = (PathBuf::from(ex.folder.trim()), ex.base.trim().to_owned(), ex.redact);
                let snapshot = r.snapshot.clone();
                let export = move || -> Result<String, ExportError> {
                    let png_path = folder.join(format!("{base}.png"));
                    let png = png.map_err(|e| PathIoError::at(&png_path, "encode it")(std::io::Error::other(e)))?;
                    let ids = finding::identities(&sources)?;
                    finding::write(&folder, &base, &snapshot, &ids, (&group, &kept), redact, &png)
                };
                ex.stage = ExportStage::Writing(Task::spawn(waker.clone(), move |_| Ok(export())));
            }
            return;
        }
        ExportStage::Writing(t) => {
            if let Some(res) = t.get() {
                ex.message = Some(res.clone().unwrap_or_else(|e| Err(e.into())));
                ex.stage = ExportStage::Editing;
            }
        }
        ExportStage::Editing => {}
    }
    let mut open = true;
    let mut go = false;
    egui::Window::new("Export finding")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            ui.label(format!(
                "{} ×{}: a Markdown report, a JSON file and a PNG of the window.",
                group.class,
                group.nodes.len()
            ));
            egui::Grid::new("export").num_columns(2).show(ui, |ui| {
                ui.label("Folder");
                ui.add(egui::TextEdit::singleline(&mut ex.folder).desired_width(360.0));
                ui.end_row();
                ui.label("Name");
                ui.add(egui::TextEdit::singleline(&mut ex.base).desired_width(200.0));
                ui.end_row();
            });
            ui.checkbox(&mut ex.redact, "Redact string values");
            ui.horizontal(|ui| {
                go = ui.button("Export").clicked();
                if matches!(ex.stage, ExportStage::Writing(_)) {
                    ui.spinner();
                    ui.label("Hashing the snapshots and writing…");
                }
            });
            match &ex.message {
                Some(Ok(m)) => {
                    ui.label(RichText::new(m).color(egui::Color32::from_rgb(90, 170, 90)));
                }
                Some(Err(e)) => {
                    ui.colored_label(ui.visuals().error_fg_color, e.to_string());
                }
                None => {}
            }
        });
    if go {
        ex.message = start(ex, ctx).err().map(Err);
    }
    if !open {
        w.export = None;
    }
}

/// Checks the target and starts the capture; the rest runs in `export_window`.
fn start(ex: &mut Export, ctx: &egui::Context) -> Result<(), ExportError> {
    finding::check_destination(&PathBuf::from(ex.folder.trim()), ex.base.trim())?;
    // The dialog is not drawn during the capture, so the PNG shows the finding, not this dialog.
    ex.stage = ExportStage::Capturing(screenshot::Pending::request(ctx));
    Ok(())
}

impl WizardState {
    /// Exports the selected group without the dialog (command line `--export-finding`).
    pub(crate) fn export_now(
        &mut self,
        ctx: &egui::Context,
        folder: &std::path::Path,
        base: &str,
    ) -> Result<(), ExportError> {
        let mut ex = Export {
            folder: folder.display().to_string(),
            base: base.to_owned(),
            redact: false,
            message: None,
            stage: ExportStage::Editing,
        };
        start(&mut ex, ctx)?;
        self.export = Some(ex);
        Ok(())
    }

    /// The outcome of the last export, once it is written.
    pub(crate) fn export_result(&self) -> Option<&Result<String, ExportError>> {
        self.export.as_ref().and_then(|e| e.message.as_ref())
    }

    pub fn result(&self) -> Option<&Arc<LeakResult>> {
        self.result.as_ref().and_then(|t| t.value())
    }
}
