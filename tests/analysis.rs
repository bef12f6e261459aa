//! The DevTools algorithms on small hand-built graphs. Every expected number here was checked
//! against Chrome DevTools' own code (`devtools-reference`) on the same graph, written out with
//! HEAPSIFT_DUMP_TEST_GRAPHS=DIR.

use crate::common::*;
use heapsift::analysis::aggregates::ClassRow;
use heapsift::analysis::distances::Distance;

const NO_DISTANCE: i32 = Distance::UNREACHABLE.0;
const BASE_SYSTEM_DISTANCE: i32 = Distance::BASE_SYSTEM.0;
use heapsift::analysis::query;
use heapsift::format::build::SnapshotJson;

fn row<'a>(s: &'a heapsift::analysis::Snapshot, name: &str) -> &'a ClassRow {
    s.summary
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no class {name}"))
}

/// Cycles, a node only weak edges reach (an orphan, with a child), an unreachable clique and a
/// system-only node.
fn dominator_graph() -> SnapshotJson {
    let (mut b, gc, global) = base();
    let a = b.node("object", "A", 7, 10);
    let bb = b.node("object", "B", 9, 20);
    let c = b.node("object", "C", 11, 30);
    let d = b.node("object", "D", 13, 40);
    let w = b.node("object", "W", 15, 50);
    let x = b.node("object", "X", 17, 60);
    let p = b.node("object", "P", 19, 70);
    let q = b.node("object", "Q", 21, 80);
    let sys = b.node("object", "S", 23, 5);
    b.edge(global, "property", "a", a);
    b.edge(global, "property", "b", bb);
    b.edge(a, "property", "c", c);
    b.edge(bb, "property", "c", c);
    b.edge(c, "property", "d", d);
    b.edge(d, "property", "back", c);
    b.edge(global, "weak", "w", w);
    b.edge(w, "property", "x", x);
    b.edge(p, "property", "q", q);
    b.edge(q, "property", "p", p);
    b.edge(gc, "element", "1", sys);
    b
}

#[test]
fn dominators_with_cycles_orphans_and_cliques() {
    let s = index("dominators", &dominator_graph());
    for (id, dom) in [
        (7, 5),
        (9, 5),
        (11, 5),
        (13, 11),
        (15, 1),
        (17, 15),
        (19, 1),
        (21, 1),
        (23, 3),
        (5, 1),
    ] {
        assert_eq!(dominator_id(&s, id), dom, "dominator of @{id}");
    }
    for (id, r) in [
        (13, 40.0),
        (11, 70.0),
        (5, 200.0),
        (15, 110.0),
        (17, 60.0),
        (19, 70.0),
        (21, 80.0),
        (3, 5.0),
    ] {
        assert_eq!(retained(&s, id), r, "retained size of @{id}");
    }
    assert_eq!(retained(&s, 1), 465.0);
    assert_eq!(s.total_size, 465.0);
    assert_eq!((s.orphans, s.cliques), (1, 2));
}

#[test]
fn distances_skip_weak_edges_and_mark_system_nodes() {
    let s = index("dominators", &dominator_graph());
    for (id, d) in [(5, 1), (7, 2), (9, 2), (11, 3), (13, 4)] {
        assert_eq!(distance(&s, id), d, "distance of @{id}");
    }
    for id in [15, 17, 19, 21] {
        assert_eq!(distance(&s, id), NO_DISTANCE, "@{id} is unreachable");
    }
    assert_eq!(distance(&s, 3), BASE_SYSTEM_DISTANCE + 1);
    assert_eq!(distance(&s, 23), BASE_SYSTEM_DISTANCE + 2);
}

