//! The three-snapshot leak method (spec §8, product "The method"): objects that exist in the
//! target snapshot S2 but not in the baseline S1 (by object id) and are still alive in the final
//! snapshot S3 are leak candidates. They are grouped by class and by the shape of the path that
//! keeps them alive, and ranked by the memory each group keeps alive.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Snapshot;
use super::bits::BitVec;
use super::distances::Distance;
use super::process::Kinship;
use super::query::{self, Hop};
use crate::model::{EdgeId, EdgeKind, EdgeName, NodeId, NodeKind};
use crate::progress::{Cancelled, Phase, Progress};

/// Which objects are too trivial to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LeakOptions {
    /// Report strings (off: a leaked object's strings are counted in its retained size anyway).
    pub(crate) include_strings: bool,
    /// Report V8 internals: arrays backing other objects, contexts, code, maps, numbers.
    pub(crate) include_internals: bool,
}

/// Whether `v` is left out of leak reports.
pub(crate) fn is_trivial(s: &Snapshot, v: NodeId, opts: &LeakOptions) -> bool {
    let g = &s.graph;
    if g.self_size(v) == 0 {
        // Its size was moved to its owner; the owner stands for it.
        return true;
    }
    match g.kind(v) {
        NodeKind::Number | NodeKind::Synthetic | NodeKind::Symbol | NodeKind::BigInt => true,
        NodeKind::String | NodeKind::ConsString | NodeKind::SlicedString => !opts.include_strings,
        NodeKind::Hidden | NodeKind::Code | NodeKind::ObjectShape | NodeKind::Array => !opts.include_internals,
        NodeKind::Object => !opts.include_internals && g.name(v).starts_with("system / "),
        // Browser engine internals (C++ objects of blink, cppgc, V8, layout and style) are
        // internals like V8's; DOM nodes and listeners are what a page's code holds.
        NodeKind::Native => !opts.include_internals && is_engine_internal(g.name(v)),
        _ => false,
    }
}

/// A native node that is not a DOM node or something page code holds: `blink::…`, `cppgc::…`,
/// `v8::internal::…`, `system / …`, blink's `InternalNode`.
pub(crate) fn is_engine_internal(name: &str) -> bool {
    name.starts_with("system / ") || name.contains("::") || name == "InternalNode"
}

/// The objects of `s3` whose id is in `s2_ids` but not in `s1_ids` (both sorted), not trivial.
/// Strings left out by the options still count when they are the entries of a collection that
/// grew: a session store of JSON strings leaks as much as one of objects.
pub(crate) fn candidates(s1_ids: &[u32], s2_ids: &[u32], s3: &Snapshot, opts: &LeakOptions) -> Vec<NodeId> {
    let ids = s3.graph.object_ids();
    let is_new = |v: NodeId| {
        let id = ids[v].0;
        s2_ids.binary_search(&id).is_ok() && s1_ids.binary_search(&id).is_err()
    };
    let mut out: Vec<NodeId> = s3
        .graph
        .par_nodes()
        .filter(|&v| is_new(v) && !is_trivial(s3, v, opts))
        .collect();
    if !opts.include_strings {
        let with_strings = LeakOptions {
            include_strings: true,
            ..*opts
        };
        let strings: Vec<NodeId> = s3
            .graph
            .par_nodes()
            .filter(|&v| is_string(s3, v) && is_new(v) && !is_trivial(s3, v, &with_strings))
            .collect();
        out.extend(collection_entries(s3, &strings));
        out.sort_unstable();
    }
    out
}

fn is_string(s: &Snapshot, v: NodeId) -> bool {
    matches!(
        s.graph.kind(v),
        NodeKind::String | NodeKind::ConsString | NodeKind::SlicedString
    )
}

/// New entries one collection must hold before its strings count as what grows: more than a
/// request's headers or an object's few string fields.
pub const GROWN_ENTRIES: usize = 8;

