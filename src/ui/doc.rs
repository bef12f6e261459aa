//! One open snapshot in the app: its load, and the state of each view over it.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use crate::analysis::aggregates::ClassRow;
use crate::analysis::distances::Distance;
use crate::analysis::query::{self, Hop, Retainer};
use crate::analysis::readable::ReadablePaths;
use crate::analysis::{PartialSummary, Snapshot};
use crate::engine::task::{Task, Waker};
use crate::engine::{LoadJob, Source};
use crate::model::{EdgeId, NodeId};

use super::tree::{FlatRows, Items, PAGE, Tree};

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum View {
    #[default]
    Summary,
    Comparison,
    Retainers,
    Dominators,
    Containment,
    Duplicates,
    Detached,
    Statistics,
}

impl View {
    pub const ALL: [View; 8] = [
        View::Summary,
        View::Comparison,
        View::Retainers,
        View::Dominators,
        View::Containment,
        View::Duplicates,
        View::Detached,
        View::Statistics,
    ];

    pub fn label(self) -> &'static str {
        match self {
            View::Summary => "Summary",
            View::Comparison => "Comparison",
            View::Retainers => "Retainers",
            View::Dominators => "Dominators",
            View::Containment => "Containment",
            View::Duplicates => "Duplicated strings",
            View::Detached => "Detached DOM",
            View::Statistics => "Statistics",
        }
    }

    /// The name `--view` takes.
    pub fn id(self) -> &'static str {
        match self {
            View::Summary => "summary",
            View::Comparison => "comparison",
            View::Retainers => "retainers",
            View::Dominators => "dominators",
            View::Containment => "containment",
            View::Duplicates => "duplicates",
            View::Detached => "detached",
            View::Statistics => "statistics",
        }
    }

    pub fn parse(s: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.id().eq_ignore_ascii_case(s))
    }
}

/// The path to root the panels show.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PathMode {
    /// Avoids prototype, V8-internal and weak hops where another path exists.
    Readable,
    /// DevTools' shortest path (and the one ignoring retainers recomputes).
    Shortest,
}

pub enum DocState {
    Loading(LoadJob),
    Ready(Arc<Snapshot>),
    Failed(String),
    /// The user cancelled the load; it can be started again.
    Cancelled,
}

/// Summary columns, for sorting.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Column {
    Constructor,
    Distance,
    Shallow,
    Retained,
}

pub struct SummaryState {
    pub rows: Arc<Vec<ClassRow>>,
    /// Class rows in display order (sorted, filtered): indices into `rows`.
    pub order: Vec<u32>,
    pub sort: Column,
    pub descending: bool,
    pub filter: String,
    pub tree: Tree,
    /// Flat row index of the keyboard/click selection.
    pub cursor: Option<usize>,
    /// An `@id` jump waiting for the class's instance list.
    pub(crate) reveal: Option<NodeId>,
    /// What the rows are limited to ("Objects allocated between …", a DevTools named filter),
    /// its label, and the objects it keeps (None: all objects).
    pub range: Choice,
    pub(crate) range_label: String,
    pub members: Option<Members>,
    /// Summary rows being computed for a newly chosen filter.
    pub range_task: Option<RangeTask>,
}

/// The Summary's "Show" menu: all objects, an id range, or one of DevTools' named filters.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Choice {
    #[default]
    All,
    /// Ids in `(min, max]`.
    Range(u32, u32),
    Named(crate::analysis::filters::NamedFilter),
}

/// The objects a filter keeps, for listing a class's instances under it.
#[derive(Clone)]
pub enum Members {
    Range(u32, u32),
    Set(Arc<crate::analysis::bits::BitVec>),
}

impl Members {
    pub fn contains(&self, s: &Snapshot, v: NodeId) -> bool {
        match self {
            Members::Range(min, max) => {
                let id = s.graph.id(v).0;
                id > *min && id <= *max
            }
            Members::Set(bits) => bits.get(v.index()),
        }
    }
}

/// A chosen filter, its label, and the Summary rows (with the kept objects) being computed.
pub(crate) type RangeTask = (Choice, String, Task<(Arc<Vec<ClassRow>>, Option<Members>)>);