#[test]
fn weak_map_values_take_the_later_of_key_and_table() {
    let (mut b, _gc, global) = base();
    let wm = b.node("object", "WeakMap", 7, 32);
    let table = b.node("array", "(object elements)", 9, 16);
    let k1 = b.node("object", "K1", 11, 8);
    let k2 = b.node("object", "K2", 13, 8);
    let key = b.node("object", "Key", 15, 8);
    let value = b.node("object", "Value", 17, 24);
    b.edge(global, "property", "map", wm);
    b.edge(global, "property", "k1", k1);
    b.edge(wm, "internal", "table", table);
    b.edge(k1, "property", "k2", k2);
    b.edge(k2, "property", "key", key);
    let pair = "part of key (Key @15) -> value (Value @17) pair in WeakMap (table @9)";
    b.edge(table, "internal", &format!("3 / {pair}"), value);
    b.edge(key, "internal", &format!("7 / {pair}"), value);
    let s = index("weakmap", &b);
    assert_eq!(distance(&s, 9), 3);
    assert_eq!(distance(&s, 15), 4);
    // Without DevTools' ephemeron rule the table would give distance 4.
    assert_eq!(distance(&s, 17), 5);
    // The table's edge is not essential: the key alone dominates the value.
    assert_eq!(dominator_id(&s, 17), 15);

    // Ignoring what holds the key: the key is unreachable, so the table's half of the pair no
    // longer retains the value either, and sorts with the unreachable retainers.
    let ignored: std::collections::HashSet<heapsift::model::NodeId> = [node(&s, 13)].into();
    let view = query::IgnoredView::compute(&s, &ignored, &heapsift::progress::Progress::new()).unwrap();
    assert_eq!(view.distances[node(&s, 15)].0, NO_DISTANCE);
    let table_edge = query::retainers(&s, node(&s, 17), Some(&view))
        .into_iter()
        .find(|r| r.from == node(&s, 9))
        .unwrap()
        .edge;
    assert!(view.ignored_edges.contains(&table_edge));
    assert_eq!(
        query::view_distance(&s, Some(&view), node(&s, 9), table_edge),
        Distance(3 + Distance::BASE_UNREACHABLE.0)
    );
}

#[test]
fn distances_skip_descriptor_links_and_sloppy_function_map() {
    let (mut b, _gc, global) = base();
    let map = b.node("hidden", "system / Map", 7, 40);
    let md = b.node("array", "(map descriptors)", 9, 64);
    let y = b.node("object", "Y", 11, 8);
    let z = b.node("object", "Z", 13, 8);
    let nc = b.node("hidden", "system / NativeContext", 15, 100);
    let sloppy = b.node("hidden", "system / Map", 17, 40);
    b.edge(global, "internal", "map", map);
    b.edge(map, "internal", "descriptors", md);
    b.edge(md, "element", "4", y);
    b.edge(md, "element", "2", z);
    b.edge(global, "internal", "native_context", nc);
    b.edge(nc, "internal", "sloppy_function_map", sloppy);
    let s = index("descriptors", &b);
    assert_eq!(distance(&s, 9), 3);
    assert_eq!(distance(&s, 13), 4);
    assert_eq!(distance(&s, 11), NO_DISTANCE);
    assert_eq!(distance(&s, 17), NO_DISTANCE);
    // Distances do not change dominators.
    assert_eq!(dominator_id(&s, 11), 9);
}

#[test]
fn ownership_transfer_moves_sizes_onto_single_owners() {
    let (mut b, gc, global) = base();
    let holder = b.node("object", "Holder", 7, 16);
    let elements = b.node("array", "(object elements)", 9, 64);
    let shared = b.node("array", "(object elements)", 11, 32);
    let hidden = b.node("hidden", "system / Foo", 13, 8);
    let gc_owned = b.node("hidden", "system / Bar", 15, 12);
    let nested = b.node("array", "(object properties)", 17, 24);
    b.edge(global, "property", "holder", holder);
    b.edge(holder, "internal", "elements", elements);
    b.edge(holder, "internal", "shared", shared);
    b.edge(global, "internal", "shared", shared);
    b.edge(holder, "internal", "hidden", hidden);
    b.edge(gc, "element", "1", gc_owned);
    b.edge(elements, "internal", "nested", nested);
    let s = index("ownership", &b);
    assert_eq!(self_size(&s, 7), 16 + 64 + 8 + 24);
    assert_eq!(self_size(&s, 9), 0);
    assert_eq!(self_size(&s, 17), 0);
    assert_eq!(self_size(&s, 13), 0);
    assert_eq!(self_size(&s, 11), 32, "shared arrays keep their size");
    assert_eq!(self_size(&s, 15), 12, "sizes never move onto synthetic owners");
    // Zero-size nodes vanish from the Summary, as in DevTools.
    assert_eq!(row(&s, "(array)").count, 1);
}

