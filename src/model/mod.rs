//! The snapshot graph: struct-of-arrays columns indexed by node and edge ordinals, edges in CSR
//! form (`first_edge`). Built once from a [`RawSnapshot`]; the analysis later rewrites only
//! what DevTools rewrites (detached node names, transferred self sizes).

use rayon::iter::IndexedParallelIterator;
use rayon::prelude::*;

pub use crate::column::Column;
use crate::error::{Error, Result};
use crate::format::traces::{AllocationTraces, TimelineSample};
use crate::format::{RawSnapshot, StringTable};
use crate::progress::{Phase, Progress};

/// A position in one file's `nodes` or `edges` array, as its own type: an ordinal is only
/// meaningful within its snapshot and for its kind of array, and per-item arrays are indexed
/// by it directly (`sizes[v]`).
macro_rules! ordinal {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
        #[repr(transparent)]
        pub struct $name(u32);

        impl $name {
            #[inline]
            pub const fn new(ordinal: u32) -> $name {
                $name(ordinal)
            }

            /// From a position in a per-item array (callers keep it below the item count).
            #[inline]
            pub fn at(index: usize) -> $name {
                debug_assert!(index < u32::MAX as usize);
                $name(index as u32)
            }

            #[inline]
            pub const fn get(self) -> u32 {
                self.0
            }

            /// The position in per-item arrays.
            #[inline]
            pub const fn index(self) -> usize {
                self.0 as usize
            }
        }

        // SAFETY: a `repr(transparent)` `u32`: any bit pattern is a value, there is no padding.
        unsafe impl bytemuck::Zeroable for $name {}
        unsafe impl bytemuck::Pod for $name {}

        impl<T> std::ops::Index<$name> for [T] {
            type Output = T;
            #[inline]
            fn index(&self, i: $name) -> &T {
                &self[i.index()]
            }
        }

        impl<T> std::ops::IndexMut<$name> for [T] {
            #[inline]
            fn index_mut(&mut self, i: $name) -> &mut T {
                &mut self[i.index()]
            }
        }

        impl<T> std::ops::Index<$name> for Vec<T> {
            type Output = T;
            #[inline]
            fn index(&self, i: $name) -> &T {
                &self[i.index()]
            }
        }

        impl<T> std::ops::IndexMut<$name> for Vec<T> {
            #[inline]
            fn index_mut(&mut self, i: $name) -> &mut T {
                &mut self[i.index()]
            }
        }
    };
}

ordinal!(
    /// A node, by ordinal. See [`ObjectId`] for what identifies an object across snapshots.
    NodeId
);

ordinal!(
    /// An edge, by ordinal.
    EdgeId
);

/// A V8 object id (`@123` in DevTools): an object keeps it across the snapshots of one process,
/// unlike its [`NodeId`], which is only its position in one file.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
#[repr(transparent)]
pub struct ObjectId(pub u32);

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

// SAFETY: a `repr(transparent)` `u32`, as above.
unsafe impl bytemuck::Zeroable for ObjectId {}
unsafe impl bytemuck::Pod for ObjectId {}

/// Ordinals as nodes, without a copy (a dominator array can be a tenth of the heap).
pub(crate) fn node_ids(v: Vec<u32>) -> Vec<NodeId> {
    let mut v = std::mem::ManuallyDrop::new(v);
    let (ptr, len, cap) = (v.as_mut_ptr(), v.len(), v.capacity());
    // SAFETY: `NodeId` is a `repr(transparent)` `u32`: same size, alignment and validity, so the
    // allocation is the right layout for it.
    unsafe { Vec::from_raw_parts(ptr.cast::<NodeId>(), len, cap) }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Hidden,
    Array,
    String,
    Object,
    Code,
    Closure,
    RegExp,
    Number,
    Native,
    Synthetic,
    ConsString,
    SlicedString,
    Symbol,
    BigInt,
    ObjectShape,
    Other,
}

impl NodeKind {
    pub(crate) fn from_name(s: &str) -> Self {
        match s {
            "hidden" => NodeKind::Hidden,
            "array" => NodeKind::Array,
            "string" => NodeKind::String,
            "object" => NodeKind::Object,
            "code" => NodeKind::Code,
            "closure" => NodeKind::Closure,
            "regexp" => NodeKind::RegExp,
            "number" => NodeKind::Number,
            "native" => NodeKind::Native,
            "synthetic" => NodeKind::Synthetic,
            "concatenated string" => NodeKind::ConsString,
            "sliced string" => NodeKind::SlicedString,
            "symbol" => NodeKind::Symbol,
            "bigint" => NodeKind::BigInt,
            "object shape" => NodeKind::ObjectShape,
            _ => NodeKind::Other,
        }
    }

