//! `heapsift growth S1 S2 …`: per-class counts and sizes across snapshots of one process,
//! growing classes first.

use std::path::PathBuf;

use super::output::{Col, Table, line, located, print_doc, process_warning, warn};
use super::{CliResult, Global, load};
use crate::engine::workflows;
use crate::present::report;
use crate::progress::Progress;
use crate::text::{bytes, preview, signed_bytes, signed_count, thousands};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Two or more snapshots of one process, oldest first.
    #[arg(required = true, num_args = 2..)]
    files: Vec<PathBuf>,
    /// Only the first N classes.
    #[arg(long, default_value_t = 25)]
    top: usize,
    /// JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(a: &Args, g: &Global) -> CliResult {
    let names: Vec<String> = a.files.iter().map(|f| report::file_name(f)).collect();
    let report = workflows::growth(&names, &Progress::new(), |i| load(&a.files[i], g.quiet).map(Box::new))?;
    let last = &a.files[a.files.len() - 1];
    for &(i, kin) in &report.strangers {
        process_warning(
            kin,
            &a.files[i],
            last,
            "growth across them mixes two processes' objects",
        );
    }
    for &i in &report.out_of_order {
        warn(format!(
            "{} has newer objects than {}, which comes after it; give the snapshots oldest first",
            names[i],
            names[i + 1]
        ));
    }
    if a.json {
        let v = report::growth_report_json(&report, a.top).map_err(crate::error::Error::from)?;
        print_doc("growth", v);
        return Ok(());
    }
    let mut ranked: Vec<_> = report.growth.ranked().into_iter().filter(|c| !c.is_flat()).collect();
    ranked.truncate(a.top);
    let names = &report.growth.names;
    let collections =
        report::grown_collections(&report.last, &report.collections, names.len()).map_err(crate::error::Error::from)?;
    line(format!("{} snapshots: {}", names.len(), names.join(", ")));
    let mut t = Table::new(
        &[
            Col::name(11),
            Col::Right(1),
            Col::Right(11),
            Col::Right(10),
            Col::Right(10),
            Col::Right(11),
            Col::Free,
        ],
        &[
            "Constructor",
            "",
            "Count delta",
            "Size delta",
            "Avg / step",
            "Keeps alive",
            "counts",
        ],
    );
    for c in &ranked {
        let counts: Vec<String> = c.counts.iter().map(|&n| thousands(n)).collect();
        t.row(vec![
            located(&preview(&c.name, 50), c.location, &report.last.scripts),
            if c.monotonic() { "↑" } else { "" }.into(),
            signed_count(c.count_delta()),
            signed_bytes(c.size_delta() as f64),
            signed_bytes(c.average_growth()),
            bytes(c.owned_growth),
            counts.join(" → "),
        ]);
    }
    t.print();
    line("↑: grew at every step · Keeps alive: the growth its new objects retain");
    if !collections.is_empty() {
        line("\nCollections that grew, followed by object id (entries in each snapshot):");
        for c in &collections {
            let entries: Vec<String> = c
                .grown
                .entries
                .iter()
                .map(|n| n.map_or("–".to_owned(), |n| thousands(n as u64)))
                .collect();
            line(format!(
                "  {} @{}  {}{}",
                c.cause.holder,
                c.grown.id,
                entries.join(" → "),
                if c.grown.monotonic() { "  ↑" } else { "" }
            ));
            line(format!("    cause: {}", c.cause.line(&report.last)));
            line(format!("    fix: {}", c.cause.fix()));
        }
        let absent = collections.iter().any(|c| c.grown.entries.iter().any(Option::is_none));
        line(format!(
            "Entries are a Map's or Set's entries, an Array's elements, an object's keys{}",
            if absent {
                " · –: not in that snapshot yet"
            } else {
                "."
            }
        ));
    }
    Ok(())
}
