//! What `heapsift bench` measures: resident memory (peak, and per phase while a load runs) and
//! phase timings.

use std::sync::Arc;
use std::time::Duration;

use crate::progress::{Phase, Progress};

/// Peak resident memory of this process so far, in bytes (Linux; `None` elsewhere).
pub(crate) fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Phase timings of a finished load, for `heapsift bench`.
pub(crate) fn timings(progress: &Progress) -> Vec<(Phase, Duration)> {
    progress.finish()
}

/// The phases of a finished load that ran beside the others, with their own time.
pub(crate) fn beside_timings(progress: &Progress) -> Vec<(Phase, Duration)> {
    progress.beside_timings()
}

/// Samples resident memory every few milliseconds and keeps the maximum seen in each phase.
pub(crate) struct RssSampler {
    stop: Arc<std::sync::atomic::AtomicBool>,
    handle: Option<std::thread::JoinHandle<Vec<(Phase, u64)>>>,
}

impl RssSampler {
    pub fn start(progress: &Progress) -> RssSampler {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (p, s) = (progress.clone(), stop.clone());
        let handle = std::thread::Builder::new()
            .name("rss sampler".into())
            .spawn(move || {
                let mut max: Vec<(Phase, u64)> = Vec::new();
                while !s.load(std::sync::atomic::Ordering::Relaxed) {
                    if let Some(rss) = current_rss() {
                        let phase = p.view().phase;
                        match max.iter_mut().find(|(ph, _)| *ph == phase) {
                            Some((_, m)) => *m = (*m).max(rss),
                            None => max.push((phase, rss)),
                        }
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                max
            })
            .ok();
        RssSampler { stop, handle }
    }

    pub(crate) fn finish(mut self) -> Vec<(Phase, u64)> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.handle.take().and_then(|h| h.join().ok()).unwrap_or_default()
    }
}

/// Current resident memory in bytes (Linux).
pub(crate) fn current_rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}
