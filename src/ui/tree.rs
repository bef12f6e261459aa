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
use crate::model::NodeId;

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
        edges: Vec<usize>,
    },
    Retainers {
        of: NodeId,
        list: Arc<Vec<Retainer>>,
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

impl Row {
    pub fn depth(&self) -> u16 {
        match *self {
            Row::Item { depth, .. } | Row::More { depth, .. } | Row::Pending { depth, .. } => depth,
        }
    }
}

pub struct Tree {
    pub levels: Vec<Option<Level>>,
    pub rows: Vec<Row>,
    dirty: bool,
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
            rows: Vec::new(),
            dirty: true,
        }
    }

    pub fn level(&self, l: u32) -> &Level {
        self.levels[l as usize].as_ref().expect("live level")
    }

    pub fn level_mut(&mut self, l: u32) -> &mut Level {
        self.levels[l as usize].as_mut().expect("live level")
    }

    pub fn top_mut(&mut self) -> &mut Level {
        self.dirty = true;
        self.level_mut(0)
    }

    pub fn mark_dirty(&mut self) {
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

    pub fn collapse(&mut self, level: u32, index: u32) {
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

    /// Collapses everything below the top level.
    pub fn collapse_all(&mut self) {
        let top: Vec<u32> = self.level(0).expanded.keys().copied().collect();
        for i in top {
            self.collapse(0, i);
        }
    }

    pub fn show_more(&mut self, level: u32, all: bool) {
        let l = self.level_mut(level);
        l.shown = if all { usize::MAX } else { l.shown.saturating_add(PAGE) };
        self.dirty = true;
    }

    /// Replaces finished loading levels by their results. Returns true if any changed.
    pub fn poll(&mut self) -> bool {
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
    pub fn rows(&mut self, order: Option<&[u32]>) -> &[Row] {
        if self.dirty {
            let mut rows = Vec::new();
            self.flatten(0, order, &mut rows);
            self.rows = rows;
            self.dirty = false;
        }
        &self.rows
    }

    /// Moves the flat rows out for drawing (no copy); give them back with [`Tree::put_rows`].
    pub fn take_rows(&mut self, order: Option<&[u32]>) -> Vec<Row> {
        self.rows(order);
        std::mem::take(&mut self.rows)
    }

    pub fn put_rows(&mut self, rows: Vec<Row>) {
        if !self.dirty {
            self.rows = rows;
        }
    }

    fn flatten(&self, l: u32, order: Option<&[u32]>, out: &mut Vec<Row>) {
        let level = self.level(l);
        let depth = level.depth;
        if matches!(
            level.items,
            Items::Loading(_) | Items::LoadingRetainers(..) | Items::Failed(_)
        ) {
            out.push(Row::Pending { level: l, depth });
            return;
        }
        let len = level.items.len();
        let shown = level.shown.min(len);
        let emit = |index: u32, out: &mut Vec<Row>| {
            out.push(Row::Item { level: l, index, depth });
            if let Some(&c) = level.expanded.get(&index) {
                self.flatten(c, None, out);
            }
        };
        match order {
            Some(order) if l == 0 => {
                for &i in order.iter().take(shown) {
                    emit(i, out);
                }
            }
            _ => {
                for i in 0..shown {
                    emit(i as u32, out);
                }
            }
        }
        if shown < len {
            out.push(Row::More { level: l, depth });
        }
    }

    /// The chain of (level, index) from the top down to this row's item, inclusive.
    pub fn ancestry(&self, level: u32, index: u32) -> Vec<(u32, u32)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_pages_and_collapses() {
        let mut t = Tree::new(Items::Classes(3));
        assert_eq!(t.rows(None).len(), 3);
        let nodes: Vec<NodeId> = (0..250).collect();
        let l = t.expand(0, 1, Items::Nodes(Arc::new(nodes)), PAGE);
        // 3 classes + 100 instances + "show more".
        assert_eq!(t.rows(None).len(), 104);
        assert!(
            matches!(t.rows(None)[102], Row::More { .. }),
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
                from: 5,
                edges: vec![1, 2],
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
            t.rows(Some(&[2, 0])),
            &[
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
