use std::process::ExitCode;

use clap::Parser;
use heapsift::cli::{Cli, EXIT_BAD_INPUT, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    heapsift::engine::use_cache(if cli.no_cache {
        heapsift::engine::CachePolicy::Off
    } else {
        heapsift::engine::CachePolicy::from_env()
    });
    if let Some(code) = run(&cli) {
        return code;
    }
    if let Some(code) = check_files(&cli) {
        return code;
    }
    app(cli)
}

/// Files to open that do not exist. When none exists, or the first argument is a bare word
/// (`sumary`: no folder, no extension), it is most likely a mistyped subcommand: say so and exit. A batch run (`--screenshot`, `--export-finding`) must not
/// skip input: it stops too. Otherwise the app starts with every file, showing each missing one
/// as a failed tab, and stderr names them.
fn check_files(cli: &Cli) -> Option<ExitCode> {
    let missing: Vec<_> = cli.files.iter().filter(|f| !f.exists()).collect();
    let bare_word = |f: &std::path::Path| {
        let s = f.to_string_lossy();
        !s.contains(['/', '\\', '.'])
    };
    let mistyped = cli.files.first().is_some_and(|f| !f.exists() && bare_word(f));
    let none_exists = !missing.is_empty() && missing.len() == cli.files.len();
    for (i, f) in missing.iter().enumerate() {
        if i == 0 && (none_exists || mistyped) {
            let commands = heapsift::cli::command_names().join(", ");
            eprintln!(
                "heapsift: {}: no such file or subcommand (commands: {commands}; see --help)",
                f.display()
            );
        } else {
            eprintln!("heapsift: {}: no such file", f.display());
        }
    }
    let batch = cli.screenshot.is_some() || cli.export_finding.is_some();
    (none_exists || mistyped || (batch && !missing.is_empty())).then(|| ExitCode::from(EXIT_BAD_INPUT))
}

#[cfg(feature = "gui")]
fn app(cli: Cli) -> ExitCode {
    let select = match cli.select.as_deref().map(heapsift::model::parse_object_id) {
        None => None,
        Some(Some(id)) => Some(id),
        Some(None) => {
            eprintln!("heapsift: --select takes an object id like @123");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    if cli.wizard && cli.files.len() != 3 && !cli.files.is_empty() {
        eprintln!("heapsift: --wizard takes three snapshots: baseline, target, final");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    if (cli.screenshot.is_some() || cli.export_finding.is_some()) && cli.files.is_empty() {
        eprintln!("heapsift: --screenshot and --export-finding need snapshot files to open");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    use heapsift::capture::{Connect, Endpoint};
    let connect = match (&cli.connect, cli.attach) {
        (Some(addr), _) => match Endpoint::parse(addr) {
            Ok(ep) => Some(Connect::Inspect(ep, None)),
            Err(e) => {
                eprintln!("heapsift: --connect: {e}");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        },
        (None, Some(pid)) => Some(Connect::Pid(pid)),
        (None, None) => None,
    };
    let options = heapsift::ui::Options {
        connect,
        files: cli.files,
        screenshot: cli.screenshot,
        view: cli.view.as_deref().and_then(heapsift::ui::View::parse),
        select,
        wizard: cli.wizard,
        export_finding: cli.export_finding,
        growth: cli.growth,
        size: cli.size,
        theme: cli.theme.as_deref().map(|t| {
            if t == "light" {
                heapsift::ui::Theme::Light
            } else {
                heapsift::ui::Theme::Dark
            }
        }),
    };
    ExitCode::from(heapsift::ui::run(options).clamp(0, 255) as u8)
}

#[cfg(not(feature = "gui"))]
fn app(_cli: Cli) -> ExitCode {
    eprintln!("heapsift: this build has no desktop app (built without the `gui` feature); see `heapsift --help`");
    ExitCode::from(EXIT_BAD_INPUT)
}
