//! The dominator tree from the root: each object's children are the objects only it keeps
//! alive, largest retained size first, expanded lazily.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::TableRow;

use crate::analysis::Snapshot;
use crate::engine::task::Waker;
use crate::model::NodeId;
use crate::ui::doc::{Doc, dominated_task};
use crate::ui::table::object_row;
use crate::ui::tree::{Items, Row, Tree};
use crate::ui::treeview::{Action, Item, TreeModel, TreeView, row_node};

/// The tree as the view first shows it: the root's children listed.
pub(crate) fn new_tree(s: &Arc<Snapshot>, waker: &Waker) -> TreeView {
    let mut view = TreeView::new(Items::Nodes(Arc::new(vec![s.graph.root()])));
    view.tree
        .expand(0, 0, dominated_task(s, s.graph.root(), waker), crate::ui::tree::PAGE);
    view
}

struct Model<'a> {
    s: &'a Arc<Snapshot>,
    waker: &'a Waker,
}

impl TreeModel for Model<'_> {
    fn node(&self, tree: &Tree, row: Row) -> Option<NodeId> {
        row_node(tree, row, &self.s.graph)
    }

    fn item(&self, row: &mut TableRow<'_, '_>, tree: &Tree, item: Item, actions: &mut Vec<Action>) {
        let Some(v) = self.node(
            tree,
            Row::Item {
                level: item.level,
                index: item.index,
                depth: item.depth,
            },
        ) else {
            return;
        };
        // Leaves retain only themselves.
        let g = &self.s.graph;
        let expandable = self.s.retained.get(v) > g.self_size(v) as f64 || v == g.root();
        object_row(row, tree, self.s, item, expandable, actions);
    }

    fn children(&self, tree: &Tree, level: u32, index: u32) -> Option<Items> {
        let v = self.node(tree, Row::Item { level, index, depth: 0 })?;
        Some(dominated_task(self.s, v, self.waker))
    }
}

pub fn show(ui: &mut Ui, doc: &mut Doc, s: &Arc<Snapshot>, waker: &Waker) {
    let native = s.graph.extra_native_bytes();
    let extra = if native > 0.0 {
        format!(
            " The total also counts {} of native memory outside the graph.",
            crate::text::bytes(native)
        )
    } else {
        String::new()
    };
    ui.label(
        RichText::new(format!(
            "Each object's children are the objects it alone keeps alive; freeing it frees them all.{extra}"
        ))
        .weak(),
    );
    let (keys, selected) = (doc.takes_view_keys(), doc.selected());
    let view = doc.dominators.get_or_insert_with(|| new_tree(s, waker));
    let frame = view.show(ui, "dominators", &Model { s, waker }, None, selected, keys);
    doc.finish_view(frame, waker);
}
