//! The page in the middle of the window: the leak wizard, Growth, the welcome screen, or a
//! snapshot: loading (with the partial Summary), failed or cancelled, or ready with its view
//! tabs, its view and the selected object's panels.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::{HeapsiftApp, Page};
use crate::engine::task::Waker;
use crate::text;
use crate::ui::command::AppCommand;
use crate::ui::command::DocId;
use crate::ui::doc::{Doc, DocState, View};
use crate::ui::views::{self, Cx, Other, Peers, object};
use crate::ui::{growth, live, table, welcome, widgets, wizard};

impl HeapsiftApp {
    /// Reload (Some(true)) or close (Some(false)) a snapshot that did not open.
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

    /// Three snapshots of one process were just opened: the wizard on them, in one click.
    fn wizard_offer_bar(&mut self, ui: &mut Ui) {
        let Some(ids) = self.wizard_offer else { return };
        let names: Vec<String> = ids
            .iter()
            .filter_map(|id| self.docs.iter().find(|d| d.id == *id).map(|d| d.title()))
            .collect();
        if names.len() < 3 {
            self.wizard_offer = None;
            return;
        }
        let mut dismiss = false;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(format!(
                    "Three snapshots of one process, in the order taken: {} → {} → {}.",
                    names[0], names[1], names[2]
                ));
                let go = AppCommand::WizardOn(ids);
                if ui
                    .button(RichText::new(go.label()).strong())
                    .on_hover_text(
                        "The three-snapshot method: objects allocated between the first two and still alive in the third.",
                    )
                    .clicked()
                {
                    self.commands.push(go);
                }
                dismiss = ui.small_button("×").on_hover_text("Not now").clicked();
            });
        });
        if dismiss {
            self.wizard_offer = None;
        }
    }

    /// The snapshots `id` can be compared with: the others of its set, oldest first; and the
    /// ready snapshots of other sets, by name.
    pub(crate) fn peers(&self, id: DocId) -> Peers {
        let Some(set) = self.sets.set_of(id) else {
            return Peers::default();
        };
        let same = self
            .sets
            .members(set)
            .into_iter()
            .filter(|&m| m != id)
            .filter_map(|m| self.docs.iter().find(|d| d.id == m))
            .map(|d| Other {
                id: d.id,
                title: d.title(),
                snapshot: d.snapshot().cloned(),
            })
            .collect();
        let elsewhere = self
            .docs
            .iter()
            .filter(|d| self.sets.set_of(d.id).is_some_and(|s| s != set))
            .map(|d| d.title())
            .collect();
        Peers { same, elsewhere }
    }

    /// The page in the middle: the wizard, Growth, the welcome screen, or the shown snapshot.
    pub(super) fn central(&mut self, ui: &mut Ui) {
        let waker = self.waker.clone();
        if self.page == Page::Wizard
            && let Some(w) = &mut self.wizard
        {
            let info = wizard::LiveInfo {
                connected: self.live.connected(),
                busy: self.live.busy(),
                taking: [0, 1, 2].map(|i| self.live.taking(crate::ui::command::Purpose::Wizard(i))),
                tracking: self.live.tracking(),
            };
            let cx = wizard::WizardCx {
                docs: &self.docs,
                sets: &self.sets,
                live: info,
                waker: &waker,
                commands: &mut self.commands,
            };
            wizard::show(ui, w, cx);
            return;
        }
        if self.page == Page::Profile
            && let Some(p) = &mut self.profile
        {
            crate::ui::profile::show(ui, p);
            return;
        }
        if self.page == Page::Growth
            && let Some(g) = &mut self.growth
        {
            live::series_bar(ui, &mut self.live);
            growth::show(ui, g, &self.docs, &self.sets, &waker, &mut self.commands);
            return;
        }
        let focus_filter = std::mem::take(&mut self.focus_filter);
        self.wizard_offer_bar(ui);
        let others = self.docs.get(self.active).map(|d| self.peers(d.id)).unwrap_or_default();
        let Some(doc) = self.docs.get_mut(self.active) else {
            if let Some(c) = welcome::show(ui, &self.settings.recent, &mut self.path_field) {
                self.commands.push(c);
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
                    partial_summary(ui, &p, &mut doc.partial_view);
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
                let commands = &mut self.commands;
                ui.push_id((doc.id, doc.generation), |ui| {
                    ready(ui, doc, &s, &waker, focus_filter, &others, epoch, commands)
                });
            }
        }
    }
}

/// The narrowest a side panel gets; on a small window it may then cover part of a name column.
pub(super) const SIDE_PANEL_MIN: f32 = 200.0;

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

