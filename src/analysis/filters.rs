//! DevTools' named Summary filters (`createNamedFilter`) and its duplicated strings
//! (`getDuplicateStrings`), ported literally: each retained-by filter is a breadth-first
//! search from the root that refuses some edges; what it cannot reach, though the normal
//! distances do, is what those edges retain.

use std::collections::HashMap;

use super::Snapshot;
use super::bits::BitVec;
use super::query::display_name;
use crate::model::{EdgeId, EdgeKind, EdgeName, Graph, NodeId, NodeKind};
use crate::progress::{Cancelled, Progress, tick};

/// The filters of DevTools' Summary dropdown, by DevTools' own names.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum NamedFilter {
    ObjectsRetainedByDetachedDomNodes,
    ObjectsRetainedByConsole,
    ObjectsRetainedByEventHandlers,
    ObjectsRetainedByContexts,
    DuplicatedStrings,
}

impl NamedFilter {
    pub const ALL: [NamedFilter; 5] = [
        NamedFilter::ObjectsRetainedByDetachedDomNodes,
        NamedFilter::ObjectsRetainedByConsole,
        NamedFilter::ObjectsRetainedByEventHandlers,
        NamedFilter::ObjectsRetainedByContexts,
        NamedFilter::DuplicatedStrings,
    ];

    /// DevTools' name (`createNamedFilter`'s argument, `--filter NAME`).
    pub fn name(self) -> &'static str {
        match self {
            NamedFilter::ObjectsRetainedByDetachedDomNodes => "objectsRetainedByDetachedDomNodes",
            NamedFilter::ObjectsRetainedByConsole => "objectsRetainedByConsole",
            NamedFilter::ObjectsRetainedByEventHandlers => "objectsRetainedByEventHandlers",
            NamedFilter::ObjectsRetainedByContexts => "objectsRetainedByContexts",
            NamedFilter::DuplicatedStrings => "duplicatedStrings",
        }
    }

    /// How the Summary's filter menu names it.
    pub fn label(self) -> &'static str {
        match self {
            NamedFilter::ObjectsRetainedByDetachedDomNodes => "Objects retained by detached DOM nodes",
            NamedFilter::ObjectsRetainedByConsole => "Objects retained by the DevTools console",
            NamedFilter::ObjectsRetainedByEventHandlers => "Objects retained by event handlers",
            NamedFilter::ObjectsRetainedByContexts => "Objects retained by contexts",
            NamedFilter::DuplicatedStrings => "Duplicated strings",
        }
    }

    pub fn parse(s: &str) -> Option<NamedFilter> {
        NamedFilter::ALL.into_iter().find(|f| f.name() == s)
    }

    /// The nodes the filter accepts.
    pub fn members(self, s: &Snapshot, progress: &Progress) -> Result<BitVec, Cancelled> {
        let g = &s.graph;
        match self {
            NamedFilter::ObjectsRetainedByContexts => {
                retained_by(s, |_, e| !is_context_object(g.name(g.to(e))), progress)
            }
            NamedFilter::ObjectsRetainedByDetachedDomNodes => {
                retained_by(s, |_, e| g.detachedness(g.to(e)) != DETACHED, progress)
            }
            NamedFilter::ObjectsRetainedByConsole => retained_by(
                s,
                |v, e| {
                    !(g.kind(v) == NodeKind::Synthetic
                        && has_string_name(g, e)
                        && g.strings().get(g.edge_name_index(e)).ends_with(" / DevTools console"))
                },
                progress,
            ),
            NamedFilter::ObjectsRetainedByEventHandlers => {
                let handlers = event_handlers(g);
                retained_by(s, |_, e| !handlers.get(g.to(e).index()), progress)
            }
            NamedFilter::DuplicatedStrings => Ok(duplicated_strings(g)),
        }
    }
}

/// DevTools' `DOMLinkState.DETACHED`.
const DETACHED: u8 = 2;

/// `JSHeapSnapshot.isContextObject`.
fn is_context_object(raw_name: &str) -> bool {
    raw_name == "system / Context" || raw_name.starts_with("system / Context / ")
}

/// `JSHeapSnapshotEdge.hasStringName`: named edges, and shortcuts whose name is not a number.
fn has_string_name(g: &Graph, e: EdgeId) -> bool {
    match g.edge_kind(e) {
        EdgeKind::Element | EdgeKind::Hidden => false,
        EdgeKind::Shortcut => match g.edge_name(e) {
            EdgeName::Index(_) => false,
            EdgeName::Str(s) => super::distances::js_parse_int(s).is_none(),
        },
        _ => true,
    }
}

