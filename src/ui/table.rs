//! The pieces of every table: columns that keep their numbers in view, titles (plain or
//! sorting), an object's row and cells with its hover preview and context menu, and flat lists
//! of objects. The tree tables' loop is `treeview`.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder, TableRow};

use super::tree::{Action, Item, Items, Tree, row_node};
use super::widgets::{self, ROW_HEIGHT, id_text, size_cell};
use crate::analysis::Snapshot;
use crate::analysis::distances::Distance;
use crate::analysis::query::{display_name, edge_label};
use crate::model::{EdgeId, NodeId};
use crate::present::names::object_label;
use crate::text::preview;

/// Hover preview and context menu of a row standing for an object.
pub(crate) fn object_row_extras(resp: &egui::Response, snapshot: &Snapshot, v: NodeId, actions: &mut Vec<Action>) {
    let resp = resp.clone().on_hover_ui(|ui| object_preview(ui, snapshot, v));
    resp.context_menu(|ui| object_menu(ui, snapshot, v, actions));
}

/// The context-menu entries every object row shares.
pub(crate) fn object_menu(ui: &mut Ui, snapshot: &Snapshot, v: NodeId, actions: &mut Vec<Action>) {
    menu_item(ui, "Reveal in Summary", Action::Reveal(v), actions);
    menu_item(ui, "Show retainers", Action::ShowRetainers(v), actions);
    if ui.button("Copy @id").clicked() {
        ui.ctx().copy_text(format!("@{}", snapshot.graph.id(v)));
        ui.close();
    }
    menu_item(ui, "Copy path as text", Action::CopyPath(v), actions);
}

