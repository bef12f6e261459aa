//! `heapsift leaks S1 S2 S3`: the three-snapshot method from the command line, with a gate for
//! CI (`--fail-above`); `hunt` reports through the same [`LeakOutput`].

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::gate::{self, Baseline, Rules};
use super::output::{line, print_doc, raw_line};
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

/// How `leaks` and `hunt` print their result.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Groups and their paths to the root, for people.
    Text,
    /// The documented JSON schema (docs/json.md).
    Json,
    /// GitHub Actions workflow commands: an annotation at the line that defines each group's
    /// class, then the text.
    Github,
}

/// How `leaks` and `hunt` report the three-snapshot method's result.
#[derive(clap::Args, Debug)]
pub struct LeakOutput {
    /// The same as --format json.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// text, json, or github (annotations at the leaking classes' lines, for GitHub Actions).
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<Format>,
    /// Also write a Markdown report: to a new file, appended to an existing one (such as
    /// $GITHUB_STEP_SUMMARY), or with `-` to stdout in place of the text.
    #[arg(long, value_name = "OUT.md")]
    report: Option<PathBuf>,
    /// The gate: exit with code 1 when a group retains more than this (e.g. 1MB, 512kB: powers
    /// of 1000 as DevTools prints them; 1MiB, 512KiB: powers of 1024).
    #[arg(long, value_name = "SIZE")]
    fail_above: Option<String>,
    /// The gate against an earlier run: exit with code 1 only for groups that are new or grew
    /// since this `leaks --json` (or `hunt --json`) output; with --fail-above, only those above
    /// the size.
    #[arg(long, value_name = "PREVIOUS.json")]
    baseline: Option<PathBuf>,
    /// How many times the action ran between baseline and target (hunt knows it): each group
    /// then says how many objects it gains per run, and --fail-above counts only groups that
    /// grow by at least one per run (not a bounded cache or a one-off).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    runs: Option<u64>,
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
    a.output.run("leaks", [&a.s1, &a.s2, &a.s3], None, g)
}

impl LeakOutput {
    fn format(&self) -> Format {
        if self.json {
            Format::Json
        } else {
            self.format.unwrap_or(Format::Text)
        }
    }

    /// The limit `--fail-above` gives, if any.
    fn limit(&self) -> CliResult<Option<u64>> {
        match &self.fail_above {
            None => Ok(None),
            Some(t) => parse_size(t).map(Some).ok_or_else(|| CliError::fail_above(t)),
        }
    }

    /// The report's destination when it is stdout.
    fn report_to_stdout(&self) -> bool {
        self.report.as_deref() == Some(Path::new("-"))
    }

    /// The output's own mistakes, found before any work: a bad limit or baseline, a report
    /// that cannot be written, two outputs on stdout.
    pub(super) fn check(&self) -> CliResult<Option<Baseline>> {
        self.limit()?;
        if self.report_to_stdout() && self.format() != Format::Text {
            return Err(CliError::Usage(
                "--report - prints the Markdown report in place of the text; it cannot share stdout with --format json or github"
                    .into(),
            ));
        }
        if let Some(p) = self.report.as_deref().filter(|_| !self.report_to_stdout()) {
            if p.is_dir() {
                return Err(CliError::Refused {
                    path: p.to_path_buf(),
                    why: "is a folder; --report needs a file",
                });
            }
            let parent = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if !parent.is_dir() {
                return Err(CliError::Refused {
                    path: p.to_path_buf(),
                    why: "cannot be written: its folder does not exist",
                });
            }
        }
        self.baseline.as_deref().map(Baseline::read).transpose()
    }

