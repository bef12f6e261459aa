//! The Duplicated strings view: DevTools' `getDuplicateStrings` groups, largest retained first;
//! a group expands into its strings, a string shows its retainers.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::doc::{Doc, DuplicatesState};
use super::table::{
    Action, apply_common, finish, header, more_row, number_column, object_cell, object_row_extras, pending_row,
    row_clicks, row_node, scrolled, tree_table,
};
use super::tree::{Items, PAGE, Row, Tree};
use super::widgets::{self, ROW_HEIGHT, size_cell};
use crate::analysis::Snapshot;
use crate::analysis::filters::duplicates;
use crate::engine::task::{Task, Waker};
use crate::text::preview;
use crate::text::{bytes, thousands};

pub fn show(ui: &mut Ui, doc: &mut Doc, snapshot: &Arc<Snapshot>, waker: &Waker) {
    let keys = doc.takes_view_keys();
    let d = doc.duplicates.get_or_insert_with(|| {
        let s = snapshot.clone();
        DuplicatesState {
            groups: Task::spawn(waker.clone(), move |_| Ok(Arc::new(duplicates(&s)))),
            tree: Tree::new(Items::Classes(0)),
            cursor: None,
        }
    });
    let Some(found) = widgets::task_value(ui, &d.groups, "Finding duplicated strings…").cloned() else {
        return;
    };
    let groups = &found.groups;
    if d.tree.level(0).items.len() != groups.len() {
        d.tree = Tree::new(Items::Classes(groups.len()));
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
        return;
    }
    let g = &snapshot.graph;
    let total = snapshot.total_size;
    let rows = d.tree.take_rows(None);
    let selected = doc.object.as_ref().map(|o| o.node);
    let mut actions: Vec<Action> = Vec::new();
    let node_of = |tree: &Tree, r: Row| match r {
        Row::Item { level, .. } if level > 0 => row_node(tree, r, g),
        _ => None,
    };
    scrolled(tree_table(ui, "duplicates"), &mut d.tree)
        .column(super::table::name_column())
        .column(number_column(super::table::DISTANCE_WIDTH))
        .columns(number_column(super::table::SIZE_WIDTH), 2)
        .header(ROW_HEIGHT + 4.0, |h| {
            header(h, &["Value", "Count", "Shallow Size", "Retained Size"])
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                let i = row.index();
                let r = rows.get(i);
                let node = node_of(&d.tree, r);
                row.set_selected(d.cursor == Some(i) || (node.is_some() && node == selected));
                match r {
                    Row::Item { level: 0, index, depth } => {
                        let grp = &groups[index as usize];
                        let expanded = d.tree.is_expanded(0, index);
                        row.col(|ui| {
                            if widgets::tree_toggle(ui, depth, true, expanded) {
                                actions.push(Action::Toggle { level: 0, index });
                            }
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
                    }
                    Row::Item { depth, .. } => {
                        let Some(v) = node else { return };
                        row.col(|ui| {
                            widgets::tree_toggle(ui, depth, false, false);
                            object_cell(ui, snapshot, v, None);
                        });
                        // The Count column is the group's: a string row leaves it empty.
                        row.col(|_| {});
                        row.col(|ui| size_cell(ui, g.self_size(v) as f64, total));
                        row.col(|ui| size_cell(ui, snapshot.retained.get(v), total));
                        object_row_extras(&row.response(), snapshot, v, &mut actions);
                    }
                    Row::More { level, depth } => more_row(&mut row, &d.tree, level, depth, 4, &mut actions),
                    Row::Pending { level, depth } => pending_row(&mut row, &d.tree.level(level).items, depth, 4),
                }
                row_clicks(&row.response(), i, r, node, &mut actions);
            });
        });
    let moved = finish(
        ui,
        rows,
        &mut d.tree,
        d.cursor,
        keys,
        |t, r| node_of(t, r),
        &mut actions,
    );
    if moved {
        doc.keys_to_panel = false;
    }
    let Some(d) = &mut doc.duplicates else { return };
    let mut others = Vec::new();
    for a in apply_common(actions, &mut d.tree, &mut d.cursor) {
        match a {
            Action::Toggle { level: 0, index } => {
                if d.tree.is_expanded(0, index) {
                    d.tree.collapse(0, index);
                } else {
                    let nodes = groups[index as usize].nodes.clone();
                    d.tree.expand(0, index, Items::Nodes(Arc::new(nodes)), PAGE);
                }
            }
            Action::Toggle { .. } => {}
            other => others.push(other),
        }
    }
    for a in others {
        doc.object_action(a, waker);
    }
}