#[test]
fn no_transfer_without_user_roots() {
    let mut b = SnapshotJson::new();
    let root = b.node("synthetic", "", 1, 0);
    let gc = b.node("synthetic", "(GC roots)", 3, 0);
    let holder = b.node("object", "Holder", 5, 16);
    let elements = b.node("array", "(object elements)", 7, 64);
    b.edge(root, "element", "1", gc);
    b.edge(gc, "element", "1", holder);
    b.edge(holder, "internal", "elements", elements);
    let s = index("expose-internals", &b);
    assert_eq!(self_size(&s, 7), 64);
    assert_eq!(distance(&s, 5), 2, "without user roots the root starts at 0");
}

#[test]
fn class_names_shapes_and_detached_nodes() {
    let (mut b, _gc, global) = base();
    let mut id = 7;
    let mut next = || {
        id += 2;
        id
    };
    for props in [
        &["a", "b"][..],
        &["a", "b"],
        &["b", "a", "__proto__"],
        &["a", "b", "c"],
        &["x"],
        &["a,b", "c"],
        &["a,b", "c"],
    ] {
        let o = b.node("object", "Object", next(), 12);
        b.edge(global, "element", &next().to_string(), o);
        for p in props {
            let v = b.node("number", "heap number", next(), 16);
            b.edge(o, "property", p, v);
        }
    }
    let div = b.node("native", "<div id=\"x\">", next(), 40);
    let hidden = b.node("hidden", "system / Foo", next(), 4);
    let code = b.node("code", "foo", next(), 4);
    let closure = b.node("closure", "foo", next(), 32);
    let detached = b.node_detached("native", "HTMLDivElement", next(), 64, 2);
    let child = b.node_detached("native", "HTMLSpanElement", next(), 64, 0);
    let attached = b.node_detached("native", "HTMLBodyElement", next(), 64, 1);
    let attached_child = b.node_detached("native", "HTMLPElement", next(), 64, 0);
    let detached_tag = b.node_detached("native", "<li class=\"item\">", next(), 16, 2);
    for (i, n) in [div, hidden, code, closure, detached, attached, detached_tag]
        .into_iter()
        .enumerate()
    {
        b.edge(global, "internal", &format!("n{i}"), n);
    }
    b.edge(detached, "property", "child", child);
    b.edge(detached, "property", "p", attached_child);
    b.edge(attached, "property", "p", attached_child);
    let s = index("classes", &b);
    let names: Vec<&str> = s.summary.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        row(&s, "{a, b}").count,
        4,
        "{{a, b, c}} matches the popular {{a, b}} shape; {names:?}"
    );
    assert_eq!(row(&s, "{\"a,b\", c}").count, 2);
    assert_eq!(row(&s, "Object").count, 1, "{{x}} is too rare to name");
    assert_eq!(class(&s, s.graph.id(heapsift::model::NodeId::at(hidden)).0), "(system)");
    for name in [
        "<div>",
        "(compiled code)",
        "Function",
        "(number)",
        "Detached HTMLDivElement",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert!(
        names.contains(&"Detached HTMLSpanElement"),
        "detachedness flows to native children"
    );
    assert!(names.contains(&"HTMLPElement"), "attached wins over detached");
    assert!(names.contains(&"Detached <li>"));
    assert_eq!(query::display_name(&s.graph, node(&s, 9)), "{a, b}");
}

