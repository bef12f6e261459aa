//! Taking heap snapshots from running processes through the DevTools protocol: a Node
//! inspector (`node --inspect`) or Chromium's `--remote-debugging-port`.
//!
//! The flow is the one DevTools uses: list targets over HTTP (`/json/list`), open the target's
//! WebSocket, then `HeapProfiler.collectGarbage` and `HeapProfiler.takeHeapSnapshot`, whose
//! `addHeapSnapshotChunk` events are streamed straight into a temporary file beside the
//! destination, renamed into place once the target says the snapshot is complete. A snapshot is
//! never held whole in memory, and a failed or cancelled capture leaves no file behind.

mod http;
pub(crate) mod monitor;
pub(crate) mod process;
use process::Runs;

use std::fmt;
use std::io::{BufWriter, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

use crate::progress::{Phase, Progress};

/// Why a capture failed: one line naming the connection (or process) and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Failed(String),
    /// The connection is gone (the process exited, or the inspector hung up).
    #[error("{0}")]
    Closed(String),
}

impl CaptureError {
    fn new(msg: impl Into<String>) -> Self {
        CaptureError::Failed(msg.into())
    }
}

impl From<crate::progress::Cancelled> for CaptureError {
    fn from(_: crate::progress::Cancelled) -> Self {
        CaptureError::Cancelled
    }
}

pub type Result<T> = std::result::Result<T, CaptureError>;

/// How to reach inspectors.
#[derive(Debug, Clone)]
pub struct Options {
    /// Connect to addresses other than this machine's loopback. An inspector runs any code it
    /// is sent, so this is opt-in.
    pub(crate) allow_remote: bool,
    /// Give up when the other side says nothing for this long.
    pub timeout: Duration,
    /// A process heapsift starts records allocation stacks from its start (Node's
    /// `--track-heap-objects`).
    pub(crate) track_from_start: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            allow_remote: false,
            timeout: Duration::from_secs(60),
            track_from_start: false,
        }
    }
}

/// An inspector's HTTP address: `host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub(crate) host: String,
    pub port: u16,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl Endpoint {
    /// `HOST:PORT`, `[::1]:PORT`, or a bare `PORT` (on 127.0.0.1).
    pub fn parse(s: &str) -> Result<Endpoint> {
        let s = s.trim();
        let bad = || CaptureError::new(format!("{s:?} is not an inspector address: expected HOST:PORT or PORT"));
        let s = s
            .strip_prefix("http://")
            .or_else(|| s.strip_prefix("ws://"))
            .unwrap_or(s);
        let s = s.split('/').next().unwrap_or_default();
        if let Ok(port) = s.parse::<u16>() {
            return Ok(Endpoint {
                host: "127.0.0.1".into(),
                port,
            });
        }
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (h, p) = rest.split_once("]:").ok_or_else(bad)?;
            (h, p)
        } else {
            s.rsplit_once(':').ok_or_else(bad)?
        };
        let port: u16 = port.parse().map_err(|_| bad())?;
        if host.is_empty() || port == 0 {
            return Err(bad());
        }
        Ok(Endpoint {
            host: host.to_owned(),
            port,
        })
    }

    pub(crate) fn local(port: u16) -> Endpoint {
        Endpoint {
            host: "127.0.0.1".into(),
            port,
        }
    }

    /// The endpoint's addresses, refused unless all are loopback (or remote is allowed).
    fn resolve(&self, opts: &Options) -> Result<Vec<SocketAddr>> {
        let addrs: Vec<SocketAddr> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| CaptureError::new(format!("{self}: cannot resolve the host: {e}")))?
            .collect();
        if addrs.is_empty() {
            return Err(CaptureError::new(format!("{self}: the host has no address")));
        }
        if !opts.allow_remote && addrs.iter().any(|a| !a.ip().is_loopback()) {
            return Err(CaptureError::new(format!(
                "{self}: not a loopback address; an inspector port runs any code it is sent, so heapsift \
                 only connects to this machine unless --allow-remote is given"
            )));
        }
        Ok(addrs)
    }
}

