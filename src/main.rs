//! The `heapsift` binary: the command line (`cli`) runs the commands and checks the app's
//! flags; only a run without a command starts the desktop app (`ui`).

use std::process::ExitCode;

use heapsift::cli::{self, Next};

fn main() -> ExitCode {
    fixed_mmap_threshold();
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    match cli::main(&cli) {
        Next::Exit(code) => code,
        Next::App(flags) => app(*flags),
    }
}

/// glibc raises its mmap threshold to the size of each mapped block freed (up to 32 MB), after
/// which node-sized arrays of a mid-sized snapshot come from the heap and stay resident when
/// freed: the 437 MB heap's peak was 45 MB higher. A fixed threshold keeps every large array
/// mapped, so freeing one returns it to the system.
fn fixed_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called first thing in `main`, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
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
