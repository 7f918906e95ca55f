//! `kitap`: the one binary. Serves the API, migrates, manages staff accounts.

mod catalog;
mod cli;
mod logging;
mod serve;
mod user;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("kitap: {err:#}");
            ExitCode::FAILURE
        }
    }
}
