//! How heapsift names things in every output: an object in a row, a hop of a path, a scope, a
//! detached tree's holder. The app, the CLI, reports and findings all call these, so an object
//! reads the same everywhere. DevTools' own names (`display_name`, `edge_label`) are part of its
//! algorithms and stay in `analysis::query`.

use std::borrow::Cow;

use crate::analysis::Snapshot;
use crate::analysis::detached::{DetachedDom, DetachedTree};
use crate::analysis::leaks::{LeakGroup, Listing};
use crate::analysis::query::{self, display_name, edge_label};
use crate::analysis::scripts::{edge_to, short_name};
use crate::model::{EdgeId, EdgeKind, Graph, NodeId, NodeKind};
use crate::text::{count, preview};

/// How an object reads in a row: a scope by whose scope it is, a string's value in quotes, a
/// function as `name()`, V8's `true`, `false`, `null`, `undefined` as themselves, else its
/// name, or its class when it has no name of its own.
pub fn object_label(s: &Snapshot, v: NodeId) -> String {
    let g = &s.graph;
    if let Some(scope) = scope_label(s, v) {
        return scope;
    }
    if let Some(value) = oddball(g, v) {
        return value;
    }
    let name = display_name(g, v);
    let class = display_class(s, v);
    if g.kind(v).is_string() {
        format!("\"{}\"", preview(&name, 80))
    } else if name.is_empty() || name == class {
        preview(&original_class(s, v).unwrap_or_else(|| class.to_owned()), 80)
    } else if g.kind(v) == NodeKind::Closure {
        // A minified function reads by its original name where the source map gives one.
        let original = s.location_of(v).and_then(|l| s.scripts.original_name(l, &name));
        format!("{}()", preview(original.as_deref().unwrap_or(&name), 80))
    } else {
        preview(&name, 80)
    }
}

/// The class name as paths show it: the synthetic root reads "(root)".
pub fn display_class(s: &Snapshot, v: NodeId) -> &str {
    if v == s.graph.root() { "(root)" } else { s.class_name(v) }
}

/// How a node is named as a hop of a path: its class; a synthetic root by its name (`(GC
/// roots)`); a scope by whose scope it is (`module scope of app.js`).
pub fn hop_label(s: &Snapshot, v: NodeId) -> Cow<'_, str> {
    if v != s.graph.root() && s.graph.kind(v) == NodeKind::Synthetic {
        // `(GC roots)`, `(Stack roots)`: their name says what they are, their class does not.
        return Cow::Borrowed(s.graph.name(v));
    }
    if let Some(value) = oddball(&s.graph, v) {
        return Cow::Owned(value);
    }
    match scope_label(s, v) {
        Some(scope) => Cow::Owned(scope),
        None => match original_class(s, v) {
            Some(name) => Cow::Owned(name),
            // Node names its global object `global / ` (a page's would carry its URL after the slash).
            None => Cow::Borrowed(
                display_class(s, v)
                    .strip_suffix(" / ")
                    .unwrap_or_else(|| display_class(s, v)),
            ),
        },
    }
}

/// The name a minified class has in the source, when its script's source map gives one.
pub fn original_class(s: &Snapshot, v: NodeId) -> Option<String> {
    s.original_class(v)
}

/// The value of one of V8's oddballs (`system / Oddball`), which the snapshot names only by
/// their string form (their first hidden reference): `true`, `false`, `null`, `undefined` as
/// JavaScript writes them; the engine's own (`hole`, `uninitialized`, …) in angle brackets.
pub fn oddball(g: &Graph, v: NodeId) -> Option<String> {
    Some(match crate::analysis::query::oddball_name(g, v)? {
        value @ ("true" | "false" | "null" | "undefined") => value.to_owned(),
        other => format!("<{other}>"),
    })
}

/// Whether `name` (the object's own name, or what stands for it) says more than its hop label:
/// a string's value, a function's name, a plain object's `{a, b}`; not a repeat of its class.
pub fn says_more(s: &Snapshot, v: NodeId, name: &str) -> bool {
    !name.is_empty() && name != display_class(s, v) && name != hop_label(s, v)
}

/// The object's own name when it says more than its hop label, cut to `max` characters.
pub fn own_name(s: &Snapshot, v: NodeId, max: usize) -> Option<String> {
    let name = display_name(&s.graph, v);
    says_more(s, v, &name).then(|| preview(&name, max))
}

