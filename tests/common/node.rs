//! Real Node processes for the live-capture tests (`tests/live.rs`, `tests/ui.rs`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

pub fn find(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}

/// `node`, or `None` after saying the test was skipped (a failure under CI).
pub fn node(test: &str) -> Option<PathBuf> {
    let found = find("node");
    if found.is_none() {
        assert!(
            !in_ci(),
            "{test}: node is not installed, and CI=true requires the live tests to run"
        );
        eprintln!("SKIPPED {test}: node is not installed (install Node.js to run the live-capture tests)");
    }
    found
}

pub fn port_is_closed(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(300)).is_err()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub const SERVER: &str = "tests/live/server.js";

/// The test service, killed when dropped.
pub struct Server {
    pub child: Child,
    pub http_port: u16,
    pub inspector_port: Option<u16>,
}

impl Server {
    pub fn start(node: &Path, inspect: bool, big: u32) -> Server {
        let mut cmd = Command::new(node);
        if inspect {
            cmd.arg("--inspect=127.0.0.1:0");
        }
        let mut child = cmd
            .arg(SERVER)
            .env("PORT", "0")
            .env("BIG", big.to_string())
            .env_remove("NODE_OPTIONS")
            .current_dir(super::repo())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts node");
        let mut inspector_port = None;
        if inspect {
            let mut err = BufReader::new(child.stderr.take().unwrap());
            let mut line = String::new();
            while err.read_line(&mut line).unwrap() > 0 {
                if let Some(url) = line.trim().strip_prefix("Debugger listening on ws://127.0.0.1:") {
                    inspector_port = Some(url.split('/').next().unwrap().parse().unwrap());
                    break;
                }
                line.clear();
            }
            // Keep draining so that node never blocks on a full pipe.
            std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
        }
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let http_port = line
            .trim()
            .strip_prefix("listening on ")
            .expect("server ready")
            .parse()
            .unwrap();
        Server {
            child,
            http_port,
            inspector_port,
        }
    }

    pub fn inspector(&self) -> String {
        format!("127.0.0.1:{}", self.inspector_port.expect("started with --inspect"))
    }

    pub fn get(&self, path: &str) {
        let mut s = TcpStream::connect(("127.0.0.1", self.http_port)).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        let mut body = String::new();
        s.read_to_string(&mut body).unwrap();
        assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
