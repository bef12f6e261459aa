//! Live capture against real processes: a Node HTTP service with a planted leak
//! (`tests/live/server.js`), a Chromium page, and inspectors that misbehave. Each test leaves
//! no file and no process behind.
//!
//! Node and Chromium are needed; where they are missing the tests say they were skipped, except
//! under `CI=true`, where a missing `node` or `chromium` is a failure (CI installs both).

use crate::common;

use crate::common::node::{SERVER, Server, find, free_port, in_ci, node, port_is_closed};
use crate::common::{heapsift, stderr};

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// `heapsift capture --inspect INSPECTOR -o OUT -q`.
fn capture(inspector: &str, out: &Path) -> Output {
    heapsift(&["capture", "--inspect", inspector, "-o", out.to_str().unwrap(), "-q"])
}

/// Fails unless the command failed with exit 2 and one line of heapsift's naming `what`
/// (a process heapsift started may have written lines of its own).
fn fails_with(o: &Output, what: &str) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let ours: Vec<&str> = err.lines().filter(|l| l.starts_with("heapsift: ")).collect();
    assert_eq!(ours.len(), 1, "one line: {err}");
    assert!(ours[0].contains(what), "expected {what:?} in {err}");
    err
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// The Summary row of `class` in a snapshot, from `heapsift summary --json`.
fn summary_count(file: &Path, class: &str) -> u64 {
    let o = heapsift(&["summary", file.to_str().unwrap(), "--json", "--quiet", "--no-cache"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let classes = v["classes"].as_array().unwrap();
    assert!(
        v["node_count"].as_u64().unwrap() > 10_000,
        "a whole heap: {}",
        v["node_count"]
    );
    classes
        .iter()
        .find(|c| c["class"] == class)
        .map_or(0, |c| c["count"].as_u64().unwrap())
}

#[test]
fn capture_from_a_node_inspector_writes_a_complete_snapshot() {
    let Some(node) = node("capture_from_a_node_inspector_writes_a_complete_snapshot") else {
        return;
    };
    let server = Server::start(&node, true, 0);
    for _ in 0..7 {
        server.get("/checkout");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("live.heapsnapshot");
    let o = capture(&server.inspector(), &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("captured in"));
    assert_eq!(entries(dir.path()), ["live.heapsnapshot"], "no temporary file left");
    assert_eq!(summary_count(&out, "LeakedCheckout"), 7);
    // A capture never replaces a file, like every other output; the process is still serving.
    let before = std::fs::read(&out).unwrap();
    fails_with(
        &capture(&server.inspector(), &out),
        "already exists; not overwriting it",
    );
    assert_eq!(std::fs::read(&out).unwrap(), before, "the first snapshot is untouched");
    server.get("/checkout");
    let second = dir.path().join("live-2.heapsnapshot");
    let o = capture(&server.inspector(), &second);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(summary_count(&second, "LeakedCheckout"), 8);
}

fn find_group<'a>(groups: &'a [Value], class: &str) -> Option<&'a Value> {
    groups.iter().find_map(|g| {
        if g["class"] == class {
            Some(g)
        } else {
            find_group(g["kept_alive"].as_array().map_or(&[], |v| v), class)
        }
    })
}

fn action_url(port: u16, path: &str) -> String {
    // node rather than curl: the tests need nothing but Node.
    format!(
        "node -e \"require('http').get('http://127.0.0.1:{port}{path}', r => {{ r.resume(); r.on('end', () => process.exit(r.statusCode === 200 ? 0 : 1)); }}).on('error', e => {{ console.error(e.message); process.exit(1); }})\""
    )
}

#[test]
fn hunt_starts_the_service_finds_the_planted_leak_with_its_exact_count_and_stops_it() {
    let Some(_) = node("hunt_starts_the_service_finds_the_planted_leak_with_its_exact_count_and_stops_it") else {
        return;
    };
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("leaks.md");
    let exec = format!("PORT={port} node {SERVER}");
    let action = action_url(port, "/checkout");
    let o = heapsift(&[
        "hunt",
        "--exec",
        &exec,
        "--action",
        &action,
        "--repeat",
        "25",
        "--wait",
        "0.2",
        "--keep",
        dir.path().to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--fail-above",
        "1KB",
        "--json",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "over --fail-above: {err}");
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout, nothing else");
    let groups = v["groups"].as_array().unwrap();
    let leak = find_group(groups, "LeakedCheckout").expect("the planted leak is reported");
    assert_eq!(leak["count"], 25, "{leak}");
    let path = leak["path_to_root"].to_string();
    assert!(path.contains("recentCheckouts"), "the path names the variable: {path}");
    assert!(err.contains("baseline:") && err.contains("final:"), "{err}");
    let mut files = entries(dir.path());
    files.sort();
    assert_eq!(
        files,
        [
            "baseline.heapsnapshot",
            "final.heapsnapshot",
            "leaks.md",
            "target.heapsnapshot"
        ]
    );
    assert!(std::fs::read_to_string(&report).unwrap().contains("LeakedCheckout"));
    assert!(port_is_closed(port), "the service heapsift started was stopped");
    // The kept snapshots give the same answer through `heapsift leaks`.
    let files: Vec<String> = ["baseline", "target", "final"]
        .iter()
        .map(|f| {
            dir.path()
                .join(format!("{f}.heapsnapshot"))
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let o = heapsift(&["leaks", &files[0], &files[1], &files[2], "--json", "-q", "--no-cache"]);
    let again: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        find_group(again["groups"].as_array().unwrap(), "LeakedCheckout").unwrap()["count"],
        25
    );
}

#[test]
fn hunt_without_a_leak_passes_the_gate_and_leaves_no_files() {
    let Some(_) = node("hunt_without_a_leak_passes_the_gate_and_leaves_no_files") else {
        return;
    };
    let port = free_port();
    let scratch = tempfile::tempdir().unwrap();
    let exec = format!("PORT={port} node {SERVER}");
    let o = common::heapsift_command()
        .args(["hunt", "--exec", &exec, "--action", &action_url(port, "/browse")])
        .args(["--repeat", "10", "--wait", "0", "--fail-above", "100KB", "-q"])
        .env("TMPDIR", scratch.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(!text.contains("LeakedCheckout"), "{text}");
    assert!(entries(scratch.path()).is_empty(), "the scratch snapshots are deleted");
    assert!(port_is_closed(port));
}

#[test]
fn capture_by_pid_wakes_the_inspector_with_sigusr1() {
    let Some(node) = node("capture_by_pid_wakes_the_inspector_with_sigusr1") else {
        return;
    };
    if !port_is_closed(9229) {
        assert!(!in_ci(), "port 9229 is taken on the CI machine");
        eprintln!("SKIPPED capture_by_pid_wakes_the_inspector_with_sigusr1: port 9229 is in use here");
        return;
    }
    let server = Server::start(&node, false, 0);
    server.get("/checkout");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("by-pid.heapsnapshot");
    let pid = server.child.id().to_string();
    let o = heapsift(&["capture", "--pid", &pid, "-o", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(summary_count(&out, "LeakedCheckout"), 1);
    // Attaching again finds the inspector already open.
    let out = dir.path().join("by-pid-2.heapsnapshot");
    let o = heapsift(&["capture", "--pid", &pid, "-o", out.to_str().unwrap(), "-q", "--no-gc"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Now 9229 is taken: another process cannot open its inspector there.
    let other = Server::start(&node, false, 0);
    let o = heapsift(&[
        "capture",
        "--pid",
        &other.child.id().to_string(),
        "-o",
        dir.path().join("other.heapsnapshot").to_str().unwrap(),
    ]);
    fails_with(&o, "127.0.0.1:9229 is taken by another process");
    drop(other);
    drop(server);
    let gone = dir.path().join("gone.heapsnapshot");
    let o = heapsift(&["capture", "--pid", &pid, "-o", gone.to_str().unwrap(), "-q"]);
    fails_with(&o, "no such process");
}

#[test]
fn refused_and_remote_addresses_fail_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.heapsnapshot");
    let out = out.to_str().unwrap();
    let port = free_port().to_string();
    fails_with(
        &heapsift(&["capture", "--inspect", &format!("127.0.0.1:{port}"), "-o", out]),
        "connection refused",
    );
    fails_with(
        &heapsift(&["capture", "--inspect", "192.0.2.1:9229", "-o", out]),
        "--allow-remote",
    );
    fails_with(
        &heapsift(&["capture", "--inspect", "nonsense", "-o", out]),
        "not an inspector address",
    );
    fails_with(
        &heapsift(&["capture", "--pid", &std::process::id().to_string(), "-o", out]),
        "not a Node process",
    );
    assert!(entries(dir.path()).is_empty());
}

/// A loopback server answering every connection with `respond` on its own thread.
fn fake_server(respond: impl Fn(TcpStream) + Send + Sync + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let respond = std::sync::Arc::new(respond);
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let r = respond.clone();
            std::thread::spawn(move || r(s));
        }
    });
    port
}

fn read_request(s: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut b = [0u8; 1024];
    while !buf.ends_with(b"\r\n\r\n") {
        match s.read(&mut b) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&b[..n]),
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

fn reply(s: &mut TcpStream, status: &str, body: &str) {
    let _ = write!(
        s,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
}

#[test]
fn servers_that_are_not_inspectors_and_silent_ones_fail_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.heapsnapshot");
    let out = out.to_str().unwrap();

    let web = fake_server(|mut s| {
        read_request(&mut s);
        reply(&mut s, "404 Not Found", "no");
    });
    fails_with(
        &heapsift(&["capture", "--inspect", &format!("127.0.0.1:{web}"), "-o", out]),
        "not a DevTools inspector",
    );

    let silent = fake_server(|s| {
        std::thread::sleep(Duration::from_secs(30));
        drop(s);
    });
    let start = Instant::now();
    fails_with(
        &heapsift(&[
            "capture",
            "--inspect",
            &format!("127.0.0.1:{silent}"),
            "-o",
            out,
            "--timeout",
            "1",
        ]),
        "no answer within 1 s",
    );
    assert!(start.elapsed() < Duration::from_secs(10));

    // Inspectors that list a target, then: refuse every command with a protocol error; speak
    // WebSocket but not the protocol; refuse the WebSocket upgrade.
    let cases = [
        (
            Fake::Refusing,
            "HeapProfiler.collectGarbage failed: 'HeapProfiler.collectGarbage' wasn't found",
        ),
        (Fake::Chatter, "a message that is not JSON: not a DevTools inspector"),
        (Fake::NoUpgrade, "the WebSocket handshake failed"),
    ];
    for (fake, what) in cases {
        let port = fake_inspector(fake);
        fails_with(
            &heapsift(&["capture", "--inspect", &format!("127.0.0.1:{port}"), "-o", out]),
            what,
        );
    }
    assert!(entries(dir.path()).is_empty());
}

#[derive(Clone, Copy)]
enum Fake {
    Refusing,
    Chatter,
    NoUpgrade,
}

/// A loopback server whose `/json/list` names one Node target on itself, and whose WebSocket
/// misbehaves as `fake` says.
fn fake_inspector(fake: Fake) -> u16 {
    fake_server(move |mut s| {
        let req = read_request(&mut s);
        if req.starts_with("GET /json/list") {
            let port = s.local_addr().unwrap().port();
            reply(
                &mut s,
                "200 OK",
                &format!(
                    r#"[{{"id":"T1","type":"node","title":"fake","url":"file:///x","webSocketDebuggerUrl":"ws://127.0.0.1:{port}/T1"}}]"#
                ),
            );
            return;
        }
        if let Fake::NoUpgrade = fake {
            reply(&mut s, "404 Not Found", "");
            return;
        }
        // The WebSocket: replay the request we already read to tungstenite.
        let stream = Replay {
            head: std::io::Cursor::new(req.into_bytes()),
            s,
        };
        let Ok(mut ws) = tungstenite::accept(stream) else {
            return;
        };
        while let Ok(msg) = ws.read() {
            if let tungstenite::Message::Text(t) = msg {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                let answer = match fake {
                    Fake::Chatter => "hello".to_owned(),
                    _ => serde_json::json!({
                        "id": v["id"],
                        "error": {"code": -32601, "message": format!("'{}' wasn't found", v["method"].as_str().unwrap())}
                    })
                    .to_string(),
                };
                let _ = ws.send(tungstenite::Message::text(answer));
            }
        }
    })
}

/// A stream whose first bytes were already read (the HTTP request line and headers).
struct Replay {
    head: std::io::Cursor<Vec<u8>>,
    s: TcpStream,
}

impl Read for Replay {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 { Ok(n) } else { self.s.read(buf) }
    }
}

impl Write for Replay {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.s.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.s.flush()
    }
}

#[test]
fn a_target_killed_mid_snapshot_leaves_no_partial_file() {
    let Some(node) = node("a_target_killed_mid_snapshot_leaves_no_partial_file") else {
        return;
    };
    // Two million live objects: the snapshot takes long enough to be killed halfway.
    let mut server = Server::start(&node, true, 20);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.heapsnapshot");
    let capture = common::heapsift_command()
        .args(["capture", "--inspect", &server.inspector(), "--no-gc", "-q", "-o"])
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill it once part of the snapshot is written: the stream breaks off midway.
    let deadline = Instant::now() + Duration::from_secs(60);
    let written = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.metadata().map_or(0, |m| m.len()))
            .sum::<u64>()
    };
    while written() == 0 {
        assert!(Instant::now() < deadline, "the capture never started writing");
        std::thread::sleep(Duration::from_millis(2));
    }
    server.child.kill().unwrap();
    let o = capture.wait_with_output().unwrap();
    fails_with(&o, "did the process exit?");
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_while_capturing_leaves_no_partial_file() {
    use std::os::unix::process::CommandExt;
    let Some(node) = node("a_full_disk_while_capturing_leaves_no_partial_file") else {
        return;
    };
    let server = Server::start(&node, true, 0);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.heapsnapshot");
    let mut cmd = common::heapsift_command();
    cmd.args(["capture", "--inspect", &server.inspector(), "-q", "-o"])
        .arg(&out);
    // A file-size limit makes writes fail the way a full disk does (EFBIG instead of ENOSPC).
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: 256 << 10,
                rlim_max: 256 << 10,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let o = cmd.output().unwrap();
    fails_with(&o, "cannot write the snapshot");
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_a_hunt_stops_the_service_and_removes_the_snapshots() {
    let Some(_) = node("ctrl_c_during_a_hunt_stops_the_service_and_removes_the_snapshots") else {
        return;
    };
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let exec = format!("PORT={port} node {SERVER}");
    let child = common::heapsift_command()
        .args([
            "hunt", "--exec", &exec, "--action", "sleep 60", "--warmup", "0", "--keep",
        ])
        .arg(dir.path())
        .arg("-q")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the baseline is written, the action is running: interrupt there.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !dir.path().join("baseline.heapsnapshot").exists() {
        assert!(Instant::now() < deadline, "no baseline");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(!port_is_closed(port), "the service runs");
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let start = Instant::now();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(start.elapsed() < Duration::from_secs(10), "stopped promptly");
    assert!(port_is_closed(port), "the service heapsift started was stopped");
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

#[test]
fn hunt_reports_a_command_that_is_not_node_and_a_failing_action() {
    let Some(_) = node("hunt_reports_a_command_that_is_not_node_and_a_failing_action") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().to_str().unwrap();
    let o = heapsift(&["hunt", "--exec", "exit 3", "--action", "true", "--keep", keep]);
    fails_with(&o, "exited with code 3 before its inspector opened");
    let port = free_port();
    let exec = format!("PORT={port} node {SERVER}");
    let o = heapsift(&[
        "hunt",
        "--exec",
        &exec,
        "--action",
        "echo broken >&2; exit 4",
        "--warmup",
        "0",
        "--keep",
        keep,
        "-q",
    ]);
    fails_with(&o, "failed on run 1 of 10 (exited with code 4): broken");
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
    assert!(port_is_closed(port));
    // A service that dies at once (its port taken) is reported as such, with its error, not
    // as a refused connection.
    let taken = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let o = heapsift(&["hunt", "--exec", &exec, "--action", "true", "--keep", keep, "-q"]);
    // Whether heapsift sees the exit before or while connecting, it names the exit and the
    // error the command printed.
    let err = fails_with(&o, "exited with code 1");
    assert!(err.contains("; its last output: Error: listen EADDRINUSE"), "{err}");
    drop(taken);
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|p| find(p));
    if found.is_none() {
        assert!(
            !in_ci(),
            "chromium is not installed, and CI=true requires the live tests to run"
        );
        eprintln!("SKIPPED capture_from_a_chromium_page: chromium is not installed (apt-get install -y chromium)");
    }
    found
}

#[test]
fn capture_from_a_chromium_page() {
    let Some(chromium) = chromium() else { return };
    let profile = tempfile::tempdir().unwrap();
    let page = "data:text/html,<title>planted</title><script>class PlantedInPage{constructor(i){this.i=i}};\
                window.kept=[];for(let i=0;i<123;i++)kept.push(new PlantedInPage(i));</script>";
    let mut browser = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
            "--remote-debugging-port=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(page)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Kill<'a>(&'a mut Child);
    impl Drop for Kill<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _guard = Kill(&mut browser);
    // Chromium writes the port it picked to DevToolsActivePort in its profile.
    let deadline = Instant::now() + Duration::from_secs(60);
    let port = loop {
        if let Ok(text) = std::fs::read_to_string(profile.path().join("DevToolsActivePort"))
            && let Some(p) = text.lines().next().and_then(|l| l.parse::<u16>().ok())
        {
            break p;
        }
        assert!(Instant::now() < deadline, "chromium did not open its debugging port");
        std::thread::sleep(Duration::from_millis(100));
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("page.heapsnapshot");
    // The page may still be loading: retry briefly until its script has run.
    let mut count = 0;
    for _ in 0..50 {
        let o = heapsift(&[
            "capture",
            "--inspect",
            &port.to_string(),
            "-o",
            out.to_str().unwrap(),
            "-q",
        ]);
        if o.status.success() {
            count = summary_count(&out, "PlantedInPage");
            if count == 123 {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(count, 123);
    assert_eq!(entries(dir.path()), ["page.heapsnapshot"]);
}

/// A snapshot cancelled halfway goes on streaming in the target; none of it may end up in the
/// next snapshot taken over the same connection (the app's live panel keeps its session).
#[test]
fn a_cancelled_snapshot_does_not_leak_into_the_next_one() {
    use heapsift::capture::{CaptureError, Endpoint, Options, Session};
    use heapsift::progress::Progress;
    let Some(node) = node("a_cancelled_snapshot_does_not_leak_into_the_next_one") else {
        return;
    };
    let server = Server::start(&node, true, 20);
    let ep = Endpoint::parse(&server.inspector()).unwrap();
    let mut session = Session::open(&ep, None, &Options::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let progress = Progress::new();
    let (watch, folder) = (progress.clone(), dir.path().to_path_buf());
    let watcher = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let written: u64 = std::fs::read_dir(&folder)
                .unwrap()
                .flatten()
                .map(|e| e.metadata().map_or(0, |m| m.len()))
                .sum();
            if written > 0 {
                watch.cancel();
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    });
    let first = session.take_snapshot(&dir.path().join("first.heapsnapshot"), &progress);
    watcher.join().unwrap();
    assert_eq!(first.unwrap_err(), CaptureError::Cancelled);
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
    for _ in 0..3 {
        server.get("/checkout");
    }
    let second = dir.path().join("second.heapsnapshot");
    session.take_snapshot(&second, &Progress::new()).unwrap();
    assert_eq!(summary_count(&second, "LeakedCheckout"), 3);
}

/// `hunt --json` on one of `tests/live/kinds.js`'s services, the action run 60 times.
fn hunt_kind(kind: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let port = free_port();
    let exec = format!("KIND={kind} PORT={port} node tests/live/kinds.js");
    let o = common::heapsift_command()
        .args(["hunt", "--exec", &exec, "--action", &action_url(port, "/action")])
        .args(["--repeat", "60", "--wait", "0", "--json", "-q"])
        .args(extra)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{kind}: {e}: {}", stderr(&o)));
    (o.status.code(), v)
}

/// Node's timers are a linked list: sixty intervals never cleared are one group of sixty, made
/// once per action, with what their callbacks hold kept alive by it; a cache capped at 20
/// entries is not growing with every action and passes --fail-above; a service that releases
/// everything has no group that grows per action.
#[test]
fn hunt_groups_timer_lists_and_tells_bounded_caches_from_leaks() {
    let Some(_) = node("hunt_groups_timer_lists_and_tells_bounded_caches_from_leaks") else {
        return;
    };
    let (code, v) = hunt_kind("timers", &[]);
    assert_eq!(code, Some(0));
    assert_eq!(v["runs"], 60);
    let first = &v["groups"][0];
    assert_eq!(
        (first["class"].as_str(), first["count"].as_u64()),
        (Some("Timeout"), Some(60)),
        "{first}"
    );
    assert_eq!(first["grows_per_action"], true);
    let job = find_group(first["kept_alive"].as_array().unwrap(), "PollJob").expect("the jobs are under the timers");
    assert_eq!(
        (job["count"].as_u64(), job["per_action"].as_f64()),
        (Some(60), Some(1.0)),
        "{job}"
    );

    let (code, v) = hunt_kind("lru", &["--fail-above", "1B"]);
    let page = find_group(v["groups"].as_array().unwrap(), "CachedPage").expect("the capped cache's pages");
    assert_eq!(
        (page["count"].as_u64(), page["grows_per_action"].as_bool()),
        (Some(20), Some(false)),
        "{page}"
    );
    assert_eq!(code, Some(0), "a bounded cache is no leak: {}", v["gate"]);

    let (code, v) = hunt_kind("control", &["--fail-above", "1B"]);
    assert_eq!(code, Some(0), "{}", v["gate"]);
    let growing: Vec<&Value> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["grows_per_action"] == true)
        .collect();
    assert!(growing.is_empty(), "nothing grows with every action: {growing:?}");
}

/// Each kind of leak the guides name, planted in `tests/live/kinds.js` (one object of its own
/// class per action): hunt names its cause and the holder, and the planted class with its exact
/// count is the first root group's headline: the group itself, or, under a container (a listener
/// array, timers, a socket's handle), its `leaked` group.
#[test]
fn hunt_names_the_cause_of_each_kind_of_leak() {
    let Some(_) = node("hunt_names_the_cause_of_each_kind_of_leak") else {
        return;
    };
    let cases = common::LEAK_KINDS;
    let mut wrong = Vec::new();
    for (kind, cause, class, holder) in cases {
        let (code, v) = hunt_kind(kind, &[]);
        assert_eq!(code, Some(0), "{kind}");
        let first = &v["groups"][0];
        let headline = if first["leaked"].is_null() {
            first
        } else {
            &first["leaked"]
        };
        let got = (
            first["cause"]["kind"].as_str().unwrap_or_default().to_owned(),
            first["cause"]["holder"].as_str().unwrap_or_default().to_owned(),
            (headline["class"] == class)
                .then(|| headline["count"].as_u64())
                .flatten(),
        );
        if got.0 != cause || !got.1.contains(holder) || got.2 != Some(60) {
            wrong.push(format!("{kind}: got {got:?}, want ({cause}, …{holder}…, {class} ×60)"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A leak inside a dependency from npm: express-session's default MemoryStore keeps one session
/// (a JSON string, keyed by a random id) per request without a cookie. With default flags, hunt
/// reports the 60 sessions as one growing collection, names its holder and its package. The
/// packages are installed, pinned, by `.ci/run` (`npm ci` in tests/live/npm-session).
#[test]
fn hunt_finds_a_leak_inside_an_npm_dependency() {
    let test = "hunt_finds_a_leak_inside_an_npm_dependency";
    let Some(_) = node(test) else {
        return;
    };
    let dir = common::repo().join("tests/live/npm-session");
    if !dir.join("node_modules/express-session").is_dir() {
        assert!(
            !in_ci(),
            "{test}: tests/live/npm-session has no node_modules, and CI=true requires it (npm ci there)"
        );
        eprintln!("SKIPPED {test}: run `npm ci --prefix tests/live/npm-session` to install its pinned packages");
        return;
    }
    let port = free_port();
    let exec = format!("PORT={port} node tests/live/npm-session/server.js");
    let o = common::heapsift_command()
        .args(["hunt", "--exec", &exec, "--action", &action_url(port, "/action")])
        .args(["--repeat", "60", "--wait", "0", "--json", "-q"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let first = &v["groups"][0];
    let cause = &first["cause"];
    assert_eq!(
        (
            first["count"].as_u64(),
            first["grows_per_action"].as_bool(),
            cause["kind"].as_str(),
            cause["package"].as_str()
        ),
        (Some(60), Some(true), Some("collection"), Some("express-session")),
        "{first}"
    );
    let holder = cause["holder"].as_str().unwrap();
    assert!(holder.contains(".sessions (Object of MemoryStore)"), "{holder}");
    assert!(
        cause["location"]["url"]
            .as_str()
            .unwrap()
            .ends_with("node_modules/express-session/session/memory.js"),
        "{cause}"
    );
}

/// `hunt --track-allocations`: tracking starts before the baseline and the final snapshot is the
/// one that ends it, so the leaked group says which function of the service made its objects,
/// and the snapshots left behind carry the Allocation view.
#[test]
fn hunt_with_allocation_tracking_names_the_function_that_made_the_leak() {
    let test = "hunt_with_allocation_tracking_names_the_function_that_made_the_leak";
    let Some(_) = node(test) else {
        return;
    };
    let script = std::fs::read_to_string(common::repo().join("tests/live/kinds.js")).unwrap();
    let line_of = |needle: &str| script.lines().position(|l| l.contains(needle)).unwrap() + 1;
    // V8 records a function by where its parameters start.
    let action = format!("action (kinds.js:{}:16)", line_of("function action(id, done)"));
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let exec = format!("KIND=cache PORT={port} node tests/live/kinds.js");
    let o = common::heapsift_command()
        .args(["hunt", "--exec", &exec, "--action", &action_url(port, "/action")])
        .args(["--repeat", "30", "--wait", "0", "--track-allocations", "-q", "--keep"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let by = text
        .lines()
        .find(|l| l.trim_start().starts_with("allocated by:"))
        .unwrap_or_else(|| panic!("no allocation stack:\n{text}"));
    assert!(by.contains(&format!("allocated by: {action} ← ")), "{by}");
    let first = text
        .lines()
        .find(|l| l.starts_with("#1 "))
        .unwrap_or_else(|| panic!("no group #1:\n{text}"));
    assert!(
        first.contains("UserProfile") && first.contains("×30"),
        "{first}\n{text}"
    );
    for step in ["baseline", "target", "final"] {
        let file = dir.path().join(format!("{step}.heapsnapshot"));
        let o = common::heapsift_command()
            .args(["allocations", "--json", "-q"])
            .arg(&file)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["tracked"], true, "{step}: {v}");
    }
}

/// `capture --sampling` records a sampling heap profile that `heapsift profile` reads, with the
/// service's request handler among the allocating functions; `capture --track-allocations`
/// records allocation stacks for a while, then saves the snapshot V8 takes as it stops; the
/// service keeps serving after both (tracking stopped).
#[test]
fn capture_records_a_sampling_profile_and_a_tracked_snapshot() {
    let test = "capture_records_a_sampling_profile_and_a_tracked_snapshot";
    let Some(node) = node(test) else {
        return;
    };
    let server = Server::start(&node, true, 0);
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.heapprofile");
    let inspector = server.inspector();
    let traffic = {
        let port = server.http_port;
        std::thread::spawn(move || {
            for _ in 0..300 {
                let _ = std::net::TcpStream::connect(("127.0.0.1", port)).map(|mut s| {
                    let _ = s.write_all(b"GET /checkout HTTP/1.0\r\n\r\n");
                    let mut sink = Vec::new();
                    let _ = s.read_to_end(&mut sink);
                });
            }
        })
    };
    let o = common::heapsift_command()
        .args([
            "capture",
            "--inspect",
            &inspector,
            "--sampling",
            "2",
            "--sampling-interval",
            "1024",
            "-q",
            "-o",
        ])
        .arg(&profile)
        .output()
        .unwrap();
    traffic.join().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = common::heapsift_command()
        .args(["profile", "--json", "--top", "1000", "-q"])
        .arg(&profile)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let urls: Vec<&str> = v["functions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["url"].as_str())
        .collect();
    assert!(
        urls.iter().any(|u| u.ends_with("server.js")),
        "the service's code allocated: {urls:?}"
    );

    let tracked = dir.path().join("t.heapsnapshot");
    let o = common::heapsift_command()
        .args([
            "capture",
            "--inspect",
            &inspector,
            "--track-allocations",
            "1",
            "-q",
            "-o",
        ])
        .arg(&tracked)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = common::heapsift_command()
        .args(["allocations", "--json", "-q"])
        .arg(&tracked)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["tracked"], true, "{v}");
    assert!(v["function_count"].as_u64().unwrap() > 0);
    server.get("/checkout");
}

/// The TypeScript service built now by esbuild (pinned in tests/live/ts-service, installed by
/// `.ci/run`), minified, its map beside the bundle: `hunt --track-allocations` names the leak by
/// its class in the .ts source and the functions that made it, with no flag to find the map.
#[test]
fn hunt_reads_a_minified_typescript_service_through_its_source_map() {
    let test = "hunt_reads_a_minified_typescript_service_through_its_source_map";
    let Some(_) = node(test) else {
        return;
    };
    let service = common::repo().join("tests/live/ts-service");
    let esbuild = service.join("node_modules/.bin/esbuild");
    if !esbuild.exists() {
        assert!(
            !in_ci(),
            "{test}: tests/live/ts-service has no node_modules, and CI=true requires it (npm ci there)"
        );
        eprintln!("SKIPPED {test}: run `npm ci --prefix tests/live/ts-service` to install its pinned esbuild");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let bundle = out.path().join("server.js");
    let built = Command::new(&esbuild)
        .current_dir(&service)
        .args([
            "src/server.ts",
            "--bundle",
            "--minify",
            "--sourcemap",
            "--platform=node",
            "--target=node18",
        ])
        .arg(format!("--outfile={}", bundle.display()))
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(
        std::fs::read_to_string(&bundle)
            .unwrap()
            .contains("sourceMappingURL=server.js.map")
    );
    let port = free_port();
    let exec = format!("PORT={port} node {}", bundle.display());
    let o = common::heapsift_command()
        .args(["hunt", "--exec", &exec, "--action", &action_url(port, "/action")])
        .args(["--repeat", "30", "--wait", "0", "--track-allocations", "-q"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let first = text
        .lines()
        .find(|l| l.starts_with("#1 "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(first.starts_with("#1  TenantProfile (profiles.ts:9:3) ×30"), "{first}");
    assert!(
        text.contains("allocated by: remember (profiles.ts:17:17) ← handler (server.ts:7:10)"),
        "{text}"
    );
}
