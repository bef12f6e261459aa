//! Node flags (`calculateFlags`), user roots, WeakMap edge names and essential edges
//! (`computeIsEssentialEdge`), spec §3–4.

use rayon::prelude::*;

use super::bits::BitVec;
use super::dom_state::DETACHED;
use crate::model::{EdgeId, EdgeKind, Graph, NodeId, NodeKind};
use crate::progress::{Cancelled, Phase, Progress};

pub(crate) const CAN_BE_QUERIED: u8 = 1;
pub(crate) const DETACHED_DOM_TREE_NODE: u8 = 2;
pub(crate) const PAGE_OBJECT: u8 = 4;

/// `(Document DOM trees)`: the synthetic root of Blink's DOM trees.
pub(crate) fn is_document_dom_trees_root(g: &Graph, n: NodeId) -> bool {
    g.kind(n) == NodeKind::Synthetic && g.name(n) == "(Document DOM trees)"
}

/// DevTools' `JSHeapSnapshot.isUserRoot`: a root child that is not synthetic, or the DOM trees root.
pub(crate) fn is_user_root(g: &Graph, n: NodeId) -> bool {
    g.kind(n) != NodeKind::Synthetic || is_document_dom_trees_root(g, n)
}

pub(crate) fn has_user_roots(g: &Graph) -> bool {
    g.edges(g.root()).any(|e| is_user_root(g, g.to(e)))
}

pub fn calculate(g: &Graph, progress: &Progress) -> Result<Vec<u8>, Cancelled> {
    let n = g.node_count();
    progress.begin(Phase::Flags, 3);
    let mut flags: Vec<u8> = crate::column::written_zeros(n);
    flags.par_iter_mut().enumerate().for_each(|(i, f)| {
        if g.kind(NodeId::at(i)) == NodeKind::Native && g.detachedness(NodeId::at(i)) == DETACHED {
            *f |= DETACHED_DOM_TREE_NODE;
        }
    });
    progress.advance(1)?;
    // The two walks are independent: each marks its own bits, in bit vectors rather than bytes
    // so that the random lookups of a walk stay in the cache.
    let (queriable, page) = rayon::join(|| queriable(g), || page_owned(g));
    flags.par_chunks_mut(64).enumerate().for_each(|(w, chunk)| {
        let (q, p) = (queriable.words()[w], page.words()[w]);
        for (k, f) in chunk.iter_mut().enumerate() {
            if q >> k & 1 != 0 {
                *f |= CAN_BE_QUERIED;
            }
            if p >> k & 1 != 0 {
                *f |= PAGE_OBJECT;
            }
        }
    });
    progress.advance(2)?;
    Ok(flags)
}

/// Queriable: reachable from non-synthetic root children without hidden/internal/weak edges.
fn queriable(g: &Graph) -> BitVec {
    let mut seen = BitVec::new(g.node_count());
    let mut stack: Vec<NodeId> = g
        .edges(g.root())
        .map(|e| g.to(e))
        .filter(|&t| g.kind(t) != NodeKind::Synthetic)
        .collect();
    while let Some(v) = stack.pop() {
        if seen.get(v.index()) {
            continue;
        }
        seen.set(v.index());
        for e in g.edges(v) {
            let t = g.to(e);
            if seen.get(t.index()) {
                continue;
            }
            match g.edge_kind(e) {
                EdgeKind::Hidden | EdgeKind::Internal | EdgeKind::Weak => continue,
                _ if g.is_invisible(e) => continue,
                _ => stack.push(t),
            }
        }
    }
    seen
}

/// Page-owned: reachable from the root's shortcut children and the DOM trees root.
fn page_owned(g: &Graph) -> BitVec {
    let mut seen = BitVec::new(g.node_count());
    let mut stack: Vec<NodeId> = Vec::new();
    for e in g.edges(g.root()) {
        let t = g.to(e);
        match g.edge_kind(e) {
            EdgeKind::Element if !is_document_dom_trees_root(g, t) => continue,
            EdgeKind::Element | EdgeKind::Shortcut => {}
            _ => continue,
        }
        stack.push(t);
        seen.set(t.index());
    }
    while let Some(v) = stack.pop() {
        for e in g.edges(v) {
            let t = g.to(e);
            if seen.get(t.index()) || g.edge_kind(e) == EdgeKind::Weak {
                continue;
            }
            stack.push(t);
            seen.set(t.index());
        }
    }
    seen
}

/// The parts of a V8 ephemeron edge name that DevTools uses:
/// `<digits> / part of key (<K> @<id>) -> value (<V> @<id>) pair in WeakMap (table @<id>)`.
pub(crate) struct WeakMapEdge<'a> {
    /// Everything after the leading digits; shared by the key's and the table's edge.
    pub(crate) duplicated_part: &'a str,
    pub(crate) table_id: &'a str,
}

