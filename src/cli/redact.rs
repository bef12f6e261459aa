//! `heapsift redact IN OUT`: a copy of a snapshot that is safe to share.

use std::io::Write;
use std::path::PathBuf;

use super::output::line;
use super::progress_bar::ProgressBar;
use super::{CliError, CliResult, Global};
use crate::error::PathIoError;
use crate::progress::Progress;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The snapshot to redact (never modified).
    input: PathBuf,
    /// The redacted copy (refuses to overwrite; `.gz` compresses it).
    output: PathBuf,
    /// Keep values that look like URLs or file paths (script names), so locations still
    /// name your files.
    #[arg(long)]
    keep_urls: bool,
}

pub(super) fn run(a: &Args, g: &Global) -> CliResult {
    let (input, output, keep_urls, quiet) = (a.input.as_path(), a.output.as_path(), a.keep_urls, g.quiet);
    if output.exists() {
        return Err(CliError::exists(output));
    }
    let bytes = crate::format::Bytes::open(input).map_err(|e| e.in_file(input))?;
    let tmp = crate::atomic::Pending::new(output, crate::atomic::Mode::NoClobber)
        .map_err(PathIoError::at(output, "write it"))?;
    let progress = Progress::new();
    let bar = ProgressBar::start(&progress, quiet);
    let opts = crate::format::redact::Options { keep_urls };
    let gz = output.extension().is_some_and(|e| e == "gz");
    let written = |e| crate::error::Error::write("the redacted snapshot", e);
    let file = std::io::BufWriter::with_capacity(1 << 20, tmp.file());
    let result = if gz {
        let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        crate::format::redact::redact(&bytes, opts, &mut enc, &progress)
            .and_then(|r| enc.finish().and_then(|mut f| f.flush()).map(|()| r).map_err(written))
    } else {
        let mut file = file;
        crate::format::redact::redact(&bytes, opts, &mut file, &progress)
            .and_then(|r| file.flush().map(|()| r).map_err(written))
    };
    bar.finish();
    let stats = result.map_err(|e| match e {
        e @ crate::error::Error::Write { .. } => CliError::File(e.in_file(output)),
        e => CliError::File(e.in_file(input)),
    })?;
    tmp.commit().map_err(PathIoError::at(output, "save it"))?;
    let size = std::fs::metadata(output).map(|m| m.len()).unwrap_or(0);
    line(format!(
        "{}: {} string values in {} objects redacted{} ({})",
        output.display(),
        crate::text::thousands(stats.values as u64),
        crate::text::thousands(stats.nodes as u64),
        if keep_urls {
            format!(
                ", {} URLs and paths kept",
                crate::text::thousands(stats.kept_urls as u64)
            )
        } else {
            String::new()
        },
        crate::text::bytes(size as f64),
    ));
    Ok(())
}