    pub(crate) fn is_string(self) -> bool {
        matches!(self, NodeKind::String | NodeKind::ConsString | NodeKind::SlicedString)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum EdgeKind {
    Context,
    Element,
    Property,
    Internal,
    Hidden,
    Shortcut,
    Weak,
    Other,
}

impl EdgeKind {
    pub(crate) fn from_name(s: &str) -> Self {
        match s {
            "context" => EdgeKind::Context,
            "element" => EdgeKind::Element,
            "property" => EdgeKind::Property,
            "internal" => EdgeKind::Internal,
            "hidden" => EdgeKind::Hidden,
            "shortcut" => EdgeKind::Shortcut,
            "weak" => EdgeKind::Weak,
            _ => EdgeKind::Other,
        }
    }

    /// Element and hidden edges carry a numeric index; all others a string index.
    pub(crate) fn has_string_name(self) -> bool {
        !matches!(self, EdgeKind::Element | EdgeKind::Hidden)
    }
}

/// The name of an edge as DevTools shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeName<'a> {
    Str(&'a str),
    Index(u32),
}

impl std::fmt::Display for EdgeName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EdgeName::Str(s) => f.write_str(s),
            EdgeName::Index(i) => write!(f, "{i}"),
        }
    }
}

/// A source location of an object's constructor, 0-based as stored in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub script_id: u32,
    pub line: u32,
    pub column: u32,
}

/// Where an edge's type index starts in its `edge_to` word: 2^28 nodes, 16 edge types.
pub(crate) const EDGE_TYPE_SHIFT: u32 = 28;
const EDGE_TARGET_MASK: u32 = (1 << EDGE_TYPE_SHIFT) - 1;

/// The target ordinal of an `edge_to` word.
#[inline]
pub(crate) const fn edge_target(word: u32) -> u32 {
    word & EDGE_TARGET_MASK
}

/// The edge type index of an `edge_to` word.
#[inline]
pub(crate) const fn edge_type_index(word: u32) -> u8 {
    (word >> EDGE_TYPE_SHIFT) as u8
}

/// Where a node's detachedness starts in its `node_type` byte (V8 writes 0, 1 or 2).
pub(crate) const DETACHEDNESS_SHIFT: u8 = 6;
/// The type index bits of a `node_type` byte: 64 node types.
pub(crate) const NODE_TYPE_MASK: u8 = (1 << DETACHEDNESS_SHIFT) - 1;

/// The graph's columns as stored: what an index file holds and maps back. Everything outside
/// the model reads them through [`Graph`]'s accessors; the index and the hot loops of the
/// analysis borrow them whole.
pub(crate) struct Columns {
    /// The node type's index in the low 6 bits, V8's detachedness in the top 2
    /// ([`NODE_TYPE_MASK`]): one byte a node where two took two.
    pub(crate) node_type: Column<u8>,
    pub(crate) node_name: Column<u32>,
    pub(crate) object_id: Column<u32>,
    /// Reduced modulo 2^32, exactly as DevTools stores it.
    pub(crate) self_size: Column<u32>,
    /// Edge ordinal of each node's first edge; `node_count + 1` entries.
    pub(crate) first_edge: Column<u32>,
    pub(crate) edge_name: Column<u32>,
    /// Target node ordinal in the low [`EDGE_TYPE_SHIFT`] bits, edge type index above them:
    /// one column where two took 5 bytes an edge ([`edge_target`], [`edge_type_index`]).
    pub(crate) edge_to: Column<u32>,
    /// Each node's allocation trace node id (0: not recorded); empty for untracked snapshots.
    pub(crate) trace_node: Column<u32>,
}

impl Columns {
    fn heap_bytes(&self) -> usize {
        self.node_type.heap_bytes()
            + self.node_name.heap_bytes()
            + self.object_id.heap_bytes()
            + self.self_size.heap_bytes()
            + self.first_edge.heap_bytes()
            + self.edge_name.heap_bytes()
            + self.edge_to.heap_bytes()
            + self.trace_node.heap_bytes()
    }
}

