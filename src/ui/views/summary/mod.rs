//! The Summary: one row per constructor (DevTools' classes), sortable and filterable by name,
//! each expanding into its instances and those into their references. The Show menu limits it
//! to "objects allocated between" two snapshots or to one of DevTools' named filters.
//! `tree.rs` draws it, `toolbar.rs` the filter, `@id` search and Show menu above it.

mod timeline;
mod toolbar;
mod tree;

use std::sync::Arc;

pub use tree::show;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::distances::Distance;

    fn row(name: &str, shallow: u64) -> ClassRow {
        ClassRow {
            class: 0,
            name: name.into(),
            location: None,
            count: 1,
            shallow_size: shallow,
            retained_size: 0.0,
            distance: Distance::UNREACHABLE,
        }
    }

    #[test]
    fn the_partial_summary_filters_and_sorts_by_name_or_shallow_size() {
        let rows = vec![row("Beta", 10), row("alpha", 30), row("Gamma", 20), row("beta2", 5)];
        let mut v = PartialView::default();
        assert_eq!(v.order(&rows), [1, 2, 0, 3], "largest shallow size first");
        v.click(true);
        assert_eq!(
            v.order(&rows),
            [0, 2, 1, 3],
            "names in JavaScript's order, as the Summary sorts them"
        );
        v.click(true);
        assert_eq!(v.order(&rows), [3, 1, 2, 0], "and back");
        v.filter = "BET".into();
        v.click(false);
        assert_eq!(v.order(&rows), [0, 3], "filtered, largest first");
    }

    #[test]
    fn an_expanded_partial_row_lists_its_largest_instances_then_how_many_there_are() {
        use crate::analysis::PartialInstance;
        let mut rows = vec![row("Beta", 10), row("alpha", 30)];
        rows[1].count = 3;
        let instance = |id| PartialInstance {
            id,
            name: "alpha".into(),
            self_size: 10,
        };
        let largest = vec![vec![instance(1)], vec![instance(3), instance(5)]];
        let mut v = PartialView::default();
        assert_eq!(
            v.lines(&rows, &largest),
            [PartialLine::Class(1, false), PartialLine::Class(0, false)]
        );
        v.toggle(1);
        assert_eq!(
            v.lines(&rows, &largest),
            [
                PartialLine::Class(1, true),
                PartialLine::Instance(1, 0),
                PartialLine::Instance(1, 1),
                PartialLine::More(1),
                PartialLine::Class(0, false)
            ]
        );
        v.toggle(0);
        v.filter = "beta".into();
        assert_eq!(
            v.lines(&rows, &largest),
            [PartialLine::Class(0, true), PartialLine::Instance(0, 0)],
            "filtered; Beta has one instance, all listed"
        );
        v.toggle(0);
        assert_eq!(v.lines(&rows, &largest), [PartialLine::Class(0, false)], "collapsed");
    }
}

use crate::analysis::Snapshot;
use crate::analysis::aggregates::ClassRow;
use crate::analysis::bits::BitVec;
use crate::analysis::classes::cmp_js;
use crate::analysis::distances::Distance;
use crate::analysis::filters::NamedFilter;
use crate::engine::task::{Task, Waker};
use crate::model::NodeId;
use crate::ui::table::Sorting;
use crate::ui::tree::{Items, PAGE};
use crate::ui::treeview::TreeView;

/// What the Summary sorts by: one of its columns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SortBy {
    Constructor,
    Distance,
    Shallow,
    Retained,
}

impl SortBy {
    const ALL: [SortBy; 4] = [SortBy::Constructor, SortBy::Distance, SortBy::Shallow, SortBy::Retained];
}

/// The Summary's "Show" menu: all objects, an id range, or one of DevTools' named filters.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Choice {
    #[default]
    All,
    /// Ids in `(min, max]`.
    Range(u32, u32),
    Named(NamedFilter),
    /// The objects a function (an index into the trace functions) allocated while tracking.
    AllocatedBy(u32),
    /// The objects for which the Query field's expression holds ([`SummaryState::query`]).
    Query,
}

