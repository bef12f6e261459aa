//! A lazily expanded tree, flattened into rows for a virtual-scrolled table.
//!
//! Levels (the children of one expanded row) live in an arena. Only expanded rows own a child
//! level, so a class with a million instances costs one `Vec<NodeId>` until rows inside it are
//! expanded. The flat row list is rebuilt only when the shape changes (expand, collapse, show
//! more, a child list arriving), never per frame.

use std::collections::HashMap;
use std::sync::Arc;

use crate::analysis::query::Retainer;
use crate::engine::task::Task;
use crate::model::{EdgeId, Graph, NodeId};

/// Rows of a level shown before "Show more".
pub const PAGE: usize = 100;

/// What a level lists.
pub enum Items {
    /// Summary class rows, by index into the view's class list.
    Classes(usize),
    /// Objects (instances of a class, dominated children, new objects, ...).
    Nodes(Arc<Vec<NodeId>>),
    /// Outgoing edges of `from`, by edge ordinal.
    Edges {
        from: NodeId,
        edges: Vec<EdgeId>,
    },
    Retainers {
        of: NodeId,
        list: Arc<Vec<Retainer>>,
    },
    /// A Comparison class: new objects (current snapshot), then deleted ones (base snapshot).
    Diff {
        added: Arc<Vec<NodeId>>,
        deleted: Arc<Vec<NodeId>>,
    },
    Loading(Task<Arc<Vec<NodeId>>>),
    LoadingRetainers(NodeId, Task<Arc<Vec<Retainer>>>),
    Failed(String),
}

impl Items {
    pub fn len(&self) -> usize {
        match self {
            Items::Classes(n) => *n,
            Items::Nodes(v) => v.len(),
            Items::Edges { edges, .. } => edges.len(),
            Items::Retainers { list, .. } => list.len(),
            Items::Diff { added, deleted } => added.len() + deleted.len(),
            Items::Loading(_) | Items::LoadingRetainers(..) | Items::Failed(_) => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

pub struct Level {
    pub items: Items,
    pub shown: usize,
    /// Item index → child level.
    pub expanded: HashMap<u32, u32>,
    /// The row this level hangs under: (level, item index); `None` for the top level.
    pub parent: Option<(u32, u32)>,
    pub(crate) depth: u16,
}

/// What a click or key asks for; applied after the table is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Toggle {
        level: u32,
        index: u32,
    },
    More {
        level: u32,
        all: bool,
    },
    Select(NodeId),
    Cursor(usize),
    /// A keyboard move: the cursor row must scroll into view.
    ScrollTo(usize),
    /// From a row's context menu.
    Reveal(NodeId),
    ShowRetainers(NodeId),
    CopyPath(NodeId),
    /// The Retainers view's "Ignore this retainer".
    Ignore(NodeId),
    /// A deleted object of the Comparison, shown in the base snapshot.
    ShowDeleted(NodeId),
    /// The Allocation view's "Show its live objects": the Summary limited to what the function
    /// (an index into the snapshot's trace functions) allocated.
    AllocatedBy(u32),
}

/// An item row: which item of which level, at what depth.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Item {
    pub level: u32,
    pub index: u32,
    pub depth: u16,
}

/// One visible row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    Item {
        level: u32,
        index: u32,
        depth: u16,
    },
    /// "Show more" at the end of a paged level.
    More {
        level: u32,
        depth: u16,
    },
    /// A level whose items are still being computed (or failed).
    Pending {
        level: u32,
        depth: u16,
    },
}

/// A run of the flat row list: one row, or consecutive unexpanded items of one level.
#[derive(Clone, Copy, Debug)]
enum Span {
    One(Row),
    Items {
        level: u32,
        start: u32,
        end: u32,
        depth: u16,
    },
}

