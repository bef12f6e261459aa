//! Growth across N snapshots of one process: per-class count and size charts, a ranking of the
//! classes that grow, and click-through to the objects that are new in the last snapshot.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::Column;
use egui_plot::{Legend, Line, Plot, PlotPoints};

use super::doc::Doc;
use super::table::{header, tree_table};
use super::widgets::{self, ROW_HEIGHT, id_text};
use crate::analysis::Snapshot;
use crate::analysis::growth::{Growth, Series};
use crate::engine::Source;
use crate::engine::task::{Task, Waker};
use crate::model::NodeId;
use crate::report::preview;
use crate::units::{bytes, signed_bytes, thousands};

pub struct GrowthResult {
    pub names: Vec<String>,
    pub ranked: Vec<Series>,
    pub last: Arc<Snapshot>,
    pub last_uid: u64,
    pub first_ids: Arc<Vec<u32>>,
}

#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub enum Metric {
    #[default]
    Count,
    Size,
}

#[derive(Default)]
pub struct GrowthState {
    /// Snapshot docs in series order (oldest first).
    pub order: Vec<u64>,
    pub task: Option<Task<Arc<GrowthResult>>>,
    pub computed_for: Vec<u64>,
    /// Class keys drawn on the chart.
    pub charted: Vec<String>,
    pub metric: Metric,
    pub log: bool,
    pub focus: Option<usize>,
    pub new_objects: Option<Task<Arc<Vec<NodeId>>>>,
    pub folder: String,
}

pub enum Request {
    OpenDialog,
    OpenFolder(std::path::PathBuf),
    Reveal { doc: u64, node: NodeId },
}

