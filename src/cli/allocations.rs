//! `heapsift allocations FILE`: DevTools' Allocation view for a snapshot taken with allocation
//! tracking on: per function, what it allocated and what of that is still alive.

use serde_json::json;

use super::output::{Col, Table, line, print_doc};
use super::{CliResult, Global, load};
use crate::present::allocations::{frame_label, main_callers, top_json};
use crate::present::report;
use crate::text::{bytes, thousands};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A heap snapshot taken with allocation tracking on (`capture --track-allocations`,
    /// DevTools' "Allocation instrumentation on timeline", `node --track-heap-objects`).
    file: std::path::PathBuf,
    /// Only the first N functions.
    #[arg(long)]
    top: Option<usize>,
    /// With --json: each function's callers as a tree (DevTools' bottom-up view).
    #[arg(long)]
    callers: bool,
    /// JSON in the schema of DevTools' reference output (see the README).
    #[arg(long)]
    json: bool,
}

/// What the text says about an untracked snapshot, and how to get a tracked one.
const UNTRACKED: &str = "no allocation stacks: the snapshot was taken without allocation tracking \
(take one with `heapsift capture --track-allocations`, DevTools' \"Allocation instrumentation on timeline\", \
or `node --track-heap-objects`)";

pub(super) fn run(a: &Args, g: &Global) -> CliResult {
    let s = load(&a.file, g.quiet)?;
    let graph = &s.graph;
    let (Some(p), Some(t)) = (&s.allocations, graph.traces()) else {
        if a.json {
            print_doc(
                "allocations",
                json!({"file": report::file_name(&a.file), "tracked": false, "tops": []}),
            );
        } else {
            line(format!("{}: {UNTRACKED}", a.file.display()));
        }
        return Ok(());
    };
    let tops = p.tops();
    let shown = &tops[..tops.len().min(a.top.unwrap_or(usize::MAX))];
    if a.json {
        let rows: Vec<_> = shown
            .iter()
            .map(|top| {
                let callers = if a.callers { p.callers(t, top.function) } else { None };
                top_json(&s, t, top, callers.as_ref())
            })
            .collect();
        print_doc(
            "allocations",
            json!({
                "file": report::file_name(&a.file),
                "tracked": true,
                "function_count": tops.len(),
                "tops": rows,
            }),
        );
        return Ok(());
    }
    let (all_count, all_size) = tops
        .iter()
        .fold((0, 0), |acc, t| (acc.0 + t.counts.count, acc.1 + t.counts.size));
    let (live_count, live_size) = tops.iter().fold((0, 0), |acc, t| {
        (acc.0 + t.counts.live_count, acc.1 + t.counts.live_size)
    });
    line(format!(
        "{}: {} allocated in {} objects while tracking; {} of them ({}) still alive, in {} functions",
        a.file.display(),
        bytes(all_size as f64),
        thousands(all_count),
        thousands(live_count),
        bytes(live_size as f64),
        thousands(tops.len() as u64)
    ));
    let mut t_out = Table::new(
        &[Col::name(8), Col::Right(9), Col::Right(9), Col::Right(9), Col::Right(9)],
        &["Function", "Count", "Size", "Live", "Live size"],
    );
    let mut chains = Vec::new();
    for top in shown {
        let c = top.counts;
        t_out.row(vec![
            frame_label(&s, &t.functions[top.function as usize]),
            thousands(c.count),
            bytes(c.size as f64),
            thousands(c.live_count),
            bytes(c.live_size as f64),
        ]);
        chains.push(top.function);
    }
    t_out.print();
    if tops.len() > shown.len() {
        line(format!(
            "{} more functions (--top {} lists them all)",
            thousands((tops.len() - shown.len()) as u64),
            tops.len()
        ));
    }
    line("Count, Size: allocated while tracking · Live: of those, still in this snapshot");
    // Where the largest allocators were called from: the heaviest caller at each level.
    let called: Vec<String> = chains
        .iter()
        .take(3)
        .filter_map(|&f| {
            let c = p.callers(t, f)?;
            let chain = main_callers(&c);
            let named: Vec<String> = chain
                .iter()
                .map(|x| frame_label(&s, &t.functions[x.function as usize]))
                .filter(|l| l != "(root)")
                .take(4)
                .collect();
            (!named.is_empty()).then(|| {
                format!(
                    "  {} ← {}",
                    frame_label(&s, &t.functions[f as usize]),
                    named.join(" ← ")
                )
            })
        })
        .collect();
    if !called.is_empty() {
        line("");
        line("Called from (the heaviest caller at each level):");
        for c in called {
            line(c);
        }
    }
    Ok(())
}
