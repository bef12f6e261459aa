//! DevTools' Allocation view, for snapshots taken with allocation tracking on: every function
//! that allocated while tracking, largest allocated size first, each expanding into the
//! functions that called it (the bottom-up tree). A function's context menu limits the Summary
//! to the objects it allocated that are still alive.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::TableRow;

use super::Cx;
use crate::analysis::Snapshot;
use crate::analysis::allocations::{Callers, Counts, Top};
use crate::engine::task::Task;
use crate::model::NodeId;
use crate::present::allocations::{function_name, position};
use crate::text::{bytes, thousands};
use crate::ui::table::{DISTANCE_WIDTH, SIZE_WIDTH, menu_item, name_cell};
use crate::ui::tree::{Action, Item, Items, Row, Tree};
use crate::ui::treeview::{Frame, Header, TreeModel, TreeView};
use crate::ui::widgets::{self, size_cell};

/// The functions and their caller trees, built off the UI thread on the first visit.
pub struct AllocationTree {
    pub tops: Vec<Top>,
    pub callers: Vec<Option<Callers>>,
    pub total: Counts,
}

pub struct AllocationsState {
    pub(crate) tree: Task<Arc<AllocationTree>>,
    pub(crate) view: TreeView,
    /// The tops shown (indices into `tops`), as the filter and "your code only" leave them.
    pub(crate) order: Vec<u32>,
    pub(crate) filter: String,
    pub(crate) own_code: bool,
    /// The order was made from the built tree.
    built: bool,
}

impl AllocationsState {
    /// Recomputes which tops are listed (O(functions), on a change of the filter).
    fn reorder(&mut self, s: &Snapshot, found: &AllocationTree) {
        let g = &s.graph;
        let needle = self.filter.trim().to_lowercase();
        self.order = (0..found.tops.len() as u32)
            .filter(|&i| {
                let Some(f) = g
                    .traces()
                    .map(|t| &t.functions[found.tops[i as usize].function as usize])
                else {
                    return false;
                };
                let script = g.strings().get(f.script_name);
                (!self.own_code || (!script.is_empty() && !script.starts_with("node:")))
                    && (needle.is_empty()
                        || g.strings().get(f.name).to_lowercase().contains(&needle)
                        || script.to_lowercase().contains(&needle))
            })
            .collect();
        self.view = TreeView::new(Items::Classes(self.order.len()));
    }

    pub fn busy(&self) -> bool {
        !self.tree.is_done() || self.view.tree.is_loading()
    }
}

struct Model<'a> {
    s: &'a Snapshot,
    found: &'a AllocationTree,
    order: &'a [u32],
}

impl Model<'_> {
    /// The function and counts of a row: a top, or a caller found by walking the item's
    /// ancestors down the top's caller tree.
    fn resolve(&self, tree: &Tree, level: u32, index: u32) -> Option<(u32, Counts, bool, bool)> {
        let path = tree.index_path(level, index);
        let top = *self.order.get(path[0] as usize)? as usize;
        let t = self.found.tops.get(top)?;
        if path.len() == 1 {
            let expands = self.found.callers[top].as_ref().is_some_and(|c| !c.callers.is_empty());
            return Some((t.function, t.counts, expands, true));
        }
        let c = self.caller(&path)?;
        Some((c.function, c.counts, !c.callers.is_empty(), false))
    }

    /// The bottom-up node a path of indices leads to: a top's caller tree, walked down.
    fn caller(&self, path: &[u32]) -> Option<&Callers> {
        let top = *self.order.get(path[0] as usize)? as usize;
        let mut c = self.found.callers.get(top)?.as_ref()?;
        for &i in &path[1..] {
            c = c.callers.get(i as usize)?;
        }
        Some(c)
    }
}

