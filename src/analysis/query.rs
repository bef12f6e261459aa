//! Per-object queries: names as DevTools shows them, outgoing edges, retainers, the dominator
//! chain and the shortest retainer path to the root.

use super::Snapshot;
use super::classes::{format_property_name, js_len};
use super::distances::Distance;
use crate::model::{EdgeId, EdgeKind, EdgeName, Graph, NodeId, NodeKind};

/// The string form an oddball (`system / Oddball`) is named by: its first hidden reference
/// (`true`, `null`, `undefined`, or the engine's own, `hole`, `uninitialized`, …).
pub fn oddball_name(g: &Graph, v: NodeId) -> Option<&str> {
    if g.name(v) != "system / Oddball" {
        return None;
    }
    let e = g.edges(v).find(|&e| g.edge_kind(e) == EdgeKind::Hidden)?;
    let to = g.to(e);
    g.kind(to).is_string().then(|| g.name(to))
}

/// DevTools' `JSHeapSnapshotNode.name()`: cons strings flattened, plain objects as `{a, b, …}`.
pub fn display_name(g: &Graph, v: NodeId) -> String {
    match g.kind(v) {
        NodeKind::ConsString => cons_string_name(g, v),
        NodeKind::Object if g.name(v) == "Object" => plain_object_name(g, v),
        _ => g.name(v).to_owned(),
    }
}

fn cons_string_name(g: &Graph, v: NodeId) -> String {
    let mut stack = vec![v];
    let mut name = String::new();
    let mut len = 0;
    while let Some(n) = stack.pop() {
        if len >= 1024 {
            break;
        }
        if g.kind(n) != NodeKind::ConsString {
            let s = g.name(n);
            name.push_str(s);
            len += js_len(s);
            continue;
        }
        let (mut first, mut second) = (None, None);
        for e in g.edges(n) {
            if first.is_some() && second.is_some() {
                break;
            }
            if g.edge_kind(e) == EdgeKind::Internal {
                match g.strings().get(g.edge_name_index(e)) {
                    "first" => first = Some(g.to(e)),
                    "second" => second = Some(g.to(e)),
                    _ => {}
                }
            }
        }
        // DevTools falls back to node 0 (the root, named "") for a missing part.
        stack.push(second.unwrap_or_default());
        stack.push(first.unwrap_or_default());
    }
    name
}

fn plain_object_name(g: &Graph, v: NodeId) -> String {
    let edges = g.edge_range(v);
    if edges.is_empty() {
        return "{}".into();
    }
    let mut start = String::from("{");
    let mut end = String::from("}");
    let (mut from_start, mut from_end) = (edges.start as isize, edges.end as isize - 1);
    let mut next_from_end = false;
    while from_start <= from_end {
        let e = EdgeId::at(if next_from_end { from_end } else { from_start } as usize);
        let name = g.edge_str(e).unwrap_or("");
        if g.edge_kind(e) != EdgeKind::Property || name == "__proto__" {
            if next_from_end {
                from_end -= 1;
            } else {
                from_start += 1;
            }
            continue;
        }
        let formatted = format_property_name(name);
        if js_len(&start) > 1 && js_len(&start) + js_len(&end) + js_len(&formatted) > 100 {
            break;
        }
        if next_from_end {
            from_end -= 1;
            if js_len(&end) > 1 {
                end.insert_str(0, ", ");
            }
            end.insert_str(0, &formatted);
        } else {
            from_start += 1;
            if js_len(&start) > 1 {
                start.push_str(", ");
            }
            start.push_str(&formatted);
        }
        next_from_end = !next_from_end;
    }
    if from_start <= from_end {
        start.push_str(", …");
    }
    if js_len(&end) > 1 {
        start.push_str(", ");
    }
    start + &end
}