/// Counts and shallow sizes while retained sizes and distances are still being computed:
/// filterable (the filter carries over to the Summary), sortable by name or shallow size, and the
/// largest classes expandable into their largest instances by shallow size.
fn partial_summary(
    ui: &mut Ui,
    p: &crate::analysis::PartialSummary,
    view: &mut crate::ui::views::summary::PartialView,
) {
    use crate::ui::views::summary::PartialLine;
    ui.horizontal_wrapped(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut view.filter)
                .hint_text("Filter by class name")
                .desired_width(260.0_f32.min(ui.available_width() * 0.45)),
        );
        ui.label(RichText::new(format!(
            "{} nodes, {} edges. Retained sizes and distances are still being computed (…).",
            text::thousands(p.node_count as u64),
            text::thousands(p.edge_count as u64)
        )));
    });
    let (rows, total) = (&p.rows, p.total_shallow);
    let (by_name, ascending) = (view.by_name, view.ascending);
    let lines = view.lines(rows, &p.largest);
    let mut clicked = None;
    let mut toggled = None;
    table::tree_table(ui, "partial")
        .column(table::name_column())
        .column(table::number_column(table::DISTANCE_WIDTH))
        .columns(table::number_column(table::SIZE_WIDTH), 2)
        .header(widgets::ROW_HEIGHT + 4.0, |mut h| {
            h.col(|ui| {
                if table::sort_header(ui, "Constructor", by_name, !ascending) {
                    clicked = Some(true);
                }
            });
            h.col(|ui| {
                ui.add(egui::Label::new(RichText::new("Distance").strong()).truncate());
            });
            h.col(|ui| {
                if table::sort_header(ui, "Shallow Size", !by_name, !ascending) {
                    clicked = Some(false);
                }
            });
            h.col(|ui| {
                ui.add(egui::Label::new(RichText::new("Retained Size").strong()).truncate());
            });
        })
        .body(|body| {
            body.rows(widgets::ROW_HEIGHT, lines.len(), |mut row| match lines[row.index()] {
                PartialLine::Class(i, expanded) => {
                    let r = &rows[i as usize];
                    let expandable = p.largest.get(i as usize).is_some_and(|l| !l.is_empty());
                    row.col(|ui| {
                        if widgets::tree_toggle(ui, 0, expandable, expanded) {
                            toggled = Some(i);
                        }
                        let job = widgets::job(
                            ui,
                            [
                                RichText::new(crate::text::preview(&r.name, 100)).color(widgets::class_color(ui)),
                                RichText::new(format!("×{}", text::thousands(r.count))).weak(),
                            ],
                        );
                        widgets::truncated(ui, job, None, true, egui::Sense::hover());
                    });
                    row.col(widgets::pending_cell);
                    row.col(|ui| widgets::size_cell(ui, r.shallow_size as f64, total));
                    row.col(widgets::pending_cell);
                }
                PartialLine::Instance(i, k) => {
                    let o = &p.largest[i as usize][k as usize];
                    row.col(|ui| {
                        widgets::tree_toggle(ui, 1, false, false);
                        let job = widgets::job(ui, [RichText::new(&o.name), RichText::new(format!("@{}", o.id)).weak()]);
                        widgets::truncated(ui, job, None, true, egui::Sense::hover());
                    });
                    row.col(widgets::pending_cell);
                    row.col(|ui| widgets::size_cell(ui, o.self_size as f64, total));
                    row.col(widgets::pending_cell);
                }
                PartialLine::More(i) => {
                    let r = &rows[i as usize];
                    let listed = p.largest[i as usize].len();
                    row.col(|ui| {
                        widgets::tree_toggle(ui, 1, false, false);
                        let note = format!(
                            "the {listed} largest of {} by shallow size; all of them, selectable, when indexing finishes",
                            text::thousands(r.count)
                        );
                        let job = widgets::job(ui, [RichText::new(note).weak().italics()]);
                        widgets::truncated(ui, job, None, true, egui::Sense::hover());
                    });
                    row.col(|_| {});
                    row.col(|_| {});
                    row.col(|_| {});
                }
            });
        });
    if let Some(by_name) = clicked {
        view.click(by_name);
    }
    if let Some(i) = toggled {
        view.toggle(i);
    }
}

