//! Tables and JSON for the CLI.

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};

use crate::analysis::Snapshot;
use crate::analysis::aggregates::{ClassRow, sort_rows};
use crate::analysis::query::{self, display_name, edge_label, shown_distance};
use crate::model::{Location, NodeId, NodeKind};
use crate::units::{bytes, percent, thousands};

/// Writes JSON as the reference tool does (one-space indent), then a newline.
pub fn print_json(v: &impl Serialize) {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut buf,
        serde_json::ser::PrettyFormatter::with_indent(b" "),
    );
    if v.serialize(&mut ser).is_ok() {
        buf.push(b'\n');
        let _ = std::io::stdout().lock().write_all(&buf);
    }
}

/// A whole number as a JSON integer, anything else as a float (JS prints both the same way).
pub fn js_number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

fn location_json(l: Option<Location>) -> Value {
    match l {
        None => Value::Null,
        Some(l) => json!({"script_id": l.script_id, "line": l.line, "column": l.column}),
    }
}

pub fn sorted_rows(s: &Snapshot, top: Option<usize>) -> Vec<ClassRow> {
    let mut rows = s.summary.clone();
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

/// The schema of `devtools-reference summary`.
pub fn summary_json(s: &Snapshot, file: &Path, top: Option<usize>) -> Value {
    let classes: Vec<Value> = sorted_rows(s, top)
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "location": location_json(r.location),
                "count": r.count,
                "shallow_size": r.shallow_size,
                "retained_size": js_number(r.retained_size.round()),
                "distance": shown_distance(r.distance),
            })
        })
        .collect();
    json!({
        "file": file_name(file),
        "node_count": s.graph.node_count(),
        "edge_count": s.graph.edge_count(),
        "total_size": js_number(s.total_size),
        "max_js_object_id": s.max_js_object_id,
        "classes": classes,
    })
}

fn distance_text(d: i32) -> String {
    shown_distance(d)
        .map(|d| d.to_string())
        .unwrap_or_else(|| "−".into())
}

/// Shortens long names for one-line display, keeping the length visible.
pub fn preview(s: &str, max: usize) -> String {
    let count = s.chars().count();
    let flat: String = s
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if count > max {
        format!("{flat}… ({count} chars)")
    } else {
        flat
    }
}

pub fn print_summary(s: &Snapshot, file: &Path, top: Option<usize>) {
    let rows = sorted_rows(s, top);
    let out = std::io::stdout();
    let mut out = out.lock();
    let _ = writeln!(
        out,
        "{}: {} nodes, {} edges, total size {}",
        file.display(),
        thousands(s.graph.node_count() as u64),
        thousands(s.graph.edge_count() as u64),
        bytes(s.total_size)
    );
    let name_width = rows
        .iter()
        .map(|r| r.name.chars().count().min(60) + 12)
        .max()
        .unwrap_or(20)
        .max(11);
    let _ = writeln!(
        out,
        "{:<name_width$} {:>8} {:>14} {:>6} {:>14} {:>6}",
        "Constructor", "Distance", "Shallow Size", "", "Retained Size", ""
    );
    for r in &rows {
        let label = format!("{} ×{}", preview(&r.name, 60), thousands(r.count));
        let _ = writeln!(
            out,
            "{:<name_width$} {:>8} {:>14} {:>6} {:>14} {:>6}",
            label,
            distance_text(r.distance),
            thousands(r.shallow_size),
            percent(r.shallow_size as f64, s.total_size),
            thousands(r.retained_size.round() as u64),
            percent(r.retained_size, s.total_size),
        );
    }
}

fn node_json(s: &Snapshot, v: NodeId) -> Value {
    json!({
        "id": s.graph.id(v),
        "class_name": s.class_name(v),
    })
}

pub fn object_json(s: &Snapshot, v: NodeId) -> Value {
    let g = &s.graph;
    let name = display_name(g, v);
    let dom = s.dominator[v as usize];
    let path: Value = match query::path_to_root(s, v) {
        None => Value::Null,
        Some(hops) => hops
            .iter()
            .map(|h| {
                let mut hop = node_json(s, h.node);
                if let Some(e) = h.edge {
                    hop["edge_type"] = json!(g.edge_type_name(e));
                    hop["edge_name"] = json!(g.edge_name(e).to_string());
                }
                hop["type"] = json!(g.type_name(h.node));
                hop["retained_size"] = js_number(s.retained[h.node as usize]);
                hop
            })
            .collect(),
    };
    json!({
        "id": g.id(v),
        "type": g.type_name(v),
        "class_name": s.class_name(v),
        "name": preview(&name, 200),
        "name_length": name.chars().count(),
        "self_size": g.self_size[v as usize],
        "retained_size": js_number(s.retained[v as usize].round()),
        "distance": shown_distance(s.distances[v as usize]),
        "dominator_id": g.id(dom),
        "dominator_class": s.class_name(dom),
        "path_to_root": path,
    })
}

pub fn print_object(s: &Snapshot, v: NodeId) {
    let g = &s.graph;
    let out = std::io::stdout();
    let mut out = out.lock();
    let name = display_name(g, v);
    let _ = writeln!(
        out,
        "@{}  {}  ({})",
        g.id(v),
        s.class_name(v),
        g.type_name(v)
    );
    if g.kind(v).is_string() || g.kind(v) == NodeKind::Object || name != s.class_name(v) {
        let _ = writeln!(out, "name:          {}", preview(&name, 120));
    }
    let _ = writeln!(
        out,
        "shallow size:  {} ({})",
        thousands(g.self_size[v as usize] as u64),
        bytes(g.self_size[v as usize] as f64)
    );
    let r = s.retained[v as usize];
    let _ = writeln!(
        out,
        "retained size: {} ({}, {} of total)",
        thousands(r.round() as u64),
        bytes(r),
        percent(r, s.total_size)
    );
    let _ = writeln!(
        out,
        "distance:      {}",
        distance_text(s.distances[v as usize])
    );
    let dom = s.dominator[v as usize];
    let _ = writeln!(out, "dominator:     @{} {}", g.id(dom), s.class_name(dom));
    match query::path_to_root(s, v) {
        None => {
            let _ = writeln!(
                out,
                "path to root:  none (only weak references reach this object)"
            );
        }
        Some(hops) => {
            let _ = writeln!(
                out,
                "path to root ({} hops, root first):",
                hops.len().saturating_sub(1)
            );
            for h in &hops {
                let edge = match h.edge {
                    None => String::new(),
                    Some(e) => format!("{:<9} {}  →  ", g.edge_type_name(e), edge_label(g, e)),
                };
                let _ = writeln!(
                    out,
                    "  {edge}{} @{}  (retains {})",
                    preview(s.class_name(h.node), 80),
                    g.id(h.node),
                    bytes(s.retained[h.node as usize])
                );
            }
        }
    }
}

pub fn dump_nodes(s: &Snapshot) {
    let g = &s.graph;
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    for v in 0..g.node_count() as NodeId {
        let line = json!({
            "id": g.id(v),
            "class_name": s.class_name(v),
            "self_size": g.self_size[v as usize],
            "retained_size": js_number(s.retained[v as usize].round()),
            "distance": shown_distance(s.distances[v as usize]),
            "dominator_id": g.id(s.dominator[v as usize]),
        });
        let _ = writeln!(out, "{line}");
    }
}
