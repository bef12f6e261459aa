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
        let n = dominator.len();
        let mut first = vec![0u32; n + 1];
        let mut nodes = vec![NodeId::default(); n.saturating_sub(1)];
        let skip = |v: usize| v == root.index();
        for (v, &d) in dominator.iter().enumerate() {
            if !skip(v) {
                first[d] += 1;
            }
        }
        let mut acc = 0u32;
        for slot in first.iter_mut().take(n) {
            let c = *slot;
            *slot = acc;
            acc += c;
        }
        first[n] = acc;
        // Fill back to front, as DevTools' count-down fill does.
        let mut fill: Vec<u32> = first[1..].to_vec();
        for (v, &d) in dominator.iter().enumerate() {
            if skip(v) {
                continue;
            }
            fill[d] -= 1;
            nodes[fill[d] as usize] = NodeId::at(v);
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
    let accepts = |v: NodeId| filter.is_none_or(|f| f(v));
    let dominated = DominatedNodes::build(dominator, g.root());
    let mut sums = vec![0f64; classes.info.len()];
    let mut seen = vec![false; classes.info.len()];
    let mut list: Vec<NodeId> = vec![g.root()];
    let mut sizes: Vec<usize> = vec![usize::MAX];
    let mut keys: Vec<u32> = Vec::new();
    while let Some(v) = list.pop() {
        let class = classes.of_node[v];
        let children = dominated.of(v);
        if !seen[class as usize] && g.self_size(v) > 0 && accepts(v) {
            sums[class as usize] += retained.get(v);
            if !children.is_empty() {
                seen[class as usize] = true;
                sizes.push(list.len());
                keys.push(class);
            }
        }
        list.extend_from_slice(children);
        while sizes.last() == Some(&list.len()) {
            sizes.pop();
            if let Some(k) = keys.pop() {
                seen[k as usize] = false;
            }
        }
    }
    sums
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
