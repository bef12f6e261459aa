//! The Summary view: constructors, their instances, and each instance's references.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::doc::{Choice, Column, Doc, edges_items, instances_task};
use super::table::{
    Action, apply_common, finish, more_row, object_columns, object_row, pending_row, row_clicks, row_node, scrolled,
    sort_headers, tree_table,
};
use super::tree::{PAGE, Row, Tree};
use super::widgets::{self, ROW_HEIGHT, size_cell};
use crate::analysis::Snapshot;
use crate::analysis::aggregates::ClassRow;
use crate::engine::task::Waker;
use crate::model::NodeId;
use crate::text::preview;

pub fn show(
    ui: &mut Ui,
    doc: &mut Doc,
    snapshot: &Arc<Snapshot>,
    waker: &Waker,
    focus_filter: bool,
    others: &[super::compare::Candidate],
) {
    let mut actions: Vec<Action> = Vec::new();
    let keys = doc.takes_view_keys();
    toolbar(ui, doc, waker, focus_filter);
    range_picker(ui, doc, snapshot, others, waker);
    ui.separator();
    let Some(summary) = &mut doc.summary else {
        return;
    };
    let total = snapshot.total_size;
    if summary.rows.is_empty() && summary.range_task.is_none() {
        ui.label(
            RichText::new(format!(
                "No objects: “{}” keeps none in this snapshot.",
                summary.range_label
            ))
            .weak(),
        );
    }
    let rows = summary.tree.take_rows(Some(&summary.order));
    let selected = doc.object.as_ref().map(|o| o.node);
    let g = &snapshot.graph;

    let table = scrolled(object_columns(tree_table(ui, "summary")), &mut summary.tree);
    let sort = (summary.sort, summary.descending);
    let mut sort_clicked = None;
    table
        .header(ROW_HEIGHT + 4.0, |mut header| {
            sort_clicked = sort_headers(
                &mut header,
                &[
                    (Column::Constructor, "Constructor"),
                    (Column::Distance, "Distance"),
                    (Column::Shallow, "Shallow Size"),
                    (Column::Retained, "Retained Size"),
                ],
                Some(sort),
            );
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                let i = row.index();
                let r = rows.get(i);
                let node = row_node_summary(&summary.tree, r, g);
                row.set_selected(summary.cursor == Some(i) || (node.is_some() && node == selected));
                match r {
                    Row::Item { level: 0, index, depth } => {
                        let c = &summary.rows[index as usize];
                        let expanded = summary.tree.is_expanded(0, index);
                        row.col(|ui| {
                            if widgets::tree_toggle(ui, depth, true, expanded) {
                                actions.push(Action::Toggle { level: 0, index });
                            }
                            class_label(ui, c, snapshot);
                        });
                        row.col(|ui| widgets::right_text(ui, c.distance.to_string()));
                        row.col(|ui| size_cell(ui, c.shallow_size as f64, total));
                        row.col(|ui| size_cell(ui, c.retained_size, total));
                    }
                    Row::Item { level, index, depth } => {
                        let expandable = node.is_some_and(|v| g.has_edges(v));
                        object_row(
                            &mut row,
                            &summary.tree,
                            snapshot,
                            (level, index, depth),
                            expandable,
                            &mut actions,
                        );
                    }
                    Row::More { level, depth } => more_row(&mut row, &summary.tree, level, depth, 4, &mut actions),
                    Row::Pending { level, depth } => pending_row(&mut row, &summary.tree.level(level).items, depth, 4),
                }
                row_clicks(&row.response(), i, r, node, &mut actions);
            });
        });
    if let Some(col) = sort_clicked {
        summary.set_sort(col);
    }
    let moved = finish(
        ui,
        rows,
        &mut summary.tree,
        summary.cursor,
        keys,
        |t, r| row_node_summary(t, r, g),
        &mut actions,
    );
    // A click or key in the view's table gives the keyboard back to the view.
    if moved {
        doc.keys_to_panel = false;
    }
    apply(doc, snapshot, waker, actions);
}

/// Like [`row_node`] but edge rows stand for their target.
fn row_node_summary(tree: &Tree, row: Row, g: &crate::model::Graph) -> Option<NodeId> {
    match row {
        Row::Item { level: 0, .. } => None,
        _ => row_node(tree, row, g),
    }
}

