//! The desktop app's flags, checked like every other argument: a mistake is a `CliError`, one
//! line and exit 2, before any window opens.

use std::path::{Path, PathBuf};

use super::{Cli, CliError, CliResult, command_names};
use crate::capture::{Connect, Endpoint};
use crate::model::ObjectId;

/// The app's flags, checked. `main` turns them into the app's options.
#[derive(Debug, Default)]
pub struct AppFlags {
    pub files: Vec<PathBuf>,
    pub screenshot: Option<PathBuf>,
    /// One of `--view`'s names.
    pub view: Option<String>,
    pub select: Option<ObjectId>,
    /// `--query`, already checked to parse.
    pub query: Option<String>,
    pub wizard: bool,
    pub export_finding: Option<PathBuf>,
    pub growth: bool,
    pub size: Option<[f32; 2]>,
    /// `light` or `dark`.
    pub theme: Option<String>,
    pub connect: Option<Connect>,
}

/// `1024x700` → [1024, 700].
pub(super) fn parse_size(s: &str) -> Result<[f32; 2], String> {
    let parsed = s
        .split_once(['x', 'X'])
        .and_then(|(w, h)| Some([w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?]));
    match parsed {
        Some([w, h]) if (320..=16384).contains(&w) && (240..=16384).contains(&h) => Ok([w as f32, h as f32]),
        _ => Err(format!("expected a size like 1024x700, got {s:?}")),
    }
}

pub(super) fn flags(cli: &Cli) -> CliResult<AppFlags> {
    check_files(cli)?;
    let files = expand_folders(&cli.files)?;
    let select = match cli.select.as_deref().map(crate::model::parse_object_id) {
        None => None,
        Some(Some(id)) => Some(id),
        Some(None) => return Err(CliError::Usage("--select takes an object id like @123".into())),
    };
    if let Some(q) = &cli.query {
        crate::analysis::find::Query::parse(q).map_err(|e| CliError::Usage(format!("--query {q:?}: {e}")))?;
    }
    if cli.wizard && files.len() != 3 && !files.is_empty() {
        return Err(CliError::Usage(format!(
            "--wizard takes three snapshots (baseline, target, final), or a folder of three; got {}",
            files.len()
        )));
    }
    if (cli.screenshot.is_some() || cli.export_finding.is_some()) && cli.files.is_empty() {
        return Err(CliError::Usage(
            "--screenshot and --export-finding need snapshot files to open".into(),
        ));
    }
    let connect = match (&cli.connect, cli.attach) {
        (Some(addr), _) => Some(Connect::Inspect(
            Endpoint::parse(addr).map_err(|e| CliError::Usage(format!("--connect: {e}")))?,
            None,
        )),
        (None, Some(pid)) => Some(Connect::Pid(pid)),
        (None, None) => None,
    };
    Ok(AppFlags {
        files,
        screenshot: cli.screenshot.clone(),
        view: cli.view.clone(),
        select,
        query: cli.query.clone(),
        wizard: cli.wizard,
        export_finding: cli.export_finding.clone(),
        growth: cli.growth,
        size: cli.size,
        theme: cli.theme.clone(),
        connect,
    })
}

/// A folder stands for the snapshots in it (oldest first), so a set's folder opens as a whole.
fn expand_folders(files: &[PathBuf]) -> CliResult<Vec<PathBuf>> {
    let mut out = Vec::new();
    for f in files {
        if !f.is_dir() {
            out.push(f.clone());
            continue;
        }
        let found =
            crate::engine::snapshot_files(f).map_err(|e| crate::error::PathIoError::at(f, "read the folder")(e))?;
        if found.is_empty() {
            return Err(CliError::Usage(format!(
                "{}: no .heapsnapshot or .heapsnapshot.gz files in this folder",
                f.display()
            )));
        }
        out.extend(found);
    }
    Ok(out)
}

/// Files to open that do not exist. When none exists, or the first argument is a bare word
/// (`sumary`: no folder, no extension), it is most likely a mistyped subcommand: say so and
/// exit. A batch run (`--screenshot`, `--export-finding`) must not skip input: it stops too.
/// Otherwise the app starts with every file, showing each missing one as a failed tab, and
/// stderr names them.
fn check_files(cli: &Cli) -> CliResult {
    let missing: Vec<&PathBuf> = cli.files.iter().filter(|f| !f.exists()).collect();
    let bare_word = |f: &Path| !f.to_string_lossy().contains(['/', '\\', '.']);
    let mistyped = cli.files.first().is_some_and(|f| !f.exists() && bare_word(f));
    let none_exists = !missing.is_empty() && missing.len() == cli.files.len();
    let lines: Vec<String> = missing
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if i == 0 && (none_exists || mistyped) {
                format!(
                    "{}: no such file or subcommand (commands: {}; see --help)",
                    f.display(),
                    command_names().join(", ")
                )
            } else {
                format!("{}: no such file", f.display())
            }
        })
        .collect();
    let batch = cli.screenshot.is_some() || cli.export_finding.is_some();
    if none_exists || mistyped || (batch && !missing.is_empty()) {
        return Err(CliError::Missing(lines));
    }
    for line in lines {
        eprintln!("heapsift: {line}");
    }
    Ok(())
}
