//! The dominator tree from the root: each object's children are the objects only it keeps
//! alive, largest retained size first, expanded lazily.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::TableRow;

use super::Cx;
use crate::analysis::Snapshot;
use crate::engine::task::{Task, Waker};
use crate::model::NodeId;
use crate::ui::table::object_row;
use crate::ui::tree::{Action, Item, row_node};
use crate::ui::tree::{Items, Row, Tree};
use crate::ui::treeview::{Frame, TreeModel, TreeView};

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

/// Dominator-tree children, largest retained first, computed off the UI thread.
fn dominated_task(snapshot: &Arc<Snapshot>, v: NodeId, waker: &Waker) -> Items {
    let s = snapshot.clone();
    Items::Loading(Task::spawn(waker.clone(), move |_| {
        Ok(Arc::new(s.dominated_children(v)))
    }))
}

pub fn show(ui: &mut Ui, view: &mut TreeView, cx: &Cx) -> Frame {
    let (s, waker) = (cx.s, cx.waker);
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
    view.show(ui, "dominators", &Model { s, waker }, None, cx.selected, cx.keys)
}
