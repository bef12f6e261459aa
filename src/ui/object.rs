//! The selected object: its retainer tree, its path to the GC roots, and its details.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::doc::{Doc, current_distance, distance_text, edge_ignored, is_weak, retainer_at, retainers_task};
use super::table::{Action, keyboard, more_row, object_label, object_table, pending_label};
use super::tree::{Items, PAGE, Row};
use super::widgets::{self, ROW_HEIGHT, id_text, kv, size_cell};
use crate::analysis::Snapshot;
use crate::analysis::query::{self, display_name, edge_label};
use crate::engine::task::Waker;
use crate::model::{NodeId, NodeKind};
use crate::report::preview;
use crate::units;

/// The retainer tree of the selected object, expanded along the shortest path.
pub fn retainers(ui: &mut Ui, doc: &mut Doc, snapshot: &Arc<Snapshot>, waker: &Waker) {
    let Some(obj) = &mut doc.object else {
        ui.centered_and_justified(|ui| {
            ui.label(RichText::new("Select an object to see what retains it.").weak());
        });
        return;
    };
    let g = &snapshot.graph;
    let total = snapshot.total_size;
    let mut actions: Vec<Action> = Vec::new();
    let mut ignore: Option<NodeId> = None;
    let mut reroot: Option<NodeId> = None;
    let mut restore = false;
    ui.horizontal(|ui| {
        ui.label(RichText::new("Retainers of").strong());
        object_label(ui, snapshot, obj.node, None);
        if !obj.ignored.is_empty() {
            ui.separator();
            ui.label(RichText::new(format!("{} ignored", obj.ignored.len())).weak());
            restore = ui.button("Restore ignored").clicked();
            if obj.distances.as_ref().is_some_and(|t| !t.is_done()) {
                ui.spinner();
                ui.label(RichText::new("recomputing distances…").weak());
            }
        }
    });
    let rows = obj.retainers.take_rows(None);
    if rows.is_empty() {
        ui.label(RichText::new("Nothing retains this object (it is the root, or only the root holds it).").weak());
    }
    let selected_cursor = obj.cursor;
    object_table(ui, "retainers").body(|body| {
        body.rows(ROW_HEIGHT, rows.len(), |mut row| {
            let i = row.index();
            let r = rows.get(i);
            row.set_selected(selected_cursor == Some(i));
            match r {
                Row::Item { level, index, depth } => {
                    let Some(ret) = retainer_at(&obj.retainers, level, index) else {
                        return;
                    };
                    let v = ret.from;
                    let d = current_distance(snapshot, obj, v);
                    let ancestry = obj.retainers.ancestry(level, index);
                    let cycled = v == obj.node
                        || ancestry
                            .iter()
                            .rev()
                            .skip(1)
                            .filter_map(|&(l, x)| retainer_at(&obj.retainers, l, x))
                            .any(|x| x.from == v);
                    let weak = is_weak(snapshot, ret.edge);
                    let dim = weak || obj.ignored.contains(&v) || d < 0 || edge_ignored(obj, ret.edge);
                    let expanded = obj.retainers.is_expanded(level, index);
                    let expandable = !cycled && !weak && snapshot.retainers.count(v) > 0;
                    row.col(|ui| {
                        if dim {
                            ui.set_opacity(0.5);
                        }
                        if widgets::tree_toggle(ui, depth, expandable, expanded) {
                            actions.push(Action::Toggle { level, index });
                        }
                        object_label(ui, snapshot, v, Some(ret.edge));
                        if cycled {
                            ui.label(RichText::new("↻ cycle").color(widgets::accent(ui)).small())
                                .on_hover_text("This object already appears above in this chain");
                        }
                        if weak {
                            ui.label(RichText::new("weak").weak().small());
                        }
                        if obj.ignored.contains(&v) {
                            ui.label(RichText::new("ignored").weak().small());
                        }
                    });
                    row.col(|ui| widgets::right_text(ui, distance_text(d)));
                    row.col(|ui| size_cell(ui, g.self_size[v as usize] as f64, total));
                    row.col(|ui| size_cell(ui, snapshot.retained.get(v), total));
                    let resp = row.response();
                    if resp.clicked() {
                        actions.push(Action::Cursor(i));
                    }
                    if resp.double_clicked() && expandable {
                        actions.push(Action::Toggle { level, index });
                    }
                    resp.context_menu(|ui| {
                        if ui.button("Ignore this retainer").clicked() {
                            ignore = Some(v);
                            ui.close();
                        }
                        if ui.button("Select this object").clicked() {
                            reroot = Some(v);
                            ui.close();
                        }
                    });
                }
                Row::More { level, depth } => more_row(&mut row, &obj.retainers, level, depth, 4, &mut actions),
                Row::Pending { level, depth } => {
                    row.col(|ui| {
                        ui.add_space(widgets::indent(depth) + widgets::INDENT);
                        match &obj.retainers.level(level).items {
                            Items::Failed(e) if e.is_empty() => {
                                ui.label(RichText::new("No retainers").weak());
                            }
                            items => pending_label(ui, items),
                        }
                    });
                    for _ in 0..3 {
                        row.col(|_| {});
                    }
                }
            }
        });
    });
    keyboard(
        ui,
        &rows,
        obj.cursor,
        |r| match r {
            Row::Item { level, index, .. } => retainer_at(&obj.retainers, level, index).map(|x| x.from),
            _ => None,
        },
        &mut actions,
    );
    obj.retainers.put_rows(rows);
    for a in actions {
        match a {
            Action::Cursor(i) => obj.cursor = Some(i),
            Action::More { level, all } => obj.retainers.show_more(level, all),
            Action::Toggle { level, index } => {
                if obj.retainers.is_expanded(level, index) {
                    obj.retainers.collapse(level, index);
                } else if let Some(r) = retainer_at(&obj.retainers, level, index) {
                    let items = retainers_task(snapshot, r.from, obj, waker);
                    obj.retainers.expand(level, index, items, PAGE);
                }
            }
            // Moving the cursor in the retainer tree must not re-root it.
            Action::Select(_) => {}
        }
    }
    if let Some(v) = ignore {
        doc.ignore_retainer(v, waker);
    }
    if restore {
        doc.restore_ignored(waker);
    }
    if let Some(v) = reroot {
        doc.select(v, waker);
    }
}

