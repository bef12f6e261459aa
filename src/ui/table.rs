//! The tree table every view draws (Summary, Comparison, Retainers, Dominators): building it,
//! its shared rows and cells, and the actions a click or key asks for.

use egui::{RichText, Ui};
use egui_extras::{Column, Table, TableBuilder};

use super::doc::distance_text;
use super::tree::{FlatRows, Items, PAGE, Row, Tree};
use super::widgets::{self, ROW_HEIGHT, id_text, size_cell};
use crate::analysis::Snapshot;
use crate::analysis::query::{display_name, edge_label};
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

/// The columns of an object table: name, Distance, Shallow Size, Retained Size.
pub fn object_columns(t: TableBuilder<'_>) -> TableBuilder<'_> {
    t.column(Column::remainder().at_least(260.0).clip(true))
        .column(Column::initial(64.0).at_least(56.0))
        .column(Column::initial(128.0).at_least(110.0))
        .column(Column::initial(136.0).at_least(110.0))
}

/// An object tree table with its plain column titles (views that do not sort).
pub fn object_table<'a>(ui: &'a mut Ui, id: &str) -> Table<'a> {
    object_columns(tree_table(ui, id)).header(ROW_HEIGHT + 4.0, |h| {
        header(h, &["Object", "Distance", "Shallow Size", "Retained Size"])
    })
}

/// A header row of plain column titles.
pub fn header(mut h: egui_extras::TableRow<'_, '_>, names: &[&str]) {
    for name in names {
        h.col(|ui| {
            ui.strong(*name);
        });
    }
}

/// A column title that sorts by its column; shows the direction when active. True when clicked.
pub fn sort_header(ui: &mut Ui, name: &str, active: bool, descending: bool) -> bool {
    let arrow = match (active, descending) {
        (true, true) => " ⏷",
        (true, false) => " ⏶",
        _ => "",
    };
    ui.add(egui::Button::new(RichText::new(format!("{name}{arrow}")).strong()).frame(false))
        .on_hover_text("Sort by this column")
        .clicked()
}