/// The nodes that the normal distances reach but a breadth-first search from the root that
/// takes only the edges `allow` accepts does not (DevTools' `traverse` + `markUnreachableNodes`).
fn retained_by(s: &Snapshot, allow: impl Fn(NodeId, EdgeId) -> bool, progress: &Progress) -> Result<BitVec, Cancelled> {
    let g = &s.graph;
    let n = g.node_count();
    let mut reached = BitVec::new(n);
    let mut queue: Vec<NodeId> = Vec::with_capacity(1024);
    reached.set(g.root().index());
    queue.push(g.root());
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        tick(progress, head, 16)?;
        for e in g.edges(v) {
            if g.edge_kind(e) == EdgeKind::Weak {
                continue;
            }
            let t = g.to(e);
            if reached.get(t.index()) || !allow(v, e) {
                continue;
            }
            reached.set(t.index());
            queue.push(t);
        }
    }
    let mut members = BitVec::new(n);
    for v in 0..n {
        if !reached.get(v) && s.distances[v].is_reachable() {
            members.set(v);
        }
    }
    Ok(members)
}

/// The first edge of `v` whose name (as DevTools prints it) is `name`.
fn edge_target(g: &Graph, v: NodeId, name: &str) -> Option<NodeId> {
    g.edges(v)
        .find(|&e| g.edge_name(e).to_string() == name)
        .map(|e| g.to(e))
}

/// The event handler functions: each `V8EventListener`'s callback (edge `1`) when it has code,
/// else the first of the callback's children that has code, else the callback itself.
fn event_handlers(g: &Graph) -> BitVec {
    let mut handlers = BitVec::new(g.node_count());
    for v in g.nodes() {
        if g.name(v) != "V8EventListener" {
            continue;
        }
        let Some(callback) = edge_target(g, v, "1") else {
            continue;
        };
        if edge_target(g, callback, "code").is_some() {
            handlers.set(callback.index());
            continue;
        }
        match g
            .edges(callback)
            .map(|e| g.to(e))
            .find(|&child| edge_target(g, child, "code").is_some())
        {
            Some(child) => handlers.set(child.index()),
            None => handlers.set(callback.index()),
        }
    }
    handlers
}

/// A string's truncation facts, when V8 recorded them (`truncated`, `length`, `hash` edges).
struct Truncation {
    truncated: bool,
    length: Option<i64>,
    hash: Option<i64>,
}

fn internal_target(g: &Graph, v: NodeId, name: &str) -> Option<NodeId> {
    g.edges(v)
        .find(|&e| g.edge_kind(e) == EdgeKind::Internal && g.strings().get(g.edge_name_index(e)) == name)
        .map(|e| g.to(e))
}

/// `nodeValueAsInt` / `nodeValueAsBool`: V8's virtual `int` and `bool` number nodes.
fn value_of<'g>(g: &'g Graph, v: NodeId, kind: &str) -> Option<&'g str> {
    if g.kind(v) != NodeKind::Number || g.name(v) != kind {
        return None;
    }
    internal_target(g, v, "value").map(|t| g.name(t))
}

fn truncation(g: &Graph, v: NodeId) -> Truncation {
    let int = |name: &str| {
        internal_target(g, v, name)
            .and_then(|t| value_of(g, t, "int"))
            .and_then(super::distances::js_parse_int)
            .map(|x| x as i64)
    };
    Truncation {
        truncated: internal_target(g, v, "truncated").and_then(|t| value_of(g, t, "bool")) == Some("true"),
        length: int("length"),
        hash: int("hash"),
    }
}

/// `isFlatConsString`: a cons string one of whose halves is empty.
fn is_flat_cons_string(g: &Graph, v: NodeId) -> bool {
    g.kind(v) == NodeKind::ConsString
        && g.edges(v).any(|e| {
            g.edge_kind(e) == EdgeKind::Internal
                && matches!(g.strings().get(g.edge_name_index(e)), "first" | "second")
                && display_name(g, g.to(e)).is_empty()
        })
}

/// The strings DevTools compares for duplicates: strings and cons strings that are not flat
/// and have a size.
fn duplicate_candidate(g: &Graph, v: NodeId) -> bool {
    matches!(g.kind(v), NodeKind::String | NodeKind::ConsString) && !is_flat_cons_string(g, v) && g.self_size(v) > 0
}

