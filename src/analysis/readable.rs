//! Retaining paths a person reads as the cause. The shortest path DevTools shows often runs
//! through V8's plumbing: `report.__proto__.constructor → {context} → ->sessionCache` reads as
//! "the report holds the sessions". Like memlab's `annotateShortestPaths`, this search postpones
//! such hops: a path takes a `__proto__`, `constructor` or `prototype` property, a V8-internal
//! edge (`map`, `shared`, `code`, …), a weak edge, or a root owned by DevTools or an extension
//! only when no path without it exists; among equally good paths it takes the shortest.
//!
//! It is Dial's algorithm over small integer costs (0 for a plain hop), FIFO within a cost, so
//! among paths of the least cost the one found first in breadth-first order wins. O(N + E).

use super::Snapshot;
use super::query::Hop;
use crate::model::{EdgeId, EdgeKind, Graph, NodeId};
use crate::progress::{Cancelled, Progress, tick};

/// Cost of a hop a person should not have to read when another way exists.
const POSTPONED: u32 = 1;
/// Cost of a hop that explains nothing (weak references, DevTools' and extensions' own roots).
const LAST_RESORT: u32 = 64;

const UNSEEN: u32 = u32::MAX;

/// For every reachable node, the hop it is reached by on its readable path.
pub struct ReadablePaths {
    /// (retaining node, edge) per node; `UNSEEN` for the root and unreachable nodes.
    parent: Vec<(u32, u32)>,
}

/// V8-internal edges that only say how an object is implemented.
const PLUMBING: [&str; 19] = [
    "map",
    "shared",
    "code",
    "feedback_cell",
    "feedback_vector",
    "native_context",
    "global_proxy",
    "prototype_or_initial_map",
    "transition",
    "transitions",
    "descriptors",
    "back_pointer",
    "script",
    "script_or_debug_info",
    "function_data",
    "raw_transitions",
    "dependent_code",
    "prototype_info",
    "constructor_or_back_pointer",
];

/// How much a hop costs: 0 for a hop that explains, more for the ones to avoid. Names are
/// looked at once per distinct string (`names`: 0 unseen, 1 plain, 2 postponed).
fn edge_cost(g: &Graph, names: &mut [u8], from: NodeId, e: EdgeId) -> u32 {
    let kind = g.edge_kind(e);
    match kind {
        EdgeKind::Weak => return LAST_RESORT,
        EdgeKind::Hidden => return POSTPONED,
        EdgeKind::Property | EdgeKind::Internal => {
            let i = g.edge_name_index(e) as usize;
            if let Some(slot) = names.get_mut(i) {
                if *slot == 0 {
                    let name = g.strings().get(g.edge_name_index(e));
                    let postponed = if kind == EdgeKind::Property {
                        matches!(name, "__proto__" | "constructor" | "prototype")
                    } else {
                        PLUMBING.contains(&name)
                    };
                    *slot = if postponed { 2 } else { 1 };
                }
                if *slot == 2 {
                    return POSTPONED;
                }
            }
        }
        EdgeKind::Element | EdgeKind::Context | EdgeKind::Shortcut | EdgeKind::Other => {}
    }
    if from == g.root() && is_tooling_root(g, g.to(e)) {
        return LAST_RESORT;
    }
    0
}

/// Roots that DevTools or browser extensions own: objects kept by the console or an extension
/// are not what the page leaked.
fn is_tooling_root(g: &Graph, v: NodeId) -> bool {
    let name = g.strings().get(g.name_index(v));
    name.contains("DevTools console") || name.contains("extensions::") || name.starts_with("chrome-extension://")
}

impl ReadablePaths {
    pub fn compute(s: &Snapshot, progress: &Progress) -> Result<ReadablePaths, Cancelled> {
        let g = &s.graph;
        let n = g.node_count();
        let mut parent = vec![(UNSEEN, UNSEEN); n];
        let mut cost = vec![UNSEEN; n];
        let mut done = super::bits::BitVec::new(n);
        // Property and internal edge names: the same string is one name, whatever kind uses it,
        // so property and internal names are cached apart.
        let mut property_names = vec![0u8; g.strings().len()];
        let mut internal_names = vec![0u8; g.strings().len()];
        // Buckets by cost, each a FIFO read by index (it may grow while it is read).
        let mut buckets: Vec<Vec<NodeId>> = vec![vec![g.root()]];
        cost[g.root().index()] = 0;
        let mut finished = 0usize;
        let mut c = 0usize;
        while c < buckets.len() {
            let mut i = 0;
            while i < buckets[c].len() {
                let v = buckets[c][i];
                i += 1;
                if done.get(v.index()) || cost[v] != c as u32 {
                    continue;
                }
                done.set(v.index());
                finished += 1;
                tick(progress, finished, 16)?;
                for e in g.edges(v) {
                    let w = g.to(e);
                    if done.get(w.index()) {
                        continue;
                    }
                    let names = if g.edge_kind(e) == EdgeKind::Internal {
                        &mut internal_names
                    } else {
                        &mut property_names
                    };
                    let cw = (c as u32).saturating_add(edge_cost(g, names, v, e));
                    if cw < cost[w] {
                        cost[w] = cw;
                        parent[w] = (v.get(), e.get());
                        let b = cw as usize;
                        if buckets.len() <= b {
                            buckets.resize_with(b + 1, Vec::new);
                        }
                        buckets[b].push(w);
                    }
                }
            }
            // A finished bucket is never read again.
            buckets[c] = Vec::new();
            c += 1;
        }
        Ok(ReadablePaths { parent })
    }

    /// The readable path from the root to `v`, root first; None when nothing reaches it.
    pub fn path(&self, s: &Snapshot, v: NodeId) -> Option<Vec<Hop>> {
        let root = s.graph.root();
        if v != root && self.parent[v].0 == UNSEEN {
            return None;
        }
        let mut rev = Vec::new();
        let mut cur = v;
        while cur != root {
            let (p, e) = self.parent[cur];
            rev.push(Hop {
                edge: Some(EdgeId::new(e)),
                node: cur,
            });
            cur = NodeId::new(p);
            if rev.len() > s.graph.node_count() {
                return None;
            }
        }
        rev.push(Hop { edge: None, node: root });
        rev.reverse();
        Some(rev)
    }
}
