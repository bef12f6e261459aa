//! `heapsift diff BASE CURRENT`: DevTools' Comparison view.

use std::path::PathBuf;

use super::output::{Col, Table, line, located, print_doc, process_warning};
use super::{CliResult, Global, load};
use crate::engine::workflows::{self, Side};
use crate::present::report;
use crate::progress::Progress;
use crate::text::{bytes, preview, signed_bytes, signed_count, thousands};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The earlier snapshot.
    base: PathBuf,
    /// The later snapshot of the same process.
    current: PathBuf,
    /// Only the first N rows.
    #[arg(long)]
    top: Option<usize>,
    /// JSON in the schema of DevTools' reference output (see the README).
    #[arg(long)]
    json: bool,
}

pub(super) fn run(a: &Args, g: &Global) -> CliResult {
    let cmp = workflows::comparison(&Progress::new(), |side| match side {
        Side::Current => load(&a.current, g.quiet).map(Box::new),
        Side::Base => load(&a.base, g.quiet).map(Box::new),
    })?;
    process_warning(
        cmp.kinship,
        &a.base,
        &a.current,
        "their Comparison pairs unrelated objects",
    );
    let top = a.top.unwrap_or(usize::MAX);
    if a.json {
        print_doc("diff", report::comparison_json(&a.base, &a.current, &cmp, top));
        return Ok(());
    }
    let (rows, scripts) = (&cmp.rows[..cmp.rows.len().min(top)], &cmp.scripts);
    line(format!("{} compared with {}", a.current.display(), a.base.display()));
    let mut t = Table::new(
        &[
            Col::name(11),
            Col::Right(7),
            Col::Right(9),
            Col::Right(8),
            Col::Right(11),
            Col::Right(10),
            Col::Right(10),
        ],
        &crate::present::COMPARISON_TITLES,
    );
    for r in rows {
        t.row(vec![
            located(&preview(&r.name, 60), r.location, scripts),
            thousands(r.new_count),
            thousands(r.deleted_count),
            signed_count(r.count_delta),
            bytes(r.alloc_size as f64),
            bytes(r.freed_size as f64),
            signed_bytes(r.size_delta as f64),
        ]);
    }
    t.print();
    line("New: allocated since BASE · Deleted: freed since BASE · Delta: New − Deleted");
    Ok(())
}
