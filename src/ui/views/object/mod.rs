//! The selected object: its retainer tree (`retainers.rs`), its path to the GC roots
//! (`path.rs`) and its details (`inspector.rs`). The state here follows DevTools: retainers in
//! its order, the first one expanded level by level on selection, and "Ignore this retainer",
//! which recomputes distances without it.

mod inspector;
mod path;
mod retainers;

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

pub use inspector::inspector;
pub(crate) use path::hop_line;
pub use path::path_to_root;
pub use retainers::retainers;

use crate::analysis::Snapshot;
use crate::analysis::distances::Distance;
use crate::analysis::query::{self, Hop, IgnoredView, Retainer};
use crate::analysis::readable::ReadablePaths;
use crate::engine::task::{Task, Waker};
use crate::error::Error;
use crate::model::{EdgeId, EdgeKind, NodeId};
use crate::present::names::object_label;
use crate::progress::Progress;
use crate::text::preview;
use crate::ui::tree::{Items, PAGE, Tree};
use crate::ui::treeview::TreeView;

/// DevTools expands the first retainer this many levels when an object is selected.
const AUTO_EXPAND_LEVELS: u32 = 20;

/// The path to root the panels show.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PathMode {
    /// Avoids prototype, V8-internal and weak hops where another path exists.
    Readable,
    /// DevTools' shortest path (and the one ignoring retainers recomputes).
    Shortest,
}

/// What a click in the object's panels asked for: another object selected, the other kind of
/// path to root.
#[derive(Default)]
pub(crate) struct Picked {
    pub select: Option<NodeId>,
    pub mode: Option<PathMode>,
}

/// The readable paths of a whole snapshot, computed by the first selection that needs them.
pub(crate) type ReadableCell = Arc<OnceLock<Arc<ReadablePaths>>>;

/// Everything shown about the selected object.
pub struct ObjectState {
    pub(crate) node: NodeId,
    pub(crate) retainers: TreeView,
    pub(crate) path: Task<Option<Vec<Hop>>>,
    pub(crate) ignoring: Ignoring,
    /// Auto-expansion along the first retainer still to do (levels), and the level it is at.
    auto_expand: u32,
    frontier: u32,
    /// Whether the retainer tree reflects the current `distances`.
    distances_applied: bool,
}

impl ObjectState {
    pub(crate) fn new(s: &Arc<Snapshot>, v: NodeId, mode: PathMode, readable: &ReadableCell, waker: &Waker) -> Self {
        let ignoring = Ignoring::default();
        ObjectState {
            node: v,
            retainers: TreeView::new(ignoring.retainers_task(s, v, waker)),
            path: path_task(s, v, mode, readable, waker),
            ignoring,
            auto_expand: AUTO_EXPAND_LEVELS,
            frontier: 0,
            distances_applied: true,
        }
    }

    /// Moves finished work into place and expands the first retainer level by level, as
    /// DevTools does on selection.
    pub(crate) fn poll(&mut self, s: &Arc<Snapshot>, mode: PathMode, readable: &ReadableCell, waker: &Waker) {
        if !self.distances_applied && self.ignoring.distances.as_ref().is_none_or(|t| t.is_done()) {
            // Retainer order depends on distances: rebuild once the recomputed ones are in.
            self.distances_applied = true;
            self.retainers = TreeView::new(self.ignoring.retainers_task(s, self.node, waker));
            // With retainers ignored, the path to root follows the same distances as the
            // retainer tree (DevTools' shortest path without them).
            self.path = if self.ignoring.set.is_empty() {
                path_task(s, self.node, mode, readable, waker)
            } else {
                let (s, v, view) = (s.clone(), self.node, self.ignoring.view());
                Task::spawn(waker.clone(), move |_| {
                    Ok(query::path_to_root_in(&s, v, view.as_deref()))
                })
            };
            self.frontier = 0;
            self.auto_expand = AUTO_EXPAND_LEVELS;
        }
        self.retainers.tree.poll();
        while self.auto_expand > 0 {
            let level = self.frontier;
            let tree = &self.retainers.tree;
            let first = match &tree.level(level).items {
                Items::LoadingRetainers(..) => return,
                Items::Retainers { list, .. } => list.first().copied(),
                _ => None,
            };
            let Some(r) = first else {
                self.auto_expand = 0;
                break;
            };
            let cycled = is_cycle(tree, self.node, level, 0, r.from);
            if self.ignoring.distance(s, r.from).0 <= 1 || cycled || is_weak(s, r.edge) {
                self.auto_expand = 0;
                break;
            }
            let items = self.ignoring.retainers_task(s, r.from, waker);
            self.frontier = self.retainers.tree.expand(level, 0, items, PAGE);
            self.auto_expand -= 1;
        }
    }

    /// Recomputes distances without the ignored retainers, as DevTools does.
    pub(crate) fn recompute_distances(&mut self, s: &Arc<Snapshot>, waker: &Waker) {
        self.ignoring.distances = if self.ignoring.set.is_empty() {
            None
        } else {
            let (s, ignored) = (s.clone(), self.ignoring.set.clone());
            Some(Task::spawn(waker.clone(), move |p| {
                Ok(Arc::new(IgnoredView::compute(&s, &ignored, p)?))
            }))
        };
        self.distances_applied = false;
    }

    // Read-only, for tests.

    pub fn node(&self) -> NodeId {
        self.node
    }

    /// The path to root the panel shows, once found.
    pub fn path(&self) -> Option<&Option<Vec<Hop>>> {
        self.path.value()
    }

