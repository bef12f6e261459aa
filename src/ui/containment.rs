//! Two views over the graph itself. Containment, as DevTools has it: from the root, the GC
//! roots and the global objects, each expandable into its outgoing references, lazily.
//! Detached DOM: detached subtrees by their root node, with what keeps each alive.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::doc::{ContainmentState, DetachedState, Doc, edges_items};
use super::table::{
    Action, apply_common, finish, header, more_row, number_column, object_row, object_row_extras,
    object_table_scrolled, pending_row, row_clicks, row_node, scrolled, tree_table,
};
use super::tree::{Items, PAGE, Row, Tree};
use super::widgets::{self, ROW_HEIGHT, size_cell};
use crate::analysis::Snapshot;
use crate::analysis::detached::DetachedDom;
use crate::engine::task::{Task, Waker};
use crate::present::names;
use crate::text::preview;
use crate::text::thousands;

pub fn containment(ui: &mut Ui, doc: &mut Doc, snapshot: &Arc<Snapshot>, waker: &Waker) {
    let keys = doc.takes_view_keys();
    let g = &snapshot.graph;
    let c = doc.containment.get_or_insert_with(|| ContainmentState {
        tree: Tree::new(edges_items(snapshot, g.root())),
        cursor: None,
    });
    ui.label(RichText::new("What the root holds: GC roots and global objects, each with its references.").weak());
    let rows = c.tree.take_rows(None);
    let selected = doc.object.as_ref().map(|o| o.node);
    let mut actions: Vec<Action> = Vec::new();
    object_table_scrolled(ui, "containment", &mut c.tree).body(|body| {
        body.rows(ROW_HEIGHT, rows.len(), |mut row| {
            let i = row.index();
            let r = rows.get(i);
            let node = row_node(&c.tree, r, g);
            row.set_selected(c.cursor == Some(i) || (node.is_some() && node == selected));
            match r {
                Row::Item { level, index, depth } => {
                    let expandable = node.is_some_and(|v| g.has_edges(v));
                    object_row(
                        &mut row,
                        &c.tree,
                        snapshot,
                        (level, index, depth),
                        expandable,
                        &mut actions,
                    );
                }
                Row::More { level, depth } => more_row(&mut row, &c.tree, level, depth, 4, &mut actions),
                Row::Pending { level, depth } => pending_row(&mut row, &c.tree.level(level).items, depth, 4),
            }
            row_clicks(&row.response(), i, r, node, &mut actions);
        });
    });
    let moved = finish(
        ui,
        rows,
        &mut c.tree,
        c.cursor,
        keys,
        |t, r| row_node(t, r, g),
        &mut actions,
    );
    if moved {
        doc.keys_to_panel = false;
    }
    let Some(c) = &mut doc.containment else { return };
    let mut others = Vec::new();
    for a in apply_common(actions, &mut c.tree, &mut c.cursor) {
        match a {
            Action::Toggle { level, index } => {
                if c.tree.is_expanded(level, index) {
                    c.tree.collapse(level, index);
                } else if let Some(v) = row_node(&c.tree, Row::Item { level, index, depth: 0 }, g)
                    && g.has_edges(v)
                {
                    c.tree.expand(level, index, edges_items(snapshot, v), PAGE);
                }
            }
            other => others.push(other),
        }
    }
    for a in others {
        doc.object_action(a, waker);
    }
}

pub fn detached(ui: &mut Ui, doc: &mut Doc, snapshot: &Arc<Snapshot>, waker: &Waker) {
    let keys = doc.takes_view_keys();
    let d = doc.detached.get_or_insert_with(|| {
        let s = snapshot.clone();
        DetachedState {
            trees: Task::spawn(waker.clone(), move |_| Ok(Arc::new(DetachedDom::of(&s)))),
            tree: Tree::new(Items::Nodes(Arc::new(Vec::new()))),
            cursor: None,
        }
    });
    let Some(dom) = widgets::task_value(ui, &d.trees, "Finding detached DOM trees…").cloned() else {
        return;
    };
    if dom.trees.is_empty() {
        ui.label(
            RichText::new(
                "No detached DOM nodes: this snapshot has no DOM (Node.js), or every DOM node is in a document.",
            )
            .weak(),
        );
        return;
    }
    if d.tree.level(0).items.len() != dom.trees.len() {
        d.tree = Tree::new(Items::Nodes(Arc::new(dom.trees.iter().map(|t| t.root).collect())));
    }
    ui.label(
        RichText::new(format!(
            "{}: nodes removed from the document that something still holds. Each tree by its root, with \
             what keeps it alive.",
            names::detached_count(&dom)
        ))
        .weak(),
    );
    let g = &snapshot.graph;
    let total = snapshot.total_size;
    let selected = doc.object.as_ref().map(|o| o.node);
    let rows = d.tree.take_rows(None);
    let mut actions: Vec<Action> = Vec::new();
    scrolled(tree_table(ui, "detached"), &mut d.tree)
        .column(super::table::name_column())
        .column(number_column(super::table::DISTANCE_WIDTH))
        .columns(number_column(super::table::SIZE_WIDTH), 2)
        .header(ROW_HEIGHT + 4.0, |h| {
            header(
                h,
                &["Detached tree (by its root)", "Nodes", "Shallow Size", "Retained Size"],
            )
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                let i = row.index();
                let r = rows.get(i);
                let Row::Item { index, .. } = r else { return };
                let t = &dom.trees[index as usize];
                let v = t.root;
                row.set_selected(d.cursor == Some(i) || selected == Some(v));
                row.col(|ui| {
                    let tail = widgets::job(
                        ui,
                        [
                            super::widgets::id_text(g.id(v)),
                            RichText::new(names::held_by(snapshot, t)).weak(),
                        ],
                    );
                    let job = widgets::job(
                        ui,
                        [RichText::new(preview(snapshot.class_name(v), 80)).color(widgets::class_color(ui))],
                    );
                    widgets::truncated(ui, job, Some(tail.into()), false, egui::Sense::hover());
                });
                row.col(|ui| widgets::right_text(ui, thousands(t.nodes as u64)));
                row.col(|ui| size_cell(ui, g.self_size(v) as f64, total));
                row.col(|ui| size_cell(ui, t.retained, total));
                row_clicks(&row.response(), i, r, Some(v), &mut actions);
                object_row_extras(&row.response(), snapshot, v, &mut actions);
            });
        });
    let moved = finish(
        ui,
        rows,
        &mut d.tree,
        d.cursor,
        keys,
        |t, r| row_node(t, r, g),
        &mut actions,
    );
    if moved {
        doc.keys_to_panel = false;
    }
    let Some(d) = &mut doc.detached else { return };
    // The rows do not expand: what is left are the selection and menu commands.
    for a in apply_common(actions, &mut d.tree, &mut d.cursor) {
        if !matches!(a, Action::Toggle { .. }) {
            doc.object_action(a, waker);
        }
    }
}
