//! The guided three-snapshot leak hunt: how to take the snapshots, which three, indexing
//! (`steps.rs`), then leak groups with the chain that keeps each alive (`results.rs`), and
//! "Export finding…" (`export.rs`). The state and the analysis it starts are here.

mod export;
mod results;
mod steps;

use results::step_results;
use steps::{step_index, step_method, step_pick};

use export::Export;
pub(crate) use export::export_window;

use std::path::PathBuf;
use std::sync::Arc;

use egui::{RichText, Ui};

use super::command::AppCommand;
use super::command::Purpose;
use super::doc::{Doc, DocId, DocState};
use super::screenshot;
use super::table::{header, tree_table};
use super::widgets::{self, ROW_HEIGHT};
use crate::analysis::Snapshot;
use crate::analysis::leaks::{self, LeakGroup, LeakOptions};
use crate::engine::Source;
use crate::engine::sets::Sets;
use crate::engine::task::{Task, Waker};
use crate::engine::workflows;
use crate::error::PathIoError;
use crate::present::finding::{self, ExportError};
use crate::present::names;
use crate::text::preview;
use crate::text::{bytes, thousands};

pub struct LeakResult {
    pub snapshot: Arc<Snapshot>,
    pub names: Vec<String>,
    pub(crate) candidates: usize,
    pub groups: Vec<LeakGroup>,
    /// Reading order: each root group, then what it keeps alive (group, depth); the minor
    /// single-object root groups apart.
    pub(crate) listing: leaks::Listing,
    /// Each group's number in reading order (`1`, `1.1`, …), as the CLI and reports number it.
    pub(crate) numbers: Vec<String>,
    /// Each root group's cause (None for groups another keeps alive).
    pub causes: Vec<Option<crate::present::causes::Cause>>,
    /// Per row of `listing`: listed before its root is expanded (two levels, and the chain down
    /// to the user's objects a container holds).
    pub(crate) shown: Vec<bool>,
    /// Per group: the stacks that made its objects, on one line (None when the snapshots were
    /// taken without allocation tracking).
    pub made_by: Vec<Option<String>>,
}

/// A row of the wizard's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Row {
    /// A group and its depth.
    Group(usize, usize),
    /// The groups root group `root` keeps alive that are not listed (`hidden` of them).
    More { root: usize, hidden: usize },
}

impl LeakResult {
    /// The table's rows: the listing with each root group's deeper rows folded into one row,
    /// unless that root is in `expanded`.
    pub(crate) fn rows(&self, expanded: &[usize]) -> Vec<Row> {
        let mut out = Vec::with_capacity(self.listing.rows.len());
        let mut root = None;
        let mut hidden = 0;
        let flush = |out: &mut Vec<Row>, root: Option<usize>, hidden: usize| {
            if let (Some(root), true) = (root, hidden > 0) {
                out.push(Row::More { root, hidden });
            }
        };
        for (k, &(i, depth)) in self.listing.rows.iter().enumerate() {
            if depth == 0 {
                flush(&mut out, root, hidden);
                root = Some(i);
                hidden = 0;
            }
            let open = root.is_some_and(|r| expanded.contains(&r));
            if depth == 0 || open || self.shown.get(k).copied().unwrap_or(true) {
                out.push(Row::Group(i, depth));
            } else {
                hidden += 1;
            }
        }
        flush(&mut out, root, hidden);
        out
    }
}

impl LeakResult {
    /// Group `i`'s cause: its own for a root group, its root's for a group another keeps alive.
    pub fn cause_of(&self, i: usize) -> Option<&crate::present::causes::Cause> {
        let mut root = i;
        let mut guard = 0;
        while let Some(k) = self.groups.get(root).and_then(|g| g.part_of).filter(|&k| k != root) {
            root = k;
            guard += 1;
            if guard > self.groups.len() {
                break;
            }
        }
        self.causes.get(root).and_then(Option::as_ref)
    }
}