/// DevTools' edge label: `.prop`, `["a b"]`, `[3]`, `->ctx`, `{internal}`, `[[weak]]`.
pub fn edge_label(g: &Graph, e: EdgeId) -> String {
    let name = g.edge_name(e);
    let text = name.to_string();
    let numeric_shortcut = matches!(name, EdgeName::Str(s) if super::distances::js_parse_int(s).is_some());
    match g.edge_kind(e) {
        EdgeKind::Context => format!("->{text}"),
        EdgeKind::Element => format!("[{text}]"),
        EdgeKind::Weak => format!("[[{text}]]"),
        EdgeKind::Property => property_label(&text),
        EdgeKind::Shortcut if numeric_shortcut => format!("[{text}]"),
        EdgeKind::Shortcut => property_label(&text),
        EdgeKind::Internal | EdgeKind::Hidden => format!("{{{text}}}"),
        EdgeKind::Other => format!("?{text}?"),
    }
}

fn property_label(name: &str) -> String {
    if name.contains(' ') {
        format!("[\"{name}\"]")
    } else {
        format!(".{name}")
    }
}

/// Whether the retainers view shows this retaining edge (HS `retainingEdgesFilter`).
pub(crate) fn shows_retainer(g: &Graph, e: EdgeId, from: NodeId) -> bool {
    !g.is_invisible(e) && g.edge_kind(e) != EdgeKind::Weak && from != g.root()
}

/// One retainer of a node: the retaining edge and its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retainer {
    pub edge: EdgeId,
    pub from: NodeId,
}

/// The Retainers view with some retainers ignored (DevTools' "Ignore this retainer"): distances
/// recomputed without the ignored nodes, and the WeakMap edges that no longer retain anything
/// because the other half of their key/table pair became unreachable (HS
/// `#updateIgnoredEdgesInRetainersView`).
pub struct IgnoredView {
    pub distances: Vec<Distance>,
    pub ignored_edges: std::collections::HashSet<EdgeId>,
}

impl IgnoredView {
    pub fn compute(
        s: &Snapshot,
        ignored: &std::collections::HashSet<NodeId>,
        progress: &crate::progress::Progress,
    ) -> Result<IgnoredView, crate::progress::Cancelled> {
        use super::distances::calculate;
        use super::flags::parse_weak_map_edge_name;
        let g = &s.graph;
        let distances = calculate(g, Some(&|v| ignored.contains(&v)), progress)?;
        let weak_map_part = |e: EdgeId| {
            (g.edge_kind(e) == EdgeKind::Internal)
                .then(|| parse_weak_map_edge_name(g.strings().get(g.edge_name_index(e))).map(|m| m.duplicated_part))
                .flatten()
        };
        // (value, pair) for every WeakMap edge out of an unreachable node.
        let mut unreachable: std::collections::HashMap<NodeId, Vec<&str>> = std::collections::HashMap::new();
        for v in g.nodes() {
            if distances[v].is_reachable() {
                continue;
            }
            for e in g.edges(v) {
                if let Some(part) = weak_map_part(e) {
                    unreachable.entry(g.to(e)).or_default().push(part);
                }
            }
        }
        let mut ignored_edges = std::collections::HashSet::new();
        for (&target, parts) in &unreachable {
            for slot in s.retainers.of(target) {
                let e = s.retainers.edge(g, target, slot);
                if weak_map_part(e).is_some_and(|p| parts.contains(&p)) {
                    ignored_edges.insert(e);
                }
            }
        }
        Ok(IgnoredView {
            distances,
            ignored_edges,
        })
    }
}

/// The distance the Retainers view sorts a retainer by: unreachable ones (and ignored WeakMap
/// edges) go last, ordered by their original distance (HS `getDistanceForRetainersView`).
pub fn view_distance(s: &Snapshot, view: Option<&IgnoredView>, from: NodeId, edge: EdgeId) -> Distance {
    let d = view.map_or(s.distances[from], |x| x.distances[from]);
    let ignored_edge = view.is_some_and(|x| x.ignored_edges.contains(&edge));
    if d == Distance::UNREACHABLE || ignored_edge {
        Distance(s.distances[from].0.max(0) + Distance::BASE_UNREACHABLE.0)
    } else {
        d
    }
}