impl SummaryState {
    pub fn new(rows: Arc<Vec<ClassRow>>) -> Self {
        let mut s = SummaryState {
            tree: Tree::new(Items::Classes(rows.len())),
            rows,
            order: Vec::new(),
            sort: Column::Retained,
            descending: true,
            filter: String::new(),
            cursor: None,
            reveal: None,
            range: Choice::All,
            range_label: "All objects".into(),
            members: None,
            range_task: None,
        };
        s.reorder();
        s
    }

    /// Limits the Summary to the objects a choice keeps, computed off the UI thread.
    pub(crate) fn set_range(&mut self, snapshot: &Arc<Snapshot>, range: Choice, label: String, waker: &Waker) {
        let s = snapshot.clone();
        let task = Task::spawn(waker.clone(), move |p| {
            Ok(match range {
                Choice::All => (Arc::new(s.summary.clone()), None),
                Choice::Range(min, max) => (Arc::new(s.summary_between(min, max)), Some(Members::Range(min, max))),
                Choice::Named(f) => {
                    let bits = f.members(&s, p)?;
                    let rows = s.summary_filtered(&|v| bits.get(v.index()));
                    (Arc::new(rows), Some(Members::Set(Arc::new(bits))))
                }
            })
        });
        self.range_task = Some((range, label, task));
    }

    /// Installs rows computed for a new range.
    fn poll_range(&mut self) {
        let done = self.range_task.as_ref().is_some_and(|(_, _, t)| t.is_done());
        if !done {
            return;
        }
        let Some((range, label, task)) = self.range_task.take() else {
            return;
        };
        if let Some((rows, members)) = task.value() {
            let (sort, descending, filter) = (self.sort, self.descending, std::mem::take(&mut self.filter));
            *self = SummaryState::new(rows.clone());
            self.sort = sort;
            self.descending = descending;
            self.filter = filter;
            self.range = range;
            self.range_label = label;
            self.members = members.clone();
            self.reorder();
        }
    }

    /// Recomputes the class order after a sort or filter change (O(classes)).
    pub(crate) fn reorder(&mut self) {
        let needle = self.filter.to_lowercase();
        let rows = &self.rows;
        let mut order: Vec<u32> = (0..rows.len() as u32)
            .filter(|&i| needle.is_empty() || rows[i as usize].name.to_lowercase().contains(&needle))
            .collect();
        let key = |a: &ClassRow, b: &ClassRow| match self.sort {
            Column::Constructor => crate::analysis::classes::cmp_js(&a.name, &b.name),
            Column::Distance => distance_key(a.distance).cmp(&distance_key(b.distance)),
            Column::Shallow => a.shallow_size.cmp(&b.shallow_size),
            Column::Retained => a.retained_size.total_cmp(&b.retained_size),
        };
        order.sort_by(|&a, &b| {
            let (ra, rb) = (&rows[a as usize], &rows[b as usize]);
            let o = key(ra, rb);
            let o = if self.descending { o.reverse() } else { o };
            o.then_with(|| crate::analysis::classes::cmp_js(&ra.name, &rb.name))
        });
        self.order = order;
        self.tree.mark_dirty();
        self.cursor = None;
    }

    pub(crate) fn set_sort(&mut self, column: Column) {
        if self.sort == column {
            self.descending = !self.descending;
        } else {
            self.sort = column;
            self.descending = column != Column::Constructor;
        }
        self.reorder();
    }

    pub fn rows(&mut self) -> &FlatRows {
        self.tree.rows(Some(&self.order))
    }
}

/// Unreachable and system-only distances sort after all shown ones.
fn distance_key(d: Distance) -> i64 {
    d.shown().map_or(i64::MAX, i64::from)
}

/// Everything shown about the selected object.
pub struct ObjectState {
    pub node: NodeId,
    pub retainers: Tree,
    pub path: Task<Option<Vec<Hop>>>,
    /// Retainers the user chose to ignore, and the distances recomputed without them.
    pub ignored: HashSet<NodeId>,
    pub distances: Option<Task<Arc<query::IgnoredView>>>,
    pub cursor: Option<usize>,
    /// Auto-expansion along the first retainer still to do (levels), and the level it is at.
    pub(crate) auto_expand: u32,
    pub(crate) frontier: u32,
    /// Whether the retainer tree reflects the current `distances`.
    pub(crate) distances_applied: bool,
}

pub struct DominatorState {
    pub tree: Tree,
    pub cursor: Option<usize>,
}

