//! The dominator tree from the root: each object's children are the objects only it keeps
//! alive, largest retained size first, expanded lazily.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::doc::{Doc, dominated_task};
use super::table::{
    Action, apply_common, finish, more_row, object_row, object_table_scrolled, pending_row, row_clicks, row_node,
};
use super::tree::{PAGE, Row};
use super::widgets::ROW_HEIGHT;
use crate::analysis::Snapshot;
use crate::engine::task::Waker;

pub fn show(ui: &mut Ui, doc: &mut Doc, snapshot: &Arc<Snapshot>, waker: &Waker) {
    let keys = doc.takes_view_keys();
    let Some(dom) = &mut doc.dominators else {
        return;
    };
    let g = &snapshot.graph;
    ui.label(
        RichText::new(format!(
            "Each object's children are the objects it alone keeps alive; freeing it frees them all.{}",
            if snapshot.graph.extra_native_bytes() > 0.0 {
                format!(
                    " The total also counts {} of native memory outside the graph.",
                    crate::text::bytes(snapshot.graph.extra_native_bytes())
                )
            } else {
                String::new()
            }
        ))
        .weak(),
    );
    let rows = dom.tree.take_rows(None);
    let selected = doc.object.as_ref().map(|o| o.node);
    let mut actions: Vec<Action> = Vec::new();
    object_table_scrolled(ui, "dominators", &mut dom.tree).body(|body| {
        body.rows(ROW_HEIGHT, rows.len(), |mut row| {
            let i = row.index();
            let r = rows.get(i);
            let node = row_node(&dom.tree, r, g);
            row.set_selected(dom.cursor == Some(i) || (node.is_some() && node == selected));
            match r {
                Row::Item { level, index, depth } => {
                    let Some(v) = node else { return };
                    // Leaves retain only themselves.
                    let expandable = snapshot.retained.get(v) > g.self_size(v) as f64 || v == g.root();
                    object_row(
                        &mut row,
                        &dom.tree,
                        snapshot,
                        (level, index, depth),
                        expandable,
                        &mut actions,
                    );
                }
                Row::More { level, depth } => more_row(&mut row, &dom.tree, level, depth, 4, &mut actions),
                Row::Pending { level, depth } => pending_row(&mut row, &dom.tree.level(level).items, depth, 4),
            }
            row_clicks(&row.response(), i, r, node, &mut actions);
        });
    });
    let moved = finish(
        ui,
        rows,
        &mut dom.tree,
        dom.cursor,
        keys,
        |t, r| row_node(t, r, g),
        &mut actions,
    );
    // A click or key in the view's table gives the keyboard back to the view.
    if moved {
        doc.keys_to_panel = false;
    }
    let actions = apply_common(actions, &mut dom.tree, &mut dom.cursor);
    for a in actions {
        match a {
            Action::Toggle { level, index } => {
                let Some(d) = &mut doc.dominators else {
                    continue;
                };
                if d.tree.is_expanded(level, index) {
                    d.tree.collapse(level, index);
                } else if let Some(v) = row_node(&d.tree, Row::Item { level, index, depth: 0 }, g) {
                    d.tree.expand(level, index, dominated_task(snapshot, v, waker), PAGE);
                }
            }
            other => doc.object_action(other, waker),
        }
    }
}
