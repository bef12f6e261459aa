//! The Comparison: this snapshot against a base, per class # New, # Deleted, # Delta, Alloc.
//! Size, Freed Size and Size Delta, exactly as DevTools computes them; a class expands into its
//! new objects (here) and deleted ones (in the base). `tree.rs` draws it.

mod tree;

use std::sync::Arc;

use egui::{RichText, Ui};

pub(crate) use tree::NUMBERS;

use crate::analysis::Snapshot;
use crate::analysis::classes::cmp_js;
use crate::analysis::diff::DiffRow;
use crate::engine::task::{Task, Waker};
use crate::engine::workflows::{self, Side};
use crate::ui::command::{AppCommand, DocId};
use crate::ui::table::Sorting;
use crate::ui::tree::Action;
use crate::ui::tree::{Items, Tree};
use crate::ui::treeview::{Frame, TreeView};
use crate::ui::views::{Cx, Other, Peers};
use crate::ui::widgets;

/// A computed Comparison and the base snapshot its deleted objects live in.
pub struct Comparison {
    pub rows: Vec<DiffRow>,
    pub base: Arc<Snapshot>,
}

/// The Comparison's columns, for sorting.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DiffColumn {
    Constructor,
    New,
    Deleted,
    Delta,
    Alloc,
    Freed,
    SizeDelta,
}

impl DiffColumn {
    const ALL: [DiffColumn; 7] = [
        DiffColumn::Constructor,
        DiffColumn::New,
        DiffColumn::Deleted,
        DiffColumn::Delta,
        DiffColumn::Alloc,
        DiffColumn::Freed,
        DiffColumn::SizeDelta,
    ];
}

pub struct ComparisonState {
    pub(crate) base: Option<DocId>,
    computed_for: Option<DocId>,
    pub(crate) task: Option<Task<Arc<Comparison>>>,
    pub(crate) sort: Sorting<DiffColumn>,
    pub(crate) filter: String,
    pub(crate) order: Vec<u32>,
    pub(crate) view: TreeView,
}

impl Default for ComparisonState {
    fn default() -> Self {
        ComparisonState {
            base: None,
            computed_for: None,
            task: None,
            sort: Sorting {
                by: DiffColumn::SizeDelta,
                descending: true,
            },
            filter: String::new(),
            order: Vec::new(),
            view: TreeView::new(Items::Classes(0)),
        }
    }
}

impl ComparisonState {
    pub(crate) fn reorder(&mut self) {
        let Some(c) = self.task.as_ref().and_then(|t| t.value()).cloned() else {
            return;
        };
        let needle = self.filter.to_lowercase();
        let mut order: Vec<u32> = (0..c.rows.len() as u32)
            .filter(|&i| needle.is_empty() || c.rows[i as usize].name.to_lowercase().contains(&needle))
            .collect();
        let key = |r: &DiffRow| -> i128 {
            match self.sort.by {
                DiffColumn::Constructor => 0,
                DiffColumn::New => r.new_count as i128,
                DiffColumn::Deleted => r.deleted_count as i128,
                DiffColumn::Delta => r.count_delta as i128,
                DiffColumn::Alloc => r.alloc_size as i128,
                DiffColumn::Freed => r.freed_size as i128,
                DiffColumn::SizeDelta => r.size_delta as i128,
            }
        };
        order.sort_by(|&a, &b| {
            let (ra, rb) = (&c.rows[a as usize], &c.rows[b as usize]);
            let o = if self.sort.by == DiffColumn::Constructor {
                cmp_js(&ra.name, &rb.name)
            } else {
                key(ra).cmp(&key(rb))
            };
            let o = if self.sort.descending { o.reverse() } else { o };
            o.then_with(|| cmp_js(&ra.name, &rb.name))
        });
        self.order = order;
        // A new sort or filter keeps what is expanded; a new result starts a new tree.
        if self.view.tree.level(0).items.len() == c.rows.len() {
            self.view.tree.mark_dirty();
        } else {
            self.view.tree = Tree::new(Items::Classes(c.rows.len()));
        }
        self.view.cursor = None;
    }

    /// A click on a column title: sort by it, again to flip the direction.
    pub(crate) fn set_sort(&mut self, col: DiffColumn) {
        self.sort.click(col, DiffColumn::Constructor);
        self.reorder();
    }