/// One debuggable thing behind an inspector: a Node process, a page, a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: String,
    /// `node`, `page`, `iframe`, `worker`, `service_worker`, …
    pub kind: String,
    pub title: String,
    pub url: String,
    /// `None` when another client holds the target's only session.
    pub(crate) ws_url: Option<String>,
}

impl Target {
    /// One line for lists and messages.
    pub(crate) fn describe(&self) -> String {
        let mut s = format!("{} ({}", self.id, self.kind);
        for part in [&self.title, &self.url] {
            if !part.is_empty() {
                s.push_str(", ");
                s.push_str(&crate::text::preview(part, 60));
            }
        }
        s.push(')');
        s
    }
}

/// The inspector's targets, from `/json/list`.
pub(crate) fn list_targets(ep: &Endpoint, opts: &Options) -> Result<Vec<Target>> {
    let addrs = ep.resolve(opts)?;
    let mut last = None;
    for addr in addrs {
        match http::get(addr, &ep.to_string(), "/json/list", opts.timeout) {
            Ok((200, body)) => return parse_targets(ep, &body),
            Ok((status, _)) => {
                return Err(CaptureError::new(format!(
                    "{ep}: not a DevTools inspector (GET /json/list answered HTTP {status})"
                )));
            }
            Err(e) => last = Some(e),
        }
    }
    let e = last.expect("resolve returns at least one address");
    Err(CaptureError::new(match e.kind() {
        std::io::ErrorKind::ConnectionRefused => format!(
            "{ep}: connection refused; is the process running with --inspect (Node) or \
             --remote-debugging-port (Chromium)?"
        ),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            format!("{ep}: no answer within {} s", opts.timeout.as_secs_f64())
        }
        std::io::ErrorKind::InvalidData => format!("{ep}: not a DevTools inspector ({e})"),
        _ => format!("{ep}: {e}"),
    }))
}

fn parse_targets(ep: &Endpoint, body: &[u8]) -> Result<Vec<Target>> {
    let not = || {
        CaptureError::new(format!(
            "{ep}: not a DevTools inspector (/json/list is not a target list)"
        ))
    };
    let v: Value = serde_json::from_slice(body).map_err(|_| not())?;
    let list = v.as_array().ok_or_else(not)?;
    let text = |t: &Value, k: &str| t.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let mut out = Vec::new();
    for t in list {
        let id = text(t, "id");
        if id.is_empty() {
            return Err(not());
        }
        let ws = text(t, "webSocketDebuggerUrl");
        out.push(Target {
            id,
            kind: text(t, "type"),
            title: text(t, "title"),
            url: text(t, "url"),
            ws_url: (!ws.is_empty()).then_some(ws),
        });
    }
    Ok(out)
}

/// The target to capture: the one named, or the only Node process or page there is.
pub(crate) fn choose_target(ep: &Endpoint, targets: &[Target], wanted: Option<&str>) -> Result<Target> {
    let listing = |ts: &[&Target]| ts.iter().map(|t| t.describe()).collect::<Vec<_>>().join("; ");
    if let Some(id) = wanted {
        return targets.iter().find(|t| t.id == id).cloned().ok_or_else(|| {
            let all: Vec<&Target> = targets.iter().collect();
            CaptureError::new(format!("{ep}: no target {id:?}; there are: {}", listing(&all)))
        });
    }
    let candidates: Vec<&Target> = targets
        .iter()
        .filter(|t| t.kind == "node" || t.kind == "page")
        .collect();
    match candidates.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(CaptureError::new(format!(
            "{ep}: no Node process or page to capture{}",
            if targets.is_empty() {
                String::new()
            } else {
                let all: Vec<&Target> = targets.iter().collect();
                format!("; there are: {}", listing(&all))
            }
        ))),
        many => Err(CaptureError::new(format!(
            "{ep}: {} targets; choose one by its id (--target ID): {}",
            many.len(),
            listing(many)
        ))),
    }
}

/// The heap's size as V8 reports it (`Runtime.getHeapUsage`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct HeapUsage {
    pub used: f64,
    pub total: f64,
}

/// A snapshot written by [`Session::take_snapshot`].
#[derive(Debug, Clone)]
pub struct Captured {
    pub path: PathBuf,
    pub bytes: u64,
    pub(crate) seconds: f64,
}

