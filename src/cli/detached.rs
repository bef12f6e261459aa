//! `heapsift detached FILE`: detached DOM trees, each by its root, with what keeps it alive.

use std::path::PathBuf;

use super::output::{line, print_doc};
use super::{CliResult, Global, load};
use crate::analysis::detached::DetachedDom;
use crate::present::{names, report};
use crate::text::{bytes, count, preview};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The heap snapshot.
    file: PathBuf,
    /// JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(a: &Args, g: &Global) -> CliResult {
    let s = load(&a.file, g.quiet)?;
    let dom = DetachedDom::of(&s);
    if a.json {
        print_doc("detached", report::detached_doc(&s, &a.file, &dom, usize::MAX));
        return Ok(());
    }
    if !dom.has_dom {
        line(format!(
            "{}: no DOM in this snapshot (not a web page's); detached DOM trees exist only in page snapshots",
            a.file.display()
        ));
        return Ok(());
    }
    if dom.trees.is_empty() {
        line(format!("{}: no detached DOM nodes", a.file.display()));
        return Ok(());
    }
    line(format!("{}: {}", a.file.display(), names::detached_count(&dom)));
    for t in &dom.trees {
        line(format!(
            "{} @{}  {}, retains {}  {}",
            preview(s.class_name(t.root), 60),
            s.graph.id(t.root),
            count(t.nodes, "node", "nodes"),
            bytes(t.retained),
            names::held_by(&s, t)
        ));
    }
    Ok(())
}