/// The objects a filter keeps, for listing a class's instances under it.
#[derive(Clone)]
pub enum Members {
    Range(u32, u32),
    Set(Arc<BitVec>),
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

/// The `@id` search above the Summary: the text typed, and the scan of all nodes it starts.
#[derive(Default)]
pub struct Jump {
    pub(crate) text: String,
    pub(crate) error: Option<String>,
    pub(crate) task: Option<Task<Option<NodeId>>>,
}

impl Jump {
    /// Starts the search (a scan of all nodes, off the UI thread).
    pub(crate) fn start(&mut self, s: &Arc<Snapshot>, waker: &Waker) {
        let Some(id) = crate::model::parse_object_id(&self.text) else {
            self.error = Some("type an object id like @1234".into());
            return;
        };
        let s = s.clone();
        self.error = None;
        self.task = Some(Task::spawn(waker.clone(), move |_| Ok(s.graph.find_id(id))));
    }

    /// The object found, once the scan is done; when none is, the error says so.
    pub(crate) fn poll(&mut self) -> Option<NodeId> {
        let found = match self.task.as_ref()?.get()? {
            Ok(Some(v)) => Some(*v),
            Ok(None) => {
                self.error = Some(format!("no object {}", self.text.trim()));
                None
            }
            Err(e) => {
                self.error = Some(e.to_string());
                None
            }
        };
        self.task = None;
        found
    }
}

/// A chosen filter, its label, and the Summary rows (with the kept objects) being computed.
type RangeTask = (Choice, String, Task<(Arc<Vec<ClassRow>>, Option<Members>)>);

pub struct SummaryState {
    pub(crate) rows: Arc<Vec<ClassRow>>,
    /// Class rows in display order (sorted, filtered): indices into `rows`.
    pub(crate) order: Vec<u32>,
    pub(crate) sort: Sorting<SortBy>,
    pub(crate) filter: String,
    pub(crate) view: TreeView,
    /// An `@id` jump waiting for the class's instance list.
    pub(crate) reveal: Option<NodeId>,
    /// What the rows are limited to ("Objects allocated between …", a DevTools named filter),
    /// its label, and the objects it keeps (None: all objects).
    pub(crate) range: Choice,
    pub(crate) range_label: String,
    /// A drag across the allocation timeline's bars.
    pub(crate) drag: timeline::Drag,
    /// Per row, the class's original name where a source map gives one (minified bundles), so
    /// that the filter finds `TenantProfile` as well as `o`; made on the first filter typed.
    pub(crate) originals: Option<Arc<Vec<Option<String>>>>,
    pub(crate) members: Option<Members>,
    /// Summary rows being computed for a newly chosen filter.
    pub(crate) range_task: Option<RangeTask>,
    /// The Query field above the Summary: the text typed, the expression applied (what
    /// `Choice::Query` keeps), and why the last one typed could not be read.
    pub(crate) query: QueryField,
}

/// The Query field: an expression over each object's properties and sizes (the language of
/// `heapsift find --where`), applied with Enter.
#[derive(Default, Clone)]
pub struct QueryField {
    pub(crate) text: String,
    pub(crate) applied: Option<Arc<crate::analysis::find::Query>>,
    pub(crate) error: Option<String>,
}

impl SummaryState {
    pub fn new(rows: Arc<Vec<ClassRow>>) -> Self {
        let mut s = SummaryState {
            view: TreeView::new(Items::Classes(rows.len())),
            rows,
            order: Vec::new(),
            sort: Sorting {
                by: SortBy::Retained,
                descending: true,
            },
            filter: String::new(),
            reveal: None,
            range: Choice::All,
            range_label: "All objects".into(),
            drag: Default::default(),
            originals: None,
            members: None,
            range_task: None,
            query: QueryField::default(),
        };
        s.reorder();
        s
    }

