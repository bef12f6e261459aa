//! The Comparison's table: class rows, then under a class its new objects (and their
//! references) and its deleted ones, which live in the base snapshot.

use std::sync::Arc;

use egui::RichText;
use egui_extras::TableRow;

use super::{Comparison, DiffColumn};
use crate::analysis::Snapshot;
use crate::model::NodeId;
use crate::present::COMPARISON_TITLES;
use crate::text::{bytes, preview, signed_bytes, signed_count, thousands};
use crate::ui::table::{class_cell, name_cell, object_cell_with, object_row_extras};
use crate::ui::tree::{Action, Item, row_node};
use crate::ui::tree::{Items, Row, Tree};
use crate::ui::treeview::{Header, TreeModel};
use crate::ui::views::containment::edges_items;
use crate::ui::widgets::{self, id_text};

/// Widths of the count and byte columns.
const COUNT: f32 = 66.0;
const BYTES: f32 = 88.0;
/// The number columns, for the side panels to leave room for.
pub(crate) const NUMBERS: [f32; 6] = [COUNT, COUNT, COUNT, BYTES, BYTES, BYTES];
pub(super) struct Model<'a> {
    pub s: &'a Snapshot,
    pub c: &'a Comparison,
    pub sort: (DiffColumn, bool),
}

impl TreeModel for Model<'_> {
    fn numbers(&self) -> &[f32] {
        &NUMBERS
    }

    fn header(&self) -> Header<'_> {
        let by = DiffColumn::ALL.iter().position(|&c| c == self.sort.0).unwrap_or(0);
        Header::Sorted(&COMPARISON_TITLES, Some((by, self.sort.1)))
    }

    fn node(&self, tree: &Tree, row: Row) -> Option<NodeId> {
        match row {
            Row::Item { level, .. } if level > 0 => row_node(tree, row, &self.s.graph),
            _ => None,
        }
    }

    fn item(&self, row: &mut TableRow<'_, '_>, tree: &Tree, item: Item, actions: &mut Vec<Action>) {
        let (g, Item { level, index, depth }) = (&self.s.graph, item);
        if level == 0 {
            return self.class_row(row, tree, item, actions);
        }
        let items = &tree.level(level).items;
        if let Items::Diff { added, deleted } = items
            && index as usize >= added.len()
        {
            // A deleted object: it lives in the base snapshot.
            let (v, b) = (deleted[index as usize - added.len()], &self.c.base);
            row.col(|ui| {
                widgets::tree_toggle(ui, depth, false, false);
                let parts = [
                    RichText::new("deleted").color(widgets::accent(ui)).small(),
                    RichText::new(preview(b.class_name(v), 60)).weak(),
                ];
                let job = widgets::job(ui, parts);
                widgets::truncated(
                    ui,
                    job,
                    Some(id_text(b.graph.id(v)).into()),
                    false,
                    egui::Sense::hover(),
                );
            });
            let cells: [Option<String>; 6] = [None, None, None, None, Some(bytes(b.graph.self_size(v) as f64)), None];
            cells_row(row, cells);
            let resp = row.response();
            if resp.clicked() {
                actions.push(Action::ShowDeleted(v));
            }
            resp.on_hover_text("Deleted since the base snapshot: click to see it there");
            return;
        }
        let Some(v) = self.node(tree, Row::Item { level, index, depth }) else {
            return;
        };
        let edge = match items {
            Items::Edges { edges, .. } => Some(edges[index as usize]),
            _ => None,
        };
        let is_new = matches!(items, Items::Diff { .. });
        name_cell(row, tree, item, g.has_edges(v), actions, |ui| {
            let new = RichText::new("new").color(egui::Color32::from_rgb(90, 170, 90)).small();
            let before = if is_new { vec![new] } else { Vec::new() };
            object_cell_with(ui, self.s, v, edge, before, Vec::new());
        });
        cells_row(row, [None, None, None, Some(bytes(g.self_size(v) as f64)), None, None]);
        object_row_extras(&row.response(), self.s, v, actions);
    }

    fn children(&self, tree: &Tree, level: u32, index: u32) -> Option<Items> {
        if level == 0 {
            let d = &self.c.rows[index as usize];
            return Some(Items::Diff {
                added: Arc::new(d.added.clone()),
                deleted: Arc::new(d.deleted.clone()),
            });
        }
        let v = self.node(tree, Row::Item { level, index, depth: 0 })?;
        self.s.graph.has_edges(v).then(|| edges_items(self.s, v))
    }
}

/// The number cells right of the name, right-aligned; None leaves a cell empty.
fn cells_row(row: &mut TableRow<'_, '_>, cells: [Option<String>; 6]) {
    for cell in cells {
        row.col(|ui| {
            if let Some(text) = cell {
                widgets::right_text(ui, text);
            }
        });
    }
}

impl Model<'_> {
    fn class_row(&self, row: &mut TableRow<'_, '_>, tree: &Tree, item: Item, actions: &mut Vec<Action>) {
        let d = &self.c.rows[item.index as usize];
        name_cell(row, tree, item, true, actions, |ui| {
            class_cell(ui, self.s, &d.name, 100, None, d.location)
        });
        let cells = [
            thousands(d.new_count),
            thousands(d.deleted_count),
            signed_count(d.count_delta),
            bytes(d.alloc_size as f64),
            bytes(d.freed_size as f64),
            signed_bytes(d.size_delta as f64),
        ];
        cells_row(row, cells.map(Some));
    }
}
