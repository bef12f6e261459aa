//! Progress reporting and cancellation shared by every long-running phase.
//!
//! A [`Progress`] handle is cheap to clone; the worker side calls [`Progress::begin`] and
//! [`Progress::advance`], the observer (CLI progress bar, app progress card) reads
//! [`Progress::view`] and may call [`Progress::cancel`] at any time.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Called when background work has something new (the app passes "request a repaint"): a plain
/// callback, so nothing below the UI knows about egui.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// The phases of loading and indexing a snapshot, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Queued behind another snapshot's load (the app loads one at a time).
    Waiting,
    Reading,
    Nodes,
    Edges,
    Strings,
    Locations,
    Validating,
    DomState,
    Flags,
    EssentialEdges,
    Retainers,
    ShallowSizes,
    Distances,
    ClassNames,
    Dominators,
    RetainedSizes,
    Aggregates,
    /// Opening a saved index: checksums and bounds (a load of its own, not part of the others).
    ReadingIndex,
    /// Live capture (a job of its own): a forced garbage collection in the target.
    CollectGarbage,
    /// Live capture: the target walks its heap and streams the snapshot.
    Snapshot,
    /// Live capture: running the user's action between snapshots.
    Action,
    Done,
}

impl Phase {
    pub const ALL: [Phase; 22] = [
        Phase::Waiting,
        Phase::Reading,
        Phase::Nodes,
        Phase::Edges,
        Phase::Strings,
        Phase::Locations,
        Phase::Validating,
        Phase::DomState,
        Phase::Flags,
        Phase::EssentialEdges,
        Phase::Retainers,
        Phase::ShallowSizes,
        Phase::Distances,
        Phase::ClassNames,
        Phase::Dominators,
        Phase::RetainedSizes,
        Phase::Aggregates,
        Phase::ReadingIndex,
        Phase::CollectGarbage,
        Phase::Snapshot,
        Phase::Action,
        Phase::Done,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Phase::Waiting => "Waiting for another snapshot",
            Phase::Reading => "Reading header",
            Phase::Nodes => "Parsing nodes",
            Phase::Edges => "Parsing edges",
            Phase::Strings => "Parsing strings",
            Phase::Locations => "Parsing locations",
            Phase::Validating => "Validating graph",
            Phase::DomState => "Propagating DOM state",
            Phase::Flags => "Calculating node flags",
            Phase::EssentialEdges => "Marking essential edges",
            Phase::Retainers => "Building retainers",
            Phase::ShallowSizes => "Calculating shallow sizes",
            Phase::Distances => "Calculating distances",
            Phase::ClassNames => "Calculating class names",
            Phase::Dominators => "Building dominator tree",
            Phase::RetainedSizes => "Calculating retained sizes",
            Phase::Aggregates => "Class sizes",
            Phase::ReadingIndex => "Checking the saved index",
            Phase::CollectGarbage => "Collecting garbage",
            Phase::Snapshot => "Taking the heap snapshot",
            Phase::Action => "Running the action",
            Phase::Done => "Done",
        }
    }

    /// The phase's typical share of a whole load, from `heapsift bench` on a 1.6 GB snapshot
    /// (17 M nodes); only the ratios matter.
    fn weight(self) -> f32 {
        match self {
            Phase::Waiting => 0.0,
            Phase::Reading => 0.07,
            Phase::Strings => 0.31,
            Phase::Locations => 0.05,
            Phase::Nodes => 0.71,
            Phase::Edges => 1.75,
            Phase::Validating => 0.03,
            Phase::DomState => 0.01,
            Phase::Flags => 0.19,
            Phase::EssentialEdges => 0.16,
            Phase::ShallowSizes => 0.33,
            Phase::Retainers => 0.69,
            Phase::Dominators => 1.63,
            Phase::RetainedSizes => 0.09,
            Phase::Aggregates => 0.35,
            // Class names and distances run beside the dominator tree, silently: their time is
            // inside its share.
            Phase::ClassNames | Phase::Distances => 0.0,
            Phase::ReadingIndex | Phase::CollectGarbage | Phase::Snapshot | Phase::Action => 0.0,
            Phase::Done => 0.0,
        }
    }

    fn index(self) -> usize {
        Phase::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// Returned by a phase that noticed the cancel flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

#[derive(Default)]
struct Inner {
    phase: AtomicUsize,
    done: AtomicU64,
    total: AtomicU64,
    cancel: Arc<AtomicBool>,
    clock: Mutex<Clock>,
}

#[derive(Default)]
struct Clock {
    start: Option<Instant>,
    phase_start: Option<Instant>,
    timings: Vec<(Phase, Duration)>,
    /// Phases that ran beside the others (on another core), with their own time.
    beside: Vec<(Phase, Duration)>,
}

#[derive(Clone, Default)]
pub struct Progress {
    inner: Arc<Inner>,
}

/// What an observer sees at one instant.
#[derive(Debug, Clone, Copy)]
pub struct ProgressView {
    pub phase: Phase,
    /// Fraction of the current phase done, 0..=1.
    pub(crate) fraction: f32,
    pub elapsed: Duration,
    /// Fraction of the whole load done, 0..=1: finished phases and the current one, each
    /// weighted by its typical share of the time.
    pub(crate) overall: f32,
}

impl ProgressView {
    /// Time left, once enough is done for an estimate to mean something.
    pub(crate) fn remaining(&self) -> Option<Duration> {
        let f = self.overall as f64;
        let elapsed = self.elapsed.as_secs_f64();
        ((0.05..1.0).contains(&f) && elapsed >= 1.0).then(|| Duration::from_secs_f64(elapsed * (1.0 - f) / f))
    }
}

impl Progress {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a phase of `total` work units; closes the timing of the previous phase.
    pub(crate) fn begin(&self, phase: Phase, total: u64) {
        let now = Instant::now();
        {
            let mut clock = self.inner.clock.lock().unwrap_or_else(|e| e.into_inner());
            clock.start.get_or_insert(now);
            if let Some(start) = clock.phase_start {
                let prev = Phase::ALL[self.inner.phase.load(Ordering::Relaxed)];
                clock.timings.push((prev, now - start));
            }
            clock.phase_start = Some(now);
        }
        self.inner.total.store(total.max(1), Ordering::Relaxed);
        self.inner.done.store(0, Ordering::Relaxed);
        self.inner.phase.store(phase.index(), Ordering::Relaxed);
    }

    /// Changes the current phase's amount of work (when only the worker learns it as it goes).
    pub(crate) fn set_total(&self, total: u64) {
        self.inner.total.store(total.max(1), Ordering::Relaxed);
    }

    /// Adds `n` units of work done and reports whether the user asked to stop.
    #[inline]
    pub(crate) fn advance(&self, n: u64) -> Result<(), Cancelled> {
        self.inner.done.fetch_add(n, Ordering::Relaxed);
        self.check()
    }

    /// Sets the absolute amount of work done in this phase.
    #[inline]
    pub fn set(&self, done: u64) -> Result<(), Cancelled> {
        self.inner.done.store(done, Ordering::Relaxed);
        self.check()
    }

    #[inline]
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.inner.cancel.load(Ordering::Relaxed) {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// A handle that shares the cancel flag but reports nowhere: for work running alongside
    /// another phase, whose progress stands for both.
    pub fn silent(&self) -> Progress {
        Progress {
            inner: Arc::new(Inner {
                cancel: self.inner.cancel.clone(),
                ..Inner::default()
            }),
        }
    }

    /// Runs `work` as `phase` beside the phases this progress reports (on another core): it
    /// shares the cancel flag, reports nowhere, and its own time is kept apart for `heapsift
    /// bench`.
    pub(crate) fn beside<T>(&self, phase: Phase, work: impl FnOnce(&Progress) -> T) -> T {
        let start = Instant::now();
        let out = work(&self.silent());
        let took = start.elapsed();
        self.inner
            .clock
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .beside
            .push((phase, took));
        out
    }

    /// The phases that ran beside the others, and how long each took.
    pub(crate) fn beside_timings(&self) -> Vec<(Phase, Duration)> {
        self.inner
            .clock
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .beside
            .clone()
    }

    pub fn cancel(&self) {
        self.inner.cancel.store(true, Ordering::Relaxed);
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.inner.cancel.load(Ordering::Relaxed)
    }

    pub fn view(&self) -> ProgressView {
        let total = self.inner.total.load(Ordering::Relaxed).max(1);
        let done = self.inner.done.load(Ordering::Relaxed).min(total);
        let clock = self.inner.clock.lock().unwrap_or_else(|e| e.into_inner());
        let phase = Phase::ALL[self.inner.phase.load(Ordering::Relaxed)];
        let fraction = done as f32 / total as f32;
        let all: f32 = Phase::ALL.iter().map(|p| p.weight()).sum();
        // A phase may run more than once (several inputs); count each kind once.
        let mut finished = [false; Phase::ALL.len()];
        for (p, _) in &clock.timings {
            finished[p.index()] = true;
        }
        finished[phase.index()] = false;
        let before: f32 = Phase::ALL
            .iter()
            .filter(|p| finished[p.index()])
            .map(|p| p.weight())
            .sum();
        let overall = if phase == Phase::Done {
            1.0
        } else if phase.weight() == 0.0 {
            fraction
        } else {
            ((before + phase.weight() * fraction) / all).clamp(0.0, 1.0)
        };
        ProgressView {
            phase,
            fraction,
            elapsed: clock.start.map(|s| s.elapsed()).unwrap_or_default(),
            overall,
        }
    }

    /// Ends timing and returns how long each phase took, in order.
    pub(crate) fn finish(&self) -> Vec<(Phase, Duration)> {
        self.begin(Phase::Done, 1);
        self.inner.done.store(1, Ordering::Relaxed);
        let clock = self.inner.clock.lock().unwrap_or_else(|e| e.into_inner());
        clock.timings.clone()
    }
}

/// Calls `progress.set(i)` every `1 << shift` iterations; keeps hot loops cheap.
#[inline]
pub(crate) fn tick(progress: &Progress, i: usize, shift: u32) -> Result<(), Cancelled> {
    if i & ((1 << shift) - 1) == 0 {
        progress.set(i as u64)
    } else {
        Ok(())
    }
}
