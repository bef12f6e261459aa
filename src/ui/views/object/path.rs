//! The flat root-to-object chain of the selected object, one line per hop, made to read well
//! in a screenshot: the readable path, or DevTools' shortest one.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::{ObjectState, PathMode, Picked};
use crate::analysis::Snapshot;
use crate::analysis::query::edge_label;
use crate::model::{EdgeId, NodeId};
use crate::present::names;
use crate::text::{self, preview};
use crate::ui::widgets::{self, id_text};

/// The flat root-to-object chain, one line per hop, made to read well in a screenshot, shown
/// in `shown` mode; a hop clicked (to select) or the other mode chosen comes back.
pub fn path_to_root(ui: &mut Ui, obj: &ObjectState, snapshot: &Arc<Snapshot>, shown: PathMode) -> Picked {
    let mut select = None;
    let mut mode = shown;
    let ignoring = !obj.ignoring.set.is_empty();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Path to root").strong());
        if let Some(Ok(Some(hops))) = obj.path.get() {
            ui.label(RichText::new(format!("{} hops", hops.len().saturating_sub(1))).weak());
        }
        ui.add_enabled_ui(!ignoring, |ui| {
            ui.selectable_value(&mut mode, PathMode::Readable, "Readable")
                .on_hover_text(
                    "The path a person reads as the cause: no __proto__, constructor or V8-internal hops, \
                 weak references or DevTools' own roots where another path exists",
                );
            ui.selectable_value(&mut mode, PathMode::Shortest, "Shortest, as DevTools")
                .on_hover_text("DevTools' shortest path (the one the Retainers tree expands)");
        });
        if let Some(Ok(Some(hops))) = obj.path.get()
            && ui
                .button("📋 Copy as text")
                .on_hover_text("Copy the chain for a bug report")
                .clicked()
        {
            ui.ctx().copy_text(names::path_text(snapshot, hops));
        }
    });
    if ignoring {
        ui.label(
            RichText::new("Shortest path without the ignored retainers.")
                .weak()
                .small(),
        );
    }
    ui.add_space(4.0);
    let busy = match (ignoring, shown) {
        (false, PathMode::Readable) => "Finding a readable path…",
        _ => "Finding the shortest path…",
    };
    match widgets::task_value(ui, &obj.path, RichText::new(busy).weak()) {
        None => {}
        Some(None) => {
            ui.label(RichText::new("No path: only weak references or unreachable objects hold this object.").weak());
        }
        Some(Some(hops)) => {
            for (i, h) in hops.iter().enumerate() {
                if hop_line(ui, snapshot, Some(i), h.edge, h.node, i + 1 == hops.len()) {
                    select = Some(h.node);
                }
            }
        }
    }
    Picked {
        select,
        mode: (mode != shown).then_some(mode),
    }
}

/// One hop of a chain: `n  edge → Class “name”`, wrapped onto a second line where the panel
/// is narrow (never cut: the names are what the user reads), then the `@id` and retained size.
/// True when the object was clicked.
pub(crate) fn hop_line(
    ui: &mut Ui,
    snapshot: &Snapshot,
    index: Option<usize>,
    edge: Option<EdgeId>,
    node: NodeId,
    strong: bool,
) -> bool {
    let g = &snapshot.graph;
    ui.horizontal_top(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        if let Some(i) = index {
            ui.label(RichText::new(format!("{i:>2}")).weak().monospace());
        }
        let mut parts = Vec::new();
        if let Some(e) = edge {
            parts.push(
                RichText::new(edge_label(g, e))
                    .color(widgets::edge_color(ui))
                    .monospace(),
            );
            parts.push(RichText::new("→").weak());
        }
        let class = names::hop_label(snapshot, node);
        let text = RichText::new(preview(&class, 80)).color(widgets::class_color(ui));
        parts.push(if strong { text.strong() } else { text });
        if let Some(name) = names::own_name(snapshot, node, 60) {
            parts.push(RichText::new(format!("“{name}”")).weak());
        }
        let job = widgets::job(ui, parts);
        let tail = widgets::job(
            ui,
            [
                id_text(g.id(node)),
                RichText::new(text::bytes(snapshot.retained.get(node))).weak().small(),
            ],
        );
        widgets::wrapped(ui, job, Some(tail.into()), egui::Sense::click())
            .on_hover_cursor(egui::CursorIcon::PointingHand)
            .clicked()
    })
    .inner
}
