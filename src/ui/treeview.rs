//! The one tree table every tree view draws: Summary, Comparison, Retainers, Dominators,
//! Containment, Duplicated strings and Detached DOM. A view supplies what differs through
//! [`TreeModel`] (its columns, how an item row reads, what an item expands into); [`TreeView`]
//! owns the per-frame loop: only the visible rows are drawn, "Show more" and pending rows,
//! clicks and the keyboard, expand and collapse. What is left for the view (a selection, a
//! context-menu command, a sort) comes back in a [`Frame`].

use egui::{RichText, Ui};
use egui_extras::{TableBuilder, TableRow};

use super::table::{OBJECT_HEADERS, OBJECT_NUMBERS, header, name_column, number_column, sort_headers, tree_table};
use super::tree::{Action, FlatRows, Item, Items, PAGE, Row, Tree};
use super::widgets::{self, ROW_HEIGHT};
use crate::model::NodeId;
use crate::text::thousands;

/// The titles over a tree table's columns.
pub(crate) enum Header<'a> {
    Plain(&'a [&'a str]),
    /// Titles that sort by their column when clicked: the column sorted by and whether
    /// descending (None: a default order no column stands for).
    Sorted(&'a [&'a str], Option<(usize, bool)>),
}

/// What a tree view shows; [`TreeView::show`] does the rest.
pub(crate) trait TreeModel {
    /// The widths of the number columns right of the name column (an object table's by
    /// default: Distance, Shallow Size, Retained Size).
    fn numbers(&self) -> &[f32] {
        &OBJECT_NUMBERS
    }

    fn header(&self) -> Header<'_> {
        Header::Plain(&OBJECT_HEADERS)
    }
    /// The object a row stands for, for selection, the keyboard and the context menu.
    fn node(&self, tree: &Tree, row: Row) -> Option<NodeId>;
    /// Draws an item row, every column; toggles and menu commands go into `actions`.
    fn item(&self, row: &mut TableRow<'_, '_>, tree: &Tree, item: Item, actions: &mut Vec<Action>);
    /// What expanding an item lists; None when it does not expand.
    fn children(&self, tree: &Tree, level: u32, index: u32) -> Option<Items>;
    /// The line of a level still being computed, or failed.
    fn pending(&self, ui: &mut Ui, items: &Items) {
        pending_label(ui, items);
    }
    /// Whether moving the cursor to an item (a click, a key) selects its object (the Retainers
    /// view's rows do not: that would re-root the tree under the pointer).
    fn click_selects(&self) -> bool {
        true
    }
}

/// What a frame of a tree view left for the view to do.
pub(crate) struct Frame {
    /// Selections and context-menu commands.
    pub actions: Vec<Action>,
    /// The column whose title was clicked.
    pub sort: Option<usize>,
    /// The cursor moved (a click or a key in this table): the table has the keyboard.
    pub moved: bool,
}

/// A tree and its cursor (the flat row a click or key chose).
pub struct TreeView {
    pub(crate) tree: Tree,
    pub(crate) cursor: Option<usize>,
}

impl TreeView {
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The tree, for reading its rows (built when first asked for).
    pub fn tree_mut(&mut self) -> &mut Tree {
        &mut self.tree
    }

    /// The flat row a click or key chose.
    pub fn cursor(&self) -> Option<usize> {
        self.cursor
    }

    pub(crate) fn new(top: Items) -> TreeView {
        TreeView {
            tree: Tree::new(top),
            cursor: None,
        }
    }

