//! Dominators and retained sizes: a literal port of DevTools' Lengauer–Tarjan
//! (`calculateDominatorsAndRetainedSizes`, spec §4), including its handling of nodes that only
//! weak edges reach (orphans) and of unreachable cliques, and its iteration orders.
//!
//! The arithmetic and visiting order are DevTools'; the storage is leaner. DevTools keeps nine
//! arrays of `n + 1` words; here five. `parent` doubles as `ancestor` (a vertex's ancestor is its
//! parent from the moment it is linked, and its parent is never read again after that); the
//! bucket links double as `dom` (a vertex leaves its bucket exactly when its `dom` is set);
//! `label` is the walk's edge cursor while numbering, and until a vertex is linked (only linked
//! vertices' labels are ever read) it holds the last member of the vertex's bucket; the
//! compression stack grows on demand.

use std::collections::HashMap;

use super::aggregates::DominatedNodes;
use super::bits::BitVec;
use super::retainers::Retainers;
use crate::model::{Column, Graph, NodeId};
use crate::progress::{Cancelled, Phase, Progress};

/// Retained sizes: exact integer sums, as DevTools' `Float64Array` sums of u32 sizes are.
/// Most fit in 32 bits; the few that do not (near the root) live in `big`.
pub struct RetainedSizes {
    small: Column<u32>,
    big: HashMap<u32, u64>,
}

impl RetainedSizes {
    const SPILLED: u32 = u32::MAX;

    #[inline]
    pub fn get(&self, v: NodeId) -> f64 {
        self.get_u64(v) as f64
    }

    #[inline]
    fn get_u64(&self, v: NodeId) -> u64 {
        match self.small[v] {
            Self::SPILLED => self.big[&v.get()],
            s => s as u64,
        }
    }

    fn set(&mut self, v: NodeId, value: u64) {
        if value < Self::SPILLED as u64 {
            self.small[v] = value as u32;
        } else {
            self.small[v] = Self::SPILLED;
            self.big.insert(v.get(), value);
        }
    }

    pub fn len(&self) -> usize {
        self.small.len()
    }

    pub fn is_empty(&self) -> bool {
        self.small.is_empty()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.small.heap_bytes() + self.big.capacity() * 16
    }

    /// The 32-bit sizes (`u32::MAX` where the size is in the spill list) and the spilled ones,
    /// by node: what an index file stores.
    pub fn parts(&self) -> (&[u32], Vec<(u32, u64)>) {
        let mut big: Vec<(u32, u64)> = self.big.iter().map(|(&v, &s)| (v, s)).collect();
        big.sort_unstable();
        (&self.small, big)
    }

    /// Sizes from stored parts; `None` unless every spilled node has exactly one stored size.
    pub(crate) fn from_parts(small: Column<u32>, big: Vec<(u32, u64)>) -> Option<RetainedSizes> {
        let spilled = small.iter().filter(|&&s| s == Self::SPILLED).count();
        let consistent = spilled == big.len()
            && big
                .iter()
                .all(|&(v, s)| s >= Self::SPILLED as u64 && small.get(v as usize) == Some(&Self::SPILLED));
        let big: HashMap<u32, u64> = big.into_iter().collect();
        (consistent && big.len() == spilled).then_some(RetainedSizes { small, big })
    }
}

pub struct Dominators {
    /// Immediate dominator of each node; the root dominates itself.
    pub dominator: Column<NodeId>,
    pub retained: RetainedSizes,
    /// The dominator tree's children lists, built beside the retained sizes.
    pub(crate) dominated: DominatedNodes,
    /// How many nodes were only weakly reachable, and how many sat in unreachable cliques.
    pub orphans: usize,
    pub cliques: usize,
}

