//! A one-line progress bar on stderr, drawn only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::progress::Progress;

pub struct ProgressBar {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl ProgressBar {
    pub fn start(progress: &Progress, quiet: bool) -> ProgressBar {
        let stop = Arc::new(AtomicBool::new(false));
        let handle = if quiet || !std::io::stderr().is_terminal() {
            None
        } else {
            let (p, s) = (progress.clone(), stop.clone());
            std::thread::Builder::new()
                .name("progress bar".into())
                .spawn(move || {
                    // Short loads finish before the first frame and draw nothing.
                    std::thread::sleep(Duration::from_millis(300));
                    while !s.load(Ordering::Relaxed) {
                        let v = p.view();
                        let width = 30;
                        let filled = (v.fraction * width as f32) as usize;
                        eprint!(
                            "\r\x1b[2K{:<36} [{}{}] {:>3.0}%  {:.1}s",
                            v.phase.label(),
                            "#".repeat(filled),
                            " ".repeat(width - filled.min(width)),
                            v.fraction * 100.0,
                            v.elapsed.as_secs_f32()
                        );
                        let _ = std::io::stderr().flush();
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    eprint!("\r\x1b[2K");
                    let _ = std::io::stderr().flush();
                })
                .ok()
        };
        ProgressBar { stop, handle }
    }

    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
