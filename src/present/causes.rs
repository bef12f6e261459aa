//! Why a leak group stays alive, in the words of the guides users follow: a growing collection,
//! listeners, timers, a closure, a pending promise, open handles, a piped stream, a global.
//! Read from the group's path to the root (the nearest holder, from the leaked objects up) and
//! the graph around it; what matches none of these is `other`, never a guess.

use serde_json::{Value, json};

use super::names::hop_label;
use crate::analysis::Snapshot;
use crate::analysis::leaks::{self, LeakGroup};
use crate::analysis::query::Hop;
use crate::model::{EdgeKind, EdgeName, Location, NodeId, NodeKind};
use crate::text::{count, thousands};

/// The kinds of cause, as JSON names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CauseKind {
    Collection,
    Listeners,
    Timers,
    Closure,
    Promise,
    Handles,
    Stream,
    Global,
    DetachedDom,
    #[default]
    Other,
}

impl CauseKind {
    pub fn name(self) -> &'static str {
        match self {
            CauseKind::Collection => "collection",
            CauseKind::Listeners => "listeners",
            CauseKind::Timers => "timers",
            CauseKind::Closure => "closure",
            CauseKind::Promise => "promise",
            CauseKind::Handles => "handles",
            CauseKind::Stream => "stream",
            CauseKind::Global => "global",
            CauseKind::DetachedDom => "detached_dom",
            CauseKind::Other => "other",
        }
    }

    /// What to do about it, in plain words.
    pub fn fix(self) -> &'static str {
        match self {
            CauseKind::Collection => {
                "evict entries or cap the collection (an LRU, a TTL), or delete each entry when its work ends"
            }
            CauseKind::Listeners => {
                "remove the listener when the request or subscriber ends (emitter.off), or add it once"
            }
            CauseKind::Timers => "clearInterval / clearTimeout the timer when its work ends",
            CauseKind::Closure => {
                "capture only what the closure needs: copy the value out, or set the variable to null once done"
            }
            CauseKind::Promise => "settle the promise, or race it with a timeout, so its waiters can finish",
            CauseKind::Handles => {
                "close each connection when its work ends (socket.end() or destroy(); release a pooled client)"
            }
            CauseKind::Stream => "end or destroy each piped stream, or unpipe it when its consumer goes away",
            CauseKind::Global => {
                "cap or trim what it holds, and declare it in its module (let / const) rather than on the global object"
            }
            CauseKind::DetachedDom => {
                "drop the reference when the element leaves the page: remove it from what holds it, or keep only its data"
            }
            CauseKind::Other => "follow the path to the root to the first object your code owns",
        }
    }
}

/// The fix of a group that did not grow with every action: it may be a cache capped by design.
pub const BOUNDED_FIX: &str = "none if it is bounded by design (it did not grow with every action)";

/// A group's cause.
#[derive(Debug, Clone, Default)]
pub struct Cause {
    pub kind: CauseKind,
    /// What holds the leaked objects, named by its variable where the path shows one.
    pub holder: String,
    /// What shows it, in one line.
    pub evidence: String,
    /// The code to look at: the listener, the timer's callback, the awaiting function.
    pub location: Option<Location>,
    /// When the root group is a container (a listener array, timers, a socket's handle), the
    /// objects of the user's code it holds.
    pub leaked: Option<Leaked>,
    /// The object `holder` names, when it is one object (a Map, an emitter, a source stream).
    pub holder_node: Option<NodeId>,
    /// The npm package whose object holds the leak, when it lives in a dependency.
    pub package: Option<String>,
    /// A collection's entries in the baseline, the target and the final snapshot (`None` where
    /// it did not exist yet).
    pub counts: Option<[Option<u32>; 3]>,
}

/// The group of objects the user's code made, under a root group that only holds them.
#[derive(Debug, Clone)]
pub struct Leaked {
    /// Its index in the groups.
    pub group: usize,
    /// The groups from the root group down to it, both included.
    pub chain: Vec<usize>,
    /// `Array ×1 → Function (kinds.js:115:29) ×60 → Subscription ×60`: what holds the leaked
    /// objects, from the root group down.
    pub held_in: String,
}

