//! The selected object's details: id, type, class, name or string value, sizes, distance, where
//! it is defined (with its source lines) and its dominator chain.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::{ObjectState, hop_line};
use crate::analysis::Snapshot;
use crate::analysis::query::{self, display_name};
use crate::model::{NodeId, NodeKind};
use crate::text::{self, preview};
use crate::ui::widgets::{self, id_text};

/// Id, type, class, name or string value, sizes, distance and the dominator chain; a link of
/// the chain clicked (to select) comes back.
pub fn inspector(ui: &mut Ui, obj: &ObjectState, snapshot: &Arc<Snapshot>) -> Option<NodeId> {
    let v = obj.node;
    let g = &snapshot.graph;
    let mut select = None;
    ui.horizontal(|ui| {
        let job = widgets::job(
            ui,
            [RichText::new(preview(snapshot.class_name(v), 80))
                .color(widgets::class_color(ui))
                .size(18.0)],
        );
        widgets::truncated(
            ui,
            job,
            Some(id_text(g.id(v)).size(16.0).into()),
            true,
            egui::Sense::hover(),
        );
    });
    widgets::field(ui, "Type", g.type_name(v));
    let name = display_name(g, v);
    let len = name.chars().count();
    if g.kind(v).is_string() {
        widgets::field(ui, "Value", format!("\"{}\"", preview(&name, 200)));
        widgets::field(ui, "Length", format!("{} characters", text::thousands(len as u64)));
    } else if !name.is_empty() && name != snapshot.class_name(v) {
        widgets::field(ui, "Name", preview(&name, 200));
    }
    let total = snapshot.total_size;
    let shallow = g.self_size(v) as f64;
    widgets::field(
        ui,
        "Shallow size",
        format!("{}  ({})", text::bytes(shallow), text::percent(shallow, total)),
    );
    let r = snapshot.retained.get(v);
    widgets::field(
        ui,
        "Retained size",
        format!("{}  ({})", text::bytes(r), text::percent(r, total)),
    );
    let original = snapshot.distances[v];
    let current = obj.ignoring.distance(snapshot, v);
    if obj.ignoring.set.is_empty() || current == original {
        let shown = widgets::field(ui, "Distance", current.to_string());
        if let Some(note) = crate::present::names::distance_note(current) {
            shown.on_hover_text(note);
        }
    } else {
        widgets::field(
            ui,
            "Distance",
            RichText::new(format!("{}  (was {} before ignoring retainers)", current, original))
                .color(widgets::accent(ui)),
        );
    }
    let location = snapshot.location_of(v);
    if let Some(l) = location {
        widgets::field(ui, "Defined at", snapshot.scripts.format(l)).on_hover_text(snapshot.scripts.format_full(l));
    }
    if g.kind(v) == NodeKind::Native && g.detachedness(v) == 2 {
        widgets::field(ui, "DOM", RichText::new("detached").color(widgets::accent(ui)));
    }
    widgets::field(ui, "Retainers", text::thousands(snapshot.retainers.count(v) as u64));
    widgets::field(ui, "References", text::thousands(g.edges(v).len() as u64));
    if let Some(l) = location
        && let Some(lines) = snapshot.scripts.source_lines(g, l, 3)
    {
        source_lines(ui, &lines);
    }
    if let Some(p) = &snapshot.allocations {
        allocation_stack(ui, snapshot, &p.stack_of(g, v));
    }
    ui.add_space(6.0);
    ui.label(RichText::new("Dominator chain").strong())
        .on_hover_text("The objects that must be freed before this one can be, nearest first");
    for d in query::dominator_chain(snapshot, v).into_iter().skip(1).take(40) {
        if hop_line(ui, snapshot, None, None, d, false) {
            select = Some(d);
        }
    }
    select
}

/// The stack that allocated the object, innermost first (snapshots taken with allocation
/// tracking on): DevTools' "Allocation stack".
fn allocation_stack(ui: &mut Ui, s: &Snapshot, frames: &[crate::analysis::allocations::Frame]) {
    use crate::present::allocations::{frame_label, is_root};
    ui.add_space(6.0);
    ui.label(RichText::new("Allocation stack").strong())
        .on_hover_text("The functions that were running when the object was made, innermost first");
    let shown: Vec<_> = frames.iter().filter(|f| !is_root(&s.graph, f.function)).collect();
    if shown.is_empty() {
        ui.label(RichText::new("Not recorded: made before allocation tracking started").weak());
    }
    for f in shown.iter().take(24) {
        ui.add(egui::Label::new(RichText::new(frame_label(s, f.function)).monospace()).truncate());
    }
    if shown.len() > 24 {
        ui.label(RichText::new(format!("… {} more frames", shown.len() - 24)).weak());
    }
}

/// The source around a definition, its line marked, in a screenshot-friendly code block.
fn source_lines(ui: &mut Ui, lines: &[(u32, String, bool)]) {
    egui::Frame::group(ui.style())
        .fill(ui.visuals().extreme_bg_color)
        .inner_margin(6.0)
        .show(ui, |ui| {
            ui.spacing_mut().item_spacing.y = 1.0;
            for (n, text, here) in lines {
                let number = RichText::new(format!("{n:>5} ")).monospace().weak();
                let code = RichText::new(text.replace('\t', "    ")).monospace();
                let code = if *here { code.color(widgets::accent(ui)) } else { code };
                // A long line wraps under its own start, its number alone on the left.
                ui.horizontal_top(|ui| {
                    ui.spacing_mut().item_spacing.x = 0.0;
                    ui.label(number);
                    let job = widgets::job(ui, [code]);
                    widgets::wrapped(ui, job, None, egui::Sense::hover());
                });
            }
        });
}
