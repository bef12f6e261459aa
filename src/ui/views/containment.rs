//! Containment, as DevTools has it: from the root, the GC roots and the global objects, each
//! expandable into its outgoing references, lazily.

use egui::{RichText, Ui};
use egui_extras::TableRow;

use super::Cx;
use crate::analysis::Snapshot;
use crate::analysis::query;
use crate::model::NodeId;
use crate::ui::table::object_row;
use crate::ui::tree::{Action, Item, row_node};
use crate::ui::tree::{Items, Row, Tree};
use crate::ui::treeview::{Frame, TreeModel, TreeView};

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

/// Outgoing references of `v` (cheap: its own edges).
pub(crate) fn edges_items(snapshot: &Snapshot, v: NodeId) -> Items {
    Items::Edges {
        from: v,
        edges: query::edges(&snapshot.graph, v).collect(),
    }
}

pub fn show(ui: &mut Ui, view: &mut Option<TreeView>, cx: &Cx) -> Frame {
    let s = cx.s;
    ui.label(RichText::new("What the root holds: GC roots and global objects, each with its references.").weak());
    let view = view.get_or_insert_with(|| TreeView::new(edges_items(s, s.graph.root())));
    view.show(ui, "containment", &References { s }, None, cx.selected, cx.keys)
}
