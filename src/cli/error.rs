//! Why a command failed, and the one way every command ends: its output flushed, then exit 0,
//! or one line on stderr (one per file or group where there are several) and its exit code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::error::FileError;

/// Exit code for bad input or usage.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code above `--fail-above`: the command worked and found a leak too big.
pub const EXIT_OVER_LIMIT: u8 = 1;
/// Exit code after Ctrl+C (128 + SIGINT), as shells expect.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Why a command failed: one line on stderr, then exit 2 (130 when interrupted, 1 above
/// `--fail-above`).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// A snapshot or index that could not be read or analysed.
    #[error(transparent)]
    File(#[from] FileError),
    /// An argument that cannot be used as given.
    #[error("{0}")]
    Usage(String),
    /// Files to open that do not exist, one line each (the first may be a mistyped command).
    #[error("{}", .0.join("; "))]
    Missing(Vec<String>),
    /// An output path heapsift will not write to.
    #[error("{}: {why}", path.display())]
    Refused { path: PathBuf, why: &'static str },
    /// Writing an output file (or making its folder) failed.
    #[error(transparent)]
    Output(#[from] crate::error::PathIoError),
    /// Writing to stdout failed (not a reader that went away: that ends quietly).
    #[error("cannot write the output: {0}")]
    Stdout(#[source] std::io::Error),
    #[error(transparent)]
    Index(#[from] crate::error::SaveError),
    /// A mistake the analysis found in what it was given (snapshots of two processes).
    #[error(transparent)]
    Analysis(crate::error::Error),
    #[error(transparent)]
    Capture(crate::capture::CaptureError),
    #[error(transparent)]
    Desktop(#[from] crate::desktop::DesktopError),
    /// Leak groups that retain more than `--fail-above`, one line each: not a failure of the
    /// command, the gate a CI job asked for.
    #[error("{}", .0.join("; "))]
    OverLimit(Vec<String>),
    /// Ctrl+C, SIGTERM or SIGHUP during a capture: everything started was stopped, nothing
    /// partial left.
    #[error("interrupted; nothing was left behind")]
    Interrupted,
    /// An analysis was cancelled (its progress was cancelled without a signal).
    #[error("cancelled")]
    Cancelled,
}

impl From<crate::capture::CaptureError> for CliError {
    fn from(e: crate::capture::CaptureError) -> Self {
        match e {
            crate::capture::CaptureError::Cancelled => CliError::Interrupted,
            e => CliError::Capture(e),
        }
    }
}

impl From<crate::error::Error> for CliError {
    fn from(e: crate::error::Error) -> Self {
        match e {
            crate::error::Error::Cancelled => CliError::Cancelled,
            e => CliError::Analysis(e),
        }
    }
}

impl CliError {
    pub(crate) fn exists(path: &Path) -> CliError {
        CliError::Refused {
            path: path.to_path_buf(),
            why: "already exists; not overwriting it",
        }
    }

    pub(crate) fn fail_above(text: &str) -> CliError {
        CliError::Usage(format!("--fail-above {text:?} is not a size like 1MB, 512kB or 2MiB"))
    }
}

pub(crate) type CliResult<T = ()> = Result<T, CliError>;

/// How a command ends: exit 0 once all its output is written (see `output::finish`), or its
/// error on stderr and its exit code.
pub(crate) fn exit(result: CliResult) -> ExitCode {
    // What was printed must all be written, also when a gate failed.
    let result = match result {
        Ok(()) | Err(CliError::OverLimit(_)) => super::output::finish().and(result),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = match &e {
                CliError::Interrupted => EXIT_INTERRUPTED,
                CliError::OverLimit(_) => EXIT_OVER_LIMIT,
                _ => EXIT_BAD_INPUT,
            };
            match e {
                CliError::Missing(lines) | CliError::OverLimit(lines) => {
                    for line in lines {
                        eprintln!("heapsift: {line}");
                    }
                }
                e => eprintln!("heapsift: {e}"),
            }
            ExitCode::from(code)
        }
    }
}

/// Parses the command line; a usage mistake is one line on stderr, as every other error, and
/// exit 2 (help and version print as clap prints them).
pub fn parse() -> Result<super::Cli, ExitCode> {
    use clap::Parser;
    use clap::error::ErrorKind;
    let e = match super::Cli::try_parse() {
        Ok(cli) => return Ok(cli),
        Err(e) => e,
    };
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    eprintln!("heapsift: {}", one_line(&e.render().to_string()));
    Err(ExitCode::from(EXIT_BAD_INPUT))
}

/// clap's message on one line: `error: what\n\n  tip: …\n\nUsage: …` becomes
/// `what (tip: …; usage: …)`.
fn one_line(text: &str) -> String {
    let text = text.trim().strip_prefix("error: ").unwrap_or(text.trim());
    let (what, usage) = match text.split_once("\n\nUsage: ") {
        Some((w, u)) => (w, u.lines().next().unwrap_or_default().trim()),
        None => (text, ""),
    };
    let mut parts = what
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "));
    let mut out = parts.next().unwrap_or_default();
    let mut notes: Vec<String> = parts.filter(|p| !p.is_empty()).collect();
    if !usage.is_empty() {
        notes.push(format!("usage: {usage}"));
    }
    if !notes.is_empty() {
        out.push_str(&format!(" ({})", notes.join("; ")));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn usage_errors_read_as_one_line() {
        assert_eq!(
            super::one_line(
                "error: the following required arguments were not provided:\n  <S3>\n\nUsage: heapsift leaks <S1> <S2> <S3>\n\nFor more information, try '--help'.\n"
            ),
            "the following required arguments were not provided: <S3> (usage: heapsift leaks <S1> <S2> <S3>)"
        );
        assert_eq!(
            super::one_line(
                "error: unexpected argument '--foo' found\n\n  tip: to pass '--foo' as a value, use '-- --foo'\n\nUsage: heapsift summary [OPTIONS] <FILE>\n"
            ),
            "unexpected argument '--foo' found (tip: to pass '--foo' as a value, use '-- --foo'; usage: heapsift summary [OPTIONS] <FILE>)"
        );
    }
}
