//! Local processes: finding Node processes, waking a Node process's inspector by PID
//! (SIGUSR1), starting a command under the inspector, and running a user's action command.
//! Everything heapsift starts runs in its own process group and is stopped with it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::{CaptureError, Endpoint, Options, Result, list_targets};
use crate::progress::{Phase, Progress};

/// A Node process on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeProcess {
    pub pid: u32,
    pub(crate) command_line: String,
}

/// Node's default inspector port, where it listens after SIGUSR1.
pub(crate) const DEFAULT_INSPECTOR_PORT: u16 = 9229;

/// The command line of a process, if it can be read.
fn command_line(pid: u32) -> Option<Vec<String>> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    Some(
        raw.split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect(),
    )
}

/// `node`, `nodejs`, `/usr/bin/node20`: how Node's binary is named.
fn is_node_binary(arg0: &str) -> bool {
    let base = arg0.rsplit('/').next().unwrap_or(arg0);
    base == "nodejs"
        || base
            .strip_prefix("node")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_node(pid: u32) -> bool {
    if let Ok(exe) = std::fs::read_link(format!("/proc/{pid}/exe"))
        && is_node_binary(&exe.to_string_lossy())
    {
        return true;
    }
    command_line(pid).is_some_and(|args| args.first().is_some_and(|a| is_node_binary(a)))
}

/// Node processes of this machine that heapsift can see (Linux; elsewhere an empty list).
pub(crate) fn node_processes() -> Vec<NodeProcess> {
    let me = std::process::id();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut out: Vec<NodeProcess> = dir
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| pid != me && is_node(pid))
        .filter_map(|pid| {
            Some(NodeProcess {
                pid,
                command_line: command_line(pid)?.join(" "),
            })
        })
        .collect();
    out.sort_by_key(|p| p.pid);
    out
}

/// TCP ports a process listens on (from /proc; empty where that cannot be read).
fn listening_ports(pid: u32) -> Vec<u16> {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    let inodes: Vec<String> = fds
        .flatten()
        .filter_map(|e| {
            let link = std::fs::read_link(e.path()).ok()?;
            let s = link.to_str()?;
            Some(s.strip_prefix("socket:[")?.strip_suffix(']')?.to_owned())
        })
        .collect();
    let mut ports = Vec::new();
    for table in ["tcp", "tcp6"] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            // local_address, state 0A (LISTEN), inode
            if f.len() > 9 && f[3] == "0A" && inodes.iter().any(|i| i == f[9]) {
                let port = f[1].rsplit_once(':').and_then(|(_, p)| u16::from_str_radix(p, 16).ok());
                if let Some(port) = port
                    && !ports.contains(&port)
                {
                    ports.push(port);
                }
            }
        }
    }
    ports
}

/// The inspector a process already has open, if any.
fn open_inspector(pid: u32, opts: &Options) -> Option<Endpoint> {
    let quick = Options {
        timeout: Duration::from_millis(500),
        ..opts.clone()
    };
    listening_ports(pid)
        .into_iter()
        .map(Endpoint::local)
        .find(|ep| list_targets(ep, &quick).is_ok_and(|ts| ts.iter().any(|t| t.kind == "node")))
}