/// An open DevTools protocol session with one target.
pub struct Session {
    ws: WebSocket<TcpStream>,
    next_id: u64,
    /// A command whose answer was not waited for; its events are dropped before the next one.
    abandoned: Option<u64>,
    /// Names the connection in messages.
    pub label: String,
    pub target: Target,
    timeout: Duration,
}

/// How often a blocked read wakes up to look at the cancel flag.
const TICK: Duration = Duration::from_millis(100);

impl Session {
    /// Lists the endpoint's targets, picks one (see [`choose_target`]) and opens its WebSocket.
    pub fn open(ep: &Endpoint, wanted: Option<&str>, opts: &Options) -> Result<Session> {
        let targets = list_targets(ep, opts)?;
        let target = choose_target(ep, &targets, wanted)?;
        Session::connect(ep, target, opts)
    }

    pub fn connect(ep: &Endpoint, target: Target, opts: &Options) -> Result<Session> {
        let label = format!("{ep} ({})", target.kind);
        let fail = |m: String| CaptureError::new(format!("{label}: {m}"));
        let Some(url) = target.ws_url.clone() else {
            return Err(fail(format!(
                "target {} has no WebSocket: another debugger (DevTools?) holds its session",
                target.id
            )));
        };
        // The WebSocket's host comes from the inspector; it must pass the same loopback check.
        let ws_ep =
            Endpoint::parse(&url).map_err(|_| fail(format!("a WebSocket address heapsift cannot use: {url}")))?;
        let addrs = ws_ep.resolve(opts)?;
        let stream = connect_any(&addrs, opts.timeout).map_err(|e| fail(format!("cannot open the WebSocket: {e}")))?;
        stream
            .set_read_timeout(Some(opts.timeout))
            .and_then(|()| stream.set_write_timeout(Some(opts.timeout)))
            .and_then(|()| stream.set_nodelay(true))
            .map_err(|e| fail(e.to_string()))?;
        let (ws, _) = tungstenite::client::client(url.as_str(), stream).map_err(|e| {
            fail(format!(
                "the WebSocket handshake failed ({}); not a DevTools inspector?",
                one_line(&e.to_string())
            ))
        })?;
        ws.get_ref()
            .set_read_timeout(Some(TICK))
            .map_err(|e| fail(e.to_string()))?;
        Ok(Session {
            ws,
            next_id: 1,
            abandoned: None,
            label,
            target,
            timeout: opts.timeout,
        })
    }

    fn fail(&self, m: impl fmt::Display) -> CaptureError {
        CaptureError::new(format!("{}: {m}", self.label))
    }

    fn closed(&self, m: impl fmt::Display) -> CaptureError {
        CaptureError::Closed(format!("{}: {m}", self.label))
    }

    /// Sends one command and waits for its answer, handing events to `on_event` meanwhile.
    fn call(
        &mut self,
        method: &str,
        params: Value,
        progress: &Progress,
        on_event: &mut dyn FnMut(&str, &Value) -> Result<()>,
    ) -> Result<Value> {
        // A command given up on (cancelled, or its events refused) still runs in the target: a
        // snapshot goes on streaming its chunks. They must not end up in the next command's file.
        if let Some(old) = self.abandoned.take() {
            self.drain(old, progress)?;
        }
        let id = self.next_id;
        self.next_id += 1;
        let text = json!({ "id": id, "method": method, "params": params }).to_string();
        self.ws.send(Message::text(text)).map_err(|e| {
            self.closed(format!(
                "cannot send {method}: {}; did the process exit?",
                one_line(&e.to_string())
            ))
        })?;
        let mut answered = false;
        let answer = (|| loop {
            let v = self.next_message(method, progress)?;
            if v.get("id").and_then(Value::as_u64) == Some(id) {
                answered = true;
                if let Some(err) = v.get("error") {
                    let why = err.get("message").and_then(Value::as_str).unwrap_or("no reason given");
                    return Err(self.fail(format!("{method} failed: {}", one_line(why))));
                }
                return Ok(v.get("result").cloned().unwrap_or(Value::Null));
            }
            if let Some(event) = v.get("method").and_then(Value::as_str) {
                let params = v.get("params").cloned().unwrap_or(Value::Null);
                on_event(event, &params)?;
            }
        })();
        if !answered && matches!(answer, Err(CaptureError::Cancelled | CaptureError::Failed(_))) {
            self.abandoned = Some(id);
        }
        answer
    }