/// What makes a [`Graph`], besides its columns.
pub(crate) struct GraphParts {
    pub(crate) node_type_names: Vec<String>,
    pub(crate) edge_type_names: Vec<String>,
    pub(crate) columns: Columns,
    pub(crate) strings: StringTable,
    pub(crate) locations: Vec<[u32; 4]>,
    pub(crate) root: NodeId,
    pub(crate) extra_native_bytes: f64,
    pub(crate) has_detachedness: bool,
    pub(crate) traces: Option<AllocationTraces>,
    pub(crate) samples: Vec<TimelineSample>,
}

pub struct Graph {
    node_type_names: Vec<String>,
    edge_type_names: Vec<String>,
    node_kinds: Vec<NodeKind>,
    edge_kinds: Vec<EdgeKind>,
    c: Columns,
    strings: StringTable,
    /// (ordinal, script id, line, column) sorted by ordinal. Only class keys use it; the
    /// analysis empties it once classes are built (an object's location is its class's).
    locations: Vec<[u32; 4]>,
    root: NodeId,
    extra_native_bytes: f64,
    has_detachedness: bool,
    /// The highest edge type index V8 wrote plus one; DevTools appends `invisible` after it.
    invisible_edge_type: u8,
    /// The allocation call tree, when allocation tracking was on.
    traces: Option<AllocationTraces>,
    /// An allocation timeline's samples (empty for a plain snapshot).
    samples: Vec<TimelineSample>,
}

impl Graph {
    /// Wraps parsed columns and checks every string index.
    pub(crate) fn from_raw(raw: RawSnapshot, progress: &Progress) -> Result<Graph> {
        progress.begin(Phase::Validating, 2);
        let node_count = raw.object_id.len();
        if node_count > EDGE_TARGET_MASK as usize + 1 {
            return Err(Error::invalid(format!(
                "the snapshot has {node_count} nodes; heapsift reads at most 2^28 ({})",
                EDGE_TARGET_MASK as usize + 1
            )));
        }
        let node_types = raw.header.node_types.len();
        if node_types > NODE_TYPE_MASK as usize + 1 {
            return Err(Error::invalid(format!(
                "the snapshot declares {node_types} node types; heapsift reads at most {}",
                NODE_TYPE_MASK as usize + 1
            )));
        }
        // One more for DevTools' `invisible`, which follows the file's own.
        let edge_types = raw.header.edge_types.len();
        if edge_types >= 1 << (32 - EDGE_TYPE_SHIFT) {
            return Err(Error::invalid(format!(
                "the snapshot declares {edge_types} edge types; heapsift reads at most {}",
                (1 << (32 - EDGE_TYPE_SHIFT)) - 1
            )));
        }
        let edge_kinds: Vec<EdgeKind> = raw.header.edge_types.iter().map(|s| EdgeKind::from_name(s)).collect();
        let string_count = raw.strings.len() as u64;

        if let Some(ord) = first_bad(raw.node_name.len(), |i| raw.node_name[i] as u64 >= string_count) {
            return Err(Error::invalid(format!(
                "node {ord} (id {}) has name index {}, but there are only {string_count} strings",
                raw.object_id[ord], raw.node_name[ord]
            )));
        }
        progress.advance(1)?;
        let string_named: Vec<bool> = edge_kinds.iter().map(|k| k.has_string_name()).collect();
        if let Some(e) = first_bad(raw.edge_name.len(), |e| {
            string_named[raw.edge_type[e] as usize] && raw.edge_name[e] as u64 >= string_count
        }) {
            return Err(Error::invalid(format!(
                "edge {e} has name index {}, but there are only {string_count} strings",
                raw.edge_name[e]
            )));
        }
        progress.advance(1)?;
        let mut edge_to = raw.edge_to;
        edge_to
            .par_iter_mut()
            .zip(raw.edge_type.par_iter())
            .with_min_len(1 << 16)
            .for_each(|(to, &t)| *to |= (t as u32) << EDGE_TYPE_SHIFT);
        drop(raw.edge_type);
        let mut node_type = raw.node_type;
        node_type
            .par_iter_mut()
            .zip(raw.detachedness.par_iter())
            .with_min_len(1 << 16)
            .for_each(|(t, &d)| *t |= d << DETACHEDNESS_SHIFT);
        drop(raw.detachedness);

        Ok(Graph::from_parts(GraphParts {
            node_type_names: raw.header.node_types,
            edge_type_names: raw.header.edge_types,
            columns: Columns {
                node_type: node_type.into(),
                node_name: raw.node_name.into(),
                object_id: raw.object_id.into(),
                self_size: raw.self_size.into(),
                first_edge: raw.first_edge.into(),
                edge_name: raw.edge_name.into(),
                edge_to: edge_to.into(),
                trace_node: raw.trace_node.into(),
            },
            traces: raw.traces,
            samples: raw.samples,
            strings: raw.strings,
            locations: raw.locations,
            root: NodeId(raw.root),
            extra_native_bytes: raw.header.extra_native_bytes,
            has_detachedness: raw.header.has_detachedness,
        }))
    }

