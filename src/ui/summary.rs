//! The Summary view: constructors, their instances, and each instance's references.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::{Column as TableColumn, TableBuilder};

use super::doc::{Column, Doc, distance_text, edges_items, instances_task};
use super::tree::{FlatRows, Items, PAGE, Row, Tree};
use super::widgets::{self, ROW_HEIGHT, id_text, size_cell};
use crate::analysis::Snapshot;
use crate::analysis::aggregates::ClassRow;
use crate::analysis::query::{display_name, edge_label};
use crate::engine::task::Waker;
use crate::model::NodeId;
use crate::report::preview;
use crate::units::thousands;

/// What a click or key asks for; applied after the table is drawn.
pub enum Action {
    Toggle { level: u32, index: u32 },
    More { level: u32, all: bool },
    Select(NodeId),
    Cursor(usize),
}

/// The object a tree row stands for, if any.
pub fn row_node(tree: &Tree, row: Row, g: &crate::model::Graph) -> Option<NodeId> {
    let Row::Item { level, index, .. } = row else {
        return None;
    };
    match &tree.level(level).items {
        Items::Nodes(list) => list.get(index as usize).copied(),
        Items::Edges { edges, .. } => edges.get(index as usize).map(|&e| g.to(e)),
        Items::Retainers { list, .. } => list.get(index as usize).map(|r| r.from),
        Items::Diff { added, .. } => added.get(index as usize).copied(),
        _ => None,
    }
}

