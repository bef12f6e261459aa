//! `heapsift index FILE [-o OUT]`: analyse a snapshot and save its index, in the cache folder or
//! as a portable file opened in place of the snapshot.

use std::path::PathBuf;

use super::output::line;
use super::progress_bar::ProgressBar;
use super::{CliError, CliResult, Global};
use crate::engine;
use crate::progress::Progress;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The heap snapshot.
    file: PathBuf,
    /// Write the index here instead of the cache folder (refuses to overwrite anything but
    /// an index).
    #[arg(long, short, value_name = "OUT.hsidx")]
    out: Option<PathBuf>,
}

pub(super) fn run(a: &Args, g: &Global) -> CliResult {
    let (file, out, quiet) = (a.file.as_path(), a.out.as_deref(), g.quiet);
    if engine::store::is_index_file(file) {
        return Err(CliError::Refused {
            path: file.to_path_buf(),
            why: "this is an index already",
        });
    }
    let path = match out {
        Some(out) if out.exists() && !engine::store::is_index_file(out) => {
            return Err(CliError::Refused {
                path: out.to_path_buf(),
                why: "exists and is not a heapsift index; not overwriting it",
            });
        }
        Some(out) => out.to_path_buf(),
        None => match engine::cache_policy() {
            engine::CachePolicy::Dir(dir) => engine::store::cache_path(&dir, file),
            engine::CachePolicy::Off => {
                return Err(CliError::Usage(
                    "the cache is off (--no-cache, or no cache folder): give -o OUT.hsidx".into(),
                ));
            }
        },
    };
    let key = engine::store::SourceKey::of(file).map_err(|e| crate::error::Error::from(e).in_file(file))?;
    let target = engine::SaveIndex {
        path,
        origin: engine::store::Origin::of(file, key),
    };
    let progress = Progress::new();
    let bar = ProgressBar::start(&progress, quiet);
    let start = std::time::Instant::now();
    let result = engine::load(file, &progress);
    bar.finish();
    let s = result?;
    target.write(&s)?;
    let size = std::fs::metadata(&target.path).map(|m| m.len()).unwrap_or(0);
    line(format!(
        "{}: index saved to {} ({}, {:.1} s)",
        file.display(),
        target.path.display(),
        crate::text::bytes(size as f64),
        start.elapsed().as_secs_f64()
    ));
    Ok(())
}
