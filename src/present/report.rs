//! Results for tools and reports: the JSON of every command, in one schema (`docs/json.md`,
//! `docs/heapsift.schema.json`: the same field names everywhere, 1-based locations; its
//! numbers are DevTools'), and the leak report in Markdown.

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use crate::analysis::Snapshot;
use crate::analysis::aggregates::{ClassRow, sort_rows};
use crate::analysis::query::{self, display_name};
use crate::model::{Location, NodeId};
use crate::text::preview;

use super::names::{defined_at_suffix, hop_label, minor_names, oddball, path_lines, scope_label};

/// A whole number as a JSON integer, anything else as a float (JS prints both the same way).
pub fn js_number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

/// A command's JSON document: its fields with `schema_version` and `command` added (the schema
/// is `docs/heapsift.schema.json`), as the CLI prints it and the MCP server answers.
pub fn doc(command: &str, mut v: Value) -> Value {
    v["schema_version"] = SCHEMA_VERSION.into();
    v["command"] = command.into();
    v
}

/// The version of the JSON schema every command prints (`schema_version`). It changes when a
/// field is renamed, removed or changes meaning; new fields do not change it.
pub const SCHEMA_VERSION: u32 = 1;

/// Where a class is defined: the script and a 1-based line and column, as editors and stack
/// traces count (the snapshot's own are 0-based); `url` when the script's name is known.
pub(crate) fn location_json(l: Option<Location>, scripts: Option<&crate::analysis::scripts::Scripts>) -> Value {
    match l {
        None => Value::Null,
        Some(l) => {
            let mut v = json!({"script_id": l.script_id, "line": l.line + 1, "column": l.column + 1});
            if let Some(url) = scripts.and_then(|s| s.url(l.script_id)) {
                v["url"] = json!(url);
            }
            // Through the script's source map: the original file's position (the fields above
            // stay the generated one, as DevTools gives it).
            if let Some(o) = scripts.and_then(|s| s.original(l)) {
                v["original"] = json!({"source": o.source, "line": o.line + 1, "column": o.column + 1});
            }
            v
        }
    }
}

pub(crate) fn sorted_rows(s: &Snapshot, top: Option<usize>) -> Vec<ClassRow> {
    sorted(s.summary.clone(), top)
}

/// Rows in DevTools' order (retained, shallow, name), the first `top` of them.
pub fn sorted(mut rows: Vec<ClassRow>, top: Option<usize>) -> Vec<ClassRow> {
    sort_rows(&mut rows);
    if let Some(n) = top {
        rows.truncate(n);
    }
    rows
}

pub fn file_name(file: &Path) -> String {
    file.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `heapsift summary --json`: DevTools' Summary rows.
pub fn summary_json(s: &Snapshot, file: &Path, top: Option<usize>) -> Value {
    summary_rows_json(s, file, sorted_rows(s, top), None)
}

/// `heapsift summary [--filter NAME] --json`: rows already sorted and cut.
pub fn summary_rows_json(s: &Snapshot, file: &Path, rows: Vec<ClassRow>, filter: Option<&str>) -> Value {
    let classes: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "class": r.name,
                "location": location_json(r.location, Some(&s.scripts)),
                "count": r.count,
                "shallow_size": r.shallow_size,
                "retained_size": js_number(r.retained_size.round()),
                "distance": r.distance.shown(),
            })
        })
        .collect();
    let mut v = header_json(s, file);
    if let Some(f) = filter {
        v["filter"] = json!(f);
    }
    v["classes"] = json!(classes);
    v
}

/// The header of every command about one snapshot.
fn header_json(s: &Snapshot, file: &Path) -> Value {
    json!({
        "file": file_name(file),
        "node_count": s.graph.node_count(),
        "edge_count": s.graph.edge_count(),
        "total_size": js_number(s.total_size),
        "max_js_object_id": s.max_js_object_id,
    })
}

/// `heapsift detached --json`.
pub(crate) fn detached_json(s: &Snapshot, file: &Path, trees: &[crate::analysis::detached::DetachedTree]) -> Value {
    let g = &s.graph;
    let mut v = header_json(s, file);
    v["trees"] = trees
        .iter()
        .map(|t| {
            json!({
                "id": g.id(t.root),
                "class": s.class_name(t.root),
                "detached_nodes": t.nodes,
                "shallow_size": g.self_size(t.root),
                "retained_size": js_number(t.retained.round()),
                "holders": t.holders,
                "held_by": t.holder.map(|r| json!({
                    "edge_type": g.edge_type_name(r.edge),
                    "edge_name": g.edge_name(r.edge).to_string(),
                    "id": g.id(r.from),
                    "class": hop_label(s, r.from),
                })),
            })
        })
        .collect();
    v
}

