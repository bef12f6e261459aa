//! `heapsift hunt`: the three-snapshot method against a live Node process as one command for
//! CI: warm-up, baseline, the action N times, target, a pause, final, then `heapsift leaks`'s
//! analysis and output.

use std::path::PathBuf;
use std::time::Duration;

use super::capture::{connect_from, options};
use super::leaks::LeakOutput;
use super::progress_bar::ProgressBar;
use super::{CliError, CliResult, Global, signals};
use crate::capture::{self, Hunt};
use crate::engine;
use crate::error::PathIoError;
use crate::progress::Progress;

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("how").required(true).args(["inspect", "pid", "exec"])))]
pub struct Args {
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
    /// Record every allocation's stack from before the baseline to the final snapshot, so each
    /// leak group says which code made its objects. The target runs slower meanwhile.
    #[arg(long)]
    track_allocations: bool,
    #[command(flatten)]
    output: LeakOutput,
    /// Connect to a host other than this machine. An inspector port runs any code it is sent.
    #[arg(long)]
    allow_remote: bool,
    /// Give up when the process says nothing for this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    timeout: f64,
}

pub(super) fn run(a: &Args, g: &Global) -> CliResult {
    // Mistakes in the arguments are reported before minutes of capturing, not after.
    a.output.check()?;
    let connect = connect_from(a.inspect.as_deref(), a.pid, a.exec.as_deref(), a.target.as_deref())?;
    let opts = options(a.allow_remote, a.timeout)?;
    if !(a.wait.is_finite() && a.wait >= 0.0) {
        return Err(CliError::Usage(format!("--wait {} is not a number of seconds", a.wait)));
    }
    if a.repeat == 0 {
        return Err(CliError::Usage("--repeat must be at least 1".into()));
    }
    let (dir, scratch) = match &a.keep {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(PathIoError::at(d, "create the folder"))?;
            (d.clone(), None)
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix("heapsift-hunt-")
                .tempdir()
                .map_err(PathIoError::at(&std::env::temp_dir(), "make a scratch folder in it"))?;
            signals::scratch(t.path().to_path_buf());
            (t.path().to_path_buf(), Some(t))
        }
    };
    let plan = Hunt {
        connect,
        action: a.action.clone(),
        repeat: a.repeat,
        warmup: a.warmup,
        wait: Duration::from_secs_f64(a.wait),
        dir,
        track_allocations: a.track_allocations,
    };
    let progress = Progress::new();
    signals::trap_interrupts(&progress);
    let bar = ProgressBar::start(&progress, g.quiet);
    let result = capture::hunt(&plan, &opts, &progress, &|line| {
        if !g.quiet {
            bar.println(&format!("heapsift: {line}"));
        }
    });
    bar.finish();
    let paths = result?;
    signals::analysing();
    if scratch.is_some() {
        // Indexes of snapshots about to be deleted would only fill the cache.
        engine::use_cache(engine::CachePolicy::Off);
    }
    let gate = a
        .output
        .run("hunt", [&paths[0], &paths[1], &paths[2]], Some(a.repeat), g);
    drop(scratch);
    gate
}