    /// Runs the method on the three files and reports it; the groups that fail the gate are
    /// the error.
    /// `runs`: how many times the action ran, when the caller knows (hunt); else `--runs`.
    pub(super) fn run(&self, command: &str, files: [&PathBuf; 3], runs: Option<usize>, g: &Global) -> CliResult {
        let runs = runs.or(self.runs.map(|r| r as usize));
        let limit = self.limit()?;
        let baseline = self.check()?;
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
        let rules = Rules {
            limit: self.fail_above.as_deref().zip(limit),
            baseline: baseline.as_ref(),
            runs,
        };
        let verdict = rules.active().then(|| rules.judge(&s3, &groups));
        let mut markdown = self
            .report
            .is_some()
            .then(|| report::leaks_markdown(&s3, &names, candidates, &groups, self.top, runs));
        if let (Some(md), Some(v)) = (markdown.as_mut(), &verdict) {
            md.push_str(&format!("\n**{}**\n", v.summary));
        }
        match self.format() {
            Format::Json => {
                let mut v = report::leaks_json(&s3, &names, candidates, &groups, self.top, runs);
                v["gate"] = verdict
                    .as_ref()
                    .map_or(Value::Null, |v| gate::verdict_json(&rules, v, &groups));
                print_doc(command, v);
            }
            Format::Github => {
                for l in gate::github(&s3, &groups, self.top, verdict.as_ref()) {
                    raw_line(l);
                }
                print(&s3, &names, candidates, &groups, self.top, runs);
            }
            Format::Text if self.report_to_stdout() => {}
            Format::Text => print(&s3, &names, candidates, &groups, self.top, runs),
        }
        match (&self.report, markdown) {
            (Some(_), Some(md)) if self.report_to_stdout() => raw_line(md.trim_end()),
            (Some(p), Some(md)) => {
                let appended = write_report(p, &md)?;
                if !g.quiet {
                    eprintln!(
                        "heapsift: {} {}",
                        if appended { "appended the report to" } else { "wrote" },
                        p.display()
                    );
                }
            }
            _ => {}
        }
        let Some(verdict) = verdict else {
            return Ok(());
        };
        match self.format() {
            // The verdict closes what a person reads; JSON carries it in `gate`.
            Format::Text if !self.report_to_stdout() => line(format!("\n{}", verdict.summary)),
            Format::Github => line(format!("\n{}", verdict.summary)),
            _ => {}
        }
        if verdict.failing.is_empty() {
            return Ok(());
        }
        let numbers = leaks::numbers(&groups);
        let causes = crate::present::causes::of_groups(&s3, &groups);
        let mut lines: Vec<String> = verdict
            .failing
            .iter()
            .map(|f| {
                format!(
                    "leak group {} {}",
                    gate::label(&groups, &numbers, f.group, 60, &causes),
                    f.why
                )
            })
            .collect();
        if self.format() == Format::Json {
            lines.push(verdict.summary);
        }
        Err(CliError::OverLimit(lines))
    }
}

/// Writes the Markdown report: a new file atomically, or appended to an existing one in one
/// write (a CI step summary is such a file). Says whether it appended.
fn write_report(path: &Path, md: &str) -> CliResult<bool> {
    use std::io::Write;
    if !path.exists() {
        crate::atomic::write(path, crate::atomic::Mode::NoClobber, md.as_bytes())
            .map_err(crate::error::PathIoError::at(path, "write it"))?;
        return Ok(false);
    }
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(crate::error::PathIoError::at(path, "append to it"))?;
    // A report after other text starts on a line of its own.
    let sep = if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
        "\n"
    } else {
        ""
    };
    f.write_all(format!("{sep}{md}").as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(crate::error::PathIoError::at(path, "append to it"))?;
    Ok(true)
}