pub fn show(
    ui: &mut Ui,
    doc: &mut Doc,
    snapshot: &Arc<Snapshot>,
    waker: &Waker,
    focus_filter: bool,
    others: &[super::compare::Candidate],
) {
    let mut actions: Vec<Action> = Vec::new();
    toolbar(ui, doc, waker, focus_filter);
    range_picker(ui, doc, snapshot, others, waker);
    ui.separator();
    let Some(summary) = &mut doc.summary else {
        return;
    };
    let total = snapshot.total_size;
    let rows = summary.tree.take_rows(Some(&summary.order));
    let selected = doc.object.as_ref().map(|o| o.node);
    let scroll_to = summary.scroll_to.take();
    let g = &snapshot.graph;

    let mut table = tree_table(ui, "summary")
        .column(TableColumn::remainder().at_least(260.0).clip(true))
        .column(TableColumn::initial(64.0).at_least(56.0))
        .column(TableColumn::initial(128.0).at_least(110.0))
        .column(TableColumn::initial(136.0).at_least(110.0));
    if let Some(r) = scroll_to {
        table = table
            .scroll_to_row(r, Some(egui::Align::Center))
            .animate_scrolling(false);
    }
    let sort = (summary.sort, summary.descending);
    let mut sort_clicked = None;
    table
        .header(ROW_HEIGHT + 4.0, |mut header| {
            for (col, name) in [
                (Column::Constructor, "Constructor"),
                (Column::Distance, "Distance"),
                (Column::Shallow, "Shallow Size"),
                (Column::Retained, "Retained Size"),
            ] {
                header.col(|ui| {
                    let arrow = match sort {
                        (c, true) if c == col => " ⏷",
                        (c, false) if c == col => " ⏶",
                        _ => "",
                    };
                    if ui
                        .add(egui::Button::new(RichText::new(format!("{name}{arrow}")).strong()).frame(false))
                        .on_hover_text("Sort by this column")
                        .clicked()
                    {
                        sort_clicked = Some(col);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                let i = row.index();
                let r = rows.get(i);
                let node = row_node_summary(&summary.tree, r, g);
                row.set_selected(summary.cursor == Some(i) || (node.is_some() && node == selected));
                match r {
                    Row::Item { level: 0, index, depth } => {
                        let c = &summary.rows[index as usize];
                        let expanded = summary.tree.is_expanded(0, index);
                        row.col(|ui| {
                            if widgets::tree_toggle(ui, depth, true, expanded) {
                                actions.push(Action::Toggle { level: 0, index });
                            }
                            class_label(ui, c);
                        });
                        row.col(|ui| widgets::right_text(ui, distance_text(c.distance)));
                        row.col(|ui| size_cell(ui, c.shallow_size as f64, total));
                        row.col(|ui| size_cell(ui, c.retained_size, total));
                    }
                    Row::Item { level, index, depth } => {
                        let expanded = summary.tree.is_expanded(level, index);
                        let (v, edge) = match &summary.tree.level(level).items {
                            Items::Nodes(list) => (list[index as usize], None),
                            Items::Edges { edges, .. } => {
                                let e = edges[index as usize];
                                (g.to(e), Some(e))
                            }
                            _ => return,
                        };
                        let expandable = !g.edges(v).is_empty();
                        row.col(|ui| {
                            if widgets::tree_toggle(ui, depth, expandable, expanded) {
                                actions.push(Action::Toggle { level, index });
                            }
                            object_label(ui, snapshot, v, edge);
                        });
                        object_cells(&mut row, snapshot, v);
                    }
                    Row::More { level, depth } => more_row(&mut row, &summary.tree, level, depth, 4, &mut actions),
                    Row::Pending { level, depth } => pending_row(&mut row, &summary.tree.level(level).items, depth, 4),
                }
                row_clicks(&row.response(), i, r, node, &mut actions);
            });
        });
    if let Some(col) = sort_clicked {
        summary.set_sort(col);
    }
    keyboard(
        ui,
        &rows,
        summary.cursor,
        |r| row_node_summary(&summary.tree, r, g),
        &mut actions,
    );
    summary.tree.put_rows(rows);
    apply(doc, snapshot, waker, actions);
}

/// Like [`row_node`] but edge rows stand for their target.
fn row_node_summary(tree: &Tree, row: Row, g: &crate::model::Graph) -> Option<NodeId> {
    match row {
        Row::Item { level: 0, .. } => None,
        _ => row_node(tree, row, g),
    }
}

fn toolbar(ui: &mut Ui, doc: &mut Doc, waker: &Waker, focus_filter: bool) {
    ui.horizontal(|ui| {
        let Some(summary) = &mut doc.summary else {
            return;
        };
        let filter = ui.add(
            egui::TextEdit::singleline(&mut summary.filter)
                .hint_text("Filter by class name (Ctrl+F)")
                .desired_width(260.0),
        );
        if focus_filter {
            filter.request_focus();
        }
        if filter.changed() {
            summary.reorder();
        }
        if filter.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            summary.filter.clear();
            summary.reorder();
        }
        ui.label(RichText::new(format!("{} of {} classes", summary.order.len(), summary.rows.len())).weak());
        ui.separator();
        let jump = ui.add(
            egui::TextEdit::singleline(&mut doc.jump)
                .hint_text("@id")
                .desired_width(100.0),
        );
        let go = ui.button("Find object").on_hover_text("Select the object with this id");
        if go.clicked() || (jump.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))) {
            doc.jump_to(waker);
        }
        if doc.jump_task.is_some() {
            ui.spinner();
        }
        if let Some(e) = &doc.jump_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    });
}

/// DevTools' "Objects allocated before S1 / between S(k-1) and Sk", from the open snapshots of
/// this process (ordered by their newest object id).
fn range_picker(
    ui: &mut Ui,
    doc: &mut Doc,
    snapshot: &Arc<Snapshot>,
    others: &[super::compare::Candidate],
    waker: &Waker,
) {
    let Some(summary) = &mut doc.summary else { return };
    let mut series: Vec<(String, u32)> = others
        .iter()
        .filter_map(|c| c.snapshot.as_ref().map(|s| (c.title.clone(), s.max_js_object_id)))
        .filter(|&(_, m)| m <= snapshot.max_js_object_id)
        .collect();
    series.push((doc.source.name(), snapshot.max_js_object_id));
    series.sort_by_key(|x| x.1);
    series.dedup_by_key(|x| x.1);
    if series.len() < 2 {
        return;
    }
    let mut choices: Vec<(Option<(u32, u32)>, String)> = vec![(None, "All objects".into())];
    choices.push((
        Some((0, series[0].1)),
        format!("Objects allocated before {}", series[0].0),
    ));
    for w in series.windows(2) {
        choices.push((
            Some((w[0].1, w[1].1)),
            format!("Objects allocated between {} and {}", w[0].0, w[1].0),
        ));
    }
    let mut picked = None;
    ui.horizontal(|ui| {
        let label = ui.label("Show");
        egui::ComboBox::from_id_salt("range")
            .selected_text(summary.range_label.clone())
            .width(420.0)
            .show_ui(ui, |ui| {
                for (range, label) in &choices {
                    if ui.selectable_label(summary.range == *range, label).clicked() {
                        picked = Some((*range, label.clone()));
                    }
                }
            })
            .response
            .labelled_by(label.id);
        if summary.range_task.is_some() {
            ui.spinner();
        }
    });
    if let Some((range, label)) = picked {
        summary.set_range(snapshot, range, label, waker);
    }
}

