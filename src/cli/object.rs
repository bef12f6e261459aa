//! `heapsift object FILE @ID`: one object, its numbers and its path to the root.

use std::path::PathBuf;

use super::output::{line, print_doc};
use super::{CliError, CliResult, Global, load};
use crate::analysis::Snapshot;
use crate::analysis::query::{self, display_name, edge_label};
use crate::analysis::readable::ReadablePaths;
use crate::model::{NodeId, NodeKind};
use crate::present::names::oddball;
use crate::present::{allocations, names, report};
use crate::progress::Progress;
use crate::text::{bytes, percent, preview, thousands};

/// References listed in the JSON (`properties_total` says how many there are).
const PROPERTIES: usize = 100;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The heap snapshot.
    file: PathBuf,
    /// The object id, as `@123` or `123`.
    id: String,
    /// JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Show DevTools' shortest path to the root instead of the readable one (which avoids
    /// `__proto__`, `constructor` and V8-internal hops where another path exists).
    #[arg(long)]
    shortest: bool,
}

pub(super) fn run(a: &Args, g: &Global) -> CliResult {
    let wanted = crate::model::parse_object_id(&a.id)
        .ok_or_else(|| CliError::Usage(format!("{:?} is not an object id (expected @123 or 123)", a.id)))?;
    let s = load(&a.file, g.quiet)?;
    let Some(v) = s.graph.find_id(wanted) else {
        let missing = crate::error::Error::invalid(format!("there is no object with id @{wanted}"));
        return Err(missing.in_file(&a.file).into());
    };
    let readable = if a.shortest && !a.json {
        None
    } else {
        ReadablePaths::compute(&s, &Progress::new())
            .map_err(|_| CliError::Cancelled)?
            .path(&s, v)
    };
    if a.json {
        let mut doc = report::object_json(&s, v, readable.as_deref());
        doc["file"] = report::file_name(&a.file).into();
        crate::present::find::add_properties(&s, v, &mut doc, 0, PROPERTIES);
        print_doc("object", doc);
    } else {
        print(&s, v, if a.shortest { None } else { Some(readable.as_deref()) });
    }
    Ok(())
}

/// `228 B`, or `91.5 kB (93,648 bytes)` when the unit hides the exact value.
fn exact_bytes(v: f64) -> String {
    if v < 1000.0 || crate::text::units() == crate::text::Units::Bytes {
        bytes(v)
    } else {
        format!("{} ({} bytes)", bytes(v), thousands(v.round() as u64))
    }
}

/// One object; `readable`: the readable path to print (None: DevTools' shortest path).
fn print(s: &Snapshot, v: NodeId, readable: Option<Option<&[query::Hop]>>) {
    let g = &s.graph;
    let name = display_name(g, v);
    let class = match names::original_class(s, v) {
        Some(o) => format!("{o} (named {} in the generated code)", s.class_name(v)),
        None => s.class_name(v).to_owned(),
    };
    line(format!("@{}  {class}  ({})", g.id(v), g.type_name(v)));
    if let Some(value) = oddball(g, v) {
        line(format!("value:         {value} (one of V8's oddballs, named {name})"));
    } else if g.kind(v).is_string() || g.kind(v) == NodeKind::Object || name != s.class_name(v) {
        line(format!("name:          {}", preview(&name, 120)));
    }
    line(format!("shallow size:  {}", exact_bytes(g.self_size(v) as f64)));
    let r = s.retained.get(v);
    line(format!(
        "retained size: {} ({} of total)",
        exact_bytes(r),
        percent(r, s.total_size)
    ));
    line(format!("distance:      {}", s.distances[v]));
    if let Some(l) = s.location_of(v) {
        line(format!("defined at:    {}", s.scripts.format_full(l)));
    }
    let dom = s.dominator[v];
    line(format!("dominator:     @{} {}", g.id(dom), s.class_name(dom)));
    if let Some(p) = &s.allocations {
        let frames = p.stack_of(g, v);
        match frames.split_first() {
            None => line("allocated by:  not recorded (made before allocation tracking started)"),
            Some((first, callers)) => {
                line(format!(
                    "allocated by:  {}",
                    allocations::frame_label(s, first.function)
                ));
                for f in callers.iter().filter(|f| !allocations::is_root(g, f.function)) {
                    line(format!("           ← {}", allocations::frame_label(s, f.function)));
                }
            }
        }
    }
    let (hops, kind) = match readable {
        Some(path) => (
            path.map(<[query::Hop]>::to_vec),
            "readable; --shortest gives DevTools' shortest",
        ),
        None => (query::path_to_root(s, v), "the shortest, as DevTools shows it"),
    };
    let Some(hops) = hops else {
        line("path to root:  none (only weak references reach this object)");
        return;
    };
    line(format!("path to root, {} hops ({kind}):", hops.len().saturating_sub(1)));
    for h in &hops {
        let edge = match h.edge {
            None => String::new(),
            Some(e) => format!("{:<9} {}  →  ", g.edge_type_name(e), edge_label(g, e)),
        };
        let class = names::hop_label(s, h.node);
        let name = names::own_name(s, h.node, 40)
            .map(|n| format!(" “{n}”"))
            .unwrap_or_default();
        line(format!(
            "  {edge}{} @{}{name}  (retains {})",
            preview(&class, 80),
            g.id(h.node),
            bytes(s.retained.get(h.node))
        ));
    }
}