/// The Detached DOM view: detached subtrees by root (computed on the first visit).
pub struct DetachedState {
    pub trees: Task<Arc<crate::analysis::detached::DetachedDom>>,
    /// One row per tree, by its root node, in the order of `trees`.
    pub tree: Tree,
    pub cursor: Option<usize>,
}

/// The Containment view: from the root, each object's outgoing references, lazily.
pub struct ContainmentState {
    pub tree: Tree,
    pub cursor: Option<usize>,
}

/// The Duplicated strings view: DevTools' groups (computed on the first visit), each
/// expandable into its strings.
pub struct DuplicatesState {
    pub groups: Task<Arc<crate::analysis::filters::Duplicates>>,
    pub tree: Tree,
    pub cursor: Option<usize>,
}

pub struct Doc {
    /// Stable identity while the doc is open (indices shift when tabs close).
    pub(crate) uid: u64,
    pub source: Source,
    pub state: DocState,
    pub partial: Option<Arc<PartialSummary>>,
    pub load_time: Option<Duration>,
    /// Whether the index was built now or read from a saved one.
    pub loaded_from: Option<crate::engine::LoadedFrom>,
    /// Things the user should know about the load (a saved index rebuilt, or not saved); the
    /// app moves them to the status bar.
    pub notes: Vec<String>,
    saving: Option<std::sync::mpsc::Receiver<crate::engine::Saved>>,
    pub view: View,
    pub summary: Option<SummaryState>,
    pub object: Option<ObjectState>,
    pub dominators: Option<DominatorState>,
    pub comparison: Option<super::compare::ComparisonState>,
    pub duplicates: Option<DuplicatesState>,
    pub detached: Option<DetachedState>,
    pub containment: Option<ContainmentState>,
    pub jump: String,
    pub(crate) jump_error: Option<String>,
    pub(crate) jump_task: Option<Task<Option<NodeId>>>,
    /// "Copy path as text": the text, being computed.
    pub(crate) copy_task: Option<Task<String>>,
    /// Keyboard keys go to the retainers panel (it was clicked last) instead of the view.
    pub keys_to_panel: bool,
    /// Which path to root the panels show, and the readable paths once computed (for the
    /// whole snapshot, on the first selection).
    pub(crate) path_mode: PathMode,
    pub readable: Arc<std::sync::OnceLock<Arc<ReadablePaths>>>,
    /// Bumped on every reload, so table and scroll states start fresh.
    pub(crate) generation: u32,
}

/// DevTools expands the first retainer this many levels when an object is selected.
pub(crate) const AUTO_EXPAND_LEVELS: u32 = 20;

impl Doc {
    pub fn open(source: Source, waker: Waker) -> Doc {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Doc {
            uid: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            state: DocState::Loading(LoadJob::spawn(source.clone(), waker)),
            source,
            partial: None,
            load_time: None,
            loaded_from: None,
            notes: Vec::new(),
            saving: None,
            view: View::Summary,
            summary: None,
            object: None,
            dominators: None,
            comparison: None,
            duplicates: None,
            detached: None,
            containment: None,
            jump: String::new(),
            jump_error: None,
            jump_task: None,
            copy_task: None,
            keys_to_panel: false,
            path_mode: PathMode::Readable,
            readable: Default::default(),
            generation: 0,
        }
    }

    /// Whether the view's own table takes the keyboard (not the retainers panel below it).
    pub(crate) fn takes_view_keys(&self) -> bool {
        !(self.keys_to_panel && self.object.is_some())
    }

    /// Asks a running load to stop; the doc then shows "Cancelled" with Reopen.
    pub fn cancel(&self) {
        if let DocState::Loading(job) = &self.state {
            job.progress.cancel();
        }
    }

    /// Loads the file again (after a cancel, or a failure the user may have fixed): a fresh doc
    /// with the same identity and view; its tables and scroll states start over.
    pub(crate) fn reload(&mut self, waker: &Waker) {
        self.cancel();
        let fresh = Doc::open(self.source.clone(), waker.clone());
        let (uid, view, path_mode, generation) = (self.uid, self.view, self.path_mode, self.generation + 1);
        *self = Doc {
            uid,
            view,
            path_mode,
            generation,
            ..fresh
        };
    }

    pub fn title(&self) -> String {
        self.source.name()
    }

    pub fn snapshot(&self) -> Option<&Arc<Snapshot>> {
        match &self.state {
            DocState::Ready(s) => Some(s),
            _ => None,
        }
    }

