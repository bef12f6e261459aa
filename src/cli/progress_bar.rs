//! A one-line progress bar on stderr (indicatif's), fed from the engine's `Progress`: the
//! phase, its bar and percentage, and the time since the load began. Drawn only when stderr is
//! a terminal, and only for loads that take longer than a moment; never wider than 79 columns.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::progress::{Progress, ProgressView};

/// Bar positions per phase (the engine reports fractions).
const STEPS: u64 = 1000;
/// `{msg:34!}`: the phase, cut at 34 columns. Then the bar, the percentage and the time: 73
/// columns in all.
const TEMPLATE: &str = "{msg:34!} [{bar:24}] {percent:>3}% {time:>6}";

/// `9.9s`, `1m05s`, `2h03m`: the time since the load began.
fn time_text(elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    if secs < 60 {
        format!("{:.1}s", elapsed.as_secs_f32())
    } else if secs < 3600 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h{:02}m", secs / 3600, secs % 3600 / 60)
    }
}

/// An indicatif bar drawing to `target`, and the elapsed time its `{time}` shows (the
/// engine's, in milliseconds: a load's phases share one clock).
fn bar(target: indicatif::ProgressDrawTarget) -> (indicatif::ProgressBar, Arc<AtomicU64>) {
    let elapsed = Arc::new(AtomicU64::new(0));
    let shown = elapsed.clone();
    let style = indicatif::ProgressStyle::with_template(TEMPLATE)
        .expect("a valid template")
        .progress_chars("## ")
        .with_key(
            "time",
            move |_: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&time_text(Duration::from_millis(shown.load(Ordering::Relaxed))));
            },
        );
    (
        indicatif::ProgressBar::with_draw_target(Some(STEPS), target).with_style(style),
        elapsed,
    )
}

/// Shows a progress view on the bar.
fn show(pb: &indicatif::ProgressBar, elapsed: &AtomicU64, v: &ProgressView) {
    elapsed.store(v.elapsed.as_millis() as u64, Ordering::Relaxed);
    pb.set_message(v.phase.label());
    pb.set_position((v.fraction.clamp(0.0, 1.0) * STEPS as f32) as u64);
}

pub(crate) struct ProgressBar {
    stop: Arc<AtomicBool>,
    /// Set once the bar is on screen, so lines above it go through it.
    shown: Arc<std::sync::OnceLock<indicatif::ProgressBar>>,
    handle: Option<JoinHandle<()>>,
}

impl ProgressBar {
    pub fn start(progress: &Progress, quiet: bool) -> ProgressBar {
        let stop = Arc::new(AtomicBool::new(false));
        let shown: Arc<std::sync::OnceLock<indicatif::ProgressBar>> = Arc::default();
        let handle = if quiet || !std::io::stderr().is_terminal() {
            None
        } else {
            let (p, s, on_screen) = (progress.clone(), stop.clone(), shown.clone());
            std::thread::Builder::new()
                .name("progress bar".into())
                .spawn(move || {
                    // Short loads finish before the first frame and draw nothing.
                    std::thread::sleep(Duration::from_millis(300));
                    if s.load(Ordering::Relaxed) {
                        return;
                    }
                    let (pb, elapsed) = bar(indicatif::ProgressDrawTarget::stderr());
                    let pb = on_screen.get_or_init(|| pb);
                    while !s.load(Ordering::Relaxed) {
                        show(pb, &elapsed, &p.view());
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    pb.finish_and_clear();
                })
                .ok()
        };
        ProgressBar { stop, shown, handle }
    }

    /// A line of its own above the bar.
    pub fn println(&self, text: &str) {
        match self.shown.get() {
            Some(pb) => pb.suspend(|| eprintln!("{text}")),
            None => eprintln!("{text}"),
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
        // Wider than the bar can be, so that indicatif does not cut it to the terminal.
        let term = indicatif::InMemoryTerm::new(4, 200);
        let (pb, elapsed) = bar(indicatif::ProgressDrawTarget::term_like(Box::new(term.clone())));
        for phase in Phase::ALL {
            for secs in [0.0, 9.9, 10.0, 59.9, 61.0, 3599.0, 3600.0, 360_000.0] {
                for fraction in [0.0, 0.5, 1.0, 1.5] {
                    let v = ProgressView {
                        phase,
                        fraction,
                        elapsed: Duration::from_secs_f64(secs),
                        overall: fraction,
                    };
                    show(&pb, &elapsed, &v);
                    pb.tick();
                    let text = term.contents();
                    assert!(
                        text.starts_with(&phase.label().chars().take(20).collect::<String>()),
                        "{text:?}"
                    );
                    assert!(text.chars().count() <= 79, "{} columns: {text:?}", text.chars().count());
                    assert!(text.ends_with(&time_text(v.elapsed)), "{text:?}");
                }
            }
        }
    }
}