/// Why a distance reads "−", as DevTools prints it: None when it shows a number.
pub fn distance_note(d: crate::analysis::distances::Distance) -> Option<&'static str> {
    if d.shown().is_some() {
        None
    } else if d.is_reachable() {
        Some(
            "− as in DevTools: only the engine's own roots reach this object (native handles, the stack, \
             internal caches), not a path from the JavaScript roots DevTools measures distance from. Its path \
             to the root runs through such a root.",
        )
    } else {
        Some("− as in DevTools: no path from any root reaches this object; the next garbage collection frees it.")
    }
}

/// `label → ` for the edge into a path hop, empty for the first hop.
pub fn edge_arrow(g: &Graph, edge: Option<EdgeId>) -> String {
    edge.map(|e| format!("{} → ", edge_label(g, e))).unwrap_or_default()
}

/// `app.js:23:15` for where `v`'s constructor (or, for a closure, the function) is defined.
pub fn defined_at(s: &Snapshot, v: NodeId) -> Option<String> {
    s.location_of(v).map(|l| s.scripts.format(l))
}

/// ` (app.js:6:14)` after a class name, or nothing when its location is unknown.
pub fn defined_at_suffix(s: &Snapshot, v: NodeId) -> String {
    defined_at(s, v).map(|l| format!(" ({l})")).unwrap_or_default()
}

/// A path as plain lines, root first: `edge → Class @id`.
/// A run of this many hops of one edge and class (a promise's reaction list, a linked list) is
/// shown by its ends and one line that counts the rest.
const RUN_SHOWN: usize = 4;

pub fn path_lines(s: &Snapshot, hops: &[query::Hop]) -> Vec<String> {
    let g = &s.graph;
    let key = |h: &query::Hop| (edge_arrow(g, h.edge), hop_label(s, h.node));
    let mut out = Vec::with_capacity(hops.len());
    let mut i = 0;
    while i < hops.len() {
        let k = key(&hops[i]);
        let run = hops[i..].iter().take_while(|h| key(h) == k).count();
        let line = |h: &query::Hop| format!("{}{} @{}", k.0, preview(&k.1, 80), g.id(h.node));
        if run >= RUN_SHOWN {
            out.push(line(&hops[i]));
            out.push(format!(
                "… {} more hops the same ({}{})",
                run - 2,
                k.0,
                preview(&k.1, 40)
            ));
            out.push(line(&hops[i + run - 1]));
        } else {
            out.extend(hops[i..i + run].iter().map(line));
        }
        i += run;
    }
    out
}

/// A path as text for a bug report, root first, one hop a line: `  .edge → Class @id “name”
/// (retains 1.2 MB)`.
pub fn path_text(s: &Snapshot, hops: &[query::Hop]) -> String {
    let g = &s.graph;
    let mut out = String::new();
    for h in hops {
        if let Some(e) = h.edge {
            out.push_str(&format!("  {} → ", edge_label(g, e)));
        }
        out.push_str(&format!("{} @{}", hop_label(s, h.node), g.id(h.node)));
        if let Some(name) = own_name(s, h.node, 60) {
            out.push_str(&format!(" “{name}”"));
        }
        out.push_str(&format!("  (retains {})\n", crate::text::bytes(s.retained.get(h.node))));
    }
    out
}

/// `held by .row → RowWidget @41673 and 19 more`.
pub fn held_by(s: &Snapshot, t: &DetachedTree) -> String {
    let g = &s.graph;
    match t.holder {
        Some(r) => format!(
            "held by {}{} @{}{}",
            edge_arrow(g, Some(r.edge)),
            preview(&hop_label(s, r.from), 60),
            g.id(r.from),
            if t.holders > 1 {
                format!(" and {} more", t.holders - 1)
            } else {
                String::new()
            }
        ),
        None => "held by nothing".into(),
    }
}

/// `723 detached DOM nodes in 3 trees`.
pub fn detached_count(dom: &DetachedDom) -> String {
    format!(
        "{} in {}",
        count(dom.nodes, "detached DOM node", "detached DOM nodes"),
        count(dom.trees.len(), "tree", "trees")
    )
}