/// How many of `sorted` (a group's members, sorted) object `from` holds by named properties:
/// the entries of a store keyed by data (ids, session ids), when `from` is used as a dictionary.
pub fn keyed_entries(s: &Snapshot, from: NodeId, sorted: &[NodeId]) -> usize {
    let g = &s.graph;
    g.edges(from)
        .filter(|&e| g.edge_kind(e) == EdgeKind::Property && sorted.binary_search(&g.to(e)).is_ok())
        .count()
}

/// Of `new` objects, those held as entries (by property or element) of one object or array that
/// holds at least [`GROWN_ENTRIES`] of them: a dictionary, an array, a Map's table.
fn collection_entries(s: &Snapshot, new: &[NodeId]) -> Vec<NodeId> {
    let g = &s.graph;
    let holder = |v: NodeId| {
        s.retainers.of(v).find_map(|slot| {
            let from = s.retainers.source(slot);
            let e = s.retainers.edge(g, v, slot);
            (matches!(g.kind(from), NodeKind::Object | NodeKind::Array)
                && matches!(g.edge_kind(e), EdgeKind::Property | EdgeKind::Element))
            .then_some(from)
        })
    };
    let held: Vec<(NodeId, Option<NodeId>)> = new.iter().map(|&v| (v, holder(v))).collect();
    let mut entries: HashMap<NodeId, usize> = HashMap::new();
    for &(_, h) in &held {
        if let Some(h) = h {
            *entries.entry(h).or_default() += 1;
        }
    }
    held.into_iter()
        .filter(|&(_, h)| h.is_some_and(|h| entries[&h] >= GROWN_ENTRIES))
        .map(|(v, _)| v)
        .collect()
}

/// Why snapshots cannot go through the three-snapshot method together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SequenceError {
    #[error(
        "{a} and {b} do not look like snapshots of one process: only {shared} of {of} objects are in both \
         (object ids are only kept within one process)"
    )]
    FewShared {
        a: String,
        b: String,
        shared: usize,
        of: usize,
    },
    #[error(
        "{a} and {b} do not look like snapshots of one process: {differ} of {seen} sampled objects have the \
         same id but are different objects (ids are only kept within one process)"
    )]
    Different {
        a: String,
        b: String,
        differ: usize,
        seen: usize,
    },
    #[error(
        "{a} and {b} are the same snapshot (the same objects, none newer than @{max_id}); the method needs \
         three snapshots taken one after another"
    )]
    Repeated { a: String, b: String, max_id: u32 },
    #[error(
        "the snapshots are not in order: {a} has newer objects (up to @{a_max}) than {b} (up to @{b_max}); \
         give them oldest first"
    )]
    OutOfOrder {
        a: String,
        b: String,
        a_max: u32,
        b_max: u32,
    },
}

impl From<SequenceError> for crate::error::Error {
    fn from(e: SequenceError) -> Self {
        crate::error::Error::invalid(e.to_string())
    }
}

/// Checks that three snapshots can be compared: one process (their ids overlap) and in order
/// (newest object ids increase). Takes the sorted ids and newest JS ids of S1, S2, S3.
pub(crate) fn check_sequence(ids: [&[u32]; 3], max_ids: [u32; 3], names: [&str; 3]) -> Result<(), SequenceError> {
    for k in 0..2 {
        let (a, b) = (ids[k], ids[k + 1]);
        let shared = overlap(a, b);
        if a.len() > 100 && shared * 20 < a.len() {
            return Err(SequenceError::FewShared {
                a: names[k].to_owned(),
                b: names[k + 1].to_owned(),
                shared,
                of: a.len(),
            });
        }
        if max_ids[k] == max_ids[k + 1] && a == b {
            return Err(SequenceError::Repeated {
                a: names[k].to_owned(),
                b: names[k + 1].to_owned(),
                max_id: max_ids[k],
            });
        }
        if max_ids[k] > max_ids[k + 1] {
            return Err(SequenceError::OutOfOrder {
                a: names[k].to_owned(),
                b: names[k + 1].to_owned(),
                a_max: max_ids[k],
                b_max: max_ids[k + 1],
            });
        }
    }
    Ok(())
}