impl TreeModel for Model<'_> {
    fn numbers(&self) -> &[f32] {
        &[DISTANCE_WIDTH, SIZE_WIDTH, DISTANCE_WIDTH, SIZE_WIDTH]
    }

    fn header(&self) -> Header<'_> {
        Header::Plain(&["Function", "Count", "Size", "Live Count", "Live Size"])
    }

    /// Rows are functions, not objects.
    fn node(&self, _: &Tree, _: Row) -> Option<NodeId> {
        None
    }

    fn click_selects(&self) -> bool {
        false
    }

    fn item(&self, row: &mut TableRow<'_, '_>, tree: &Tree, item: Item, actions: &mut Vec<Action>) {
        let Some((function, c, expands, is_top)) = self.resolve(tree, item.level, item.index) else {
            return;
        };
        let g = &self.s.graph;
        let Some(t) = g.traces() else { return };
        let f = &t.functions[function as usize];
        let name = function_name(self.s, f);
        let at = position(self.s, f);
        name_cell(row, tree, item, expands, actions, |ui| {
            let mut parts = vec![RichText::new(crate::text::preview(&name, 80))];
            if let Some(at) = &at {
                parts.push(RichText::new(at.as_str()).weak());
            }
            let job = widgets::job(ui, parts);
            let full = match at {
                Some(_) => format!("{name}\n{}:{}:{}", g.strings().get(f.script_name), f.line, f.column),
                None => format!("{name} (V8's own code)"),
            };
            widgets::truncated(ui, job, None, false, egui::Sense::hover()).on_hover_text(full);
        });
        let total = self.found.total;
        row.col(|ui| widgets::right_text(ui, thousands(c.count)));
        row.col(|ui| size_cell(ui, c.size as f64, total.size as f64));
        row.col(|ui| widgets::right_text(ui, thousands(c.live_count)));
        row.col(|ui| size_cell(ui, c.live_size as f64, total.live_size as f64));
        if is_top && c.live_count > 0 {
            row.response().context_menu(|ui| {
                menu_item(
                    ui,
                    "Show its live objects in the Summary",
                    Action::AllocatedBy(function),
                    actions,
                );
            });
        }
    }

    fn children(&self, tree: &Tree, level: u32, index: u32) -> Option<Items> {
        let c = self.caller(&tree.index_path(level, index))?;
        (!c.callers.is_empty()).then(|| Items::Classes(c.callers.len()))
    }
}

/// Builds the tops and every top's callers.
fn build(s: &Snapshot) -> AllocationTree {
    let (Some(p), Some(t)) = (&s.allocations, s.graph.traces()) else {
        return AllocationTree {
            tops: Vec::new(),
            callers: Vec::new(),
            total: Counts::default(),
        };
    };
    let tops = p.tops();
    let callers = tops.iter().map(|top| p.callers(t, top.function)).collect();
    let mut total = Counts::default();
    for top in &tops {
        total.count += top.counts.count;
        total.size += top.counts.size;
        total.live_count += top.counts.live_count;
        total.live_size += top.counts.live_size;
    }
    AllocationTree { tops, callers, total }
}

pub fn show(ui: &mut Ui, state: &mut Option<AllocationsState>, cx: &Cx) -> Option<Frame> {
    let (s, waker) = (cx.s, cx.waker);
    let d = state.get_or_insert_with(|| {
        let snapshot = s.clone();
        AllocationsState {
            tree: Task::spawn(waker.clone(), move |_| Ok(Arc::new(build(&snapshot)))),
            view: TreeView::new(Items::Classes(0)),
            order: Vec::new(),
            filter: String::new(),
            own_code: false,
            built: false,
        }
    });
    let found = widgets::task_value(ui, &d.tree, "Building the allocation tree…").cloned()?;
    if !std::mem::replace(&mut d.built, true) {
        d.reorder(s, &found);
    }
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        let field = ui.add(
            egui::TextEdit::singleline(&mut d.filter)
                .hint_text("Filter by function or file")
                .desired_width(260.0_f32.min(ui.available_width() * 0.45)),
        );
        changed |= field.changed();
        changed |= ui
            .checkbox(&mut d.own_code, "Your code only")
            .on_hover_text("Hide V8's builtins and Node's own node: modules")
            .changed();
        ui.label(RichText::new(format!("{} of {} functions", d.order.len(), found.tops.len())).weak());
    });
    if changed {
        d.reorder(s, &found);
    }
    let total = found.total;
    ui.label(
        RichText::new(format!(
            "{} allocated in {} objects while allocation tracking was on; {} of them ({}) are still alive. \
             Each function expands into its callers; right-click one to see its live objects.",
            bytes(total.size as f64),
            thousands(total.count),
            thousands(total.live_count),
            bytes(total.live_size as f64)
        ))
        .weak(),
    );
    Some(d.view.show(
        ui,
        "allocations",
        &Model {
            s,
            found: &found,
            order: &d.order,
        },
        None,
        cx.selected,
        cx.keys,
    ))
}
