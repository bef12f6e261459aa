//! `heapsift leaks S1 S2 S3`: the three-snapshot method from the command line, with a gate for CI.

use std::io::Write;

use super::output::record;
use super::{CliError, CliResult};
use std::path::{Path, PathBuf};

use crate::analysis::Snapshot;
use crate::analysis::leaks::{self, LeakGroup, LeakOptions};
use crate::engine::workflows::{self, LeakReport};
use crate::present::{names, report};
use crate::progress::Progress;
use crate::text::preview;
use crate::text::{bytes, thousands};

/// Runs the method; `Ok(true)` when `--fail-above` is exceeded.
pub fn run(
    files: [&PathBuf; 3],
    json: bool,
    report_path: Option<&Path>,
    fail_above: Option<&str>,
    top: usize,
    opts: LeakOptions,
    quiet: bool,
) -> CliResult<bool> {
    let limit = match fail_above {
        None => None,
        Some(t) => Some(crate::text::parse_size(t).ok_or_else(|| super::fail_above_error(t))?),
    };
    if let Some(p) = report_path
        && p.exists()
    {
        return Err(CliError::exists(p));
    }
    let names: Vec<String> = files.iter().map(|f| report::file_name(f)).collect();
    let LeakReport {
        candidates,
        groups,
        last: s3,
    } = workflows::three_snapshot([&names[0], &names[1], &names[2]], &opts, &Progress::new(), |i| {
        super::load(files[i], quiet).map(Box::new)
    })?;
    let over: Vec<(usize, &LeakGroup)> = match limit {
        None => Vec::new(),
        Some(l) => groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.retained_size > l as f64)
            .collect(),
    };
    if json {
        let mut v = report::leaks_json(&s3, &names, candidates, &groups, top);
        v["fail_above"] = serde_json::json!(limit);
        v["groups_over_limit"] = serde_json::json!(over.iter().map(|(i, _)| i + 1).collect::<Vec<usize>>());
        super::output::print_json(&v);
    } else {
        print(&s3, &names, candidates, &groups, top);
    }
    if let Some(p) = report_path {
        let md = report::leaks_markdown(&s3, &names, candidates, &groups, top);
        crate::atomic::write(p, crate::atomic::Mode::NoClobber, md.as_bytes())
            .map_err(crate::error::PathIoError::at(p, "write it"))?;
        if !quiet {
            eprintln!("wrote {}", p.display());
        }
    }
    for (i, g) in &over {
        eprintln!(
            "heapsift: leak group #{} {} ×{} retains {}, more than --fail-above {}",
            i + 1,
            preview(&g.class, 60),
            thousands(g.nodes.len() as u64),
            bytes(g.retained_size),
            fail_above.unwrap_or_default()
        );
    }
    Ok(!over.is_empty())
}

fn print(s: &Snapshot, names: &[String], candidates: usize, groups: &[LeakGroup], top: usize) {
    let out = std::io::stdout();
    let mut out = out.lock();
    let listing = leaks::listing(groups, top);
    let roots = groups.iter().filter(|g| g.part_of.is_none()).count();
    record(writeln!(
        out,
        "{} objects were allocated between {} and {} and are still alive in {}, in {} groups, {} of them kept \
         alive by no other group (strings and engine internals left out: --include-strings, --include-internals).",
        thousands(candidates as u64),
        names[0],
        names[1],
        names[2],
        thousands(groups.len() as u64),
        thousands(roots as u64),
    ));
    for &(i, depth) in &listing.rows {
        let grp = &groups[i];
        let at = names::defined_at_suffix(s, grp.nodes[0]);
        if depth == 0 {
            record(writeln!(
                out,
                "\n#{}  {}{at} ×{}  retains {} (shallow {})",
                i + 1,
                preview(&grp.class, 80),
                thousands(grp.nodes.len() as u64),
                bytes(grp.retained_size),
                bytes(grp.shallow_size as f64)
            ));
            for line in names::path_lines(s, &grp.path) {
                record(writeln!(out, "      {line}"));
            }
        } else {
            // What a leak keeps alive is part of it: listed under it, counted in its size.
            record(writeln!(
                out,
                "    {}↳ #{}  {}{at} ×{}  kept alive by #{} (shallow {})",
                "  ".repeat(depth - 1),
                i + 1,
                preview(&grp.class, 80),
                thousands(grp.nodes.len() as u64),
                grp.part_of.map_or(0, |k| k + 1),
                bytes(grp.shallow_size as f64)
            ));
        }
    }
    if listing.more_roots > 0 {
        record(writeln!(
            out,
            "\n{} (--top {} lists them all)",
            crate::text::count(listing.more_roots, "more group", "more groups"),
            top + listing.more_roots
        ));
    }
    if !listing.minor.is_empty() {
        record(writeln!(
            out,
            "\n{}, {} in all: {} (--json lists them)",
            crate::text::count(listing.minor.len(), "single object", "single objects"),
            bytes(listing.minor_retained),
            names::minor_names(&listing, groups, 6)
        ));
    }
}
