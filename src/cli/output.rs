//! Tables and JSON for the CLI.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::analysis::Snapshot;
use crate::analysis::query::{self, display_name, edge_label, shown_distance};
use crate::model::{NodeId, NodeKind};
use crate::present::names;
use crate::text::preview;
use crate::text::{bytes, percent, signed_count, thousands};

/// Writes JSON as the reference tool does (one-space indent), then a newline.
/// The first error writing to stdout, if any: every write goes through [`record`], and
/// [`finish`] turns it into the command's result.
static WRITE_ERROR: std::sync::Mutex<Option<std::io::Error>> = std::sync::Mutex::new(None);

/// Keeps the first write error (later writes may fail the same way; the first says why).
pub(crate) fn record(r: std::io::Result<()>) {
    if let Err(e) = r {
        let mut first = WRITE_ERROR.lock().unwrap_or_else(|p| p.into_inner());
        if first.is_none() {
            *first = Some(e);
        }
    }
}

/// Flushes stdout and reports whether everything was written. A reader that went away
/// (`| head`) is not an error: the command ends quietly, as other tools do. Anything else (a
/// full disk, a closed file) is, so a short output never passes for a whole one.
pub(crate) fn finish() -> Result<(), super::CliError> {
    record(std::io::stdout().flush());
    match WRITE_ERROR.lock().unwrap_or_else(|p| p.into_inner()).take() {
        None => Ok(()),
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Some(e) => Err(super::CliError::Stdout(e)),
    }
}

pub(crate) fn print_json(v: &impl Serialize) {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, serde_json::ser::PrettyFormatter::with_indent(b" "));
    if v.serialize(&mut ser).is_ok() {
        buf.push(b'\n');
        record(std::io::stdout().lock().write_all(&buf));
    }
}

fn distance_text(d: i32) -> String {
    shown_distance(d).map(|d| d.to_string()).unwrap_or_else(|| "−".into())
}

/// The Summary (rows sorted and cut), under a filter's name if any.
pub(crate) fn print_summary(
    s: &Snapshot,
    file: &Path,
    rows: Vec<crate::analysis::aggregates::ClassRow>,
    filter: Option<&str>,
) {
    let out = std::io::stdout();
    let mut out = out.lock();
    record(writeln!(
        out,
        "{}: {} nodes, {} edges, total size {}{}",
        file.display(),
        thousands(s.graph.node_count() as u64),
        thousands(s.graph.edge_count() as u64),
        bytes(s.total_size),
        filter.map(|f| format!("; {f}")).unwrap_or_default()
    ));
    let label = |r: &crate::analysis::aggregates::ClassRow| {
        located(
            &format!("{} ×{}", preview(&r.name, 60), thousands(r.count)),
            r.location,
            &s.scripts,
        )
    };
    let name_width = rows
        .iter()
        .map(|r| label(r).chars().count())
        .max()
        .unwrap_or(20)
        .max(11);
    record(writeln!(
        out,
        "{:<name_width$} {:>8} {:>14} {:>6} {:>14} {:>6}",
        "Constructor", "Distance", "Shallow Size", "", "Retained Size", ""
    ));
    for r in &rows {
        record(writeln!(
            out,
            "{:<name_width$} {:>8} {:>14} {:>6} {:>14} {:>6}",
            label(r),
            distance_text(r.distance),
            thousands(r.shallow_size),
            percent(r.shallow_size as f64, s.total_size),
            thousands(r.retained_size.round() as u64),
            percent(r.retained_size, s.total_size),
        ));
    }
}

/// One object; `readable`: the readable path to print (None: DevTools' shortest path).
/// A class label followed by where the class is defined: `CachedSession ×342  leak.js:14:14`.
fn located(
    label: &str,
    location: Option<crate::model::Location>,
    scripts: &crate::analysis::scripts::Scripts,
) -> String {
    match location {
        Some(l) => format!("{label}  {}", scripts.format(l)),
        None => label.to_owned(),
    }
}

/// Detached DOM trees as a table, with what holds each.
pub(crate) fn print_detached(s: &Snapshot, file: &Path, dom: &crate::analysis::detached::DetachedDom) {
    let g = &s.graph;
    let out = std::io::stdout();
    let mut out = out.lock();
    if dom.trees.is_empty() {
        record(writeln!(out, "{}: no detached DOM nodes", file.display()));
        return;
    }
    record(writeln!(out, "{}: {}", file.display(), names::detached_count(dom)));
    for t in &dom.trees {
        record(writeln!(
            out,
            "{} @{}  {}, retains {}  {}",
            preview(s.class_name(t.root), 60),
            g.id(t.root),
            crate::text::count(t.nodes, "node", "nodes"),
            bytes(t.retained),
            names::held_by(s, t)
        ));
    }
}

/// DevTools' duplicated strings as a table.
/// DevTools' duplicated strings as a table: the first `top` groups, totals over all of them.
pub(crate) fn print_duplicates(file: &Path, found: &crate::analysis::filters::Duplicates, top: Option<usize>) {
    let out = std::io::stdout();
    let mut out = out.lock();
    record(writeln!(
        out,
        "{}: {} strings have the same value as another, in {} groups; keeping one copy of each would save {}",
        file.display(),
        thousands(found.strings),
        thousands(found.groups.len() as u64),
        bytes(found.saving as f64)
    ));
    let groups = &found.groups[..found.groups.len().min(top.unwrap_or(usize::MAX))];
    record(writeln!(
        out,
        "{:<62} {:>8} {:>12} {:>14}",
        "Value", "Count", "Shallow", "Retained"
    ));
    for d in groups {
        let value = format!("\"{}\"", preview(&d.value, 58));
        record(writeln!(
            out,
            "{:<62} {:>8} {:>12} {:>14}",
            value,
            thousands(d.count as u64),
            bytes(d.total_self_size as f64),
            bytes(d.total_retained_size)
        ));
    }
}