/// The visible rows, stored as runs so that showing a million instances costs one run: building
/// it is O(expanded rows + levels), and looking up a row is a binary search.
#[derive(Default, Debug)]
pub struct FlatRows {
    spans: Vec<Span>,
    /// Flat index of each span's first row.
    starts: Vec<usize>,
    len: usize,
}

impl FlatRows {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn push(&mut self, span: Span) {
        let n = match span {
            Span::One(_) => 1,
            Span::Items { start, end, .. } => (end - start) as usize,
        };
        if n == 0 {
            return;
        }
        self.starts.push(self.len);
        self.spans.push(span);
        self.len += n;
    }

    pub fn get(&self, i: usize) -> Row {
        let k = self.starts.partition_point(|&s| s <= i) - 1;
        match self.spans[k] {
            Span::One(r) => r,
            Span::Items {
                level, start, depth, ..
            } => Row::Item {
                level,
                index: start + (i - self.starts[k]) as u32,
                depth,
            },
        }
    }

    /// The flat position of item `index` of `level`, if it is visible.
    pub(crate) fn index_of(&self, level: u32, index: u32) -> Option<usize> {
        self.spans.iter().zip(&self.starts).find_map(|(span, &at)| match *span {
            Span::One(Row::Item { level: l, index: i, .. }) if l == level && i == index => Some(at),
            Span::Items {
                level: l, start, end, ..
            } if l == level && (start..end).contains(&index) => Some(at + (index - start) as usize),
            _ => None,
        })
    }

    pub fn to_vec(&self) -> Vec<Row> {
        (0..self.len).map(|i| self.get(i)).collect()
    }
}

pub struct Tree {
    pub(crate) levels: Vec<Option<Level>>,
    rows: FlatRows,
    dirty: bool,
    /// A flat row the table must scroll to on its next frame: (row, centered). Keyboard moves
    /// scroll just enough; reveals center the row.
    pub(crate) scroll_to: Option<(usize, bool)>,
}

impl Tree {
    pub fn new(top: Items) -> Tree {
        Tree {
            levels: vec![Some(Level {
                items: top,
                shown: usize::MAX,
                expanded: HashMap::new(),
                parent: None,
                depth: 0,
            })],
            rows: FlatRows::default(),
            dirty: true,
            scroll_to: None,
        }
    }

    /// The item indices from the top level down to `index` of `level`: how a view whose levels
    /// are plain index lists (`Items::Classes`) finds what a row stands for.
    pub(crate) fn index_path(&self, level: u32, index: u32) -> Vec<u32> {
        let mut path = vec![index];
        let mut at = level;
        while let Some((up, i)) = self.level(at).parent {
            path.push(i);
            at = up;
        }
        path.reverse();
        path
    }

    pub fn level(&self, l: u32) -> &Level {
        self.levels[l as usize].as_ref().expect("live level")
    }

    pub(crate) fn level_mut(&mut self, l: u32) -> &mut Level {
        self.levels[l as usize].as_mut().expect("live level")
    }

    pub(crate) fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    pub fn child(&self, level: u32, index: u32) -> Option<u32> {
        self.level(level).expanded.get(&index).copied()
    }

    pub fn is_expanded(&self, level: u32, index: u32) -> bool {
        self.child(level, index).is_some()
    }

    /// Expands a row with the given children; returns the new level.
    pub fn expand(&mut self, level: u32, index: u32, items: Items, page: usize) -> u32 {
        if let Some(c) = self.child(level, index) {
            return c;
        }
        let depth = self.level(level).depth + 1;
        let id = self.levels.len() as u32;
        self.levels.push(Some(Level {
            items,
            shown: page,
            expanded: HashMap::new(),
            parent: Some((level, index)),
            depth,
        }));
        self.level_mut(level).expanded.insert(index, id);
        self.dirty = true;
        id
    }

    pub(crate) fn collapse(&mut self, level: u32, index: u32) {
        if let Some(c) = self.level_mut(level).expanded.remove(&index) {
            self.free(c);
            self.dirty = true;
        }
    }