#[derive(Default)]
pub struct WizardState {
    /// Doc uids for S1, S2, S3.
    pub(crate) picks: [Option<DocId>; 3],
    pub(crate) options: LeakOptions,
    pub(crate) result: Option<Task<Arc<LeakResult>>>,
    /// The picks and options the result was computed for.
    computed_for: Option<([DocId; 3], LeakOptions)>,
    pub(crate) selected: Option<usize>,
    pub(crate) export: Option<Export>,
    /// Steps 1–3 are folded into one line once results are in (until the user reopens them).
    pub(crate) setup_folded: bool,
    /// The single small objects are listed one by one (folded into one row by default).
    pub(crate) show_minor: bool,
    /// Root groups whose every nested group is listed (by default two levels and the chain to
    /// the user's objects), and the table's rows for them, kept between frames.
    pub(crate) expanded: Vec<usize>,
    pub(crate) rows: Option<(usize, Vec<Row>)>,
    /// A group to bring into view in the table on the next frame.
    pub(crate) scroll_to: Option<usize>,
    folded_for: Option<[DocId; 3]>,
    /// Connected: the action run between baseline and target, how many times, and its run.
    pub(crate) action: String,
    pub(crate) action_times: String,
    pub(crate) action_run: Option<Task<()>>,
    /// Connected: record allocation stacks from the baseline to the final snapshot.
    pub(crate) track: bool,
}

/// What the wizard knows of the live connection.
#[derive(Default, Clone, Copy)]
pub(crate) struct LiveInfo {
    pub connected: bool,
    /// A snapshot or collection is under way.
    pub busy: bool,
    /// Which of S1..S3 is being taken.
    pub(crate) taking: [bool; 3],
    /// Allocation stacks are being recorded.
    pub tracking: bool,
}

pub(super) fn doc_by_uid(docs: &[Doc], uid: Option<DocId>) -> Option<&Doc> {
    uid.and_then(|u| docs.iter().find(|d| d.id == u))
}

impl WizardState {
    /// Starts or refreshes the analysis when the three snapshots are ready.
    pub(crate) fn poll(&mut self, docs: &[Doc], sets: &Sets<DocId>, waker: &Waker) {
        if pick_problem(self.picks, docs, sets).is_some() {
            // Never a result for picks the method refuses (nor one left from earlier picks).
            self.result = None;
            self.computed_for = None;
            return;
        }
        let snaps: Vec<Option<Arc<Snapshot>>> = self
            .picks
            .iter()
            .map(|&u| doc_by_uid(docs, u).and_then(|d| d.settled_snapshot().cloned()))
            .collect();
        let ([Some(a), Some(b), Some(c)], [Some(u1), Some(u2), Some(u3)]) = (
            <[Option<Arc<Snapshot>>; 3]>::try_from(snaps).unwrap_or([None, None, None]),
            self.picks,
        ) else {
            return;
        };
        let key = ([u1, u2, u3], self.options);
        if self.computed_for == Some(key) {
            // The result opens on the largest group, where the leak is.
            if self.selected.is_none() && self.result().is_some_and(|r| !r.groups.is_empty()) {
                self.selected = Some(0);
            }
            return;
        }
        self.computed_for = Some(key);
        self.selected = None;
        self.expanded.clear();
        self.rows = None;
        let names: Vec<String> = self
            .picks
            .iter()
            .map(|&u| doc_by_uid(docs, u).map(|d| d.title()).unwrap_or_default())
            .collect();
        let opts = self.options;
        self.result = Some(Task::spawn(waker.clone(), move |p| {
            let snaps = [a, b, c];
            let report = workflows::three_snapshot([&names[0], &names[1], &names[2]], &opts, p, |i| {
                Ok::<_, crate::error::Error>(snaps[i].clone())
            })?;
            let causes = crate::present::causes::of_groups(&report.last, &report.groups);
            let listing = leaks::listing(&report.groups, usize::MAX, None);
            let shown = crate::present::causes::nested_shown(&report.groups, &listing.rows, &causes);
            let made_by = (report.groups.iter())
                .map(|g| crate::present::allocations::made_by_text(&report.last, g))
                .collect();
            Ok(Arc::new(LeakResult {
                made_by,
                snapshot: report.last,
                names,
                candidates: report.candidates,
                shown,
                listing,
                numbers: leaks::numbers(&report.groups),
                causes,
                groups: report.groups,
            }))
        }));
    }