    /// A graph from checked parts (the parser's, or an index's).
    pub(crate) fn from_parts(p: GraphParts) -> Graph {
        Graph {
            node_kinds: p.node_type_names.iter().map(|s| NodeKind::from_name(s)).collect(),
            edge_kinds: p.edge_type_names.iter().map(|s| EdgeKind::from_name(s)).collect(),
            invisible_edge_type: p.edge_type_names.len() as u8,
            node_type_names: p.node_type_names,
            edge_type_names: p.edge_type_names,
            c: p.columns,
            strings: p.strings,
            locations: p.locations,
            root: p.root,
            extra_native_bytes: p.extra_native_bytes,
            has_detachedness: p.has_detachedness,
            traces: p.traces,
            samples: p.samples,
        }
    }

    /// An allocation timeline's samples, in time order; empty for a plain snapshot.
    pub fn timeline_samples(&self) -> &[TimelineSample] {
        &self.samples
    }

    pub(crate) fn set_timeline_samples(&mut self, samples: Vec<TimelineSample>) {
        self.samples = samples;
    }

    pub(crate) fn set_traces(&mut self, traces: Option<AllocationTraces>) {
        self.traces = traces;
    }

    /// The allocation call tree, for snapshots taken with allocation tracking on.
    pub fn traces(&self) -> Option<&AllocationTraces> {
        self.traces.as_ref()
    }

    /// The id of the allocation trace node that made `n`; 0 when none was recorded.
    #[inline]
    pub fn trace_node_id(&self, n: NodeId) -> u32 {
        self.c.trace_node.get(n.index()).copied().unwrap_or(0)
    }

    /// The columns whole, for the index and the analysis's hot loops.
    #[inline]
    pub(crate) fn columns(&self) -> &Columns {
        &self.c
    }

    #[inline]
    pub fn node_count(&self) -> usize {
        self.c.object_id.len()
    }

    #[inline]
    pub fn edge_count(&self) -> usize {
        self.c.edge_to.len()
    }

    /// Every node, in ordinal order.
    #[inline]
    pub fn nodes(&self) -> impl DoubleEndedIterator<Item = NodeId> + ExactSizeIterator + Clone + use<> {
        (0..self.node_count() as u32).map(NodeId)
    }

    /// Every node, in parallel.
    #[inline]
    pub(crate) fn par_nodes(&self) -> impl IndexedParallelIterator<Item = NodeId> + use<> {
        (0..self.node_count() as u32).into_par_iter().map(NodeId)
    }

    /// The synthetic root every path starts from.
    #[inline]
    pub fn root(&self) -> NodeId {
        self.root
    }

    #[inline]
    pub fn kind(&self, n: NodeId) -> NodeKind {
        self.node_kinds[self.type_index(n) as usize]
    }

    /// The node type's index into [`Graph::node_type_names`].
    #[inline]
    pub(crate) fn type_index(&self, n: NodeId) -> u8 {
        self.c.node_type[n] & NODE_TYPE_MASK
    }

    /// The node type as V8 names it ("object", "closure", ...).
    pub fn type_name(&self, n: NodeId) -> &str {
        &self.node_type_names[self.type_index(n) as usize]
    }

    /// The file's node type names, in its order.
    pub(crate) fn node_type_names(&self) -> &[String] {
        &self.node_type_names
    }

    pub(crate) fn edge_type_names(&self) -> &[String] {
        &self.edge_type_names
    }

