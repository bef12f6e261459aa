//! The Summary's table: class rows, their instances, the instances' references.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::TableRow;

use super::{Jump, Members, SortBy, SummaryState};
use crate::analysis::Snapshot;
use crate::analysis::aggregates::ClassRow;
use crate::engine::task::{Task, Waker};
use crate::model::NodeId;
use crate::ui::table::{OBJECT_NUMBERS, class_cell, name_cell};
use crate::ui::tree::{Action, Item};
use crate::ui::tree::{Items, Row, Tree};
use crate::ui::treeview::{Frame, Header, TreeModel};
use crate::ui::views::containment::References;
use crate::ui::views::{Cx, Peers};
use crate::ui::widgets::{self, size_cell};

/// The instances of a class (those the Summary's filter keeps, if any), largest retained
/// first, computed off the UI thread.
pub(super) fn instances_task(s: &Arc<Snapshot>, class: u32, members: Option<Members>, waker: &Waker) -> Items {
    let s = s.clone();
    Items::Loading(Task::spawn(waker.clone(), move |_| {
        let mut list = s.instances_of(class);
        if let Some(m) = members {
            list.retain(|&v| m.contains(&s, v));
        }
        Ok(Arc::new(list))
    }))
}

struct Model<'a> {
    s: &'a Arc<Snapshot>,
    rows: &'a [ClassRow],
    members: Option<&'a Members>,
    sort: (SortBy, bool),
    waker: &'a Waker,
}

impl TreeModel for Model<'_> {
    fn numbers(&self) -> &[f32] {
        &OBJECT_NUMBERS
    }

    fn header(&self) -> Header<'_> {
        let by = SortBy::ALL.iter().position(|&c| c == self.sort.0).unwrap_or(0);
        Header::Sorted(
            &["Constructor", "Distance", "Shallow Size", "Retained Size"],
            Some((by, self.sort.1)),
        )
    }

    /// Classes stand for no object; instances and references do.
    fn node(&self, tree: &Tree, row: Row) -> Option<NodeId> {
        match row {
            Row::Item { level: 0, .. } => None,
            _ => References { s: self.s }.node(tree, row),
        }
    }

    fn item(&self, row: &mut TableRow<'_, '_>, tree: &Tree, item: Item, actions: &mut Vec<Action>) {
        if item.level > 0 {
            return References { s: self.s }.item(row, tree, item, actions);
        }
        let (c, total) = (&self.rows[item.index as usize], self.s.total_size);
        name_cell(row, tree, item, true, actions, |ui| {
            class_cell(ui, self.s, &c.name, 120, Some(c.count), c.location)
        });
        row.col(|ui| widgets::distance_cell(ui, c.distance));
        row.col(|ui| size_cell(ui, c.shallow_size as f64, total));
        row.col(|ui| size_cell(ui, c.retained_size, total));
    }

    fn children(&self, tree: &Tree, level: u32, index: u32) -> Option<Items> {
        if level > 0 {
            return References { s: self.s }.children(tree, level, index);
        }
        let class = self.rows[index as usize].class;
        Some(instances_task(self.s, class, self.members.cloned(), self.waker))
    }
}

/// Draws the Summary: its toolbar, its Show menu, its table. `title` names this snapshot in
/// the Show menu; `others` are the other open snapshots ("objects allocated between").
pub fn show(
    ui: &mut Ui,
    state: &mut SummaryState,
    jump: &mut Jump,
    cx: &Cx,
    (title, focus_filter): (String, bool),
    peers: &Peers,
) -> Frame {
    super::toolbar::query_bar(ui, state, cx);
    super::toolbar::toolbar(ui, state, jump, cx, focus_filter);
    super::toolbar::range_picker(ui, state, cx, title, peers);
    if let Some(t) = &cx.s.timeline {
        super::timeline::strip(ui, state, t, cx);
    }
    ui.separator();
    if state.rows.is_empty() && state.range_task.is_none() {
        let text = format!("No objects: “{}” keeps none in this snapshot.", state.range_label);
        ui.label(RichText::new(text).weak());
    }
    let model = Model {
        s: cx.s,
        rows: &state.rows,
        members: state.members.as_ref(),
        sort: (state.sort.by, state.sort.descending),
        waker: cx.waker,
    };
    let frame = state
        .view
        .show(ui, "summary", &model, Some(&state.order), cx.selected, cx.keys);
    if let Some(c) = frame.sort {
        state.set_sort(SortBy::ALL[c]);
    }
    frame
}