/// Retainers as the Retainers view lists them: weak and root edges hidden, sorted by the
/// retainer's distance, then name, then storage order. `view` carries distances recomputed
/// with ignored retainers.
pub fn retainers(s: &Snapshot, v: NodeId, view: Option<&IgnoredView>) -> Vec<Retainer> {
    let g = &s.graph;
    let mut out: Vec<(Distance, String, usize, Retainer)> = s
        .retainers
        .of(v)
        .filter_map(|slot| {
            let from = s.retainers.source(slot);
            let edge = s.retainers.edge(g, v, slot);
            shows_retainer(g, edge, from).then(|| {
                let key = view_distance(s, view, from, edge);
                (key, display_name(g, from), slot, Retainer { edge, from })
            })
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    out.into_iter().map(|x| x.3).collect()
}

/// All retainers for the app's Retainers view: those DevTools lists, in its order, followed by
/// weak ones (which DevTools hides; the app shows them dimmed). Edges from the root are left out.
pub(crate) fn retainers_with_weak(s: &Snapshot, v: NodeId, view: Option<&IgnoredView>) -> Vec<Retainer> {
    let g = &s.graph;
    let mut out = retainers(s, v, view);
    for slot in s.retainers.of(v) {
        let from = s.retainers.source(slot);
        let edge = s.retainers.edge(g, v, slot);
        if from != g.root() && g.edge_kind(edge) == EdgeKind::Weak {
            out.push(Retainer { edge, from });
        }
    }
    out
}

/// Outgoing edges as the Containment view lists them (invisible edges hidden).
pub fn edges(g: &Graph, v: NodeId) -> impl Iterator<Item = EdgeId> + '_ {
    g.edges(v).filter(move |&e| !g.is_invisible(e))
}

/// One step of a path: the edge taken and the node it reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// `None` for the first hop (the path's start).
    pub edge: Option<EdgeId>,
    pub node: NodeId,
}

/// The shortest retainer path from the root to `v`, root first: at each step the retainer the
/// Retainers view would list first (the nearest to a root). `None` when `v` is unreachable.
pub fn path_to_root(s: &Snapshot, v: NodeId) -> Option<Vec<Hop>> {
    path_to_root_in(s, v, None)
}

/// The shortest path with `view`'s distances: ignored retainers (and the WeakMap edges they
/// release) are not on it, as in DevTools' Retainers view after "Ignore this retainer".
pub(crate) fn path_to_root_in(s: &Snapshot, v: NodeId, view: Option<&IgnoredView>) -> Option<Vec<Hop>> {
    let g = &s.graph;
    let distances: &[Distance] = view.map_or(&s.distances[..], |x| &x.distances[..]);
    if !distances[v].is_reachable() && v != g.root() {
        return None;
    }
    let mut rev: Vec<(Option<EdgeId>, NodeId)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut cur = v;
    seen.insert(cur);
    loop {
        if cur == g.root() {
            rev.push((None, cur));
            break;
        }
        let d = distances[cur];
        // Follow a retainer strictly closer to the root; the root's own edge ends the path.
        let next = retainers(s, cur, view).into_iter().find(|r| {
            distances[r.from].is_reachable()
                && distances[r.from] < d
                && !seen.contains(&r.from)
                && !view.is_some_and(|x| x.ignored_edges.contains(&r.edge))
        });
        match next {
            Some(r) => {
                rev.push((Some(r.edge), cur));
                seen.insert(r.from);
                cur = r.from;
            }
            None => {
                let root_edge = g.edges(g.root()).find(|&e| g.to(e) == cur);
                rev.push((root_edge, cur));
                if root_edge.is_some() {
                    rev.push((None, g.root()));
                }
                break;
            }
        }
    }
    rev.reverse();
    // rev holds (edge into node, node); turn it into hops root first.
    Some(rev.into_iter().map(|(edge, node)| Hop { edge, node }).collect())
}

/// The dominator chain from `v` up to the root (v first).
pub(crate) fn dominator_chain(s: &Snapshot, v: NodeId) -> Vec<NodeId> {
    let mut out = vec![v];
    let mut cur = v;
    while cur != s.graph.root() && out.len() <= s.graph.node_count() {
        cur = s.dominator[cur];
        out.push(cur);
    }
    out
}
