//! The `heapsift` command line: the same analyses as the app, printed as tables or JSON.
//!
//! One module per command (`summary.rs`, `object.rs`, …), each holding its clap arguments and
//! its `run(args, global)`. Every failure is a [`CliError`] and every command ends through one
//! exit path ([`error::exit`]): its output flushed, then one line on stderr and exit code 2 on
//! failure. Flags for the desktop app are checked here too (`app.rs`); the app itself is started
//! by `main`, so that this module never depends on the UI.

mod allocations;
mod app;
mod bench;
mod capture;
mod desktop;
mod detached;
mod diff;
mod dump;
mod duplicates;
mod error;
mod find;
mod gate;
mod growth;
mod hunt;
mod index;
mod leaks;
mod mcp;
mod object;
mod output;
mod profile;
mod progress_bar;
mod redact;
mod signals;
mod summary;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use app::AppFlags;
pub(crate) use error::{CliError, CliResult};
pub use error::{EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OVER_LIMIT, parse};

use crate::analysis::Snapshot;
use crate::engine;
use crate::progress::Progress;

#[derive(Parser, Debug)]
#[command(
    name = "heapsift",
    version,
    about = "Explore V8 heap snapshots: the numbers Chrome DevTools shows, fast.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Snapshots to open in the desktop app.
    pub files: Vec<PathBuf>,
    /// Open the files, wait for indexing, save a PNG of the window to this path and exit.
    #[arg(long, value_name = "OUT.png")]
    pub screenshot: Option<PathBuf>,
    /// The view to show: summary, comparison, retainers, dominators, containment, duplicates,
    /// detached, statistics or allocations (for a snapshot taken with allocation tracking on).
    #[arg(long, value_parser = ["summary", "comparison", "retainers", "dominators", "containment", "duplicates", "detached", "statistics", "allocations"])]
    pub view: Option<String>,
    /// Select this object (`@123`) before the screenshot.
    #[arg(long, value_name = "@ID")]
    pub select: Option<String>,
    /// Limit the Summary to the objects for which this query holds (the Query field; the
    /// language of `heapsift find --where`), e.g. '.userId == undefined'.
    #[arg(long, value_name = "EXPR")]
    pub query: Option<String>,
    /// Open the leak wizard with the three files as baseline, target and final snapshot.
    #[arg(long)]
    pub wizard: bool,
    /// With --wizard: export the largest leak group as a finding (Markdown, JSON, PNG) into
    /// this folder, then exit.
    #[arg(long, value_name = "DIR", requires = "wizard")]
    pub export_finding: Option<PathBuf>,
    /// Open the growth view over the files, in the order given.
    #[arg(long, conflicts_with = "wizard")]
    pub growth: bool,
    /// Connect the app's live panel to this inspector at start (a Node process run with
    /// --inspect, or Chromium's --remote-debugging-port), e.g. 127.0.0.1:9229.
    #[arg(long, value_name = "HOST:PORT", conflicts_with = "attach")]
    pub connect: Option<String>,
    /// Connect the app's live panel to this local Node process at start (SIGUSR1 wakes its
    /// inspector).
    #[arg(long, value_name = "PID")]
    pub attach: Option<u32>,
    /// The window's size in points, e.g. 1024x700 (default 1280x800).
    #[arg(long, value_name = "WxH", value_parser = app::parse_size)]
    pub size: Option<[f32; 2]>,
    /// The colour theme for this run: light or dark (default: the saved choice, or the system's).
    #[arg(long, value_parser = ["light", "dark"])]
    pub theme: Option<String>,
    /// Install heapsift for this user as a desktop app: a launcher running this binary, its
    /// icon and the .heapsnapshot file types, under $XDG_DATA_HOME (~/.local/share), then exit.
    #[arg(long, conflicts_with_all = ["files", "screenshot", "view", "select", "wizard", "growth"])]
    pub(crate) install_desktop: bool,
    /// Remove what --install-desktop wrote, then exit.
    #[arg(long, conflicts_with_all = ["install_desktop", "files", "screenshot", "view", "select", "wizard", "growth"])]
    pub(crate) uninstall_desktop: bool,
    /// Sizes in KiB, MiB and GiB (powers of 1024) instead of DevTools' kB, MB and GB (powers
    /// of 1000).
    #[arg(long, global = true)]
    pub binary_units: bool,
    /// Sizes as whole bytes with no unit, for scripts.
    #[arg(long, global = true, conflicts_with = "binary_units")]
    pub bytes: bool,
    /// No progress bar on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// A folder where the source maps of bundled or transpiled scripts are (`<script>.map`,
    /// searched recursively), for scripts whose own `sourceMappingURL` finds none; repeatable.
    #[arg(long, global = true, value_name = "DIR")]
    pub source_maps: Vec<PathBuf>,
    /// Neither read nor save indexes in the cache folder ($HEAPSIFT_CACHE_DIR, else
    /// $XDG_CACHE_HOME/heapsift, else ~/.cache/heapsift): analyse every snapshot from scratch.
    #[arg(long, global = true)]
    pub no_cache: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The Summary view: one row per constructor, largest retained size first.
    Summary(summary::Args),
    /// DevTools' duplicated strings: strings whose value appears more than once, by the memory
    /// they retain.
    Duplicates(Listing),
    /// Detached DOM trees (browser snapshots): each by its root node, with the detached nodes it
    /// holds, what it retains and what keeps it alive.
    Detached(detached::Args),
    /// One object: class, sizes, distance, dominator and its shortest retainer path to the root.
    Object(object::Args),
    /// Objects by their contents: a class, a query over properties and sizes (--where
    /// '.userId == undefined and retained_size > 1MB'), a Map's entries, or how a property's
    /// values are spread (--group-by .tenant).
    Find(find::Args),
    /// The Comparison view: per class, objects new in CURRENT and deleted since BASE.
    Diff(diff::Args),
    /// Per-class counts and sizes across snapshots of one process, growing classes first.
    Growth(growth::Args),
    /// The three-snapshot leak method: objects new in S2 (not in S1) and still alive in S3,
    /// grouped by class and retaining path, largest first.
    Leaks(leaks::Args),
    /// DevTools' Allocation view, for a snapshot taken with allocation tracking on: per
    /// function, the objects it allocated while tracking and how many are still alive.
    Allocations(allocations::Args),
    /// A sampling heap profile (.heapprofile from `node --heap-prof` or DevTools' "Allocation
    /// sampling") by function: bytes allocated in each function and with what it called.
    Profile(profile::Args),
    /// Take a heap snapshot of a running Node process (`node --inspect`, or any Node process by
    /// PID) or Chromium page (`--remote-debugging-port`), after a forced garbage collection.
    Capture(capture::Args),
    /// The three-snapshot leak method against a live Node process, as one command (for CI):
    /// baseline, ACTION run N times, target, a pause, final (each after a garbage collection),
    /// then the same analysis and output as `heapsift leaks`.
    Hunt(hunt::Args),
    /// Write a copy of a snapshot that is safe to share: every string value in the heap (strings,
    /// script sources, regexp sources, numbers' text, and URLs and paths unless kept) becomes a
    /// placeholder of the same length class, while the graph, ids, sizes, class names, property
    /// names and locations stay: the Summary and Comparison numbers are unchanged.
    Redact(redact::Args),
    /// Serve the analyses to a coding agent: a Model Context Protocol server on stdin and
    /// stdout (configure the agent with {"command": "heapsift", "args": ["mcp"]}).
    Mcp(mcp::Args),
    /// Analyse a snapshot and save its index: into the cache folder (where later opens of the
    /// same file find it), or to OUT, a portable file heapsift opens in place of the snapshot.
    Index(index::Args),
    /// Time every indexing phase and report peak memory (never uses saved indexes).
    Bench(bench::Args),
    /// Per-object numbers for every node (id, class, sizes, distance, dominator) as JSON
    /// lines; for comparing with DevTools when a golden test fails.
    #[command(hide = true)]
    DumpNodes(dump::Args),
}

