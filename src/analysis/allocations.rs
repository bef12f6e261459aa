//! Allocation stacks: DevTools' Allocation view and each object's allocation stack, for
//! snapshots taken with allocation tracking on. A port of DevTools' `AllocationProfile`: live
//! counts and sizes per trace node over every node of the snapshot, function totals over the
//! trace nodes that allocated, and bottom-up caller trees built from those nodes.

use rustc_hash::FxHashMap;

use crate::format::traces::{AllocationTraces, TraceFunction, TraceNode};
use crate::model::{Graph, NodeId};

/// What a trace node or a function allocated, and how much of it is still alive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub count: u64,
    pub size: u64,
    pub live_count: u64,
    pub live_size: u64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.count += o.count;
        self.size += o.size;
        self.live_count += o.live_count;
        self.live_size += o.live_size;
    }
}

/// The allocation profile of one snapshot.
#[derive(Debug, Clone)]
pub struct AllocationProfile {
    /// Per trace node, in the order of [`AllocationTraces::nodes`].
    node_counts: Vec<Counts>,
    /// Per function: its totals over the trace nodes that allocated, and those nodes.
    functions: Vec<(Counts, Vec<u32>)>,
    /// Trace node id → position; the last node with an id wins, as in DevTools.
    by_id: FxHashMap<u32, u32>,
}

/// One row of the Allocation view: a function that allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Top {
    /// Index into the snapshot's trace functions.
    pub function: u32,
    pub counts: Counts,
    /// DevTools shows every function but the tree's root as expandable into its callers.
    pub has_callers: bool,
}

/// A bottom-up node: a function and, below it, the functions that called it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callers {
    pub function: u32,
    pub counts: Counts,
    pub callers: Vec<Callers>,
    /// The trace nodes (positions) whose allocations this node sums.
    pub trace_nodes: Vec<u32>,
}

/// One frame of an allocation stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'t> {
    pub function: &'t TraceFunction,
}

impl AllocationProfile {
    /// Builds the profile, or `None` for an untracked snapshot.
    pub fn build(g: &Graph) -> Option<AllocationProfile> {
        let t = g.traces()?;
        let mut by_id = FxHashMap::default();
        for (k, n) in t.nodes.iter().enumerate() {
            by_id.insert(n.id, k as u32);
        }
        // Live objects per trace node id: every node of the snapshot, with its self size.
        let mut live: FxHashMap<u32, (u64, u64)> = FxHashMap::default();
        let sizes = &g.columns().self_size;
        let mut last = (u32::MAX, 0u64, 0u64);
        for (i, &id) in g.columns().trace_node.iter().enumerate() {
            // Objects come in runs of one id; summing a run before the map lookup is cheaper.
            if id != last.0 {
                if last.0 != u32::MAX {
                    let e = live.entry(last.0).or_default();
                    e.0 += last.1;
                    e.1 += last.2;
                }
                last = (id, 0, 0);
            }
            last.1 += 1;
            last.2 += sizes[i] as u64;
        }
        if last.0 != u32::MAX {
            let e = live.entry(last.0).or_default();
            e.0 += last.1;
            e.1 += last.2;
        }
        let node_counts: Vec<Counts> = t
            .nodes
            .iter()
            .map(|n| {
                let (live_count, live_size) = live.get(&n.id).copied().unwrap_or_default();
                Counts {
                    count: n.count,
                    size: n.size,
                    live_count,
                    live_size,
                }
            })
            .collect();
        let mut functions = vec![(Counts::default(), Vec::new()); t.functions.len()];
        for (k, n) in t.nodes.iter().enumerate() {
            // DevTools counts a trace node toward its function only when it allocated.
            if n.count == 0 {
                continue;
            }
            let f = &mut functions[n.function as usize];
            f.0.add(&node_counts[k]);
            f.1.push(k as u32);
        }
        Some(AllocationProfile {
            node_counts,
            functions,
            by_id,
        })
    }

