//! One open snapshot in the app (a tab): its load, the view shown, and each view's state (kept
//! with its view in `views/`). Everything here that walks the graph starts a `Task`.

use std::sync::Arc;
use std::time::Duration;

pub use super::command::DocId;
use super::tree::Action;
use super::treeview::{Frame, TreeView};
use super::views::allocations::AllocationsState;
use super::views::comparison::ComparisonState;
use super::views::detached::DetachedState;
use super::views::duplicates::DuplicatesState;
use super::views::object::{ObjectState, PathMode, ReadableCell, find_path, path_task};
use super::views::summary::{Choice, Jump, SummaryState};
use crate::analysis::process::Fingerprint;
use crate::analysis::{PartialSummary, Snapshot};
use crate::engine::sets::{SetId, Sets};
use crate::engine::task::{Task, Waker};
use crate::engine::{LoadJob, Source};
use crate::model::NodeId;

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
    /// DevTools' Allocation view; offered for snapshots taken with allocation tracking on.
    Allocations,
}

impl View {
    pub const ALL: [View; 9] = [
        View::Summary,
        View::Comparison,
        View::Retainers,
        View::Dominators,
        View::Containment,
        View::Duplicates,
        View::Detached,
        View::Statistics,
        View::Allocations,
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
            View::Allocations => "Allocations",
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
            View::Allocations => "allocations",
        }
    }

    pub fn parse(s: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.id().eq_ignore_ascii_case(s))
    }
}

pub enum DocState {
    Loading(LoadJob),
    Ready(Arc<Snapshot>),
    Failed(String),
    /// The user cancelled the load; it can be started again.
    Cancelled,
}

pub struct Doc {
    pub(crate) id: DocId,
    pub(crate) source: Source,
    /// How its tab and every list name it: the file name, with as much of its folder as tells
    /// it apart from the other open files (set by the app as files open and close).
    pub(crate) label: String,
    /// Which process it comes from, once loaded.
    pub(crate) print: Option<Arc<Fingerprint>>,
    pub(crate) state: DocState,
    pub(crate) partial: Option<Arc<PartialSummary>>,
    /// How the partial Summary is filtered and sorted while the rest is computed; its filter
    /// carries over to the Summary.
    pub(crate) partial_view: crate::ui::views::summary::PartialView,
    pub(crate) load_time: Option<Duration>,
    /// Whether the index was built now or read from a saved one.
    pub(crate) loaded_from: Option<crate::engine::LoadedFrom>,
    /// Things the user should know about the load (a saved index rebuilt, or not saved); the
    /// app moves them to the status bar.
    pub(crate) notes: Vec<String>,
    saving: Option<std::sync::mpsc::Receiver<crate::engine::Saved>>,
    pub(crate) view: View,
    pub(crate) summary: Option<SummaryState>,
    pub(crate) object: Option<ObjectState>,
    pub(crate) dominators: Option<TreeView>,
    pub(crate) comparison: Option<ComparisonState>,
    pub(crate) duplicates: Option<DuplicatesState>,
    pub(crate) detached: Option<DetachedState>,
    pub(crate) containment: Option<TreeView>,
    pub(crate) allocations: Option<AllocationsState>,
    /// The Summary's `@id` search.
    pub(crate) jump: Jump,
    /// A query to limit the Summary to once the snapshot is loaded (`--query`).
    pub(crate) pending_query: Option<String>,
    /// "Copy path as text": the text, being computed.
    pub(crate) copy_task: Option<Task<String>>,
    /// Keyboard keys go to the retainers panel (it was clicked last) instead of the view.
    pub(crate) keys_to_panel: bool,
    /// Which path to root the panels show, and the readable paths once computed (for the
    /// whole snapshot, on the first selection).
    pub(crate) path_mode: PathMode,
    pub(crate) readable: ReadableCell,
    /// Bumped on every reload, so table and scroll states start fresh.
    pub(crate) generation: u32,
    /// The app has taken note that the load failed (and dropped the file from Recent).
    pub(crate) failure_noted: bool,
}

impl Doc {
    pub fn open(source: Source, waker: Waker) -> Doc {
        Doc {
            id: DocId::next(),
            state: DocState::Loading(LoadJob::spawn(source.clone(), waker)),
            label: source.name(),
            print: None,
            source,
            partial: None,
            partial_view: Default::default(),
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
            allocations: None,
            jump: Jump::default(),
            pending_query: None,
            copy_task: None,
            keys_to_panel: false,
            path_mode: PathMode::Readable,
            readable: Default::default(),
            generation: 0,
            failure_noted: false,
        }
    }

    /// Whether the view's own table takes the keyboard (not the retainers panel below it).
    pub(crate) fn takes_view_keys(&self) -> bool {
        !(self.keys_to_panel && self.object.is_some())
    }

