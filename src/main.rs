use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = soapbridge::cli::Cli::parse();
    // The log as the settings say (text or JSON lines, from a writer thread); the guard flushes
    // it on exit.
    let _flush_on_exit =
        soapbridge::cli::logging::init(&soapbridge::cli::logging::settings_for(&cli));
    match soapbridge::cli::run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