    /// Reads and drops everything up to the answer to command `id`.
    fn drain(&mut self, id: u64, progress: &Progress) -> Result<()> {
        loop {
            match self.next_message("the cancelled command", progress) {
                Ok(v) if v.get("id").and_then(Value::as_u64) == Some(id) => return Ok(()),
                Ok(_) => {}
                Err(e) => {
                    self.abandoned = Some(id);
                    return Err(e);
                }
            }
        }
    }

    /// The next JSON message, waiting at most the time-out (and watching the cancel flag).
    fn next_message(&mut self, method: &str, progress: &Progress) -> Result<Value> {
        let mut last_heard = Instant::now();
        loop {
            progress.check()?;
            let msg = match self.ws.read() {
                Ok(m) => m,
                Err(tungstenite::Error::Io(e))
                    if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
                {
                    if last_heard.elapsed() > self.timeout {
                        return Err(self.fail(format!("no answer to {method} within {} s", self.timeout.as_secs_f64())));
                    }
                    continue;
                }
                Err(
                    tungstenite::Error::ConnectionClosed
                    | tungstenite::Error::AlreadyClosed
                    | tungstenite::Error::Protocol(tungstenite::error::ProtocolError::ResetWithoutClosingHandshake),
                ) => return Err(self.closed(format!("the connection closed during {method}; did the process exit?"))),
                Err(tungstenite::Error::Io(e)) => {
                    return Err(self.closed(format!(
                        "the connection failed during {method} ({e}); did the process exit?"
                    )));
                }
                Err(e) => return Err(self.fail(format!("during {method}: {}", one_line(&e.to_string())))),
            };
            last_heard = Instant::now();
            let text = match msg {
                Message::Text(t) => t,
                Message::Close(_) => {
                    return Err(self.closed(format!("the inspector closed the connection during {method}")));
                }
                Message::Binary(_) => return Err(self.fail("a binary message: not a DevTools inspector")),
                _ => continue,
            };
            return serde_json::from_str(text.as_str())
                .map_err(|_| self.fail("a message that is not JSON: not a DevTools inspector"));
        }
    }

    pub(crate) fn collect_garbage(&mut self, progress: &Progress) -> Result<()> {
        self.call("HeapProfiler.collectGarbage", json!({}), progress, &mut |_, _| Ok(()))
            .map(|_| ())
    }

    pub(crate) fn heap_usage(&mut self, progress: &Progress) -> Result<HeapUsage> {
        let r = self.call("Runtime.getHeapUsage", json!({}), progress, &mut |_, _| Ok(()))?;
        let num = |k: &str| r.get(k).and_then(Value::as_f64);
        match (num("usedSize"), num("totalSize")) {
            (Some(used), Some(total)) => Ok(HeapUsage { used, total }),
            _ => Err(self.fail("Runtime.getHeapUsage gave no sizes")),
        }
    }

    /// Takes a heap snapshot into `dest` (replacing it atomically), streaming chunks through a
    /// temporary file in the same folder. Progress: [`Phase::Snapshot`], the target's own count.
    pub fn take_snapshot(&mut self, dest: &Path, progress: &Progress) -> Result<Captured> {
        self.snapshot_by("HeapProfiler.takeHeapSnapshot", dest, progress)
    }

    /// Starts recording every allocation's stack (DevTools' "Allocation instrumentation on
    /// timeline"); snapshots taken from now on carry allocation stacks. It slows the target
    /// until [`Session::stop_tracking`], or until this session closes (V8 stops it then).
    pub(crate) fn start_tracking(&mut self, progress: &Progress) -> Result<()> {
        self.call(
            "HeapProfiler.startTrackingHeapObjects",
            json!({ "trackAllocations": true }),
            progress,
            &mut |_, _| Ok(()),
        )
        .map(|_| ())
    }

