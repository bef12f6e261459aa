//! heapsift's integration tests: one binary, one module per concern (as ripgrep's
//! `tests/tests.rs`), so the crate and egui are linked once.
//!
//! Where a new test goes:
//! - an algorithm on a small hand-built graph, its numbers checked against DevTools: `analysis`
//! - a committed sample against DevTools' own numbers (goldens in `tests/golden/`): `golden`
//! - a broken or hostile file: `bad_input`; a new kind of damage the fuzzer finds: `fuzz`, with
//!   its seed in `tests/regressions/fuzz-seeds.txt`
//! - a command's output, exit code or flags: `cli`; the commands over several snapshots (diff,
//!   growth, leaks): `multi`
//! - what terminals and CI read: widths, units, the JSON schema, gates, annotations: `terminal`
//! - saved indexes and the cache: `index`
//! - capture from a real Node process or Chromium page: `live`
//! - the MCP server, through the official Python client: `mcp`
//! - the app, driven through its accessibility tree: `ui`
//! - a rule about the code itself (layers): `tidy`
//!
//! Shared helpers (running the binary, hand-built graphs, a seeded generator, Node processes)
//! are in `common`.

mod common;

mod analysis;
mod bad_input;
mod cli;
mod fuzz;
mod golden;
mod index;
mod live;
mod mcp;
mod multi;
mod terminal;
mod tidy;
#[cfg(feature = "gui")]
mod ui;