    pub fn ignored(&self) -> &HashSet<NodeId> {
        &self.ignoring.set
    }

    pub fn retainers(&self) -> &TreeView {
        &self.retainers
    }

    pub(crate) fn busy(&self) -> bool {
        self.retainers.tree.is_loading() || !self.path.is_done() || !self.distances_applied
    }
}

/// Retainers the user chose to ignore, and the distances recomputed without them.
#[derive(Default)]
pub(crate) struct Ignoring {
    pub(crate) set: HashSet<NodeId>,
    pub(crate) distances: Option<Task<Arc<IgnoredView>>>,
}

impl Ignoring {
    /// The retainers of `v`, sorted as the Retainers view lists them, computed off the UI thread.
    pub(crate) fn retainers_task(&self, s: &Arc<Snapshot>, v: NodeId, waker: &Waker) -> Items {
        let s = s.clone();
        let view = self.view();
        let ignored = self.set.clone();
        let task = Task::spawn(waker.clone(), move |_| {
            let mut list = query::retainers_with_weak(&s, v, view.as_deref());
            // Ignored retainers stay listed (so they can be restored) but sort last.
            list.sort_by_key(|r| ignored.contains(&r.from));
            Ok(Arc::new(list))
        });
        Items::LoadingRetainers(v, task)
    }

    /// The distances without the ignored retainers, once computed.
    fn view(&self) -> Option<Arc<IgnoredView>> {
        self.distances.as_ref().and_then(|t| t.value().cloned())
    }

    /// Distance as the Retainers view shows it: recomputed when retainers are ignored.
    pub(crate) fn distance(&self, s: &Snapshot, v: NodeId) -> Distance {
        match self.distances.as_ref().and_then(|t| t.value()) {
            Some(view) => view.distances[v],
            None => s.distances[v],
        }
    }

    /// Whether a retaining edge no longer retains anything (DevTools' ignored WeakMap edges).
    pub(crate) fn edge_ignored(&self, e: EdgeId) -> bool {
        self.view().is_some_and(|view| view.ignored_edges.contains(&e))
    }
}

/// The retainers ignored so far, each a button that restores it, and "Restore all"; returns
/// the ones to restore.
fn ignored_bar(ui: &mut egui::Ui, s: &Snapshot, ignoring: &Ignoring) -> Vec<NodeId> {
    let mut restore: Vec<NodeId> = Vec::new();
    if ignoring.set.is_empty() {
        return restore;
    }
    let mut ignored: Vec<NodeId> = ignoring.set.iter().copied().collect();
    ignored.sort_unstable();
    ui.horizontal_wrapped(|ui| {
        ui.label(egui::RichText::new(format!("Ignored ({}):", ignored.len())).weak())
            .on_hover_text(
                "Distances, this tree and the path to root are computed as if these objects did not retain anything",
            );
        for &v in &ignored {
            let text = format!("{} @{}  ✕", preview(&object_label(s, v), 32), s.graph.id(v));
            if ui.small_button(text).on_hover_text("Restore this retainer").clicked() {
                restore.push(v);
            }
        }
        if ui.small_button("Restore all").clicked() {
            restore = ignored.clone();
        }
        if ignoring.distances.as_ref().is_some_and(|t| !t.is_done()) {
            ui.spinner();
            ui.label(egui::RichText::new("recomputing distances…").weak());
        }
    });
    restore
}

/// Whether the retainer `from` at (level, index) repeats the object or a row above it.
pub(crate) fn is_cycle(tree: &Tree, object: NodeId, level: u32, index: u32, from: NodeId) -> bool {
    from == object
        || tree
            .ancestry(level, index)
            .iter()
            .rev()
            .skip(1)
            .filter_map(|&(l, i)| retainer_at(tree, l, i))
            .any(|x| x.from == from)
}

pub(crate) fn is_weak(s: &Snapshot, e: EdgeId) -> bool {
    s.graph.edge_kind(e) == EdgeKind::Weak
}

pub(crate) fn retainer_at(tree: &Tree, level: u32, index: u32) -> Option<Retainer> {
    match &tree.level(level).items {
        Items::Retainers { list, .. } => list.get(index as usize).copied(),
        _ => None,
    }
}

/// The path to root of `v` in `mode`, off the UI thread. The readable paths of the whole
/// snapshot are computed by the first such task and kept for the next ones.
pub(crate) fn path_task(
    s: &Arc<Snapshot>,
    v: NodeId,
    mode: PathMode,
    readable: &ReadableCell,
    waker: &Waker,
) -> Task<Option<Vec<Hop>>> {
    let (s, cell) = (s.clone(), readable.clone());
    Task::spawn(waker.clone(), move |p| find_path(&s, v, mode, &cell, p))
}

pub(crate) fn find_path(
    s: &Arc<Snapshot>,
    v: NodeId,
    mode: PathMode,
    cell: &OnceLock<Arc<ReadablePaths>>,
    progress: &Progress,
) -> Result<Option<Vec<Hop>>, Error> {
    if mode == PathMode::Shortest {
        return Ok(query::path_to_root(s, v));
    }
    let paths = match cell.get() {
        Some(paths) => paths.clone(),
        None => {
            let paths = Arc::new(ReadablePaths::compute(s, progress)?);
            cell.get_or_init(|| paths).clone()
        }
    };
    Ok(paths.path(s, v).or_else(|| query::path_to_root(s, v)))
}