/// `heapsift detached --json`, with whether the snapshot has a DOM at all.
pub fn detached_doc(s: &Snapshot, file: &Path, dom: &crate::analysis::detached::DetachedDom, top: usize) -> Value {
    let mut v = detached_json(s, file, &dom.trees[..dom.trees.len().min(top)]);
    v["has_dom"] = dom.has_dom.into();
    v["total_trees"] = dom.trees.len().into();
    v
}

/// `heapsift duplicates --json`: DevTools' duplicated strings.
pub fn duplicates_json(s: &Snapshot, file: &Path, groups: &[crate::analysis::filters::DuplicateGroup]) -> Value {
    let g = &s.graph;
    let mut v = header_json(s, file);
    v["groups"] = groups
        .iter()
        .map(|d| {
            let value: Vec<u16> = d.value.encode_utf16().take(200).collect();
            let mut ids: Vec<u32> = d.nodes.iter().map(|&n| g.id(n).0).collect();
            ids.sort_unstable();
            json!({
                "value": String::from_utf16_lossy(&value),
                "value_length": d.value_length(),
                "truncated": d.truncated,
                "count": d.count,
                "shallow_size": d.total_self_size,
                "retained_size": js_number(d.total_retained_size.round()),
                "ids": ids,
            })
        })
        .collect();
    v
}

fn node_json(s: &Snapshot, v: NodeId) -> Value {
    json!({
        "id": s.graph.id(v),
        "class": s.class_name(v),
    })
}

/// `heapsift object --json`: `path_to_root` is the readable path, `shortest_path_to_root`
/// DevTools' shortest one.
pub(crate) fn object_json(s: &Snapshot, v: NodeId, readable: Option<&[query::Hop]>) -> Value {
    let g = &s.graph;
    let name = oddball(g, v).unwrap_or_else(|| display_name(g, v));
    let dom = s.dominator[v];
    let shortest: Value = match query::path_to_root(s, v) {
        None => Value::Null,
        Some(hops) => path_json(s, &hops),
    };
    let path = readable.map_or(Value::Null, |hops| path_json(s, hops));
    json!({
        "id": g.id(v),
        "type": g.type_name(v),
        "class": s.class_name(v),
        "original_class": crate::present::names::original_class(s, v),
        "name": preview(&name, 200),
        "name_length": name.chars().count(),
        "shallow_size": g.self_size(v),
        "retained_size": js_number(s.retained.get(v).round()),
        "distance": s.distances[v].shown(),
        "dominator": node_json(s, dom),
        "location": location_json(s.location_of(v), Some(&s.scripts)),
        "allocation_stack": crate::present::allocations::object_stack_json(s, v),
        "path_to_root": path,
        "shortest_path_to_root": shortest,
    })
}

/// One JSON line per node, for comparing with DevTools when a golden test fails.
pub(crate) fn dump_nodes(s: &Snapshot) -> std::io::Result<()> {
    let g = &s.graph;
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    for v in g.nodes() {
        let line = json!({
            "id": g.id(v),
            "class_name": s.class_name(v),
            "self_size": g.self_size(v),
            "retained_size": js_number(s.retained.get(v).round()),
            "distance": s.distances[v].shown(),
            "dominator_id": g.id(s.dominator[v]),
        });
        writeln!(out, "{line}")?;
    }
    out.flush()
}

/// `heapsift diff --json`: DevTools' Comparison rows.
pub fn diff_json(
    base: &Path,
    current: &Path,
    rows: &[crate::analysis::diff::DiffRow],
    scripts: Option<&crate::analysis::scripts::Scripts>,
) -> Value {
    let classes: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "class": r.name,
                "location": location_json(r.location, scripts),
                "new_count": r.new_count,
                "deleted_count": r.deleted_count,
                "count_delta": r.count_delta,
                "alloc_size": r.alloc_size,
                "freed_size": r.freed_size,
                "size_delta": r.size_delta,
            })
        })
        .collect();
    json!({"base": file_name(base), "current": file_name(current), "classes": classes})
}

