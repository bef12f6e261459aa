//! `heapsift capture`: a heap snapshot of a running Node process or Chromium page, after a
//! forced garbage collection.

use std::path::PathBuf;
use std::time::Duration;

use super::output::line;
use super::progress_bar::ProgressBar;
use super::{CliError, CliResult, Global, signals};
use crate::capture::{Connect, Connection, Options};
use crate::progress::Progress;

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("how").required(true).args(["inspect", "pid"])))]
pub struct Args {
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
    /// Record every allocation's stack for SECS seconds (10 if not given; Ctrl+C ends it early),
    /// then take the snapshot that ends the recording: `heapsift allocations` and `object` then
    /// show what made each object. The target runs slower while recording.
    #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "10")]
    track_allocations: Option<f64>,
    /// Instead of a snapshot, record a sampling heap profile for SECS seconds (Ctrl+C ends it
    /// early) into OUT (name it .heapprofile; `heapsift profile` reads it). Cheap enough for
    /// production: about one allocation per --sampling-interval bytes is recorded.
    #[arg(long, value_name = "SECS", conflicts_with_all = ["track_allocations", "no_gc"])]
    sampling: Option<f64>,
    /// With --sampling: the mean bytes between samples (DevTools' default; `node --heap-prof`
    /// uses 524288).
    #[arg(long, value_name = "BYTES", default_value_t = 32768, requires = "sampling")]
    sampling_interval: u32,
    /// Where to write the snapshot: a new file, written atomically once complete (an existing
    /// file is refused, as every output is).
    #[arg(long, short, value_name = "OUT.heapsnapshot")]
    out: PathBuf,
    /// Connect to a host other than this machine. An inspector port runs any code it is sent.
    #[arg(long)]
    allow_remote: bool,
    /// Give up when the process says nothing for this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    timeout: f64,
}

/// Where to connect, from the command line's `--inspect`, `--pid` and `--exec`.
pub(super) fn connect_from(
    inspect: Option<&str>,
    pid: Option<u32>,
    exec: Option<&str>,
    target: Option<&str>,
) -> CliResult<Connect> {
    let connect = Connect::one_of(inspect, pid, exec, target)
        .ok_or_else(|| CliError::Usage("give one of --inspect HOST:PORT, --pid PID or --exec COMMAND".into()))?;
    Ok(connect?)
}

/// The connection's options from `--allow-remote` and `--timeout`.
pub(super) fn options(allow_remote: bool, timeout: f64) -> CliResult<Options> {
    if !(timeout.is_finite() && timeout > 0.0) {
        return Err(CliError::Usage(format!(
            "--timeout {timeout} is not a positive number of seconds"
        )));
    }
    Ok(Options {
        allow_remote,
        timeout: Duration::from_secs_f64(timeout),
        ..Options::default()
    })
}

pub(super) fn run(a: &Args, g: &Global) -> CliResult {
    let connect = connect_from(a.inspect.as_deref(), a.pid, None, a.target.as_deref())?;
    let opts = options(a.allow_remote, a.timeout)?;
    if a.out.is_dir() {
        return Err(CliError::Refused {
            path: a.out.clone(),
            why: "is a folder; give a file name",
        });
    }
    // Like every other output: an existing file is never replaced (checked before connecting,
    // so nothing is captured in vain).
    if a.out.exists() {
        return Err(CliError::exists(&a.out));
    }
    for (flag, secs) in [("--track-allocations", a.track_allocations), ("--sampling", a.sampling)] {
        if let Some(secs) = secs
            && !(secs.is_finite() && secs >= 0.0)
        {
            return Err(CliError::Usage(format!("{flag} {secs} is not a number of seconds")));
        }
    }
    if a.sampling_interval == 0 {
        return Err(CliError::Usage("--sampling-interval must be at least 1 byte".into()));
    }
    let progress = Progress::new();
    let bar = ProgressBar::start(&progress, g.quiet);
    if let Some(secs) = a.sampling {
        let result = Connection::open(&connect, &opts, &progress).and_then(|mut c| {
            c.session.start_sampling(a.sampling_interval, &progress)?;
            if !g.quiet {
                bar.println(&format!(
                    "heapsift: sampling allocations for {secs} s (Ctrl+C ends it early and saves the profile)"
                ));
            }
            let start = std::time::Instant::now();
            signals::wait_interruptible(Duration::from_secs_f64(secs));
            signals::trap_interrupts(&progress);
            let n = c.session.stop_sampling(&a.out, &progress)?;
            Ok((n, start.elapsed().as_secs_f64()))
        });
        bar.finish();
        let (n, seconds) = result?;
        line(format!(
            "{}: sampling heap profile of {:.1} s, {} (heapsift profile reads it)",
            a.out.display(),
            seconds,
            crate::text::bytes(n as f64)
        ));
        return Ok(());
    }
    let result = Connection::open(&connect, &opts, &progress).and_then(|mut c| match a.track_allocations {
        None => {
            signals::trap_interrupts(&progress);
            c.session.gc_and_snapshot(&a.out, !a.no_gc, &progress)
        }
        Some(secs) => {
            c.session.start_tracking(&progress)?;
            if !g.quiet {
                bar.println(&format!(
                    "heapsift: recording allocation stacks for {secs} s (Ctrl+C ends it early and snapshots)"
                ));
            }
            signals::wait_interruptible(Duration::from_secs_f64(secs));
            signals::trap_interrupts(&progress);
            c.session.gc_and_stop_tracking(&a.out, !a.no_gc, &progress)
        }
    });
    bar.finish();
    let c = result?;
    if let Connect::Pid(pid) = &connect
        && !g.quiet
    {
        eprintln!(
            "heapsift: process {pid}'s inspector stays open on 127.0.0.1 until it exits: any local user can connect to it"
        );
    }
    line(format!(
        "{}: {} captured in {:.1} s",
        c.path.display(),
        crate::text::bytes(c.bytes as f64),
        c.seconds
    ));
    Ok(())
}
