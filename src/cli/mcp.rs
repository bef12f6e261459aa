//! `heapsift mcp`: the Model Context Protocol server (`crate::mcp`) on stdin and stdout.

use super::{CliError, CliResult, Global};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Let `capture` and `hunt` connect to inspectors on other hosts. An inspector port runs
    /// any code it is sent.
    #[arg(long)]
    allow_remote: bool,
    /// Let `hunt` run shell commands (its `exec` and `action`), as the agent writes them.
    #[arg(long)]
    allow_exec: bool,
    /// Analysed snapshots kept in memory, in MB; the least recently used are dropped beyond it
    /// (one bigger snapshot is still opened).
    #[arg(long, value_name = "MB", default_value_t = 8000)]
    memory: u64,
}

pub(super) fn run(a: &Args, _g: &Global) -> CliResult {
    crate::mcp::serve(crate::mcp::Options {
        allow_remote: a.allow_remote,
        allow_exec: a.allow_exec,
        memory: a.memory.saturating_mul(1_000_000),
    })
    .map_err(CliError::Usage)
}