#[test]
fn location_keyed_classes_and_topmost_retained_sizes() {
    let (mut b, _gc, global) = base();
    let n1 = b.node("object", "Node", 7, 10);
    let n2 = b.node("object", "Node", 9, 10);
    let n3 = b.node("object", "Node", 11, 10);
    let other = b.node("object", "Node", 13, 10);
    b.edge(global, "property", "head", n1);
    b.edge(n1, "property", "next", n2);
    b.edge(n2, "property", "next", n3);
    b.edge(global, "property", "other", other);
    for n in [n1, n2, n3] {
        b.location(n, 4, 10, 2);
    }
    b.location(other, 5, 1, 0);
    let s = index("locations", &b);
    let rows: Vec<&ClassRow> = s.summary.iter().filter(|r| r.name == "Node").collect();
    assert_eq!(rows.len(), 2, "one row per constructor location");
    let chain = rows.iter().find(|r| r.count == 3).unwrap();
    assert_eq!(chain.retained_size, 30.0, "only the topmost instance counts");
    assert_eq!(chain.location.unwrap().script_id, 4);
}

#[test]
fn path_to_root_is_root_first_and_shortest() {
    let s = index("dominators", &dominator_graph());
    let path = query::path_to_root(&s, node(&s, 13)).unwrap();
    let ids: Vec<u32> = path.iter().map(|h| s.graph.id(h.node).0).collect();
    assert_eq!(ids, vec![1, 5, 7, 11, 13]);
    assert!(path[0].edge.is_none());
    assert_eq!(query::edge_label(&s.graph, path[2].edge.unwrap()), ".a");
    assert!(
        query::path_to_root(&s, node(&s, 17)).is_none(),
        "weakly held objects have no path"
    );
}

/// The readable path avoids a prototype hop when a longer path without one exists, and takes it
/// when nothing else reaches the object; DevTools' shortest path is unchanged.
#[test]
fn readable_paths_postpone_prototype_hops() {
    use heapsift::analysis::readable::ReadablePaths;
    let (mut b, _gc, global) = base();
    let report = b.node("object", "Report", 31, 10);
    let proto = b.node("object", "ReportProto", 33, 10);
    let ctor = b.node("closure", "Report", 35, 10);
    let cache_owner = b.node("object", "Service", 37, 10);
    let holder = b.node("object", "Holder", 39, 10);
    let inner = b.node("object", "Inner", 47, 10);
    let deeper = b.node("object", "Deeper", 49, 10);
    let cache = b.node("object", "Map", 41, 10);
    let entry = b.node("object", "Session", 43, 10);
    let only_proto = b.node("object", "OnlyViaProto", 45, 10);
    b.edge(global, "property", "report", report);
    b.edge(report, "property", "__proto__", proto);
    b.edge(proto, "property", "constructor", ctor);
    b.edge(ctor, "property", "cache", cache);
    b.edge(global, "property", "service", cache_owner);
    b.edge(cache_owner, "property", "holder", holder);
    b.edge(holder, "property", "inner", inner);
    b.edge(inner, "property", "deeper", deeper);
    b.edge(deeper, "property", "sessions", cache);
    b.edge(cache, "property", "s1", entry);
    b.edge(proto, "property", "x", only_proto);
    let s = index("readable", &b);
    let names = |hops: &[query::Hop]| -> Vec<String> {
        hops.iter()
            .filter_map(|h| h.edge)
            .map(|e| query::edge_label(&s.graph, e))
            .collect()
    };
    let paths = ReadablePaths::compute(&s, &heapsift::progress::Progress::new()).unwrap();
    let entry_v = node(&s, 43);
    let shortest = names(&query::path_to_root(&s, entry_v).unwrap());
    assert!(
        shortest.contains(&".__proto__".to_owned()),
        "DevTools' shortest: {shortest:?}"
    );
    let readable = names(&paths.path(&s, entry_v).unwrap());
    assert!(readable.contains(&".sessions".to_owned()), "{readable:?}");
    assert!(
        !readable.iter().any(|l| l == ".__proto__" || l == ".constructor"),
        "{readable:?}"
    );
    assert!(readable.len() > shortest.len(), "longer, but readable");
    // Nothing else reaches it: the prototype hop is taken.
    let only = names(&paths.path(&s, node(&s, 45)).unwrap());
    assert!(only.contains(&".__proto__".to_owned()), "{only:?}");
}