fn class_label(ui: &mut Ui, c: &ClassRow) {
    ui.label(
        RichText::new(preview(&c.name, 120))
            .color(widgets::class_color(ui))
            .strong(),
    );
    ui.label(RichText::new(format!("×{}", crate::units::thousands(c.count))).weak());
    if let Some(l) = c.location {
        ui.label(
            RichText::new(format!("script {} line {}", l.script_id, l.line + 1))
                .weak()
                .small(),
        )
        .on_hover_text("Where the constructor is defined (script id, line)");
    }
}

/// `prop :: Name @id` for an edge, `Name @id` for an object.
pub fn object_label(ui: &mut Ui, snapshot: &Snapshot, v: NodeId, edge: Option<usize>) {
    let g = &snapshot.graph;
    if let Some(e) = edge {
        ui.label(RichText::new(preview(&edge_label(g, e), 60)).color(widgets::edge_color(ui)));
        ui.label(RichText::new("::").weak());
    }
    let name = display_name(g, v);
    let class = snapshot.class_name(v);
    let text = if g.kind(v).is_string() {
        format!("\"{}\"", preview(&name, 80))
    } else if name.is_empty() || name == class {
        preview(class, 80)
    } else if g.kind(v) == crate::model::NodeKind::Closure {
        format!("{}()", preview(&name, 80))
    } else {
        preview(&name, 80)
    };
    ui.label(text);
    ui.label(id_text(g.id(v)));
}

pub fn pending_label(ui: &mut Ui, items: &Items) {
    match items {
        Items::Failed(e) if !e.is_empty() => {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        Items::Failed(_) => {}
        _ => {
            ui.spinner();
            ui.label(RichText::new("Loading…").weak());
        }
    }
}

/// Click selects the row (and its object), double click expands or collapses it.
pub fn row_clicks(resp: &egui::Response, i: usize, r: Row, node: Option<NodeId>, actions: &mut Vec<Action>) {
    if resp.clicked() {
        actions.push(Action::Cursor(i));
        if let Some(v) = node {
            actions.push(Action::Select(v));
        }
    }
    if resp.double_clicked()
        && let Row::Item { level, index, .. } = r
    {
        actions.push(Action::Toggle { level, index });
    }
}

/// Distance, shallow and retained size cells of an object row.
pub fn object_cells(row: &mut egui_extras::TableRow<'_, '_>, snapshot: &Snapshot, v: NodeId) {
    let total = snapshot.total_size;
    row.col(|ui| widgets::right_text(ui, distance_text(snapshot.distances[v as usize])));
    row.col(|ui| size_cell(ui, snapshot.graph.self_size[v as usize] as f64, total));
    row.col(|ui| size_cell(ui, snapshot.retained.get(v), total));
}

/// A virtual-scrolled tree table as every view draws it: striped, click to select.
pub fn tree_table<'a>(ui: &'a mut Ui, id: &str) -> TableBuilder<'a> {
    TableBuilder::new(ui)
        .id_salt(id)
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .min_scrolled_height(0.0)
        .auto_shrink([false, false])
}