/// Reaches a Node process by PID: its open inspector, or the one it opens on 127.0.0.1:9229
/// when sent SIGUSR1.
#[cfg(unix)]
pub(crate) fn attach_pid(pid: u32, opts: &Options) -> Result<Endpoint> {
    let who = format!("process {pid}");
    if pid == 0 || pid > i32::MAX as u32 {
        return Err(CaptureError::new(format!("{who}: not a process id")));
    }
    if cfg!(target_os = "linux") {
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            return Err(CaptureError::new(format!("{who}: no such process")));
        }
        if !is_node(pid) {
            let name = command_line(pid)
                .and_then(|a| a.first().cloned())
                .unwrap_or_else(|| "unknown".into());
            return Err(CaptureError::new(format!(
                "{who} ({name}) is not a Node process; attaching by PID works for Node only \
                 (start Chromium with --remote-debugging-port and use --inspect)"
            )));
        }
        if let Some(ep) = open_inspector(pid, opts) {
            return Ok(ep);
        }
    }
    let default = Endpoint::local(DEFAULT_INSPECTOR_PORT);
    let quick = Options {
        timeout: Duration::from_millis(500),
        ..opts.clone()
    };
    if list_targets(&default, &quick).is_ok()
        || std::net::TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], DEFAULT_INSPECTOR_PORT)),
            Duration::from_millis(500),
        )
        .is_ok()
    {
        return Err(CaptureError::new(format!(
            "{who}: {default} is taken by another process, and Node opens its inspector there on \
             SIGUSR1; stop that one, or start the process with --inspect=PORT"
        )));
    }
    // SAFETY: kill(2) with a checked positive pid has no memory effects.
    if unsafe { libc::kill(pid as i32, libc::SIGUSR1) } != 0 {
        let e = std::io::Error::last_os_error();
        return Err(CaptureError::new(match e.raw_os_error() {
            Some(libc::EPERM) => {
                format!("{who}: no permission to signal it (another user's process; run heapsift as that user)")
            }
            Some(libc::ESRCH) => format!("{who}: no such process"),
            _ => format!("{who}: cannot send SIGUSR1: {e}"),
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        if let Ok(ts) = list_targets(&default, &quick)
            && ts.iter().any(|t| t.kind == "node")
        {
            return Ok(default);
        }
        if let Some(ep) = open_inspector(pid, opts) {
            return Ok(ep);
        }
    }
    Err(CaptureError::new(format!(
        "{who}: no inspector opened within 5 s of SIGUSR1 (was Node started with --disable-sigusr1, \
         or is it busy in a long synchronous task?)"
    )))
}

#[cfg(not(unix))]
pub(crate) fn attach_pid(pid: u32, _opts: &Options) -> Result<Endpoint> {
    Err(CaptureError::new(format!(
        "process {pid}: attaching by PID needs SIGUSR1, which Windows does not have; start Node \
         with --inspect and use --inspect HOST:PORT"
    )))
}

/// A child heapsift started in its own process group; the group is stopped when dropped.
pub(crate) struct Group {
    child: Child,
    stopped: bool,
}

impl Group {
    fn spawn(command: &str, mut cmd: Command) -> Result<Group> {
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd
            .spawn()
            .map_err(|e| CaptureError::new(format!("cannot start '{command}': {e}")))?;
        Ok(Group { child, stopped: false })
    }

    fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Stops the whole group: SIGTERM, then SIGKILL after two seconds.
    pub(crate) fn stop(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        if self.try_wait().is_some() {
            // The leader is gone; its group may not be.
            signal_group(self.child.id(), Signal::Kill);
            return;
        }
        signal_group(self.child.id(), Signal::Term);
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if self.try_wait().is_some() {
                signal_group(self.child.id(), Signal::Kill);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        signal_group(self.child.id(), Signal::Kill);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.stop();
    }
}

enum Signal {
    Term,
    Kill,
}

#[cfg(unix)]
fn signal_group(pgid: u32, sig: Signal) {
    let sig = match sig {
        Signal::Term => libc::SIGTERM,
        Signal::Kill => libc::SIGKILL,
    };
    // SAFETY: kill(2) on our own child's process group (negative pid); no memory effects.
    unsafe {
        libc::kill(-(pgid as i32), sig);
    }
}

#[cfg(not(unix))]
fn signal_group(_pgid: u32, _sig: Signal) {}

fn shell(command: &str) -> Command {
    if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/C", command]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", command]);
        c
    }
}

/// A Node process heapsift started with its inspector on a free loopback port.
pub(crate) struct Launched {
    /// Stopped when dropped; asked whether the process exited when a connection fails.
    group: Group,
    pub(crate) endpoint: Endpoint,
    /// The last lines the command wrote to stderr (Node's inspector chatter left out).
    last_line: Arc<Tail>,
    command: String,
}