    /// The selected object, if any.
    pub(crate) fn selected(&self) -> Option<NodeId> {
        self.object.as_ref().map(|o| o.node)
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
        let (id, view, path_mode, generation) = (self.id, self.view, self.path_mode, self.generation + 1);
        *self = Doc {
            id,
            label: std::mem::take(&mut self.label),
            view,
            path_mode,
            generation,
            ..fresh
        };
    }

    /// The tab's identity, as sets and the wizard's slots know it.
    pub fn doc_id(&self) -> DocId {
        self.id
    }

    pub fn title(&self) -> String {
        self.label.clone()
    }

    /// The file's whole path (or the demo's name), for hover texts.
    pub fn full_name(&self) -> String {
        self.source.path().display().to_string()
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
        self.poll_load(waker);
        let Some(snapshot) = self.snapshot().cloned() else {
            return;
        };
        if let Some(summary) = &mut self.summary {
            summary.poll();
        }
        for view in [&mut self.dominators, &mut self.containment].into_iter().flatten() {
            view.tree.poll();
        }
        if let Some(d) = &mut self.duplicates {
            d.view.tree.poll();
        }
        if let Some(v) = self.jump.poll() {
            self.select(v, waker);
            self.reveal_in_summary(v, waker);
        }
        if let Some(obj) = &mut self.object {
            obj.poll(&snapshot, self.path_mode, &self.readable, waker);
        }
        if let Some(summary) = &mut self.summary {
            summary.poll_reveal(&snapshot);
        }
    }

    /// A finished load becomes the snapshot and its views; a saved index replaces it.
    fn poll_load(&mut self, waker: &Waker) {
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
                        self.print = Some(opened.print);
                        let mut summary = SummaryState::new(Arc::new(s.summary.clone()));
                        summary.filter = std::mem::take(&mut self.partial_view.filter);
                        summary.reorder();
                        self.summary = Some(summary);
                        self.dominators = Some(super::views::dominators::new_tree(&s, waker));
                        self.comparison = Some(Default::default());
                        if let (Some(q), Some(summary)) = (self.pending_query.take(), &mut self.summary) {
                            summary.apply_query(&s, &q, waker);
                        }
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
    }

    /// Expands the object's class in the Summary and scrolls to it once its instances are known.
    pub(crate) fn reveal_in_summary(&mut self, v: NodeId, waker: &Waker) {
        if let (Some(s), Some(summary)) = (self.snapshot().cloned(), &mut self.summary) {
            summary.reveal(&s, v, waker);
        }
    }

    /// Selects an object: its retainers, path to root and details appear.
    pub fn select(&mut self, v: NodeId, waker: &Waker) {
        let Some(s) = self.snapshot().cloned() else {
            return;
        };
        if self.selected() != Some(v) {
            self.object = Some(ObjectState::new(&s, v, self.path_mode, &self.readable, waker));
        }
    }

    /// What a view left after drawing its table: a click or key in it gives the keyboard back
    /// to the view; selections and context-menu commands are carried out.
    pub(crate) fn finish_view(&mut self, frame: Frame, waker: &Waker) {
        if frame.moved {
            self.keys_to_panel = false;
        }
        for a in frame.actions {
            self.object_action(a, waker);
        }
    }

