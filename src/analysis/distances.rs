//! DevTools' `calculateDistances` with its JS edge filter (spec §3).

use std::collections::{HashSet, VecDeque};

use super::flags::{is_user_root, parse_weak_map_edge_name};
use crate::model::{EdgeId, EdgeKind, Graph, NodeId, NodeKind};
use crate::progress::{Cancelled, Phase, Progress};

/// A node's distance from the root as DevTools computes it: hops on the shortest path from a
/// user root (a user root itself is at 1); for nodes that only system roots reach, 100,000,000
/// plus their hops from the root; [`Distance::UNREACHABLE`] for nodes no path reaches. DevTools
/// shows the first kind and prints "−" for the others; so does `Display`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[repr(transparent)]
pub struct Distance(pub i32);

// SAFETY: a `repr(transparent)` `i32`: any bit pattern is a value, there is no padding.
unsafe impl bytemuck::Zeroable for Distance {}
unsafe impl bytemuck::Pod for Distance {}

impl Distance {
    /// What no breadth-first search reached (DevTools' `noDistance`).
    pub const UNREACHABLE: Distance = Distance(-5);
    /// Where distances of nodes reachable only through system roots start (`baseSystemDistance`).
    pub const BASE_SYSTEM: Distance = Distance(100_000_000);
    /// Where the Retainers view sorts unreachable retainers (`baseUnreachableDistance`).
    pub const BASE_UNREACHABLE: Distance = Distance(200_000_000);

    /// Some path from the root reaches the node.
    pub fn is_reachable(self) -> bool {
        self.0 >= 0
    }

    /// Only system roots reach it: a distance DevTools does not show.
    pub fn is_system(self) -> bool {
        self >= Distance::BASE_SYSTEM
    }

    /// The number DevTools shows, if it shows one.
    pub fn shown(self) -> Option<i32> {
        (self.is_reachable() && !self.is_system()).then_some(self.0)
    }

    /// One hop further.
    #[inline]
    pub(crate) fn next(self) -> Distance {
        Distance(self.0 + 1)
    }
}

impl std::fmt::Display for Distance {
    /// The number DevTools shows, or "−".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.shown() {
            Some(d) => write!(f, "{d}"),
            None => f.write_str("−"),
        }
    }
}

/// Computes distances from the root. `ignored` nodes (the retainers view's "ignore this
/// retainer") are never entered.
pub fn calculate(
    g: &Graph,
    ignored: Option<&dyn Fn(NodeId) -> bool>,
    progress: &Progress,
) -> Result<Vec<Distance>, Cancelled> {
    let n = g.node_count();
    progress.begin(Phase::Distances, n as u64);
    let mut dist = vec![Distance::UNREACHABLE; n];
    let mut queue = BlockQueue::default();
    let mut filter = Filter {
        pending_ephemerons: HashSet::new(),
    };
    for e in g.edges(g.root()) {
        let t = g.to(e);
        if is_user_root(g, t) {
            dist[t] = Distance(1);
            queue.push_back(t);
        }
    }
    let has_user_roots = !queue.is_empty();
    bfs(g, &mut queue, &mut dist, &mut filter, ignored, progress)?;
    dist[g.root()] = if has_user_roots {
        Distance::BASE_SYSTEM
    } else {
        Distance(0)
    };
    queue.clear();
    queue.push_back(g.root());
    bfs(g, &mut queue, &mut dist, &mut filter, ignored, progress)?;
    Ok(dist)
}

fn bfs<'g>(
    g: &'g Graph,
    queue: &mut BlockQueue,
    dist: &mut [Distance],
    filter: &mut Filter<'g>,
    ignored: Option<&dyn Fn(NodeId) -> bool>,
    progress: &Progress,
) -> Result<(), Cancelled> {
    let mut done = 0u64;
    while let Some(v) = queue.pop_front() {
        done += 1;
        if done & 0xFFFF == 0 {
            progress.set(done)?;
        }
        let d = dist[v].next();
        let source = Source::of(g, v);
        for e in g.edges(v) {
            let kind = g.edge_kind(e);
            if kind == EdgeKind::Weak {
                continue;
            }
            let t = g.to(e);
            if dist[t] != Distance::UNREACHABLE {
                continue;
            }
            if ignored.is_some_and(|f| f(t)) || !filter.allows(g, source, kind, e) {
                continue;
            }
            dist[t] = d;
            queue.push_back(t);
        }
    }
    Ok(())
}

/// The BFS frontier, first in first out, in blocks: it holds only the frontier (not every node
/// reached, as DevTools' array does) and grows without copying (a ring buffer doubles, holding
/// both copies for a moment: 96 MB on the 1.6 GB file's 16 M-node frontier).
#[derive(Default)]
struct BlockQueue {
    blocks: VecDeque<Vec<NodeId>>,
    /// The next to pop in the front block.
    head: usize,
    /// An emptied block, kept for the next one needed.
    spare: Option<Vec<NodeId>>,
}

