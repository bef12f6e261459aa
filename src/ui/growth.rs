//! Growth across N snapshots of one process: per-class count and size charts, a ranking of the
//! classes that grow, and click-through to the objects that are new in the last snapshot.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_plot::{Legend, Line, LineStyle, Plot, PlotPoints};

use super::command::AppCommand;
use super::doc::{Doc, DocId, set_name};
use super::table::{sort_headers, tree_table};
use super::widgets::{self, ROW_HEIGHT};
use crate::analysis::Snapshot;
use crate::analysis::growth::Series;
use crate::engine::sets::{SetId, Sets};
use crate::engine::task::{Task, Waker};
use crate::engine::workflows;
use crate::model::NodeId;
use crate::text::preview;
use crate::text::{bytes, signed_bytes, signed_count, thousands};

pub struct GrowthResult {
    pub names: Vec<String>,
    pub ranked: Vec<Series>,
    pub last: Arc<Snapshot>,
    pub(crate) last_uid: DocId,
    pub(crate) first_ids: Arc<Vec<u32>>,
    /// The last snapshot's collections that grew, followed by id, with what holds them.
    pub collections: Vec<crate::present::report::GrownCollection>,
}

#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub enum Metric {
    #[default]
    Count,
    Size,
}

#[derive(Default)]
pub struct GrowthState {
    /// The process charted (None: the one with the most open snapshots).
    pub(crate) set: Option<SetId>,
    /// Its snapshots in series order (oldest first, by their newest object id).
    pub(crate) order: Vec<DocId>,
    pub(crate) task: Option<Task<Arc<GrowthResult>>>,
    pub(crate) computed_for: Vec<DocId>,
    /// Class keys drawn on the chart.
    pub(crate) charted: Vec<String>,
    pub(crate) metric: Metric,
    pub(crate) log: bool,
    pub(crate) focus: Option<usize>,
    pub(crate) new_objects: Option<Task<Arc<Vec<NodeId>>>>,
    pub(crate) folder: String,
    /// The ranking's sort (None: the growth ranking) and its display order, recomputed only
    /// when the sort or the result changes.
    pub(crate) sort: Option<(RankColumn, bool)>,
    pub(super) rank_order: Vec<u32>,
    pub(super) order_for: Option<(Option<(RankColumn, bool)>, u64)>,
    /// Bumped for every new set of snapshots, so scroll positions start at the top again.
    pub(super) generation: u64,
}

/// The ranking's number columns and its narrowest width with all of them shown.
const RANKING_NUMBERS: [f32; 5] = [24.0, 64.0, 80.0, 80.0, 84.0];
const RANKING_MIN_WIDTH: f32 = 500.0;

/// Ranking columns, for sorting by a header click.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RankColumn {
    Class,
    Count,
    Size,
    Average,
    KeepsAlive,
}

impl GrowthState {
    /// Charts the set of `id`'s snapshot.
    pub(crate) fn for_doc(sets: &Sets<DocId>, id: Option<DocId>) -> GrowthState {
        GrowthState {
            set: id.and_then(|id| sets.set_of(id)),
            ..Default::default()
        }
    }

    pub(crate) fn poll(&mut self, docs: &[Doc], sets: &Sets<DocId>, waker: &Waker) {
        let all = sets.sets();
        if self.set.is_none_or(|s| !all.contains(&s)) {
            // The process with the most open snapshots (the first of those).
            self.set = all.iter().copied().rev().max_by_key(|&s| sets.members(s).len());
        }
        // The set's snapshots in the order they were taken; new ones join, closed ones leave.
        self.order = self.set.map(|s| sets.members(s)).unwrap_or_default();
        let snaps: Vec<(DocId, String, Option<Arc<Snapshot>>)> = self
            .order
            .iter()
            .filter_map(|u| docs.iter().find(|d| d.id == *u))
            .map(|d| (d.id, d.title(), d.settled_snapshot().cloned()))
            .collect();
        if snaps.len() < 2 || snaps.iter().any(|s| s.2.is_none()) || self.computed_for == self.order {
            return;
        }
        self.computed_for = self.order.clone();
        self.focus = None;
        self.new_objects = None;
        self.charted.clear();
        self.generation += 1;
        self.task = Some(Task::spawn(waker.clone(), move |p| {
            let names: Vec<String> = snaps.iter().map(|s| s.1.clone()).collect();
            let report = workflows::growth(&names, p, |i| {
                snaps[i]
                    .2
                    .clone()
                    .ok_or(crate::error::Error::invalid("a snapshot is not loaded"))
            })?;
            let collections =
                crate::present::report::grown_collections(&report.last, &report.collections, names.len())?;
            Ok(Arc::new(GrowthResult {
                collections,
                names: report.growth.names.clone(),
                ranked: report.growth.ranked(),
                last: report.last,
                last_uid: snaps[snaps.len() - 1].0,
                first_ids: Arc::new(report.first_ids),
            }))
        }));
    }

