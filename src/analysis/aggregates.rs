//! Summary rows: DevTools' `buildAggregates` and `calculateClassesRetainedSize` (spec §5), and
//! the dominator tree's children lists (`buildDominatedNodes`).

use std::collections::HashMap;

use super::classes::Classes;
use super::distances::Distance;
use super::dominators::RetainedSizes;
use crate::model::{Graph, Location, NodeId};

/// Children of every node in the dominator tree (CSR), each list in descending ordinal order
/// as DevTools builds it.
pub(crate) struct DominatedNodes {
    pub first: Vec<u32>,
    pub nodes: Vec<NodeId>,
}

impl DominatedNodes {
    pub fn build(dominator: &[NodeId], root: NodeId) -> DominatedNodes {
        Self::build_in(dominator, root, Vec::new(), Vec::new())
    }

    /// [`DominatedNodes::build`] in the memory of two arrays no longer needed.
    pub fn build_in(dominator: &[NodeId], root: NodeId, mut first: Vec<u32>, nodes: Vec<u32>) -> DominatedNodes {
        let n = dominator.len();
        first.clear();
        first.resize(n + 1, 0);
        let mut nodes = crate::model::node_ids(nodes);
        // Every slot is written below.
        nodes.resize(n.saturating_sub(1), NodeId::default());
        let skip = |v: usize| v == root.index();
        for (v, &d) in dominator.iter().enumerate() {
            if !skip(v) {
                first[d] += 1;
            }
        }
        // Each list's end, then filled back to front, as DevTools' count-down fill does: the
        // ends count down to the starts.
        let mut acc = 0u32;
        for slot in first.iter_mut().take(n) {
            acc += *slot;
            *slot = acc;
        }
        first[n] = acc;
        for (v, &d) in dominator.iter().enumerate() {
            if skip(v) {
                continue;
            }
            first[d] -= 1;
            nodes[first[d] as usize] = NodeId::at(v);
        }
        DominatedNodes { first, nodes }
    }

    pub fn of(&self, v: NodeId) -> &[NodeId] {
        &self.nodes[self.first[v] as usize..self.first[v.index() + 1] as usize]
    }
}

/// One Summary row.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassRow {
    /// Dense class id (see [`Classes`]).
    pub class: u32,
    pub name: String,
    pub location: Option<Location>,
    pub count: u64,
    pub shallow_size: u64,
    /// Sum of retained sizes of the class's topmost instances in the dominator tree.
    pub retained_size: f64,
    /// Minimum distance over instances.
    pub distance: Distance,
}

pub(crate) struct AggregateInputs<'a> {
    pub graph: &'a Graph,
    pub classes: &'a Classes,
    /// `None` before distances are known (rows then carry `Distance::UNREACHABLE`).
    pub distances: Option<&'a [Distance]>,
    /// Per dense class id, from [`class_retained_sizes`] with the same filter.
    pub(crate) class_retained: &'a [f64],
    /// Class names made up while the graph is shared (the partial Summary); `None`: the graph's.
    pub(crate) strings: Option<&'a super::classes::NewStrings<'a>>,
}

/// DevTools' `calculateClassesRetainedSize`: per dense class id, the sum of retained sizes of
/// the instances `filter` accepts that have no accepted instance of their class above them in
/// the dominator tree. Builds the tree's children lists for the walk and frees them after.
pub(crate) fn class_retained_sizes(
    g: &Graph,
    classes: &Classes,
    dominator: &[NodeId],
    retained: &RetainedSizes,
    filter: Option<&(dyn Fn(NodeId) -> bool + Sync)>,
) -> Vec<f64> {
    class_retained_sizes_in(
        g,
        classes,
        &DominatedNodes::build(dominator, g.root()),
        retained,
        filter,
    )
}

