use std::process::ExitCode;

use clap::Parser;
use heapsift::cli::{Cli, EXIT_BAD_INPUT, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(code) = run(&cli) {
        return code;
    }
    eprintln!("heapsift: give a subcommand (summary, object, bench); see `heapsift --help`");
    ExitCode::from(EXIT_BAD_INPUT)
}
