//! The tree table every view draws (Summary, Comparison, Retainers, Dominators): building it,
//! its shared rows and cells, and the actions a click or key asks for.

use egui::{RichText, Ui};
use egui_extras::{Column, Table, TableBuilder};

use super::tree::{FlatRows, Items, PAGE, Row, Tree};
use super::widgets::{self, ROW_HEIGHT, id_text, size_cell};
use crate::analysis::Snapshot;
use crate::analysis::query::{display_name, edge_label};
use crate::model::{EdgeId, NodeId};
use crate::present::names::object_label;
use crate::text::preview;
use crate::text::thousands;

/// What a click or key asks for; applied after the table is drawn.
pub enum Action {
    Toggle {
        level: u32,
        index: u32,
    },
    More {
        level: u32,
        all: bool,
    },
    Select(NodeId),
    Cursor(usize),
    /// A keyboard move: the cursor row must scroll into view.
    ScrollTo(usize),
    /// From a row's context menu.
    Reveal(NodeId),
    ShowRetainers(NodeId),
    CopyPath(NodeId),
}

/// Hover preview and context menu of a row standing for an object.
pub(crate) fn object_row_extras(resp: &egui::Response, snapshot: &Snapshot, v: NodeId, actions: &mut Vec<Action>) {
    let resp = resp.clone().on_hover_ui(|ui| object_preview(ui, snapshot, v));
    resp.context_menu(|ui| object_menu(ui, snapshot, v, actions));
}

/// The context-menu entries every object row shares.
pub(crate) fn object_menu(ui: &mut Ui, snapshot: &Snapshot, v: NodeId, actions: &mut Vec<Action>) {
    if ui.button("Reveal in Summary").clicked() {
        actions.push(Action::Reveal(v));
        ui.close();
    }
    if ui.button("Show retainers").clicked() {
        actions.push(Action::ShowRetainers(v));
        ui.close();
    }
    if ui.button("Copy @id").clicked() {
        ui.ctx().copy_text(format!("@{}", snapshot.graph.id(v)));
        ui.close();
    }
    if ui.button("Copy path as text").clicked() {
        actions.push(Action::CopyPath(v));
        ui.close();
    }
}

/// Properties listed in a preview, and edges looked at to find them (hidden and internal ones
/// are skipped), so a hover stays O(1) on objects with millions of edges.
const PREVIEW_PROPERTIES: usize = 8;
const PREVIEW_SCAN: usize = 400;

/// What hovering an object row shows, as DevTools' popover does: class, `@id`, sizes, distance,
/// its first properties with their values, and where its constructor is defined.
pub(crate) fn object_preview(ui: &mut Ui, snapshot: &Snapshot, v: NodeId) {
    use crate::model::EdgeKind;
    let g = &snapshot.graph;
    ui.set_max_width(460.0);
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(preview(snapshot.class_name(v), 60))
                .color(widgets::class_color(ui))
                .strong(),
        );
        ui.label(id_text(g.id(v)));
        ui.label(RichText::new(g.type_name(v)).weak().small());
    });
    let total = snapshot.total_size;
    ui.label(
        RichText::new(format!(
            "Shallow {} · Retained {} ({}) · Distance {}",
            crate::text::bytes(g.self_size(v) as f64),
            crate::text::bytes(snapshot.retained.get(v)),
            crate::text::percent(snapshot.retained.get(v), total),
            snapshot.distances[v]
        ))
        .weak(),
    );
    let name = display_name(g, v);
    if g.kind(v).is_string() {
        ui.add(egui::Label::new(format!("\"{}\"", preview(&name, 300))).wrap());
    } else {
        if !name.is_empty() && name != snapshot.class_name(v) {
            ui.label(preview(&name, 120));
        }
        let mut shown = 0;
        let mut more = 0usize;
        let edges = g.edges(v);
        let n = edges.len();
        for e in edges.take(PREVIEW_SCAN) {
            if !matches!(
                g.edge_kind(e),
                EdgeKind::Property | EdgeKind::Element | EdgeKind::Context
            ) {
                continue;
            }
            if shown == PREVIEW_PROPERTIES {
                more += 1;
                continue;
            }
            shown += 1;
            let to = g.to(e);
            let value = if g.kind(to).is_string() {
                format!("\"{}\"", preview(&display_name(g, to), 50))
            } else if g.kind(to) == crate::model::NodeKind::Number {
                display_name(g, to)
            } else {
                format!("{} @{}", preview(&object_label(snapshot, to), 40), g.id(to))
            };
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = 4.0;
                ui.label(RichText::new(preview(&edge_label(g, e), 40)).color(widgets::edge_color(ui)));
                ui.label(RichText::new(":").weak());
                ui.add(egui::Label::new(value).truncate());
            });
        }
        if n > PREVIEW_SCAN || more > 0 {
            ui.label(RichText::new(format!("{} references in all", crate::text::thousands(n as u64))).weak());
        }
    }
    if let Some(l) = snapshot.location_of(v) {
        let what = if g.kind(v) == crate::model::NodeKind::Closure {
            "Defined at"
        } else {
            "Constructor defined at"
        };
        ui.label(
            RichText::new(format!("{what} {}", snapshot.scripts.format(l)))
                .weak()
                .small(),
        );
    }
}

