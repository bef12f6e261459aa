//! `heapsift leaks S1 S2 S3`: the three-snapshot method from the command line, with a gate for
//! CI (`--fail-above`); `hunt` reports through the same [`LeakOutput`].

use std::path::{Path, PathBuf};

use super::output::{line, print_json};
use super::{CliError, CliResult, Global, load};
use crate::analysis::Snapshot;
use crate::analysis::leaks::{self, LeakGroup, LeakOptions};
use crate::engine::workflows::{self, LeakReport};
use crate::present::{names, report};
use crate::progress::Progress;
use crate::text::{bytes, count, parse_size, preview, thousands};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Baseline: taken after warming up, before the suspect action.
    s1: PathBuf,
    /// Target: taken after repeating the suspect action.
    s2: PathBuf,
    /// Final: taken a while later.
    s3: PathBuf,
    #[command(flatten)]
    output: LeakOutput,
}

/// How `leaks` and `hunt` report the three-snapshot method's result.
#[derive(clap::Args, Debug)]
pub struct LeakOutput {
    /// JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Also write a Markdown report here (refuses to overwrite).
    #[arg(long, value_name = "OUT.md")]
    report: Option<PathBuf>,
    /// Exit with code 1 when any group retains more than this (e.g. 1MB, 512KB).
    #[arg(long, value_name = "SIZE")]
    fail_above: Option<String>,
    /// Only the first N groups.
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// Report strings too.
    #[arg(long)]
    include_strings: bool,
    /// Report V8 internals (arrays, contexts, code) too.
    #[arg(long)]
    include_internals: bool,
}

pub(super) fn run(a: &Args, g: &Global) -> CliResult {
    a.output.run([&a.s1, &a.s2, &a.s3], g)
}

impl LeakOutput {
    /// The limit `--fail-above` gives, if any.
    fn limit(&self) -> CliResult<Option<u64>> {
        match &self.fail_above {
            None => Ok(None),
            Some(t) => parse_size(t).map(Some).ok_or_else(|| CliError::fail_above(t)),
        }
    }

    /// The output's own mistakes, found before any work: a bad limit, a report in the way.
    pub(super) fn check(&self) -> CliResult {
        if let Some(p) = &self.report
            && p.exists()
        {
            return Err(CliError::exists(p));
        }
        self.limit().map(drop)
    }

    /// Runs the method on the three files and reports it; the groups above `--fail-above` are
    /// the error.
    pub(super) fn run(&self, files: [&PathBuf; 3], g: &Global) -> CliResult {
        let limit = self.limit()?;
        self.check()?;
        let opts = LeakOptions {
            include_strings: self.include_strings,
            include_internals: self.include_internals,
        };
        let names: Vec<String> = files.iter().map(|f| report::file_name(f)).collect();
        let LeakReport {
            candidates,
            groups,
            last: s3,
        } = workflows::three_snapshot([&names[0], &names[1], &names[2]], &opts, &Progress::new(), |i| {
            load(files[i], g.quiet).map(Box::new)
        })?;
        let over: Vec<(usize, &LeakGroup)> = match limit {
            None => Vec::new(),
            Some(l) => groups
                .iter()
                .enumerate()
                .filter(|(_, g)| g.retained_size > l as f64)
                .collect(),
        };
        if self.json {
            let mut v = report::leaks_json(&s3, &names, candidates, &groups, self.top);
            v["fail_above"] = serde_json::json!(limit);
            let numbers = leaks::numbers(&groups);
            v["groups_over_limit"] = serde_json::json!(over.iter().map(|(i, _)| &numbers[*i]).collect::<Vec<_>>());
            print_json(&v);
        } else {
            print(&s3, &names, candidates, &groups, self.top);
        }
        if let Some(p) = &self.report {
            write_report(p, &report::leaks_markdown(&s3, &names, candidates, &groups, self.top))?;
            if !g.quiet {
                eprintln!("wrote {}", p.display());
            }
        }
        if over.is_empty() {
            return Ok(());
        }
        let fail_above = self.fail_above.as_deref().unwrap_or_default();
        let numbers = leaks::numbers(&groups);
        Err(CliError::OverLimit(
            over.iter()
                .map(|(i, g)| {
                    format!(
                        "leak group #{} {} ×{} retains {}, more than --fail-above {fail_above}",
                        numbers[*i],
                        preview(&g.class, 60),
                        thousands(g.nodes.len() as u64),
                        bytes(g.retained_size),
                    )
                })
                .collect(),
        ))
    }
}

fn write_report(path: &Path, md: &str) -> CliResult {
    crate::atomic::write(path, crate::atomic::Mode::NoClobber, md.as_bytes())
        .map_err(|e| crate::error::PathIoError::at(path, "write it")(e).into())
}

fn print(s: &Snapshot, names: &[String], candidates: usize, groups: &[LeakGroup], top: usize) {
    let listing = leaks::listing(groups, top);
    let numbers = leaks::numbers(groups);
    let roots = groups.iter().filter(|g| g.part_of.is_none()).count();
    line(format!(
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
            line(format!(
                "\n#{}  {}{at} ×{}  retains {} (shallow {})",
                numbers[i],
                preview(&grp.class, 80),
                thousands(grp.nodes.len() as u64),
                bytes(grp.retained_size),
                bytes(grp.shallow_size as f64)
            ));
            for l in names::path_lines(s, &grp.path) {
                line(format!("      {l}"));
            }
        } else {
            // What a leak keeps alive is part of it: listed under it, counted in its size.
            line(format!(
                "    {}↳ #{}  {}{at} ×{}  kept alive by #{}, retains {} of it (shallow {})",
                "  ".repeat(depth - 1),
                numbers[i],
                preview(&grp.class, 80),
                thousands(grp.nodes.len() as u64),
                grp.part_of.map_or("", |k| &numbers[k]),
                bytes(grp.keeps_alive()),
                bytes(grp.shallow_size as f64)
            ));
        }
    }
    if listing.more_roots > 0 {
        line(format!(
            "\n{} (--top {} lists them all)",
            count(listing.more_roots, "more group", "more groups"),
            top + listing.more_roots
        ));
    }
    if !listing.minor.is_empty() {
        line(format!(
            "\n{}, {} in all: {} (--json lists them)",
            count(listing.minor.len(), "single object", "single objects"),
            bytes(listing.minor_retained),
            names::minor_names(&listing, groups, 6)
        ));
    }
}