/// A loaded snapshot: view tabs, the view, and the selected object's panels.
#[allow(clippy::too_many_arguments)]
fn ready(
    ui: &mut Ui,
    doc: &mut Doc,
    s: &Arc<crate::analysis::Snapshot>,
    waker: &Waker,
    focus_filter: bool,
    others: &Peers,
    panel_epoch: u32,
    commands: &mut Vec<AppCommand>,
) {
    egui::Panel::top("view-tabs").show(ui, |ui| {
        ui.horizontal(|ui| {
            // The Allocation view only for snapshots taken with allocation tracking on, as DevTools.
            for v in View::ALL
                .into_iter()
                .filter(|&v| v != View::Allocations || s.allocations.is_some())
            {
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
            egui::CentralPanel::default().show(ui, |ui| views::statistics::show(ui, s));
        }
        View::Retainers => {
            let width = ui.available_width();
            let room = (width - table::min_width(ui, &table::OBJECT_NUMBERS)).max(SIDE_PANEL_MIN);
            // On a small window the retainer tree's deep rows need the width more.
            let size = (width * 0.36).min(room).min((width - 700.0).max(SIDE_PANEL_MIN));
            let place = (("path-panel", panel_epoch), "path-scroll");
            object_panel(ui, doc, s, waker, place, size, room);
            egui::CentralPanel::default().show(ui, |ui| retainers_panel(ui, doc, s, waker, true));
        }
        View::Summary
        | View::Dominators
        | View::Comparison
        | View::Duplicates
        | View::Containment
        | View::Detached
        | View::Allocations => {
            // The object panels appear once an object is selected; until then tables get the width.
            if doc.object.is_some() {
                let width = ui.available_width();
                let numbers: &[f32] = if doc.view == View::Comparison {
                    &views::comparison::NUMBERS
                } else {
                    &table::OBJECT_NUMBERS
                };
                // The panel never takes the room the table needs to show its number columns.
                let room = (width - table::min_width(ui, numbers)).max(SIDE_PANEL_MIN);
                let size = 380.0_f32.min(width * 0.4).min(room);
                object_panel(
                    ui,
                    doc,
                    s,
                    waker,
                    (("inspector-panel", panel_epoch), "inspector-scroll"),
                    size,
                    room,
                );
                let keys = doc.keys_to_panel;
                egui::Panel::bottom("retainers-panel")
                    .resizable(true)
                    .default_size(ui.available_height() * 0.38)
                    .show(ui, |ui| retainers_panel(ui, doc, s, waker, keys));
            }
            egui::CentralPanel::default().show(ui, |ui| {
                let cx = Cx {
                    s,
                    selected: doc.selected(),
                    keys: doc.takes_view_keys(),
                    waker,
                };
                let title = doc.title();
                let frame = match doc.view {
                    View::Summary => doc.summary.as_mut().map(|state| {
                        views::summary::show(ui, state, &mut doc.jump, &cx, (title, focus_filter), others)
                    }),
                    View::Comparison => doc
                        .comparison
                        .as_mut()
                        .and_then(|c| views::comparison::show(ui, c, &cx, others, commands)),
                    View::Duplicates => views::duplicates::show(ui, &mut doc.duplicates, &cx),
                    View::Containment => Some(views::containment::show(ui, &mut doc.containment, &cx)),
                    View::Detached => views::detached::show(ui, &mut doc.detached, &cx),
                    View::Allocations => views::allocations::show(ui, &mut doc.allocations, &cx),
                    _ => doc.dominators.as_mut().map(|d| views::dominators::show(ui, d, &cx)),
                };
                if let Some(frame) = frame {
                    doc.finish_view(frame, waker);
                }
            });
        }
    }
}

/// The selected object's side panel: its path to root first (on a small window it is what must
/// show), then its details. Long lines end in "…" (full text on hover) instead of widening it.
/// `place`: the panel's and its scroll area's ids; `room`: the most it may take.
fn object_panel(
    ui: &mut Ui,
    doc: &mut Doc,
    s: &Arc<crate::analysis::Snapshot>,
    waker: &Waker,
    place: ((&str, u32), &str),
    size: f32,
    room: f32,
) {
    egui::Panel::right(place.0)
        .resizable(true)
        .default_size(size)
        .min_size(SIDE_PANEL_MIN)
        .max_size(room)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt(place.1)
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    let Some(obj) = &doc.object else {
                        ui.separator();
                        ui.label(RichText::new("No object selected.").weak());
                        return;
                    };
                    let picked = object::path_to_root(ui, obj, s, doc.path_mode);
                    ui.separator();
                    let chain = object::inspector(ui, obj, s);
                    if let Some(mode) = picked.mode {
                        doc.set_path_mode(mode, waker);
                    }
                    if let Some(v) = picked.select.or(chain) {
                        doc.select(v, waker);
                    }
                });
        });
}

/// The retainer tree of the selected object, as a view or a panel below one. A click or key in
/// the panel keeps the keyboard in the panel.
fn retainers_panel(ui: &mut Ui, doc: &mut Doc, s: &Arc<crate::analysis::Snapshot>, waker: &Waker, keys: bool) {
    let cx = Cx {
        s,
        selected: None,
        keys,
        waker,
    };
    let Some((frame, restore)) = object::retainers(ui, doc.object.as_mut(), &cx) else {
        return;
    };
    if frame.moved && doc.view != View::Retainers {
        doc.keys_to_panel = true;
    }
    for a in frame.actions {
        doc.object_action(a, waker);
    }
    if !restore.is_empty() {
        doc.ignore_retainers(&restore, false, waker);
    }
}