/// The "12 of 3,400 shown · Show 100 more · Show all" row at the end of a paged level.
pub fn more_row(
    row: &mut egui_extras::TableRow<'_, '_>,
    tree: &Tree,
    level: u32,
    depth: u16,
    columns: usize,
    actions: &mut Vec<Action>,
) {
    let l = tree.level(level);
    let (shown, len) = (l.shown.min(l.items.len()), l.items.len());
    row.col(|ui| {
        ui.add_space(widgets::indent(depth) + widgets::INDENT);
        ui.label(
            RichText::new(format!(
                "{} of {} shown",
                thousands(shown as u64),
                thousands(len as u64)
            ))
            .weak(),
        );
        if ui
            .small_button(format!("Show {} more", PAGE.min(len - shown)))
            .clicked()
        {
            actions.push(Action::More { level, all: false });
        }
        if ui.small_button("Show all").clicked() {
            actions.push(Action::More { level, all: true });
        }
    });
    for _ in 1..columns {
        row.col(|_| {});
    }
}

/// The row of a level whose items are still being computed (or failed).
pub fn pending_row(row: &mut egui_extras::TableRow<'_, '_>, items: &Items, depth: u16, columns: usize) {
    row.col(|ui| {
        ui.add_space(widgets::indent(depth) + widgets::INDENT);
        pending_label(ui, items);
    });
    for _ in 1..columns {
        row.col(|_| {});
    }
}

/// Arrow keys move the cursor, Right/Left expand/collapse, Enter toggles.
pub fn keyboard(
    ui: &Ui,
    rows: &FlatRows,
    cursor: Option<usize>,
    node_of: impl Fn(Row) -> Option<NodeId>,
    actions: &mut Vec<Action>,
) {
    if ui.ctx().egui_wants_keyboard_input() || rows.is_empty() {
        return;
    }
    let (down, up, right, left, enter) = ui.input(|i| {
        (
            i.key_pressed(egui::Key::ArrowDown),
            i.key_pressed(egui::Key::ArrowUp),
            i.key_pressed(egui::Key::ArrowRight),
            i.key_pressed(egui::Key::ArrowLeft),
            i.key_pressed(egui::Key::Enter),
        )
    });
    let move_to = |i: usize, actions: &mut Vec<Action>| {
        actions.push(Action::Cursor(i));
        if let Some(v) = node_of(rows.get(i)) {
            actions.push(Action::Select(v));
        }
    };
    match cursor {
        None if down || up => move_to(0, actions),
        Some(c) if down && c + 1 < rows.len() => move_to(c + 1, actions),
        Some(c) if up && c > 0 => move_to(c - 1, actions),
        Some(c) if enter || right || left => {
            let r = rows.get(c);
            if let Row::Item { level, index, .. } = r {
                actions.push(Action::Toggle { level, index });
            } else if let Row::More { level, .. } = r {
                actions.push(Action::More { level, all: false });
            }
        }
        _ => {}
    }
}

/// Applies the cursor and paging actions every tree view shares; returns the others.
pub fn apply_common(actions: Vec<Action>, tree: &mut Tree, cursor: &mut Option<usize>) -> Vec<Action> {
    actions
        .into_iter()
        .filter_map(|a| match a {
            Action::Cursor(i) => {
                *cursor = Some(i);
                None
            }
            Action::More { level, all } => {
                tree.show_more(level, all);
                None
            }
            other => Some(other),
        })
        .collect()
}

fn apply(doc: &mut Doc, snapshot: &Arc<Snapshot>, waker: &Waker, actions: Vec<Action>) {
    let actions = match &mut doc.summary {
        Some(s) => apply_common(actions, &mut s.tree, &mut s.cursor),
        None => return,
    };
    for a in actions {
        match a {
            Action::Select(v) => doc.select(v, waker),
            Action::Cursor(_) | Action::More { .. } => {}
            Action::Toggle { level, index } => {
                let Some(s) = &mut doc.summary else { continue };
                if s.tree.is_expanded(level, index) {
                    s.tree.collapse(level, index);
                    continue;
                }
                let items = if level == 0 {
                    instances_task(snapshot, s.rows[index as usize].class, s.range, waker)
                } else {
                    let Some(v) = row_node(&s.tree, Row::Item { level, index, depth: 0 }, &snapshot.graph) else {
                        continue;
                    };
                    if snapshot.graph.edges(v).is_empty() {
                        continue;
                    }
                    edges_items(snapshot, v)
                };
                s.tree.expand(level, index, items, PAGE);
            }
        }
    }
}