impl Leaked {
    fn describe(s: &Snapshot, groups: &[LeakGroup], chain: &[usize]) -> String {
        chain
            .iter()
            .map(|&i| {
                let grp = &groups[i];
                format!(
                    "{}{} ×{}",
                    crate::text::preview(grp.shown_class(), 40),
                    super::names::defined_at_suffix(s, grp.nodes[0]),
                    thousands(grp.nodes.len() as u64)
                )
            })
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

/// Engine-made classes: an object of one of these is not what the user's code names, even
/// when its location is in the user's script (a generator's is its function's).
const BUILTIN_CLASSES: &[&str] = &[
    "Object",
    "Array",
    "Function",
    "Generator",
    "AsyncGenerator",
    "Promise",
    "Map",
    "Set",
    "WeakMap",
    "WeakSet",
    "WeakRef",
    "RegExp",
    "Date",
    "Error",
    "ArrayBuffer",
    "Uint8Array",
    "Buffer",
];

/// Whether `v` is an instance of a class the user's code defines: a JS object whose constructor
/// is in a script of their own (not Node's `node:` modules).
pub fn made_by_user_code(s: &Snapshot, v: NodeId) -> bool {
    let g = &s.graph;
    if g.kind(v) != NodeKind::Object || BUILTIN_CLASSES.contains(&s.class_name(v)) {
        return false;
    }
    s.location_of(v)
        .and_then(|l| s.scripts.url(l.script_id))
        .is_some_and(|url| !url.starts_with("node:") && !url.starts_with("internal/"))
}

/// Under root group `root` (with `nested`, the groups it keeps alive in reading order): the
/// group of user's objects that the root only holds, the most numerous (the first of equals),
/// when the root's own objects are not the user's.
pub fn leaked_under(s: &Snapshot, groups: &[LeakGroup], root: usize, nested: &[usize]) -> Option<Leaked> {
    if made_by_user_code(s, groups[root].nodes[0]) {
        return None;
    }
    let mut best: Option<usize> = None;
    for &i in nested {
        if made_by_user_code(s, groups[i].nodes[0])
            && best.is_none_or(|b| groups[i].nodes.len() > groups[b].nodes.len())
        {
            best = Some(i);
        }
    }
    let group = best?;
    let mut chain = vec![group];
    let mut at = group;
    while let Some(k) = groups[at].part_of.filter(|&k| k != root && !chain.contains(&k)) {
        chain.push(k);
        at = k;
    }
    chain.push(root);
    chain.reverse();
    let held_in = Leaked::describe(s, groups, &chain);
    Some(Leaked { group, chain, held_in })
}

impl Cause {
    /// What to do, in plain words: the kind's fix, or for a collection a dependency keeps, how
    /// to make the package stop keeping it.
    pub fn fix(&self) -> String {
        match (&self.package, self.kind) {
            (Some(package), CauseKind::Collection) => format!(
                "{package} keeps these: configure it to expire or cap them (a store made for production, a TTL, \
                 a maximum size), or stop it creating one per request"
            ),
            _ => self.kind.fix().to_owned(),
        }
    }

    pub fn json(&self, s: &Snapshot) -> Value {
        json!({
            "kind": self.kind.name(),
            "holder": self.holder,
            "evidence": self.evidence,
            "location": super::report::location_json(self.location, Some(&s.scripts)),
            "fix": self.fix(),
            "held_in": self.leaked.as_ref().map(|l| &l.held_in),
            "package": self.package,
            "counts": self.counts.map(|[b, t, f]| json!({"baseline": b, "target": t, "final": f})),
        })
    }

    /// `collection: userCache (Map in module scope of kinds.js); 60 new entries still in it
    /// (entries 1 → 61 → 61) at …`.
    pub fn line(&self, s: &Snapshot) -> String {
        let at = self
            .location
            .map(|l| format!(" at {}", s.scripts.format(l)))
            .unwrap_or_default();
        format!("{}: {}{at}", self.kind.name(), self.detail())
    }

    /// The holder and the evidence, with a collection's entries over the three snapshots.
    pub fn detail(&self) -> String {
        let counts = self.counts.map_or(String::new(), |c| {
            let n = |x: Option<u32>| x.map_or("none yet".to_owned(), |x| thousands(x as u64));
            format!(" (entries {} → {} → {})", n(c[0]), n(c[1]), n(c[2]))
        });
        format!("{}; {}{counts}", self.holder, self.evidence)
    }
}

fn edge_is(s: &Snapshot, h: &Hop, name: &str) -> bool {
    h.edge
        .is_some_and(|e| matches!(s.graph.edge_name(e), EdgeName::Str(n) if n == name))
}

fn edge_str<'a>(s: &'a Snapshot, h: &Hop) -> Option<&'a str> {
    match s.graph.edge_name(h.edge?) {
        EdgeName::Str(n) => Some(n),
        EdgeName::Index(_) => None,
    }
}

