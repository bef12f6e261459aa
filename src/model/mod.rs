//! The snapshot graph: struct-of-arrays columns indexed by a `u32` node ordinal, edges in CSR
//! form (`first_edge`). Built once from a [`RawSnapshot`]; the analysis later rewrites only
//! what DevTools rewrites (detached node names, transferred self sizes).

use rayon::prelude::*;

pub use crate::column::Column;
use crate::error::{Error, Result};
use crate::format::{RawSnapshot, StringTable};
use crate::progress::{Phase, Progress};

/// A node, by ordinal (its position in the `nodes` array).
pub type NodeId = u32;

/// A V8 object id (`@123` in DevTools): an object keeps it across the snapshots of one process,
/// unlike its [`NodeId`], which is only its position in one file.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ObjectId(pub u32);

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
/// An edge, by ordinal.
pub type EdgeId = u32;

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

    pub fn is_string(self) -> bool {
        matches!(self, NodeKind::String | NodeKind::ConsString | NodeKind::SlicedString)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EdgeKind {
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
    pub fn has_string_name(self) -> bool {
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

pub struct Graph {
    pub node_type_names: Vec<String>,
    pub edge_type_names: Vec<String>,
    pub(crate) node_kinds: Vec<NodeKind>,
    pub(crate) edge_kinds: Vec<EdgeKind>,

    pub node_type: Column<u8>,
    pub node_name: Column<u32>,
    pub node_id: Column<u32>,
    pub self_size: Column<u32>,
    pub detachedness: Column<u8>,
    pub first_edge: Column<u32>,

    pub edge_type: Column<u8>,
    pub edge_name: Column<u32>,
    pub edge_to: Column<u32>,

    pub strings: StringTable,
    /// (ordinal, script id, line, column) sorted by ordinal. Only class keys use it; the
    /// analysis empties it once classes are built (an object's location is its class's).
    pub locations: Vec<[u32; 4]>,
    pub root: NodeId,
    pub extra_native_bytes: f64,
    pub has_detachedness: bool,
    /// The highest edge type index V8 wrote plus one; DevTools appends `invisible` after it.
    pub invisible_edge_type: u8,
}

impl Graph {
    /// Wraps parsed columns and checks every string index.
    pub fn from_raw(raw: RawSnapshot, progress: &Progress) -> Result<Graph> {
        progress.begin(Phase::Validating, 2);
        let node_kinds: Vec<NodeKind> = raw.header.node_types.iter().map(|s| NodeKind::from_name(s)).collect();
        let edge_kinds: Vec<EdgeKind> = raw.header.edge_types.iter().map(|s| EdgeKind::from_name(s)).collect();
        let string_count = raw.strings.len() as u64;

        if let Some(ord) = first_bad(raw.node_name.len(), |i| raw.node_name[i] as u64 >= string_count) {
            return Err(Error::invalid(format!(
                "node {ord} (id {}) has name index {}, but there are only {string_count} strings",
                raw.node_id[ord], raw.node_name[ord]
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

        Ok(Graph {
            invisible_edge_type: raw.header.edge_types.len() as u8,
            node_type_names: raw.header.node_types,
            edge_type_names: raw.header.edge_types,
            node_kinds,
            edge_kinds,
            node_type: raw.node_type.into(),
            node_name: raw.node_name.into(),
            node_id: raw.node_id.into(),
            self_size: raw.self_size.into(),
            detachedness: raw.detachedness.into(),
            first_edge: raw.first_edge.into(),
            edge_type: raw.edge_type.into(),
            edge_name: raw.edge_name.into(),
            edge_to: raw.edge_to.into(),
            strings: raw.strings,
            locations: raw.locations,
            root: raw.root,
            extra_native_bytes: raw.header.extra_native_bytes,
            has_detachedness: raw.header.has_detachedness,
        })
    }

    #[inline]
    pub fn node_count(&self) -> usize {
        self.node_id.len()
    }

    #[inline]
    pub fn edge_count(&self) -> usize {
        self.edge_to.len()
    }

    #[inline]
    pub fn kind(&self, n: NodeId) -> NodeKind {
        self.node_kinds[self.node_type[n as usize] as usize]
    }

    #[inline]
    pub fn edge_kind(&self, e: usize) -> EdgeKind {
        self.edge_kinds[self.edge_type[e] as usize]
    }

    /// The node type as V8 names it ("object", "closure", ...).
    pub fn type_name(&self, n: NodeId) -> &str {
        &self.node_type_names[self.node_type[n as usize] as usize]
    }

    pub fn edge_type_name(&self, e: usize) -> &str {
        &self.edge_type_names[self.edge_type[e] as usize]
    }

    #[inline]
    pub fn edges(&self, n: NodeId) -> std::ops::Range<usize> {
        self.first_edge[n as usize] as usize..self.first_edge[n as usize + 1] as usize
    }

    /// The node's raw name (after DevTools' "Detached " rename).
    #[inline]
    pub fn name(&self, n: NodeId) -> &str {
        self.strings.get(self.node_name[n as usize])
    }

    #[inline]
    pub fn id(&self, n: NodeId) -> ObjectId {
        ObjectId(self.node_id[n as usize])
    }

    #[inline]
    pub fn to(&self, e: usize) -> NodeId {
        self.edge_to[e]
    }

    pub fn edge_name(&self, e: usize) -> EdgeName<'_> {
        if self.edge_kind(e).has_string_name() {
            EdgeName::Str(self.strings.get(self.edge_name[e]))
        } else {
            EdgeName::Index(self.edge_name[e])
        }
    }

    /// The string name of a string-named edge, `None` for element and hidden edges.
    #[inline]
    pub fn edge_str(&self, e: usize) -> Option<&str> {
        self.edge_kind(e)
            .has_string_name()
            .then(|| self.strings.get(self.edge_name[e]))
    }

    /// Finds a node by its snapshot object id (linear scan; callers cache where it matters).
    pub fn find_id(&self, id: ObjectId) -> Option<NodeId> {
        self.node_id
            .par_iter()
            .position_first(|x| *x == id.0)
            .map(|i| i as NodeId)
    }

    /// The largest odd id: DevTools' `maxJSObjectId`.
    pub fn max_js_object_id(&self) -> u32 {
        self.node_id
            .par_iter()
            .copied()
            .filter(|id| id % 2 == 1)
            .max()
            .unwrap_or(0)
    }

    /// Bytes held by the graph's columns.
    pub fn heap_bytes(&self) -> usize {
        self.node_type.heap_bytes()
            + self.node_name.heap_bytes()
            + self.node_id.heap_bytes()
            + self.self_size.heap_bytes()
            + self.detachedness.heap_bytes()
            + self.first_edge.heap_bytes()
            + self.edge_type.heap_bytes()
            + self.edge_name.heap_bytes()
            + self.edge_to.heap_bytes()
            + self.strings.heap_bytes()
            + self.locations.capacity() * 16
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

pub mod builder;

#[cfg(test)]
mod tests {
    use super::{ObjectId, parse_object_id};

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
