//! Detached DOM: DOM nodes removed from the document that something still holds, one row per
//! detached tree (by its root), with what keeps it alive.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::TableRow;

use super::Cx;
use crate::analysis::Snapshot;
use crate::analysis::detached::DetachedDom;
use crate::engine::task::Task;
use crate::model::NodeId;
use crate::present::names;
use crate::text::{preview, thousands};
use crate::ui::table::{DISTANCE_WIDTH, SIZE_WIDTH, object_row_extras};
use crate::ui::tree::{Action, Item, row_node};
use crate::ui::tree::{Items, Row, Tree};
use crate::ui::treeview::{Frame, Header, TreeModel, TreeView};
use crate::ui::widgets::{self, size_cell};

/// The view's state: the trees (computed on the first visit) and their table.
pub struct DetachedState {
    pub(crate) trees: Task<Arc<DetachedDom>>,
    pub(crate) view: TreeView,
}

impl DetachedState {
    /// The detached trees, once found.
    pub fn trees(&self) -> Option<&Arc<DetachedDom>> {
        self.trees.value()
    }
}

struct Model<'a> {
    s: &'a Snapshot,
    dom: &'a DetachedDom,
}

impl TreeModel for Model<'_> {
    fn numbers(&self) -> &[f32] {
        &[DISTANCE_WIDTH, SIZE_WIDTH, SIZE_WIDTH]
    }

    fn header(&self) -> Header<'_> {
        Header::Plain(&["Detached tree (by its root)", "Nodes", "Shallow Size", "Retained Size"])
    }

    fn node(&self, tree: &Tree, row: Row) -> Option<NodeId> {
        row_node(tree, row, &self.s.graph)
    }

    fn item(&self, row: &mut TableRow<'_, '_>, _: &Tree, item: Item, actions: &mut Vec<Action>) {
        let (s, g) = (self.s, &self.s.graph);
        let t = &self.dom.trees[item.index as usize];
        let v = t.root;
        row.col(|ui| {
            let tail = widgets::job(
                ui,
                [widgets::id_text(g.id(v)), RichText::new(names::held_by(s, t)).weak()],
            );
            let job = widgets::job(
                ui,
                [RichText::new(preview(s.class_name(v), 80)).color(widgets::class_color(ui))],
            );
            widgets::truncated(ui, job, Some(tail.into()), false, egui::Sense::hover());
        });
        row.col(|ui| widgets::right_text(ui, thousands(t.nodes as u64)));
        row.col(|ui| size_cell(ui, g.self_size(v) as f64, s.total_size));
        row.col(|ui| size_cell(ui, t.retained, s.total_size));
        object_row_extras(&row.response(), s, v, actions);
    }

    /// The rows do not expand.
    fn children(&self, _: &Tree, _: u32, _: u32) -> Option<Items> {
        None
    }
}

/// Why the view is empty for a snapshot that is not a page's.
pub(crate) const NO_DOM: &str = "This snapshot has no DOM: it is not a web page's (a Node.js process, for one). Detached \
     DOM trees are nodes removed from a page's document that something still holds. Node's own native bindings \
     (Detached Node / BindingData) are marked detached too, but they are not DOM nodes and are not listed.";

pub fn show(ui: &mut Ui, state: &mut Option<DetachedState>, cx: &Cx) -> Option<Frame> {
    let (s, waker) = (cx.s, cx.waker);
    let d = state.get_or_insert_with(|| {
        let snapshot = s.clone();
        DetachedState {
            trees: Task::spawn(waker.clone(), move |_| Ok(Arc::new(DetachedDom::of(&snapshot)))),
            view: TreeView::new(Items::Nodes(Arc::new(Vec::new()))),
        }
    });
    let dom = widgets::task_value(ui, &d.trees, "Finding detached DOM trees…").cloned()?;
    if !dom.has_dom {
        ui.label(RichText::new(NO_DOM).weak());
        return None;
    }
    if dom.trees.is_empty() {
        ui.label(RichText::new("No detached DOM nodes: every DOM node of this page is in a document.").weak());
        return None;
    }
    if d.view.tree.level(0).items.len() != dom.trees.len() {
        d.view = TreeView::new(Items::Nodes(Arc::new(dom.trees.iter().map(|t| t.root).collect())));
    }
    ui.label(
        RichText::new(format!(
            "{}: nodes removed from the document that something still holds. Each tree by its root, with \
             what keeps it alive.",
            names::detached_count(&dom)
        ))
        .weak(),
    );
    Some(
        d.view
            .show(ui, "detached", &Model { s, dom: &dom }, None, cx.selected, cx.keys),
    )
}