/// How many values two sorted lists share.
fn overlap(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Fails when a fingerprint says the snapshots come from different processes.
pub(crate) fn check_same_process(kin: Kinship, a: &str, b: &str) -> Result<(), SequenceError> {
    match kin {
        Kinship::Different { seen, differ } => Err(SequenceError::Different {
            a: a.to_owned(),
            b: b.to_owned(),
            differ,
            seen,
        }),
        Kinship::Same | Kinship::Unclear => Ok(()),
    }
}

/// A snapshot's object ids, sorted: all the method keeps of S1 and S2.
pub(crate) fn sorted_ids(s: &Snapshot) -> Vec<u32> {
    let mut ids = s.graph.object_ids().iter().map(|i| i.0).collect::<Vec<u32>>();
    ids.par_sort_unstable();
    ids.dedup();
    ids
}

/// Leak candidates of one class that are kept alive along paths of the same shape.
#[derive(Debug, Clone)]
pub struct LeakGroup {
    /// DevTools' class name.
    pub class: String,
    /// The name the class has in the source, when a source map gives one for a minified name.
    pub original_class: Option<String>,
    /// The path shape: edge names (indexes replaced by `[]`) and classes from the root.
    pub(crate) signature: Vec<String>,
    /// Members, largest retained size first.
    pub nodes: Vec<NodeId>,
    pub shallow_size: u64,
    /// Retained size of the members that no other candidate dominates: memory this group
    /// keeps alive that no other group already accounts for.
    pub retained_size: f64,
    /// What the members keep alive themselves (those no other member of this group keeps
    /// alive): for a group another group keeps alive, what it accounts for within that group.
    pub members_retained: f64,
    /// When every member is kept alive by members of another group: that group (an index into
    /// the returned list), so the report can say "part of #k".
    pub part_of: Option<usize>,
    /// The path to the root of the first member (root first).
    pub path: Vec<Hop>,
    /// The entries of each hop of `path` that is a collection, in the baseline, the target and
    /// the final snapshot (followed by object id; `None` where it did not exist or is not one).
    pub hop_entries: Vec<[Option<u32>; 3]>,
    /// The allocation trace node of each member (as `nodes`), read in the target snapshot when
    /// it recorded allocation stacks: V8 keeps an object's stack right until the object has an id
    /// and is then moved by the collector, which happens between target and final. Empty: read
    /// them in the final snapshot.
    pub trace_nodes: Vec<u32>,
}

impl LeakGroup {
    /// The class as people read it: its original name through a source map, else DevTools'.
    pub fn shown_class(&self) -> &str {
        self.original_class.as_deref().unwrap_or(&self.class)
    }

    /// What to say the group keeps alive: its own retained size, or, for a group another group
    /// keeps alive (and counts), what its members keep alive within that group.
    pub fn keeps_alive(&self) -> f64 {
        match self.part_of {
            None => self.retained_size,
            Some(_) => self.members_retained,
        }
    }
}

/// Groups candidates by class and path shape, largest retained size first.
pub fn group(s: &Snapshot, candidates: &[NodeId], progress: &Progress) -> Result<Vec<LeakGroup>, Cancelled> {
    // Each group is shown with the path a person reads as its cause, not DevTools' shortest.
    let readable = super::readable::ReadablePaths::compute(s, progress)?;
    progress.begin(Phase::Aggregates, candidates.len() as u64 + 1);
    let g = &s.graph;
    let mut shapes = Shapes::new(s);
    shapes.mark_grown_dictionaries(candidates);
    let mut by_key: HashMap<(u32, u64), usize> = HashMap::new();
    let mut groups: Vec<LeakGroup> = Vec::new();
    for (i, &v) in candidates.iter().enumerate() {
        if i & 0x3FF == 0 {
            progress.set(i as u64)?;
        }
        let class = s.classes.of_node[v];
        let sig = shapes.signature(v);
        let at = *by_key.entry((class, sig)).or_insert_with(|| {
            let name = s.class_name(v);
            groups.push(LeakGroup {
                original_class: s.location_of(v).and_then(|l| s.scripts.original_name(l, name)),
                class: name.to_owned(),
                signature: Vec::new(),
                nodes: Vec::new(),
                shallow_size: 0,
                retained_size: 0.0,
                members_retained: 0.0,
                part_of: None,
                path: Vec::new(),
                hop_entries: Vec::new(),
                trace_nodes: Vec::new(),
            });
            groups.len() - 1
        });
        let grp = &mut groups[at];
        grp.nodes.push(v);
        grp.shallow_size += g.self_size(v) as u64;
    }
    // A candidate dominated by another candidate is counted once, with that other candidate.
    let mut member = BitVec::new(g.node_count());
    for &v in candidates {
        member.set(v.index());
    }
    let mut group_of: HashMap<NodeId, usize> = HashMap::new();
    for (i, grp) in groups.iter().enumerate() {
        for &v in &grp.nodes {
            group_of.insert(v, i);
        }
    }
    let mut outer: Vec<Option<usize>> = vec![None; groups.len()];
    for (i, grp) in groups.iter_mut().enumerate() {
        let mut sum = 0.0;
        let mut counted = false;
        for &v in &grp.nodes {
            // Kept alive by a member of its own group: counted with that member.
            let mut up = candidate_dominator(s, v, &member);
            while let Some(d) = up.filter(|d| group_of.get(d) != Some(&i)) {
                up = candidate_dominator(s, d, &member);
            }
            if up.is_none() {
                grp.members_retained += s.retained.get(v);
            }
            match candidate_dominator(s, v, &member) {
                None => {
                    sum += s.retained.get(v);
                    counted = true;
                }
                Some(d) => {
                    if outer[i].is_none() {
                        outer[i] = group_of.get(&d).copied().filter(|&k| k != i);
                    }
                }
            }
        }
        grp.retained_size = sum;
        if counted {
            outer[i] = None;
        }
        grp.nodes.sort_by(|&a, &b| {
            s.retained
                .get(b)
                .total_cmp(&s.retained.get(a))
                .then(g.id(a).cmp(&g.id(b)))
        });
        grp.path = readable
            .path(s, grp.nodes[0])
            .or_else(|| query::path_to_root(s, grp.nodes[0]))
            .unwrap_or_default();
        // The shape of the path shown, so the two always describe one path.
        grp.signature = shapes.describe_path(&grp.path);
    }
    // Rank: what a group keeps alive on its own, then its total retained size, then size of group.
    let total: Vec<f64> = groups
        .iter()
        .map(|grp| grp.nodes.iter().map(|&v| s.retained.get(v)).sum())
        .collect();
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by(|&a, &b| {
        groups[b]
            .retained_size
            .total_cmp(&groups[a].retained_size)
            .then(total[b].total_cmp(&total[a]))
            .then(groups[b].nodes.len().cmp(&groups[a].nodes.len()))
            .then_with(|| groups[a].class.cmp(&groups[b].class))
    });
    let mut rank = vec![0usize; groups.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let mut slots: Vec<Option<LeakGroup>> = groups.into_iter().map(Some).collect();
    let mut groups: Vec<LeakGroup> = order
        .iter()
        .map(|&i| slots[i].take().expect("each group once"))
        .collect();
    for (r, &i) in order.iter().enumerate() {
        groups[r].part_of = outer[i].map(|k| rank[k]);
    }
    progress.set(candidates.len() as u64 + 1)?;
    Ok(groups)
}

/// The most objects any one class adds per run of the action, in group `i` or a group it keeps
/// alive (a listener array ×1 that keeps 60 subscriptions alive grows by one per run).
pub fn per_action(groups: &[LeakGroup], runs: usize) -> Vec<f64> {
    let mut most: Vec<usize> = groups.iter().map(|g| g.nodes.len()).collect();
    // Children come after their parent in reading order: fold them up from the end.
    for &(i, _) in tree_order(groups).iter().rev() {
        if let Some(k) = groups[i].part_of {
            most[k] = most[k].max(most[i]);
        }
    }
    most.iter().map(|&n| n as f64 / runs.max(1) as f64).collect()
}

/// Objects per run from which a group counts as growing with every action: one per run, less
/// a tenth for a run whose object the final snapshot no longer holds (the last request still
/// in flight, a GC between runs).
pub const GROWING_PER_ACTION: f64 = 0.9;

/// Reading order of the groups: each root group (kept alive by no other group), then the groups
/// it keeps alive, depth first, as (index, depth). Ranked order is kept among siblings.
pub fn tree_order(groups: &[LeakGroup]) -> Vec<(usize, usize)> {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    for (i, g) in groups.iter().enumerate() {
        if let Some(k) = g.part_of.filter(|&k| k < groups.len() && k != i) {
            children[k].push(i);
        }
    }
    let mut seen = vec![false; groups.len()];
    let mut out = Vec::with_capacity(groups.len());
    let roots: Vec<usize> = (0..groups.len()).filter(|&i| groups[i].part_of.is_none()).collect();
    // Groups on a cycle of "kept alive by" (possible only in odd dominator shapes) are roots too.
    let rest = (0..groups.len()).filter(|&i| groups[i].part_of.is_some());
    for r in roots.into_iter().chain(rest) {
        if seen[r] {
            continue;
        }
        let mut stack = vec![(r, 0usize)];
        while let Some((i, depth)) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            out.push((i, depth));
            for &c in children[i].iter().rev() {
                stack.push((c, depth + 1));
            }
        }
    }
    out
}

/// Each group's number as reports show it, in reading order: root groups `1`, `2`, …, what a
/// group keeps alive under it `1.1`, `1.2`, `1.1.1`.
pub(crate) fn numbers(groups: &[LeakGroup]) -> Vec<String> {
    let mut out = vec![String::new(); groups.len()];
    // The number of the group open at each depth, and how many children it has so far.
    let mut path: Vec<(String, usize)> = Vec::new();
    let mut roots = 0;
    for (i, depth) in tree_order(groups) {
        path.truncate(depth);
        let number = match path.last_mut() {
            None => {
                roots += 1;
                roots.to_string()
            }
            Some((parent, children)) => {
                *children += 1;
                format!("{parent}.{children}")
            }
        };
        out[i] = number.clone();
        path.push((number, 0));
    }
    out
}

/// The groups `i` keeps alive, directly or through others, in reading order.
pub fn kept_alive_by(groups: &[LeakGroup], i: usize) -> Vec<usize> {
    let order = tree_order(groups);
    let Some(start) = order.iter().position(|&(g, _)| g == i) else {
        return Vec::new();
    };
    let depth = order[start].1;
    order[start + 1..]
        .iter()
        .take_while(|&&(_, d)| d > depth)
        .map(|&(g, _)| g)
        .collect()
}

/// What a report lists: the first `top` root groups that are not minor, each followed by the
/// groups it keeps alive; the minor root groups apart, for one trailing line.
pub struct Listing {
    /// (group index, depth) in reading order.
    pub rows: Vec<(usize, usize)>,
    pub minor: Vec<usize>,
    /// What the minor groups retain together.
    pub minor_retained: f64,
    /// Root groups left out by `top`.
    pub more_roots: usize,
}

/// `per`: each group's objects per run of the action, when the runs are known: a single object
/// that does not grow with every action is minor then too (Node's own one-offs: a timer list,
/// a parser's map).
pub(crate) fn listing(groups: &[LeakGroup], top: usize, per: Option<&[f64]>) -> Listing {
    let largest = largest_retained(groups);
    let mut listing = Listing {
        rows: Vec::new(),
        minor: Vec::new(),
        minor_retained: 0.0,
        more_roots: 0,
    };
    let mut roots = 0;
    let mut skipping = false;
    for (i, depth) in tree_order(groups) {
        if depth == 0 {
            let minor = is_minor(&groups[i], largest) || is_one_off(&groups[i], per.map(|p| p[i]));
            skipping = minor || roots == top;
            if minor {
                listing.minor.push(i);
                listing.minor_retained += groups[i].retained_size;
            } else if roots == top {
                listing.more_roots += 1;
            } else {
                roots += 1;
            }
        }
        if !skipping {
            listing.rows.push((i, depth));
        }
    }
    listing
}

/// What the largest group retains: the yardstick for minor groups.
pub(crate) fn largest_retained(groups: &[LeakGroup]) -> f64 {
    groups.iter().map(|g| g.retained_size).fold(0.0, f64::max)
}

/// A root group too small to list on its own line: one object retaining under 1% of what the
/// largest group retains (and under 64 KB). Reports fold these into one trailing line.
pub(crate) fn is_minor(g: &LeakGroup, largest: f64) -> bool {
    g.part_of.is_none() && g.nodes.len() == 1 && g.retained_size < (largest * 0.01).min(65536.0)
}

/// A root group of one object that does not grow with every run of the action.
pub(crate) fn is_one_off(g: &LeakGroup, per_action: Option<f64>) -> bool {
    g.part_of.is_none() && g.nodes.len() == 1 && per_action.is_some_and(|p| p < GROWING_PER_ACTION)
}

/// The nearest candidate among `v`'s dominators, if any.
fn candidate_dominator(s: &Snapshot, v: NodeId, member: &BitVec) -> Option<NodeId> {
    let root = s.graph.root();
    let mut cur = s.dominator[v];
    let mut steps = 0usize;
    while cur != root && steps <= s.graph.node_count() {
        if member.get(cur.index()) {
            return Some(cur);
        }
        cur = s.dominator[cur];
        steps += 1;
    }
    None
}

/// Path shapes: each node's shortest-path parent (the nearest retainer in storage order), and
/// memoised hashes of the normalised chain from the root (see [`Shapes::signature`]).
struct Shapes<'a> {
    s: &'a Snapshot,
    /// A node's shape hash and the hash of the last step in it.
    memo: HashMap<NodeId, (u64, u64)>,
    /// Whether a node is used as a dictionary.
    dictionary: HashMap<NodeId, bool>,
    /// Whether a node is an element of a list of its class.
    list: HashMap<NodeId, bool>,
}