/// The flat root-to-object chain, one line per hop, made to read well in a screenshot.
pub fn path_to_root(ui: &mut Ui, doc: &mut Doc, snapshot: &Arc<Snapshot>, waker: &Waker) {
    let Some(obj) = &doc.object else { return };
    let g = &snapshot.graph;
    let mut select = None;
    ui.horizontal(|ui| {
        ui.label(RichText::new("Path to root").strong());
        if let Some(Ok(Some(hops))) = obj.path.get() {
            ui.label(RichText::new(format!("{} hops", hops.len().saturating_sub(1))).weak());
            if ui
                .button("📋 Copy as text")
                .on_hover_text("Copy the chain for a bug report")
                .clicked()
            {
                ui.ctx().copy_text(path_text(snapshot, hops));
            }
        }
    });
    ui.add_space(4.0);
    match widgets::task_value(ui, &obj.path, RichText::new("Finding the shortest path…").weak()) {
        None => {}
        Some(None) => {
            ui.label(RichText::new("No path: only weak references or unreachable objects hold this object.").weak());
        }
        Some(Some(hops)) => {
            egui::ScrollArea::vertical()
                .id_salt("path")
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    egui::Grid::new("path-grid")
                        .num_columns(2)
                        .spacing([10.0, 3.0])
                        .show(ui, |ui| {
                            for (i, h) in hops.iter().enumerate() {
                                ui.label(RichText::new(format!("{i:>2}")).weak().monospace());
                                ui.horizontal(|ui| {
                                    if let Some(e) = h.edge {
                                        ui.label(
                                            RichText::new(edge_label(g, e))
                                                .color(widgets::edge_color(ui))
                                                .monospace(),
                                        );
                                        ui.label(RichText::new("→").weak());
                                    }
                                    let class = snapshot.display_class(h.node);
                                    let last = i + 1 == hops.len();
                                    let text = RichText::new(preview(class, 60)).color(widgets::class_color(ui));
                                    let text = if last { text.strong() } else { text };
                                    if ui.add(egui::Label::new(text).sense(egui::Sense::click())).clicked() {
                                        select = Some(h.node);
                                    }
                                    let name = display_name(g, h.node);
                                    if !name.is_empty() && name != class {
                                        ui.label(RichText::new(format!("“{}”", preview(&name, 40))).weak());
                                    }
                                    ui.label(id_text(g.id(h.node)));
                                    ui.label(
                                        RichText::new(units::bytes(snapshot.retained.get(h.node)))
                                            .weak()
                                            .small(),
                                    );
                                });
                                ui.end_row();
                            }
                        });
                });
        }
    }
    if let Some(v) = select {
        doc.select(v, waker);
    }
}

