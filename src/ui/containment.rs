//! Two views over the graph itself. Containment, as DevTools has it: from the root, the GC
//! roots and the global objects, each expandable into its outgoing references, lazily.
//! Detached DOM: detached subtrees by their root node, with what keeps each alive.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::doc::{ContainmentState, DetachedState, Doc, edges_items};
use super::table::{
    Action, apply_common, header, keyboard, more_row, moves_cursor, number_column, object_cells, object_columns,
    object_label, object_row_extras, page_rows, pending_row, row_clicks, row_node, scrolled, tree_table,
};
use super::tree::{PAGE, Row, Tree};
use super::widgets::{self, ROW_HEIGHT, size_cell};
use crate::analysis::Snapshot;
use crate::analysis::query::edge_arrow;
use crate::engine::task::{Task, Waker};
use crate::report::preview;
use crate::units::thousands;

pub fn containment(ui: &mut Ui, doc: &mut Doc, snapshot: &Arc<Snapshot>, waker: &Waker) {
    let keys = doc.takes_view_keys();
    let g = &snapshot.graph;
    let c = doc.containment.get_or_insert_with(|| ContainmentState {
        tree: Tree::new(edges_items(snapshot, g.root)),
        cursor: None,
    });
    ui.label(RichText::new("What the root holds: GC roots and global objects, each with its references.").weak());
    let rows = c.tree.take_rows(None);
    let selected = doc.object.as_ref().map(|o| o.node);
    let mut actions: Vec<Action> = Vec::new();
    scrolled(object_columns(tree_table(ui, "containment")), &mut c.tree)
        .header(ROW_HEIGHT + 4.0, |h| {
            header(h, &["Object", "Distance", "Shallow Size", "Retained Size"])
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                let i = row.index();
                let r = rows.get(i);
                let node = row_node(&c.tree, r, g);
                row.set_selected(c.cursor == Some(i) || (node.is_some() && node == selected));
                match r {
                    Row::Item { level, index, depth } => {
                        let Some(v) = node else { return };
                        let edge = match &c.tree.level(level).items {
                            super::tree::Items::Edges { edges, .. } => edges.get(index as usize).copied(),
                            _ => None,
                        };
                        let expanded = c.tree.is_expanded(level, index);
                        row.col(|ui| {
                            if widgets::tree_toggle(ui, depth, !g.edges(v).is_empty(), expanded) {
                                actions.push(Action::Toggle { level, index });
                            }
                            object_label(ui, snapshot, v, edge);
                        });
                        object_cells(&mut row, snapshot, v);
                        object_row_extras(&row.response(), snapshot, v, &mut actions);
                    }
                    Row::More { level, depth } => more_row(&mut row, &c.tree, level, depth, 4, &mut actions),
                    Row::Pending { level, depth } => pending_row(&mut row, &c.tree.level(level).items, depth, 4),
                }
                row_clicks(&row.response(), i, r, node, &mut actions);
            });
        });
    if keys {
        keyboard(
            ui,
            &rows,
            c.cursor,
            page_rows(ui),
            |r| row_node(&c.tree, r, g),
            &mut actions,
        );
    }
    c.tree.put_rows(rows);
    if moves_cursor(&actions) {
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
                    && !g.edges(v).is_empty()
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
            trees: Task::spawn(waker.clone(), move |_| {
                Ok(Arc::new(crate::analysis::detached::detached_trees(&s)))
            }),
            cursor: None,
        }
    });
    let Some(trees) = widgets::task_value(ui, &d.trees, "Finding detached DOM trees…").cloned() else {
        return;
    };
    let g = &snapshot.graph;
    if trees.is_empty() {
        ui.label(
            RichText::new(
                "No detached DOM nodes: this snapshot has no DOM (Node.js), or every DOM node is in a document.",
            )
            .weak(),
        );
        return;
    }
    let nodes: usize = trees.iter().map(|t| t.nodes).sum();
    ui.label(
        RichText::new(format!(
            "{} detached DOM nodes in {} tree{}: nodes removed from the document that something still holds. \
             Each tree by its root, with what keeps the root alive.",
            thousands(nodes as u64),
            thousands(trees.len() as u64),
            if trees.len() == 1 { "" } else { "s" }
        ))
        .weak(),
    );
    let total = snapshot.total_size;
    let selected = doc.object.as_ref().map(|o| o.node);
    let mut actions: Vec<Action> = Vec::new();
    let cursor = d.cursor;
    tree_table(ui, "detached")
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
            body.rows(ROW_HEIGHT, trees.len(), |mut row| {
                let i = row.index();
                let t = &trees[i];
                let v = t.root;
                row.set_selected(cursor == Some(i) || selected == Some(v));
                row.col(|ui| {
                    let held = t.holder.map(|r| {
                        RichText::new(format!(
                            "held by {}{} @{}{}",
                            edge_arrow(g, Some(r.edge)),
                            preview(&snapshot.hop_name(r.from), 60),
                            g.id(r.from),
                            if t.holders > 1 {
                                format!(" and {} more", t.holders - 1)
                            } else {
                                String::new()
                            }
                        ))
                        .weak()
                    });
                    let tail = widgets::job(ui, [super::widgets::id_text(g.id(v))].into_iter().chain(held));
                    let job = widgets::job(
                        ui,
                        [RichText::new(preview(snapshot.class_name(v), 80)).color(widgets::class_color(ui))],
                    );
                    widgets::truncated(ui, job, Some(tail.into()), false, egui::Sense::hover());
                });
                row.col(|ui| widgets::right_text(ui, thousands(t.nodes as u64)));
                row.col(|ui| size_cell(ui, g.self_size[v as usize] as f64, total));
                row.col(|ui| size_cell(ui, t.retained, total));
                let resp = row.response();
                if resp.clicked() {
                    actions.push(Action::Cursor(i));
                    actions.push(Action::Select(v));
                }
                object_row_extras(&resp, snapshot, v, &mut actions);
            });
        });
    if keys {
        let up = ui.input(|i| i.key_pressed(egui::Key::ArrowUp));
        let down = ui.input(|i| i.key_pressed(egui::Key::ArrowDown));
        if !ui.ctx().egui_wants_keyboard_input() && (up || down) {
            let next = match (cursor, down) {
                (None, _) => 0,
                (Some(c), true) => (c + 1).min(trees.len() - 1),
                (Some(c), false) => c.saturating_sub(1),
            };
            actions.push(Action::Cursor(next));
            actions.push(Action::Select(trees[next].root));
        }
    }
    if moves_cursor(&actions) {
        doc.keys_to_panel = false;
    }
    for a in actions {
        match a {
            Action::Cursor(i) => {
                if let Some(d) = &mut doc.detached {
                    d.cursor = Some(i);
                }
            }
            other => doc.object_action(other, waker),
        }
    }
}
