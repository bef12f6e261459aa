//! Detached DOM trees, as DevTools' Detached elements panel shows them: each detached subtree by
//! its root node, with how many detached nodes it holds, what it retains, and what keeps the
//! root alive.

use super::Snapshot;
use super::query::{self, Retainer};
use crate::model::{NodeId, NodeKind};

/// DevTools' `DOMLinkState.DETACHED`.
const DETACHED: u8 = 2;

/// One detached subtree.
#[derive(Debug, Clone)]
pub struct DetachedTree {
    /// The detached node that no other detached node keeps alive.
    pub root: NodeId,
    /// Detached nodes it keeps alive (itself included).
    pub nodes: usize,
    /// What keeps the root alive, as the Retainers view lists it first.
    pub holder: Option<Retainer>,
}

pub fn is_detached(s: &Snapshot, v: NodeId) -> bool {
    s.graph.kind(v) == NodeKind::Native && s.graph.detachedness[v as usize] == DETACHED
}

/// Detached subtrees, largest retained size first. A detached node belongs to the subtree of
/// the outermost detached node on its dominator chain: freeing that root frees the rest.
pub fn detached_trees(s: &Snapshot) -> Vec<DetachedTree> {
    let g = &s.graph;
    let mut count: std::collections::HashMap<NodeId, usize> = std::collections::HashMap::new();
    for v in 0..g.node_count() as NodeId {
        if !is_detached(s, v) {
            continue;
        }
        let mut root = v;
        let mut cur = s.dominator[v as usize];
        let mut steps = 0;
        while cur != g.root && steps < g.node_count() {
            if is_detached(s, cur) {
                root = cur;
            }
            cur = s.dominator[cur as usize];
            steps += 1;
        }
        *count.entry(root).or_default() += 1;
    }
    let mut trees: Vec<DetachedTree> = count
        .into_iter()
        .map(|(root, nodes)| DetachedTree {
            root,
            nodes,
            holder: query::retainers(s, root, None)
                .into_iter()
                .find(|r| !is_detached(s, r.from))
                .or_else(|| query::retainers(s, root, None).into_iter().next()),
        })
        .collect();
    trees.sort_by(|a, b| {
        s.retained
            .get(b.root)
            .total_cmp(&s.retained.get(a.root))
            .then(b.nodes.cmp(&a.nodes))
            .then(g.id(a.root).cmp(&g.id(b.root)))
    });
    trees
}
