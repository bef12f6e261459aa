use std::process::ExitCode;

use clap::Parser;
use heapsift::cli::{Cli, EXIT_BAD_INPUT, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(code) = run(&cli) {
        return code;
    }
    app(cli)
}

#[cfg(feature = "gui")]
fn app(cli: Cli) -> ExitCode {
    let select = match cli.select.as_deref().map(|s| s.trim_start_matches('@').parse::<u32>()) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            eprintln!("heapsift: --select takes an object id like @123");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    if let Some(missing) = cli.files.iter().find(|f| !f.exists()) {
        eprintln!(
            "heapsift: {}: no such file (to run a command, use one of: summary, object, bench; see --help)",
            missing.display()
        );
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    if cli.wizard && cli.files.len() != 3 && !cli.files.is_empty() {
        eprintln!("heapsift: --wizard takes three snapshots: baseline, target, final");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    if (cli.screenshot.is_some() || cli.export_finding.is_some()) && cli.files.is_empty() {
        eprintln!("heapsift: --screenshot and --export-finding need snapshot files to open");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    let options = heapsift::ui::Options {
        files: cli.files,
        screenshot: cli.screenshot,
        view: cli.view.as_deref().and_then(heapsift::ui::View::parse),
        select,
        wizard: cli.wizard,
        export_finding: cli.export_finding,
        growth: cli.growth,
        size: None,
    };
    ExitCode::from(heapsift::ui::run(options).clamp(0, 255) as u8)
}

#[cfg(not(feature = "gui"))]
fn app(_cli: Cli) -> ExitCode {
    eprintln!("heapsift: this build has no desktop app (built without the `gui` feature); see `heapsift --help`");
    ExitCode::from(EXIT_BAD_INPUT)
}