/// Named properties past which an object reads as a dictionary (its keys are data).
const DICTIONARY_KEYS: usize = 64;

/// Whether `v` is used as a dictionary: more named properties than a shape ever has.
pub fn is_dictionary(s: &Snapshot, v: NodeId) -> bool {
    let g = &s.graph;
    g.edges(v)
        .filter(|&e| g.edge_kind(e) == EdgeKind::Property)
        .nth(DICTIONARY_KEYS)
        .is_some()
}

fn hash_of(v: &impl Hash) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    v.hash(&mut hasher);
    hasher.finish()
}

impl<'a> Shapes<'a> {
    fn new(s: &'a Snapshot) -> Self {
        Shapes {
            s,
            memo: HashMap::new(),
            dictionary: HashMap::new(),
            list: HashMap::new(),
        }
    }

    /// Objects that hold many of the candidates by named properties are dictionaries too, with
    /// fewer keys than a shape may have: the values of one growing store (keyed by session id)
    /// are one group.
    fn mark_grown_dictionaries(&mut self, candidates: &[NodeId]) {
        let g = &self.s.graph;
        let mut entries: HashMap<NodeId, usize> = HashMap::new();
        for &v in candidates {
            if let Some((e, from)) = self.parent(v)
                && g.edge_kind(e) == EdgeKind::Property
                && g.kind(from) == NodeKind::Object
            {
                *entries.entry(from).or_default() += 1;
            }
        }
        for (from, n) in entries {
            if n >= GROWN_ENTRIES {
                self.dictionary.insert(from, true);
            }
        }
    }