    // Read-only, for tests and the batch runs.

    pub fn result(&self) -> Option<&Arc<LeakResult>> {
        self.result.as_ref().and_then(|t| t.value())
    }

    /// The snapshots picked as baseline, target and final.
    pub fn picks(&self) -> [Option<DocId>; 3] {
        self.picks
    }

    /// The leak group shown beside the table.
    pub fn selected(&self) -> Option<usize> {
        self.selected
    }

    /// Whether the suspect action, run between baseline and target, has finished.
    pub fn action_ran(&self) -> bool {
        self.action_run.as_ref().is_some_and(|t| t.is_done())
    }

    pub fn busy(&self) -> bool {
        self.result.as_ref().is_some_and(|t| !t.is_done()) || self.export.as_ref().is_some_and(|e| e.busy())
    }
}

/// The slots' names, S1 to S3.
pub(crate) const ROLES: [&str; 3] = ["Baseline (S1)", "Target (S2)", "Final (S3)"];

/// Why the picked snapshots cannot go through the method, said before it runs: the same
/// snapshot twice, two processes, or out of order.
pub(crate) fn pick_problem(picks: [Option<DocId>; 3], docs: &[Doc], sets: &Sets<DocId>) -> Option<String> {
    let name = |i: usize| doc_by_uid(docs, picks[i]).map(|d| d.title()).unwrap_or_default();
    let title = |i: usize| format!("{} ({})", ROLES[i], name(i));
    for i in 0..3 {
        for j in i + 1..3 {
            let (Some(a), Some(b)) = (picks[i], picks[j]) else {
                continue;
            };
            if sets.same_snapshot(a, b) {
                return Some(format!(
                    "{} and {} are the same snapshot ({}): the method needs three taken one after another.",
                    ROLES[i],
                    ROLES[j],
                    name(j)
                ));
            }
            let (Some(sa), Some(sb)) = (sets.set_of(a), sets.set_of(b)) else {
                continue;
            };
            if sa != sb {
                return Some(format!(
                    "{} comes from another process than {}: their object ids are unrelated.",
                    title(j),
                    title(i)
                ));
            }
            let newest = |k| sets.print(k).map(|p| p.newest());
            if newest(a) > newest(b) {
                return Some(format!(
                    "{} was taken before {}: the baseline comes first, then the target, then the final.",
                    title(j),
                    title(i)
                ));
            }
        }
    }
    None
}

/// What the wizard's frame reads and where it leaves commands for the app.
pub(crate) struct WizardCx<'a> {
    pub docs: &'a [Doc],
    pub sets: &'a Sets<DocId>,
    pub live: LiveInfo,
    pub waker: &'a Waker,
    pub commands: &'a mut Vec<AppCommand>,
}

pub(crate) fn show(ui: &mut Ui, w: &mut WizardState, mut cx: WizardCx) {
    let docs = cx.docs;
    egui::ScrollArea::vertical()
        .id_salt("wizard")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.heading("Leak wizard: the three-snapshot method");
            ui.add_space(4.0);
            let ready = w.result().is_some();
            if ready && w.computed_for.map(|k| k.0) != w.folded_for {
                // Fold the setup the first time results for these snapshots arrive.
                w.folded_for = w.computed_for.map(|k| k.0);
                w.setup_folded = true;
            }
            if ready && w.setup_folded {
                ui.horizontal(|ui| {
                    let names: Vec<String> = w
                        .picks
                        .iter()
                        .map(|&u| doc_by_uid(docs, u).map(|d| d.title()).unwrap_or_default())
                        .collect();
                    ui.label(
                        RichText::new(format!(
                            "Baseline {} → target {} → final {}",
                            names[0], names[1], names[2]
                        ))
                        .weak(),
                    );
                    if ui.small_button("Change…").clicked() {
                        w.setup_folded = false;
                    }
                });
            } else {
                step_method(ui);
                ui.separator();
                step_pick(ui, w, &mut cx);
                ui.separator();
                step_index(ui, w, docs);
            }
            ui.separator();
            step_results(ui, w, cx.commands);
        });
}