/// `heapsift diff --json`: the Comparison's first `top` rows, and whether the two snapshots
/// are of one process.
pub fn comparison_json(base: &Path, current: &Path, c: &crate::engine::workflows::Comparison, top: usize) -> Value {
    let mut v = diff_json(base, current, &c.rows[..c.rows.len().min(top)], Some(&c.scripts));
    v["same_process"] = (!matches!(c.kinship, crate::analysis::process::Kinship::Different { .. })).into();
    v["total_classes"] = c.rows.len().into();
    v
}

/// A path as JSON hops, root first.
pub(crate) fn path_json(s: &Snapshot, hops: &[query::Hop]) -> Value {
    let g = &s.graph;
    hops.iter()
        .map(|h| {
            let mut hop = node_json(s, h.node);
            if let Some(e) = h.edge {
                hop["edge_type"] = json!(g.edge_type_name(e));
                hop["edge_name"] = json!(g.edge_name(e).to_string());
            }
            hop["type"] = json!(g.type_name(h.node));
            hop["name"] = json!(match oddball(g, h.node) {
                Some(value) => value,
                None => preview(&display_name(g, h.node), 200),
            });
            if let Some(scope) = scope_label(s, h.node) {
                hop["scope"] = json!(scope);
            }
            hop["retained_size"] = js_number(s.retained.get(h.node));
            hop
        })
        .collect()
}

/// The leak groups of `heapsift leaks --json`: the first `top` root groups, each with the
/// groups it keeps alive nested under `kept_alive`; minor root groups (one small object) come
/// after them, marked `minor`.
pub(crate) fn leaks_json(
    s: &Snapshot,
    names: &[String],
    candidates: usize,
    groups: &[crate::analysis::leaks::LeakGroup],
    top: usize,
    runs: Option<usize>,
) -> Value {
    use crate::analysis::leaks;
    let g = &s.graph;
    let largest = leaks::largest_retained(groups);
    let numbers = leaks::numbers(groups);
    let per = runs.map(|r| leaks::per_action(groups, r));
    let causes = super::causes::of_groups(s, groups);
    let side = super::causes::same_holder(s, groups, &causes);
    let one = |i: usize| {
        let grp = &groups[i];
        // Under a container: the group of the user's objects it holds, and the groups between.
        let leaked = causes[i].as_ref().and_then(|c| c.leaked.as_ref()).map(|l| {
            let made = &groups[l.group];
            json!({
                "number": numbers[l.group],
                "class": made.class,
                "original_class": made.original_class,
                "location": location_json(s.location_of(made.nodes[0]), Some(&s.scripts)),
                "count": made.nodes.len(),
                "per_action": runs.map(|r| js_number((made.nodes.len() as f64 / r.max(1) as f64 * 100.0).round() / 100.0)),
                "held_in": l.chain.iter().map(|&k| &numbers[k]).collect::<Vec<_>>(),
            })
        });
        json!({
            "cause": causes[i].as_ref().map(|c| {
                let mut v = c.json(s);
                // As the text says it: a group that did not grow with every action may be fine.
                if per.as_ref().is_some_and(|p| p[i] < leaks::GROWING_PER_ACTION) {
                    v["fix"] = json!(super::causes::BOUNDED_FIX);
                }
                v
            }),
            "leaked": leaked,
            "same_holder_as": side[i].map(|k| &numbers[k]),
            // Objects of this class per run, to two decimals; whether it (or what it keeps
            // alive) grows by at least one with every run.
            "per_action": runs.map(|r| js_number((grp.nodes.len() as f64 / r.max(1) as f64 * 100.0).round() / 100.0)),
            "grows_per_action": per.as_ref().map(|p| p[i] >= leaks::GROWING_PER_ACTION),
            "number": numbers[i],
            "class": grp.class,
            "original_class": grp.original_class,
            "location": location_json(s.location_of(grp.nodes[0]), Some(&s.scripts)),
            "count": grp.nodes.len(),
            "shallow_size": grp.shallow_size,
            "retained_size": js_number(grp.keeps_alive()),
            "kept_alive_by": grp.part_of.map(|k| &numbers[k]),
            "minor": leaks::is_minor(grp, largest) || leaks::is_one_off(grp, per.as_ref().map(|p| p[i])),
            "path_shape": grp.signature,
            "path_to_root": path_json(s, &grp.path),
            // The stacks that made the members, when the snapshots recorded them.
            "allocated_by": super::allocations::made_by_group(s, grp)
                .map(|m| m.iter().take(5).map(|m| m.json(s)).collect::<Vec<_>>()),
            "ids": grp.nodes.iter().take(50).map(|&v| g.id(v)).collect::<Vec<_>>(),
            "ids_complete": grp.nodes.len() <= 50,
            "kept_alive": Vec::<Value>::new(),
        })
    };
    let listing = leaks::listing(groups, top, per.as_deref());
    // Rows come depth first: a stack of the open groups builds the nesting.
    let mut roots: Vec<Value> = Vec::new();
    let mut open: Vec<(usize, Value)> = Vec::new();
    let close = |open: &mut Vec<(usize, Value)>, roots: &mut Vec<Value>, to_depth: usize| {
        while open.len() > to_depth {
            let (_, v) = open.pop().expect("non-empty");
            match open.last_mut() {
                Some((_, parent)) => parent["kept_alive"].as_array_mut().expect("array").push(v),
                None => roots.push(v),
            }
        }
    };
    for &(i, depth) in &listing.rows {
        close(&mut open, &mut roots, depth);
        open.push((i, one(i)));
    }
    close(&mut open, &mut roots, 0);
    roots.extend(listing.minor.iter().map(|&i| one(i)));
    json!({
        "snapshots": names,
        "runs": runs,
        "candidates": candidates,
        "group_count": groups.len(),
        "root_group_count": groups.iter().filter(|g| g.part_of.is_none()).count(),
        "groups": roots,
        "more_root_groups": listing.more_roots,
    })
}