    fn is_dictionary(&mut self, v: NodeId) -> bool {
        let s = self.s;
        *self.dictionary.entry(v).or_insert_with(|| is_dictionary(s, v))
    }

    /// The retaining edge on a shortest path to the root, if any.
    fn parent(&self, v: NodeId) -> Option<(EdgeId, NodeId)> {
        let s = self.s;
        let g = &s.graph;
        let d = s.distances[v];
        if !d.is_reachable() {
            return None;
        }
        let mut best: Option<(Distance, EdgeId, NodeId)> = None;
        for slot in s.retainers.of(v) {
            let from = s.retainers.source(slot);
            let fd = s.distances[from];
            if from == g.root() || !fd.is_reachable() || fd >= d {
                continue;
            }
            let edge = s.retainers.edge(g, v, slot);
            if !query::shows_retainer(g, edge, from) {
                continue;
            }
            if best.is_none_or(|(bd, _, _)| fd < bd) {
                best = Some((fd, edge, from));
            }
        }
        best.map(|(_, e, f)| (e, f))
    }

    fn step(&mut self, from: NodeId, edge: EdgeId, to: NodeId) -> String {
        let s = self.s;
        let edge = if s.graph.edge_kind(edge) == EdgeKind::Property && self.is_dictionary(from) {
            "[key]".to_owned()
        } else {
            normalised_edge(s, edge)
        };
        format!("{edge} {}", s.class_name(to))
    }