/// [`class_retained_sizes`] with the dominator tree's children lists already built.
pub(crate) fn class_retained_sizes_in(
    g: &Graph,
    classes: &Classes,
    dominated: &DominatedNodes,
    retained: &RetainedSizes,
    filter: Option<&(dyn Fn(NodeId) -> bool + Sync)>,
) -> Vec<f64> {
    let walk = ClassWalk {
        g,
        classes,
        retained,
        filter,
        dominated,
        heavy: retained.get(g.root()) / 64.0,
    };
    let mut sums = vec![0f64; classes.info.len()];
    walk.walk(&[g.root()], &mut vec![false; classes.info.len()], &mut sums);
    sums
}

/// The walk of [`class_retained_sizes`]. The result does not depend on the order subtrees are
/// walked in (a node counts when no accepted instance of its class is above it; the sums are of
/// whole numbers, exact in f64), so the children of a node with very many of them are walked in
/// parallel, each part with its own copy of the classes seen above.
struct ClassWalk<'a> {
    g: &'a Graph,
    classes: &'a Classes,
    retained: &'a RetainedSizes,
    filter: Option<&'a (dyn Fn(NodeId) -> bool + Sync)>,
    dominated: &'a DominatedNodes,
    /// A node retaining less than this is walked by one thread.
    heavy: f64,
}

impl ClassWalk<'_> {
    /// Parts a wide node's children are split into.
    const PARTS: usize = 16;

    /// Walks the subtrees of `roots`, with `seen` the classes counted above them.
    fn walk(&self, roots: &[NodeId], seen: &mut [bool], sums: &mut [f64]) {
        let mut list: Vec<NodeId> = roots.to_vec();
        let mut sizes: Vec<usize> = vec![usize::MAX];
        let mut keys: Vec<u32> = Vec::new();
        while let Some(v) = list.pop() {
            let class = self.classes.of_node[v];
            let children = self.dominated.of(v);
            let retained = self.retained.get(v);
            if !seen[class as usize] && self.g.self_size(v) > 0 && self.filter.is_none_or(|f| f(v)) {
                sums[class as usize] += retained;
                if !children.is_empty() {
                    seen[class as usize] = true;
                    sizes.push(list.len());
                    keys.push(class);
                }
            }
            // Splitting pays when each part has more nodes than the copy of `seen` it needs.
            if retained >= self.heavy && children.len() >= Self::PARTS * seen.len().max(256) {
                self.in_parallel(children, seen, sums);
            } else {
                list.extend_from_slice(children);
            }
            while sizes.last() == Some(&list.len()) {
                sizes.pop();
                if let Some(k) = keys.pop() {
                    seen[k as usize] = false;
                }
            }
        }
    }

    fn in_parallel(&self, children: &[NodeId], seen: &[bool], sums: &mut [f64]) {
        use rayon::prelude::*;
        let parts: Vec<Vec<f64>> = children
            .par_chunks(children.len().div_ceil(Self::PARTS))
            .map(|part| {
                let mut own = vec![0f64; sums.len()];
                self.walk(part, &mut seen.to_vec(), &mut own);
                own
            })
            .collect();
        for part in parts {
            for (sum, x) in sums.iter_mut().zip(part) {
                *sum += x;
            }
        }
    }
}

/// Builds Summary rows for the nodes `filter` accepts (all when `None`), in DevTools' order of
/// first appearance. Zero-size nodes are left out, as DevTools leaves them out.
pub(crate) fn aggregate(inp: &AggregateInputs, filter: Option<&(dyn Fn(NodeId) -> bool + Sync)>) -> Vec<ClassRow> {
    let g = inp.graph;
    let accepts = |v: NodeId| filter.is_none_or(|f| f(v));
    // Dense class id → row index, in order of first appearance.
    let mut row_of: Vec<u32> = vec![u32::MAX; inp.classes.info.len()];
    let mut rows: Vec<ClassRow> = Vec::new();
    for v in g.nodes() {
        let size = g.self_size(v);
        if size == 0 || !accepts(v) {
            continue;
        }
        let class = inp.classes.of_node[v];
        let d = inp.distances.map_or(Distance::UNREACHABLE, |d| d[v]);
        let r = row_of[class as usize];
        if r == u32::MAX {
            row_of[class as usize] = rows.len() as u32;
            let info = &inp.classes.info[class as usize];
            rows.push(ClassRow {
                class,
                name: match inp.strings {
                    Some(s) => s.get(info.name_index),
                    None => g.strings().get(info.name_index),
                }
                .to_owned(),
                location: info.location,
                count: 1,
                shallow_size: size as u64,
                retained_size: inp.class_retained[class as usize],
                distance: d,
            });
        } else {
            let row = &mut rows[r as usize];
            row.count += 1;
            row.shallow_size += size as u64;
            row.distance = row.distance.min(d);
        }
    }

    // DevTools re-keys rows by their public key; when two internal keys share one (same text,
    // different string index), the later row replaces the earlier.
    let mut by_public: HashMap<String, usize> = HashMap::new();
    let mut keep = vec![true; rows.len()];
    for (i, row) in rows.iter().enumerate() {
        if let Some(prev) = by_public.insert(inp.classes.public_key_named(&row.name, row.class), i) {
            keep[prev] = false;
        }
    }
    rows.into_iter().zip(keep).filter_map(|(r, k)| k.then_some(r)).collect()
}

