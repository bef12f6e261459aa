//! `--install-desktop` and `--uninstall-desktop`: the launcher, icon and file types.

use super::CliResult;
use super::output::line;
use crate::desktop::{self, DesktopError};

pub(super) fn run(uninstall: bool) -> CliResult {
    let paths = desktop::Paths::from_env()?;
    let report = if uninstall {
        desktop::uninstall(&paths)?
    } else {
        let exe = std::env::current_exe().map_err(DesktopError::NoProgram)?;
        desktop::install(&paths, &exe)?
    };
    for l in report.lines {
        line(l);
    }
    Ok(())
}