fn print(s: &Snapshot, names: &[String], candidates: usize, groups: &[LeakGroup], top: usize, runs: Option<usize>) {
    let per = runs.map(|r| leaks::per_action(groups, r));
    let listing = leaks::listing(groups, top, per.as_deref());
    let numbers = leaks::numbers(groups);
    let causes = crate::present::causes::of_groups(s, groups);
    // "×60, 1.0 per run"; a root group that grows less than once per run says what that means.
    let per_run = |i: usize| match (runs, &per) {
        (Some(r), Some(p)) => {
            let own = groups[i].nodes.len() as f64 / r.max(1) as f64;
            let note = match () {
                _ if groups[i].part_of.is_some() => String::new(),
                _ if p[i] < leaks::GROWING_PER_ACTION => {
                    ": not growing with every action, a bounded cache or a one-off".into()
                }
                // A container (a listener array) that holds what grows.
                _ if own < leaks::GROWING_PER_ACTION => format!("; what it keeps alive grows {:.1} per run", p[i]),
                _ => String::new(),
            };
            format!(" ({own:.1} per run{note})")
        }
        _ => String::new(),
    };
    let roots = groups.iter().filter(|g| g.part_of.is_none()).count();
    line(format!(
        "{} objects were allocated between {} and {} and are still alive in {}, in {} groups, {} of them kept \
         alive by no other group (strings, except a growing collection's entries, and engine internals left out: \
         --include-strings, --include-internals).",
        thousands(candidates as u64),
        names[0],
        names[1],
        names[2],
        thousands(groups.len() as u64),
        thousands(roots as u64),
    ));
    let side = crate::present::causes::same_holder(s, groups, &causes);
    // With the runs known, say first whether anything grows with every action (a group listed
    // with another, by the same holder, counts with it).
    if let (Some(r), Some(p)) = (runs, &per) {
        let growing = (0..groups.len())
            .filter(|&i| groups[i].part_of.is_none() && side[i].is_none() && p[i] >= leaks::GROWING_PER_ACTION)
            .count();
        line(if growing == 0 {
            format!("Nothing grows with every action: no group gains an object per run over {r} runs.")
        } else {
            format!(
                "{} with every action (at least one object per run over {r} runs).",
                count(growing, "group grows", "groups grow")
            )
        });
    }
    let rows = crate::present::causes::nested_shown(groups, &listing.rows, &causes);
    let mut in_side = false;
    for (at_row, &(i, depth)) in listing.rows.iter().enumerate() {
        let grp = &groups[i];
        // A group the holder of an earlier group's cause keeps alive is listed with that group.
        if depth == 0 {
            in_side = side[i].is_some();
        }
        if in_side {
            continue;
        }
        let at = names::defined_at_suffix(s, grp.nodes[0]);
        let leaked = causes[i].as_ref().and_then(|c| c.leaked.as_ref());
        if depth == 0 {
            match leaked {
                // A container (a listener array, timers, a socket's handle) headlines what the
                // user's code made; its size is the whole group's.
                Some(l) => {
                    let made = &groups[l.group];
                    line(format!(
                        "\n#{}  {}{} ×{}{}  retains {} with what holds it",
                        numbers[i],
                        preview(made.shown_class(), 80),
                        names::defined_at_suffix(s, made.nodes[0]),
                        thousands(made.nodes.len() as u64),
                        per_run(l.group),
                        bytes(grp.retained_size),
                    ));
                    line(format!("    held in: {}", l.held_in));
                    // Where most of the size is, when something beside the chain holds it (a
                    // closure's scope that also keeps a request and its response alive).
                    let beside = (0..groups.len())
                        .filter(|&k| !l.chain.contains(&k) && groups[k].part_of.is_some_and(|p| l.chain.contains(&p)))
                        .max_by(|&a, &b| groups[a].keeps_alive().total_cmp(&groups[b].keeps_alive()));
                    if let Some(k) = beside.filter(|&k| groups[k].keeps_alive() * 2.0 >= grp.retained_size) {
                        line(format!(
                            "    most of it: #{} {}{} ×{} keeps {} alive beside them",
                            numbers[k],
                            preview(groups[k].shown_class(), 60),
                            names::defined_at_suffix(s, groups[k].nodes[0]),
                            thousands(groups[k].nodes.len() as u64),
                            bytes(groups[k].keeps_alive())
                        ));
                    }
                }
                None => line(format!(
                    "\n#{}  {}{at} ×{}{}  retains {} (shallow {})",
                    numbers[i],
                    preview(grp.shown_class(), 80),
                    thousands(grp.nodes.len() as u64),
                    per_run(i),
                    bytes(grp.retained_size),
                    bytes(grp.shallow_size as f64)
                )),
            }
            if let Some(c) = &causes[i] {
                line(format!("    cause: {}", c.line(s)));
                // A group that does not grow with every action needs a fix only if it should
                // not be there at all.
                let bounded = per.as_ref().is_some_and(|p| p[i] < leaks::GROWING_PER_ACTION);
                if bounded {
                    line(format!("    fix: {}", crate::present::causes::BOUNDED_FIX));
                } else {
                    line(format!("    fix: {}", c.fix()));
                }
            }
            // Which code made the objects, when the snapshots recorded allocation stacks.
            let made = leaked.map_or(grp, |l| &groups[l.group]);
            if let Some(by) = crate::present::allocations::made_by_text(s, made) {
                line(format!("    allocated by: {by}"));
            }
            for l in names::path_lines(s, &grp.path) {
                line(format!("      {l}"));
            }
        } else if rows[at_row] {
            // What a leak keeps alive is part of it: listed under it, counted in its size.
            line(format!(
                "    {}↳ #{}  {}{at} ×{}{}  kept alive by #{}, retains {} of it (shallow {})",
                "  ".repeat(depth - 1),
                numbers[i],
                preview(grp.shown_class(), 80),
                thousands(grp.nodes.len() as u64),
                per_run(i),
                grp.part_of
                    .map_or(String::new(), |k| parent_label(groups, &numbers, &causes, k)),
                bytes(grp.keeps_alive()),
                bytes(grp.shallow_size as f64)
            ));
        }
        // After a root group's last nested row: what was not listed, in one line.
        let ends = listing.rows.get(at_row + 1).is_none_or(|&(_, d)| d == 0);
        if ends {
            let root = listing.rows[..=at_row]
                .iter()
                .rposition(|&(_, d)| d == 0)
                .unwrap_or(at_row);
            let hidden: Vec<usize> = (root + 1..=at_row)
                .filter(|&r| !rows[r])
                .map(|r| listing.rows[r].0)
                .collect();
            if !hidden.is_empty() {
                let mut largest = hidden.clone();
                largest.sort_by(|&a, &b| groups[b].keeps_alive().total_cmp(&groups[a].keeps_alive()));
                line(format!(
                    "    … {} it keeps alive, the largest {} (--json lists them)",
                    count(hidden.len(), "more group", "more groups"),
                    first_few(groups, &numbers, &largest)
                ));
            }
            let root_group = listing.rows[root].0;
            let with: Vec<usize> = (0..groups.len()).filter(|&k| side[k] == Some(root_group)).collect();
            if !with.is_empty() {
                let retained: f64 = with.iter().map(|&k| groups[k].retained_size).sum();
                line(format!(
                    "    with it: {} the same holder keeps alive, {} more: {} (--json lists them)",
                    count(with.len(), "group", "groups"),
                    bytes(retained),
                    first_few(groups, &numbers, &with)
                ));
            }
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

/// `#1.4 Socket ×41, #1.5 Array ×60, #1.6 Function ×60, …`: the first three of `ks`.
fn first_few(groups: &[LeakGroup], numbers: &[String], ks: &[usize]) -> String {
    let mut out: Vec<String> = ks
        .iter()
        .take(3)
        .map(|&k| {
            format!(
                "#{} {} ×{}",
                numbers[k],
                preview(groups[k].shown_class(), 40),
                thousands(groups[k].nodes.len() as u64)
            )
        })
        .collect();
    if ks.len() > 3 {
        out.push("…".into());
    }
    out.join(", ")
}

/// `1.1`; a root group headlined by the user's objects it holds by its own class too,
/// `1 (Array ×1)`, since its headline names another group.
fn parent_label(
    groups: &[LeakGroup],
    numbers: &[String],
    causes: &[Option<crate::present::causes::Cause>],
    k: usize,
) -> String {
    match causes[k].as_ref().and_then(|c| c.leaked.as_ref()) {
        Some(_) => format!(
            "{} ({} ×{})",
            numbers[k],
            preview(groups[k].shown_class(), 40),
            thousands(groups[k].nodes.len() as u64)
        ),
        None => numbers[k].clone(),
    }
}