/// The arguments of a command that lists rows of one snapshot.
#[derive(clap::Args, Debug)]
pub struct Listing {
    /// The heap snapshot (.heapsnapshot or .heapsnapshot.gz).
    file: PathBuf,
    /// Only the first N rows.
    #[arg(long)]
    top: Option<usize>,
    /// JSON in the schema of DevTools' reference output (see the README).
    #[arg(long)]
    json: bool,
}

/// What every command is told besides its own arguments.
pub(crate) struct Global {
    /// No progress bar (and no notes that only a person at a terminal needs).
    pub quiet: bool,
}

/// What the command line asks for, once its commands and flags are checked.
pub enum Next {
    /// A command ran (or the flags were refused): exit with this code.
    Exit(ExitCode),
    /// Start the desktop app with these flags.
    App(Box<AppFlags>),
}

/// Runs what the command line asks for, up to starting the app.
pub fn main(cli: &Cli) -> Next {
    engine::use_cache(if cli.no_cache {
        engine::CachePolicy::Off
    } else {
        engine::CachePolicy::from_env()
    });
    crate::text::set_units(if cli.bytes {
        crate::text::Units::Bytes
    } else if cli.binary_units {
        crate::text::Units::Binary
    } else {
        crate::text::Units::Decimal
    });
    engine::use_source_map_dirs(cli.source_maps.clone());
    let global = Global { quiet: cli.quiet };
    if cli.install_desktop || cli.uninstall_desktop {
        return Next::Exit(error::exit(desktop::run(cli.uninstall_desktop)));
    }
    if let Some(command) = &cli.command {
        return Next::Exit(error::exit(run(command, &global)));
    }
    match app::flags(cli) {
        Ok(flags) => Next::App(Box::new(flags)),
        Err(e) => Next::Exit(error::exit(Err(e))),
    }
}