/// Matches DevTools' ephemeron regex exactly (with `.` not matching line terminators).
pub(crate) fn parse_weak_map_edge_name(name: &str) -> Option<WeakMapEdge<'_>> {
    let b = name.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let rest = &name[digits..];
    let mid = rest.strip_prefix(" / part of key (")?;
    let mid = mid.strip_suffix(")")?;
    let table_digits = mid.bytes().rev().take_while(|c| c.is_ascii_digit()).count();
    if table_digits == 0 {
        return None;
    }
    let table_id = &mid[mid.len() - table_digits..];
    let mid = mid[..mid.len() - table_digits].strip_suffix(") pair in WeakMap (table @")?;
    // mid = K " @" d1 ") -> value (" V " @" d2, with K and V free of line terminators.
    let mid = strip_at_digits(mid)?;
    let ok = mid.match_indices(") -> value (").any(|(i, sep)| {
        let key = &mid[..i];
        let value = &mid[i + sep.len()..];
        no_line_terminator(value) && strip_at_digits(key).is_some_and(no_line_terminator)
    });
    ok.then_some(WeakMapEdge {
        duplicated_part: rest,
        table_id,
    })
}

/// Strips a trailing ` @<digits>`.
fn strip_at_digits(s: &str) -> Option<&str> {
    let d = s.bytes().rev().take_while(|c| c.is_ascii_digit()).count();
    if d == 0 {
        return None;
    }
    s[..s.len() - d].strip_suffix(" @")
}

fn no_line_terminator(s: &str) -> bool {
    !s.contains(['\n', '\r', '\u{2028}', '\u{2029}'])
}

/// The bitmap of edges that count for dominators (spec §4, `computeIsEssentialEdge`).
pub fn essential_edges(g: &Graph, flags: &[u8], progress: &Progress) -> Result<BitVec, Cancelled> {
    let e_count = g.edge_count();
    progress.begin(Phase::EssentialEdges, e_count as u64);
    let root = g.root();
    let first_edge = &g.columns().first_edge;
    let mut out: Vec<u64> = crate::column::written_zeros(e_count.div_ceil(64));
    // Blocks of words, each finding its first edge's source once and walking on from there.
    const BLOCK: usize = 4096;
    out.par_chunks_mut(BLOCK).enumerate().try_for_each(|(b, block)| {
        let start = b * BLOCK * 64;
        // The source of edge `start`: the last node whose first edge is <= start.
        let mut src = first_edge.partition_point(|&f| (f as usize) <= start) - 1;
        for (k, word) in block.iter_mut().enumerate() {
            let from = start + k * 64;
            for e in from..(from + 64).min(e_count) {
                while first_edge[src + 1] as usize <= e {
                    src += 1;
                }
                if is_essential(g, flags, root, NodeId::at(src), EdgeId::at(e)) {
                    *word |= 1 << (e - from);
                }
            }
        }
        progress.advance((block.len() * 64) as u64)
    })?;
    progress.check()?;
    Ok(BitVec::from_words(out, e_count))
}

#[inline]
fn is_essential(g: &Graph, flags: &[u8], root: NodeId, from: NodeId, e: EdgeId) -> bool {
    let kind = g.edge_kind(e);
    if kind == EdgeKind::Internal {
        let name = g.strings().get(g.edge_name_index(e));
        if name.as_bytes().first().is_some_and(u8::is_ascii_digit)
            && let Some(m) = parse_weak_map_edge_name(name)
            && m.table_id.parse::<u64>().ok() == Some(u64::from(g.id(from).0))
        {
            return false;
        }
    }
    if kind == EdgeKind::Weak {
        return false;
    }
    let to = g.to(e);
    if from == to {
        return false;
    }
    if from != root {
        if kind == EdgeKind::Shortcut {
            return false;
        }
        if flags[to] & PAGE_OBJECT != 0 && flags[from] & PAGE_OBJECT == 0 {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_map_names() {
        let m = parse_weak_map_edge_name(
            "12 / part of key (Object @123) -> value (Array @456) pair in WeakMap (table @789)",
        )
        .unwrap();
        assert_eq!(m.table_id, "789");
        assert_eq!(
            m.duplicated_part,
            " / part of key (Object @123) -> value (Array @456) pair in WeakMap (table @789)"
        );
        // Key text may itself contain the separator.
        assert!(
            parse_weak_map_edge_name(
                "1 / part of key (a) -> value (b @2) -> value (system / Foo @3) pair in WeakMap (table @4)"
            )
            .is_some()
        );
        assert!(parse_weak_map_edge_name("map").is_none());
        assert!(
            parse_weak_map_edge_name("12 / part of key (Object @1) -> value (Array) pair in WeakMap (table @7)")
                .is_none()
        );
        assert!(
            parse_weak_map_edge_name(" / part of key (Object @1) -> value (Array @2) pair in WeakMap (table @7)")
                .is_none()
        );
        assert!(
            parse_weak_map_edge_name("3 / part of key (a\nb @1) -> value (c @2) pair in WeakMap (table @7)").is_none()
        );
    }
}
