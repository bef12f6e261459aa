//! `heapsift mcp` through a real MCP client: the official Python SDK (`mcp`, pinned in
//! `.ci/run`) runs `tests/mcp/client.py`, which lists the tools, calls each on the committed
//! samples and compares the answers with the CLI's JSON and DevTools' goldens.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::node::in_ci;

/// A Python with the `mcp` package: $HEAPSIFT_MCP_PYTHON (what `.ci/run` installs), else
/// `python3` if it has the package; `None` after saying the test was skipped (a failure in CI).
fn python(test: &str) -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = std::env::var_os("HEAPSIFT_MCP_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("python3")])
        .collect();
    for p in candidates {
        let ok = Command::new(&p)
            .args(["-c", "import mcp.client.stdio"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(p);
        }
    }
    assert!(
        !in_ci(),
        "{test}: no Python with the `mcp` package; CI=true requires it (.ci/run installs it)"
    );
    eprintln!("SKIPPED {test}: no Python with the `mcp` package (pip install mcp==2.3.0, or set HEAPSIFT_MCP_PYTHON)");
    None
}

#[test]
fn a_real_mcp_client_lists_the_tools_and_gets_the_clis_answers() {
    let Some(python) = python("mcp::a_real_mcp_client_lists_the_tools_and_gets_the_clis_answers") else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(python)
        .arg(root.join("tests/mcp/client.py"))
        .arg(env!("CARGO_BIN_EXE_heapsift"))
        .arg(root.join("sample-snapshots"))
        .arg(root.join("tests/golden"))
        .output()
        .expect("run the MCP client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("all MCP checks passed"),
        "the MCP client failed:\n{stdout}\n{}",
        stderr
            .lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    );
    if stdout.contains("SKIPPED") {
        eprintln!(
            "{}",
            stdout
                .lines()
                .filter(|l| l.starts_with("SKIPPED"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
