//! Containment, as DevTools has it: from the root, the GC roots and the global objects, each
//! expandable into its outgoing references, lazily.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::TableRow;

use crate::analysis::Snapshot;
use crate::engine::task::Waker;
use crate::model::NodeId;
use crate::ui::doc::{Doc, edges_items};
use crate::ui::table::object_row;
use crate::ui::tree::{Items, Row, Tree};
use crate::ui::treeview::{Action, Item, TreeModel, TreeView, row_node};

/// Objects expand into their outgoing references; the tables of Summary and Comparison use it
/// for the objects under their classes.
pub(crate) struct References<'a> {
    pub s: &'a Snapshot,
}

impl TreeModel for References<'_> {
    fn node(&self, tree: &Tree, row: Row) -> Option<NodeId> {
        row_node(tree, row, &self.s.graph)
    }

    fn item(&self, row: &mut TableRow<'_, '_>, tree: &Tree, item: Item, actions: &mut Vec<Action>) {
        let v = self.node(
            tree,
            Row::Item {
                level: item.level,
                index: item.index,
                depth: item.depth,
            },
        );
        let expandable = v.is_some_and(|v| self.s.graph.has_edges(v));
        object_row(row, tree, self.s, item, expandable, actions);
    }

    fn children(&self, tree: &Tree, level: u32, index: u32) -> Option<Items> {
        let v = self.node(tree, Row::Item { level, index, depth: 0 })?;
        self.s.graph.has_edges(v).then(|| edges_items(self.s, v))
    }
}

pub fn show(ui: &mut Ui, doc: &mut Doc, s: &Arc<Snapshot>, waker: &Waker) {
    ui.label(RichText::new("What the root holds: GC roots and global objects, each with its references.").weak());
    let (keys, selected) = (doc.takes_view_keys(), doc.selected());
    let view = doc
        .containment
        .get_or_insert_with(|| TreeView::new(edges_items(s, s.graph.root())));
    let frame = view.show(ui, "containment", &References { s }, None, selected, keys);
    doc.finish_view(frame, waker);
}