/// The depth-first numbering from the root along essential edges: the first part of
/// Lengauer–Tarjan. It reads no retainers, so it runs beside their building.
pub(crate) struct Numbering {
    parent: Vec<u32>,
    vertex: Vec<u32>,
    semi: Vec<u32>,
    /// The next edge to look at from each vertex on the walk (DevTools' `nextEdge`); becomes
    /// `label` once the walk is done.
    next_edge: Vec<u32>,
    /// Numbered vertices, as bits: the walk asks for each edge's target, and this fits in the
    /// cache where `semi` (32 times larger) does not.
    numbered: BitVec,
    n: u32,
}

impl Numbering {
    pub(crate) fn from_root(g: &Graph, essential: &BitVec, progress: &Progress) -> Result<Numbering, Cancelled> {
        // Vertices are numbered 1..=n (ordinal + 1); 0 means "none", as in the paper.
        let len = g.node_count() + 1;
        let mut walk = Numbering {
            parent: vec![0u32; len],
            vertex: vec![0u32; len],
            semi: vec![0u32; len],
            next_edge: vec![0u32; len],
            numbered: BitVec::new(len),
            n: 0,
        };
        walk.dfs(g, essential, g.root().get() + 1, progress)?;
        Ok(walk)
    }

    fn dfs(&mut self, g: &Graph, essential: &BitVec, root: u32, progress: &Progress) -> Result<(), Cancelled> {
        let first_edge = &g.columns().first_edge;
        let edge_to = &g.columns().edge_to;
        let Numbering {
            parent,
            vertex,
            semi,
            next_edge,
            numbered,
            n,
        } = self;
        next_edge[root as usize] = first_edge[(root - 1) as usize];
        let mut v = root;
        while v != 0 {
            if !numbered.get(v as usize) {
                numbered.set(v as usize);
                *n += 1;
                semi[v as usize] = *n;
                vertex[*n as usize] = v;
                if *n & 0xFFFF == 0 {
                    progress.check()?;
                }
            }
            let mut v_next = parent[v as usize];
            let v_ord = (v - 1) as usize;
            let end = first_edge[v_ord + 1];
            while next_edge[v as usize] < end {
                let e = next_edge[v as usize] as usize;
                if essential.get(e) {
                    let w_ord = crate::model::edge_target(edge_to[e]) as usize;
                    let w = w_ord as u32 + 1;
                    if !numbered.get(w as usize) {
                        parent[w as usize] = v;
                        next_edge[w as usize] = first_edge[w_ord];
                        v_next = w;
                        break;
                    }
                }
                next_edge[v as usize] += 1;
            }
            v = v_next;
        }
        Ok(())
    }
}