    /// Limits the Summary to the objects a choice keeps, computed off the UI thread.
    pub(crate) fn set_range(&mut self, snapshot: &Arc<Snapshot>, range: Choice, label: String, waker: &Waker) {
        let s = snapshot.clone();
        let query = self.query.applied.clone();
        let task = Task::spawn(waker.clone(), move |p| {
            Ok(match range {
                Choice::All => (Arc::new(s.summary.clone()), None),
                Choice::Range(min, max) => (Arc::new(s.summary_between(min, max)), Some(Members::Range(min, max))),
                Choice::Named(f) => {
                    let bits = f.members(&s, p)?;
                    let rows = s.summary_filtered(&|v| bits.get(v.index()));
                    (Arc::new(rows), Some(Members::Set(Arc::new(bits))))
                }
                Choice::AllocatedBy(f) => {
                    let bits = crate::analysis::allocations::allocated_by(&s, f);
                    let rows = s.summary_filtered(&|v| bits.get(v.index()));
                    (Arc::new(rows), Some(Members::Set(Arc::new(bits))))
                }
                Choice::Query => {
                    let Some(q) = query else {
                        return Ok((Arc::new(s.summary.clone()), None));
                    };
                    let bits = crate::analysis::find::members(&s, &q, &|| p.check().is_err())
                        .ok_or(crate::error::Error::Cancelled)?;
                    p.check()?;
                    let rows = s.summary_filtered(&|v| bits.get(v.index()));
                    (Arc::new(rows), Some(Members::Set(Arc::new(bits))))
                }
            })
        });
        self.range_task = Some((range, label, task));
    }

    /// Reads the Query field's `text` and limits the rows to the objects it keeps (all objects
    /// when it is empty); a mistake stays in the field's error.
    pub(crate) fn apply_query(&mut self, snapshot: &Arc<Snapshot>, text: &str, waker: &Waker) {
        self.query.text = text.to_owned();
        let text = text.trim();
        if text.is_empty() {
            self.query.error = None;
            if self.range == Choice::Query {
                self.set_range(snapshot, Choice::All, "All objects".into(), waker);
            }
            return;
        }
        match crate::analysis::find::Query::parse(text) {
            Ok(q) => {
                self.query.error = None;
                self.query.applied = Some(Arc::new(q));
                self.set_range(snapshot, Choice::Query, format!("Objects where {text}"), waker);
            }
            Err(e) => self.query.error = Some(e.to_string()),
        }
    }

    /// Installs rows computed for a new range, and instance lists computed for expanded classes.
    pub(crate) fn poll(&mut self) {
        if self.range_task.as_ref().is_some_and(|(_, _, t)| t.is_done())
            && let Some((range, label, task)) = self.range_task.take()
            && let Some((rows, members)) = task.value()
        {
            let (sort, filter, drag) = (self.sort, std::mem::take(&mut self.filter), self.drag);
            let query = std::mem::take(&mut self.query);
            *self = SummaryState::new(rows.clone());
            self.sort = sort;
            self.filter = filter;
            self.drag = drag;
            self.query = query;
            self.range = range;
            self.range_label = label;
            self.members = members.clone();
            self.reorder();
        }
        self.view.tree.poll();
    }

    /// The rows' original class names, once, for a snapshot whose scripts have source maps.
    pub(crate) fn find_originals(&mut self, s: &Snapshot) {
        if self.originals.as_ref().is_some_and(|o| o.len() == self.rows.len()) || s.scripts.maps().is_none() {
            return;
        }
        let names = self
            .rows
            .iter()
            .map(|r| r.location.and_then(|l| s.scripts.original_name(l, &r.name)))
            .collect();
        self.originals = Some(Arc::new(names));
    }

    /// Recomputes the class order after a sort or filter change (O(classes)).
    pub(crate) fn reorder(&mut self) {
        let needle = self.filter.to_lowercase();
        let rows = &self.rows;
        let originals = self.originals.as_deref().filter(|o| o.len() == rows.len());
        let original = |i: usize| originals.and_then(|o| o[i].as_deref());
        let mut order: Vec<u32> = (0..rows.len() as u32)
            .filter(|&i| {
                needle.is_empty()
                    || rows[i as usize].name.to_lowercase().contains(&needle)
                    || original(i as usize).is_some_and(|o| o.to_lowercase().contains(&needle))
            })
            .collect();
        let key = |a: &ClassRow, b: &ClassRow| match self.sort.by {
            SortBy::Constructor => cmp_js(&a.name, &b.name),
            SortBy::Distance => distance_key(a.distance).cmp(&distance_key(b.distance)),
            SortBy::Shallow => a.shallow_size.cmp(&b.shallow_size),
            SortBy::Retained => a.retained_size.total_cmp(&b.retained_size),
        };
        order.sort_by(|&a, &b| {
            let (ra, rb) = (&rows[a as usize], &rows[b as usize]);
            let o = key(ra, rb);
            let o = if self.sort.descending { o.reverse() } else { o };
            o.then_with(|| cmp_js(&ra.name, &rb.name))
        });
        self.order = order;
        self.view.tree.mark_dirty();
        self.view.cursor = None;
    }

