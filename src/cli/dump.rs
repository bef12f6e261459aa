//! `heapsift dump-nodes FILE` (hidden): every node's numbers as JSON lines, for comparing with
//! DevTools when a golden test fails.

use std::path::PathBuf;

use super::{CliResult, Global, load};

#[derive(clap::Args, Debug)]
pub struct Args {
    file: PathBuf,
}

pub(super) fn run(a: &Args, g: &Global) -> CliResult {
    let s = load(&a.file, g.quiet)?;
    super::output::record(crate::present::report::dump_nodes(&s));
    Ok(())
}
