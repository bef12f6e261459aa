//! Reverse edges in CSR form, laid out as DevTools' `buildRetainers` lays them out: each node's
//! retainers in descending (source ordinal, edge ordinal) order.
//!
//! To save 4 bytes per edge only the retaining node is stored; the edge itself is recovered on
//! demand from the source's outgoing edges (see [`Retainers::edge`]). Whether each retaining
//! edge is essential for dominators is kept as one bit per slot.

use super::bits::BitVec;
use crate::model::{Column, Graph, NodeId};
use crate::progress::{Cancelled, Phase, Progress};

pub struct Retainers {
    /// `node_count + 1` offsets into `node`.
    pub first: Column<u32>,
    /// The retaining node of each slot.
    pub node: Column<u32>,
    /// Whether the retaining edge of each slot is essential.
    pub essential: BitVec,
}

impl Retainers {
    pub fn build(g: &Graph, essential_edges: &BitVec, progress: &Progress) -> Result<Retainers, Cancelled> {
        let n = g.node_count();
        let e_count = g.edge_count();
        progress.begin(Phase::Retainers, (e_count * 2) as u64);
        let mut first = vec![0u32; n + 1];
        for &t in &g.edge_to {
            first[t as usize] += 1;
        }
        // As in DevTools, each node's first slot temporarily holds its count of unfilled slots.
        let mut node = vec![0u32; e_count];
        let mut acc = 0u32;
        for slot in first.iter_mut().take(n) {
            let c = *slot;
            *slot = acc;
            if c > 0 {
                node[acc as usize] = c;
            }
            acc += c;
        }
        first[n] = acc;
        progress.set(e_count as u64)?;
        let mut essential = BitVec::new(e_count);
        for src in 0..n {
            if src & 0xFFFF == 0 {
                progress.set((e_count + g.first_edge[src] as usize) as u64)?;
            }
            for e in g.edges(src as NodeId) {
                let t = g.edge_to[e] as usize;
                let head = first[t] as usize;
                node[head] -= 1;
                let slot = head + node[head] as usize;
                node[slot] = src as u32;
                if essential_edges.get(e) {
                    essential.set(slot);
                }
            }
        }
        Ok(Retainers {
            first: first.into(),
            node: node.into(),
            essential,
        })
    }

    #[inline]
    pub fn of(&self, n: NodeId) -> std::ops::Range<usize> {
        self.first[n as usize] as usize..self.first[n as usize + 1] as usize
    }

    pub fn count(&self, n: NodeId) -> usize {
        self.of(n).len()
    }

    /// The edge ordinal behind retainer slot `slot` of node `target`.
    pub fn edge(&self, g: &Graph, target: NodeId, slot: usize) -> usize {
        let src = self.node[slot];
        let range = self.of(target);
        // Slots of one source are contiguous and hold its edges to `target` in descending order.
        let mut run_start = slot;
        while run_start > range.start && self.node[run_start - 1] == src {
            run_start -= 1;
        }
        let mut skip = slot - run_start;
        for e in g.edges(src).rev() {
            if g.edge_to[e] == target {
                if skip == 0 {
                    return e;
                }
                skip -= 1;
            }
        }
        unreachable!("retainer slot without a matching edge")
    }

    pub fn heap_bytes(&self) -> usize {
        self.first.heap_bytes() + self.node.heap_bytes() + self.essential.heap_bytes()
    }
}