/// A hop named by the variable or property that reaches it: `userCache (Map in module scope
/// of kinds.js)`, `.auditLog (Array on the global object)`.
fn named(s: &Snapshot, path: &[Hop], i: usize) -> String {
    let class = hop_label(s, path[i].node);
    let Some(e) = path[i].edge else {
        return class.into_owned();
    };
    let g = &s.graph;
    if i > 0
        && is_global(s, path[i - 1].node)
        && let EdgeName::Str(p) = g.edge_name(e)
    {
        return format!("globalThis.{p} ({class})");
    }
    let owner = i.checked_sub(1).map(|k| hop_label(s, path[k].node).into_owned());
    match (g.edge_kind(e), g.edge_name(e), owner) {
        (EdgeKind::Context, EdgeName::Str(var), Some(scope)) => format!("{var} ({class} in {scope})"),
        (EdgeKind::Property, EdgeName::Str(p), Some(owner)) => format!(".{p} ({class} of {owner})"),
        _ => class.into_owned(),
    }
}

fn is_global(s: &Snapshot, v: NodeId) -> bool {
    let name = s.class_name(v);
    name == "global" || name.starts_with("global /") || name.starts_with("Window")
}

/// The location of a closure, or of what a timer or listener calls.
fn function_location(s: &Snapshot, v: NodeId) -> Option<Location> {
    let g = &s.graph;
    if g.kind(v) == NodeKind::Closure {
        return s.location_of(v);
    }
    g.edges(v)
        .map(|e| g.to(e))
        .find(|&to| g.kind(to) == NodeKind::Closure)
        .and_then(|f| s.location_of(f))
}