    /// The snapshot once its index is saved and swapped in (at once when nothing is saved):
    /// what views that keep a snapshot for long (wizard, growth) take, so they never pin the
    /// analysis's own arrays.
    pub fn settled_snapshot(&self) -> Option<&Arc<Snapshot>> {
        self.snapshot().filter(|_| self.saving.is_none())
    }

    pub fn is_loading(&self) -> bool {
        matches!(self.state, DocState::Loading(_))
    }

    /// Moves finished background work into place. Cheap when nothing changed.
    pub(crate) fn poll(&mut self, waker: &Waker) {
        if let DocState::Loading(job) = &self.state {
            if self.partial.is_none() {
                self.partial = job.partial();
            }
            if job.is_finished() {
                let DocState::Loading(job) = std::mem::replace(&mut self.state, DocState::Failed(String::new())) else {
                    unreachable!()
                };
                let elapsed = job.progress.view().elapsed;
                self.state = match job.join() {
                    Ok(opened) => {
                        let s = opened.snapshot;
                        self.load_time = Some(elapsed);
                        self.loaded_from = Some(opened.from);
                        self.notes.extend(opened.notes);
                        self.saving = opened.saving;
                        self.summary = Some(SummaryState::new(Arc::new(s.summary.clone())));
                        let mut tree = Tree::new(Items::Nodes(Arc::new(vec![s.graph.root()])));
                        // The root alone says nothing: start with its children listed.
                        tree.expand(0, 0, dominated_task(&s, s.graph.root(), waker), PAGE);
                        self.dominators = Some(DominatorState { tree, cursor: None });
                        self.comparison = Some(Default::default());
                        DocState::Ready(s)
                    }
                    Err(e) if matches!(e.error, crate::error::Error::Cancelled) => DocState::Cancelled,
                    Err(e) => DocState::Failed(e.to_string()),
                };
            }
        }
        if let Some(rx) = &self.saving {
            match rx.try_recv() {
                Ok(Ok(mapped)) => {
                    // The same snapshot, read from its saved index: the analysis's own arrays
                    // are freed once running tasks let go of them.
                    if let (Some(mapped), DocState::Ready(s)) = (mapped, &mut self.state) {
                        *s = mapped;
                    }
                    self.saving = None;
                }
                Ok(Err(e)) => {
                    self.notes.push(e.to_string());
                    self.saving = None;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => self.saving = None,
            }
        }
        let Some(snapshot) = self.snapshot().cloned() else {
            return;
        };
        if let Some(summary) = &mut self.summary {
            summary.poll_range();
            summary.tree.poll();
        }
        if let Some(d) = &mut self.dominators {
            d.tree.poll();
        }
        if let Some(d) = &mut self.duplicates {
            d.tree.poll();
        }
        if let Some(c) = &mut self.containment {
            c.tree.poll();
        }
        if let Some(task) = &self.jump_task
            && let Some(r) = task.get()
        {
            match r {
                Ok(Some(v)) => {
                    let v = *v;
                    self.jump_task = None;
                    self.jump_error = None;
                    self.select(v, waker);
                    self.reveal_in_summary(v, waker);
                }
                Ok(None) => {
                    self.jump_error = Some(format!("no object {}", self.jump.trim()));
                    self.jump_task = None;
                }
                Err(e) => {
                    self.jump_error = Some(e.to_string());
                    self.jump_task = None;
                }
            }
        }
        self.poll_object(&snapshot, waker);
        self.poll_reveal(&snapshot);
    }

    fn poll_object(&mut self, snapshot: &Arc<Snapshot>, waker: &Waker) {
        let Some(obj) = &mut self.object else { return };
        if !obj.distances_applied && obj.distances.as_ref().is_none_or(|t| t.is_done()) {
            // Retainer order depends on distances: rebuild once the recomputed ones are in.
            obj.distances_applied = true;
            obj.retainers = Tree::new(retainers_task(snapshot, obj.node, obj, waker));
            // With retainers ignored, the path to root follows the same distances as the
            // retainer tree (DevTools' shortest path without them).
            obj.path = if obj.ignored.is_empty() {
                path_task(snapshot, obj.node, self.path_mode, &self.readable, waker)
            } else {
                let (s, v) = (snapshot.clone(), obj.node);
                let view = obj.distances.as_ref().and_then(|t| t.value().cloned());
                Task::spawn(waker.clone(), move |_| {
                    Ok(query::path_to_root_in(&s, v, view.as_deref()))
                })
            };
            obj.frontier = 0;
            obj.auto_expand = AUTO_EXPAND_LEVELS;
        }
        obj.retainers.poll();
        // Expand the first retainer level by level, as DevTools does on selection.
        while obj.auto_expand > 0 {
            let level = obj.frontier;
            let first = match &obj.retainers.level(level).items {
                Items::LoadingRetainers(..) => return,
                Items::Retainers { list, .. } => list.first().copied(),
                _ => None,
            };
            let Some(r) = first else {
                obj.auto_expand = 0;
                break;
            };
            let cycled = r.from == obj.node
                || obj
                    .retainers
                    .ancestry(level, 0)
                    .iter()
                    .rev()
                    .skip(1)
                    .filter_map(|&(l, i)| retainer_at(&obj.retainers, l, i))
                    .any(|x| x.from == r.from);
            if current_distance(snapshot, obj, r.from).0 <= 1 || cycled || is_weak(snapshot, r.edge) {
                obj.auto_expand = 0;
                break;
            }
            obj.frontier = obj
                .retainers
                .expand(level, 0, retainers_task(snapshot, r.from, obj, waker), PAGE);
            obj.auto_expand -= 1;
        }
    }

    fn poll_reveal(&mut self, snapshot: &Arc<Snapshot>) {
        let Some(summary) = &mut self.summary else {
            return;
        };
        let Some(target) = summary.reveal else { return };
        let class = snapshot.classes.of_node[target];
        let Some(pos) = summary.rows.iter().position(|r| r.class == class) else {
            summary.reveal = None;
            return;
        };
        if !summary.order.contains(&(pos as u32)) {
            summary.filter.clear();
            summary.reorder();
        }
        if !summary.tree.is_expanded(0, pos as u32) {
            return;
        }
        let Some(level) = summary.tree.child(0, pos as u32) else {
            return;
        };
        let found = match &summary.tree.level(level).items {
            Items::Nodes(list) => list.iter().position(|&v| v == target),
            Items::Loading(_) => return,
            _ => None,
        };
        summary.reveal = None;
        let Some(i) = found else { return };
        let l = summary.tree.level_mut(level);
        if i >= l.shown {
            l.shown = (i / PAGE + 1) * PAGE;
        }
        summary.tree.mark_dirty();
        if let Some(flat) = summary.rows().index_of(level, i as u32) {
            summary.cursor = Some(flat);
            summary.tree.scroll_to = Some((flat, true));
        }
    }

    /// Expands the object's class in the Summary and scrolls to it once its instances are known.
    pub(crate) fn reveal_in_summary(&mut self, v: NodeId, waker: &Waker) {
        let Some(snapshot) = self.snapshot().cloned() else {
            return;
        };
        let Some(summary) = &mut self.summary else {
            return;
        };
        let class = snapshot.classes.of_node[v];
        if let Some(pos) = summary.rows.iter().position(|r| r.class == class) {
            if !summary.order.contains(&(pos as u32)) {
                summary.filter.clear();
                summary.reorder();
            }
            if !summary.tree.is_expanded(0, pos as u32) {
                summary.tree.expand(
                    0,
                    pos as u32,
                    instances_task(&snapshot, class, summary.members.clone(), waker),
                    PAGE,
                );
            }
            summary.reveal = Some(v);
        }
    }

    /// Selects an object: its retainers, path to root and details appear.
    pub fn select(&mut self, v: NodeId, waker: &Waker) {
        let Some(snapshot) = self.snapshot().cloned() else {
            return;
        };
        if self.object.as_ref().is_some_and(|o| o.node == v) {
            return;
        }
        let mut obj = ObjectState {
            node: v,
            retainers: Tree::new(Items::Failed(String::new())),
            path: path_task(&snapshot, v, self.path_mode, &self.readable, waker),
            ignored: HashSet::new(),
            distances: None,
            cursor: None,
            auto_expand: AUTO_EXPAND_LEVELS,
            frontier: 0,
            distances_applied: true,
        };
        obj.retainers = Tree::new(retainers_task(&snapshot, v, &obj, waker));
        self.object = Some(obj);
    }

    /// The row actions every view shares: select, context-menu commands. Others are ignored.
    pub(crate) fn object_action(&mut self, a: super::table::Action, waker: &Waker) {
        use super::table::Action;
        match a {
            Action::Select(v) => self.select(v, waker),
            Action::Reveal(v) => {
                self.view = View::Summary;
                self.select(v, waker);
                self.reveal_in_summary(v, waker);
            }
            Action::ShowRetainers(v) => {
                self.view = View::Retainers;
                self.select(v, waker);
            }
            Action::CopyPath(v) => self.copy_path(v, waker),
            Action::Toggle { .. } | Action::More { .. } | Action::Cursor(_) | Action::ScrollTo(_) => {}
        }
    }

    /// Finds the path to the root of `v` off the UI thread; the app copies it when done.
    pub(crate) fn copy_path(&mut self, v: NodeId, waker: &Waker) {
        let Some(s) = self.snapshot().cloned() else { return };
        let (mode, cell) = (self.path_mode, self.readable.clone());
        self.copy_task = Some(Task::spawn(waker.clone(), move |p| {
            Ok(match find_path(&s, v, mode, &cell, p)? {
                Some(hops) => crate::present::names::path_text(&s, &hops),
                None => format!(
                    "{} @{}: no path to the root (only weak references or unreachable objects hold it)\n",
                    s.class_name(v),
                    s.graph.id(v)
                ),
            })
        }));
    }

    /// Shows the other kind of path to root for the selected object.
    pub(crate) fn set_path_mode(&mut self, mode: PathMode, waker: &Waker) {
        self.path_mode = mode;
        let Some(snapshot) = self.snapshot().cloned() else {
            return;
        };
        if let Some(obj) = &mut self.object
            && obj.ignored.is_empty()
        {
            obj.path = path_task(&snapshot, obj.node, mode, &self.readable, waker);
        }
    }

    /// "Ignore this retainer": distances are recomputed without it, as DevTools does.
    pub(crate) fn ignore_retainer(&mut self, from: NodeId, waker: &Waker) {
        let Some(snapshot) = self.snapshot().cloned() else {
            return;
        };
        let Some(obj) = &mut self.object else { return };
        obj.ignored.insert(from);
        recompute_distances(&snapshot, obj, waker);
    }

    /// Restores one ignored retainer.
    pub(crate) fn restore_retainer(&mut self, from: NodeId, waker: &Waker) {
        let Some(snapshot) = self.snapshot().cloned() else {
            return;
        };
        let Some(obj) = &mut self.object else { return };
        if obj.ignored.remove(&from) {
            recompute_distances(&snapshot, obj, waker);
        }
    }

    pub(crate) fn restore_ignored(&mut self, waker: &Waker) {
        let Some(snapshot) = self.snapshot().cloned() else {
            return;
        };
        let Some(obj) = &mut self.object else { return };
        obj.ignored.clear();
        recompute_distances(&snapshot, obj, waker);
    }

    /// Starts an `@id` search (a scan of all nodes, off the UI thread).
    pub(crate) fn jump_to(&mut self, waker: &Waker) {
        let Some(id) = crate::model::parse_object_id(&self.jump) else {
            self.jump_error = Some("type an object id like @1234".into());
            return;
        };
        let Some(snapshot) = self.snapshot().cloned() else {
            return;
        };
        self.jump_error = None;
        self.jump_task = Some(Task::spawn(waker.clone(), move |_| Ok(snapshot.graph.find_id(id))));
    }

    pub fn busy(&self) -> bool {
        self.is_loading()
            || self.saving.is_some()
            || self.jump_task.is_some()
            || self
                .summary
                .as_ref()
                .is_some_and(|s| s.tree.is_loading() || s.reveal.is_some())
            || self
                .object
                .as_ref()
                .is_some_and(|o| o.retainers.is_loading() || !o.path.is_done() || !o.distances_applied)
            || self.dominators.as_ref().is_some_and(|d| d.tree.is_loading())
            || (self.view == View::Detached && self.detached.as_ref().is_some_and(|d| !d.trees.is_done()))
            || (self.view == View::Duplicates
                && self
                    .duplicates
                    .as_ref()
                    .is_some_and(|d| !d.groups.is_done() || d.tree.is_loading()))
            || (self.view == View::Comparison && self.comparison.as_ref().is_some_and(|c| c.busy()))
    }
}

/// The path to root of `v` in `mode`, off the UI thread. The readable paths of the whole
/// snapshot are computed by the first such task and kept for the next ones.
fn path_task(
    snapshot: &Arc<Snapshot>,
    v: NodeId,
    mode: PathMode,
    readable: &Arc<std::sync::OnceLock<Arc<ReadablePaths>>>,
    waker: &Waker,
) -> Task<Option<Vec<Hop>>> {
    let (s, cell) = (snapshot.clone(), readable.clone());
    Task::spawn(waker.clone(), move |p| find_path(&s, v, mode, &cell, p))
}

fn find_path(
    s: &Arc<Snapshot>,
    v: NodeId,
    mode: PathMode,
    cell: &std::sync::OnceLock<Arc<ReadablePaths>>,
    progress: &crate::progress::Progress,
) -> Result<Option<Vec<Hop>>, crate::error::Error> {
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

fn recompute_distances(snapshot: &Arc<Snapshot>, obj: &mut ObjectState, waker: &Waker) {
    obj.distances = if obj.ignored.is_empty() {
        None
    } else {
        let s = snapshot.clone();
        let ignored = obj.ignored.clone();
        Some(Task::spawn(waker.clone(), move |p| {
            Ok(Arc::new(query::IgnoredView::compute(&s, &ignored, p)?))
        }))
    };
    obj.distances_applied = false;
}

/// Distance used by the Retainers view: recomputed when retainers are ignored.
pub(crate) fn current_distance(snapshot: &Snapshot, obj: &ObjectState, v: NodeId) -> Distance {
    match obj.distances.as_ref().and_then(|t| t.value()) {
        Some(view) => view.distances[v],
        None => snapshot.distances[v],
    }
}

/// Whether a retaining edge no longer retains anything (DevTools' ignored WeakMap edges).
pub(crate) fn edge_ignored(obj: &ObjectState, e: EdgeId) -> bool {
    obj.distances
        .as_ref()
        .and_then(|t| t.value())
        .is_some_and(|view| view.ignored_edges.contains(&e))
}

pub(crate) fn is_weak(snapshot: &Snapshot, e: EdgeId) -> bool {
    snapshot.graph.edge_kind(e) == crate::model::EdgeKind::Weak
}

pub(crate) fn retainer_at(tree: &Tree, level: u32, index: u32) -> Option<Retainer> {
    match &tree.level(level).items {
        Items::Retainers { list, .. } => list.get(index as usize).copied(),
        _ => None,
    }
}

/// The retainers of `v`, sorted as the Retainers view lists them, computed off the UI thread.
pub(crate) fn retainers_task(snapshot: &Arc<Snapshot>, v: NodeId, obj: &ObjectState, waker: &Waker) -> Items {
    let s = snapshot.clone();
    let view = obj.distances.as_ref().and_then(|t| t.value().cloned());
    let ignored = obj.ignored.clone();
    let task = Task::spawn(waker.clone(), move |_| {
        let mut list = query::retainers_with_weak(&s, v, view.as_deref());
        // Ignored retainers stay listed (so they can be restored) but sort last.
        list.sort_by_key(|r| ignored.contains(&r.from));
        Ok(Arc::new(list))
    });
    Items::LoadingRetainers(v, task)
}

/// The instances of a class (those the Summary's filter keeps, if any), largest retained
/// first, computed off the UI thread.
pub(crate) fn instances_task(snapshot: &Arc<Snapshot>, class: u32, members: Option<Members>, waker: &Waker) -> Items {
    let s = snapshot.clone();
    Items::Loading(Task::spawn(waker.clone(), move |_| {
        let mut list = s.instances_of(class);
        if let Some(m) = members {
            list.retain(|&v| m.contains(&s, v));
        }
        Ok(Arc::new(list))
    }))
}

/// Dominator-tree children, largest retained first, computed off the UI thread.
pub(crate) fn dominated_task(snapshot: &Arc<Snapshot>, v: NodeId, waker: &Waker) -> Items {
    let s = snapshot.clone();
    Items::Loading(Task::spawn(waker.clone(), move |_| {
        Ok(Arc::new(s.dominated_children(v)))
    }))
}

/// Outgoing references of `v` (cheap: its own edges).
pub(crate) fn edges_items(snapshot: &Snapshot, v: NodeId) -> Items {
    Items::Edges {
        from: v,
        edges: query::edges(&snapshot.graph, v).collect(),
    }
}
