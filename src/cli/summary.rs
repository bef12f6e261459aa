//! `heapsift summary FILE`: DevTools' Summary view, one row per constructor, largest retained
//! size first; `--filter` applies one of DevTools' named filters.

use std::path::Path;

use super::output::{Col, Table, line, print_doc};
use super::{CliError, CliResult, Global, Listing, load};
use crate::analysis::Snapshot;
use crate::analysis::aggregates::ClassRow;
use crate::analysis::filters::NamedFilter;
use crate::present::report;
use crate::progress::Progress;
use crate::text::{bytes, percent, preview, thousands};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    listing: Listing,
    /// One of DevTools' Summary filters: objectsRetainedByDetachedDomNodes,
    /// objectsRetainedByConsole, objectsRetainedByEventHandlers, objectsRetainedByContexts,
    /// duplicatedStrings.
    #[arg(long, value_name = "NAME", value_parser = filter_name)]
    filter: Option<String>,
}

fn filter_name(s: &str) -> Result<String, String> {
    match NamedFilter::parse(s) {
        Some(f) => Ok(f.name().to_owned()),
        None => Err(format!(
            "not one of DevTools' filters: {}",
            NamedFilter::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
        )),
    }
}

pub(super) fn run(args: &Args, g: &Global) -> CliResult {
    let a = &args.listing;
    let s = load(&a.file, g.quiet)?;
    let filter = args.filter.as_deref().and_then(NamedFilter::parse);
    let rows = match filter {
        None => s.summary.clone(),
        Some(f) => {
            let members = f.members(&s, &Progress::new()).map_err(|_| CliError::Cancelled)?;
            s.summary_filtered(&|v| members.get(v.index()))
        }
    };
    let rows = report::sorted(rows, a.top);
    if a.json {
        print_doc(
            "summary",
            report::summary_rows_json(&s, &a.file, rows, filter.map(|f| f.name())),
        );
    } else {
        print(&s, &a.file, &rows, filter.map(|f| f.label()));
    }
    Ok(())
}

/// The Summary (rows sorted and cut), under a filter's name if any.
fn print(s: &Snapshot, file: &Path, rows: &[ClassRow], filter: Option<&str>) {
    line(format!(
        "{}: {} nodes, {} edges, total size {}{}",
        file.display(),
        thousands(s.graph.node_count() as u64),
        thousands(s.graph.edge_count() as u64),
        bytes(s.total_size),
        filter.map(|f| format!("; {f}")).unwrap_or_default()
    ));
    let mut t = Table::new(
        &[
            Col::name(11),
            Col::Right(8),
            Col::Right(12),
            Col::Right(6),
            Col::Right(13),
            Col::Right(6),
        ],
        &["Constructor", "Distance", "Shallow Size", "", "Retained Size", ""],
    );
    for r in rows {
        let label = format!("{} ×{}", preview(&r.name, 60), thousands(r.count));
        t.row(vec![
            super::output::located(&label, r.location, &s.scripts),
            r.distance.to_string(),
            bytes(r.shallow_size as f64),
            percent(r.shallow_size as f64, s.total_size),
            bytes(r.retained_size),
            percent(r.retained_size, s.total_size),
        ]);
    }
    t.print();
    line(super::output::LEGEND_SIZES);
}