/// The cause of root group `grp` (with `nested`, the groups it keeps alive, for a closure's
/// captured value).
pub fn recognise(s: &Snapshot, grp: &LeakGroup, nested: &[&LeakGroup]) -> Cause {
    let g = &s.graph;
    let path = &grp.path;
    let n = grp.nodes.len();
    let first = grp.nodes[0];
    let mut members = grp.nodes.clone();
    members.sort_unstable();
    let class_of = |i: usize| s.class_name(path[i].node);
    // DOM nodes removed from the page that the page's code still holds: named by what holds
    // the detached tree, the nearest hop above it that is not detached itself.
    if crate::analysis::detached::is_detached(s, first)
        && let Some(at) = path
            .iter()
            .rposition(|h| !crate::analysis::detached::is_detached(s, h.node))
    {
        let tag = grp.class.strip_prefix("Detached ").unwrap_or(&grp.class);
        let what = crate::text::preview(tag, 40);
        return Cause {
            kind: CauseKind::DetachedDom,
            holder: named(s, path, at),
            evidence: format!(
                "{} still referenced",
                count(
                    n,
                    &format!("detached {what} element"),
                    &format!("detached {what} elements")
                )
            ),
            holder_node: Some(path[at].node),
            counts: grp.hop_entries.get(at).copied(),
            ..Cause::default()
        };
    }
    // The timer list: a Timeout's own class, or a TimersList on the path.
    if matches!(grp.class.as_str(), "Timeout" | "Immediate")
        || path.iter().any(|h| s.class_name(h.node) == "TimersList")
    {
        let callback = g
            .edges(first)
            .find(|&e| matches!(g.edge_name(e), EdgeName::Str("_onTimeout")))
            .map(|e| g.to(e));
        // `_repeat` is the interval: null for a timeout; a small integer has no edge at all.
        let intervals = g.kind(first) == NodeKind::Object
            && s.class_name(first) == "Timeout"
            && g.edges(first)
                .find(|&e| matches!(g.edge_name(e), EdgeName::Str("_repeat")))
                .is_none_or(|e| g.kind(g.to(e)) == NodeKind::Number);
        let evidence = if intervals {
            format!("{} never cleared", count(n, "interval", "intervals"))
        } else {
            format!("{} alive", count(n, "timer", "timers"))
        };
        return Cause {
            kind: CauseKind::Timers,
            holder: "Node's timer list".into(),
            evidence,
            location: callback.and_then(|f| function_location(s, f)),
            ..Cause::default()
        };
    }
    // A page's listeners: Blink keeps them beside the target, EventTarget → EventTargetData →
    // the listener vector → EventListener.
    if let Some(t) = path
        .iter()
        .position(|h| s.class_name(h.node) == "blink::EventTargetData")
        && t > 0
    {
        let listener = g
            .edges(first)
            .map(|e| g.to(e))
            .find(|&v| g.kind(v) == NodeKind::Closure);
        return Cause {
            kind: CauseKind::Listeners,
            holder: format!("listeners of {}", named(s, path, t - 1)),
            evidence: format!("{} added and never removed", count(n, "listener", "listeners")),
            location: listener.and_then(|f| s.location_of(f)),
            holder_node: Some(path[t - 1].node),
            ..Cause::default()
        };
    }
    // From the leaked objects up: the nearest holder decides.
    for i in (1..path.len()).rev() {
        let h = &path[i];
        // Every hop but the root's comes by an edge; a path without one says nothing here.
        let Some(edge) = h.edge else { continue };
        // A promise's reactions: Promise → {reactions_or_result} → reaction → …
        if edge_is(s, h, "reactions_or_result") && class_of(i - 1) == "Promise" {
            return Cause {
                kind: CauseKind::Promise,
                holder: named(s, path, i - 1),
                evidence: format!(
                    "{} waiting on a promise that never settles",
                    count(n, "await", "awaits")
                ),
                location: s.location_of(first),
                holder_node: Some(path[i - 1].node),
                ..Cause::default()
            };
        }
        // An emitter's listeners: emitter → ._events → {…} → .event → listener(s), when the
        // listeners (or their array) are among what leaked: an old listener that the path
        // merely passes through (a server's 'request' handler) is not the cause.
        let leaked_here = |k: usize| {
            path.get(k).is_some_and(|h| {
                members.binary_search(&h.node).is_ok() || nested.iter().any(|n| n.nodes.contains(&h.node))
            })
        };
        if i >= 2
            && edge_is(s, &path[i - 1], "_events")
            && g.edge_kind(edge) == EdgeKind::Property
            && (leaked_here(i) || leaked_here(i + 1))
        {
            let event = edge_str(s, h).unwrap_or_default().to_owned();
            let listeners = g
                .edges(h.node)
                .filter(|&e| g.edge_kind(e) == EdgeKind::Element)
                .count()
                .max(1);
            let listener = path
                .get(i + 1)
                .map(|l| l.node)
                .filter(|&v| g.kind(v) == NodeKind::Closure)
                .or_else(|| {
                    g.edges(h.node)
                        .map(|e| g.to(e))
                        .find(|&v| g.kind(v) == NodeKind::Closure)
                });
            // Node's own SIGTERM and exit handlers on `process` are how modules stay reachable,
            // not what leaks; only listeners the leaked objects hang from count.
            if i + 2 >= path.len() || !edge_str(s, h).is_some_and(|e| e.starts_with("SIG")) {
                return Cause {
                    kind: CauseKind::Listeners,
                    holder: format!("'{event}' listeners of {}", named(s, path, i - 2)),
                    evidence: format!("{} for '{event}'", count(listeners, "listener", "listeners")),
                    location: listener.and_then(|f| s.location_of(f)),
                    holder_node: Some(path[i - 2].node),
                    ..Cause::default()
                };
            }
        }
        if let Some(c) = piped(s, path, i, n) {
            return c;
        }
        // A socket or pipe handle that leaked, held by the runtime while it is open (a server's
        // own listening handle on the way to something else is not).
        if (matches!(class_of(i), "TCP" | "Pipe" | "TTY" | "UDP")
            || g.name(h.node).contains("SocketWrap")
            || g.name(h.node).contains("PipeWrap"))
            && leaked_here(i)
        {
            return Cause {
                kind: CauseKind::Handles,
                holder: format!("open {} handles", class_of(i)),
                evidence: format!("{} kept open", thousands(n as u64)),
                ..Cause::default()
            };
        }
        // A collection: Map/Set → {table} → backing array → entry; Array → [i]; a dictionary.
        // Only where it holds the leaked objects themselves: a collection further up holds
        // whatever the path passes through, not what leaked.
        let at_member = i + 1 == path.len();
        let holder = if !at_member {
            None
        } else if i >= 2 && class_of(i - 1) == "(array)" && edge_is(s, &path[i - 1], "table") {
            Some(i - 2)
        } else if matches!(class_of(i - 1), "Array" | "Map" | "Set")
            || (g.edge_kind(edge) == EdgeKind::Property
                // An object with many keys (`process`) is a dictionary only where it holds the
                // leaked objects themselves, not somewhere above them.
                && (leaks::is_dictionary(s, path[i - 1].node)
                    || leaks::keyed_entries(s, path[i - 1].node, &members) >= leaks::GROWN_ENTRIES))
        {
            Some(i - 1)
        } else {
            None
        };
        if let Some(at) = holder {
            // The pipes array of a stream is a stream's cause, not a collection's.
            if let Some(c) = piped(s, path, at, n) {
                return c;
            }
            // Closures in a collection whose scope keeps a large value alive: the scope is the cause.
            if g.kind(first) == NodeKind::Closure
                && let Some(c) = captured(s, first, nested)
            {
                return c;
            }
            if at > 0 && is_global(s, path[at - 1].node) {
                return Cause {
                    kind: CauseKind::Global,
                    holder: named(s, path, at),
                    evidence: format!("{} added to it", count(n, "object", "objects")),
                    holder_node: Some(path[at].node),
                    counts: grp.hop_entries.get(at).copied(),
                    ..Cause::default()
                };
            }
            let package = package_of(s, path, at);
            let counts = grp.hop_entries.get(at).copied();
            // New entries in a collection that did not grow took old entries' places.
            let grew = counts.is_none_or(|[b, t, _]| b.is_none_or(|b| t.is_some_and(|t| t > b)));
            let evidence = if grew {
                format!("{} still in it", count(n, "new entry", "new entries"))
            } else {
                format!(
                    "{} took the place of old ones; it did not grow",
                    count(n, "new entry", "new entries")
                )
            };
            return Cause {
                kind: CauseKind::Collection,
                holder: match &package {
                    Some((name, _)) => format!("{} in the package {name}", named(s, path, at)),
                    None => named(s, path, at),
                },
                evidence,
                location: package.as_ref().map(|p| p.1),
                holder_node: Some(path[at].node),
                package: package.map(|p| p.0),
                counts,
                ..Cause::default()
            };
        }
        if g.kind(first) == NodeKind::Closure
            && let Some(c) = captured(s, first, nested)
        {
            return c;
        }
        if is_global(s, path[i - 1].node) && g.edge_kind(edge) == EdgeKind::Property {
            return Cause {
                kind: CauseKind::Global,
                holder: named(s, path, i),
                evidence: format!("{} reachable from it", count(n, "object", "objects")),
                holder_node: Some(path[i].node),
                ..Cause::default()
            };
        }
    }
    Cause {
        kind: CauseKind::Other,
        holder: path
            .last()
            .map(|h| hop_label(s, h.node).into_owned())
            .unwrap_or_default(),
        evidence: "no known pattern holds it; the path to the root shows what does".into(),
        ..Cause::default()
    }
}