    /// Stops allocation tracking; V8 sends a snapshot as it stops, written to `dest`.
    pub(crate) fn stop_tracking(&mut self, dest: &Path, progress: &Progress) -> Result<Captured> {
        self.snapshot_by("HeapProfiler.stopTrackingHeapObjects", dest, progress)
    }

    /// Starts a sampling heap profile (DevTools' "Allocation sampling"): about one allocation
    /// per `interval` bytes is recorded with its stack, cheaply enough for production.
    pub(crate) fn start_sampling(&mut self, interval: u32, progress: &Progress) -> Result<()> {
        self.call(
            "HeapProfiler.startSampling",
            json!({ "samplingInterval": interval }),
            progress,
            &mut |_, _| Ok(()),
        )
        .map(|_| ())
    }

    /// Stops sampling and writes the profile to `dest` as a `.heapprofile` (the JSON `node
    /// --heap-prof` writes), atomically; returns its size in bytes.
    pub(crate) fn stop_sampling(&mut self, dest: &Path, progress: &Progress) -> Result<u64> {
        let r = self.call("HeapProfiler.stopSampling", json!({}), progress, &mut |_, _| Ok(()))?;
        let profile = r
            .get("profile")
            .filter(|p| p.get("head").is_some())
            .ok_or_else(|| self.fail("HeapProfiler.stopSampling gave no profile"))?;
        let text = serde_json::to_vec(profile).map_err(|e| CaptureError::new(e.to_string()))?;
        crate::atomic::write(dest, crate::atomic::Mode::NoClobber, &text)
            .map_err(|e| CaptureError::new(format!("{}: cannot write the profile: {e}", dest.display())))?;
        Ok(text.len() as u64)
    }

