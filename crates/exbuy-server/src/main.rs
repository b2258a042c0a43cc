//! `cargo run --release -p exbuy-server`: the `exbuy` binary, serving or seeding ExBuy (the
//! library in crates/exbuy).

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match exbuy::main_with(exbuy::Config::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("exbuy: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