/// A stream piped from a long-lived source, when hop `at` is `source → ._readableState →
/// .pipes`: the source holds `n` streams.
fn piped(s: &Snapshot, path: &[Hop], at: usize, n: usize) -> Option<Cause> {
    (at >= 2 && edge_is(s, &path[at], "pipes") && edge_is(s, &path[at - 1], "_readableState")).then(|| Cause {
        kind: CauseKind::Stream,
        holder: named(s, path, at - 2),
        evidence: format!(
            "{} piped from it and never unpiped, ended or destroyed",
            count(n, "stream", "streams")
        ),
        holder_node: Some(path[at - 2].node),
        ..Cause::default()
    })
}

/// A closure whose scope (context) holds the largest of the groups it keeps alive: the
/// variable the closures share and what it keeps.
fn captured(s: &Snapshot, f: NodeId, nested: &[&LeakGroup]) -> Option<Cause> {
    let g = &s.graph;
    let context = g
        .edges(f)
        .find(|&e| matches!(g.edge_name(e), EdgeName::Str("context")))
        .map(|e| g.to(e))?;
    // Node's snapshots name a scope's variables (`->buffer`), or list them unnamed (`{0}`).
    let (var, grp) = g
        .edges(context)
        .filter(|&e| matches!(g.edge_kind(e), EdgeKind::Context | EdgeKind::Hidden | EdgeKind::Element))
        .filter_map(|e| {
            let to = g.to(e);
            let grp = nested.iter().find(|grp| grp.nodes.contains(&to))?;
            let var = match (g.edge_kind(e), g.edge_name(e)) {
                (EdgeKind::Context, EdgeName::Str(name)) => format!("the variable {name}"),
                (_, EdgeName::Index(slot)) => match scope_variable(s, context, slot) {
                    Some(name) => format!("the variable {name}"),
                    None => "a variable (the snapshot does not name it)".to_owned(),
                },
                _ => "a variable (the snapshot does not name it)".to_owned(),
            };
            Some((var, *grp))
        })
        .max_by(|a, b| a.1.members_retained.total_cmp(&b.1.members_retained))?;
    Some(Cause {
        kind: CauseKind::Closure,
        holder: format!("{var} in the scope the closures share"),
        evidence: format!(
            "each closure's scope keeps a {} alive ({} in all)",
            grp.shown_class(),
            thousands(grp.nodes.len() as u64)
        ),
        location: s.location_of(f),
        ..Cause::default()
    })
}