    /// Calls `method`, which sends a snapshot in chunks, and writes them to `dest`.
    fn snapshot_by(&mut self, method: &str, dest: &Path, progress: &Progress) -> Result<Captured> {
        let start = Instant::now();
        let write_err =
            |e: std::io::Error| CaptureError::new(format!("{}: cannot write the snapshot: {e}", dest.display()));
        let mut tmp = crate::atomic::Pending::new(dest, crate::atomic::Mode::Replace).map_err(write_err)?;
        let mut out = BufWriter::with_capacity(1 << 20, tmp.file_mut());
        let mut bytes = 0u64;
        let mut write_failed: Option<std::io::Error> = None;
        progress.begin(Phase::Snapshot, 1);
        self.call(
            method,
            json!({ "reportProgress": true }),
            progress,
            &mut |event, params| {
                match event {
                    "HeapProfiler.addHeapSnapshotChunk" => {
                        let chunk = params.get("chunk").and_then(Value::as_str).unwrap_or_default();
                        bytes += chunk.len() as u64;
                        if let Err(e) = out.write_all(chunk.as_bytes()) {
                            write_failed = Some(e);
                            return Err(CaptureError::Cancelled);
                        }
                    }
                    "HeapProfiler.reportHeapSnapshotProgress" => {
                        let n = |k: &str| params.get(k).and_then(Value::as_u64).unwrap_or(0);
                        progress.set_total(n("total"));
                        progress.set(n("done"))?;
                    }
                    _ => {}
                }
                Ok(())
            },
        )
        .map_err(|e| match write_failed.take() {
            Some(io) => write_err(io),
            None => e,
        })?;
        if bytes == 0 {
            return Err(self.fail("the inspector sent an empty snapshot"));
        }
        out.flush().map_err(write_err)?;
        drop(out);
        tmp.commit().map_err(write_err)?;
        Ok(Captured {
            path: dest.to_path_buf(),
            bytes,
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    /// Forces a garbage collection, then snapshots: what every step of the leak method needs.
    pub(crate) fn gc_and_snapshot(&mut self, dest: &Path, gc: bool, progress: &Progress) -> Result<Captured> {
        if gc {
            progress.begin(Phase::CollectGarbage, 1);
            self.collect_garbage(progress)?;
        }
        self.take_snapshot(dest, progress)
    }

    /// Like [`Session::gc_and_snapshot`], the snapshot being the one that ends allocation tracking.
    pub(crate) fn gc_and_stop_tracking(&mut self, dest: &Path, gc: bool, progress: &Progress) -> Result<Captured> {
        if gc {
            progress.begin(Phase::CollectGarbage, 1);
            self.collect_garbage(progress)?;
        }
        self.stop_tracking(dest, progress)
    }
}

/// How to reach the process to capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connect {
    /// An inspector's `host:port`, and optionally which of its targets.
    Inspect(Endpoint, Option<String>),
    /// A local Node process, woken by SIGUSR1 if needed.
    Pid(u32),
    /// A command heapsift starts under the inspector and stops at the end.
    Exec(String),
}

impl Connect {
    /// The one way to connect that was given: an inspector's address (with its target), a PID or
    /// a command. `None` when none or several were; each front end says so in its own words.
    pub fn one_of(
        inspect: Option<&str>,
        pid: Option<u32>,
        exec: Option<&str>,
        target: Option<&str>,
    ) -> Option<Result<Connect>> {
        match (inspect, pid, exec) {
            (Some(addr), None, None) => {
                Some(Endpoint::parse(addr).map(|ep| Connect::Inspect(ep, target.map(str::to_owned))))
            }
            (None, Some(pid), None) => Some(Ok(Connect::Pid(pid))),
            (None, None, Some(cmd)) if !cmd.trim().is_empty() => Some(Ok(Connect::Exec(cmd.to_owned()))),
            _ => None,
        }
    }
}

/// An open session, and the process heapsift started for it (stopped when this is dropped).
pub(crate) struct Connection {
    pub session: Session,
    /// Stopped when dropped; asked why a connection failed.
    launched: Option<process::Launched>,
}

impl Connection {
    pub fn open(how: &Connect, opts: &Options, progress: &Progress) -> Result<Connection> {
        match how {
            Connect::Inspect(ep, target) => Ok(Connection {
                session: Session::open(ep, target.as_deref(), opts)?,
                launched: None,
            }),
            Connect::Pid(pid) => {
                let ep = process::attach_pid(*pid, opts)?;
                let mut session = Session::open(&ep, None, opts)?;
                session.label = format!("process {pid} at {ep}");
                Ok(Connection {
                    session,
                    launched: None,
                })
            }
            Connect::Exec(command) => {
                let mut launched = process::launch(command, opts, progress)?;
                let mut session = match Session::open(&launched.endpoint, None, opts) {
                    Ok(s) => s,
                    // Refused by a process that is exiting: say how it exited, not "refused".
                    Err(e) => return Err(launched.exited(Duration::from_secs(2)).unwrap_or(e)),
                };
                session.label = format!("'{command}' at {}", launched.endpoint);
                Ok(Connection {
                    session,
                    launched: Some(launched),
                })
            }
        }
    }

    /// A failure on a connection to a process heapsift started reads as that process's exit
    /// when it has exited.
    fn explain(&mut self, e: CaptureError) -> CaptureError {
        match (&mut self.launched, &e) {
            (_, CaptureError::Cancelled) => e,
            (Some(l), _) => l.exited(Duration::from_millis(500)).unwrap_or(e),
            (None, _) => e,
        }
    }
}

/// The three-snapshot method run against a live process (`heapsift hunt`).
#[derive(Debug, Clone)]
pub struct Hunt {
    pub connect: Connect,
    /// A shell command run between baseline and target, `repeat` times.
    pub action: String,
    pub repeat: usize,
    /// Runs of the action before the baseline, so that caches, lazy initialisation and compiled
    /// code that the action creates once are in all three snapshots, not reported as leaks.
    /// The first run is retried until it succeeds (a service just started may not listen yet).
    pub warmup: usize,
    /// Pause between target and final.
    pub wait: Duration,
    /// Where the three snapshots go.
    pub dir: PathBuf,
    /// Record allocation stacks from before the baseline to the final snapshot.
    pub track_allocations: bool,
}

/// The file names of the hunt's snapshots, in order.
pub(crate) const HUNT_FILES: [&str; 3] = ["baseline.heapsnapshot", "target.heapsnapshot", "final.heapsnapshot"];

/// Warm-up runs of the action, baseline (GC, snapshot), the action `repeat` times, target, a pause, final; the process
/// heapsift started (if any) is stopped before this returns, whatever happens. `note` hears a
/// line per step.
pub fn hunt(plan: &Hunt, opts: &Options, progress: &Progress, note: &dyn Fn(String)) -> Result<[PathBuf; 3]> {
    let paths = HUNT_FILES.map(|f| plan.dir.join(f));
    if let Some(p) = paths.iter().find(|p| p.exists()) {
        return Err(CaptureError::new(format!(
            "{}: already exists; not overwriting it",
            p.display()
        )));
    }
    let opts = &Options {
        track_from_start: plan.track_allocations,
        ..opts.clone()
    };
    let mut conn = Connection::open(&plan.connect, opts, progress)?;
    note(format!("connected to {}", conn.session.label));
    if plan.track_allocations && matches!(plan.connect, Connect::Exec(_)) {
        note("recording allocation stacks from the process's start (--track-heap-objects; it runs slower)".into());
    }
    let mut written: Vec<PathBuf> = Vec::new();
    let result = (|| {
        if plan.warmup > 0 {
            note(format!(
                "warming up: '{}' {}",
                plan.action,
                crate::text::count(plan.warmup, "time", "times")
            ));
            let deadline = Instant::now() + opts.timeout;
            let runs = Runs {
                kind: "warm-up run",
                first: 0,
                of: plan.warmup,
            };
            let mut retrying = false;
            // The first run is retried while the service starts (it may not listen yet).
            loop {
                match process::run_action(&plan.action, 1, runs, opts.timeout, progress) {
                    Ok(()) => break,
                    Err(e @ CaptureError::Cancelled) => return Err(e),
                    Err(e) if Instant::now() > deadline => {
                        return Err(CaptureError::new(format!(
                            "{e}; it was retried for {} s (--timeout) while the service started",
                            opts.timeout.as_secs_f64()
                        )));
                    }
                    Err(e) => {
                        if !std::mem::replace(&mut retrying, true) {
                            note(format!(
                                "{e}; retrying while the service starts (up to {} s)",
                                opts.timeout.as_secs_f64()
                            ));
                        }
                        std::thread::sleep(Duration::from_millis(200));
                    }
                }
            }
            let rest = Runs { first: 1, ..runs };
            process::run_action(&plan.action, plan.warmup - 1, rest, opts.timeout, progress)?;
        }
        // A process heapsift starts records stacks from its start (`--track-heap-objects`,
        // set by `Connection::open`). One already running can only be told over the inspector,
        // whose tracking also collects garbage and numbers every object each 50 ms: V8 then loses
        // the stack of an object the collector moves after that, so some objects read as
        // "not recorded" or with another object's stack.
        if plan.track_allocations && !matches!(plan.connect, Connect::Exec(_)) {
            conn.session.start_tracking(progress)?;
            note(
                "recording allocation stacks over the inspector (the process runs slower until the final snapshot; \
                 V8 loses the stacks of objects moved after its 50 ms updates: for complete stacks start the \
                 process with --track-heap-objects, or use --exec)"
                    .into(),
            );
        }
        for (step, path) in ["baseline", "target", "final"].into_iter().zip(&paths) {
            if step == "target" {
                note(format!("running '{}' {} times", plan.action, plan.repeat));
                let start = Instant::now();
                process::run_action(
                    &plan.action,
                    plan.repeat,
                    Runs::all(plan.repeat),
                    opts.timeout,
                    progress,
                )?;
                note(format!(
                    "the action ran {} times in {:.1} s",
                    plan.repeat,
                    start.elapsed().as_secs_f64()
                ));
            }
            if step == "final" && !plan.wait.is_zero() {
                note(format!("waiting {} s", plan.wait.as_secs_f64()));
                let until = Instant::now() + plan.wait;
                while Instant::now() < until {
                    progress.check()?;
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            // Tracking started over the inspector ends with the final snapshot, which V8 sends
            // as it stops.
            let c = if step == "final" && plan.track_allocations && !matches!(plan.connect, Connect::Exec(_)) {
                conn.session.gc_and_stop_tracking(path, true, progress)?
            } else {
                conn.session.gc_and_snapshot(path, true, progress)?
            };
            written.push(c.path.clone());
            note(format!(
                "{step}: {} ({}, {:.1} s)",
                path.display(),
                crate::text::bytes(c.bytes as f64),
                c.seconds
            ));
        }
        Ok(())
    })();
    let result = result.map_err(|e| conn.explain(e));
    drop(conn);
    if let Err(e) = result {
        // Half a hunt is no use to anyone: no snapshot of it is left behind.
        for p in written {
            let _ = std::fs::remove_file(p);
        }
        return Err(e);
    }
    Ok(paths)
}

fn connect_any(addrs: &[SocketAddr], timeout: Duration) -> std::io::Result<TcpStream> {
    let mut last = None;
    for a in addrs {
        match TcpStream::connect_timeout(a, timeout) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no address")))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A path in `dir` for a snapshot taken now that names no existing file:
/// `heap-20261201-203354Z.heapsnapshot`, then `…Z-2.heapsnapshot` within the same second.
pub(crate) fn unused_path(dir: &Path, prefix: &str) -> PathBuf {
    let name = timestamped_name(prefix);
    let stem = name.trim_end_matches(".heapsnapshot");
    (1..)
        .map(|n| {
            dir.join(if n == 1 {
                name.clone()
            } else {
                format!("{stem}-{n}.heapsnapshot")
            })
        })
        .find(|p| !p.exists())
        .expect("some name is free")
}

/// A file name for a snapshot taken now: `heap-20261201-203354Z.heapsnapshot` (local time is not
/// known without a time-zone database, so UTC, which the name says).
fn timestamped_name(prefix: &str) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, mo, d) = civil_from_days((secs / 86_400) as i64);
    let t = secs % 86_400;
    format!(
        "{prefix}-{y:04}{mo:02}{d:02}-{:02}{:02}{:02}Z.heapsnapshot",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(Endpoint::parse("9229").unwrap(), Endpoint::local(9229));
        assert_eq!(
            Endpoint::parse("localhost:9230").unwrap(),
            Endpoint {
                host: "localhost".into(),
                port: 9230
            }
        );
        assert_eq!(Endpoint::parse("[::1]:9229").unwrap().host, "::1");
        assert_eq!(
            Endpoint::parse("ws://127.0.0.1:9229/abc-def").unwrap(),
            Endpoint::local(9229)
        );
        for bad in ["", "host", "host:", "host:99999", ":9229", "a:0"] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn remote_hosts_need_consent() {
        let ep = Endpoint {
            host: "192.0.2.1".into(),
            port: 9229,
        };
        let err = ep.resolve(&Options::default()).unwrap_err().to_string();
        assert!(err.contains("--allow-remote"), "{err}");
        let opts = Options {
            allow_remote: true,
            ..Options::default()
        };
        assert!(ep.resolve(&opts).is_ok());
        assert!(Endpoint::local(9229).resolve(&Options::default()).is_ok());
    }

    #[test]
    fn targets_are_chosen_or_listed() {
        let ep = Endpoint::local(9222);
        let body = br#"[{"id":"A","type":"page","title":"Shop","url":"http://x/","webSocketDebuggerUrl":"ws://127.0.0.1:9222/devtools/page/A"},
            {"id":"B","type":"service_worker","url":"http://x/sw.js"},
            {"id":"C","type":"page","title":"Cart","url":"http://x/cart"}]"#;
        let ts = parse_targets(&ep, body).unwrap();
        assert_eq!(ts[1].ws_url, None);
        let err = choose_target(&ep, &ts, None).unwrap_err().to_string();
        assert!(err.contains("2 targets") && err.contains("--target"), "{err}");
        assert_eq!(choose_target(&ep, &ts, Some("C")).unwrap().title, "Cart");
        assert!(
            choose_target(&ep, &ts, Some("Z"))
                .unwrap_err()
                .to_string()
                .contains("no target \"Z\"")
        );
        assert!(choose_target(&ep, &ts[..2], None).is_ok());
        assert!(parse_targets(&ep, b"{\"Browser\":\"x\"}").is_err());
        assert!(parse_targets(&ep, b"[{\"type\":\"page\"}]").is_err());
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_788), (2026, 12, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
