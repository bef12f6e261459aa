//! A live connection for the app: one thread owns the session, samples the heap's size once a
//! second, and runs garbage collections and snapshots on request. The UI reads a small shared
//! state each frame and never waits on the connection.

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{CaptureError, Connect, Connection, Options, unused_path};
use crate::progress::{Progress, Waker};

/// One heap-size reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Seconds since the connection opened.
    pub t: f64,
    pub used: f64,
    pub total: f64,
}

/// What the connection did, for the UI to act on (each is seen once).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Captured {
        tag: u64,
        path: PathBuf,
        bytes: u64,
    },
    /// A snapshot (by its tag) or a collection (tag 0) failed or was cancelled.
    Failed {
        tag: u64,
        message: String,
    },
    Collected,
    /// Allocation stacks are being recorded from now on.
    Tracking,
    /// Allocations are being sampled from now on.
    Sampling,
}

/// What a command did.
enum Done {
    Captured(super::Captured),
    Collected,
    Tracking,
    Sampling,
}

/// The mean bytes between samples of the live panel's allocation sampling (DevTools' default).
const SAMPLING_INTERVAL: u32 = 32768;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Connecting,
    Connected,
    /// The connection ended (the process exited, or it failed); the message says why.
    Closed(String),
}

/// What the UI sees.
pub struct Shared {
    pub status: Status,
    /// Names the process and the endpoint, once connected.
    pub label: String,
    pub samples: Vec<Sample>,
    /// The snapshot or collection under way: what it is, and its progress (cancellable).
    pub(crate) job: Option<(String, Progress)>,
    pub(crate) events: Vec<Event>,
    /// Allocation stacks are being recorded: since when (seconds since the connection opened).
    pub tracking_since: Option<f64>,
    /// Allocation sampling is on: since when.
    pub sampling_since: Option<f64>,
}

enum Command {
    CollectGarbage,
    Snapshot {
        tag: u64,
        dir: PathBuf,
        gc: bool,
    },
    StartTracking,
    /// Stops recording; V8 sends a snapshot as it stops, saved into `dir`.
    StopTracking {
        tag: u64,
        dir: PathBuf,
    },
    StartSampling,
    /// Stops allocation sampling and saves the profile into `dir`.
    StopSampling {
        tag: u64,
        dir: PathBuf,
    },
}

/// At one sample a second, a day of history; older samples are thinned, not dropped.
const MAX_SAMPLES: usize = 86_400;

pub struct Monitor {
    tx: Sender<Command>,
    /// Set by the thread as it ends (after its clean-up: temporary files, processes).
    finished: Arc<std::sync::atomic::AtomicBool>,
    shared: Arc<Mutex<Shared>>,
    next_tag: u64,
    /// Tells the thread to stop (dropping `tx` alone would wait out a sample).
    stop: Progress,
}