pub(crate) fn print_object(s: &Snapshot, v: NodeId, readable: Option<Option<&[query::Hop]>>) {
    let g = &s.graph;
    let out = std::io::stdout();
    let mut out = out.lock();
    let name = display_name(g, v);
    record(writeln!(out, "@{}  {}  ({})", g.id(v), s.class_name(v), g.type_name(v)));
    if g.kind(v).is_string() || g.kind(v) == NodeKind::Object || name != s.class_name(v) {
        record(writeln!(out, "name:          {}", preview(&name, 120)));
    }
    record(writeln!(out, "shallow size:  {}", exact_bytes(g.self_size(v) as f64)));
    let r = s.retained.get(v);
    record(writeln!(
        out,
        "retained size: {} ({} of total)",
        exact_bytes(r),
        percent(r, s.total_size)
    ));
    record(writeln!(out, "distance:      {}", distance_text(s.distances[v])));
    if let Some(l) = s.location_of(v) {
        record(writeln!(out, "defined at:    {}", s.scripts.format_full(l)));
    }
    let dom = s.dominator[v];
    record(writeln!(out, "dominator:     @{} {}", g.id(dom), s.class_name(dom)));
    let (hops, kind) = match readable {
        Some(path) => (
            path.map(<[query::Hop]>::to_vec),
            "readable: no prototype or V8-internal hops where another way exists; --shortest for DevTools' path",
        ),
        None => (query::path_to_root(s, v), "the shortest, as DevTools shows it"),
    };
    match hops {
        None => {
            record(writeln!(
                out,
                "path to root:  none (only weak references reach this object)"
            ));
        }
        Some(hops) => {
            record(writeln!(
                out,
                "path to root ({} hops, root first; {kind}):",
                hops.len().saturating_sub(1)
            ));
            for h in &hops {
                let edge = match h.edge {
                    None => String::new(),
                    Some(e) => format!("{:<9} {}  →  ", g.edge_type_name(e), edge_label(g, e)),
                };
                let class = names::hop_label(s, h.node);
                let name = names::own_name(s, h.node, 40)
                    .map(|n| format!(" “{n}”"))
                    .unwrap_or_default();
                record(writeln!(
                    out,
                    "  {edge}{} @{}{name}  (retains {})",
                    preview(&class, 80),
                    g.id(h.node),
                    bytes(s.retained.get(h.node))
                ));
            }
        }
    }
}

pub(crate) fn print_diff(
    base: &Path,
    current: &Path,
    rows: &[crate::analysis::diff::DiffRow],
    scripts: &crate::analysis::scripts::Scripts,
) {
    let out = std::io::stdout();
    let mut out = out.lock();
    record(writeln!(out, "{} compared with {}", current.display(), base.display()));
    let label = |r: &crate::analysis::diff::DiffRow| located(&preview(&r.name, 60), r.location, scripts);
    let name_width = rows
        .iter()
        .map(|r| label(r).chars().count())
        .max()
        .unwrap_or(20)
        .max(11);
    record(writeln!(
        out,
        "{:<name_width$} {:>9} {:>9} {:>9} {:>14} {:>14} {:>14}",
        "Constructor", "# New", "# Deleted", "# Delta", "Alloc. Size", "Freed Size", "Size Delta"
    ));
    for r in rows {
        record(writeln!(
            out,
            "{:<name_width$} {:>9} {:>9} {:>9} {:>14} {:>14} {:>14}",
            label(r),
            thousands(r.new_count),
            thousands(r.deleted_count),
            signed_count(r.count_delta),
            thousands(r.alloc_size),
            thousands(r.freed_size),
            signed_count(r.size_delta),
        ));
    }
}

pub(crate) fn print_growth(
    names: &[String],
    series: &[crate::analysis::growth::Series],
    scripts: &crate::analysis::scripts::Scripts,
) {
    let out = std::io::stdout();
    let mut out = out.lock();
    record(writeln!(out, "{} snapshots: {}", names.len(), names.join(", ")));
    let label = |c: &crate::analysis::growth::Series| located(&preview(&c.name, 50), c.location, scripts);
    let name_width = series
        .iter()
        .map(|c| label(c).chars().count())
        .max()
        .unwrap_or(20)
        .max(11);
    record(writeln!(
        out,
        "{:<name_width$} {:>3} {:>12} {:>14} {:>14} {:>14}  counts",
        "Constructor", "", "Count delta", "Size delta", "Avg / step", "Keeps alive"
    ));
    for c in series {
        let counts: Vec<String> = c.counts.iter().map(|&n| thousands(n)).collect();
        record(writeln!(
            out,
            "{:<name_width$} {:>3} {:>12} {:>14} {:>14} {:>14}  {}",
            label(c),
            if c.monotonic() { "↑" } else { "" },
            signed_count(c.count_delta()),
            crate::text::signed_bytes(c.size_delta() as f64),
            crate::text::signed_bytes(c.average_growth()),
            bytes(c.owned_growth),
            counts.join(" → ")
        ));
    }
}

/// `228 B`, or `91.5 KB (93,648 bytes)` when the unit hides the exact value.
fn exact_bytes(v: f64) -> String {
    if v < 1024.0 {
        bytes(v)
    } else {
        format!("{} ({} bytes)", bytes(v), thousands(v.round() as u64))
    }
}
