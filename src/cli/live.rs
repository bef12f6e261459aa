//! `heapsift capture` and `heapsift hunt`: snapshots of running processes, and the
//! three-snapshot method as one command for CI.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::output::record;
use super::progress_bar::ProgressBar;
use super::{CliError, CliResult};
use crate::capture::{self, Connect, Connection, Endpoint, Hunt, Options};
use crate::error::PathIoError;
use crate::progress::Progress;

/// Exit code after Ctrl+C (128 + SIGINT), as shells expect.
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// Where to connect, from the command line's `--inspect`, `--pid` and `--exec`.
pub(crate) fn connect_from(
    inspect: Option<&str>,
    pid: Option<u32>,
    exec: Option<&str>,
    target: Option<&str>,
) -> CliResult<Connect> {
    match (inspect, pid, exec) {
        (Some(addr), None, None) => Ok(Connect::Inspect(Endpoint::parse(addr)?, target.map(str::to_owned))),
        (None, Some(pid), None) => Ok(Connect::Pid(pid)),
        (None, None, Some(cmd)) if !cmd.trim().is_empty() => Ok(Connect::Exec(cmd.to_owned())),
        _ => Err(CliError::Usage(
            "give one of --inspect HOST:PORT, --pid PID or --exec COMMAND".into(),
        )),
    }
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Set once the captures are done: an interrupt then ends the process at once (after removing
/// `SCRATCH`), since the analysis that follows has nothing to clean up but that folder.
static ANALYSING: AtomicBool = AtomicBool::new(false);
static SCRATCH: Mutex<Option<PathBuf>> = Mutex::new(None);

#[cfg(unix)]
extern "C" fn on_signal(sig: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
    // A second Ctrl+C ends heapsift at once, whatever it is waiting for.
    // SAFETY: signal(2) is async-signal-safe.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
    }
}

/// Turns Ctrl+C, SIGTERM and SIGHUP into `progress.cancel()`, so that everything heapsift started is
/// stopped and no partial file is left.
fn trap_interrupts(progress: &Progress) {
    #[cfg(unix)]
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
        // A closed terminal: the command heapsift started is in its own group and would not hear it.
        libc::signal(libc::SIGHUP, handler);
    }
    let progress = progress.clone();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(50));
            if INTERRUPTED.load(Ordering::SeqCst) {
                progress.cancel();
                if ANALYSING.load(Ordering::SeqCst) {
                    if let Some(dir) = SCRATCH.lock().unwrap_or_else(|e| e.into_inner()).take() {
                        let _ = std::fs::remove_dir_all(dir);
                    }
                    eprintln!("heapsift: interrupted");
                    std::process::exit(i32::from(EXIT_INTERRUPTED));
                }
                return;
            }
        }
    });
}

fn options(allow_remote: bool, timeout: f64) -> CliResult<Options> {
    if !(timeout.is_finite() && timeout > 0.0) {
        return Err(CliError::Usage(format!(
            "--timeout {timeout} is not a positive number of seconds"
        )));
    }
    Ok(Options {
        allow_remote,
        timeout: Duration::from_secs_f64(timeout),
    })
}

pub(crate) struct CaptureArgs<'a> {
    pub connect: Connect,
    pub out: &'a Path,
    pub gc: bool,
    pub(crate) allow_remote: bool,
    pub timeout: f64,
    pub quiet: bool,
}

pub fn capture(a: CaptureArgs) -> CliResult<()> {
    let opts = options(a.allow_remote, a.timeout)?;
    if a.out.is_dir() {
        return Err(CliError::Refused {
            path: a.out.to_path_buf(),
            why: "is a folder; give a file name",
        });
    }
    let progress = Progress::new();
    trap_interrupts(&progress);
    let bar = ProgressBar::start(&progress, a.quiet);
    let result = Connection::open(&a.connect, &opts, &progress)
        .and_then(|mut c| c.session.gc_and_snapshot(a.out, a.gc, &progress));
    bar.finish();
    let c = result?;
    if let Connect::Pid(pid) = &a.connect
        && !a.quiet
    {
        eprintln!(
            "heapsift: process {pid}'s inspector stays open on 127.0.0.1 until it exits: any local user can connect to it"
        );
    }
    record(writeln!(
        std::io::stdout(),
        "{}: {} captured in {:.1} s",
        c.path.display(),
        crate::text::bytes(c.bytes as f64),
        c.seconds
    ));
    Ok(())
}

pub(crate) struct HuntArgs<'a> {
    pub connect: Connect,
    pub action: &'a str,
    pub repeat: usize,
    pub warmup: usize,
    pub wait: f64,
    pub keep: Option<&'a Path>,
    pub(crate) allow_remote: bool,
    pub timeout: f64,
    pub quiet: bool,
}

/// Captures the three snapshots; returns their paths and the scratch folder holding them
/// (removed when dropped) unless they are kept.
pub fn hunt(a: HuntArgs) -> CliResult<([PathBuf; 3], Option<tempfile::TempDir>)> {
    let opts = options(a.allow_remote, a.timeout)?;
    if !(a.wait.is_finite() && a.wait >= 0.0) {
        return Err(CliError::Usage(format!("--wait {} is not a number of seconds", a.wait)));
    }
    if a.repeat == 0 {
        return Err(CliError::Usage("--repeat must be at least 1".into()));
    }
    let (dir, scratch) = match a.keep {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(PathIoError::at(d, "create the folder"))?;
            (d.to_path_buf(), None)
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix("heapsift-hunt-")
                .tempdir()
                .map_err(PathIoError::at(&std::env::temp_dir(), "make a scratch folder in it"))?;
            *SCRATCH.lock().unwrap_or_else(|e| e.into_inner()) = Some(t.path().to_path_buf());
            (t.path().to_path_buf(), Some(t))
        }
    };
    let plan = Hunt {
        connect: a.connect,
        action: a.action.to_owned(),
        repeat: a.repeat,
        warmup: a.warmup,
        wait: Duration::from_secs_f64(a.wait),
        dir,
    };
    let progress = Progress::new();
    trap_interrupts(&progress);
    let bar = ProgressBar::start(&progress, a.quiet);
    let quiet = a.quiet;
    let result = capture::hunt(&plan, &opts, &progress, &|line| {
        if !quiet {
            bar.println(&format!("heapsift: {line}"));
        }
    });
    bar.finish();
    let paths = result?;
    ANALYSING.store(true, Ordering::SeqCst);
    Ok((paths, scratch))
}