    pub fn busy(&self) -> bool {
        self.task.as_ref().is_some_and(|t| !t.is_done()) || self.new_objects.as_ref().is_some_and(|t| !t.is_done())
    }

    /// The classes drawn on the chart (by class key).
    pub fn charted(&self) -> &[String] {
        &self.charted
    }

    /// The new objects of the class clicked in the ranking, once listed.
    pub fn new_objects(&self) -> Option<&Arc<Vec<NodeId>>> {
        self.new_objects.as_ref().and_then(|t| t.value())
    }

    /// The ranking's sort: a column and whether descending (None: the growth ranking).
    pub fn sort(&self) -> Option<(RankColumn, bool)> {
        self.sort
    }

    /// The series, oldest first.
    pub fn order(&self) -> &[DocId] {
        &self.order
    }

    pub fn result(&self) -> Option<&Arc<GrowthResult>> {
        self.task.as_ref().and_then(|t| t.value())
    }
}

pub fn show(
    ui: &mut Ui,
    st: &mut GrowthState,
    docs: &[Doc],
    sets: &Sets<DocId>,
    waker: &Waker,
    requests: &mut Vec<AppCommand>,
) {
    ui.heading("Growth across snapshots");
    ui.label(
        RichText::new(
            "Snapshots of one process, in the order they were taken. Classes that keep growing are the usual leaks.",
        )
        .weak(),
    );
    series_list(ui, st, docs, sets, requests);
    ui.separator();
    let Some(task) = &st.task else {
        ui.label(
            RichText::new("Open at least two snapshots of one process; the chart appears once they are indexed.")
                .weak(),
        );
        return;
    };
    let Some(r) = widgets::task_value(ui, task, "Comparing the snapshots…").cloned() else {
        return;
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
    let chart_height = (ui.available_height() * 0.3).clamp(110.0, 300.0);
    chart(ui, st, &r, chart_height);
    collections(ui, &r, requests);
    ui.separator();
    // The ranking and the objects fill the rest of the page; their tables scroll on their own.
    // Side by side where both fit with every number column, else one above the other.
    if ui.available_width() >= 2.0 * RANKING_MIN_WIDTH {
        ui.columns(2, |cols| {
            ranking(&mut cols[0], st, &r);
            new_objects(&mut cols[1], st, &r, waker, requests);
        });
    } else {
        let share = if st.focus.is_some() { 0.5 } else { 0.8 };
        let height = ui.available_height() * share;
        ui.allocate_ui(egui::vec2(ui.available_width(), height), |ui| ranking(ui, st, &r));
        ui.separator();
        new_objects(ui, st, &r, waker, requests);
    }
}

fn series_list(ui: &mut Ui, st: &mut GrowthState, docs: &[Doc], sets: &Sets<DocId>, requests: &mut Vec<AppCommand>) {
    let all = sets.sets();
    let title = |id: DocId| docs.iter().find(|d| d.id == id).map(|d| d.title()).unwrap_or_default();
    if all.len() > 1 {
        ui.horizontal(|ui| {
            let label = ui.label("Process");
            let name = |set: SetId| format!("{} · {} snapshots", set_name(docs, sets, set), sets.members(set).len());
            egui::ComboBox::from_id_salt("growth-set")
                .selected_text(st.set.map(name).unwrap_or_default())
                .truncate()
                .width(420.0_f32.min(ui.available_width() - 80.0).max(160.0))
                .show_ui(ui, |ui| {
                    for &set in &all {
                        ui.selectable_value(&mut st.set, Some(set), name(set));
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text(super::views::ANOTHER_PROCESS_SETS);
        });
    }
    ui.horizontal_wrapped(|ui| {
        for (i, &uid) in st.order.iter().enumerate() {
            if i > 0 {
                ui.label(RichText::new("→").weak());
            }
            ui.label(format!("{}. {}", i + 1, title(uid)));
        }
        let indexing: Vec<String> = docs.iter().filter(|d| d.is_loading()).map(|d| d.title()).collect();
        if !indexing.is_empty() {
            ui.label(RichText::new(format!("⟳ indexing {}", indexing.join(", "))).weak())
                .on_hover_text("A snapshot joins the series of its process once it is indexed.");
        }
    });
    ui.horizontal(|ui| {
        if ui.button("Add snapshots…").clicked() {
            requests.push(AppCommand::Open);
        }
        ui.add(
            egui::TextEdit::singleline(&mut st.folder)
                .hint_text("…or a folder of snapshots")
                .desired_width(300.0),
        );
        if ui.button("Open folder").clicked() && !st.folder.trim().is_empty() {
            requests.push(AppCommand::OpenFolder(std::path::PathBuf::from(st.folder.trim())));
        }
    });
}

fn value(c: &Series, metric: Metric, i: usize) -> f64 {
    match metric {
        Metric::Count => c.counts[i] as f64,
        Metric::Size => c.sizes[i] as f64,
    }
}

fn chart(ui: &mut Ui, st: &GrowthState, r: &GrowthResult, height: f32) {
    let (log, metric) = (st.log, st.metric);
    let names = r.names.clone();
    Plot::new(("growth-chart", st.generation))
        .height(height)
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
            // The collections that grew, by their entries: the Map that grows, not its class.
            if metric == Metric::Count {
                for c in r.collections.iter().take(CHARTED_COLLECTIONS) {
                    let points: PlotPoints = c
                        .grown
                        .entries
                        .iter()
                        .enumerate()
                        .filter_map(|(i, n)| {
                            let v = f64::from((*n)?);
                            Some([i as f64, if log { v.max(1.0).log10() } else { v }])
                        })
                        .collect();
                    // The variable's name, without what the cause line says about it.
                    let holder = c.cause.holder.split(" (").next().unwrap_or_default();
                    let name = format!("entries of {}", preview(holder, 40));
                    plot.line(Line::new(name, points).width(2.0).style(LineStyle::dashed_loose()));
                }
            }
        });
}

/// How many growing collections the chart draws (by entries, dashed).
const CHARTED_COLLECTIONS: usize = 3;

/// The collections that grew, one line each: what holds it, its entries over the series, the
/// cause's fix; its id selects it in the last snapshot.
fn collections(ui: &mut Ui, r: &GrowthResult, requests: &mut Vec<AppCommand>) {
    if r.collections.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!(
        "Collections that grew ({}), followed by object id",
        r.collections.len()
    ))
    .default_open(true)
    .show(ui, |ui| {
        for c in &r.collections {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(c.cause.kind.name()).strong().color(widgets::accent(ui)));
                ui.label(&c.cause.holder);
                if ui
                    .link(format!("@{}", c.grown.id))
                    .on_hover_text("Select it in the last snapshot")
                    .clicked()
                {
                    requests.push(AppCommand::Object {
                        doc: r.last_uid,
                        action: crate::ui::tree::Action::Select(c.node),
                    });
                }
                let entries: Vec<String> = c
                    .grown
                    .entries
                    .iter()
                    .map(|n| n.map_or("–".to_owned(), |n| thousands(u64::from(n))))
                    .collect();
                ui.label(RichText::new(format!("entries {}", entries.join(" → "))).monospace());
                ui.label(RichText::new(c.cause.fix()).weak());
            });
        }
    });
}