    fn free(&mut self, l: u32) {
        if let Some(level) = self.levels[l as usize].take() {
            for c in level.expanded.into_values() {
                self.free(c);
            }
        }
    }

    pub fn show_more(&mut self, level: u32, all: bool) {
        let l = self.level_mut(level);
        l.shown = if all { usize::MAX } else { l.shown.saturating_add(PAGE) };
        self.dirty = true;
    }

    /// Replaces finished loading levels by their results. Returns true if any changed.
    pub(crate) fn poll(&mut self) -> bool {
        let mut changed = false;
        for level in self.levels.iter_mut().flatten() {
            let next = match &level.items {
                Items::Loading(task) => task.get().map(|r| match r {
                    Ok(v) => Items::Nodes(v.clone()),
                    Err(e) => Items::Failed(e.to_string()),
                }),
                Items::LoadingRetainers(of, task) => task.get().map(|r| match r {
                    Ok(v) => Items::Retainers {
                        of: *of,
                        list: v.clone(),
                    },
                    Err(e) => Items::Failed(e.to_string()),
                }),
                _ => None,
            };
            if let Some(items) = next {
                level.items = items;
                changed = true;
            }
        }
        if changed {
            self.dirty = true;
        }
        changed
    }

    pub fn is_loading(&self) -> bool {
        self.levels
            .iter()
            .flatten()
            .any(|l| matches!(l.items, Items::Loading(_) | Items::LoadingRetainers(..)))
    }

    /// Rebuilds the flat rows if the shape changed. `order` maps the top level's row positions
    /// to item indices (sorting and filtering of the top level live outside the tree).
    pub fn rows(&mut self, order: Option<&[u32]>) -> &FlatRows {
        if self.dirty {
            let mut rows = FlatRows::default();
            self.flatten(0, order, &mut rows);
            self.rows = rows;
            self.dirty = false;
        }
        &self.rows
    }

    /// Moves the flat rows out for drawing (no copy); give them back with [`Tree::put_rows`].
    pub(crate) fn take_rows(&mut self, order: Option<&[u32]>) -> FlatRows {
        self.rows(order);
        std::mem::take(&mut self.rows)
    }

    pub(crate) fn put_rows(&mut self, rows: FlatRows) {
        if !self.dirty {
            self.rows = rows;
        }
    }

    fn flatten(&self, l: u32, order: Option<&[u32]>, out: &mut FlatRows) {
        let level = self.level(l);
        let depth = level.depth;
        if matches!(
            level.items,
            Items::Loading(_) | Items::LoadingRetainers(..) | Items::Failed(_)
        ) {
            out.push(Span::One(Row::Pending { level: l, depth }));
            return;
        }
        let len = level.items.len();
        let shown = level.shown.min(len);
        match order {
            Some(order) if l == 0 => {
                for &i in order.iter().take(shown) {
                    out.push(Span::One(Row::Item {
                        level: l,
                        index: i,
                        depth,
                    }));
                    if let Some(&c) = level.expanded.get(&i) {
                        self.flatten(c, None, out);
                    }
                }
            }
            _ => {
                // Runs of unexpanded items between the expanded ones.
                let mut open: Vec<u32> = level
                    .expanded
                    .keys()
                    .copied()
                    .filter(|&i| (i as usize) < shown)
                    .collect();
                open.sort_unstable();
                let mut next = 0u32;
                for i in open {
                    out.push(Span::Items {
                        level: l,
                        start: next,
                        end: i + 1,
                        depth,
                    });
                    self.flatten(level.expanded[&i], None, out);
                    next = i + 1;
                }
                out.push(Span::Items {
                    level: l,
                    start: next,
                    end: shown as u32,
                    depth,
                });
            }
        }
        if shown < len {
            out.push(Span::One(Row::More { level: l, depth }));
        }
    }

