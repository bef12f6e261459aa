//! `heapsift bench FILE`: every indexing phase timed, with peak memory (never from a saved
//! index).

use std::io::Write;
use std::path::PathBuf;

use super::output::record;
use super::progress_bar::ProgressBar;
use super::{CliResult, Global};
use crate::engine;
use crate::progress::Progress;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The heap snapshot.
    file: PathBuf,
}

pub(super) fn run(a: &Args, g: &Global) -> CliResult {
    let (file, quiet) = (a.file.as_path(), g.quiet);
    let file_size = std::fs::metadata(file)
        .map(|m| m.len())
        .map_err(|e| crate::error::Error::from(e).in_file(file))?;
    let progress = Progress::new();
    let bar = ProgressBar::start(&progress, quiet);
    let sampler = engine::measure::RssSampler::start(&progress);
    let start = std::time::Instant::now();
    let result = engine::load(file, &progress);
    let total = start.elapsed();
    let phase_rss = sampler.finish();
    bar.finish();
    let s = result?;
    let timings = engine::measure::timings(&progress);
    let out = std::io::stdout();
    let mut out = out.lock();
    record(writeln!(
        out,
        "{}: {} ({} bytes), {} nodes, {} edges, {} strings",
        file.display(),
        crate::text::bytes(file_size as f64),
        crate::text::thousands(file_size),
        crate::text::thousands(s.graph.node_count() as u64),
        crate::text::thousands(s.graph.edge_count() as u64),
        crate::text::thousands(s.graph.strings().parts().1.len() as u64),
    ));
    record(writeln!(out, "{:<40} {:>10} {:>14}", "phase", "seconds", "max RSS"));
    for (phase, d) in &timings {
        let rss = phase_rss
            .iter()
            .find(|(p, _)| p == phase)
            .map(|(_, r)| crate::text::bytes(*r as f64))
            .unwrap_or_default();
        record(writeln!(
            out,
            "{:<40} {:>10.3} {:>14}",
            phase.label(),
            d.as_secs_f64(),
            rss
        ));
    }
    // Phases that ran on the other core while the ones above ran: their own time is inside the
    // wall time of the phases they ran beside.
    for (phase, d) in engine::measure::beside_timings(&progress) {
        record(writeln!(
            out,
            "{:<40} {:>10.3} {:>14}",
            format!("  {} (beside)", phase.label()),
            d.as_secs_f64(),
            ""
        ));
    }
    record(writeln!(out, "{:<40} {:>10.3}", "total (wall)", total.as_secs_f64()));
    let rss = engine::measure::peak_rss().unwrap_or(0);
    record(writeln!(
        out,
        "peak RSS: {} ({:.2}× the file size); index holds {}",
        crate::text::bytes(rss as f64),
        rss as f64 / file_size.max(1) as f64,
        crate::text::bytes(s.heap_bytes() as f64),
    ));
    record(writeln!(
        out,
        "total size {} in {} classes; {} only-weakly-reachable nodes, {} in unreachable cliques",
        crate::text::bytes(s.total_size),
        crate::text::thousands(s.summary.len() as u64),
        crate::text::thousands(s.orphans as u64),
        crate::text::thousands(s.cliques as u64),
    ));
    Ok(())
}
