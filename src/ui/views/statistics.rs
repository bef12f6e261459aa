//! DevTools' Statistics: where the bytes are, by category.

use egui::{Color32, RichText, Ui};
use egui_plot::{Bar, BarChart, Plot};

use crate::analysis::Snapshot;
use crate::text;
use crate::ui::widgets::kv;

/// The categories DevTools' Statistics pie shows, in its order, with colours.
pub(crate) fn categories(s: &Snapshot) -> Vec<(&'static str, f64, Color32)> {
    let st = &s.statistics;
    vec![
        ("Code", st.code, Color32::from_rgb(232, 128, 80)),
        ("Strings", st.strings, Color32::from_rgb(90, 170, 90)),
        ("JS arrays", st.js_arrays, Color32::from_rgb(80, 140, 220)),
        ("Typed arrays", st.typed_arrays, Color32::from_rgb(150, 110, 210)),
        ("System objects", st.system, Color32::from_rgb(160, 160, 160)),
        ("Other JS objects", st.other(), Color32::from_rgb(230, 190, 70)),
        (
            "Other non-JS objects",
            (st.native_total - st.typed_arrays).max(0.0),
            Color32::from_rgb(80, 190, 190),
        ),
    ]
}

pub fn show(ui: &mut Ui, s: &Snapshot) {
    let cats = categories(s);
    let total = s.statistics.total;
    ui.horizontal(|ui| {
        ui.heading("Statistics");
        ui.label(RichText::new(format!("total {}", text::bytes(total))).weak());
    });
    ui.add_space(6.0);
    ui.columns(2, |cols| {
        let ui = &mut cols[0];
        egui::Grid::new("stats")
            .num_columns(3)
            .striped(true)
            .spacing([16.0, 6.0])
            .show(ui, |ui| {
                ui.strong("Category");
                ui.strong("Size");
                ui.strong("Share");
                ui.end_row();
                for (name, size, color) in &cats {
                    ui.horizontal(|ui| {
                        let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
                        ui.painter().rect_filled(rect, 2.0, *color);
                        ui.label(*name);
                    });
                    ui.label(text::bytes(*size));
                    ui.label(text::percent(*size, total));
                    ui.end_row();
                }
                ui.strong("Total");
                ui.strong(text::bytes(total));
                ui.label("100%");
                ui.end_row();
            });
        ui.add_space(10.0);
        egui::Grid::new("stats-more")
            .num_columns(2)
            .spacing([16.0, 4.0])
            .show(ui, |ui| {
                kv(ui, "V8 heap", text::bytes(s.statistics.v8heap_total));
                kv(ui, "Native (incl. extra bytes)", text::bytes(s.statistics.native_total));
                kv(ui, "Nodes", text::thousands(s.graph.node_count() as u64));
                kv(ui, "Edges", text::thousands(s.graph.edge_count() as u64));
                kv(ui, "Classes", text::thousands(s.summary.len() as u64));
            });

        let ui = &mut cols[1];
        let bars: Vec<Bar> = cats
            .iter()
            .enumerate()
            .map(|(i, (name, size, color))| {
                Bar::new((cats.len() - i) as f64, size / 1e6)
                    .name(*name)
                    .fill(*color)
                    .width(0.7)
            })
            .collect();
        let names: Vec<&str> = cats.iter().map(|c| c.0).collect();
        let n = cats.len();
        Plot::new("stats-plot")
            .height(ui.available_height().clamp(200.0, 420.0))
            .allow_zoom(false)
            .allow_drag(false)
            .allow_scroll(false)
            .show_grid([true, false])
            .x_axis_label("MB")
            .y_axis_formatter(move |mark, _| {
                let i = mark.value.round() as usize;
                if (mark.value - i as f64).abs() < 1e-6 && (1..=n).contains(&i) {
                    names[n - i].to_owned()
                } else {
                    String::new()
                }
            })
            .y_axis_min_width(110.0)
            .show(ui, |plot| {
                plot.bar_chart(BarChart::new("Size", bars).horizontal());
            });
    });
}