    /// Whether `v` links to another object of its own class: a list's element (Node's timers by
    /// `_idleNext`/`_idlePrev`, a promise's reactions, a linked LRU's entries).
    fn is_list_node(&mut self, v: NodeId) -> bool {
        let s = self.s;
        let g = &s.graph;
        let class = s.classes.of_node[v];
        *self.list.entry(v).or_insert_with(|| {
            // A prototype shares its instances' class name: `__proto__` is no link of a list.
            g.edges(v).any(|e| {
                let to = g.to(e);
                to != v
                    && matches!(g.edge_kind(e), EdgeKind::Property | EdgeKind::Element)
                    && s.classes.of_node[to] == class
                    && !matches!(g.edge_name(e), EdgeName::Str("__proto__" | "constructor" | "prototype"))
            })
        })
    }

    /// The shape hash of `v`'s path from the root. Three normalisations make what one piece of
    /// code made one group: the elements of a list of one class have the shape of the list,
    /// whichever end and link reach them (a step into the same class adds nothing, and the
    /// step into a list drops its edge name); a step repeated along a chain counts once; a
    /// dictionary's keys are one `[key]`.
    fn signature(&mut self, v: NodeId) -> u64 {
        if let Some(&(h, _)) = self.memo.get(&v) {
            return h;
        }
        // Walk up to a memoised node (or the top), then hash back down.
        let mut chain: Vec<(NodeId, EdgeId, NodeId)> = Vec::new();
        let mut cur = v;
        let mut base = (0u64, 0u64);
        let mut guard = 0usize;
        while let Some((e, parent)) = self.parent(cur) {
            chain.push((parent, e, cur));
            if let Some(&h) = self.memo.get(&parent) {
                base = h;
                break;
            }
            cur = parent;
            guard += 1;
            if guard > 10_000 {
                break;
            }
        }
        let (mut h, mut last) = base;
        for &(parent, e, node) in chain.iter().rev() {
            let classes = &self.s.classes.of_node;
            if classes[parent] != classes[node] {
                let step = if self.is_list_node(node) {
                    hash_of(&("list of", classes[node]))
                } else {
                    hash_of(&self.step(parent, e, node))
                };
                if step != last {
                    h = hash_of(&(h, step));
                    last = step;
                }
            }
            self.memo.insert(node, (h, last));
        }
        h
    }