impl BlockQueue {
    /// Entries per block: 256 KiB, big enough to be mapped on its own and so returned to the
    /// system when freed.
    const BLOCK: usize = 1 << 16;

    fn push_back(&mut self, v: NodeId) {
        if self.blocks.back().is_none_or(|b| b.len() == Self::BLOCK) {
            let block = self.spare.take().unwrap_or_else(|| Vec::with_capacity(Self::BLOCK));
            self.blocks.push_back(block);
        }
        if let Some(b) = self.blocks.back_mut() {
            b.push(v);
        }
    }

    fn pop_front(&mut self) -> Option<NodeId> {
        loop {
            let front = self.blocks.front()?;
            if let Some(&v) = front.get(self.head) {
                self.head += 1;
                return Some(v);
            }
            if front.len() < Self::BLOCK {
                // The last block, all taken: more may be pushed into it.
                return None;
            }
            let mut used = self.blocks.pop_front()?;
            used.clear();
            self.spare = Some(used);
            self.head = 0;
        }
    }

    fn is_empty(&self) -> bool {
        self.blocks
            .front()
            .is_none_or(|b| self.head == b.len() && self.blocks.len() == 1)
    }

    fn clear(&mut self) {
        self.blocks.clear();
        self.head = 0;
    }
}

/// What the filter needs to know of an edge's source, found once per node rather than per edge.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    NativeContext,
    MapDescriptors,
    Other,
}

impl Source {
    #[inline]
    fn of(g: &Graph, v: NodeId) -> Source {
        match g.kind(v) {
            NodeKind::Hidden if g.name(v) == "system / NativeContext" => Source::NativeContext,
            NodeKind::Array if g.name(v) == "(map descriptors)" => Source::MapDescriptors,
            _ => Source::Other,
        }
    }
}

struct Filter<'g> {
    pending_ephemerons: HashSet<&'g str>,
}

impl<'g> Filter<'g> {
    #[inline]
    fn allows(&mut self, g: &'g Graph, source: Source, kind: EdgeKind, e: EdgeId) -> bool {
        if source == Source::NativeContext && g.edge_str(e) == Some("sloppy_function_map") {
            return false;
        }
        if source == Source::MapDescriptors {
            // Descriptor arrays may be shared between maps; DevTools skips their descriptor links.
            let index = match g.edge_name(e) {
                crate::model::EdgeName::Index(i) => Some(i as f64),
                crate::model::EdgeName::Str(s) => js_parse_int(s),
            };
            return match index {
                None => true,
                Some(i) => i < 2.0 || i % 3.0 != 1.0,
            };
        }
        if kind == EdgeKind::Internal {
            let name = g.strings().get(g.edge_name_index(e));
            if name.as_bytes().first().is_some_and(u8::is_ascii_digit)
                && let Some(m) = parse_weak_map_edge_name(name)
            {
                // WeakMap values are reached from the key and the table; the first edge seen is
                // skipped so the value's distance comes from the later of the two.
                if !self.pending_ephemerons.remove(m.duplicated_part) {
                    self.pending_ephemerons.insert(m.duplicated_part);
                    return false;
                }
            }
        }
        true
    }
}

/// JavaScript's `parseInt(s, 10)`: leading whitespace, an optional sign, then digits.
pub(crate) fn js_parse_int(s: &str) -> Option<f64> {
    let t = s.trim_start();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits: &str = &t[..t.bytes().take_while(u8::is_ascii_digit).count()];
    if digits.is_empty() {
        return None;
    }
    let v: f64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First in, first out across blocks, as pushes and pops interleave; empty when all are taken.
    #[test]
    fn the_block_queue_is_first_in_first_out() {
        let mut q = BlockQueue::default();
        assert!(q.is_empty() && q.pop_front().is_none());
        let (mut pushed, mut popped) = (0u32, 0u32);
        // Grow past three blocks, shrink, grow again: the frontier of a BFS.
        for (push, pop) in [
            (3 * BlockQueue::BLOCK + 5, 2 * BlockQueue::BLOCK),
            (7, 3),
            (BlockQueue::BLOCK, usize::MAX),
        ] {
            for _ in 0..push {
                q.push_back(NodeId::new(pushed));
                pushed += 1;
            }
            assert!(!q.is_empty());
            for _ in 0..pop {
                let Some(v) = q.pop_front() else { break };
                assert_eq!(v, NodeId::new(popped));
                popped += 1;
            }
        }
        assert_eq!(popped, pushed);
        assert!(q.is_empty());
        q.push_back(NodeId::new(9));
        q.clear();
        assert!(q.is_empty() && q.pop_front().is_none());
    }
}
