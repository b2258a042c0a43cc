//! `meetifyr`: serve (default), migrate or copy.

use std::process::ExitCode;

use clap::Parser;
use meetifyr::{App, Cli, Command, open_stores, shutdown_signal};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = cli.validate() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let _logs = meetifyr_telemetry::logging::init_logging(&cli.stores.log, cli.stores.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Some(Command::Migrate) => {
            for s in open_stores(&cli.stores.stores, &cli.store_options()).await? {
                tracing::info!(store = %s.name, backend = s.store.backend(), "schema is up to date");
            }
            Ok(())
        }
        Some(Command::Health) => {
            let address = meetifyr_telemetry::probe::local(cli.serve.listen);
            let line = meetifyr_telemetry::probe::check(address, "/health/ready", std::time::Duration::from_secs(5))
                .await
                .map_err(|why| anyhow::anyhow!("not ready: {why}"))?;
            println!("ready: {line}");
            Ok(())
        }
        Some(Command::Copy(ref args)) => {
            let report = meetifyr::copy(args, &cli.store_options()).await?;
            println!(
                "copied {} meetings, skipped {} already in the target",
                report.copied, report.skipped
            );
            Ok(())
        }
        None | Some(Command::Serve) => {
            let app = App::build_with_operations(
                cli.serve.listen,
                cli.serve.metrics_listen,
                &cli.stores.stores,
                &cli.store_options(),
                &cli.api_options(),
            )
            .await?
            .with_serve_options(cli.serve_options());
            for s in &cli.stores.stores {
                tracing::info!(store = %s.name, url = %s.url, "store ready at /v1/{}/", s.name);
            }
            let options = cli.api_options();
            match (options.cache, &options.bus) {
                (Some(c), meetifyr_api::BusOptions::None) => tracing::info!(
                    ttl_seconds = c.default_ttl.as_secs_f64(),
                    max_bytes = c.max_bytes,
                    "GET-meeting cache on, in this process only: without --bus, other processes on \
                     the same databases do not invalidate it (run one process per database, or give \
                     every instance --bus)"
                ),
                (Some(c), _) => tracing::info!(
                    ttl_seconds = c.default_ttl.as_secs_f64(),
                    max_bytes = c.max_bytes,
                    "GET-meeting cache on, kept coherent with other instances by --bus \
                     (every cached meeting's version is checked before it is served)"
                ),
                (None, _) => tracing::info!("GET-meeting cache off"),
            }
            match app.operations_addr() {
                None => tracing::info!(
                    "Meetifyr is up: open http://{} in a browser (API docs at /docs, metrics at /metrics)",
                    app.local_addr()
                ),
                Some(operations) => tracing::info!(
                    "Meetifyr is up: open http://{} in a browser (API docs at /docs); metrics at \
                     http://{operations}/metrics",
                    app.local_addr()
                ),
            }
            app.run(shutdown_signal()).await?;
            Ok(())
        }
    }
}
