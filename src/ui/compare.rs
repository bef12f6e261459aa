//! The Comparison view: this snapshot against a base, per class # New, # Deleted, # Delta,
//! Alloc. Size, Freed Size, Size Delta, exactly as DevTools computes them.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::doc::{Doc, edges_items};
use super::table::{
    Action, apply_common, finish, more_row, object_cell_with, object_row_extras, pending_row, row_node, sort_headers,
    tree_table,
};
use super::tree::{Items, PAGE, Row, Tree};
use super::widgets::{self, ROW_HEIGHT, id_text};
use crate::analysis::Snapshot;
use crate::analysis::diff::DiffRow;
use crate::engine::task::{Task, Waker};
use crate::engine::workflows;
use crate::model::NodeId;
use crate::text::preview;
use crate::text::{bytes, signed_bytes, signed_count, thousands};

/// Widths of the count and byte columns.
const COUNT_WIDTH: f32 = 66.0;
const BYTES_WIDTH: f32 = 88.0;
/// The number columns, for the side panels to leave room for.
pub(crate) const NUMBERS: [f32; 6] = [
    COUNT_WIDTH,
    COUNT_WIDTH,
    COUNT_WIDTH,
    BYTES_WIDTH,
    BYTES_WIDTH,
    BYTES_WIDTH,
];

/// Another open snapshot that can serve as the base.
pub struct Candidate {
    pub(crate) uid: u64,
    pub title: String,
    pub snapshot: Option<Arc<Snapshot>>,
}

pub struct Comparison {
    pub rows: Vec<DiffRow>,
    pub base: Arc<Snapshot>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DiffColumn {
    Constructor,
    New,
    Deleted,
    Delta,
    Alloc,
    Freed,
    SizeDelta,
}

pub struct ComparisonState {
    pub base: Option<u64>,
    computed_for: Option<u64>,
    pub task: Option<Task<Arc<Comparison>>>,
    pub sort: DiffColumn,
    pub descending: bool,
    pub filter: String,
    pub order: Vec<u32>,
    pub tree: Tree,
    pub cursor: Option<usize>,
    /// The user asked to open another snapshot to compare with.
    pub(crate) wants_open: bool,
}

impl Default for ComparisonState {
    fn default() -> Self {
        ComparisonState {
            base: None,
            computed_for: None,
            task: None,
            sort: DiffColumn::SizeDelta,
            descending: true,
            filter: String::new(),
            order: Vec::new(),
            tree: Tree::new(Items::Classes(0)),
            cursor: None,
            wants_open: false,
        }
    }
}

impl ComparisonState {
    fn reorder(&mut self) {
        let Some(c) = self.task.as_ref().and_then(|t| t.value()).cloned() else {
            return;
        };
        let needle = self.filter.to_lowercase();
        let mut order: Vec<u32> = (0..c.rows.len() as u32)
            .filter(|&i| needle.is_empty() || c.rows[i as usize].name.to_lowercase().contains(&needle))
            .collect();
        let key = |r: &DiffRow| -> i128 {
            match self.sort {
                DiffColumn::Constructor => 0,
                DiffColumn::New => r.new_count as i128,
                DiffColumn::Deleted => r.deleted_count as i128,
                DiffColumn::Delta => r.count_delta as i128,
                DiffColumn::Alloc => r.alloc_size as i128,
                DiffColumn::Freed => r.freed_size as i128,
                DiffColumn::SizeDelta => r.size_delta as i128,
            }
        };
        order.sort_by(|&a, &b| {
            let (ra, rb) = (&c.rows[a as usize], &c.rows[b as usize]);
            let o = if self.sort == DiffColumn::Constructor {
                crate::analysis::classes::cmp_js(&ra.name, &rb.name)
            } else {
                key(ra).cmp(&key(rb))
            };
            let o = if self.descending { o.reverse() } else { o };
            o.then_with(|| crate::analysis::classes::cmp_js(&ra.name, &rb.name))
        });
        self.order = order;
        // A new sort or filter keeps what is expanded; a new result starts a new tree.
        if self.tree.level(0).items.len() == c.rows.len() {
            self.tree.mark_dirty();
        } else {
            self.tree = Tree::new(Items::Classes(c.rows.len()));
        }
        self.cursor = None;
    }

    /// Starts the comparison when the base changes.
    pub(crate) fn poll(&mut self, current: &Arc<Snapshot>, candidates: &[Candidate], waker: &Waker) {
        if self.task.as_ref().is_some_and(|t| t.is_done()) && self.order.is_empty() {
            self.reorder();
        }
        let Some(uid) = self.base else { return };
        if self.computed_for == Some(uid) {
            return;
        }
        let Some(base) = candidates
            .iter()
            .find(|c| c.uid == uid)
            .and_then(|c| c.snapshot.clone())
        else {
            return;
        };
        self.computed_for = Some(uid);
        self.order.clear();
        let cur = current.clone();
        self.task = Some(Task::spawn(waker.clone(), move |p| {
            let rows = workflows::comparison(p, |side| -> Result<&Snapshot, crate::error::Error> {
                Ok(match side {
                    workflows::Side::Current => &cur,
                    workflows::Side::Base => &base,
                })
            })?
            .rows;
            Ok(Arc::new(Comparison { rows, base }))
        }));
    }