/// The name of slot `slot` of a scope (context) that the snapshot lists unnamed (a block's
/// scope): its ScopeInfo lists the scope's variable names in slot order.
fn scope_variable(s: &Snapshot, context: NodeId, slot: u32) -> Option<String> {
    let g = &s.graph;
    let info = g
        .edges(context)
        .find(|&e| matches!(g.edge_name(e), EdgeName::Str("scope_info")))
        .map(|e| g.to(e))?;
    g.edges(info)
        .filter(|&e| matches!(g.edge_kind(e), EdgeKind::Hidden | EdgeKind::Element))
        .map(|e| g.to(e))
        .filter(|&v| g.kind(v).is_string())
        .nth(slot as usize)
        .map(|v| g.name(v).to_owned())
}

/// The cause of every root group (None for groups another group keeps alive: theirs is their
/// root's).
pub fn of_groups(s: &Snapshot, groups: &[LeakGroup]) -> Vec<Option<Cause>> {
    let order = crate::analysis::leaks::tree_order(groups);
    let mut out = vec![None; groups.len()];
    for (at, &(i, depth)) in order.iter().enumerate() {
        if depth > 0 {
            continue;
        }
        let nested: Vec<&LeakGroup> = order[at + 1..]
            .iter()
            .take_while(|&&(_, d)| d > 0)
            .map(|&(k, _)| &groups[k])
            .collect();
        let mut cause = recognise(s, &groups[i], &nested);
        let below: Vec<usize> = order[at + 1..]
            .iter()
            .take_while(|&&(_, d)| d > 0)
            .map(|&(k, _)| k)
            .collect();
        cause.leaked = leaked_under(s, groups, i, &below);
        // An open handle is owned by the user's object that holds it.
        if let (CauseKind::Handles, Some(l)) = (cause.kind, &cause.leaked) {
            let made = &groups[l.group];
            cause.evidence = format!(
                "{}, with {} ×{} on them",
                cause.evidence,
                made.shown_class(),
                thousands(made.nodes.len() as u64)
            );
            cause.location = s.location_of(made.nodes[0]);
        }
        out[i] = Some(cause);
    }
    out
}