/// Retainers filled in parallel runs equal the one-run order (DevTools'), slot for slot, on
/// random graphs of every shape.
#[test]
fn retainers_in_parallel_runs_equal_the_sequential_order() {
    use heapsift::analysis::{flags, retainers::Retainers};
    use heapsift::progress::Progress;
    for seed in 0..300 {
        let mut rng = Rng::new(seed);
        let nodes = 2 + rng.below(120);
        let edges = rng.below(nodes * 4);
        let s = index(&format!("random-{seed}"), &random_graph(seed, nodes, edges));
        let g = &s.graph;
        let flags = flags::calculate(g, &Progress::new()).unwrap();
        let essential = flags::essential_edges(g, &flags, &Progress::new()).unwrap();
        let one = Retainers::build_in_runs(g, &essential, 1, &Progress::new()).unwrap();
        for runs in 2..=5 {
            let many = Retainers::build_in_runs(g, &essential, runs, &Progress::new()).unwrap();
            assert_eq!(&*many.first, &*one.first, "seed {seed}, {runs} runs: offsets");
            for slot in 0..g.edge_count() {
                assert_eq!(
                    many.source(slot),
                    one.source(slot),
                    "seed {seed}, {runs} runs: slot {slot}"
                );
                assert_eq!(
                    many.is_essential(slot),
                    one.is_essential(slot),
                    "seed {seed}, {runs} runs: essential {slot}"
                );
            }
        }
    }
}

/// Node's timer list: a doubly linked list of `Timeout`s under a `TimersList`, each holding a
/// job through its callback. Every element (reached from either end) is one group, the jobs one
/// group under it, each counted once; a dictionary's values are one group whatever their keys.
#[test]
fn lists_and_dictionaries_group_as_one() {
    use heapsift::analysis::leaks;
    let (mut b, _gc, global) = base();
    let timers = b.node("object", "TimersList", 7, 40);
    b.edge(global, "property", "timerList", timers);
    let mut id = 100;
    let mut ts = Vec::new();
    for _ in 0..6 {
        let t = b.node("object", "Timeout", id, 80);
        let f = b.node("closure", "poll", id + 2, 32);
        let ctx = b.node("object", "system / Context", id + 4, 24);
        let job = b.node("object", "PollJob", id + 6, 24);
        b.edge(t, "property", "_onTimeout", f);
        b.edge(f, "internal", "context", ctx);
        b.edge(ctx, "context", "job", job);
        ts.push(t);
        id += 8;
    }
    b.edge(timers, "property", "_idleNext", ts[0]);
    b.edge(timers, "property", "_idlePrev", ts[5]);
    for w in ts.windows(2) {
        b.edge(w[0], "property", "_idleNext", w[1]);
        b.edge(w[1], "property", "_idlePrev", w[0]);
    }
    // A dictionary: 70 sessions under keys that are data.
    let store = b.node("object", "Object", 9, 2000);
    b.edge(global, "property", "sessions", store);
    for k in 0..70u32 {
        let sess = b.node("object", "Session", 5001 + 2 * k, 40);
        b.edge(store, "property", &format!("sid-{k:08x}"), sess);
    }
    let s = crate::common::index("lists", &b);
    let ids: Vec<u32> = (100..id).step_by(2).chain((0..70).map(|k| 5001 + 2 * k)).collect();
    let candidates: Vec<_> = ids
        .iter()
        .map(|&i| crate::common::node(&s, i))
        .filter(|&v| !matches!(s.class_name(v), "system / Context"))
        .collect();
    let groups = leaks::group(&s, &candidates, &heapsift::progress::Progress::new()).unwrap();
    let find = |class: &str| -> Vec<&leaks::LeakGroup> { groups.iter().filter(|g| g.class == class).collect() };
    let timeouts = find("Timeout");
    assert_eq!(timeouts.len(), 1, "one list, one group: {groups:#?}");
    assert_eq!(timeouts[0].nodes.len(), 6);
    assert_eq!(timeouts[0].part_of, None);
    let jobs = find("PollJob");
    assert_eq!(
        (jobs.len(), jobs[0].nodes.len()),
        (1, 6),
        "the jobs of every timer: {groups:#?}"
    );
    assert!(jobs[0].part_of.is_some(), "kept alive by the timers");
    let sessions = find("Session");
    assert_eq!((sessions.len(), sessions[0].nodes.len()), (1, 70), "{groups:#?}");
    // Counted once: the elements dominate each other along the list, so the group keeps alive
    // no more than the list itself does.
    let list = s.retained.get(crate::common::node(&s, 7));
    assert!(
        timeouts[0].retained_size <= list,
        "{} > {list}",
        timeouts[0].retained_size
    );
}