    #[inline]
    pub(crate) fn edge_kind(&self, e: EdgeId) -> EdgeKind {
        self.edge_kinds[edge_type_index(self.c.edge_to[e.index()]) as usize]
    }

    pub(crate) fn edge_type_name(&self, e: EdgeId) -> &str {
        &self.edge_type_names[edge_type_index(self.c.edge_to[e.index()]) as usize]
    }

    /// An edge DevTools hides (its `invisible` type, given to edges it rewires).
    #[inline]
    pub(crate) fn is_invisible(&self, e: EdgeId) -> bool {
        edge_type_index(self.c.edge_to[e.index()]) == self.invisible_edge_type
    }

    /// The node's outgoing edges.
    #[inline]
    pub fn edges(&self, n: NodeId) -> impl DoubleEndedIterator<Item = EdgeId> + ExactSizeIterator + Clone + use<> {
        self.edge_range(n).map(|e| EdgeId(e as u32))
    }

    #[inline]
    pub fn has_edges(&self, n: NodeId) -> bool {
        !self.edge_range(n).is_empty()
    }

    /// The node's outgoing edges as positions in per-edge arrays.
    #[inline]
    pub(crate) fn edge_range(&self, n: NodeId) -> std::ops::Range<usize> {
        self.c.first_edge[n] as usize..self.c.first_edge[n.index() + 1] as usize
    }

    /// The node's raw name (after DevTools' "Detached " rename).
    #[inline]
    pub fn name(&self, n: NodeId) -> &str {
        self.strings.get(self.c.node_name[n])
    }

    /// The node's name as an index into [`Graph::strings`].
    #[inline]
    pub(crate) fn name_index(&self, n: NodeId) -> u32 {
        self.c.node_name[n]
    }

    #[inline]
    pub fn id(&self, n: NodeId) -> ObjectId {
        ObjectId(self.c.object_id[n])
    }

    /// Every node's object id, by ordinal.
    #[inline]
    pub(crate) fn object_ids(&self) -> &[ObjectId] {
        bytemuck::cast_slice(&self.c.object_id)
    }

    /// The node's own size in bytes (after the analysis's transfers, as DevTools shows it).
    #[inline]
    pub fn self_size(&self, n: NodeId) -> u32 {
        self.c.self_size[n]
    }

    /// Every node's own size, by ordinal.
    #[inline]
    pub fn self_sizes(&self) -> &[u32] {
        &self.c.self_size
    }

    /// V8's detachedness: 0 unknown, 1 attached, 2 detached (after DevTools' propagation).
    #[inline]
    pub fn detachedness(&self, n: NodeId) -> u8 {
        self.c.node_type[n] >> DETACHEDNESS_SHIFT
    }

    #[inline]
    pub fn to(&self, e: EdgeId) -> NodeId {
        NodeId(edge_target(self.c.edge_to[e.index()]))
    }