/// The chain as plain text, root first.
pub fn path_text(snapshot: &Snapshot, hops: &[query::Hop]) -> String {
    let g = &snapshot.graph;
    let mut out = String::new();
    for h in hops {
        if let Some(e) = h.edge {
            out.push_str(&format!("  {} → ", edge_label(g, e)));
        }
        let name = display_name(g, h.node);
        let class = snapshot.display_class(h.node);
        out.push_str(&format!("{} @{}", class, g.id(h.node)));
        if !name.is_empty() && name != class {
            out.push_str(&format!(" “{}”", preview(&name, 60)));
        }
        out.push_str(&format!(
            "  (retains {})\n",
            units::bytes(snapshot.retained.get(h.node))
        ));
    }
    out
}

/// Id, type, class, name or string value, sizes, distance and the dominator chain.
pub fn inspector(ui: &mut Ui, doc: &mut Doc, snapshot: &Arc<Snapshot>, waker: &Waker) {
    let Some(obj) = &doc.object else {
        ui.label(RichText::new("No object selected.").weak());
        return;
    };
    let v = obj.node;
    let g = &snapshot.graph;
    let mut select = None;
    ui.horizontal(|ui| {
        ui.heading(RichText::new(preview(snapshot.class_name(v), 60)).color(widgets::class_color(ui)));
        ui.label(id_text(g.id(v)).size(16.0));
    });
    egui::Grid::new("inspector")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            kv(ui, "Type", g.type_name(v));
            let name = display_name(g, v);
            let len = name.chars().count();
            if g.kind(v).is_string() {
                kv(ui, "Value", format!("\"{}\"", preview(&name, 200)));
                kv(ui, "Length", format!("{} characters", units::thousands(len as u64)));
            } else if !name.is_empty() && name != snapshot.class_name(v) {
                kv(ui, "Name", preview(&name, 200));
            }
            let total = snapshot.total_size;
            let shallow = g.self_size[v as usize] as f64;
            kv(
                ui,
                "Shallow size",
                format!("{}  ({})", units::bytes(shallow), units::percent(shallow, total)),
            );
            let r = snapshot.retained.get(v);
            kv(
                ui,
                "Retained size",
                format!("{}  ({})", units::bytes(r), units::percent(r, total)),
            );
            kv(ui, "Distance", distance_text(snapshot.distances[v as usize]));
            if let Some(l) = snapshot.classes.info[snapshot.classes.of_node[v as usize] as usize].location {
                kv(
                    ui,
                    "Defined at",
                    format!("script {}, line {}, column {}", l.script_id, l.line + 1, l.column + 1),
                );
            }
            if g.kind(v) == NodeKind::Native && g.detachedness[v as usize] == 2 {
                kv(ui, "DOM", RichText::new("detached").color(widgets::accent(ui)));
            }
            kv(ui, "Retainers", units::thousands(snapshot.retainers.count(v) as u64));
            kv(ui, "References", units::thousands(g.edges(v).len() as u64));
        });
    ui.add_space(6.0);
    ui.label(RichText::new("Dominator chain").strong());
    for d in query::dominator_chain(snapshot, v).into_iter().skip(1).take(40) {
        ui.horizontal(|ui| {
            let class = snapshot.display_class(d);
            let text = RichText::new(preview(class, 50)).color(widgets::class_color(ui));
            if ui
                .add(egui::Label::new(text).sense(egui::Sense::click()))
                .on_hover_text("Select")
                .clicked()
            {
                select = Some(d);
            }
            ui.label(id_text(g.id(d)));
            ui.label(RichText::new(units::bytes(snapshot.retained.get(d))).weak().small());
        });
    }
    if !doc.history.is_empty() && ui.button("⬅ Back").clicked() {
        doc.back(waker);
        return;
    }
    if let Some(d) = select {
        doc.select(d, waker);
    }
}