/// Dominators and retained sizes from the root's numbering ([`Numbering::from_root`]).
pub fn calculate(
    g: &Graph,
    walk: Numbering,
    essential: BitVec,
    retainers: &Retainers,
    progress: &Progress,
) -> Result<Dominators, Cancelled> {
    let node_count = g.node_count();
    progress.begin(Phase::Dominators, node_count as u64 * 2);
    progress.set(walk.n as u64)?;
    let len = node_count + 1;
    let mut walk = walk;
    let r = g.root().get() + 1;
    let mut orphans = 0;
    if (walk.n as usize) < node_count {
        for v in 1..=node_count as u32 {
            let v_ord = v - 1;
            if walk.semi[v as usize] == 0
                && !retainers
                    .of(NodeId::new(v_ord))
                    .any(|slot| retainers.is_essential(slot))
            {
                orphans += 1;
                walk.parent[v as usize] = r;
                walk.dfs(g, &essential, v, progress)?;
            }
        }
    }
    // The walks are done: the edges' bits and the walk's are not read again.
    drop(essential);
    let Numbering {
        mut parent,
        mut vertex,
        mut semi,
        next_edge,
        mut n,
        numbered,
    } = walk;
    drop(numbered);
    let mut cliques = 0;
    if (n as usize) < node_count {
        for v in 1..=node_count as u32 {
            if semi[v as usize] == 0 {
                cliques += 1;
                parent[v as usize] = r;
                n += 1;
                semi[v as usize] = n;
                vertex[n as usize] = v;
            }
        }
    }

    // `ancestor[x]` is `parent[x]` once x is linked and 0 before; compression rewrites it.
    let mut ancestor = parent;
    let mut linked = BitVec::new(len);
    let mut stack: Vec<u32> = Vec::new();
    // The walk's cursors are dead: their memory becomes `label`, 0 (an empty bucket) until linked.
    let mut label = next_edge;
    label.fill(0);
    // Bucket links, then `dom`.
    let mut slot = vec![0u32; len];

    let mut i = n;
    while i >= 2 {
        if i & 0xFFFF == 0 {
            progress.set(node_count as u64 + (n - i) as u64)?;
        }
        let w = vertex[i as usize];
        let w_ord = w - 1;
        let mut is_orphan = true;
        for s in retainers.of(NodeId::new(w_ord)) {
            if !retainers.is_essential(s) {
                continue;
            }
            is_orphan = false;
            let v = retainers.source(s).get() + 1;
            let u = evaluate(v, &mut ancestor, &linked, &mut label, &semi, &mut stack);
            if semi[u as usize] < semi[w as usize] {
                semi[w as usize] = semi[u as usize];
            }
        }
        if is_orphan {
            semi[w as usize] = semi[r as usize];
        }

        // Add w to bucket(vertex[semi[w]]): a circular list whose last member points at the
        // first, so members stay in insertion order as in DevTools' `Set`. Its last member is
        // kept in `label` of the bucket's vertex, which is not linked yet (semi[w] < w, or w
        // itself when no retainer comes before it).
        let b = vertex[semi[w as usize] as usize] as usize;
        let last = label[b];
        if last == 0 {
            slot[w as usize] = w;
        } else {
            slot[w as usize] = slot[last as usize];
            slot[last as usize] = w;
        }
        label[b] = w;

        let p = ancestor[w as usize]; // still parent[w]
        // link(parent[w], w). w's own bucket is never processed after this (only a vertex's
        // children, numbered after it, process it): its members keep dom = 0, as in DevTools.
        clear_bucket(label[w as usize], &mut slot);
        label[w as usize] = w;
        linked.set(w as usize);

        let last = label[p as usize];
        if last != 0 {
            let mut v = slot[last as usize];
            loop {
                let next = slot[v as usize];
                let u = evaluate(v, &mut ancestor, &linked, &mut label, &semi, &mut stack);
                slot[v as usize] = if semi[u as usize] < semi[v as usize] { u } else { p };
                if v == last {
                    break;
                }
                v = next;
            }
            label[p as usize] = 0;
        }
        i -= 1;
    }
    // Vertex 2's parent is the root, whose bucket was so processed last, and is empty.
    debug_assert!(n < 2 || label[r as usize] == 0);
    drop((linked, stack));

    let mut dom = slot;
    dom[0] = r;
    dom[r as usize] = r;
    for i in 2..=n {
        let w = vertex[i as usize] as usize;
        if dom[w] != vertex[semi[w] as usize] {
            dom[w] = dom[dom[w] as usize];
        }
    }

    progress.begin(Phase::RetainedSizes, n as u64);
    // Vertex numbers to ordinals, in place.
    for ord in 0..node_count {
        dom[ord] = dom[ord + 1].wrapping_sub(1);
    }
    dom.truncate(node_count);
    dom.shrink_to_fit();
    let dominator = crate::model::node_ids(dom);
    // The children lists only need the dominators: built on the other core. Both reuse dead
    // arrays of the same length rather than fault in fresh pages and unmap these.
    let (retained, dominated) = rayon::join(
        || retained_sizes(g, semi, &vertex[..=n as usize], &dominator),
        || DominatedNodes::build_in(&dominator, g.root(), ancestor, label),
    );
    Ok(Dominators {
        dominator: dominator.into(),
        retained,
        dominated,
        orphans,
        cliques,
    })
}