/// The object a tree row stands for, if any.
pub(crate) fn row_node(tree: &Tree, row: Row, g: &crate::model::Graph) -> Option<NodeId> {
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

/// The row of an object in a tree: its toggle, `edge :: Name @id`, distance and sizes, with the
/// hover preview and context menu. `expandable`: whether the toggle shows.
pub(crate) fn object_row(
    row: &mut egui_extras::TableRow<'_, '_>,
    tree: &Tree,
    snapshot: &Snapshot,
    (level, index, depth): (u32, u32, u16),
    expandable: bool,
    actions: &mut Vec<Action>,
) {
    let g = &snapshot.graph;
    let Some(v) = row_node(tree, Row::Item { level, index, depth }, g) else {
        return;
    };
    let edge = match &tree.level(level).items {
        Items::Edges { edges, .. } => edges.get(index as usize).copied(),
        _ => None,
    };
    let expanded = tree.is_expanded(level, index);
    row.col(|ui| {
        if widgets::tree_toggle(ui, depth, expandable, expanded) {
            actions.push(Action::Toggle { level, index });
        }
        object_cell(ui, snapshot, v, edge);
    });
    object_cells(row, snapshot, v);
    object_row_extras(&row.response(), snapshot, v, actions);
}

/// `prop :: Name @id` for an edge, `Name @id` for an object; the name is cut with "…" where
/// the column is narrow, the `@id` always shows.
pub(crate) fn object_cell(ui: &mut Ui, snapshot: &Snapshot, v: NodeId, edge: Option<EdgeId>) {
    object_cell_with(ui, snapshot, v, edge, Vec::new(), Vec::new());
}

/// [`object_cell`] with marks before the name (`new`) and after the `@id` (`weak`, `↻ cycle`).
pub(crate) fn object_cell_with(
    ui: &mut Ui,
    snapshot: &Snapshot,
    v: NodeId,
    edge: Option<EdgeId>,
    before: Vec<RichText>,
    after: Vec<RichText>,
) {
    let g = &snapshot.graph;
    let mut parts = before;
    if let Some(e) = edge {
        parts.push(RichText::new(preview(&edge_label(g, e), 60)).color(widgets::edge_color(ui)));
        parts.push(RichText::new("::").weak());
    }
    parts.push(RichText::new(object_label(snapshot, v)));
    let job = widgets::job(ui, parts);
    let tail = widgets::job(ui, std::iter::once(id_text(g.id(v))).chain(after));
    widgets::truncated(ui, job, Some(tail.into()), false, egui::Sense::hover());
}

pub(crate) fn pending_label(ui: &mut Ui, items: &Items) {
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
pub(crate) fn row_clicks(resp: &egui::Response, i: usize, r: Row, node: Option<NodeId>, actions: &mut Vec<Action>) {
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
pub(crate) fn object_cells(row: &mut egui_extras::TableRow<'_, '_>, snapshot: &Snapshot, v: NodeId) {
    let total = snapshot.total_size;
    row.col(|ui| widgets::right_text(ui, snapshot.distances[v].to_string()));
    row.col(|ui| size_cell(ui, snapshot.graph.self_size(v) as f64, total));
    row.col(|ui| size_cell(ui, snapshot.retained.get(v), total));
}

/// Width of a Distance (or count) column and of a size column (`123.4 MB  12.3%`).
pub(crate) const DISTANCE_WIDTH: f32 = 64.0;
pub(crate) const SIZE_WIDTH: f32 = 124.0;
/// The name column never gets narrower than this; below it, the name ends in "…".
pub(crate) const NAME_MIN: f32 = 110.0;

/// A number column: exactly this wide whatever its content, so the table's width is known.
pub(crate) fn number_column(width: f32) -> Column {
    Column::exact(width).clip(true)
}

/// The name column: it takes what the number columns leave.
pub(crate) fn name_column() -> Column {
    Column::remainder().at_least(NAME_MIN).clip(true)
}

/// The narrowest a table with these number columns can be with every column shown; side
/// panels leave the central view at least this much.
pub(crate) fn min_width(ui: &Ui, numbers: &[f32]) -> f32 {
    let spacing = ui.spacing().item_spacing.x;
    // Plus the scroll bar, the panel margins and the resize handle between the panels.
    NAME_MIN + numbers.iter().map(|w| w + spacing).sum::<f32>() + ui.spacing().scroll.bar_width + 60.0
}

/// The titles of an object table.
const OBJECT_HEADERS: [&str; 4] = ["Object", "Distance", "Shallow Size", "Retained Size"];

/// The number columns of an object table (Distance, Shallow Size, Retained Size).
pub(crate) const OBJECT_NUMBERS: [f32; 3] = [DISTANCE_WIDTH, SIZE_WIDTH, SIZE_WIDTH];

/// A virtual-scrolled tree table as every view draws it: striped, click to select. Number
/// columns have fixed widths at the right and the name column takes the rest, so resizing,
/// zooming or a side panel never pushes a number out of view.
pub(crate) fn tree_table<'a>(ui: &'a mut Ui, id: &str) -> TableBuilder<'a> {
    TableBuilder::new(ui)
        .id_salt(id)
        .striped(true)
        .resizable(false)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .min_scrolled_height(0.0)
        .auto_shrink([false, false])
}

/// The "12 of 3,400 shown · Show 100 more · Show all" row at the end of a paged level.
pub(crate) fn more_row(
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
pub(crate) fn pending_row(row: &mut egui_extras::TableRow<'_, '_>, items: &Items, depth: u16, columns: usize) {
    row.col(|ui| {
        ui.add_space(widgets::indent(depth) + widgets::INDENT);
        pending_label(ui, items);
    });
    for _ in 1..columns {
        row.col(|_| {});
    }
}

/// Arrow keys move the cursor, Home/End/PageUp/PageDown jump, Right/Left expand/collapse,
/// Enter toggles. `page` is the number of rows visible at once.
pub(crate) fn keyboard(
    ui: &Ui,
    rows: &FlatRows,
    cursor: Option<usize>,
    page: usize,
    node_of: impl Fn(Row) -> Option<NodeId>,
    actions: &mut Vec<Action>,
) {
    use egui::Key;
    if ui.ctx().egui_wants_keyboard_input() || rows.is_empty() {
        return;
    }
    let pressed = |k: Key| ui.input(|i| i.key_pressed(k));
    let last = rows.len() - 1;
    let page = page.max(1);
    let target = match cursor {
        _ if pressed(Key::Home) => Some(0),
        _ if pressed(Key::End) => Some(last),
        None if pressed(Key::ArrowDown) || pressed(Key::ArrowUp) || pressed(Key::PageDown) => Some(0),
        Some(c) if pressed(Key::ArrowDown) => Some((c + 1).min(last)),
        Some(c) if pressed(Key::ArrowUp) => Some(c.saturating_sub(1)),
        Some(c) if pressed(Key::PageDown) => Some((c + page).min(last)),
        Some(c) if pressed(Key::PageUp) => Some(c.saturating_sub(page)),
        _ => None,
    };
    if let Some(i) = target {
        if cursor != Some(i) {
            actions.push(Action::Cursor(i));
            if let Some(v) = node_of(rows.get(i)) {
                actions.push(Action::Select(v));
            }
        }
        actions.push(Action::ScrollTo(i));
        return;
    }
    if let Some(c) = cursor.filter(|&c| c <= last)
        && (pressed(Key::Enter) || pressed(Key::ArrowRight) || pressed(Key::ArrowLeft))
    {
        let r = rows.get(c);
        if let Row::Item { level, index, .. } = r {
            actions.push(Action::Toggle { level, index });
        } else if let Row::More { level, .. } = r {
            actions.push(Action::More { level, all: false });
        }
    }
}

/// Ends a tree view's frame: its keys (when it has the keyboard) become actions, its rows go
/// back to its tree. True when the cursor moved (a click or a key): the view has the keyboard.
pub(crate) fn finish(
    ui: &Ui,
    rows: FlatRows,
    tree: &mut Tree,
    cursor: Option<usize>,
    keys: bool,
    node_of: impl Fn(&Tree, Row) -> Option<NodeId>,
    actions: &mut Vec<Action>,
) -> bool {
    if keys {
        keyboard(ui, &rows, cursor, page_rows(ui), |r| node_of(tree, r), actions);
    }
    tree.put_rows(rows);
    moves_cursor(actions)
}

/// Rows that fit in the visible part of a table, for PageUp/PageDown.
pub(crate) fn page_rows(ui: &Ui) -> usize {
    (ui.clip_rect().height() / ROW_HEIGHT) as usize
}

/// Whether the actions move a view's cursor (a click or key in its table).
pub(crate) fn moves_cursor(actions: &[Action]) -> bool {
    actions.iter().any(|a| matches!(a, Action::Cursor(_)))
}

/// Applies the cursor and paging actions every tree view shares; returns the others.
pub(crate) fn apply_common(actions: Vec<Action>, tree: &mut Tree, cursor: &mut Option<usize>) -> Vec<Action> {
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
            Action::ScrollTo(i) => {
                tree.scroll_to = Some((i, false));
                None
            }
            other => Some(other),
        })
        .collect()
}