    /// A click on a column title: sort by it, again to flip the direction.
    pub(crate) fn set_sort(&mut self, by: SortBy) {
        self.sort.click(by, SortBy::Constructor);
        self.reorder();
    }

    /// Expands the object's class and scrolls to the object once its instances are known.
    pub(crate) fn reveal(&mut self, snapshot: &Arc<Snapshot>, v: NodeId, waker: &Waker) {
        let class = snapshot.classes.of_node[v];
        let Some(pos) = self.rows.iter().position(|r| r.class == class) else {
            return;
        };
        if !self.order.contains(&(pos as u32)) {
            self.filter.clear();
            self.reorder();
        }
        if !self.view.tree.is_expanded(0, pos as u32) {
            let items = tree::instances_task(snapshot, class, self.members.clone(), waker);
            self.view.tree.expand(0, pos as u32, items, PAGE);
        }
        self.reveal = Some(v);
    }

    /// Puts the cursor on the object being revealed once its class's instances are listed.
    pub(crate) fn poll_reveal(&mut self, snapshot: &Snapshot) {
        let Some(target) = self.reveal else { return };
        let class = snapshot.classes.of_node[target];
        let Some(pos) = self.rows.iter().position(|r| r.class == class) else {
            self.reveal = None;
            return;
        };
        if !self.order.contains(&(pos as u32)) {
            self.filter.clear();
            self.reorder();
        }
        let tree = &mut self.view.tree;
        let Some(level) = tree.child(0, pos as u32) else {
            return;
        };
        let found = match &tree.level(level).items {
            Items::Nodes(list) => list.iter().position(|&v| v == target),
            Items::Loading(_) => return,
            _ => None,
        };
        self.reveal = None;
        let Some(i) = found else { return };
        let l = tree.level_mut(level);
        if i >= l.shown {
            l.shown = (i / PAGE + 1) * PAGE;
        }
        tree.mark_dirty();
        if let Some(flat) = tree.rows(Some(&self.order)).index_of(level, i as u32) {
            self.view.cursor = Some(flat);
            self.view.tree.scroll_to = Some((flat, true));
        }
    }

    // Read-only, for tests.

    /// Every class row, in the analysis's order.
    pub fn rows(&self) -> &[ClassRow] {
        &self.rows
    }

    /// The rows shown, in display order (sorted, filtered): positions in [`SummaryState::rows`].
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    pub fn sort(&self) -> (SortBy, bool) {
        (self.sort.by, self.sort.descending)
    }

    pub fn view(&self) -> &TreeView {
        &self.view
    }

    pub fn view_mut(&mut self) -> &mut TreeView {
        &mut self.view
    }

    /// Rows the table shows now (classes, expanded instances, "Show more").
    pub fn visible_rows(&mut self) -> usize {
        self.view.tree.rows(Some(&self.order)).len()
    }

    /// Whether the rows are limited by the Show menu (an id range or a named filter).
    pub fn limited(&self) -> bool {
        self.members.is_some()
    }

    /// The query the rows are limited to, if any.
    pub fn query(&self) -> Option<&str> {
        (self.range == Choice::Query)
            .then(|| self.query.applied.as_ref().map(|q| q.text()))
            .flatten()
    }

    /// Why the Query field's text could not be read.
    pub fn query_error(&self) -> Option<&str> {
        self.query.error.as_deref()
    }

    /// Whether rows for a newly chosen Show filter are still being computed.
    pub fn filtering(&self) -> bool {
        self.range_task.is_some()
    }