    /// A path's shape as text, root first, as reports print it: each hop's edge (indexes and
    /// dictionary keys as `[]` and `[key]`) and class, a step repeated along a chain once.
    fn describe_path(&mut self, path: &[Hop]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for pair in path.windows(2) {
            let Some(e) = pair[1].edge else { continue };
            let step = self.step(pair[0].node, e, pair[1].node);
            if out.last() != Some(&step) {
                out.push(step);
            }
        }
        out
    }
}

/// Whether only the engine's own bookkeeping keeps the group's objects alive: the path it
/// shows (readable, so it avoids V8's internals wherever another path exists) runs through
/// compiled code, feedback cells or allocation sites. V8 makes these while code warms up.
pub(crate) fn engine_held(s: &Snapshot, grp: &LeakGroup) -> bool {
    let g = &s.graph;
    grp.path.iter().any(|h| {
        g.kind(h.node) == NodeKind::Code
            || matches!(
                s.class_name(h.node),
                "system / AllocationSite" | "system / FeedbackCell" | "system / FeedbackVector"
            )
            || h.edge.is_some_and(|e| {
                matches!(
                    g.edge_name(e),
                    EdgeName::Str("feedback_cell" | "transition_info" | "allocation_site" | "feedback_vector")
                )
            })
    })
}