impl GrowthState {
    /// The ranking in display order: the growth ranking, or sorted by a clicked column.
    fn display_order(&mut self, r: &GrowthResult) -> &[u32] {
        // A new result comes with a new generation.
        let key = (self.sort, self.generation);
        if self.order_for != Some(key) {
            let mut order: Vec<u32> = (0..r.ranked.len() as u32).collect();
            if let Some((col, descending)) = self.sort {
                let value = |c: &Series| -> f64 {
                    match col {
                        RankColumn::Class => 0.0,
                        RankColumn::Count => c.count_delta() as f64,
                        RankColumn::Size => c.size_delta() as f64,
                        RankColumn::Average => c.average_growth(),
                        RankColumn::KeepsAlive => c.owned_growth,
                    }
                };
                order.sort_by(|&a, &b| {
                    let (x, y) = (&r.ranked[a as usize], &r.ranked[b as usize]);
                    let o = if col == RankColumn::Class {
                        crate::analysis::classes::cmp_js(&x.name, &y.name)
                    } else {
                        value(x).total_cmp(&value(y))
                    };
                    let o = if descending { o.reverse() } else { o };
                    // Ties keep the growth ranking's order.
                    o.then(a.cmp(&b))
                });
            }
            self.rank_order = order;
            self.order_for = Some(key);
        }
        &self.rank_order
    }

    /// A header click: sort by that column, again to flip, a third time back to the ranking.
    fn sort_by(&mut self, col: RankColumn) {
        self.sort = match self.sort {
            Some((c, d)) if c == col && d == (col != RankColumn::Class) => Some((col, !d)),
            Some((c, _)) if c == col => None,
            _ => Some((col, col != RankColumn::Class)),
        };
    }
}