impl Launched {
    /// Why the process is gone, if it is: how it exited and the last line it wrote. Waits up to
    /// `grace` for an exit under way (a connection refused by a process that is dying).
    pub(crate) fn exited(&mut self, grace: Duration) -> Option<CaptureError> {
        let deadline = Instant::now() + grace;
        loop {
            if let Some(status) = self.group.try_wait() {
                return Some(exited_error(&self.command, status, &self.last_line, ""));
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// "'cmd' exited with code 1: Error: listen EADDRINUSE …": the last error line it wrote (Node
/// ends an uncaught error with its version), else its last line.
fn exited_error(command: &str, status: std::process::ExitStatus, last: &Tail, when: &str) -> CaptureError {
    // The process is gone, but its last lines may still be in the pipe: read to its end (a
    // child it left behind may hold the pipe open, so not for long).
    let deadline = Instant::now() + Duration::from_millis(1000);
    while !last.closed.load(std::sync::atomic::Ordering::Acquire) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let lines = last.lines.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let is_error = |l: &&String| {
        let l = l.trim_start();
        l.split(':')
            .next()
            .is_some_and(|head| head.ends_with("Error") && !head.contains(' '))
    };
    let line = lines.iter().rev().find(is_error).or(lines.last());
    CaptureError::new(format!(
        "'{command}' {}{when}{}",
        describe_exit(status),
        line.map(|l| format!("; its last output: {}", crate::text::preview(l.trim(), 160)))
            .unwrap_or_default()
    ))
}

/// The end of what a started command wrote to stderr.
#[derive(Default)]
pub(crate) struct Tail {
    lines: Mutex<Vec<String>>,
    /// The pipe reached its end: every line is in.
    closed: std::sync::atomic::AtomicBool,
}

/// Starts `command` (through the shell) with `--inspect=127.0.0.1:0` in `NODE_OPTIONS`, and
/// reads the inspector's port from Node's "Debugger listening on ws://…" line. The command's
/// output goes to heapsift's stderr (never stdout, which carries reports), without Node's
/// inspector chatter.
pub(crate) fn launch(command: &str, opts: &Options, progress: &Progress) -> Result<Launched> {
    let mut cmd = shell(command);
    let ours = if opts.track_from_start {
        "--inspect=127.0.0.1:0 --track-heap-objects"
    } else {
        "--inspect=127.0.0.1:0"
    };
    let node_options = match std::env::var("NODE_OPTIONS") {
        Ok(o) if !o.trim().is_empty() => format!("{o} {ours}"),
        _ => ours.to_owned(),
    };
    cmd.env("NODE_OPTIONS", node_options)
        .stdin(Stdio::null())
        .stdout(stderr_stdio())
        .stderr(Stdio::piped());
    let mut group = Group::spawn(command, cmd)?;
    let stderr = group.child.stderr.take().expect("stderr is piped");
    let (tx, rx) = mpsc::channel();
    let last_line: Arc<Tail> = Arc::default();
    let last = last_line.clone();
    std::thread::spawn(move || {
        struct Closed(Arc<Tail>);
        impl Drop for Closed {
            fn drop(&mut self) {
                self.0.closed.store(true, std::sync::atomic::Ordering::Release);
            }
        }
        let _closed = Closed(last.clone());
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.strip_prefix("Debugger listening on ") {
                let _ = tx.send(url.trim().to_owned());
                continue;
            }
            if line.starts_with("For help, see: https://nodejs.org")
                || line == "Debugger attached."
                || line.starts_with("Debugger ending on")
                || line == "Waiting for the debugger to disconnect..."
            {
                continue;
            }
            eprintln!("{line}");
            if !line.trim().is_empty() {
                let mut kept = last.lines.lock().unwrap_or_else(|e| e.into_inner());
                if kept.len() == 40 {
                    kept.remove(0);
                }
                kept.push(line);
            }
        }
    });
    let launched = |group, endpoint| Launched {
        group,
        endpoint,
        last_line: last_line.clone(),
        command: command.to_owned(),
    };
    let deadline = Instant::now() + opts.timeout;
    let mut first: Option<(String, Instant)> = None;
    let mut stderr_open = true;
    loop {
        progress.check()?;
        if stderr_open {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(url) => match &first {
                    None => first = Some((url, Instant::now())),
                    // Every node under the command inherits NODE_OPTIONS: a wrapper (npm,
                    // npx, nodemon) would be captured instead of the service.
                    Some((one, _)) => {
                        return Err(CaptureError::new(format!(
                            "'{command}' started more than one Node process with an inspector ({one}, {url}); \
                             give --exec the node command itself (e.g. 'node server.js', not 'npm start')"
                        )));
                    }
                },
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => stderr_open = false,
            }
        } else {
            std::thread::sleep(Duration::from_millis(50));
        }
        // A second inspector (a wrapper's child) shows up within a moment of the first.
        if let Some((url, at)) = &first
            && (at.elapsed() >= SETTLE || !stderr_open)
        {
            // Node opens its inspector before the program runs: a service that fails at once
            // (its port taken) is gone by now, and that is what to report.
            if let Some(status) = group.try_wait() {
                return Err(exited_error(command, status, &last_line, " right after it started"));
            }
            let endpoint = Endpoint::parse(url).map_err(|_| {
                CaptureError::new(format!(
                    "'{command}': Node printed an inspector address heapsift cannot use: {url}"
                ))
            })?;
            return Ok(launched(group, endpoint));
        }
        if first.is_none()
            && let Some(status) = group.try_wait()
        {
            if let Ok(url) = rx.recv_timeout(Duration::from_millis(200))
                && let Ok(endpoint) = Endpoint::parse(&url)
            {
                return Ok(launched(group, endpoint));
            }
            let when = " before its inspector opened (does it start node?)";
            return Err(exited_error(command, status, &last_line, when));
        }
        if Instant::now() > deadline {
            return Err(CaptureError::new(format!(
                "'{command}': no \"Debugger listening\" line on its stderr within {} s; does it start node \
                 (and leave stderr alone)?",
                opts.timeout.as_secs_f64()
            )));
        }
    }
}

/// How long `launch` waits after the first inspector for a second one.
const SETTLE: Duration = Duration::from_millis(700);

fn describe_exit(status: std::process::ExitStatus) -> String {
    match status.code() {
        Some(c) => format!("exited with code {c}"),
        None => format!("was killed ({status})"),
    }
}

/// Our stderr, for a child's stdout.
fn stderr_stdio() -> Stdio {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = std::io::stderr().as_fd().try_clone_to_owned() {
            return Stdio::from(fd);
        }
    }
    Stdio::null()
}

/// Which runs of the action a call makes, for its messages: runs `first + 1` on of `of` in
/// all, called `kind` ("run", "warm-up run"), so they count as the user gave them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Runs {
    pub kind: &'static str,
    pub first: usize,
    pub of: usize,
}

