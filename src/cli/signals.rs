//! Ctrl+C, SIGTERM and SIGHUP during a capture: they cancel it, so that everything heapsift
//! started is stopped and no partial file is left; a second Ctrl+C ends heapsift at once.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::EXIT_INTERRUPTED;
use crate::progress::Progress;

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

/// Routes Ctrl+C, SIGTERM and SIGHUP to `on_signal`.
fn install() {
    #[cfg(unix)]
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
        // A closed terminal: the command heapsift started is in its own group and would not hear it.
        libc::signal(libc::SIGHUP, handler);
    }
}

/// Turns Ctrl+C, SIGTERM and SIGHUP into `progress.cancel()`.
pub(super) fn trap_interrupts(progress: &Progress) {
    install();
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

/// The scratch folder an interrupt during the analysis removes.
pub(super) fn scratch(dir: PathBuf) {
    *SCRATCH.lock().unwrap_or_else(|e| e.into_inner()) = Some(dir);
}

/// The captures are done: from now on an interrupt ends the process at once.
pub(super) fn analysing() {
    ANALYSING.store(true, Ordering::SeqCst);
}

/// Waits up to `limit`, or until the first Ctrl+C (or SIGTERM, SIGHUP), which ends only the wait:
/// a recording the user stops early is still saved.
pub(super) fn wait_interruptible(limit: Duration) {
    install();
    let until = std::time::Instant::now() + limit;
    while std::time::Instant::now() < until {
        if INTERRUPTED.swap(false, Ordering::SeqCst) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