/// `createDuplicatedStringsFilter`: strings whose value another string has too (truncated
/// strings: the same prefix, length and hash).
fn duplicated_strings(g: &Graph) -> BitVec {
    let mut members = BitVec::new(g.node_count());
    let mut first: HashMap<String, NodeId> = HashMap::new();
    // Truncated strings by prefix: (first node, length, hash) of each distinct string.
    type Seen = Vec<(NodeId, Option<i64>, Option<i64>)>;
    let mut truncated: HashMap<String, Seen> = HashMap::new();
    for v in g.nodes() {
        if !duplicate_candidate(g, v) {
            continue;
        }
        let name = display_name(g, v);
        let t = truncation(g, v);
        if t.truncated {
            let entries = truncated.entry(name).or_default();
            match entries.iter().find(|x| x.1 == t.length && x.2 == t.hash) {
                Some(&(other, ..)) => {
                    members.set(other.index());
                    members.set(v.index());
                }
                None => entries.push((v, t.length, t.hash)),
            }
        } else {
            match first.get(&name) {
                Some(&other) => {
                    members.set(other.index());
                    members.set(v.index());
                }
                None => {
                    first.insert(name, v);
                }
            }
        }
    }
    members
}

/// One group of DevTools' duplicated strings.
#[derive(Debug, Clone)]
pub struct DuplicateGroup {
    pub value: String,
    pub truncated: bool,
    /// The recorded length of a truncated string.
    pub(crate) length: Option<i64>,
    pub count: usize,
    pub(crate) total_self_size: u64,
    pub(crate) total_retained_size: f64,
    /// Members in node order.
    pub nodes: Vec<NodeId>,
}

impl DuplicateGroup {
    /// The value's length as DevTools reports it: UTF-16 code units, or the recorded length.
    pub(crate) fn value_length(&self) -> i64 {
        if self.truncated {
            self.length.unwrap_or(0)
        } else {
            self.value.encode_utf16().count() as i64
        }
    }
}

/// `getDuplicateStrings`: groups by value (untruncated first, in order of first appearance,
/// then the truncated ones), by total retained size, largest first (a stable sort).
pub fn duplicate_strings(s: &Snapshot) -> Vec<DuplicateGroup> {
    let g = &s.graph;
    let members = duplicated_strings(g);
    let mut untruncated: Vec<DuplicateGroup> = Vec::new();
    let mut by_value: HashMap<String, usize> = HashMap::new();
    let mut truncated_order: Vec<String> = Vec::new();
    let mut truncated: HashMap<String, Vec<DuplicateGroup>> = HashMap::new();
    for v in g.nodes() {
        if !members.get(v.index()) {
            continue;
        }
        let name = display_name(g, v);
        let t = truncation(g, v);
        let group = if t.truncated {
            if !truncated.contains_key(&name) {
                truncated_order.push(name.clone());
            }
            let groups = truncated.entry(name.clone()).or_default();
            let i = match groups
                .iter()
                .position(|x| x.length == t.length && hash_of(x, g) == t.hash)
            {
                Some(i) => i,
                None => {
                    groups.push(DuplicateGroup::new(name, true, t.length));
                    groups.len() - 1
                }
            };
            &mut groups[i]
        } else {
            let i = *by_value.entry(name.clone()).or_insert_with(|| {
                untruncated.push(DuplicateGroup::new(name, false, None));
                untruncated.len() - 1
            });
            &mut untruncated[i]
        };
        group.count += 1;
        group.total_self_size += g.self_size(v) as u64;
        group.total_retained_size += s.retained.get(v);
        group.nodes.push(v);
    }
    let mut all = untruncated;
    for name in truncated_order {
        all.extend(truncated.remove(&name).unwrap_or_default());
    }
    all.sort_by(|a, b| b.total_retained_size.total_cmp(&a.total_retained_size));
    all
}

/// DevTools' duplicated strings with what they add up to: how many strings, and the bytes that
/// keeping one copy of each value would save.
pub struct Duplicates {
    pub groups: Vec<DuplicateGroup>,
    pub strings: u64,
    pub saving: u64,
}

pub fn duplicates(s: &Snapshot) -> Duplicates {
    let groups = duplicate_strings(s);
    Duplicates {
        strings: groups.iter().map(|d| d.count as u64).sum(),
        saving: groups
            .iter()
            .map(|d| d.total_self_size - d.total_self_size / d.count.max(1) as u64)
            .sum(),
        groups,
    }
}

/// The hash a truncated group was made with: that of its first member.
fn hash_of(group: &DuplicateGroup, g: &Graph) -> Option<i64> {
    group.nodes.first().and_then(|&v| truncation(g, v).hash)
}

impl DuplicateGroup {
    fn new(value: String, truncated: bool, length: Option<i64>) -> DuplicateGroup {
        DuplicateGroup {
            value,
            truncated,
            length,
            count: 0,
            total_self_size: 0,
            total_retained_size: 0.0,
            nodes: Vec::new(),
        }
    }
}
