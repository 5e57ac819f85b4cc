use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match soapbridge::cli::run(soapbridge::cli::Cli::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
