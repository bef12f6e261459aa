//! A one-line progress bar on stderr, drawn only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::progress::{Progress, ProgressView};

/// The bar's text: never wider than 79 columns, so it redraws in place on an 80-column
/// terminal however long the phase's name or the load.
fn line(v: &ProgressView) -> String {
    const LABEL: usize = 34;
    const BAR: usize = 24;
    let mut label: String = v.phase.label().chars().take(LABEL).collect();
    if v.phase.label().chars().count() > LABEL {
        label.pop();
        label.push('…');
    }
    let filled = ((v.fraction.clamp(0.0, 1.0) * BAR as f32) as usize).min(BAR);
    let secs = v.elapsed.as_secs();
    let time = if secs < 60 {
        format!("{:.1}s", v.elapsed.as_secs_f32())
    } else if secs < 3600 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h{:02}m", secs / 3600, secs % 3600 / 60)
    };
    format!(
        "{label:<LABEL$} [{}{}] {:>3.0}% {time:>6}",
        "#".repeat(filled),
        " ".repeat(BAR - filled),
        v.fraction.clamp(0.0, 1.0) * 100.0
    )
}

pub(crate) struct ProgressBar {
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
                        eprint!("\r\x1b[2K{}", line(&p.view()));
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

    /// A line of its own above the bar.
    pub fn println(&self, text: &str) {
        if self.handle.is_some() {
            eprint!("\r\x1b[2K{text}\n");
        } else {
            eprintln!("{text}");
        }
    }

    pub(crate) fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Phase;

    #[test]
    fn the_line_fits_80_columns_for_every_phase_and_any_duration() {
        for phase in Phase::ALL {
            for secs in [0.0, 9.9, 10.0, 59.9, 61.0, 3599.0, 3600.0, 360_000.0] {
                for fraction in [0.0, 0.5, 1.0, 1.5] {
                    let v = ProgressView {
                        phase,
                        fraction,
                        elapsed: Duration::from_secs_f64(secs),
                        overall: fraction,
                    };
                    let text = line(&v);
                    assert!(text.chars().count() <= 79, "{} columns: {text:?}", text.chars().count());
                }
            }
        }
    }
}