impl Monitor {
    /// Starts connecting in the background; `waker` is called whenever the state changes.
    pub fn connect(how: Connect, opts: Options, waker: Waker) -> Monitor {
        let (tx, rx) = mpsc::channel::<Command>();
        let shared = Arc::new(Mutex::new(Shared {
            status: Status::Connecting,
            label: describe(&how),
            samples: Vec::new(),
            job: None,
            events: Vec::new(),
            tracking_since: None,
            sampling_since: None,
        }));
        let stop = Progress::new();
        let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (sh, st, done) = (shared.clone(), stop.clone(), finished.clone());
        let spawned = std::thread::Builder::new()
            .name("live connection".into())
            .spawn(move || {
                let lock = || sh.lock().unwrap_or_else(|e| e.into_inner());
                struct Finished(Arc<std::sync::atomic::AtomicBool>);
                impl Drop for Finished {
                    fn drop(&mut self) {
                        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
                    }
                }
                let _finished = Finished(done);
                let mut conn = match Connection::open(&how, &opts, &st) {
                    Ok(c) => c,
                    Err(e) => {
                        lock().status = Status::Closed(e.to_string());
                        waker();
                        return;
                    }
                };
                {
                    let mut s = lock();
                    s.status = Status::Connected;
                    let t = &conn.session.target;
                    s.label = match [&t.title, &t.url].into_iter().find(|x| !x.is_empty()) {
                        Some(what) => format!("{} · {what}", conn.session.label),
                        None => conn.session.label.clone(),
                    };
                }
                waker();
                let start = Instant::now();
                let mut next_sample = Instant::now();
                let closed = loop {
                    if st.is_cancelled() {
                        break None;
                    }
                    if Instant::now() >= next_sample {
                        next_sample = Instant::now() + Duration::from_secs(1);
                        match conn.session.heap_usage(&st) {
                            Ok(u) => {
                                let mut s = lock();
                                s.samples.push(Sample {
                                    t: start.elapsed().as_secs_f64(),
                                    used: u.used,
                                    total: u.total,
                                });
                                if s.samples.len() > MAX_SAMPLES {
                                    thin(&mut s.samples);
                                }
                            }
                            Err(CaptureError::Cancelled) => break None,
                            Err(e) => break Some(e),
                        }
                        waker();
                    }
                    let wait = next_sample.saturating_duration_since(Instant::now());
                    let cmd = match rx.recv_timeout(wait.min(Duration::from_millis(200))) {
                        Ok(c) => c,
                        Err(RecvTimeoutError::Timeout) => continue,
                        Err(RecvTimeoutError::Disconnected) => break None,
                    };
                    let progress = Progress::new();
                    let what = match &cmd {
                        Command::CollectGarbage => "Collecting garbage".to_owned(),
                        Command::Snapshot { .. } => "Taking a heap snapshot".to_owned(),
                        Command::StartTracking => "Starting to record allocation stacks".to_owned(),
                        Command::StopTracking { .. } => "Stopping the recording and taking its snapshot".to_owned(),
                        Command::StartSampling => "Starting allocation sampling".to_owned(),
                        Command::StopSampling { .. } => "Stopping allocation sampling".to_owned(),
                    };
                    lock().job = Some((what, progress.clone()));
                    waker();
                    let make_dir = |dir: &PathBuf| {
                        std::fs::create_dir_all(dir)
                            .map_err(|e| CaptureError::new(format!("{}: cannot create the folder: {e}", dir.display())))
                    };
                    let (tag, result) = match cmd {
                        Command::CollectGarbage => {
                            (0, conn.session.collect_garbage(&progress).map(|()| Done::Collected))
                        }
                        Command::Snapshot { tag, dir, gc } => {
                            let path = unused_path(&dir, "heap");
                            let r = make_dir(&dir).and_then(|()| conn.session.gc_and_snapshot(&path, gc, &progress));
                            (tag, r.map(Done::Captured))
                        }
                        Command::StartTracking => {
                            let r = conn.session.start_tracking(&progress);
                            if r.is_ok() {
                                lock().tracking_since = Some(start.elapsed().as_secs_f64());
                            }
                            (0, r.map(|()| Done::Tracking))
                        }
                        Command::StartSampling => {
                            let r = conn.session.start_sampling(SAMPLING_INTERVAL, &progress);
                            if r.is_ok() {
                                lock().sampling_since = Some(start.elapsed().as_secs_f64());
                            }
                            (0, r.map(|()| Done::Sampling))
                        }
                        Command::StopSampling { tag, dir } => {
                            let path = unused_path(&dir, "heap").with_extension("heapprofile");
                            let r = make_dir(&dir).and_then(|()| conn.session.stop_sampling(&path, &progress));
                            lock().sampling_since = None;
                            let done = |n| {
                                Done::Captured(super::Captured {
                                    path: path.clone(),
                                    bytes: n,
                                    seconds: 0.0,
                                })
                            };
                            (tag, r.map(done))
                        }
                        Command::StopTracking { tag, dir } => {
                            let path = unused_path(&dir, "heap-tracked");
                            let r =
                                make_dir(&dir).and_then(|()| conn.session.gc_and_stop_tracking(&path, true, &progress));
                            lock().tracking_since = None;
                            (tag, r.map(Done::Captured))
                        }
                    };
                    let mut s = lock();
                    s.job = None;
                    match result {
                        Ok(Done::Captured(c)) => s.events.push(Event::Captured {
                            tag,
                            path: c.path,
                            bytes: c.bytes,
                        }),
                        Ok(Done::Collected) => s.events.push(Event::Collected),
                        Ok(Done::Tracking) => s.events.push(Event::Tracking),
                        Ok(Done::Sampling) => s.events.push(Event::Sampling),
                        Err(e) => {
                            s.events.push(Event::Failed {
                                tag,
                                message: e.to_string(),
                            });
                            if matches!(e, CaptureError::Closed(_)) {
                                drop(s);
                                break Some(e);
                            }
                        }
                    }
                    drop(s);
                    waker();
                };
                // Stops a process heapsift started, closes the WebSocket.
                drop(conn);
                let mut s = lock();
                s.job = None;
                s.status = Status::Closed(match closed {
                    Some(e) => e.to_string(),
                    None => "disconnected".into(),
                });
                drop(s);
                waker();
            });
        if let Err(e) = spawned {
            shared.lock().unwrap_or_else(|e| e.into_inner()).status =
                Status::Closed(format!("cannot start the connection thread: {e}"));
            finished.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        Monitor {
            tx,
            finished,
            shared,
            next_tag: 1,
            stop,
        }
    }

    pub fn state(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn is_connected(&self) -> bool {
        self.state().status == Status::Connected
    }

    /// Events since the last call.
    pub(crate) fn take_events(&self) -> Vec<Event> {
        std::mem::take(&mut self.state().events)
    }

    pub(crate) fn collect_garbage(&self) {
        let _ = self.tx.send(Command::CollectGarbage);
    }

    /// Queues a snapshot into `dir` (after a collection when `gc`); its events carry the tag.
    pub fn snapshot(&mut self, dir: PathBuf, gc: bool) -> u64 {
        self.tagged(|tag| Command::Snapshot { tag, dir, gc })
    }

    /// Starts recording allocation stacks (V8 then also collects garbage every 50 ms: the
    /// process runs slower until [`Monitor::stop_tracking`] or the disconnection).
    pub(crate) fn start_tracking(&self) {
        let _ = self.tx.send(Command::StartTracking);
    }

    /// Stops recording; the snapshot V8 sends as it stops goes into `dir`, its events carrying
    /// the tag.
    pub(crate) fn stop_tracking(&mut self, dir: PathBuf) -> u64 {
        self.tagged(|tag| Command::StopTracking { tag, dir })
    }

    pub(crate) fn start_sampling(&self) {
        let _ = self.tx.send(Command::StartSampling);
    }

    /// Stops sampling; the profile goes into `dir`, its events carrying the tag.
    pub(crate) fn stop_sampling(&mut self, dir: PathBuf) -> u64 {
        self.tagged(|tag| Command::StopSampling { tag, dir })
    }

    /// Sends a command that ends in a file, under a new tag its events carry.
    fn tagged(&mut self, command: impl FnOnce(u64) -> Command) -> u64 {
        let tag = self.next_tag;
        self.next_tag += 1;
        let _ = self.tx.send(command(tag));
        tag
    }

    /// Cancels the snapshot under way, if any.
    pub(crate) fn cancel_job(&self) {
        if let Some((_, p)) = &self.state().job {
            p.cancel();
        }
    }

    pub(crate) fn disconnect(&self) {
        self.cancel_job();
        self.stop.cancel();
    }
}

impl Monitor {
    /// Disconnects and waits (at most `limit`) for the thread's clean-up: a cancelled capture
    /// removes its temporary file. For the app's exit, which would otherwise cut it short.
    pub(crate) fn shutdown(self, limit: Duration) {
        self.disconnect();
        let deadline = Instant::now() + limit;
        while !self.finished.load(std::sync::atomic::Ordering::SeqCst) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.disconnect();
    }
}

fn describe(how: &Connect) -> String {
    match how {
        Connect::Inspect(ep, _) => ep.to_string(),
        Connect::Pid(pid) => format!("process {pid}"),
        Connect::Exec(cmd) => format!("'{cmd}'"),
    }
}

/// Halves the history, keeping every other sample (the chart's shape stays).
fn thin(samples: &mut Vec<Sample>) {
    let mut i = 0;
    samples.retain(|_| {
        i += 1;
        i % 2 == 1
    });
}