fn ranking(ui: &mut Ui, st: &mut GrowthState, r: &GrowthResult) {
    ui.label(RichText::new("Classes by growth (↑ = grew in every snapshot)").strong())
        .on_hover_text("Ranked by the growth their own new objects keep alive; click a header to sort by it");
    let mut toggle = None;
    let mut clicked = None;
    let mut sort_clicked = None;
    let order = st.display_order(r).to_vec();
    let sort = st.sort;
    let (focus, charted) = (st.focus, &st.charted);
    tree_table(ui, &format!("growth-rank-{}", st.generation))
        .column(super::table::number_column(RANKING_NUMBERS[0]))
        .column(super::table::name_column())
        .column(super::table::number_column(RANKING_NUMBERS[1]))
        .column(super::table::number_column(RANKING_NUMBERS[2]))
        .column(super::table::number_column(RANKING_NUMBERS[3]))
        .column(super::table::number_column(RANKING_NUMBERS[4]))
        .header(ROW_HEIGHT + 4.0, |mut h| {
            h.col(|_| {});
            sort_clicked = sort_headers(
                &mut h,
                &[
                    (RankColumn::Class, "Class"),
                    (RankColumn::Count, "Δ count"),
                    (RankColumn::Size, "Δ size"),
                    (RankColumn::Average, "Avg / step"),
                    (RankColumn::KeepsAlive, "Keeps alive"),
                ],
                sort,
            );
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, order.len(), |mut row| {
                let i = order[row.index()] as usize;
                let c = &r.ranked[i];
                row.set_selected(focus == Some(i));
                row.col(|ui| {
                    let mut on = charted.contains(&c.key);
                    if ui.checkbox(&mut on, "").on_hover_text("Show on the chart").changed() {
                        toggle = Some(c.key.clone());
                    }
                });
                row.col(|ui| {
                    let mut parts = Vec::new();
                    if c.monotonic() {
                        parts.push(RichText::new("↑").color(widgets::accent(ui)).strong());
                    }
                    parts.push(RichText::new(preview(&c.name, 60)).color(widgets::class_color(ui)));
                    if let Some(l) = c.location {
                        parts.push(RichText::new(r.last.scripts.format(l)).weak().small());
                    }
                    parts.push(
                        RichText::new(format!(
                            "· {}",
                            c.counts.iter().map(|n| thousands(*n)).collect::<Vec<_>>().join(" → ")
                        ))
                        .weak()
                        .small(),
                    );
                    let job = widgets::job(ui, parts);
                    widgets::truncated(ui, job, None, true, egui::Sense::hover());
                });
                row.col(|ui| widgets::right_text(ui, signed_count(c.count_delta())));
                row.col(|ui| widgets::right_text(ui, signed_bytes(c.size_delta() as f64)));
                row.col(|ui| widgets::right_text(ui, signed_bytes(c.average_growth())));
                row.col(|ui| widgets::right_text(ui, bytes(c.owned_growth)));
                if row.response().clicked() {
                    clicked = Some(i);
                }
            });
        });
    if let Some(col) = sort_clicked {
        st.sort_by(col);
    }
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

fn new_objects(ui: &mut Ui, st: &mut GrowthState, r: &GrowthResult, waker: &Waker, requests: &mut Vec<AppCommand>) {
    let Some(i) = st.focus.filter(|&i| i < r.ranked.len()) else {
        ui.label(
            RichText::new(
                "Click a class to list its objects created since the first snapshot and still alive in the last.",
            )
            .weak(),
        );
        return;
    };
    let c = &r.ranked[i];
    if st.new_objects.is_none() {
        let (last, first, key) = (r.last.clone(), r.first_ids.clone(), c.key.clone());
        st.new_objects = Some(Task::spawn(waker.clone(), move |_| {
            let g = &last.graph;
            let mut out: Vec<NodeId> = g
                .nodes()
                .filter(|&v| {
                    g.self_size(v) > 0
                        && first.binary_search(&g.id(v).0).is_err()
                        && last.classes.public_key(g, last.classes.of_node[v]) == key
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
            ui.label(
                RichText::new(format!(
                    "{} objects, largest first (click one for its retainers; right-click for more):",
                    thousands(list.len() as u64)
                ))
                .weak(),
            );
            let list = list.clone();
            let actions = super::table::object_list(
                ui,
                &format!("growth-new-{}", st.generation),
                &r.last,
                &list,
                None,
                f32::INFINITY,
            );
            requests.extend(actions.into_iter().map(|action| AppCommand::Object {
                doc: r.last_uid,
                action,
            }));
        }
    }
}
