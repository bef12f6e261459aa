//! The `heapsift` binary: the command line (`cli`) runs the commands and checks the app's
//! flags; only a run without a command starts the desktop app (`ui`).

use std::process::ExitCode;

use heapsift::cli::{self, Next};

fn main() -> ExitCode {
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    match cli::main(&cli) {
        Next::Exit(code) => code,
        Next::App(flags) => app(*flags),
    }
}

#[cfg(feature = "gui")]
fn app(flags: cli::AppFlags) -> ExitCode {
    use heapsift::ui::{Options, Theme, View};
    let options = Options {
        connect: flags.connect,
        files: flags.files,
        screenshot: flags.screenshot,
        view: flags.view.as_deref().and_then(View::parse),
        select: flags.select,
        query: flags.query,
        wizard: flags.wizard,
        export_finding: flags.export_finding,
        growth: flags.growth,
        size: flags.size,
        theme: flags
            .theme
            .map(|t| if t == "light" { Theme::Light } else { Theme::Dark }),
        settings_file: None,
    };
    ExitCode::from(heapsift::ui::run(options).clamp(0, 255) as u8)
}

#[cfg(not(feature = "gui"))]
fn app(_flags: cli::AppFlags) -> ExitCode {
    eprintln!("heapsift: this build has no desktop app (built without the `gui` feature); see `heapsift --help`");
    ExitCode::from(cli::EXIT_BAD_INPUT)
}