impl Runs {
    /// All `n` runs of a plain repeat.
    pub(crate) fn all(n: usize) -> Runs {
        Runs {
            kind: "run",
            first: 0,
            of: n,
        }
    }
}

/// Runs the user's action `times` times, one after another, stopping at the first failure or
/// at a run longer than `limit`. Its stdout is discarded (a `curl` prints the page); stderr is
/// kept for the message.
pub(crate) fn run_action(command: &str, times: usize, runs: Runs, limit: Duration, progress: &Progress) -> Result<()> {
    progress.begin(Phase::Action, times as u64);
    for i in 0..times {
        let mut cmd = shell(command);
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        let mut group = Group::spawn(command, cmd)?;
        let mut stderr = group.child.stderr.take().expect("stderr is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
            let _ = tx.send(text);
        });
        let started = Instant::now();
        let status = loop {
            if progress.is_cancelled() {
                group.stop();
                return Err(CaptureError::Cancelled);
            }
            if let Some(s) = group.try_wait() {
                break s;
            }
            if started.elapsed() > limit {
                group.stop();
                return Err(CaptureError::new(format!(
                    "the action '{command}' took longer than {} s on {} {} of {} and was stopped (--timeout sets the limit)",
                    limit.as_secs_f64(),
                    runs.kind,
                    runs.first + i + 1,
                    runs.of
                )));
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        // Whatever the command left running in the background goes with its group, so its
        // stderr closes; a process that left the group cannot hold us up for long either.
        group.stop();
        let text = rx.recv_timeout(Duration::from_secs(1)).unwrap_or_default();
        if !status.success() {
            let why = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
            return Err(CaptureError::new(format!(
                "the action '{command}' failed on {} {} of {} ({}){}",
                runs.kind,
                runs.first + i + 1,
                runs.of,
                describe_exit(status),
                if why.is_empty() {
                    String::new()
                } else {
                    format!(": {}", crate::text::preview(why, 120))
                }
            )));
        }
        progress.set(i as u64 + 1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_binaries() {
        for yes in ["node", "/usr/bin/node", "/opt/node20", "nodejs", "node22.1"] {
            assert!(is_node_binary(yes), "{yes}");
        }
        for no in ["nodemon", "/usr/bin/python3", "", "my-node", "node-gyp"] {
            assert!(!is_node_binary(no), "{no}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn actions_run_and_fail_clearly() {
        let p = Progress::new();
        run_action("true", 3, Runs::all(3), Duration::from_secs(10), &p).unwrap();
        assert_eq!(p.view().fraction, 1.0);
        let err = run_action(
            "echo oops >&2; exit 7",
            5,
            Runs::all(5),
            Duration::from_secs(10),
            &Progress::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("run 1 of 5") && err.contains("code 7") && err.contains("oops"),
            "{err}"
        );
        let runs = Runs {
            kind: "warm-up run",
            first: 2,
            of: 4,
        };
        let err = run_action("exit 3", 2, runs, Duration::from_secs(10), &Progress::new()).unwrap_err();
        assert!(err.to_string().contains("failed on warm-up run 3 of 4"), "{err}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn attaching_to_something_else_is_refused() {
        let err = attach_pid(std::process::id(), &Options::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a Node process"), "{err}");
        let err = attach_pid(4_000_000, &Options::default()).unwrap_err().to_string();
        assert!(err.contains("no such process"), "{err}");
    }
}