/// Scrolls the table to the row its tree asks for, once.
pub(crate) fn scrolled<'a>(t: TableBuilder<'a>, tree: &mut Tree) -> TableBuilder<'a> {
    match tree.scroll_to.take() {
        Some((row, center)) => t
            .scroll_to_row(row, center.then_some(egui::Align::Center))
            .animate_scrolling(false),
        None => t,
    }
}

/// The columns of an object table: name, Distance, Shallow Size, Retained Size.
pub(crate) fn object_columns(t: TableBuilder<'_>) -> TableBuilder<'_> {
    t.column(name_column())
        .columns(number_column(DISTANCE_WIDTH), 1)
        .columns(number_column(SIZE_WIDTH), 2)
}

/// An object tree table with its plain column titles, scrolled to the row its tree asks for.
pub(crate) fn object_table_scrolled<'a>(ui: &'a mut Ui, id: &str, tree: &mut Tree) -> Table<'a> {
    scrolled(object_columns(tree_table(ui, id)), tree).header(ROW_HEIGHT + 4.0, |h| header(h, &OBJECT_HEADERS))
}

/// A header row of plain column titles.
pub fn header(mut h: egui_extras::TableRow<'_, '_>, names: &[&str]) {
    for name in names {
        h.col(|ui| {
            ui.add(egui::Label::new(RichText::new(*name).strong()).truncate());
        });
    }
}

