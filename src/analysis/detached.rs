//! Detached DOM trees: DOM nodes removed from the document that something still holds. Blink
//! links a node to its parent, children and siblings with unnamed edges both ways, so a
//! detached tree is a connected group of detached nodes. Each tree is shown by its root (the
//! member that retains the most: the top of what was removed), with its size, what it retains
//! and what outside it keeps it alive.

use std::collections::HashMap;

use super::Snapshot;
use super::bits::BitVec;
use super::query::{self, Retainer};
use crate::model::{EdgeKind, NodeId, NodeKind};

/// DevTools' `DOMLinkState.DETACHED`.
const DETACHED: u8 = 2;

/// One detached tree.
#[derive(Debug, Clone)]
pub struct DetachedTree {
    /// The member that retains the most.
    pub root: NodeId,
    /// Detached nodes in the tree.
    pub nodes: usize,
    /// What freeing the tree frees: the retained sizes of the members no other member dominates.
    pub retained: f64,
    /// The first reference from outside the tree that keeps it alive, as the Retainers view
    /// lists it, and how many such references there are.
    pub holder: Option<Retainer>,
    pub holders: usize,
}

/// The detached trees and how many detached nodes they hold in all.
pub struct DetachedDom {
    pub trees: Vec<DetachedTree>,
    pub nodes: usize,
    /// Whether the snapshot has a DOM at all (a page's). Node marks some of its native bindings
    /// (`Detached Node / BindingData`) detached too; they are not DOM nodes.
    pub has_dom: bool,
}

impl DetachedDom {
    pub fn of(s: &Snapshot) -> DetachedDom {
        let has_dom = has_dom(s);
        let trees = if has_dom { detached_trees(s) } else { Vec::new() };
        DetachedDom {
            nodes: trees.iter().map(|t| t.nodes).sum(),
            trees,
            has_dom,
        }
    }
}

/// Whether a snapshot is of a page: Blink names DOM nodes by their tag (`<div>`, `Detached
/// <tr>`) and the document `HTMLDocument`; a Node.js process has none of them.
pub fn has_dom(s: &Snapshot) -> bool {
    let g = &s.graph;
    g.nodes().any(|v| {
        g.kind(v) == NodeKind::Native && {
            let name = g.name(v);
            name.starts_with('<') || name.starts_with("Detached <") || name == "HTMLDocument"
        }
    })
}

pub(crate) fn is_detached(s: &Snapshot, v: NodeId) -> bool {
    s.graph.kind(v) == NodeKind::Native && s.graph.detachedness(v) == DETACHED
}

fn find(parent: &mut [u32], mut v: u32) -> u32 {
    while parent[v as usize] != v {
        parent[v as usize] = parent[parent[v as usize] as usize];
        v = parent[v as usize];
    }
    v
}

/// Detached trees, largest retained size first.
pub fn detached_trees(s: &Snapshot) -> Vec<DetachedTree> {
    let g = &s.graph;
    let n = g.node_count();
    let members: Vec<NodeId> = g.nodes().filter(|&v| is_detached(s, v)).collect();
    if members.is_empty() {
        return Vec::new();
    }
    let mut is_member = BitVec::new(n);
    for &v in &members {
        is_member.set(v.index());
    }
    // Union-find over the links between detached nodes (indexed by position in `members`).
    let slot: HashMap<NodeId, u32> = members.iter().enumerate().map(|(i, &v)| (v, i as u32)).collect();
    let mut parent: Vec<u32> = (0..members.len() as u32).collect();
    for (i, &v) in members.iter().enumerate() {
        for e in g.edges(v) {
            if g.edge_kind(e) == EdgeKind::Weak {
                continue;
            }
            if let Some(&j) = slot.get(&g.to(e)) {
                let (a, b) = (find(&mut parent, i as u32), find(&mut parent, j));
                if a != b {
                    parent[a.max(b) as usize] = a.min(b);
                }
            }
        }
    }
    let mut trees: HashMap<u32, Vec<NodeId>> = HashMap::new();
    for (i, &v) in members.iter().enumerate() {
        let r = find(&mut parent, i as u32);
        trees.entry(r).or_default().push(v);
    }
    let mut out: Vec<DetachedTree> = trees
        .into_values()
        .map(|nodes| {
            let root = *nodes
                .iter()
                .max_by(|&&a, &&b| {
                    s.retained
                        .get(a)
                        .total_cmp(&s.retained.get(b))
                        .then(g.id(b).cmp(&g.id(a)))
                })
                .expect("a tree has members");
            let in_tree: std::collections::HashSet<NodeId> = nodes.iter().copied().collect();
            let retained = nodes
                .iter()
                .filter(|&&v| !dominated_by_member(s, v, &in_tree))
                .map(|&v| s.retained.get(v))
                .sum();
            // References from outside the tree, the root's first.
            let mut holders: Vec<Retainer> = Vec::new();
            for &v in std::iter::once(&root).chain(nodes.iter().filter(|&&v| v != root)) {
                holders.extend(
                    query::retainers(s, v, None)
                        .into_iter()
                        .filter(|r| !in_tree.contains(&r.from)),
                );
            }
            DetachedTree {
                root,
                nodes: nodes.len(),
                retained,
                holder: holders.first().copied(),
                holders: holders.len(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.retained
            .total_cmp(&a.retained)
            .then(b.nodes.cmp(&a.nodes))
            .then(g.id(a.root).cmp(&g.id(b.root)))
    });
    out
}

/// Whether another member of the tree is on `v`'s dominator chain.
fn dominated_by_member(s: &Snapshot, v: NodeId, tree: &std::collections::HashSet<NodeId>) -> bool {
    let root = s.graph.root();
    let mut cur = s.dominator[v];
    let mut steps = 0;
    while cur != root && steps < s.graph.node_count() {
        if tree.contains(&cur) {
            return true;
        }
        cur = s.dominator[cur];
        steps += 1;
    }
    false
}