/// Each node's self size plus those of the nodes it dominates, summed in reverse DFS order
/// (`vertex[i]` is the vertex numbered i, a dominator always numbered before what it dominates).
fn retained_sizes(g: &Graph, mut buffer: Vec<u32>, vertex: &[u32], dominator: &[NodeId]) -> RetainedSizes {
    buffer.clear();
    buffer.extend_from_slice(g.self_sizes());
    let mut retained = RetainedSizes {
        small: buffer.into(),
        big: HashMap::new(),
    };
    for (v, &s) in g.self_sizes().iter().enumerate() {
        if s == RetainedSizes::SPILLED {
            retained.set(NodeId::at(v), s as u64);
        }
    }
    for &w in vertex[2..].iter().rev() {
        let v = NodeId::new(w - 1);
        let d = dominator[v];
        let sum = retained.get_u64(d) + retained.get_u64(v);
        retained.set(d, sum);
    }
    retained
}

/// Sets `dom` to 0 for the members of a bucket that is never processed (DevTools leaves them
/// undefined, and so they resolve to the root).
fn clear_bucket(last: u32, slot: &mut [u32]) {
    if last == 0 {
        return;
    }
    let mut v = slot[last as usize];
    loop {
        let next = slot[v as usize];
        slot[v as usize] = 0;
        if v == last {
            break;
        }
        v = next;
    }
}

#[inline]
fn ancestor_of(ancestor: &[u32], linked: &BitVec, x: u32) -> u32 {
    if linked.get(x as usize) {
        ancestor[x as usize]
    } else {
        0
    }
}

fn compress(v: u32, ancestor: &mut [u32], linked: &BitVec, label: &mut [u32], semi: &[u32], stack: &mut Vec<u32>) {
    stack.clear();
    let mut v = v;
    while ancestor_of(ancestor, linked, ancestor_of(ancestor, linked, v)) != 0 {
        stack.push(v);
        v = ancestor[v as usize];
    }
    while let Some(w) = stack.pop() {
        let w = w as usize;
        let a = ancestor[w] as usize;
        if semi[label[a] as usize] < semi[label[w] as usize] {
            label[w] = label[a];
        }
        ancestor[w] = ancestor[a];
    }
}