    /// The chain of (level, index) from the top down to this row's item, inclusive.
    pub(crate) fn ancestry(&self, level: u32, index: u32) -> Vec<(u32, u32)> {
        let mut out = vec![(level, index)];
        let mut cur = self.level(level).parent;
        while let Some((l, i)) = cur {
            out.push((l, i));
            cur = self.level(l).parent;
        }
        out.reverse();
        out
    }
}

/// The object a tree row stands for, if any: an object, an edge's target, a retainer, a new
/// object of the Comparison.
pub(crate) fn row_node(tree: &Tree, row: Row, g: &Graph) -> Option<NodeId> {
    let Row::Item { level, index, .. } = row else {
        return None;
    };
    match &tree.level(level).items {
        Items::Nodes(list) => list.get(index as usize).copied(),
        Items::Edges { edges, .. } => edges.get(index as usize).map(|&e| g.to(e)),
        Items::Retainers { list, .. } => list.get(index as usize).map(|r| r.from),
        Items::Diff { added, .. } => added.get(index as usize).copied(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_items_map_to_rows() {
        let mut t = Tree::new(Items::Nodes(Arc::new((0..1_000_000).map(NodeId::new).collect())));
        t.show_more(0, true);
        let inner = t.expand(
            0,
            500_000,
            Items::Edges {
                from: NodeId::new(0),
                edges: [7, 8, 9].map(EdgeId::new).to_vec(),
            },
            PAGE,
        );
        let rows = t.rows(None);
        assert_eq!(rows.len(), 1_000_003);
        assert_eq!(
            rows.get(500_000),
            Row::Item {
                level: 0,
                index: 500_000,
                depth: 0
            }
        );
        assert_eq!(
            rows.get(500_001),
            Row::Item {
                level: inner,
                index: 0,
                depth: 1
            }
        );
        assert_eq!(
            rows.get(500_004),
            Row::Item {
                level: 0,
                index: 500_001,
                depth: 0
            }
        );
        assert_eq!(rows.index_of(0, 999_999), Some(1_000_002));
        assert_eq!(rows.index_of(inner, 2), Some(500_003));
        assert_eq!(rows.index_of(inner, 3), None);
    }

    #[test]
    fn expands_pages_and_collapses() {
        let mut t = Tree::new(Items::Classes(3));
        assert_eq!(t.rows(None).len(), 3);
        let nodes: Vec<NodeId> = (0..250).map(NodeId::new).collect();
        let l = t.expand(0, 1, Items::Nodes(Arc::new(nodes)), PAGE);
        // 3 classes + 100 instances + "show more".
        assert_eq!(t.rows(None).len(), 104);
        assert!(
            matches!(t.rows(None).get(102), Row::More { .. }),
            "after the expanded class, before the next"
        );
        t.show_more(l, false);
        assert_eq!(t.rows(None).len(), 204);
        t.show_more(l, true);
        assert_eq!(t.rows(None).len(), 253);
        let inner = t.expand(
            l,
            5,
            Items::Edges {
                from: NodeId::new(5),
                edges: [1, 2].map(EdgeId::new).to_vec(),
            },
            PAGE,
        );
        assert_eq!(t.rows(None).len(), 255);
        assert_eq!(t.ancestry(inner, 0), vec![(0, 1), (l, 5), (inner, 0)]);
        t.collapse(0, 1);
        assert_eq!(t.rows(None).len(), 3);
        // Sorted/filtered top level.
        assert_eq!(t.rows(Some(&[2, 0])).len(), 3, "order changes only apply on rebuild");
        t.mark_dirty();
        assert_eq!(
            t.rows(Some(&[2, 0])).to_vec(),
            vec![
                Row::Item {
                    level: 0,
                    index: 2,
                    depth: 0
                },
                Row::Item {
                    level: 0,
                    index: 0,
                    depth: 0
                }
            ]
        );
    }
}