    /// The Allocation view's rows: every function that allocated, largest allocated size first
    /// (a stable sort, as DevTools').
    pub fn tops(&self) -> Vec<Top> {
        let mut rows: Vec<Top> = (self.functions.iter().enumerate())
            .filter(|(_, f)| f.0.count != 0)
            .map(|(i, f)| Top {
                function: i as u32,
                counts: f.0,
                has_callers: i != 0,
            })
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.counts.size));
        rows
    }

    /// The bottom-up tree of `function`: who called it, merged by caller function at each level.
    pub fn callers(&self, t: &AllocationTraces, function: u32) -> Option<Callers> {
        let (counts, tops) = self.functions.get(function as usize)?;
        if tops.is_empty() {
            return None;
        }
        let mut root = Callers {
            function,
            counts: Counts::default(),
            callers: Vec::new(),
            trace_nodes: Vec::new(),
        };
        for &top in tops {
            let c = self.node_counts[top as usize];
            let mut at = &mut root;
            let mut node = top;
            loop {
                at.counts.add(&c);
                at.trace_nodes.push(top);
                let parent = t.nodes[node as usize].parent;
                if parent == TraceNode::NO_PARENT {
                    break;
                }
                node = parent;
                let f = t.nodes[node as usize].function;
                let i = match at.callers.iter().position(|x| x.function == f) {
                    Some(i) => i,
                    None => {
                        at.callers.push(Callers {
                            function: f,
                            counts: Counts::default(),
                            callers: Vec::new(),
                            trace_nodes: Vec::new(),
                        });
                        at.callers.len() - 1
                    }
                };
                at = &mut at.callers[i];
            }
        }
        debug_assert_eq!(root.counts, *counts);
        Some(root)
    }

    /// The trace node (position) with this id.
    pub fn node_of_id(&self, id: u32) -> Option<u32> {
        self.by_id.get(&id).copied()
    }

    /// The allocation stack of trace node `id`, innermost first, ending at the tree's root;
    /// empty when the id is 0 (nothing recorded) or unknown.
    pub fn stack<'t>(&self, t: &'t AllocationTraces, id: u32) -> Vec<Frame<'t>> {
        let mut out = Vec::new();
        if id == 0 {
            return out;
        }
        let mut at = self.node_of_id(id);
        while let Some(k) = at {
            let n = &t.nodes[k as usize];
            out.push(Frame {
                function: &t.functions[n.function as usize],
            });
            at = (n.parent != TraceNode::NO_PARENT).then_some(n.parent);
        }
        out
    }

    /// The stack that allocated object `v`.
    pub fn stack_of<'t>(&self, g: &'t Graph, v: NodeId) -> Vec<Frame<'t>> {
        match g.traces() {
            Some(t) => self.stack(t, g.trace_node_id(v)),
            None => Vec::new(),
        }
    }

    /// How many of `objects` each trace node allocated, most first: (trace node id, objects).
    /// Objects allocated before tracking started are left out.
    pub fn stacks_of(g: &Graph, objects: impl IntoIterator<Item = NodeId>) -> Vec<(u32, u64)> {
        Self::count_traces(objects.into_iter().map(|v| g.trace_node_id(v)))
    }

    /// Trace node ids counted, most first; 0 (nothing recorded) left out.
    pub fn count_traces(trace_nodes: impl IntoIterator<Item = u32>) -> Vec<(u32, u64)> {
        let mut counts: FxHashMap<u32, u64> = FxHashMap::default();
        for id in trace_nodes {
            if id != 0 {
                *counts.entry(id).or_default() += 1;
            }
        }
        let mut out: Vec<(u32, u64)> = counts.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    pub fn node_counts(&self, position: u32) -> Counts {
        self.node_counts[position as usize]
    }
}

/// The objects whose allocation trace node is one of `function`'s: DevTools' filter for a row
/// of its Allocation view.
pub fn allocated_by(s: &crate::analysis::Snapshot, function: u32) -> crate::analysis::bits::BitVec {
    let g = &s.graph;
    let mut bits = crate::analysis::bits::BitVec::new(g.node_count());
    if let (Some(t), Some(p)) = (g.traces(), &s.allocations) {
        let ids: rustc_hash::FxHashSet<u32> = (p.functions.get(function as usize).into_iter())
            .flat_map(|f| f.1.iter())
            .map(|&k| t.nodes[k as usize].id)
            .collect();
        for (i, id) in g.columns().trace_node.iter().enumerate() {
            if ids.contains(id) {
                bits.set(i);
            }
        }
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Snapshot;
    use crate::format::build::SnapshotJson;

    /// root → handler → make → Thing: make allocated 5 Things for handler (3 live) and 2
    /// for `other` (both live); handler allocated one Handler itself.
    fn traced() -> Snapshot {
        let mut b = SnapshotJson::new();
        let root = b.node("synthetic", "", 1, 0);
        let mut objects = Vec::new();
        for k in 0..6 {
            let name = if k == 3 { "Handler" } else { "Thing" };
            let v = b.node("object", name, 3 + 2 * k, if k == 3 { 40 } else { 16 });
            b.edge(root, "element", &k.to_string(), v);
            objects.push(v);
        }
        b.traces(
            &["(root)", "handler", "make", "other"],
            &[
                (1, 0, 0, 0, None),
                (2, 1, 1, 40, Some(0)),
                (3, 2, 5, 80, Some(1)),
                (4, 3, 0, 0, Some(0)),
                (5, 2, 2, 32, Some(3)),
            ],
        );
        for (v, id) in objects.into_iter().zip([3, 3, 3, 2, 5, 5]) {
            b.trace_node(v, id);
        }
        let g = crate::analysis::graph_of(b.to_json().into_bytes());
        crate::analysis::analyze(g, &crate::progress::Progress::new()).unwrap()
    }

    #[test]
    fn tops_sum_each_function_over_its_trace_nodes() {
        let s = traced();
        let g = &s.graph;
        let p = s.allocations.as_ref().unwrap();
        let tops = p.tops();
        let rows: Vec<(u32, Counts)> = tops.iter().map(|t| (t.function, t.counts)).collect();
        assert_eq!(
            rows,
            [
                (
                    2,
                    Counts {
                        count: 7,
                        size: 112,
                        live_count: 5,
                        live_size: 80
                    }
                ),
                (
                    1,
                    Counts {
                        count: 1,
                        size: 40,
                        live_count: 1,
                        live_size: 40
                    }
                ),
            ]
        );
        let t = g.traces().unwrap();
        let c = p.callers(t, 2).unwrap();
        let callers: Vec<(u32, u64)> = c.callers.iter().map(|x| (x.function, x.counts.live_count)).collect();
        assert_eq!(callers, [(1, 3), (3, 2)]);
        assert_eq!(c.callers[0].callers[0].function, 0);
        let names: Vec<&str> = p
            .stack_of(g, NodeId::new(1))
            .iter()
            .map(|f| g.strings().get(f.function.name))
            .collect();
        assert_eq!(names, ["make", "handler", "(root)"]);
        assert_eq!(
            AllocationProfile::stacks_of(g, (1..7).map(NodeId::new)),
            [(3, 3), (5, 2), (2, 1)]
        );
    }
}