fn run(command: &Command, g: &Global) -> CliResult {
    match command {
        Command::Summary(a) => summary::run(a, g),
        Command::Duplicates(a) => duplicates::run(a, g),
        Command::Profile(a) => profile::run(a, g),
        Command::Allocations(a) => allocations::run(a, g),
        Command::Detached(a) => detached::run(a, g),
        Command::Object(a) => object::run(a, g),
        Command::Find(a) => find::run(a, g),
        Command::Diff(a) => diff::run(a, g),
        Command::Growth(a) => growth::run(a, g),
        Command::Leaks(a) => leaks::run(a, g),
        Command::Capture(a) => capture::run(a, g),
        Command::Hunt(a) => hunt::run(a, g),
        Command::Redact(a) => redact::run(a, g),
        Command::Index(a) => index::run(a, g),
        Command::Mcp(a) => mcp::run(a, g),
        Command::Bench(a) => bench::run(a, g),
        Command::DumpNodes(a) => dump::run(a, g),
    }
}

/// The subcommands users can run, in `--help` order (for usage errors).
pub fn command_names() -> Vec<String> {
    <Cli as clap::CommandFactory>::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_owned())
        .collect()
}

/// Loads a snapshot (from a saved index when one matches), saving its index when the cache is on.
/// Notes about the cache go to stderr; they never fail the command.
pub(crate) fn load(file: &Path, quiet: bool) -> CliResult<Snapshot> {
    let progress = Progress::new();
    let bar = progress_bar::ProgressBar::start(&progress, quiet);
    let result = engine::open(engine::Source::File(file.to_path_buf()), &progress, &|_| {});
    bar.finish();
    let loaded = result.map_err(|e| e.in_file(file))?;
    for note in &loaded.notes {
        eprintln!("heapsift: {}: {note}", file.display());
    }
    if let Some(save) = &loaded.save
        && let Err(e) = save.write(&loaded.snapshot)
    {
        eprintln!("heapsift: {}: {e}; the analysis is complete", file.display());
    }
    Ok(loaded.snapshot)
}