/// Objects that only the engine's bookkeeping (compiled code, feedback, allocation sites) keeps
/// alive are engine internals, left out unless internals are asked for.
#[test]
fn engine_held_groups_are_left_out() {
    use heapsift::analysis::leaks::{self, LeakOptions};
    let (mut b, _gc, global) = base();
    let f = b.node("closure", "warm", 7, 32);
    let code = b.node("code", "(compiled code)", 9, 100);
    let site = b.node("object", "Object", 11, 24);
    let user = b.node("object", "Order", 13, 24);
    b.edge(global, "property", "warm", f);
    b.edge(f, "internal", "code", code);
    b.edge(code, "internal", "transition_info", site);
    b.edge(global, "property", "order", user);
    let s = crate::common::index("engine-held", &b);
    let candidates = vec![crate::common::node(&s, 11), crate::common::node(&s, 13)];
    let groups = leaks::group(&s, &candidates, &heapsift::progress::Progress::new()).unwrap();
    assert_eq!(groups.len(), 2);
    let kept = leaks::without_engine_held(&s, groups.clone(), &LeakOptions::default());
    let classes: Vec<&str> = kept.iter().map(|g| g.class.as_str()).collect();
    assert_eq!(classes, ["Order"]);
}

/// Sessions with and without a user, tenants as strings, a nested header, a number, oddballs,
/// and a Map of two entries: what `heapsift find` and the MCP server's `find_objects` query.
fn session_graph() -> SnapshotJson {
    let (mut b, _gc, global) = base();
    let oddball = |b: &mut SnapshotJson, value: &str, id: u32| {
        let o = b.node("hidden", "system / Oddball", id, 16);
        let s = b.node("string", value, id + 1, 16);
        b.edge(o, "hidden", "0", s);
        o
    };
    let t = oddball(&mut b, "true", 201);
    let null = oddball(&mut b, "null", 203);
    let list = b.node("array", "(object elements)", 7, 40);
    b.edge(global, "property", "sessions", list);
    let mut sessions = Vec::new();
    for (i, (user, tenant, size)) in [
        (Some("u-1"), "acme", 100),
        (None, "acme", 200),
        (Some("u-3"), "globex", 3000),
        (None, "globex", 400),
        (Some("null"), "acme", 500),
    ]
    .into_iter()
    .enumerate()
    {
        let id = 11 + 20 * i as u32;
        let s = b.node("object", "Session", id, size);
        b.edge(list, "element", &i.to_string(), s);
        match user {
            Some("null") => b.edge(s, "property", "userId", null),
            Some(u) => {
                let str_node = b.node("string", u, id + 2, 20);
                b.edge(s, "property", "userId", str_node);
            }
            None => {}
        }
        let tn = b.node("string", tenant, id + 4, 20);
        b.edge(s, "property", "tenant", tn);
        let h = b.node("object", "Object", id + 6, 30);
        b.edge(s, "property", "headers", h);
        let accept = b.node(
            "string",
            if i % 2 == 0 { "application/json" } else { "text/html" },
            id + 8,
            24,
        );
        b.edge(h, "property", "accept", accept);
        let n = b.node("number", &format!("{}.5", i), id + 10, 16);
        b.edge(s, "property", "score", n);
        b.edge(s, "property", "active", t);
        sessions.push(s);
    }
    // A Map whose table holds two entries (key, value, chain slots; chains are small integers).
    let map = b.node("object", "Map", 301, 32);
    b.edge(global, "property", "byUser", map);
    let table = b.node("array", "(object properties)", 303, 64);
    b.edge(map, "internal", "table", table);
    for (slot, (key, value)) in [(5u32, ("u-1", sessions[0])), (8, ("u-3", sessions[2]))] {
        let k = b.node("string", key, 305 + slot * 2, 20);
        b.edge(table, "internal", &slot.to_string(), k);
        b.edge(table, "internal", &(slot + 1).to_string(), value);
    }
    b
}

