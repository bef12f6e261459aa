//! The selected object: its retainer tree, its path to the GC roots, and its details.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::doc::{Doc, PathMode, current_distance, edge_ignored, is_weak, retainer_at, retainers_task};
use super::table::{
    Action, apply_common, finish, more_row, object_cell, object_cell_with, object_menu, object_preview,
    object_table_scrolled, pending_label,
};
use super::tree::{Items, PAGE, Row};
use super::widgets::{self, ROW_HEIGHT, id_text, size_cell};
use crate::analysis::Snapshot;
use crate::analysis::query::{self, display_name, edge_label};
use crate::engine::task::Waker;
use crate::model::{EdgeId, NodeId, NodeKind};
use crate::present::names::{self, object_label};
use crate::text::{self, preview};

/// The retainer tree of the selected object, expanded along the shortest path.
/// `keys`: this table takes the keyboard (it is the view, or the panel was clicked last).
pub fn retainers(ui: &mut Ui, doc: &mut Doc, snapshot: &Arc<Snapshot>, waker: &Waker, keys: bool) {
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
    let mut restore_one: Option<NodeId> = None;
    ui.horizontal(|ui| {
        ui.label(RichText::new("Retainers of").strong());
        object_cell(ui, snapshot, obj.node, None);
    });
    if !obj.ignored.is_empty() {
        let mut ignored: Vec<NodeId> = obj.ignored.iter().copied().collect();
        ignored.sort_unstable();
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("Ignored ({}):", ignored.len())).weak())
                .on_hover_text("Distances, this tree and the path to root are computed as if these objects did not retain anything");
            for v in ignored {
                let text = format!("{} @{}  ✕", preview(&object_label(snapshot, v), 32), g.id(v));
                if ui.small_button(text).on_hover_text("Restore this retainer").clicked() {
                    restore_one = Some(v);
                }
            }
            restore = ui.small_button("Restore all").clicked();
            if obj.distances.as_ref().is_some_and(|t| !t.is_done()) {
                ui.spinner();
                ui.label(RichText::new("recomputing distances…").weak());
            }
        });
    }
    let rows = obj.retainers.take_rows(None);
    if rows.is_empty() {
        ui.label(RichText::new("Nothing retains this object (it is the root, or only the root holds it).").weak());
    }
    let selected_cursor = obj.cursor;
    object_table_scrolled(ui, "retainers", &mut obj.retainers).body(|body| {
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
                    let dim = weak || obj.ignored.contains(&v) || !d.is_reachable() || edge_ignored(obj, ret.edge);
                    let expanded = obj.retainers.is_expanded(level, index);
                    let expandable = !cycled && !weak && snapshot.retainers.count(v) > 0;
                    row.col(|ui| {
                        if dim {
                            ui.set_opacity(0.5);
                        }
                        if widgets::tree_toggle(ui, depth, expandable, expanded) {
                            actions.push(Action::Toggle { level, index });
                        }
                        let mut marks = Vec::new();
                        if cycled {
                            marks.push(RichText::new("↻ cycle").color(widgets::accent(ui)).small());
                        }
                        if weak {
                            marks.push(RichText::new("weak").weak().small());
                        }
                        if obj.ignored.contains(&v) {
                            marks.push(RichText::new("ignored").weak().small());
                        }
                        object_cell_with(ui, snapshot, v, Some(ret.edge), Vec::new(), marks);
                    });
                    row.col(|ui| widgets::right_text(ui, d.to_string()));
                    row.col(|ui| size_cell(ui, g.self_size(v) as f64, total));
                    row.col(|ui| size_cell(ui, snapshot.retained.get(v), total));
                    let resp = row.response();
                    if resp.clicked() {
                        actions.push(Action::Cursor(i));
                    }
                    if resp.double_clicked() && expandable {
                        actions.push(Action::Toggle { level, index });
                    }
                    let resp = resp.on_hover_ui(|ui| object_preview(ui, snapshot, v));
                    resp.context_menu(|ui| {
                        if ui.button("Ignore this retainer").clicked() {
                            ignore = Some(v);
                            ui.close();
                        }
                        if ui.button("Select this object").clicked() {
                            reroot = Some(v);
                            ui.close();
                        }
                        ui.separator();
                        object_menu(ui, snapshot, v, &mut actions);
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
    let moved = finish(
        ui,
        rows,
        &mut obj.retainers,
        obj.cursor,
        keys,
        |t, r| match r {
            Row::Item { level, index, .. } => retainer_at(t, level, index).map(|x| x.from),
            _ => None,
        },
        &mut actions,
    );
    // A click or key in the panel below a view keeps the keyboard in the panel.
    let mut shared = Vec::new();
    for a in apply_common(actions, &mut obj.retainers, &mut obj.cursor) {
        match a {
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
            other => shared.push(other),
        }
    }
    if moved && doc.view != super::doc::View::Retainers {
        doc.keys_to_panel = true;
    }
    for a in shared {
        doc.object_action(a, waker);
    }
    if let Some(v) = ignore {
        doc.ignore_retainer(v, waker);
    }
    if restore {
        doc.restore_ignored(waker);
    }
    if let Some(v) = restore_one {
        doc.restore_retainer(v, waker);
    }
    if let Some(v) = reroot {
        doc.select(v, waker);
    }
}

/// The flat root-to-object chain, one line per hop, made to read well in a screenshot.
pub fn path_to_root(ui: &mut Ui, doc: &mut Doc, snapshot: &Arc<Snapshot>, waker: &Waker) {
    let Some(obj) = &doc.object else { return };
    let mut select = None;
    let mut mode = doc.path_mode;
    let ignoring = !obj.ignored.is_empty();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Path to root").strong());
        if let Some(Ok(Some(hops))) = obj.path.get() {
            ui.label(RichText::new(format!("{} hops", hops.len().saturating_sub(1))).weak());
        }
        ui.add_enabled_ui(!ignoring, |ui| {
            ui.selectable_value(&mut mode, PathMode::Readable, "Readable")
                .on_hover_text(
                    "The path a person reads as the cause: no __proto__, constructor or V8-internal hops, \
                 weak references or DevTools' own roots where another path exists",
                );
            ui.selectable_value(&mut mode, PathMode::Shortest, "Shortest, as DevTools")
                .on_hover_text("DevTools' shortest path (the one the Retainers tree expands)");
        });
        if let Some(Ok(Some(hops))) = obj.path.get()
            && ui
                .button("📋 Copy as text")
                .on_hover_text("Copy the chain for a bug report")
                .clicked()
        {
            ui.ctx().copy_text(names::path_text(snapshot, hops));
        }
    });
    if ignoring {
        ui.label(
            RichText::new("Shortest path without the ignored retainers.")
                .weak()
                .small(),
        );
    }
    ui.add_space(4.0);
    let busy = match (ignoring, doc.path_mode) {
        (false, PathMode::Readable) => "Finding a readable path…",
        _ => "Finding the shortest path…",
    };
    match widgets::task_value(ui, &obj.path, RichText::new(busy).weak()) {
        None => {}
        Some(None) => {
            ui.label(RichText::new("No path: only weak references or unreachable objects hold this object.").weak());
        }
        Some(Some(hops)) => {
            for (i, h) in hops.iter().enumerate() {
                if hop_line(ui, snapshot, Some(i), h.edge, h.node, i + 1 == hops.len()) {
                    select = Some(h.node);
                }
            }
        }
    }
    if mode != doc.path_mode {
        doc.set_path_mode(mode, waker);
    }
    if let Some(v) = select {
        doc.select(v, waker);
    }
}

/// The source around a definition, its line marked, in a screenshot-friendly code block.
fn source_lines(ui: &mut Ui, lines: &[(u32, String, bool)]) {
    egui::Frame::group(ui.style())
        .fill(ui.visuals().extreme_bg_color)
        .inner_margin(6.0)
        .show(ui, |ui| {
            ui.spacing_mut().item_spacing.y = 1.0;
            for (n, text, here) in lines {
                let number = RichText::new(format!("{n:>5} ")).monospace().weak();
                let code = RichText::new(text.replace('\t', "    ")).monospace();
                let code = if *here { code.color(widgets::accent(ui)) } else { code };
                let job = widgets::job(ui, [number, code]);
                widgets::truncated(ui, job, None, true, egui::Sense::hover());
            }
        });
}

/// One hop of a chain on one line: `n  edge → Class “name”` cut with "…" where the panel is
/// narrow, then the `@id` and retained size, which always show. True when the object was clicked.
pub(crate) fn hop_line(
    ui: &mut Ui,
    snapshot: &Snapshot,
    index: Option<usize>,
    edge: Option<EdgeId>,
    node: NodeId,
    strong: bool,
) -> bool {
    let g = &snapshot.graph;
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        if let Some(i) = index {
            ui.label(RichText::new(format!("{i:>2}")).weak().monospace());
        }
        let mut parts = Vec::new();
        if let Some(e) = edge {
            parts.push(
                RichText::new(edge_label(g, e))
                    .color(widgets::edge_color(ui))
                    .monospace(),
            );
            parts.push(RichText::new("→").weak());
        }
        let class = names::hop_label(snapshot, node);
        let text = RichText::new(preview(&class, 80)).color(widgets::class_color(ui));
        parts.push(if strong { text.strong() } else { text });
        if let Some(name) = names::own_name(snapshot, node, 60) {
            parts.push(RichText::new(format!("“{name}”")).weak());
        }
        let job = widgets::job(ui, parts);
        let tail = widgets::job(
            ui,
            [
                id_text(g.id(node)),
                RichText::new(text::bytes(snapshot.retained.get(node))).weak().small(),
            ],
        );
        widgets::truncated(ui, job, Some(tail.into()), true, egui::Sense::click())
            .on_hover_cursor(egui::CursorIcon::PointingHand)
            .clicked()
    })
    .inner
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
        let job = widgets::job(
            ui,
            [RichText::new(preview(snapshot.class_name(v), 80))
                .color(widgets::class_color(ui))
                .size(18.0)],
        );
        widgets::truncated(
            ui,
            job,
            Some(id_text(g.id(v)).size(16.0).into()),
            true,
            egui::Sense::hover(),
        );
    });
    widgets::field(ui, "Type", g.type_name(v));
    let name = display_name(g, v);
    let len = name.chars().count();
    if g.kind(v).is_string() {
        widgets::field(ui, "Value", format!("\"{}\"", preview(&name, 200)));
        widgets::field(ui, "Length", format!("{} characters", text::thousands(len as u64)));
    } else if !name.is_empty() && name != snapshot.class_name(v) {
        widgets::field(ui, "Name", preview(&name, 200));
    }
    let total = snapshot.total_size;
    let shallow = g.self_size(v) as f64;
    widgets::field(
        ui,
        "Shallow size",
        format!("{}  ({})", text::bytes(shallow), text::percent(shallow, total)),
    );
    let r = snapshot.retained.get(v);
    widgets::field(
        ui,
        "Retained size",
        format!("{}  ({})", text::bytes(r), text::percent(r, total)),
    );
    let original = snapshot.distances[v];
    let current = current_distance(snapshot, obj, v);
    if obj.ignored.is_empty() || current == original {
        widgets::field(ui, "Distance", current.to_string());
    } else {
        widgets::field(
            ui,
            "Distance",
            RichText::new(format!(
                "{}  (was {} before ignoring retainers)",
                current,
                original
            ))
            .color(widgets::accent(ui)),
        );
    }
    let location = snapshot.location_of(v);
    if let Some(l) = location {
        widgets::field(ui, "Defined at", snapshot.scripts.format(l)).on_hover_text(snapshot.scripts.format_full(l));
    }
    if g.kind(v) == NodeKind::Native && g.detachedness(v) == 2 {
        widgets::field(ui, "DOM", RichText::new("detached").color(widgets::accent(ui)));
    }
    widgets::field(ui, "Retainers", text::thousands(snapshot.retainers.count(v) as u64));
    widgets::field(ui, "References", text::thousands(g.edges(v).len() as u64));
    if let Some(l) = location
        && let Some(lines) = snapshot.scripts.source_lines(g, l, 3)
    {
        source_lines(ui, &lines);
    }
    ui.add_space(6.0);
    ui.label(RichText::new("Dominator chain").strong())
        .on_hover_text("The objects that must be freed before this one can be, nearest first");
    for d in query::dominator_chain(snapshot, v).into_iter().skip(1).take(40) {
        if hop_line(ui, snapshot, None, None, d, false) {
            select = Some(d);
        }
    }
    if let Some(d) = select {
        doc.select(d, waker);
    }
}