/// For each root group held by the object an earlier root group's cause names (a source
/// stream's per-pipe listeners beside its pipes, a promise's other reactions, an emitter's other
/// listeners): that earlier group. One holder, one cause: reports list such groups with it, not as leaks of their own.
pub fn same_holder(s: &Snapshot, groups: &[LeakGroup], causes: &[Option<Cause>]) -> Vec<Option<usize>> {
    let mut out = vec![None; groups.len()];
    // Groups are ranked; an earlier root group with a single holder object claims later ones.
    let mut holders: Vec<(usize, NodeId)> = Vec::new();
    for (j, grp) in groups.iter().enumerate() {
        if grp.part_of.is_some() {
            continue;
        }
        if let Some(&(i, _)) = holders.iter().find(|(_, h)| grp.path.iter().any(|hop| hop.node == *h)) {
            out[j] = Some(i);
            continue;
        }
        // A source stream, an emitter or a promise holds its own machinery beside the leak; a
        // collection or the global object holds unrelated things. `process` holds everything.
        if let Some(c) = causes[j].as_ref()
            && matches!(c.kind, CauseKind::Stream | CauseKind::Listeners | CauseKind::Promise)
            && let Some(h) = c.holder_node
            && !is_global(s, h)
            && s.class_name(h) != "process"
        {
            holders.push((j, h));
        }
    }
    out
}

/// The npm package (`express-session`, `@scope/name`) whose object holds hop `at`: the nearest
/// hop at or above it whose class or function is defined somewhere, when that is under
/// `node_modules`; with that definition's location.
fn package_of(s: &Snapshot, path: &[Hop], at: usize) -> Option<(String, Location)> {
    let (url, l) = path[..=at].iter().rev().find_map(|h| {
        let l = s.location_of(h.node)?;
        Some((s.scripts.url(l.script_id)?, l))
    })?;
    let rest = &url[url.rfind("node_modules/")? + "node_modules/".len()..];
    let mut parts = rest.split('/');
    let first = parts.next()?;
    let name = if first.starts_with('@') {
        format!("{first}/{}", parts.next()?)
    } else {
        first.to_owned()
    };
    Some((name, l))
}

/// The cause of a collection that gained `added` entries across a series of snapshots
/// (Growth), from its path to the root in the last one: named by the variable or property that
/// holds it, in its package when it lives in a dependency.
pub fn of_collection(s: &Snapshot, path: &[Hop], added: i64, snapshots: usize) -> Option<Cause> {
    let at = path.len().checked_sub(1)?;
    let global = at > 0 && is_global(s, path[at - 1].node);
    let package = package_of(s, path, at);
    Some(Cause {
        kind: if global {
            CauseKind::Global
        } else {
            CauseKind::Collection
        },
        holder: match &package {
            Some((name, _)) => format!("{} in the package {name}", named(s, path, at)),
            None => named(s, path, at),
        },
        evidence: format!(
            "{} over {} snapshots",
            count(added.max(0) as usize, "more entry", "more entries"),
            snapshots
        ),
        location: package.as_ref().map(|p| p.1),
        holder_node: Some(path[at].node),
        package: package.map(|p| p.0),
        ..Cause::default()
    })
}

/// Nested groups a report or the wizard lists one per line: two levels under each root group, and the
/// groups down to the user's objects a container holds; at most [`NESTED_SHOWN`] per root.
/// The rest are summed up in one line (the wizard expands them on request); JSON lists them all.
pub fn nested_shown(groups: &[LeakGroup], rows: &[(usize, usize)], causes: &[Option<Cause>]) -> Vec<bool> {
    let mut shown = vec![true; rows.len()];
    let mut chain: &[usize] = &[];
    let mut listed = 0;
    for (r, &(i, depth)) in rows.iter().enumerate() {
        if depth == 0 {
            chain = causes[i]
                .as_ref()
                .and_then(|c| c.leaked.as_ref())
                .map_or(&[], |l| l.chain.as_slice());
            listed = 0;
            continue;
        }
        let on_chain = chain.contains(&i);
        shown[r] = on_chain || (depth <= 2 && listed < NESTED_SHOWN && groups[i].part_of.is_some());
        if shown[r] {
            listed += 1;
        }
    }
    shown
}

/// How many nested groups a text report lists under one root group (the chain to the user's
/// objects is always listed).
const NESTED_SHOWN: usize = 8;