    pub(crate) fn busy(&self) -> bool {
        self.view.tree.is_loading() || self.reveal.is_some() || self.range_task.is_some()
    }
}

/// The partial Summary's state: a class filter and a sort by name or shallow size (the only
/// numbers known before dominators), the rows expanded into their largest instances, and the
/// lines shown, remade when any of these changes.
#[derive(Default)]
pub struct PartialView {
    pub(crate) filter: String,
    /// Sorted by name (else by shallow size), and whether descending.
    pub(crate) by_name: bool,
    pub(crate) ascending: bool,
    order: Option<(usize, String, bool, bool, Vec<u32>)>,
    /// Rows (positions in the rows) expanded into their largest instances.
    expanded: std::collections::BTreeSet<u32>,
    lines: Option<Vec<PartialLine>>,
}

/// One line of the partial Summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartialLine {
    /// A class: its position in the rows, and whether it is expanded.
    Class(u32, bool),
    /// The row's k-th largest instance.
    Instance(u32, u32),
    /// Under an expanded row that has more instances than are listed: how many there are.
    More(u32),
}

impl PartialView {
    /// The rows shown, in display order: positions in `rows`.
    pub fn order(&mut self, rows: &[ClassRow]) -> &[u32] {
        let key = (rows.len(), self.filter.clone(), self.by_name, self.ascending);
        let stale = self
            .order
            .as_ref()
            .is_none_or(|(n, f, b, a, _)| (*n, f, *b, *a) != (key.0, &key.1, key.2, key.3));
        if stale {
            let needle = self.filter.to_lowercase();
            let mut order: Vec<u32> = (0..rows.len() as u32)
                .filter(|&i| needle.is_empty() || rows[i as usize].name.to_lowercase().contains(&needle))
                .collect();
            order.sort_by(|&a, &b| {
                let (ra, rb) = (&rows[a as usize], &rows[b as usize]);
                let o = if self.by_name {
                    cmp_js(&ra.name, &rb.name)
                } else {
                    rb.shallow_size.cmp(&ra.shallow_size)
                };
                let o = if self.ascending == self.by_name { o } else { o.reverse() };
                o.then_with(|| cmp_js(&ra.name, &rb.name))
            });
            self.order = Some((key.0, key.1, key.2, key.3, order));
            self.lines = None;
        }
        &self.order.as_ref().expect("made above").4
    }

    /// The lines shown: the rows in display order, each expanded one followed by its largest
    /// instances (`largest[row]`) and, when it has more, a line saying so.
    pub fn lines(&mut self, rows: &[ClassRow], largest: &[Vec<crate::analysis::PartialInstance>]) -> &[PartialLine] {
        self.order(rows);
        if self.lines.is_none() {
            let order = &self.order.as_ref().expect("made by order").4;
            let mut lines = Vec::with_capacity(order.len());
            for &i in order {
                let expanded = self.expanded.contains(&i);
                lines.push(PartialLine::Class(i, expanded));
                if !expanded {
                    continue;
                }
                let listed = largest.get(i as usize).map_or(0, Vec::len);
                lines.extend((0..listed as u32).map(|k| PartialLine::Instance(i, k)));
                if (listed as u64) < rows[i as usize].count {
                    lines.push(PartialLine::More(i));
                }
            }
            self.lines = Some(lines);
        }
        self.lines.as_deref().expect("made above")
    }

    /// A click on a row's ▶/▼ toggle.
    pub(crate) fn toggle(&mut self, row: u32) {
        if !self.expanded.remove(&row) {
            self.expanded.insert(row);
        }
        self.lines = None;
    }

    /// A click on the Constructor (`by_name`) or Shallow Size title.
    pub(crate) fn click(&mut self, by_name: bool) {
        if self.by_name == by_name {
            self.ascending = !self.ascending;
        } else {
            self.by_name = by_name;
            // Names A to Z, sizes largest first.
            self.ascending = by_name;
        }
    }
}

/// Unreachable and system-only distances sort after all shown ones.
fn distance_key(d: Distance) -> i64 {
    d.shown().map_or(i64::MAX, i64::from)
}