/// A context-menu entry: clicked, it asks for `action` and the menu closes.
pub(crate) fn menu_item(ui: &mut Ui, label: &str, action: Action, actions: &mut Vec<Action>) {
    if ui.button(label).clicked() {
        actions.push(action);
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
    // V8's oddballs (false, null, …) read as their value, not as `(system) / Oddball`.
    let value = crate::present::names::oddball(g, v);
    ui.horizontal(|ui| {
        let class = crate::present::names::original_class(snapshot, v);
        let title = value
            .clone()
            .unwrap_or_else(|| preview(class.as_deref().unwrap_or(snapshot.class_name(v)), 60));
        ui.label(RichText::new(title).color(widgets::class_color(ui)).strong());
        ui.label(id_text(g.id(v)));
        let kind = if value.is_some() { "V8 oddball" } else { g.type_name(v) };
        ui.label(RichText::new(kind).weak().small());
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
    if let Some(value) = &value {
        ui.label(
            RichText::new(format!(
                "The value {value}: one object the whole heap shares, never a leak by itself"
            ))
            .weak(),
        );
    } else if g.kind(v).is_string() {
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
            } else if let Some(value) = crate::present::names::oddball(g, to) {
                value
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
    // Snapshots taken with allocation tracking on: the code that made it.
    if let Some(p) = &snapshot.allocations {
        let frames = p.stack_of(g, v);
        let text = if frames.is_empty() {
            "Allocated before allocation tracking started".to_owned()
        } else {
            format!(
                "Allocated by {}",
                crate::present::allocations::stack_line(snapshot, &frames, 3)
            )
        };
        ui.add(egui::Label::new(RichText::new(text).weak().small()).wrap());
    }
}

/// The row of an object in a tree: its toggle, `edge :: Name @id`, distance and sizes, with the
/// hover preview and context menu. `expandable`: whether the toggle shows.
pub(crate) fn object_row(
    row: &mut TableRow<'_, '_>,
    tree: &Tree,
    snapshot: &Snapshot,
    item: Item,
    expandable: bool,
    actions: &mut Vec<Action>,
) {
    let g = &snapshot.graph;
    let Item { level, index, depth } = item;
    let Some(v) = row_node(tree, super::tree::Row::Item { level, index, depth }, g) else {
        return;
    };
    let edge = match &tree.level(level).items {
        Items::Edges { edges, .. } => edges.get(index as usize).copied(),
        _ => None,
    };
    name_cell(row, tree, item, expandable, actions, |ui| {
        object_cell(ui, snapshot, v, edge)
    });
    object_cells(row, snapshot, v);
    object_row_extras(&row.response(), snapshot, v, actions);
}

/// The first cell of an item row: its ▶/▼ toggle at the item's depth (when the item expands),
/// then what `label` draws.
pub(crate) fn name_cell(
    row: &mut TableRow<'_, '_>,
    tree: &Tree,
    item: Item,
    expandable: bool,
    actions: &mut Vec<Action>,
    label: impl FnOnce(&mut Ui),
) {
    row.col(|ui| {
        item_toggle(ui, tree, item, expandable, actions);
        label(ui);
    });
}

/// An item's ▶/▼ toggle at its depth (space only, when it does not expand).
pub(crate) fn item_toggle(ui: &mut Ui, tree: &Tree, item: Item, expandable: bool, actions: &mut Vec<Action>) {
    let Item { level, index, depth } = item;
    if widgets::tree_toggle(ui, depth, expandable, tree.is_expanded(level, index)) {
        actions.push(Action::Toggle { level, index });
    }
}

/// A class: its name (cut at `max`), `×count` when given, and where it is defined when known,
/// with the full name and location on hover.
pub(crate) fn class_cell(
    ui: &mut Ui,
    s: &Snapshot,
    name: &str,
    max: usize,
    count: Option<u64>,
    location: Option<crate::model::Location>,
) {
    // A minified class reads by its original name when its script's source map gives one.
    let original = location.and_then(|l| s.scripts.original_name(l, name));
    let mut parts = vec![
        RichText::new(preview(original.as_deref().unwrap_or(name), max))
            .color(widgets::class_color(ui))
            .strong(),
    ];
    if let Some(n) = count {
        parts.push(RichText::new(format!("×{}", crate::text::thousands(n))).weak());
    }
    if let Some(l) = location {
        parts.push(RichText::new(s.scripts.format(l)).weak().small());
    }
    let job = widgets::job(ui, parts);
    let resp = widgets::truncated(ui, job, None, location.is_none(), egui::Sense::hover());
    if let Some(l) = location {
        let minified = match &original {
            Some(_) => format!(" (named {name} in the generated code)"),
            None => String::new(),
        };
        resp.on_hover_text(format!(
            "{}{minified}\nDefined at {}",
            original.as_deref().unwrap_or(name),
            s.scripts.format_full(l)
        ));
    }
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

/// Distance, shallow and retained size cells of an object row.
pub(crate) fn object_cells(row: &mut TableRow<'_, '_>, snapshot: &Snapshot, v: NodeId) {
    object_cells_at(row, snapshot, v, snapshot.distances[v]);
}

/// [`object_cells`] with another distance (the Retainers view's, recomputed without ignored
/// retainers).
pub(crate) fn object_cells_at(row: &mut TableRow<'_, '_>, snapshot: &Snapshot, v: NodeId, d: Distance) {
    let total = snapshot.total_size;
    row.col(|ui| widgets::distance_cell(ui, d));
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
pub(crate) const OBJECT_HEADERS: [&str; 4] = ["Object", "Distance", "Shallow Size", "Retained Size"];

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

/// A header row of plain column titles.
pub fn header(mut h: egui_extras::TableRow<'_, '_>, names: &[&str]) {
    for name in names {
        h.col(|ui| {
            ui.add(egui::Label::new(RichText::new(*name).strong()).truncate());
        });
    }
}

/// How a table is sorted: by one of its columns, and in which direction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Sorting<C> {
    pub by: C,
    pub descending: bool,
}

impl<C: Copy + PartialEq> Sorting<C> {
    /// A click on a column title: the sorted column flips its direction; another column sorts
    /// by it, `names` ascending and numbers largest first.
    pub(crate) fn click(&mut self, col: C, names: C) {
        if self.by == col {
            self.descending = !self.descending;
        } else {
            *self = Sorting {
                by: col,
                descending: col != names,
            };
        }
    }
}

/// A header row of sort titles, one per column; the clicked column, if any. `sort`: the column
/// sorted by and whether descending (None: a default order no column stands for).
pub(crate) fn sort_headers<C: Copy + PartialEq>(
    h: &mut TableRow<'_, '_>,
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
    tree_table(ui, id)
        .column(name_column())
        .columns(number_column(DISTANCE_WIDTH), 1)
        .columns(number_column(SIZE_WIDTH), 2)
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