#[test]
fn queries_read_properties_values_and_sizes() {
    use heapsift::present::find::{Request, run};
    let s = index("sessions", &session_graph());
    let ids = |class: Option<&str>, query: &str| -> Vec<u32> {
        let r = Request {
            class: class.map(str::to_owned),
            query: Some(query.to_owned()),
            ..Default::default()
        };
        let a = run(&s, &r, &|| false)
            .unwrap_or_else(|e| panic!("{query}: {e}"))
            .unwrap();
        let mut out: Vec<u32> = a
            .found
            .subjects
            .iter()
            .map(|sub| match sub {
                heapsift::analysis::find::Subject::Object(v) => s.graph.id(*v).0,
                _ => 0,
            })
            .collect();
        out.sort();
        out
    };
    let session = Some("Session");
    // Unset and null are alike, as JavaScript's == has them.
    assert_eq!(ids(session, ".userId == undefined"), [31, 71, 91]);
    assert_eq!(ids(session, ".userId == null"), [31, 71, 91]);
    assert_eq!(ids(session, ".userId"), [11, 51], "a missing or null property is falsy");
    assert_eq!(ids(session, ".userId != undefined and .tenant == acme"), [11]);
    assert_eq!(ids(session, ".headers.accept ~ 'json'"), [11, 51, 91]);
    assert_eq!(ids(session, ".headers.accept ~ /^TEXT/i"), [31, 71]);
    assert_eq!(ids(session, "self_size >= 0.4kB"), [51, 71, 91]);
    assert_eq!(ids(session, ".score > 2 and .active == true"), [51, 71, 91]);
    assert_eq!(
        ids(session, "not (.tenant == acme or .tenant == globex)"),
        Vec::<u32>::new()
    );
    assert_eq!(ids(session, ".headers == Object and id < @40"), [11, 31]);
    assert_eq!(ids(None, "class == Map and entries == 2"), [301]);
    assert_eq!(ids(None, "entries(.byUser) == 2"), [5], "an attribute of a property");

    // The distribution of a property, most frequent first.
    let r = Request {
        class: Some("Session".into()),
        group_by: Some(".tenant".into()),
        ..Default::default()
    };
    let a = run(&s, &r, &|| false).unwrap().unwrap();
    let groups: Vec<(String, usize)> = a
        .groups
        .unwrap()
        .iter()
        .map(|g| (heapsift::present::find::value_label(&s, &g.value), g.count))
        .collect();
    assert_eq!(groups, [("\"acme\"".to_owned(), 3), ("\"globex\"".to_owned(), 2)]);

    // A Map's entries, queried as objects: key, and the value's properties.
    let r = Request {
        entries_of: Some("@301".into()),
        query: Some("key ~ 'u-' and value.tenant == globex".into()),
        ..Default::default()
    };
    let a = run(&s, &r, &|| false).unwrap().unwrap();
    assert_eq!((a.found.examined, a.found.subjects.len()), (2, 1));
    let heapsift::analysis::find::Subject::Entry(e) = a.found.subjects[0] else {
        panic!()
    };
    assert_eq!(s.graph.id(e.value.unwrap()).0, 51);

    // Mistakes name their argument, and the column.
    let bad = |r: Request| run(&s, &r, &|| false).err().unwrap().to_string();
    assert_eq!(
        bad(Request {
            query: Some("key == 1".into()),
            ..Default::default()
        }),
        "where: key and value name a Map's or Set's entries: give the Map or Set whose entries to search"
    );
    assert_eq!(
        bad(Request {
            entries_of: Some("@11".into()),
            ..Default::default()
        }),
        "entries_of: @11 is a Session, not a Map or Set"
    );
    assert_eq!(
        bad(Request {
            query: Some(".a == 1 or".into()),
            ..Default::default()
        }),
        "where: column 11: the expression ends here; expected a property (.name), an attribute or a value"
    );
}