/// A Markdown report of leak groups: root groups with what they keep alive under them.
pub(crate) fn leaks_markdown(
    s: &Snapshot,
    names: &[String],
    candidates: usize,
    groups: &[crate::analysis::leaks::LeakGroup],
    top: usize,
    runs: Option<usize>,
) -> String {
    use crate::text::{bytes, thousands};
    let per = runs.map(|r| crate::analysis::leaks::per_action(groups, r));
    let listing = crate::analysis::leaks::listing(groups, top, per.as_deref());
    let numbers = crate::analysis::leaks::numbers(groups);
    let mut md = String::new();
    md.push_str("# Memory leak report\n\n");
    md.push_str(&format!(
        "Snapshots: baseline `{}`, target `{}`, final `{}`.\n\n{} objects were allocated between the baseline and the target and are still alive in the final snapshot.\n\n",
        names[0], names[1], names[2], thousands(candidates as u64)
    ));
    md.push_str("| # | Class | Count | Retained | Shallow |\n|---|---|---:|---:|---:|\n");
    for &(i, depth) in &listing.rows {
        let grp = &groups[i];
        let at = defined_at_suffix(s, grp.nodes[0]);
        let class = format!("`{}`{at}", preview(grp.shown_class(), 60).replace('|', "\\|"));
        let (class, retained) = if depth == 0 {
            (class, bytes(grp.retained_size))
        } else {
            let by = grp.part_of.map_or("", |k| &numbers[k]);
            (
                format!("{}↳ {class}", "&nbsp;&nbsp;".repeat(depth)),
                format!("{} in #{by}", bytes(grp.keeps_alive())),
            )
        };
        let per_run = runs.map_or(String::new(), |r| {
            format!(" ({:.1} per run)", grp.nodes.len() as f64 / r.max(1) as f64)
        });
        md.push_str(&format!(
            "| {} | {class} | {}{per_run} | {retained} | {} |\n",
            numbers[i],
            thousands(grp.nodes.len() as u64),
            bytes(grp.shallow_size as f64)
        ));
    }
    if !listing.minor.is_empty() {
        md.push_str(&format!(
            "\n{} in all, {}: {}.\n",
            crate::text::count(
                listing.minor.len(),
                "more group of a single object",
                "more groups of a single object"
            ),
            bytes(listing.minor_retained),
            minor_names(&listing, groups, 6)
        ));
    }
    let causes = super::causes::of_groups(s, groups);
    let side = super::causes::same_holder(s, groups, &causes);
    for &(i, depth) in &listing.rows {
        if depth > 0 {
            continue;
        }
        let grp = &groups[i];
        let bounded = per
            .as_ref()
            .is_some_and(|p| p[i] < crate::analysis::leaks::GROWING_PER_ACTION);
        let mut cause = causes[i].as_ref().map_or(String::new(), |c| {
            let fix = if bounded {
                super::causes::BOUNDED_FIX.to_owned()
            } else {
                c.fix()
            };
            format!("**Cause**: {}.\n\n**Fix**: {fix}.\n\n", c.line(s))
        });
        if let Some(k) = side[i] {
            cause.push_str(&format!("Held by the same object as group {}.\n\n", numbers[k]));
        }
        // A container's heading names the user's objects it holds.
        let leaked = causes[i].as_ref().and_then(|c| c.leaked.as_ref());
        let (class, n) = match leaked {
            Some(l) => {
                cause.insert_str(0, &format!("**Held in**: {}.\n\n", l.held_in));
                (groups[l.group].shown_class(), groups[l.group].nodes.len())
            }
            None => (grp.shown_class(), grp.nodes.len()),
        };
        let made = leaked.map_or(grp, |l| &groups[l.group]);
        if let Some(by) = super::allocations::made_by_text(s, made) {
            cause.push_str(&format!("**Allocated by**: `{by}`.\n\n"));
        }
        md.push_str(&format!(
            "\n## {}. `{}` ×{}, retains {}\n\n{cause}Path to the root of @{}:\n\n```\n{}\n```\n",
            numbers[i],
            preview(class, 60),
            thousands(n as u64),
            bytes(grp.retained_size),
            s.graph.id(grp.nodes[0]),
            path_lines(s, &grp.path).join("\n")
        ));
    }
    md
}