    pub fn busy(&self) -> bool {
        self.task.as_ref().is_some_and(|t| !t.is_done()) || self.tree.is_loading()
    }
}

/// Draws the view; returns a deleted object the user clicked, to show in the base snapshot.
pub fn show(
    ui: &mut Ui,
    doc: &mut Doc,
    s: &Arc<Snapshot>,
    candidates: &[Candidate],
    waker: &Waker,
) -> Option<(u64, NodeId)> {
    let mut reveal = None;
    show_inner(ui, doc, s, candidates, waker, &mut reveal);
    reveal
}

fn show_inner(
    ui: &mut Ui,
    doc: &mut Doc,
    s: &Arc<Snapshot>,
    candidates: &[Candidate],
    waker: &Waker,
    reveal: &mut Option<(u64, NodeId)>,
) {
    let keys = doc.takes_view_keys();
    let Some(cmp) = &mut doc.comparison else { return };
    cmp.poll(s, candidates, waker);
    ui.horizontal_wrapped(|ui| {
        ui.label("Base snapshot");
        let current = candidates
            .iter()
            .find(|c| Some(c.uid) == cmp.base)
            .map(|c| c.title.clone())
            .unwrap_or_else(|| "choose…".into());
        egui::ComboBox::from_id_salt("base")
            .selected_text(current)
            .truncate()
            .width(300.0_f32.min(ui.available_width() - 120.0).max(120.0))
            .show_ui(ui, |ui| {
                for c in candidates {
                    ui.selectable_value(&mut cmp.base, Some(c.uid), &c.title);
                }
            });
        let f = ui.add(
            egui::TextEdit::singleline(&mut cmp.filter)
                .hint_text("Filter by class name")
                .desired_width(220.0_f32.min(ui.available_width() * 0.4)),
        );
        if f.changed() {
            cmp.reorder();
        }
        if ui
            .button("Open…")
            .on_hover_text("Open another snapshot to compare with")
            .clicked()
        {
            cmp.wants_open = true;
        }
    });
    if candidates.is_empty() {
        ui.add_space(12.0);
        ui.label("A comparison needs a second snapshot of the same process, usually an earlier one.");
        if ui.button("Open a snapshot to compare with…").clicked() {
            cmp.wants_open = true;
        }
        return;
    }
    let Some(task) = &cmp.task else {
        ui.label(RichText::new("Choose the snapshot to compare with (usually an earlier one).").weak());
        return;
    };
    let Some(c) = widgets::task_value(ui, task, "Comparing…").cloned() else {
        return;
    };
    ui.separator();
    let g = &s.graph;
    let rows = cmp.tree.take_rows(Some(&cmp.order));
    let mut actions: Vec<Action> = Vec::new();
    let mut sort_clicked = None;
    let selected = doc.object.as_ref().map(|o| o.node);
    let cursor = cmp.cursor;
    let (sort, desc) = (cmp.sort, cmp.descending);
    super::table::scrolled(tree_table(ui, "comparison"), &mut cmp.tree)
        .column(super::table::name_column())
        .columns(super::table::number_column(COUNT_WIDTH), 3)
        .columns(super::table::number_column(BYTES_WIDTH), 3)
        .header(ROW_HEIGHT + 4.0, |mut h| {
            sort_clicked = sort_headers(
                &mut h,
                &[
                    (DiffColumn::Constructor, "Constructor"),
                    (DiffColumn::New, "# New"),
                    (DiffColumn::Deleted, "# Deleted"),
                    (DiffColumn::Delta, "# Delta"),
                    (DiffColumn::Alloc, "Alloc. Size"),
                    (DiffColumn::Freed, "Freed Size"),
                    (DiffColumn::SizeDelta, "Size Delta"),
                ],
                Some((sort, desc)),
            );
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                let i = row.index();
                let r = rows.get(i);
                let node = match r {
                    Row::Item { level, .. } if level > 0 => row_node(&cmp.tree, r, g),
                    _ => None,
                };
                row.set_selected(cursor == Some(i) || (node.is_some() && node == selected));
                match r {
                    Row::Item { level: 0, index, depth } => {
                        let d = &c.rows[index as usize];
                        let expanded = cmp.tree.is_expanded(0, index);
                        row.col(|ui| {
                            if widgets::tree_toggle(ui, depth, true, expanded) {
                                actions.push(Action::Toggle { level: 0, index });
                            }
                            let mut parts = vec![
                                RichText::new(preview(&d.name, 100))
                                    .color(widgets::class_color(ui))
                                    .strong(),
                            ];
                            if let Some(l) = d.location {
                                parts.push(RichText::new(s.scripts.format(l)).weak().small());
                            }
                            let job = widgets::job(ui, parts);
                            widgets::truncated(ui, job, None, true, egui::Sense::hover());
                        });
                        row.col(|ui| widgets::right_text(ui, thousands(d.new_count)));
                        row.col(|ui| widgets::right_text(ui, thousands(d.deleted_count)));
                        row.col(|ui| widgets::right_text(ui, signed_count(d.count_delta)));
                        row.col(|ui| widgets::right_text(ui, bytes(d.alloc_size as f64)));
                        row.col(|ui| widgets::right_text(ui, bytes(d.freed_size as f64)));
                        row.col(|ui| widgets::right_text(ui, signed_bytes(d.size_delta as f64)));
                    }
                    Row::Item { level, index, depth } => {
                        let expanded = cmp.tree.is_expanded(level, index);
                        match &cmp.tree.level(level).items {
                            Items::Diff { added, deleted } if (index as usize) >= added.len() => {
                                // A deleted object: it lives in the base snapshot.
                                let v = deleted[index as usize - added.len()];
                                let b = &c.base;
                                row.col(|ui| {
                                    widgets::tree_toggle(ui, depth, false, false);
                                    let job = widgets::job(
                                        ui,
                                        [
                                            RichText::new("deleted").color(widgets::accent(ui)).small(),
                                            RichText::new(preview(b.class_name(v), 60)).weak(),
                                        ],
                                    );
                                    widgets::truncated(
                                        ui,
                                        job,
                                        Some(id_text(b.graph.id(v)).into()),
                                        false,
                                        egui::Sense::hover(),
                                    );
                                });
                                for _ in 0..4 {
                                    row.col(|_| {});
                                }
                                row.col(|ui| widgets::right_text(ui, bytes(b.graph.self_size(v) as f64)));
                                row.col(|_| {});
                                if row.response().clicked()
                                    && let Some(base) = cmp.base
                                {
                                    *reveal = Some((base, v));
                                }
                                row.response()
                                    .on_hover_text("Deleted since the base snapshot: click to see it there");
                                return;
                            }
                            items => {
                                let (v, edge) = match items {
                                    Items::Edges { edges, .. } => {
                                        let e = edges[index as usize];
                                        (g.to(e), Some(e))
                                    }
                                    _ => match node {
                                        Some(v) => (v, None),
                                        None => return,
                                    },
                                };
                                let is_new = matches!(items, Items::Diff { .. });
                                row.col(|ui| {
                                    if widgets::tree_toggle(ui, depth, g.has_edges(v), expanded) {
                                        actions.push(Action::Toggle { level, index });
                                    }
                                    let before = if is_new {
                                        vec![RichText::new("new").color(egui::Color32::from_rgb(90, 170, 90)).small()]
                                    } else {
                                        Vec::new()
                                    };
                                    object_cell_with(ui, s, v, edge, before, Vec::new());
                                });
                                for _ in 0..3 {
                                    row.col(|_| {});
                                }
                                row.col(|ui| widgets::right_text(ui, bytes(g.self_size(v) as f64)));
                                row.col(|_| {});
                                row.col(|_| {});
                                object_row_extras(&row.response(), s, v, &mut actions);
                            }
                        }
                    }
                    Row::More { level, depth } => more_row(&mut row, &cmp.tree, level, depth, 7, &mut actions),
                    Row::Pending { level, depth } => pending_row(&mut row, &cmp.tree.level(level).items, depth, 7),
                }
                let resp = row.response();
                if resp.clicked() {
                    actions.push(Action::Cursor(i));
                    if let Some(v) = node {
                        actions.push(Action::Select(v));
                    }
                }
            });
        });
    let moved = finish(
        ui,
        rows,
        &mut cmp.tree,
        cmp.cursor,
        keys,
        |t, r| match r {
            Row::Item { level, .. } if level > 0 => row_node(t, r, g),
            _ => None,
        },
        &mut actions,
    );
    if let Some(col) = sort_clicked {
        if cmp.sort == col {
            cmp.descending = !cmp.descending;
        } else {
            cmp.sort = col;
            cmp.descending = col != DiffColumn::Constructor;
        }
        cmp.reorder();
    }
    // A click or key in the view's table gives the keyboard back to the view.
    if moved {
        doc.keys_to_panel = false;
    }
    let actions = apply_common(actions, &mut cmp.tree, &mut cmp.cursor);
    for a in actions {
        match a {
            Action::Toggle { level, index } => {
                let Some(cs) = &mut doc.comparison else { continue };
                if cs.tree.is_expanded(level, index) {
                    cs.tree.collapse(level, index);
                } else if level == 0 {
                    let d = &c.rows[index as usize];
                    cs.tree.expand(
                        0,
                        index,
                        Items::Diff {
                            added: Arc::new(d.added.clone()),
                            deleted: Arc::new(d.deleted.clone()),
                        },
                        PAGE,
                    );
                } else if let Some(v) = row_node(&cs.tree, Row::Item { level, index, depth: 0 }, g)
                    && g.has_edges(v)
                {
                    cs.tree.expand(level, index, edges_items(s, v), PAGE);
                }
            }
            other => doc.object_action(other, waker),
        }
    }
}
