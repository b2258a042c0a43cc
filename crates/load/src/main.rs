use std::process::ExitCode;

use clap::Parser;
use meetifyr_load::{Outcome, cli::Args};

#[tokio::main]
async fn main() -> ExitCode {
    match meetifyr_load::run(Args::parse()).await {
        Ok(Outcome::Passed) => ExitCode::SUCCESS,
        Ok(Outcome::GatesFailed) => ExitCode::from(3),
        Err(error) => {
            eprintln!("meetifyr-load: {error:#}");
            ExitCode::FAILURE
        }
    }
}