/// Classes of the first `n` minor leak groups, `…` after them if there are more.
pub fn minor_names(listing: &Listing, groups: &[LeakGroup], n: usize) -> String {
    let mut names: Vec<String> = listing
        .minor
        .iter()
        .take(n)
        .map(|&i| preview(groups[i].shown_class(), 40))
        .collect();
    if listing.minor.len() > n {
        names.push("…".into());
    }
    names.join(", ")
}

/// Retainers looked at to name a scope (inner scopes' `previous` edges come among its closures'
/// `context` edges): a bound, so a label stays cheap to compute on every frame.
const SCOPE_SCAN: usize = 4096;

/// Whose scope a `system / Context` is: `module scope of app.js` (`script scope of …` in a
/// page) for the outermost function scope of a script (its `previous` is the native or script
/// context), else `scope of handleRequest() app.js:20` after a closure that holds it. None for
/// other nodes.
pub fn scope_label(s: &Snapshot, v: NodeId) -> Option<String> {
    let g = &s.graph;
    let raw = g.strings().get(g.name_index(v));
    if raw != "system / Context" && !raw.starts_with("system / Context / ") {
        return None;
    }
    let holder = s.retainers.of(v).take(SCOPE_SCAN).find_map(|slot| {
        let from = s.retainers.source(slot);
        if g.kind(from) != NodeKind::Closure {
            return None;
        }
        let e = s.retainers.edge(g, v, slot);
        (g.edge_kind(e) == EdgeKind::Internal && g.strings().get(g.edge_name_index(e)) == "context").then_some(from)
    })?;
    let location = s.scripts.closure_location(holder);
    let url = location.and_then(|l| s.scripts.url(l.script_id));
    let file = location.map(|l| match url {
        Some(url) => short_name(url).to_owned(),
        None => format!("script {}", l.script_id),
    });
    // A Node module (a path) is a module; a page's classic script has a script scope.
    let kind = match url {
        Some(u) if u.starts_with('/') || u.starts_with("file:") || u.starts_with("node:") || u.contains(":\\") => {
            "module"
        }
        _ => "script",
    };
    let outermost = edge_to(g, v, "previous").is_some_and(|p| {
        let name = g.strings().get(g.name_index(p));
        name.contains("NativeContext") || name.contains("ScriptContext")
    });
    if outermost {
        return file.map(|f| format!("{kind} scope of {f}"));
    }
    let name = display_name(g, holder);
    let name = if name.is_empty() {
        "(anonymous)".to_owned()
    } else {
        name
    };
    Some(match location {
        Some(l) => format!("scope of {name}() {}", s.scripts.format(l)),
        None => format!("scope of {name}()"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::build::SnapshotJson;

    #[test]
    fn oddballs_read_as_their_values() {
        let mut b = SnapshotJson::new();
        let root = b.node("synthetic", "", 1, 0);
        let holder = b.node("object", "Flags", 3, 16);
        b.edge(root, "element", "1", holder);
        for (i, value) in ["false", "null", "hole"].into_iter().enumerate() {
            let id = 5 + 4 * i as u32;
            let odd = b.node("hidden", "system / Oddball", id, 48);
            let text = b.node("string", value, id + 2, 16);
            b.edge(odd, "hidden", "0", text);
            b.edge(holder, "property", &format!("p{i}"), odd);
        }
        let bytes = crate::format::Bytes::Owned(b.to_json().into_bytes());
        let s = crate::engine::load_bytes(bytes, &crate::progress::Progress::new()).unwrap();
        let g = &s.graph;
        let values: Vec<String> = g.edges(NodeId::new(1)).map(|e| object_label(&s, g.to(e))).collect();
        assert_eq!(values, ["false", "null", "<hole>"]);
        let first = g.to(g.edges(NodeId::new(1)).next().unwrap());
        assert_eq!(hop_label(&s, first), "false");
        assert_eq!(oddball(g, NodeId::new(1)), None, "an object is not an oddball");
    }

    #[test]
    fn a_dash_for_a_distance_says_why() {
        use crate::analysis::distances::Distance;
        assert_eq!(distance_note(Distance(3)), None);
        assert!(
            distance_note(Distance(Distance::BASE_SYSTEM.0 + 2))
                .unwrap()
                .contains("engine's own roots")
        );
        assert!(
            distance_note(Distance::UNREACHABLE)
                .unwrap()
                .contains("no path from any root")
        );
    }
}