    pub fn edge_name(&self, e: EdgeId) -> EdgeName<'_> {
        if self.edge_kind(e).has_string_name() {
            EdgeName::Str(self.strings.get(self.c.edge_name[e.index()]))
        } else {
            EdgeName::Index(self.c.edge_name[e.index()])
        }
    }

    /// The edge's name field: a string index, or the index of an element or hidden edge.
    #[inline]
    pub(crate) fn edge_name_index(&self, e: EdgeId) -> u32 {
        self.c.edge_name[e.index()]
    }

    /// The string name of a string-named edge, `None` for element and hidden edges.
    #[inline]
    pub fn edge_str(&self, e: EdgeId) -> Option<&str> {
        self.edge_kind(e)
            .has_string_name()
            .then(|| self.strings.get(self.c.edge_name[e.index()]))
    }

    #[inline]
    pub fn strings(&self) -> &StringTable {
        &self.strings
    }

    /// Constructor locations, (ordinal, script id, line, column) sorted by ordinal; empty once
    /// the analysis has built classes.
    pub fn locations(&self) -> &[[u32; 4]] {
        &self.locations
    }

    /// Native bytes outside the graph that DevTools adds to the total.
    pub fn extra_native_bytes(&self) -> f64 {
        self.extra_native_bytes
    }

    /// Whether the file has a detachedness field (Chromium's snapshots do).
    pub(crate) fn has_detachedness(&self) -> bool {
        self.has_detachedness
    }

    /// Whether the columns are read from a mapped index rather than held in memory.
    pub fn is_mapped(&self) -> bool {
        self.c.edge_to.is_mapped() && self.c.object_id.is_mapped()
    }

    /// Finds a node by its snapshot object id (linear scan; callers cache where it matters).
    pub fn find_id(&self, id: ObjectId) -> Option<NodeId> {
        self.c
            .object_id
            .par_iter()
            .position_first(|x| *x == id.0)
            .map(NodeId::at)
    }

    /// The largest odd id: DevTools' `maxJSObjectId`.
    pub fn max_js_object_id(&self) -> u32 {
        self.c
            .object_id
            .par_iter()
            .copied()
            .filter(|id| id % 2 == 1)
            .max()
            .unwrap_or(0)
    }

    /// Bytes held by the graph's columns.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.c.heap_bytes() + self.strings.heap_bytes() + self.locations.capacity() * 16
    }

    // What the analysis rewrites, as DevTools does: names of detached DOM nodes, sizes moved to
    // their owners, detachedness propagated, class names added to the strings.

    pub(crate) fn strings_mut(&mut self) -> &mut StringTable {
        &mut self.strings
    }

    pub(crate) fn set_self_size(&mut self, n: NodeId, size: u32) {
        self.c.self_size[n] = size;
    }

    pub(crate) fn set_name_index(&mut self, n: NodeId, name: u32) {
        self.c.node_name[n] = name;
    }

    pub(crate) fn set_detachedness(&mut self, n: NodeId, state: u8) {
        let t = &mut self.c.node_type[n];
        *t = (*t & NODE_TYPE_MASK) | state << DETACHEDNESS_SHIFT;
    }

    /// Hands the locations over (to the classes), freeing them here.
    pub(crate) fn take_locations(&mut self) -> Vec<[u32; 4]> {
        std::mem::take(&mut self.locations)
    }

    /// For tests of index validation: the columns, writable.
    #[cfg(test)]
    pub(crate) fn columns_mut(&mut self) -> &mut Columns {
        &mut self.c
    }
}

/// A snapshot object id as users type it: `@123` or `123`, with spaces around allowed. The one
/// parser for the CLI's `object` and `--select`, and the app's "Find object".
pub fn parse_object_id(text: &str) -> Option<ObjectId> {
    let t = text.trim();
    let digits = t.strip_prefix('@').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(ObjectId)
}

/// The first index in `0..len` where `bad` holds, scanning blocks in parallel.
fn first_bad(len: usize, bad: impl Fn(usize) -> bool + Sync) -> Option<usize> {
    const BLOCK: usize = 1 << 16;
    (0..len.div_ceil(BLOCK))
        .into_par_iter()
        .filter_map(|b| (b * BLOCK..((b + 1) * BLOCK).min(len)).find(|&i| bad(i)))
        .min()
}

#[cfg(test)]
mod tests {
    use super::{EdgeId, NodeId, ObjectId, node_ids, parse_object_id};

    #[test]
    fn ordinals_index_their_arrays_and_convert_in_place() {
        let v = vec![5u32, 0, 7];
        let ptr = v.as_ptr() as usize;
        let nodes = node_ids(v);
        assert_eq!(nodes.as_ptr() as usize, ptr, "no copy");
        assert_eq!(nodes, [NodeId::new(5), NodeId::new(0), NodeId::new(7)]);
        let sizes = [10u32, 20, 30];
        assert_eq!(sizes[NodeId::at(2)], 30);
        assert_eq!(sizes[..][EdgeId::new(1)], 20);
        assert_eq!(NodeId::at(3).index(), 3);
        let ids: &[ObjectId] = bytemuck::cast_slice(&sizes);
        assert_eq!(ids[1], ObjectId(20));
    }

    #[test]
    fn object_ids_parse_as_users_type_them() {
        assert_eq!(parse_object_id("@123"), Some(ObjectId(123)));
        assert_eq!(parse_object_id("123"), Some(ObjectId(123)));
        assert_eq!(parse_object_id("  @40115 "), Some(ObjectId(40115)));
        assert_eq!(parse_object_id("@4294967295"), Some(ObjectId(u32::MAX)));
        for bad in ["", "@", "@@1", "12a", "-1", "+1", "@ 1", "4294967296", "1.0"] {
            assert_eq!(parse_object_id(bad), None, "{bad:?}");
        }
    }
}