    /// The row actions every view shares: select, context-menu commands.
    pub(crate) fn object_action(&mut self, a: Action, waker: &Waker) {
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
            Action::Ignore(v) => self.ignore_retainers(&[v], true, waker),
            Action::Toggle { .. } | Action::More { .. } | Action::Cursor(_) | Action::ScrollTo(_) => {}
            Action::ShowDeleted(_) => {}
            Action::AllocatedBy(f) => self.show_allocated_by(f, waker),
        }
    }

    /// The Summary limited to the live objects function `f` allocated.
    pub(crate) fn show_allocated_by(&mut self, f: u32, waker: &Waker) {
        let Some(s) = self.snapshot().cloned() else { return };
        let Some(t) = s.graph.traces() else { return };
        let Some(function) = t.functions.get(f as usize) else {
            return;
        };
        let label = format!(
            "Objects allocated by {}",
            crate::present::allocations::frame_label(&s, function)
        );
        if let Some(summary) = &mut self.summary {
            summary.set_range(&s, Choice::AllocatedBy(f), label, waker);
            self.view = View::Summary;
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
        let Some(s) = self.snapshot().cloned() else {
            return;
        };
        if let Some(obj) = &mut self.object
            && obj.ignoring.set.is_empty()
        {
            obj.path = path_task(&s, obj.node, mode, &self.readable, waker);
        }
    }

    /// "Ignore this retainer" (`ignore`) or restore ignored ones: distances are recomputed
    /// without the ignored, as DevTools does.
    pub(crate) fn ignore_retainers(&mut self, retainers: &[NodeId], ignore: bool, waker: &Waker) {
        let (Some(s), Some(obj)) = (self.snapshot().cloned(), &mut self.object) else {
            return;
        };
        let set = &mut obj.ignoring.set;
        let changed = retainers
            .iter()
            .fold(false, |c, v| c | if ignore { set.insert(*v) } else { set.remove(v) });
        if changed || ignore {
            obj.recompute_distances(&s, waker);
        }
    }

    /// Selects the object with the id typed in the `@id` field (batch runs' `--select`).
    pub(crate) fn jump_to(&mut self, id: crate::model::ObjectId, waker: &Waker) {
        if let Some(s) = self.snapshot().cloned() {
            self.jump.text = format!("@{id}");
            self.jump.start(&s, waker);
        }
    }

    // What the views show, read-only, for tests and the batch runs.

    pub fn view(&self) -> View {
        self.view
    }

    pub fn summary(&self) -> Option<&SummaryState> {
        self.summary.as_ref()
    }

    pub fn allocations(&self) -> Option<&AllocationsState> {
        self.allocations.as_ref()
    }

    pub fn object(&self) -> Option<&ObjectState> {
        self.object.as_ref()
    }

    pub fn comparison(&self) -> Option<&ComparisonState> {
        self.comparison.as_ref()
    }

    pub fn duplicates(&self) -> Option<&DuplicatesState> {
        self.duplicates.as_ref()
    }

    pub fn detached(&self) -> Option<&DetachedState> {
        self.detached.as_ref()
    }

    pub fn containment(&self) -> Option<&TreeView> {
        self.containment.as_ref()
    }

    pub fn dominators(&self) -> Option<&TreeView> {
        self.dominators.as_ref()
    }

    pub fn summary_mut(&mut self) -> Option<&mut SummaryState> {
        self.summary.as_mut()
    }

    pub fn dominators_mut(&mut self) -> Option<&mut TreeView> {
        self.dominators.as_mut()
    }

    pub fn containment_mut(&mut self) -> Option<&mut TreeView> {
        self.containment.as_mut()
    }

    /// Whether the keyboard goes to the retainers panel rather than the view.
    pub fn keys_to_panel(&self) -> bool {
        self.keys_to_panel
    }

    pub fn loaded_from(&self) -> Option<&crate::engine::LoadedFrom> {
        self.loaded_from.as_ref()
    }

    /// How long the load took, once done.
    pub fn load_time(&self) -> Option<Duration> {
        self.load_time
    }

    /// Shows another view, as its tab does.
    pub fn set_view(&mut self, view: View) {
        self.view = view;
    }

    /// Gives the keyboard back to the view's table (as a click in it does).
    pub fn keys_to_view(&mut self) {
        self.keys_to_panel = false;
    }

    /// Empties the `@id` field.
    pub fn clear_jump(&mut self) {
        self.jump.text.clear();
    }

    pub fn busy(&self) -> bool {
        self.is_loading()
            || self.saving.is_some()
            || self.jump.task.is_some()
            || self.summary.as_ref().is_some_and(|s| s.busy())
            || self.object.as_ref().is_some_and(|o| o.busy())
            || self.dominators.as_ref().is_some_and(|d| d.tree.is_loading())
            || (self.view == View::Detached && self.detached.as_ref().is_some_and(|d| !d.trees.is_done()))
            || (self.view == View::Duplicates
                && self
                    .duplicates
                    .as_ref()
                    .is_some_and(|d| !d.groups.is_done() || d.view.tree.is_loading()))
            || (self.view == View::Comparison && self.comparison.as_ref().is_some_and(|c| c.busy()))
            || (self.view == View::Allocations && self.allocations.as_ref().is_some_and(|a| a.busy()))
    }
}

/// The folder (its name and a slash) that holds every one of these snapshots' files, when
/// their file names differ: what a set of them is called. None for the demo or mixed folders.
pub(crate) fn shared_folder(docs: &[Doc], members: &[DocId]) -> Option<String> {
    let found: Vec<&Doc> = members
        .iter()
        .filter_map(|&m| docs.iter().find(|d| d.id == m))
        .collect();
    let mut folders = found.iter().map(|d| match &d.source {
        Source::File(p) => std::fs::canonicalize(p).ok()?.parent().map(|f| f.to_path_buf()),
        Source::Embedded(..) => None,
    });
    let first = folders.next()??;
    if !folders.all(|f| f.as_ref() == Some(&first)) {
        return None;
    }
    let mut names: Vec<String> = found.iter().map(|d| d.source.name()).collect();
    names.sort();
    names.dedup();
    let name = first.file_name()?.to_string_lossy().into_owned();
    (names.len() == found.len()).then(|| format!("{name}/"))
}

/// How a set is named in pickers: its folder, else "process N".
pub(crate) fn set_name(docs: &[Doc], sets: &Sets<DocId>, set: SetId) -> String {
    shared_folder(docs, &sets.members(set)).unwrap_or_else(|| format!("process {}", set.0))
}
