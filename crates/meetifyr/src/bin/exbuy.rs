//! `cargo run --release --bin exbuy`: the ExBuy service (crates/exbuy). It lives in this package
//! so that the workspace's default `cargo run` stays Meetifyr's and `--bin exbuy` still finds it.

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
