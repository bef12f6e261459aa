//! DevTools' `calculateShallowSizes`: arrays, hidden nodes and external string data owned by a
//! single object have their self size moved onto that owner (spec §4).

use super::flags::has_user_roots;
use crate::model::{EdgeKind, Graph, NodeId, NodeKind};
use crate::progress::{Cancelled, Progress, tick};

const UNVISITED: u32 = u32::MAX;
const MULTIPLE_OWNERS: u32 = u32::MAX - 1;

/// Each node's owner (an ordinal, or one of the two markers): the walk of the transfer, which
/// only reads the graph, so it can run beside other phases; `None` when nothing moves.
pub fn owners(g: &Graph, progress: &Progress) -> Result<Option<Vec<u32>>, Cancelled> {
    let n = g.node_count();
    // Snapshots taken with "expose internals" have no user roots and keep raw sizes.
    if !has_user_roots(g) {
        return Ok(None);
    }
    let mut owners = vec![0u32; n];
    let mut worklist: Vec<NodeId> = Vec::new();
    for (i, owner) in owners.iter_mut().enumerate() {
        let v = NodeId::at(i);
        let kind = g.kind(v);
        if kind == NodeKind::Hidden
            || kind == NodeKind::Array
            || (kind == NodeKind::Native && g.name(v) == "system / ExternalStringData")
        {
            *owner = UNVISITED;
        } else {
            *owner = v.get();
            worklist.push(v);
        }
    }
    let mut visits = 0usize;
    while let Some(id) = worklist.pop() {
        visits += 1;
        tick(progress, visits, 16)?;
        let owner = owners[id];
        for e in g.edges(id) {
            if g.edge_kind(e) == EdgeKind::Weak {
                continue;
            }
            let t = g.to(e);
            let current = owners[t];
            if current == UNVISITED {
                owners[t] = owner;
                worklist.push(t);
            } else if current == t.get() || current == owner || current == MULTIPLE_OWNERS {
                // Owned by itself, already by this owner, or already shared: nothing changes.
            } else {
                owners[t] = MULTIPLE_OWNERS;
                worklist.push(t);
            }
        }
    }
    Ok(Some(owners))
}

/// Moves each owned node's size onto its owner, with u32 wrapping additions as DevTools'
/// `Uint32Array` does.
pub(crate) fn apply(g: &mut Graph, owners: &[u32]) {
    for (i, &owner) in owners.iter().enumerate() {
        if owner == UNVISITED || owner == MULTIPLE_OWNERS || owner == i as u32 {
            continue;
        }
        let (v, owner) = (NodeId::at(i), NodeId::new(owner));
        if g.kind(owner) == NodeKind::Synthetic || owner == g.root() {
            continue;
        }
        let size = g.self_size(v);
        g.set_self_size(v, 0);
        g.set_self_size(owner, g.self_size(owner).wrapping_add(size));
    }
}