fn toolbar(ui: &mut Ui, doc: &mut Doc, waker: &Waker, focus_filter: bool) {
    // Wraps rather than widening the view: a row wider than the panel would widen the table too.
    ui.horizontal_wrapped(|ui| {
        let Some(summary) = &mut doc.summary else {
            return;
        };
        let filter = ui.add(
            egui::TextEdit::singleline(&mut summary.filter)
                .hint_text("Filter by class name (Ctrl+F)")
                .desired_width(260.0_f32.min(ui.available_width() * 0.45)),
        );
        if focus_filter {
            filter.request_focus();
        }
        if filter.changed() {
            summary.reorder();
        }
        if filter.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            summary.filter.clear();
            summary.reorder();
        }
        ui.label(RichText::new(format!("{} of {} classes", summary.order.len(), summary.rows.len())).weak());
        ui.separator();
        let jump = ui.add(
            egui::TextEdit::singleline(&mut doc.jump)
                .hint_text("@id")
                .desired_width(100.0),
        );
        let go = ui.button("Find object").on_hover_text("Select the object with this id");
        if go.clicked() || (jump.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))) {
            doc.jump_to(waker);
        }
        if doc.jump_task.is_some() {
            ui.spinner();
        }
        if let Some(e) = &doc.jump_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    });
}

/// The "Show" menu: DevTools' "Objects allocated before S1 / between S(k-1) and Sk" from the
/// open snapshots of this process (ordered by their newest object id), and its named filters.
fn range_picker(
    ui: &mut Ui,
    doc: &mut Doc,
    snapshot: &Arc<Snapshot>,
    others: &[super::compare::Candidate],
    waker: &Waker,
) {
    let Some(summary) = &mut doc.summary else { return };
    let mut series: Vec<(String, u32)> = others
        .iter()
        .filter_map(|c| c.snapshot.as_ref().map(|s| (c.title.clone(), s.max_js_object_id)))
        .filter(|&(_, m)| m <= snapshot.max_js_object_id)
        .collect();
    series.push((doc.source.name(), snapshot.max_js_object_id));
    series.sort_by_key(|x| x.1);
    series.dedup_by_key(|x| x.1);
    let mut choices: Vec<(Choice, String)> = vec![(Choice::All, "All objects".into())];
    if series.len() >= 2 {
        choices.push((
            Choice::Range(0, series[0].1),
            format!("Objects allocated before {}", series[0].0),
        ));
        for w in series.windows(2) {
            choices.push((
                Choice::Range(w[0].1, w[1].1),
                format!("Objects allocated between {} and {}", w[0].0, w[1].0),
            ));
        }
    }
    // DevTools' named filters.
    for f in crate::analysis::filters::NamedFilter::ALL {
        choices.push((Choice::Named(f), f.label().to_owned()));
    }
    let mut picked = None;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Show");
        egui::ComboBox::from_id_salt("range")
            .selected_text(summary.range_label.clone())
            .truncate()
            .width(420.0_f32.min(ui.available_width() - 40.0).max(120.0))
            .show_ui(ui, |ui| {
                for (i, (range, label)) in choices.iter().enumerate() {
                    if i > 0 && matches!(range, Choice::Named(_)) && !matches!(choices[i - 1].0, Choice::Named(_)) {
                        ui.separator();
                    }
                    if ui.selectable_label(summary.range == *range, label).clicked() {
                        picked = Some((*range, label.clone()));
                    }
                }
            })
            .response
            .labelled_by(label.id);
        if summary.range_task.is_some() {
            ui.spinner();
        }
    });
    if let Some((range, label)) = picked {
        summary.set_range(snapshot, range, label, waker);
    }
}

fn class_label(ui: &mut Ui, c: &ClassRow, snapshot: &Snapshot) {
    let mut parts = vec![
        RichText::new(preview(&c.name, 120))
            .color(widgets::class_color(ui))
            .strong(),
        RichText::new(format!("×{}", crate::text::thousands(c.count))).weak(),
    ];
    if let Some(l) = c.location {
        parts.push(RichText::new(snapshot.scripts.format(l)).weak().small());
    }
    let job = widgets::job(ui, parts);
    let resp = widgets::truncated(ui, job, None, c.location.is_none(), egui::Sense::hover());
    if let Some(l) = c.location {
        resp.on_hover_text(format!("{}\nDefined at {}", c.name, snapshot.scripts.format_full(l)));
    }
}

fn apply(doc: &mut Doc, snapshot: &Arc<Snapshot>, waker: &Waker, actions: Vec<Action>) {
    let actions = match &mut doc.summary {
        Some(s) => apply_common(actions, &mut s.tree, &mut s.cursor),
        None => return,
    };
    for a in actions {
        match a {
            Action::Toggle { level, index } => {
                let Some(s) = &mut doc.summary else { continue };
                if s.tree.is_expanded(level, index) {
                    s.tree.collapse(level, index);
                    continue;
                }
                let items = if level == 0 {
                    instances_task(snapshot, s.rows[index as usize].class, s.members.clone(), waker)
                } else {
                    let Some(v) = row_node(&s.tree, Row::Item { level, index, depth: 0 }, &snapshot.graph) else {
                        continue;
                    };
                    if !snapshot.graph.has_edges(v) {
                        continue;
                    }
                    edges_items(snapshot, v)
                };
                s.tree.expand(level, index, items, PAGE);
            }
            other => doc.object_action(other, waker),
        }
    }
}