#[inline]
fn evaluate(
    v: u32,
    ancestor: &mut [u32],
    linked: &BitVec,
    label: &mut [u32],
    semi: &[u32],
    stack: &mut Vec<u32>,
) -> u32 {
    if ancestor_of(ancestor, linked, v) == 0 {
        return v;
    }
    compress(v, ancestor, linked, label, semi, stack);
    label[v as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::build::SnapshotJson;

    /// DevTools' `calculateDominatorsAndRetainedSizes` as the spec (§4) writes it: one array per
    /// quantity, buckets as sets, recursive compression. `succ` holds each vertex's essential
    /// edge targets in file order, `pred` its essential retainers; vertices are ordinals here.
    fn devtools_dominators(root: usize, succ: &[Vec<usize>], pred: &[Vec<usize>]) -> Vec<usize> {
        let n = succ.len();
        let len = n + 1;
        let r = root + 1;
        let (mut parent, mut semi, mut vertex, mut label) = (vec![0; len], vec![0; len], vec![0; len], vec![0; len]);
        let (mut ancestor, mut dom) = (vec![0; len], vec![0; len]);
        let mut bucket: Vec<Vec<usize>> = vec![Vec::new(); len];
        let mut count = 0;
        let mut number = |v: usize, semi: &mut [usize], count: &mut usize| {
            *count += 1;
            semi[v] = *count;
            vertex[*count] = v;
            label[v] = v;
        };
        let mut dfs = |start: usize, semi: &mut Vec<usize>, count: &mut usize, parent: &mut Vec<usize>| {
            number(start, semi, count);
            let mut stack = vec![(start, 0)];
            while let Some((v, k)) = stack.last_mut() {
                let Some(&w) = succ[*v - 1].get(*k) else {
                    stack.pop();
                    continue;
                };
                *k += 1;
                let (v, w) = (*v, w + 1);
                if semi[w] == 0 {
                    parent[w] = v;
                    number(w, semi, count);
                    stack.push((w, 0));
                }
            }
        };
        dfs(r, &mut semi, &mut count, &mut parent);
        for v in 1..=n {
            if semi[v] == 0 && pred[v - 1].is_empty() {
                parent[v] = r;
                dfs(v, &mut semi, &mut count, &mut parent);
            }
        }
        for v in 1..=n {
            if semi[v] == 0 {
                parent[v] = r;
                count += 1;
                semi[v] = count;
                vertex[count] = v;
                label[v] = v;
            }
        }
        fn compress(v: usize, ancestor: &mut [usize], label: &mut [usize], semi: &[usize]) {
            let a = ancestor[v];
            if ancestor[a] != 0 {
                compress(a, ancestor, label, semi);
                if semi[label[a]] < semi[label[v]] {
                    label[v] = label[a];
                }
                ancestor[v] = ancestor[a];
            }
        }
        let eval = |v: usize, ancestor: &mut [usize], label: &mut [usize], semi: &[usize]| {
            if ancestor[v] == 0 {
                v
            } else {
                compress(v, ancestor, label, semi);
                label[v]
            }
        };
        for i in (2..=count).rev() {
            let w = vertex[i];
            if pred[w - 1].is_empty() {
                semi[w] = semi[r];
            }
            for &v in &pred[w - 1] {
                let u = eval(v + 1, &mut ancestor, &mut label, &semi);
                semi[w] = semi[w].min(semi[u]);
            }
            bucket[vertex[semi[w]]].push(w);
            ancestor[w] = parent[w];
            for v in std::mem::take(&mut bucket[parent[w]]) {
                let u = eval(v, &mut ancestor, &mut label, &semi);
                dom[v] = if semi[u] < semi[v] { u } else { parent[w] };
            }
        }
        dom[0] = r;
        dom[r] = r;
        for i in 2..=count {
            let w = vertex[i];
            if dom[w] != vertex[semi[w]] {
                dom[w] = dom[dom[w]];
            }
        }
        (1..=n).map(|v| dom[v] - 1).collect()
    }

    /// Random graphs with weak edges, self edges, nodes only weak edges reach and cliques: the
    /// lean port gives the dominators of the literal one.
    #[test]
    fn the_lean_port_gives_devtools_dominators() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |below: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % below as u64) as usize
        };
        let p = Progress::new();
        for _ in 0..300 {
            let n = 2 + next(40);
            let mut b = SnapshotJson::new();
            let root = b.node("synthetic", "", 1, 0);
            for k in 1..n {
                b.node("object", "O", 1 + 2 * k as u32, 1 + next(100) as u64);
            }
            for _ in 0..next(3 * n) {
                let (from, to) = (next(n), next(n));
                let ty = if next(5) == 0 { "weak" } else { "property" };
                b.edge(from, ty, "e", to);
            }
            let g = crate::analysis::graph_of(b.to_json().into_bytes());
            let flags = crate::analysis::flags::calculate(&g, &p).unwrap();
            let essential = crate::analysis::flags::essential_edges(&g, &flags, &p).unwrap();
            let retainers = Retainers::build(&g, &essential, &p).unwrap();
            let succ: Vec<Vec<usize>> = (g.nodes())
                .map(|v| {
                    (g.edges(v))
                        .filter(|e| essential.get(e.index()))
                        .map(|e| g.to(e).index())
                        .collect()
                })
                .collect();
            let pred: Vec<Vec<usize>> = (g.nodes())
                .map(|v| {
                    (retainers.of(v))
                        .filter(|&s| retainers.is_essential(s))
                        .map(|s| retainers.source(s).index())
                        .collect()
                })
                .collect();
            let expected = devtools_dominators(root, &succ, &pred);
            let numbering = Numbering::from_root(&g, &essential, &p).unwrap();
            let doms = calculate(&g, numbering, essential, &retainers, &p).unwrap();
            let got: Vec<usize> = doms.dominator.iter().map(|d| d.index()).collect();
            assert_eq!(got, expected, "{}", b.to_json());
        }
    }
}