/// Sorts rows as the CLI and the reference tool print them: retained size, then shallow size
/// (both descending), then name.
pub fn sort_rows(rows: &mut [ClassRow]) {
    rows.sort_by(|a, b| {
        b.retained_size
            .round()
            .total_cmp(&a.retained_size.round())
            .then(b.shallow_size.cmp(&a.shallow_size))
            .then_with(|| super::classes::cmp_js(&a.name, &b.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::build::SnapshotJson;
    use crate::progress::Progress;

    /// A holder with many children: the walk splits its children into parts walked in parallel,
    /// and the class sums equal those of the walk by one thread (an instance under another of its
    /// class, in another part or not, is not counted again).
    #[test]
    fn a_wide_node_walked_in_parts_gives_the_sums_of_one_walk() {
        let mut b = SnapshotJson::new();
        let root = b.node("synthetic", "", 1, 0);
        let holder = b.node("object", "Holder", 3, 100);
        b.edge(root, "property", "holder", holder);
        let mut id = 5;
        for k in 0..6000usize {
            let class = ["Item", "Other", "Holder"][k % 3];
            let item = b.node("object", class, id, 10 + k as u64 % 7);
            let inner = b.node("object", "Item", id + 2, 3);
            id += 4;
            b.edge(holder, "element", &k.to_string(), item);
            b.edge(item, "property", "inner", inner);
        }
        let g = crate::analysis::graph_of(b.to_json().into_bytes());
        let s = crate::analysis::analyze(g, &Progress::new()).unwrap();
        let dominated = DominatedNodes::build(&s.dominator, s.graph.root());
        let sums = |heavy: f64, filter: Option<&(dyn Fn(NodeId) -> bool + Sync)>| {
            let walk = ClassWalk {
                g: &s.graph,
                classes: &s.classes,
                retained: &s.retained,
                filter,
                dominated: &dominated,
                heavy,
            };
            let mut sums = vec![0f64; s.classes.info.len()];
            walk.walk(&[s.graph.root()], &mut vec![false; s.classes.info.len()], &mut sums);
            sums
        };
        let by_name = |sums: &[f64], name: &str| {
            (0..sums.len())
                .filter(|&c| s.classes.name(&s.graph, c as u32) == name)
                .map(|c| sums[c])
                .sum::<f64>()
        };
        let one = sums(f64::INFINITY, None);
        assert_eq!(sums(0.0, None), one);
        // Holder retains everything (its Holder children are under it); Items count at the top
        // level and inside Others and Holders, never inside an Item.
        assert_eq!(by_name(&one, "Holder"), s.retained.get(NodeId::at(holder)));
        let items: f64 = (0..6000u64)
            .map(|k| match k % 3 {
                0 => (10 + k % 7 + 3) as f64,
                _ => 3.0,
            })
            .sum();
        assert_eq!(by_name(&one, "Item"), items);
        let odd = |v: NodeId| s.graph.id(v).0 % 8 == 5;
        assert_eq!(sums(0.0, Some(&odd)), sums(f64::INFINITY, Some(&odd)));
    }
}