/// A header row of sort titles, one per column; the clicked column, if any. `sort`: the column
/// sorted by and whether descending (None: a default order no column stands for).
pub(crate) fn sort_headers<C: Copy + PartialEq>(
    h: &mut egui_extras::TableRow<'_, '_>,
    columns: &[(C, &str)],
    sort: Option<(C, bool)>,
) -> Option<C> {
    let mut clicked = None;
    for &(col, name) in columns {
        h.col(|ui| {
            let active = sort.is_some_and(|s| s.0 == col);
            if sort_header(ui, name, active, sort.is_some_and(|s| s.1)) {
                clicked = Some(col);
            }
        });
    }
    clicked
}

/// A column title that sorts by its column; shows the direction when active. True when clicked.
pub(crate) fn sort_header(ui: &mut Ui, name: &str, active: bool, descending: bool) -> bool {
    let arrow = match (active, descending) {
        (true, true) => " ⏷",
        (true, false) => " ⏶",
        _ => "",
    };
    ui.add(
        egui::Button::new(RichText::new(format!("{name}{arrow}")).strong())
            .frame(false)
            .truncate(),
    )
    .on_hover_text("Sort by this column")
    .clicked()
}

/// A flat list of objects (new objects of a class, members of a leak group): name, distance,
/// sizes, a preview on hover and the shared context menu. Returns the row actions.
pub(crate) fn object_list(
    ui: &mut Ui,
    id: &str,
    snapshot: &Snapshot,
    list: &[NodeId],
    selected: Option<NodeId>,
    max_height: f32,
) -> Vec<Action> {
    let mut actions = Vec::new();
    object_columns(tree_table(ui, id))
        .max_scroll_height(max_height)
        .header(ROW_HEIGHT + 4.0, |h| header(h, &OBJECT_HEADERS))
        .body(|body| {
            body.rows(ROW_HEIGHT, list.len(), |mut row| {
                let v = list[row.index()];
                row.set_selected(selected == Some(v));
                row.col(|ui| object_cell(ui, snapshot, v, None));
                object_cells(&mut row, snapshot, v);
                let resp = row.response();
                if resp.clicked() {
                    actions.push(Action::Select(v));
                }
                object_row_extras(&resp, snapshot, v, &mut actions);
            });
        });
    actions
}
