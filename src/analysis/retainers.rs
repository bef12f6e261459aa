//! Reverse edges in CSR form, laid out as DevTools' `buildRetainers` lays them out: each node's
//! retainers in descending (source ordinal, edge ordinal) order.
//!
//! To save 4 bytes per edge only the retaining node is stored; the edge itself is recovered on
//! demand from the source's outgoing edges (see [`Retainers::edge`]). Whether each retaining
//! edge is essential for dominators rides in the slot's top bit (ordinals are below 2^28).

use rayon::prelude::*;

use super::bits::BitVec;
use crate::format::numbers::SharedSlice;
use crate::model::{Column, EdgeId, Graph, NodeId, edge_target};
use crate::progress::{Cancelled, Phase, Progress};

pub struct Retainers {
    /// `node_count + 1` offsets into `slots`.
    pub first: Column<u32>,
    /// The retaining node of each slot ([`Retainers::source`]), with [`Retainers::ESSENTIAL`]
    /// set when the retaining edge is essential.
    pub(crate) slots: Column<u32>,
}

impl Retainers {
    /// The retainers, in one run: they are built beside the dominators' numbering, which takes
    /// the other core, and each further run needs a count per node (on 2 cores a second run only
    /// shared the numbering's core, and its counts were the 437 MB heap's peak).
    pub fn build(g: &Graph, essential_edges: &BitVec, progress: &Progress) -> Result<Retainers, Cancelled> {
        Self::build_in_runs(g, essential_edges, 1, progress)
    }

    /// [`Retainers::build`] with the sources split into `runs` runs of about equal edge counts,
    /// filled in parallel. The last run's retainers come first in every node's slots, so filling
    /// each run's share from its end gives DevTools' order exactly, whatever `runs` is.
    pub fn build_in_runs(
        g: &Graph,
        essential_edges: &BitVec,
        runs: usize,
        progress: &Progress,
    ) -> Result<Retainers, Cancelled> {
        let n = g.node_count();
        let e_count = g.edge_count();
        let (first_edge, edge_to) = (&g.columns().first_edge, &g.columns().edge_to);
        progress.begin(Phase::Retainers, (e_count * 2) as u64);
        let runs = runs.max(1);
        let bounds: Vec<usize> = (0..=runs)
            .map(|r| {
                let target = (e_count * r / runs) as u32;
                first_edge[..n].partition_point(|&f| f < target)
            })
            .map(|b| b.min(n))
            .collect();
        let bounds: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
        let mut cursors: Vec<Vec<u32>> = bounds
            .par_iter()
            .map(|&(lo, hi)| {
                let mut c: Vec<u32> = crate::column::written_zeros(n);
                for &t in &edge_to[first_edge[lo] as usize..first_edge[hi] as usize] {
                    c[edge_target(t) as usize] += 1;
                }
                c
            })
            .collect();
        // Offsets, and each run's cursor at the end of its share of the node's slots: one
        // pass, block by block so the per-run columns stream through the cache together.
        let mut first = vec![0u32; n + 1];
        const BLOCK: usize = 4096;
        let mut acc = 0u32;
        let mut end = [0u32; BLOCK];
        for lo in (0..n).step_by(BLOCK) {
            let hi = (lo + BLOCK).min(n);
            let end = &mut end[..hi - lo];
            end.fill(0);
            for c in &cursors {
                for (e, &x) in end.iter_mut().zip(&c[lo..hi]) {
                    *e += x;
                }
            }
            for (f, e) in first[lo..hi].iter_mut().zip(end.iter_mut()) {
                *f = acc;
                acc += *e;
                *e = *f;
            }
            for c in cursors.iter_mut().rev() {
                for (e, x) in end.iter_mut().zip(&mut c[lo..hi]) {
                    *e += *x;
                    *x = *e;
                }
            }
        }
        first[n] = acc;
        progress.set(e_count as u64)?;
        let mut node = vec![0u32; e_count];
        let out = SharedSlice::new(&mut node);
        const ESSENTIAL: u32 = Retainers::ESSENTIAL;
        bounds
            .par_iter()
            .zip(cursors.par_iter_mut())
            .try_for_each(|(&(lo, hi), cursor)| {
                let mut ticked = first_edge[lo];
                for src in lo..hi {
                    if src & 0xFFFF == 0 {
                        let at = first_edge[src];
                        progress.advance((at - ticked) as u64)?;
                        ticked = at;
                    }
                    for e in g.edge_range(NodeId::at(src)) {
                        let t = edge_target(edge_to[e]) as usize;
                        cursor[t] -= 1;
                        let flag = if essential_edges.get(e) { ESSENTIAL } else { 0 };
                        // SAFETY: each slot is one (target, run) cursor position, taken once.
                        unsafe { out.write(cursor[t] as usize, src as u32 | flag) };
                    }
                }
                Ok(())
            })?;
        drop(cursors);
        Ok(Retainers {
            first: first.into(),
            slots: node.into(),
        })
    }

    /// The bit of a slot that says its retaining edge is essential.
    pub(crate) const ESSENTIAL: u32 = 1 << 31;

    /// The retaining node of slot `slot`.
    #[inline]
    pub fn source(&self, slot: usize) -> NodeId {
        NodeId::new(self.slots[slot] & !Self::ESSENTIAL)
    }

    /// Whether the retaining edge of slot `slot` is essential for dominators.
    #[inline]
    pub fn is_essential(&self, slot: usize) -> bool {
        self.slots[slot] & Self::ESSENTIAL != 0
    }

    #[inline]
    pub fn of(&self, n: NodeId) -> std::ops::Range<usize> {
        self.first[n] as usize..self.first[n.index() + 1] as usize
    }

    pub fn count(&self, n: NodeId) -> usize {
        self.of(n).len()
    }

    /// The edge behind retainer slot `slot` of node `target`.
    pub fn edge(&self, g: &Graph, target: NodeId, slot: usize) -> EdgeId {
        let src = self.source(slot);
        let range = self.of(target);
        // Slots of one source are contiguous and hold its edges to `target` in descending order.
        let mut run_start = slot;
        while run_start > range.start && self.source(run_start - 1) == src {
            run_start -= 1;
        }
        let mut skip = slot - run_start;
        for e in g.edges(src).rev() {
            if g.to(e) == target {
                if skip == 0 {
                    return e;
                }
                skip -= 1;
            }
        }
        unreachable!("retainer slot without a matching edge")
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.first.heap_bytes() + self.slots.heap_bytes()
    }
}