/// The groups without those the engine's bookkeeping alone keeps alive (and the groups they
/// keep alive), unless internals are asked for; `part_of` indexes follow.
pub fn without_engine_held(s: &Snapshot, groups: Vec<LeakGroup>, opts: &LeakOptions) -> Vec<LeakGroup> {
    if opts.include_internals {
        return groups;
    }
    let mut out_of: Vec<bool> = groups.iter().map(|grp| engine_held(s, grp)).collect();
    // What an engine-held group keeps alive goes with it.
    loop {
        let mut changed = false;
        for i in 0..groups.len() {
            if !out_of[i] && groups[i].part_of.is_some_and(|k| out_of[k]) {
                out_of[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut new_index = vec![usize::MAX; groups.len()];
    let mut kept = 0;
    for (i, out) in out_of.iter().enumerate() {
        if !out {
            new_index[i] = kept;
            kept += 1;
        }
    }
    groups
        .into_iter()
        .zip(out_of)
        .filter(|(_, out)| !out)
        .map(|(mut grp, _)| {
            grp.part_of = grp.part_of.map(|k| new_index[k]);
            grp
        })
        .collect()
}

/// Edge names with array indexes and numeric names replaced, so paths through different
/// elements of one array have one shape.
fn normalised_edge(s: &Snapshot, e: EdgeId) -> String {
    let g = &s.graph;
    match (g.edge_kind(e), g.edge_name(e)) {
        (EdgeKind::Element | EdgeKind::Hidden, _) => "[]".into(),
        (_, EdgeName::Str(name)) if name.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty() => "[]".into(),
        (EdgeKind::Internal, EdgeName::Str(name)) if name.contains(" / part of key") => "{weakmap entry}".into(),
        _ => query::edge_label(g, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(part_of: Option<usize>) -> LeakGroup {
        LeakGroup {
            original_class: None,
            class: String::new(),
            signature: Vec::new(),
            nodes: Vec::new(),
            shallow_size: 0,
            retained_size: 0.0,
            members_retained: 0.0,
            part_of,
            path: Vec::new(),
            hop_entries: Vec::new(),
            trace_nodes: Vec::new(),
        }
    }

    #[test]
    fn groups_are_numbered_in_reading_order() {
        // Ranked 0..5: 2 and 3 are kept alive by 0, 4 by 2; 1 and 5 are roots.
        let groups = [None, None, Some(0), Some(0), Some(2), None].map(group);
        assert_eq!(numbers(&groups), ["1", "2", "1.1", "1.2", "1.1.1", "3"]);
    }
}