/// A collection that grew across a series, with what holds it in the last snapshot.
pub struct GrownCollection {
    pub grown: crate::analysis::collections::Grown,
    pub node: NodeId,
    pub cause: super::causes::Cause,
    pub path: Vec<query::Hop>,
}

/// The growing collections of a Growth report, named from their readable paths in the last
/// snapshot `s` (computed only when there are any).
pub fn grown_collections(
    s: &Snapshot,
    grown: &[crate::analysis::collections::Grown],
    snapshots: usize,
) -> Result<Vec<GrownCollection>, crate::progress::Cancelled> {
    if grown.is_empty() {
        return Ok(Vec::new());
    }
    let readable = crate::analysis::readable::ReadablePaths::compute(s, &crate::progress::Progress::new())?;
    Ok(grown
        .iter()
        .filter_map(|c| {
            let node = s.graph.find_id(crate::model::ObjectId(c.id))?;
            let path = readable.path(s, node).or_else(|| query::path_to_root(s, node))?;
            let cause = super::causes::of_collection(s, &path, c.added(), snapshots)?;
            Some(GrownCollection {
                grown: c.clone(),
                node,
                cause,
                path,
            })
        })
        .collect())
}

/// One of `heapsift growth --json`'s `collections`.
pub fn grown_collection_json(s: &Snapshot, c: &GrownCollection) -> Value {
    json!({
        "id": c.grown.id,
        "class": s.class_name(c.node),
        "entries": c.grown.entries,
        "monotonic": c.grown.monotonic(),
        "cause": c.cause.json(s),
        "path_to_root": path_json(s, &c.path),
    })
}

/// `heapsift growth --json` of a report: its `top` growing classes and the collections that grew.
pub fn growth_report_json<S: std::ops::Deref<Target = Snapshot>>(
    report: &crate::engine::workflows::GrowthReport<S>,
    top: usize,
) -> Result<Value, crate::progress::Cancelled> {
    let mut ranked: Vec<_> = report.growth.ranked().into_iter().filter(|c| !c.is_flat()).collect();
    let growing = ranked.len();
    ranked.truncate(top);
    let names = &report.growth.names;
    let collections = grown_collections(&report.last, &report.collections, names.len())?;
    let mut v = growth_json(names, &ranked, &report.last.scripts);
    v["same_process"] = report.strangers.is_empty().into();
    v["in_order"] = report.out_of_order.is_empty().into();
    v["total_classes"] = growing.into();
    v["collections"] = collections
        .iter()
        .map(|c| grown_collection_json(&report.last, c))
        .collect();
    Ok(v)
}

/// `heapsift growth --json`.
pub(crate) fn growth_json(
    names: &[String],
    series: &[crate::analysis::growth::Series],
    scripts: &crate::analysis::scripts::Scripts,
) -> Value {
    json!({
        "snapshots": names,
        "classes": series.iter().map(|c| json!({
            "class": c.name,
            "location": location_json(c.location, Some(scripts)),
            "counts": c.counts,
            "sizes": c.sizes,
            "monotonic": c.monotonic(),
            "count_delta": c.count_delta(),
            "size_delta": c.size_delta(),
            "average_growth": js_number(c.average_growth().round()),
            "owned_growth": js_number(c.owned_growth.round()),
        })).collect::<Vec<Value>>(),
    })
}