/// Default order: by file time, then name (embedded samples by name).
pub fn default_order(docs: &[Doc]) -> Vec<u64> {
    let mut v: Vec<(Option<std::time::SystemTime>, String, u64)> = docs
        .iter()
        .map(|d| {
            let time = match &d.source {
                Source::File(p) => std::fs::metadata(p).and_then(|m| m.modified()).ok(),
                Source::Embedded(..) => None,
            };
            (time, d.title(), d.uid)
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    v.into_iter().map(|x| x.2).collect()
}

impl GrowthState {
    pub fn poll(&mut self, docs: &[Doc], waker: &Waker) {
        // New docs join the series at the end; closed ones leave it.
        for d in docs {
            if !self.order.contains(&d.uid) {
                self.order.push(d.uid);
            }
        }
        self.order.retain(|u| docs.iter().any(|d| d.uid == *u));
        let snaps: Vec<(u64, String, Option<Arc<Snapshot>>)> = self
            .order
            .iter()
            .filter_map(|u| docs.iter().find(|d| d.uid == *u))
            .map(|d| (d.uid, d.title(), d.snapshot().cloned()))
            .collect();
        if snaps.len() < 2 || snaps.iter().any(|s| s.2.is_none()) || self.computed_for == self.order {
            return;
        }
        self.computed_for = self.order.clone();
        self.focus = None;
        self.new_objects = None;
        self.charted.clear();
        self.task = Some(Task::spawn(waker.clone(), move |_| {
            let last = snaps.last().and_then(|s| s.2.clone()).expect("checked above");
            let definitions = last.interface_definitions.clone();
            let mut growth = Growth::new();
            for (i, (_, name, s)) in snaps.iter().enumerate() {
                let s = s.as_ref().expect("checked above");
                let defs = (i + 1 < snaps.len()).then_some(definitions.as_slice());
                growth.add(name.clone(), s, defs);
            }
            let first_ids = crate::analysis::leaks::sorted_ids(snaps[0].2.as_ref().expect("checked above"));
            growth.attribute(&first_ids, &last);
            Ok(Arc::new(GrowthResult {
                names: growth.names.clone(),
                ranked: growth.ranked(),
                last,
                last_uid: snaps.last().map(|s| s.0).unwrap_or(0),
                first_ids: Arc::new(first_ids),
            }))
        }));
    }

    pub fn busy(&self) -> bool {
        self.task.as_ref().is_some_and(|t| !t.is_done()) || self.new_objects.as_ref().is_some_and(|t| !t.is_done())
    }

    pub fn result(&self) -> Option<&Arc<GrowthResult>> {
        self.task.as_ref().and_then(|t| t.value())
    }
}

pub fn show(ui: &mut Ui, st: &mut GrowthState, docs: &[Doc], waker: &Waker) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.heading("Growth across snapshots");
    ui.label(
        RichText::new("Snapshots of one process, oldest first. Classes that keep growing are the usual leaks.").weak(),
    );
    series_list(ui, st, docs, &mut requests);
    ui.separator();
    let Some(task) = &st.task else {
        ui.label(
            RichText::new("Open at least two snapshots of one process; the chart appears once they are indexed.")
                .weak(),
        );
        return requests;
    };
    let Some(r) = widgets::task_value(ui, task, "Comparing the snapshots…").cloned() else {
        return requests;
    };
    if st.charted.is_empty() {
        // Chart the classes that own their growth; fall back to the top of the ranking.
        st.charted = r
            .ranked
            .iter()
            .filter(|c| c.monotonic() && c.owned_growth > 0.0)
            .take(4)
            .map(|c| c.key.clone())
            .collect();
        if st.charted.is_empty() {
            st.charted = r.ranked.iter().take(3).map(|c| c.key.clone()).collect();
        }
    }
    ui.horizontal(|ui| {
        ui.radio_value(&mut st.metric, Metric::Count, "Count");
        ui.radio_value(&mut st.metric, Metric::Size, "Shallow size");
        ui.checkbox(&mut st.log, "Log scale");
    });
    chart(ui, st, &r);
    ui.separator();
    ui.columns(2, |cols| {
        ranking(&mut cols[0], st, &r);
        new_objects(&mut cols[1], st, &r, waker, &mut requests);
    });
    requests
}

fn series_list(ui: &mut Ui, st: &mut GrowthState, docs: &[Doc], requests: &mut Vec<Request>) {
    let mut swap = None;
    ui.horizontal_wrapped(|ui| {
        for (i, uid) in st.order.iter().enumerate() {
            let Some(d) = docs.iter().find(|d| d.uid == *uid) else {
                continue;
            };
            if i > 0 {
                ui.label(RichText::new("→").weak());
            }
            let status = if d.is_loading() { " ⟳" } else { "" };
            ui.label(format!("{}. {}{status}", i + 1, d.title()));
            if i > 0 && ui.small_button("◀").on_hover_text("Earlier").clicked() {
                swap = Some((i - 1, i));
            }
            if i + 1 < st.order.len() && ui.small_button("▶").on_hover_text("Later").clicked() {
                swap = Some((i, i + 1));
            }
        }
    });
    if let Some((a, b)) = swap {
        st.order.swap(a, b);
    }
    ui.horizontal(|ui| {
        if ui.button("Add snapshots…").clicked() {
            requests.push(Request::OpenDialog);
        }
        ui.add(
            egui::TextEdit::singleline(&mut st.folder)
                .hint_text("…or a folder of snapshots")
                .desired_width(300.0),
        );
        if ui.button("Open folder").clicked() && !st.folder.trim().is_empty() {
            requests.push(Request::OpenFolder(std::path::PathBuf::from(st.folder.trim())));
        }
    });
}

fn value(c: &Series, metric: Metric, i: usize) -> f64 {
    match metric {
        Metric::Count => c.counts[i] as f64,
        Metric::Size => c.sizes[i] as f64,
    }
}

fn chart(ui: &mut Ui, st: &GrowthState, r: &GrowthResult) {
    let (log, metric) = (st.log, st.metric);
    let names = r.names.clone();
    Plot::new("growth-chart")
        .height(260.0)
        .legend(Legend::default())
        .allow_scroll(false)
        .x_axis_formatter(move |m, _| {
            let i = m.value.round();
            if (m.value - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len() {
                format!("S{}", i as usize + 1)
            } else {
                String::new()
            }
        })
        .y_axis_formatter(move |m, _| {
            let v = if log { 10f64.powf(m.value) } else { m.value };
            match metric {
                Metric::Count => thousands(v.max(0.0).round() as u64),
                Metric::Size => bytes(v),
            }
        })
        .show(ui, |plot| {
            for key in &st.charted {
                let Some(c) = r.ranked.iter().find(|c| &c.key == key) else {
                    continue;
                };
                let points: PlotPoints = (0..c.counts.len())
                    .map(|i| {
                        let v = value(c, metric, i);
                        [i as f64, if log { v.max(1.0).log10() } else { v }]
                    })
                    .collect();
                plot.line(Line::new(preview(&c.name, 40), points).width(2.0));
            }
        });
}

fn ranking(ui: &mut Ui, st: &mut GrowthState, r: &GrowthResult) {
    ui.label(RichText::new("Classes by growth (↑ = grew in every snapshot)").strong());
    let mut toggle = None;
    let mut clicked = None;
    tree_table(ui, "growth-rank")
        .resizable(false)
        .column(Column::exact(24.0))
        .column(Column::remainder().at_least(140.0).clip(true))
        .column(Column::initial(64.0))
        .column(Column::initial(76.0))
        .column(Column::initial(76.0))
        .column(Column::initial(84.0))
        .max_scroll_height(320.0)
        .auto_shrink([false, true])
        .header(ROW_HEIGHT + 4.0, |h| {
            header(h, &["", "Class", "Δ count", "Δ size", "Avg / step", "Keeps alive"])
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, r.ranked.len(), |mut row| {
                let i = row.index();
                let c = &r.ranked[i];
                row.set_selected(st.focus == Some(i));
                row.col(|ui| {
                    let mut on = st.charted.contains(&c.key);
                    if ui.checkbox(&mut on, "").on_hover_text("Show on the chart").changed() {
                        toggle = Some(c.key.clone());
                    }
                });
                row.col(|ui| {
                    if c.monotonic() {
                        ui.label(RichText::new("↑").color(widgets::accent(ui)).strong());
                    }
                    ui.label(RichText::new(preview(&c.name, 60)).color(widgets::class_color(ui)));
                    ui.label(
                        RichText::new(c.counts.iter().map(|n| thousands(*n)).collect::<Vec<_>>().join(" → "))
                            .weak()
                            .small(),
                    );
                });
                row.col(|ui| widgets::right_text(ui, format!("{:+}", c.count_delta())));
                row.col(|ui| widgets::right_text(ui, signed_bytes(c.size_delta() as f64)));
                row.col(|ui| widgets::right_text(ui, signed_bytes(c.average_growth())));
                row.col(|ui| widgets::right_text(ui, bytes(c.owned_growth)));
                if row.response().clicked() {
                    clicked = Some(i);
                }
            });
        });
    if let Some(k) = toggle {
        if let Some(p) = st.charted.iter().position(|x| *x == k) {
            st.charted.remove(p);
        } else {
            st.charted.push(k);
        }
    }
    if let Some(i) = clicked {
        st.focus = Some(i);
        st.new_objects = None;
    }
}

fn new_objects(ui: &mut Ui, st: &mut GrowthState, r: &GrowthResult, waker: &Waker, requests: &mut Vec<Request>) {
    let Some(i) = st.focus.filter(|&i| i < r.ranked.len()) else {
        ui.label(RichText::new("Click a class to list its objects that are new in the last snapshot.").weak());
        return;
    };
    let c = &r.ranked[i];
    if st.new_objects.is_none() {
        let (last, first, key) = (r.last.clone(), r.first_ids.clone(), c.key.clone());
        st.new_objects = Some(Task::spawn(waker.clone(), move |_| {
            let g = &last.graph;
            let mut out: Vec<NodeId> = (0..g.node_count() as NodeId)
                .filter(|&v| {
                    g.self_size[v as usize] > 0
                        && first.binary_search(&g.id(v)).is_err()
                        && last.classes.public_key(g, last.classes.of_node[v as usize]) == key
                })
                .collect();
            out.sort_by(|&a, &b| last.retained.get(b).total_cmp(&last.retained.get(a)).then(a.cmp(&b)));
            Ok(Arc::new(out))
        }));
    }
    ui.label(
        RichText::new(format!(
            "{}: new since {}, alive in {}",
            preview(&c.name, 60),
            r.names[0],
            r.names[r.names.len() - 1]
        ))
        .strong(),
    );
    match st.new_objects.as_ref().and_then(|t| t.get()) {
        None => {
            ui.spinner();
        }
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e.to_string());
        }
        Some(Ok(list)) => {
            ui.label(format!(
                "{} objects (click one for its retainers):",
                thousands(list.len() as u64)
            ));
            egui::ScrollArea::vertical()
                .id_salt("growth-new")
                .max_height(280.0)
                .show(ui, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        for &v in list.iter().take(300) {
                            if ui.link(id_text(r.last.graph.id(v)).text().to_string()).clicked() {
                                requests.push(Request::Reveal {
                                    doc: r.last_uid,
                                    node: v,
                                });
                            }
                        }
                        if list.len() > 300 {
                            ui.label(RichText::new(format!("and {} more", list.len() - 300)).weak());
                        }
                    });
                });
        }
    }
}