    /// Starts the comparison when the base changes; the most recent snapshot taken before
    /// this one is the natural base.
    pub(crate) fn poll(&mut self, current: &Arc<Snapshot>, others: &[Other], waker: &Waker) {
        if self.base.is_none() {
            self.base = others
                .iter()
                .filter_map(|c| c.snapshot.as_ref().map(|x| (c.id, x.max_js_object_id)))
                .filter(|&(_, m)| m < current.max_js_object_id)
                .max_by_key(|&(_, m)| m)
                .map(|(u, _)| u);
        }
        if self.task.as_ref().is_some_and(|t| t.is_done()) && self.order.is_empty() {
            self.reorder();
        }
        let Some(id) = self.base else { return };
        if self.computed_for == Some(id) {
            return;
        }
        let Some(base) = others.iter().find(|c| c.id == id).and_then(|c| c.snapshot.clone()) else {
            return;
        };
        self.computed_for = Some(id);
        self.order.clear();
        let cur = current.clone();
        self.task = Some(Task::spawn(waker.clone(), move |p| {
            let pick = |side| -> Result<&Snapshot, crate::error::Error> {
                Ok(match side {
                    Side::Current => &cur,
                    Side::Base => &base,
                })
            };
            let rows = workflows::comparison(p, pick)?.rows;
            Ok(Arc::new(Comparison { rows, base }))
        }));
    }

    // Read-only, for tests.

    /// The computed Comparison, once done.
    pub fn result(&self) -> Option<&Arc<Comparison>> {
        self.task.as_ref().and_then(|t| t.value())
    }

    /// The snapshot compared with.
    pub fn base(&self) -> Option<DocId> {
        self.base
    }

    pub fn sort(&self) -> (DiffColumn, bool) {
        (self.sort.by, self.sort.descending)
    }

    /// The rows shown, in display order: positions in the result's rows.
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    pub fn busy(&self) -> bool {
        self.task.as_ref().is_some_and(|t| !t.is_done()) || self.view.tree.is_loading()
    }
}

/// Draws the view: the base picker, then the table. Deleted objects are shown in the base
/// snapshot (a command for the app).
pub fn show(
    ui: &mut Ui,
    cmp: &mut ComparisonState,
    cx: &Cx,
    peers: &Peers,
    cmds: &mut Vec<AppCommand>,
) -> Option<Frame> {
    cmp.poll(cx.s, &peers.same, cx.waker);
    base_picker(ui, cmp, peers, cmds);
    if peers.same.is_empty() {
        ui.add_space(12.0);
        ui.label("A comparison needs a second snapshot of the same process, usually an earlier one.");
        if !peers.elsewhere.is_empty() {
            ui.label(RichText::new(format!(
                "The other open snapshots ({}) come from other processes: their object ids are unrelated to this one's.",
                peers.elsewhere.join(", ")
            )).weak());
        }
        if ui.button("Open a snapshot to compare with…").clicked() {
            cmds.push(AppCommand::Open);
        }
        return None;
    }
    let Some(task) = &cmp.task else {
        ui.label(RichText::new("Choose the snapshot to compare with (usually an earlier one).").weak());
        return None;
    };
    let c = widgets::task_value(ui, task, "Comparing…").cloned()?;
    ui.separator();
    let model = tree::Model {
        s: cx.s,
        c: &c,
        sort: (cmp.sort.by, cmp.sort.descending),
    };
    let mut frame = cmp
        .view
        .show(ui, "comparison", &model, Some(&cmp.order), cx.selected, cx.keys);
    if let Some(col) = frame.sort {
        cmp.set_sort(DiffColumn::ALL[col]);
    }
    let base = cmp.base;
    frame.actions.retain(|a| match (a, base) {
        (Action::ShowDeleted(v), Some(doc)) => {
            cmds.push(AppCommand::Reveal { doc, node: *v });
            false
        }
        _ => true,
    });
    Some(frame)
}

fn base_picker(ui: &mut Ui, cmp: &mut ComparisonState, peers: &Peers, cmds: &mut Vec<AppCommand>) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Base snapshot");
        let current = peers
            .same
            .iter()
            .find(|c| Some(c.id) == cmp.base)
            .map(|c| c.title.clone())
            .unwrap_or_else(|| "choose…".into());
        egui::ComboBox::from_id_salt("base")
            .selected_text(current)
            .truncate()
            .width(300.0_f32.min(ui.available_width() - 120.0).max(120.0))
            .show_ui(ui, |ui| {
                for c in &peers.same {
                    ui.selectable_value(&mut cmp.base, Some(c.id), &c.title);
                }
                peers.not_offered(ui);
            });
        let f = ui.add(
            egui::TextEdit::singleline(&mut cmp.filter)
                .hint_text("Filter by class name")
                .desired_width(220.0_f32.min(ui.available_width() * 0.4)),
        );
        if f.changed() {
            cmp.reorder();
        }
        if ui
            .button("Open…")
            .on_hover_text("Open another snapshot to compare with")
            .clicked()
        {
            cmds.push(AppCommand::Open);
        }
    });
}