    /// Draws the table (O(visible rows)), then applies what was clicked or pressed: cursor,
    /// paging, expanding and collapsing. `order` sorts and filters the top level; `selected` is
    /// highlighted wherever it appears; `keys`: this table takes the keyboard.
    pub(crate) fn show(
        &mut self,
        ui: &mut Ui,
        id: &str,
        model: &impl TreeModel,
        order: Option<&[u32]>,
        selected: Option<NodeId>,
        keys: bool,
    ) -> Frame {
        let rows = self.tree.take_rows(order);
        let numbers = model.numbers();
        let columns = 1 + numbers.len();
        let mut actions = Vec::new();
        let mut sort = None;
        let mut table = scrolled(tree_table(ui, id), &mut self.tree).column(name_column());
        for &w in numbers {
            table = table.column(number_column(w));
        }
        let (tree, cursor) = (&self.tree, self.cursor);
        table
            .header(ROW_HEIGHT + 4.0, |mut h| match model.header() {
                Header::Plain(titles) => header(h, titles),
                Header::Sorted(titles, active) => {
                    let columns: Vec<(usize, &str)> = titles.iter().copied().enumerate().collect();
                    sort = sort_headers(&mut h, &columns, active);
                }
            })
            .body(|body| {
                body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                    let i = row.index();
                    let r = rows.get(i);
                    let node = model.node(tree, r);
                    row.set_selected(cursor == Some(i) || (node.is_some() && node == selected));
                    match r {
                        Row::Item { level, index, depth } => {
                            model.item(&mut row, tree, Item { level, index, depth }, &mut actions)
                        }
                        Row::More { level, depth } => more_row(&mut row, tree, level, depth, columns, &mut actions),
                        Row::Pending { level, depth } => {
                            row.col(|ui| {
                                ui.add_space(widgets::indent(depth) + widgets::INDENT);
                                model.pending(ui, &tree.level(level).items);
                            });
                            for _ in 1..columns {
                                row.col(|_| {});
                            }
                        }
                    }
                    row_clicks(
                        &row.response(),
                        i,
                        r,
                        node.filter(|_| model.click_selects()),
                        &mut actions,
                    );
                });
            });
        if keys {
            let node_of = |r| model.node(&self.tree, r).filter(|_| model.click_selects());
            keyboard(ui, &rows, self.cursor, page_rows(ui), node_of, &mut actions);
        }
        self.tree.put_rows(rows);
        let moved = actions.iter().any(|a| matches!(a, Action::Cursor(_)));
        let mut rest = Vec::new();
        for a in actions {
            match a {
                Action::Cursor(i) => self.cursor = Some(i),
                Action::More { level, all } => self.tree.show_more(level, all),
                Action::ScrollTo(i) => self.tree.scroll_to = Some((i, false)),
                Action::Toggle { level, index } => self.toggle(model, level, index),
                other => rest.push(other),
            }
        }
        Frame {
            actions: rest,
            sort,
            moved,
        }
    }

    /// Expands an item (with what the model lists under it) or collapses it.
    pub(crate) fn toggle(&mut self, model: &impl TreeModel, level: u32, index: u32) {
        if self.tree.is_expanded(level, index) {
            self.tree.collapse(level, index);
        } else if let Some(items) = model.children(&self.tree, level, index) {
            self.tree.expand(level, index, items, PAGE);
        }
    }
}

/// A spinner for a level being computed, or why it failed.
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
fn row_clicks(resp: &egui::Response, i: usize, r: Row, node: Option<NodeId>, actions: &mut Vec<Action>) {
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

/// The "12 of 3,400 shown · Show 100 more · Show all" row at the end of a paged level.
fn more_row(
    row: &mut TableRow<'_, '_>,
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

/// Arrow keys move the cursor, Home/End/PageUp/PageDown jump, Right/Left expand/collapse,
/// Enter toggles. `page` is the number of rows visible at once.
fn keyboard(
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
        match rows.get(c) {
            Row::Item { level, index, .. } => actions.push(Action::Toggle { level, index }),
            Row::More { level, .. } => actions.push(Action::More { level, all: false }),
            Row::Pending { .. } => {}
        }
    }
}

/// Rows that fit in the visible part of a table, for PageUp/PageDown.
fn page_rows(ui: &Ui) -> usize {
    (ui.clip_rect().height() / ROW_HEIGHT) as usize
}

/// Scrolls the table to the row its tree asks for, once.
fn scrolled<'a>(t: TableBuilder<'a>, tree: &mut Tree) -> TableBuilder<'a> {
    match tree.scroll_to.take() {
        Some((row, center)) => t
            .scroll_to_row(row, center.then_some(egui::Align::Center))
            .animate_scrolling(false),
        None => t,
    }
}
