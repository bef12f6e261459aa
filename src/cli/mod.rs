//! The `heapsift` command line: the same analyses as the app, printed as tables or JSON.

mod leaks;
mod live;
mod output;
mod progress_bar;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::analysis::Snapshot;
use crate::engine;
use crate::error::{FileError, PathIoError};
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
    /// detached or statistics.
    #[arg(long, value_parser = ["summary", "comparison", "retainers", "dominators", "containment", "duplicates", "detached", "statistics"])]
    pub view: Option<String>,
    /// Select this object (`@123`) before the screenshot.
    #[arg(long, value_name = "@ID")]
    pub select: Option<String>,
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
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
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
    /// No progress bar on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Neither read nor save indexes in the cache folder ($HEAPSIFT_CACHE_DIR, else
    /// $XDG_CACHE_HOME/heapsift, else ~/.cache/heapsift): analyse every snapshot from scratch.
    #[arg(long, global = true)]
    pub no_cache: bool,
}

/// `1024x700` → [1024, 700].
fn parse_size(s: &str) -> Result<[f32; 2], String> {
    let parsed = s
        .split_once(['x', 'X'])
        .and_then(|(w, h)| Some([w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?]));
    match parsed {
        Some([w, h]) if (320..=16384).contains(&w) && (240..=16384).contains(&h) => Ok([w as f32, h as f32]),
        _ => Err(format!("expected a size like 1024x700, got {s:?}")),
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The Summary view: one row per constructor, largest retained size first.
    Summary {
        /// The heap snapshot (.heapsnapshot or .heapsnapshot.gz).
        file: PathBuf,
        /// Only the first N rows.
        #[arg(long)]
        top: Option<usize>,
        /// JSON in the schema of DevTools' reference output (see the README).
        #[arg(long)]
        json: bool,
        /// One of DevTools' Summary filters: objectsRetainedByDetachedDomNodes,
        /// objectsRetainedByConsole, objectsRetainedByEventHandlers, objectsRetainedByContexts,
        /// duplicatedStrings.
        #[arg(long, value_name = "NAME", value_parser = filter_name)]
        filter: Option<String>,
    },
    /// DevTools' duplicated strings: strings whose value appears more than once, by the memory
    /// they retain.
    Duplicates {
        /// The heap snapshot.
        file: PathBuf,
        /// Only the first N groups.
        #[arg(long)]
        top: Option<usize>,
        /// JSON in the schema of DevTools' reference output.
        #[arg(long)]
        json: bool,
    },
    /// Detached DOM trees (browser snapshots): each by its root node, with the detached nodes it
    /// holds, what it retains and what keeps it alive.
    Detached {
        /// The heap snapshot.
        file: PathBuf,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// One object: class, sizes, distance, dominator and its shortest retainer path to the root.
    Object {
        /// The heap snapshot.
        file: PathBuf,
        /// The object id, as `@123` or `123`.
        id: String,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Show DevTools' shortest path to the root instead of the readable one (which avoids
        /// `__proto__`, `constructor` and V8-internal hops where another path exists).
        #[arg(long)]
        shortest: bool,
    },
    /// The Comparison view: per class, objects new in CURRENT and deleted since BASE.
    Diff {
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
    },
    /// Per-class counts and sizes across snapshots of one process, growing classes first.
    Growth {
        /// Two or more snapshots of one process, oldest first.
        #[arg(required = true, num_args = 2..)]
        files: Vec<PathBuf>,
        /// Only the first N classes.
        #[arg(long, default_value_t = 25)]
        top: usize,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The three-snapshot leak method: objects new in S2 (not in S1) and still alive in S3,
    /// grouped by class and retaining path, largest first.
    Leaks {
        /// Baseline: taken after warming up, before the suspect action.
        s1: PathBuf,
        /// Target: taken after repeating the suspect action.
        s2: PathBuf,
        /// Final: taken a while later.
        s3: PathBuf,
        #[command(flatten)]
        output: LeakOutput,
    },
    /// Take a heap snapshot of a running Node process (`node --inspect`, or any Node process by
    /// PID) or Chromium page (`--remote-debugging-port`), after a forced garbage collection.
    #[command(group(clap::ArgGroup::new("how").required(true).args(["inspect", "pid"])))]
    Capture {
        /// The inspector's address, e.g. 127.0.0.1:9229 (Node's default) or 9222 (Chromium).
        #[arg(long, value_name = "HOST:PORT")]
        inspect: Option<String>,
        /// A local Node process, woken with SIGUSR1 if it has no inspector open (it then listens
        /// on 127.0.0.1:9229).
        #[arg(long, value_name = "PID")]
        pid: Option<u32>,
        /// Which of the inspector's targets (ids as listed in an error, or /json/list);
        /// default: the only Node process or page.
        #[arg(long, value_name = "ID", requires = "inspect")]
        target: Option<String>,
        /// Do not collect garbage first.
        #[arg(long)]
        no_gc: bool,
        /// Where to write the snapshot (replaced atomically once complete).
        #[arg(long, short, value_name = "OUT.heapsnapshot")]
        out: PathBuf,
        /// Connect to a host other than this machine. An inspector port runs any code it is sent.
        #[arg(long)]
        allow_remote: bool,
        /// Give up when the process says nothing for this many seconds.
        #[arg(long, value_name = "SECS", default_value_t = 60.0)]
        timeout: f64,
    },
    /// The three-snapshot leak method against a live Node process, as one command (for CI):
    /// baseline, ACTION run N times, target, a pause, final (each after a garbage collection),
    /// then the same analysis and output as `heapsift leaks`.
    #[command(group(clap::ArgGroup::new("how").required(true).args(["inspect", "pid", "exec"])))]
    Hunt {
        /// The inspector's address, e.g. 127.0.0.1:9229.
        #[arg(long, value_name = "HOST:PORT")]
        inspect: Option<String>,
        /// A local Node process (woken with SIGUSR1 if needed).
        #[arg(long, value_name = "PID")]
        pid: Option<u32>,
        /// Start this command (e.g. 'node server.js') with Node's inspector on a free loopback
        /// port, and stop it at the end, also on failure or Ctrl+C.
        #[arg(long, value_name = "COMMAND")]
        exec: Option<String>,
        /// Which of the inspector's targets (with --inspect).
        #[arg(long, value_name = "ID", requires = "inspect")]
        target: Option<String>,
        /// The suspect action, a shell command, e.g. 'curl -s localhost:3000/checkout'.
        #[arg(long, value_name = "COMMAND")]
        action: String,
        /// How many times to run the action between baseline and target.
        #[arg(long, value_name = "N", default_value_t = 10)]
        repeat: usize,
        /// Runs of the action before the baseline (what it creates once is then no leak); the
        /// first is retried until it succeeds, while a service starts.
        #[arg(long, value_name = "N", default_value_t = 1)]
        warmup: usize,
        /// Seconds to wait between target and final.
        #[arg(long, value_name = "SECS", default_value_t = 1.0)]
        wait: f64,
        /// Keep the three snapshots in this folder (baseline, target and final.heapsnapshot);
        /// by default they are deleted at the end.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
        #[command(flatten)]
        output: LeakOutput,
        /// Connect to a host other than this machine. An inspector port runs any code it is sent.
        #[arg(long)]
        allow_remote: bool,
        /// Give up when the process says nothing for this many seconds.
        #[arg(long, value_name = "SECS", default_value_t = 60.0)]
        timeout: f64,
    },
    /// Write a copy of a snapshot that is safe to share: every string value in the heap (strings,
    /// script sources, regexp sources, numbers' text, and URLs and paths unless kept) becomes a
    /// placeholder of the same length class, while the graph, ids, sizes, class names, property
    /// names and locations stay: the Summary and Comparison numbers are unchanged.
    Redact {
        /// The snapshot to redact (never modified).
        input: PathBuf,
        /// The redacted copy (refuses to overwrite; `.gz` compresses it).
        output: PathBuf,
        /// Keep values that look like URLs or file paths (script names), so locations still
        /// name your files.
        #[arg(long)]
        keep_urls: bool,
    },
    /// Analyse a snapshot and save its index: into the cache folder (where later opens of the
    /// same file find it), or to OUT, a portable file heapsift opens in place of the snapshot.
    Index {
        /// The heap snapshot.
        file: PathBuf,
        /// Write the index here instead of the cache folder (refuses to overwrite anything but
        /// an index).
        #[arg(long, short, value_name = "OUT.hsidx")]
        out: Option<PathBuf>,
    },
    /// Time every indexing phase and report peak memory (never uses saved indexes).
    Bench {
        /// The heap snapshot.
        file: PathBuf,
    },
    /// Per-object numbers for every node (id, class, sizes, distance, dominator) as JSON
    /// lines; for comparing with DevTools when a golden test fails.
    #[command(hide = true)]
    DumpNodes { file: PathBuf },
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

impl LeakOutput {
    /// Runs the analysis on the three files and reports it; `Ok(true)` above `--fail-above`.
    fn run(&self, files: [&PathBuf; 3], quiet: bool) -> CliResult<bool> {
        let opts = crate::analysis::leaks::LeakOptions {
            include_strings: self.include_strings,
            include_internals: self.include_internals,
        };
        leaks::run(
            files,
            self.json,
            self.report.as_deref(),
            self.fail_above.as_deref(),
            self.top,
            opts,
            quiet,
        )
    }
}

/// Exit code for bad input or usage.
pub const EXIT_BAD_INPUT: u8 = 2;

/// Why a command failed: one line on stderr, then exit 2 (130 when interrupted).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// A snapshot or index that could not be read or analysed.
    #[error(transparent)]
    File(#[from] FileError),
    /// An argument that cannot be used as given.
    #[error("{0}")]
    Usage(String),
    /// An output path heapsift will not write to.
    #[error("{}: {why}", path.display())]
    Refused { path: PathBuf, why: &'static str },
    /// Writing an output file (or making its folder) failed.
    #[error(transparent)]
    Output(#[from] crate::error::PathIoError),
    /// Writing to stdout failed (not a reader that went away: that ends quietly).
    #[error("cannot write the output: {0}")]
    Stdout(#[source] std::io::Error),
    #[error(transparent)]
    Index(#[from] crate::error::SaveError),
    /// A mistake the analysis found in what it was given (snapshots of two processes).
    #[error(transparent)]
    Analysis(crate::error::Error),
    #[error(transparent)]
    Capture(crate::capture::CaptureError),
    #[error(transparent)]
    Desktop(#[from] crate::desktop::DesktopError),
    /// Ctrl+C, SIGTERM or SIGHUP during a capture: everything started was stopped, nothing
    /// partial left.
    #[error("interrupted; nothing was left behind")]
    Interrupted,
    /// An analysis was cancelled (its progress was cancelled without a signal).
    #[error("cancelled")]
    Cancelled,
}

impl From<crate::capture::CaptureError> for CliError {
    fn from(e: crate::capture::CaptureError) -> Self {
        match e {
            crate::capture::CaptureError::Cancelled => CliError::Interrupted,
            e => CliError::Capture(e),
        }
    }
}

impl From<crate::error::Error> for CliError {
    fn from(e: crate::error::Error) -> Self {
        match e {
            crate::error::Error::Cancelled => CliError::Cancelled,
            e => CliError::Analysis(e),
        }
    }
}

impl CliError {
    fn exists(path: &Path) -> CliError {
        CliError::Refused {
            path: path.to_path_buf(),
            why: "already exists; not overwriting it",
        }
    }
}

type CliResult<T> = Result<T, CliError>;

/// Runs a parsed command line; `None` means "no subcommand" (the caller opens the app).
pub fn run(cli: &Cli) -> Option<ExitCode> {
    if cli.install_desktop || cli.uninstall_desktop {
        return Some(desktop(cli.uninstall_desktop));
    }
    let command = cli.command.as_ref()?;
    let result = match command {
        Command::Summary {
            file,
            top,
            json,
            filter,
        } => run_summary(file, *top, *json, filter.as_deref(), cli.quiet),
        Command::Detached { file, json } => load(file, cli.quiet).map(|s| {
            let dom = crate::analysis::detached::DetachedDom::of(&s);
            if *json {
                output::print_json(&crate::present::report::detached_json(&s, file, &dom.trees));
            } else {
                output::print_detached(&s, file, &dom);
            }
        }),
        Command::Duplicates { file, top, json } => load(file, cli.quiet).map(|s| {
            let found = crate::analysis::filters::duplicates(&s);
            if *json {
                let shown = &found.groups[..found.groups.len().min(top.unwrap_or(usize::MAX))];
                output::print_json(&crate::present::report::duplicates_json(&s, file, shown));
            } else {
                output::print_duplicates(file, &found, *top);
            }
        }),
        Command::Leaks { s1, s2, s3, output } => {
            return Some(exit_code(output.run([s1, s2, s3], cli.quiet).map(u8::from)));
        }
        Command::Capture {
            inspect,
            pid,
            target,
            no_gc,
            out,
            allow_remote,
            timeout,
        } => {
            let result = live::connect_from(inspect.as_deref(), *pid, None, target.as_deref()).and_then(|connect| {
                live::capture(live::CaptureArgs {
                    connect,
                    out,
                    gc: !*no_gc,
                    allow_remote: *allow_remote,
                    timeout: *timeout,
                    quiet: cli.quiet,
                })
            });
            return Some(exit_code(result.map(|()| 0)));
        }
        Command::Hunt {
            inspect,
            pid,
            exec,
            target,
            action,
            repeat,
            warmup,
            wait,
            keep,
            output,
            allow_remote,
            timeout,
        } => {
            // Mistakes in the arguments are reported before minutes of capturing, not after.
            if let Some(p) = &output.report
                && p.exists()
            {
                return Some(exit_code(Err(CliError::exists(p))));
            }
            if let Some(t) = &output.fail_above
                && crate::text::parse_size(t).is_none()
            {
                return Some(exit_code(Err(fail_above_error(t))));
            }
            let captured =
                live::connect_from(inspect.as_deref(), *pid, exec.as_deref(), target.as_deref()).and_then(|connect| {
                    live::hunt(live::HuntArgs {
                        connect,
                        action,
                        repeat: *repeat,
                        warmup: *warmup,
                        wait: *wait,
                        keep: keep.as_deref(),
                        allow_remote: *allow_remote,
                        timeout: *timeout,
                        quiet: cli.quiet,
                    })
                });
            let (paths, scratch) = match captured {
                Ok(c) => c,
                Err(e) => return Some(exit_code(Err(e))),
            };
            if scratch.is_some() {
                // Indexes of snapshots about to be deleted would only fill the cache.
                engine::use_cache(engine::CachePolicy::Off);
            }
            let gate = output.run([&paths[0], &paths[1], &paths[2]], cli.quiet);
            drop(scratch);
            return Some(exit_code(gate.map(u8::from)));
        }
        Command::Object {
            file,
            id,
            json,
            shortest,
        } => run_object(file, id, *json, *shortest, cli.quiet),
        Command::Diff {
            base,
            current,
            top,
            json,
        } => run_diff(base, current, *top, *json, cli.quiet),
        Command::Growth { files, top, json } => run_growth(files, *top, *json, cli.quiet),
        Command::Index { file, out } => run_index(file, out.as_deref(), cli.quiet),
        Command::Redact {
            input,
            output,
            keep_urls,
        } => run_redact(input, output, *keep_urls, cli.quiet),
        Command::Bench { file } => run_bench(file, cli.quiet),
        Command::DumpNodes { file } => {
            load(file, cli.quiet).map(|s| output::record(crate::present::report::dump_nodes(&s)))
        }
    };
    Some(exit_code(result.map(|()| 0)))
}

/// A command's exit: its code once all its output is written (see `output::finish`), or one
/// line on stderr and exit 2; 130 after Ctrl+C.
fn exit_code(result: CliResult<u8>) -> ExitCode {
    match result.and_then(|code| output::finish().map(|()| code)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("heapsift: {e}");
            ExitCode::from(match e {
                CliError::Interrupted => live::EXIT_INTERRUPTED,
                _ => EXIT_BAD_INPUT,
            })
        }
    }
}

fn fail_above_error(text: &str) -> CliError {
    CliError::Usage(format!("--fail-above {text:?} is not a size like 1MB or 512KB"))
}

/// The subcommands users can run, in `--help` order (for usage errors).
pub fn command_names() -> Vec<String> {
    <Cli as clap::CommandFactory>::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_owned())
        .collect()
}

fn desktop(uninstall: bool) -> ExitCode {
    use crate::desktop::DesktopError;
    let result = crate::desktop::Paths::from_env().and_then(|paths| {
        if uninstall {
            crate::desktop::uninstall(&paths)
        } else {
            let exe = std::env::current_exe().map_err(DesktopError::NoProgram)?;
            crate::desktop::install(&paths, &exe)
        }
    });
    exit_code(result.map_err(CliError::from).map(|report| {
        for line in report.lines {
            output::record(writeln!(std::io::stdout(), "{line}"));
        }
        0
    }))
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

fn run_index(file: &Path, out: Option<&Path>, quiet: bool) -> CliResult<()> {
    if engine::store::is_index_file(file) {
        return Err(CliError::Refused {
            path: file.to_path_buf(),
            why: "this is an index already",
        });
    }
    let path = match out {
        Some(out) if out.exists() && !engine::store::is_index_file(out) => {
            return Err(CliError::Refused {
                path: out.to_path_buf(),
                why: "exists and is not a heapsift index; not overwriting it",
            });
        }
        Some(out) => out.to_path_buf(),
        None => match engine::cache_policy() {
            engine::CachePolicy::Dir(dir) => engine::store::cache_path(&dir, file),
            engine::CachePolicy::Off => {
                return Err(CliError::Usage(
                    "the cache is off (--no-cache, or no cache folder): give -o OUT.hsidx".into(),
                ));
            }
        },
    };
    let key = engine::store::SourceKey::of(file).map_err(|e| crate::error::Error::from(e).in_file(file))?;
    let target = engine::SaveIndex {
        path,
        origin: engine::store::Origin::of(file, key),
    };
    let progress = Progress::new();
    let bar = progress_bar::ProgressBar::start(&progress, quiet);
    let start = std::time::Instant::now();
    let result = engine::load(file, &progress);
    bar.finish();
    let s = result?;
    target.write(&s)?;
    let size = std::fs::metadata(&target.path).map(|m| m.len()).unwrap_or(0);
    output::record(writeln!(
        std::io::stdout(),
        "{}: index saved to {} ({}, {:.1} s)",
        file.display(),
        target.path.display(),
        crate::text::bytes(size as f64),
        start.elapsed().as_secs_f64()
    ));
    Ok(())
}

fn run_redact(input: &Path, output: &Path, keep_urls: bool, quiet: bool) -> CliResult<()> {
    if output.exists() {
        return Err(CliError::exists(output));
    }
    let bytes = crate::format::Bytes::open(input).map_err(|e| e.in_file(input))?;
    let tmp = crate::atomic::Pending::new(output, crate::atomic::Mode::NoClobber)
        .map_err(PathIoError::at(output, "write it"))?;
    let progress = Progress::new();
    let bar = progress_bar::ProgressBar::start(&progress, quiet);
    let opts = crate::format::redact::Options { keep_urls };
    let gz = output.extension().is_some_and(|e| e == "gz");
    let written = |e| crate::error::Error::write("the redacted snapshot", e);
    let file = std::io::BufWriter::with_capacity(1 << 20, tmp.file());
    let result = if gz {
        let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        crate::format::redact::redact(&bytes, opts, &mut enc, &progress)
            .and_then(|r| enc.finish().and_then(|mut f| f.flush()).map(|()| r).map_err(written))
    } else {
        let mut file = file;
        crate::format::redact::redact(&bytes, opts, &mut file, &progress)
            .and_then(|r| file.flush().map(|()| r).map_err(written))
    };
    bar.finish();
    let stats = result.map_err(|e| match e {
        e @ crate::error::Error::Write { .. } => CliError::File(e.in_file(output)),
        e => CliError::File(e.in_file(input)),
    })?;
    tmp.commit().map_err(PathIoError::at(output, "save it"))?;
    let size = std::fs::metadata(output).map(|m| m.len()).unwrap_or(0);
    output::record(writeln!(
        std::io::stdout(),
        "{}: {} string values in {} objects redacted{} ({})",
        output.display(),
        crate::text::thousands(stats.values as u64),
        crate::text::thousands(stats.nodes as u64),
        if keep_urls {
            format!(
                ", {} URLs and paths kept",
                crate::text::thousands(stats.kept_urls as u64)
            )
        } else {
            String::new()
        },
        crate::text::bytes(size as f64),
    ));
    Ok(())
}

fn filter_name(s: &str) -> Result<String, String> {
    use crate::analysis::filters::NamedFilter;
    match NamedFilter::parse(s) {
        Some(f) => Ok(f.name().to_owned()),
        None => Err(format!(
            "not one of DevTools' filters: {}",
            NamedFilter::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn run_summary(file: &Path, top: Option<usize>, json: bool, filter: Option<&str>, quiet: bool) -> CliResult<()> {
    let s = load(file, quiet)?;
    let filter = filter.and_then(crate::analysis::filters::NamedFilter::parse);
    let rows = match filter {
        None => s.summary.clone(),
        Some(f) => {
            let members = f.members(&s, &Progress::new()).map_err(|_| CliError::Cancelled)?;
            s.summary_filtered(&|v| members.get(v.index()))
        }
    };
    let rows = crate::present::report::sorted(rows, top);
    if json {
        output::print_json(&crate::present::report::summary_rows_json(
            &s,
            file,
            rows,
            filter.map(|f| f.name()),
        ));
    } else {
        output::print_summary(&s, file, rows, filter.map(|f| f.label()));
    }
    Ok(())
}

fn run_object(file: &Path, id: &str, json: bool, shortest: bool, quiet: bool) -> CliResult<()> {
    let wanted = crate::model::parse_object_id(id)
        .ok_or_else(|| CliError::Usage(format!("{id:?} is not an object id (expected @123 or 123)")))?;
    let s = load(file, quiet)?;
    let Some(v) = s.graph.find_id(wanted) else {
        let missing = crate::error::Error::invalid(format!("there is no object with id @{wanted}"));
        return Err(missing.in_file(file).into());
    };
    let readable = if shortest && !json {
        None
    } else {
        crate::analysis::readable::ReadablePaths::compute(&s, &Progress::new())
            .map_err(|_| CliError::Cancelled)?
            .path(&s, v)
    };
    if json {
        output::print_json(&crate::present::report::object_json(&s, v, readable.as_deref()));
    } else {
        output::print_object(&s, v, if shortest { None } else { Some(readable.as_deref()) });
    }
    Ok(())
}

fn run_diff(base: &Path, current: &Path, top: Option<usize>, json: bool, quiet: bool) -> CliResult<()> {
    use crate::engine::workflows::{self, Side};
    let workflows::Comparison { mut rows, scripts } = workflows::comparison(&Progress::new(), |side| match side {
        Side::Current => load(current, quiet).map(Box::new),
        Side::Base => load(base, quiet).map(Box::new),
    })?;
    if let Some(n) = top {
        rows.truncate(n);
    }
    if json {
        output::print_json(&crate::present::report::diff_json(base, current, &rows));
    } else {
        output::print_diff(base, current, &rows, &scripts);
    }
    Ok(())
}

fn run_growth(files: &[PathBuf], top: usize, json: bool, quiet: bool) -> CliResult<()> {
    let names: Vec<String> = files.iter().map(|f| crate::present::report::file_name(f)).collect();
    let report = crate::engine::workflows::growth(&names, &Progress::new(), |i| load(&files[i], quiet).map(Box::new))?;
    let mut ranked: Vec<_> = report.growth.ranked().into_iter().filter(|c| !c.is_flat()).collect();
    ranked.truncate(top);
    if json {
        output::print_json(&crate::present::report::growth_json(&report.growth.names, &ranked));
    } else {
        output::print_growth(&report.growth.names, &ranked, &report.last.scripts);
    }
    Ok(())
}

fn run_bench(file: &Path, quiet: bool) -> CliResult<()> {
    let file_size = std::fs::metadata(file)
        .map(|m| m.len())
        .map_err(|e| crate::error::Error::from(e).in_file(file))?;
    let progress = Progress::new();
    let bar = progress_bar::ProgressBar::start(&progress, quiet);
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
    output::record(writeln!(
        out,
        "{}: {} ({} bytes), {} nodes, {} edges, {} strings",
        file.display(),
        crate::text::bytes(file_size as f64),
        crate::text::thousands(file_size),
        crate::text::thousands(s.graph.node_count() as u64),
        crate::text::thousands(s.graph.edge_count() as u64),
        crate::text::thousands(s.graph.strings().parts().1.len() as u64),
    ));
    output::record(writeln!(out, "{:<40} {:>10} {:>14}", "phase", "seconds", "max RSS"));
    for (phase, d) in &timings {
        let rss = phase_rss
            .iter()
            .find(|(p, _)| p == phase)
            .map(|(_, r)| crate::text::bytes(*r as f64))
            .unwrap_or_default();
        output::record(writeln!(
            out,
            "{:<40} {:>10.3} {:>14}",
            phase.label(),
            d.as_secs_f64(),
            rss
        ));
    }
    output::record(writeln!(out, "{:<40} {:>10.3}", "total", total.as_secs_f64()));
    let rss = engine::measure::peak_rss().unwrap_or(0);
    output::record(writeln!(
        out,
        "peak RSS: {} ({:.2}× the file size); index holds {}",
        crate::text::bytes(rss as f64),
        rss as f64 / file_size.max(1) as f64,
        crate::text::bytes(s.heap_bytes() as f64),
    ));
    output::record(writeln!(
        out,
        "total size {} in {} classes; {} only-weakly-reachable nodes, {} in unreachable cliques",
        crate::text::bytes(s.total_size),
        crate::text::thousands(s.summary.len() as u64),
        crate::text::thousands(s.orphans as u64),
        crate::text::thousands(s.cliques as u64),
    ));
    Ok(())
}
