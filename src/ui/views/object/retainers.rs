//! The retainer tree of the selected object: what holds it, what holds those, expanded along
//! the first retainer; cycles marked, weak and ignored retainers dimmed.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::TableRow;

use super::{Ignoring, ObjectState, ignored_bar, is_cycle, is_weak, retainer_at};
use crate::analysis::Snapshot;
use crate::engine::task::Waker;
use crate::model::NodeId;
use crate::ui::table::{
    item_toggle, menu_item, object_cell, object_cell_with, object_cells_at, object_menu, object_preview,
};
use crate::ui::tree::{Action, Item};
use crate::ui::tree::{Items, Row, Tree};
use crate::ui::treeview::{Frame, TreeModel, pending_label};
use crate::ui::views::Cx;
use crate::ui::widgets;

struct Model<'a> {
    s: &'a Arc<Snapshot>,
    /// The selected object.
    node: NodeId,
    ignoring: &'a Ignoring,
    waker: &'a Waker,
}

impl Model<'_> {
    /// Not a cycle, not weak, and retained by something.
    fn expandable(&self, tree: &Tree, level: u32, index: u32) -> Option<NodeId> {
        let r = retainer_at(tree, level, index)?;
        let cycled = is_cycle(tree, self.node, level, index, r.from);
        (!cycled && !is_weak(self.s, r.edge) && self.s.retainers.count(r.from) > 0).then_some(r.from)
    }
}

impl TreeModel for Model<'_> {
    fn node(&self, tree: &Tree, row: Row) -> Option<NodeId> {
        match row {
            Row::Item { level, index, .. } => retainer_at(tree, level, index).map(|x| x.from),
            _ => None,
        }
    }

    fn item(&self, row: &mut TableRow<'_, '_>, tree: &Tree, item: Item, actions: &mut Vec<Action>) {
        let Item { level, index, .. } = item;
        let (s, ignoring) = (self.s, self.ignoring);
        let Some(ret) = retainer_at(tree, level, index) else {
            return;
        };
        let v = ret.from;
        let d = ignoring.distance(s, v);
        let cycled = is_cycle(tree, self.node, level, index, v);
        let weak = is_weak(s, ret.edge);
        let ignored = ignoring.set.contains(&v);
        let dim = weak || ignored || !d.is_reachable() || ignoring.edge_ignored(ret.edge);
        let expandable = self.expandable(tree, level, index).is_some();
        row.col(|ui| {
            if dim {
                ui.set_opacity(0.5);
            }
            item_toggle(ui, tree, item, expandable, actions);
            let marks: Vec<RichText> = [
                cycled.then(|| RichText::new("↻ cycle").color(widgets::accent(ui)).small()),
                weak.then(|| RichText::new("weak").weak().small()),
                ignored.then(|| RichText::new("ignored").weak().small()),
            ]
            .into_iter()
            .flatten()
            .collect();
            object_cell_with(ui, s, v, Some(ret.edge), Vec::new(), marks);
        });
        object_cells_at(row, s, v, d);
        let resp = row.response().on_hover_ui(|ui| object_preview(ui, s, v));
        resp.context_menu(|ui| {
            menu_item(ui, "Ignore this retainer", Action::Ignore(v), actions);
            menu_item(ui, "Select this object", Action::Select(v), actions);
            ui.separator();
            object_menu(ui, s, v, actions);
        });
    }

    fn children(&self, tree: &Tree, level: u32, index: u32) -> Option<Items> {
        let from = self.expandable(tree, level, index)?;
        Some(self.ignoring.retainers_task(self.s, from, self.waker))
    }

    fn pending(&self, ui: &mut Ui, items: &Items) {
        match items {
            Items::Failed(e) if e.is_empty() => {
                ui.label(RichText::new("No retainers").weak());
            }
            items => pending_label(ui, items),
        }
    }

    /// Moving the cursor in the retainer tree must not re-root it.
    fn click_selects(&self) -> bool {
        false
    }
}

/// The retainer tree of the selected object, expanded along the shortest path; what its frame
/// left to do, and the ignored retainers to restore.
pub fn retainers(ui: &mut Ui, obj: Option<&mut ObjectState>, cx: &Cx) -> Option<(Frame, Vec<NodeId>)> {
    let (s, waker) = (cx.s, cx.waker);
    let Some(obj) = obj else {
        ui.centered_and_justified(|ui| {
            ui.label(RichText::new("Select an object to see what retains it.").weak());
        });
        return None;
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new("Retainers of").strong());
        object_cell(ui, s, obj.node, None);
    });
    let restore = ignored_bar(ui, s, &obj.ignoring);
    if obj.retainers.tree.rows(None).is_empty() {
        ui.label(RichText::new("Nothing retains this object (it is the root, or only the root holds it).").weak());
    }
    let model = Model {
        s,
        node: obj.node,
        ignoring: &obj.ignoring,
        waker,
    };
    Some((
        obj.retainers.show(ui, "retainers", &model, None, None, cx.keys),
        restore,
    ))
}
