//! Duplicated strings: DevTools' `getDuplicateStrings` groups, largest retained first; a group
//! expands into its strings, a string shows its retainers.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::TableRow;

use super::Cx;
use crate::analysis::Snapshot;
use crate::analysis::filters::{Duplicates, duplicates};
use crate::engine::task::Task;
use crate::model::NodeId;
use crate::text::{bytes, preview, thousands};
use crate::ui::table::{DISTANCE_WIDTH, SIZE_WIDTH, name_cell, object_cell, object_row_extras};
use crate::ui::tree::{Action, Item, row_node};
use crate::ui::tree::{Items, Row, Tree};
use crate::ui::treeview::{Frame, Header, TreeModel, TreeView};
use crate::ui::widgets::{self, size_cell};

/// The view's state: the groups (computed on the first visit) and their table.
pub struct DuplicatesState {
    pub(crate) groups: Task<Arc<Duplicates>>,
    pub(crate) view: TreeView,
}

impl DuplicatesState {
    /// The groups, once found.
    pub fn groups(&self) -> Option<&Arc<Duplicates>> {
        self.groups.value()
    }
}

struct Model<'a> {
    s: &'a Snapshot,
    found: &'a Duplicates,
}

impl TreeModel for Model<'_> {
    fn numbers(&self) -> &[f32] {
        &[DISTANCE_WIDTH, SIZE_WIDTH, SIZE_WIDTH]
    }

    fn header(&self) -> Header<'_> {
        Header::Plain(&["Value", "Count", "Shallow Size", "Retained Size"])
    }

    /// Groups stand for no object; their strings do.
    fn node(&self, tree: &Tree, row: Row) -> Option<NodeId> {
        match row {
            Row::Item { level, .. } if level > 0 => row_node(tree, row, &self.s.graph),
            _ => None,
        }
    }

    fn item(&self, row: &mut TableRow<'_, '_>, tree: &Tree, item: Item, actions: &mut Vec<Action>) {
        let Item { level, index, depth } = item;
        let total = self.s.total_size;
        if level == 0 {
            let grp = &self.found.groups[index as usize];
            name_cell(row, tree, item, true, actions, |ui| {
                let mut parts = vec![RichText::new(format!("\"{}\"", preview(&grp.value, 120)))];
                if grp.truncated {
                    parts.push(RichText::new(format!("(truncated, {} long)", grp.value_length())).weak());
                }
                let job = widgets::job(ui, parts);
                widgets::truncated(ui, job, None, true, egui::Sense::hover());
            });
            row.col(|ui| widgets::right_text(ui, thousands(grp.count as u64)));
            row.col(|ui| size_cell(ui, grp.total_self_size as f64, total));
            row.col(|ui| size_cell(ui, grp.total_retained_size, total));
            return;
        }
        let Some(v) = self.node(tree, Row::Item { level, index, depth }) else {
            return;
        };
        row.col(|ui| {
            widgets::tree_toggle(ui, depth, false, false);
            object_cell(ui, self.s, v, None);
        });
        // The Count column is the group's: a string row leaves it empty.
        row.col(|_| {});
        row.col(|ui| size_cell(ui, self.s.graph.self_size(v) as f64, total));
        row.col(|ui| size_cell(ui, self.s.retained.get(v), total));
        object_row_extras(&row.response(), self.s, v, actions);
    }

    fn children(&self, _: &Tree, level: u32, index: u32) -> Option<Items> {
        (level == 0).then(|| Items::Nodes(Arc::new(self.found.groups[index as usize].nodes.clone())))
    }
}

pub fn show(ui: &mut Ui, state: &mut Option<DuplicatesState>, cx: &Cx) -> Option<Frame> {
    let (s, waker) = (cx.s, cx.waker);
    let d = state.get_or_insert_with(|| {
        let snapshot = s.clone();
        DuplicatesState {
            groups: Task::spawn(waker.clone(), move |_| Ok(Arc::new(duplicates(&snapshot)))),
            view: TreeView::new(Items::Classes(0)),
        }
    });
    let found = widgets::task_value(ui, &d.groups, "Finding duplicated strings…").cloned()?;
    let groups = &found.groups;
    if d.view.tree.level(0).items.len() != groups.len() {
        d.view = TreeView::new(Items::Classes(groups.len()));
    }
    ui.label(
        RichText::new(format!(
            "{} strings have the same value as another, in {} groups; keeping one copy of each would save {}.",
            thousands(found.strings),
            thousands(groups.len() as u64),
            bytes(found.saving as f64)
        ))
        .weak(),
    );
    if groups.is_empty() {
        return None;
    }
    Some(d.view.show(
        ui,
        "duplicates",
        &Model { s, found: &found },
        None,
        cx.selected,
        cx.keys,
    ))
}
