//! `meetifyr-load`: Meetifyr's load tests over HTTP, on goose.

mod charts;
pub mod cli;
pub mod exbuy;
pub mod gates;
mod live;
pub mod report;
pub mod scenarios;
pub mod timeline;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use goose::config::GooseConfiguration;
use goose::prelude::*;

use crate::cli::{Args, ScenarioKind, Shape};
use crate::gates::Gates;
use crate::report::{LoadCpu, RunInfo, Summary};
use crate::scenarios::{PROGRESS, Target};
use crate::timeline::TIMELINE;

/// How a finished run went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    GatesFailed,
}

/// Runs each scenario in turn; gates failed if any scenario's did.
pub async fn run(args: Args) -> anyhow::Result<Outcome> {
    if args.scenarios.is_empty() {
        bail!("--scenario names no scenario");
    }
    let mut outcome = Outcome::Passed;
    for &kind in &args.scenarios {
        if run_one(&args, kind).await? == Outcome::GatesFailed {
            outcome = Outcome::GatesFailed;
        }
    }
    Ok(outcome)
}

/// The `live` scenario on each store in turn; a lost update fails the run like a gate.
async fn run_live(args: &Args) -> anyhow::Result<Outcome> {
    let stores = validate_stores(&args.stores)?;
    let host = args.host.trim_end_matches('/').to_owned();
    if let Some(path) = args.health.as_deref().or(Some("/health")).filter(|p| *p != "none") {
        reachable(&host, path).await?;
    }
    let run_time = Duration::from_secs(args.run_time.unwrap_or(30));
    std::fs::create_dir_all(&args.results).with_context(|| format!("creating {}", args.results.display()))?;
    let mut outcome = Outcome::Passed;
    let mut reports = Vec::new();
    for store in &stores {
        println!(
            "meetifyr-load: live on {store} at {host}: {} meetings x {} watchers ({:?}), {} writes/s, {} s",
            args.live_meetings,
            args.watchers,
            args.transports,
            args.writes_per_second,
            run_time.as_secs()
        );
        let report = live::run(
            &host,
            store,
            args.live_meetings,
            args.watchers,
            &args.transports,
            args.writes_per_second,
            run_time,
        )
        .await?;
        println!("{}", report.line());
        if report.lost_updates > 0 || report.failed_writes > 0 {
            println!(
                "FAIL {store}: {} lost updates, {} failed writes",
                report.lost_updates, report.failed_writes
            );
            outcome = Outcome::GatesFailed;
        }
        reports.push(report);
    }
    let path = args.results.join("live-summary.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&reports)?)
        .with_context(|| format!("writing {}", path.display()))?;
    println!("summary: {}", path.display());
    Ok(outcome)
}

async fn run_one(args: &Args, kind: ScenarioKind) -> anyhow::Result<Outcome> {
    if kind == ScenarioKind::Live {
        return run_live(args).await;
    }
    PROGRESS.requests.store(0, Ordering::Relaxed);
    PROGRESS.failures.store(0, Ordering::Relaxed);
    PROGRESS.rate_limited.store(0, Ordering::Relaxed);
    let stores = if kind.is_exbuy() {
        vec!["exbuy".to_owned()]
    } else {
        validate_stores(&args.stores)?
    };
    let gates = args.gates.as_deref().map(Gates::load).transpose()?;
    let host = args.host.trim_end_matches('/').to_owned();
    let default_health = if kind.is_exbuy() { "/api/health" } else { "/health" };
    match args.health.as_deref().unwrap_or(default_health) {
        "none" => {}
        path => reachable(&host, path).await?,
    }

    let shape = Shape::of(args);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let started = chrono::DateTime::from_timestamp(now.as_secs() as i64, 0).unwrap_or_default();
    let dir = args.results.join(format!(
        "{}-{}-{}",
        started.format("%Y%m%dT%H%M%SZ"),
        kind.name(),
        args.preset.name()
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;

    let mut targets = Vec::new();
    for store in stores.iter().filter(|_| !kind.is_exbuy()) {
        let meetings = match kind {
            ScenarioKind::Read | ScenarioKind::Mix => prepare(&host, store, args.read_meetings).await?,
            ScenarioKind::Contention => prepare(&host, store, args.contention_meetings).await?,
            _ => Vec::new(),
        };
        targets.push(Arc::new(Target::new(store, meetings)));
    }

    println!(
        "meetifyr-load: {} on {} at {host}; {} ({}); results in {}",
        kind.name(),
        stores.join(", "),
        args.preset.name(),
        shape.describe(),
        dir.display()
    );
    let mut attack = GooseAttack::initialize_with_config(goose_configuration(&host, &shape, &dir)?)?;
    for target in targets {
        for scenario in scenarios::scenarios(kind, target)? {
            attack = attack.register_scenario(scenario);
        }
    }
    if kind.is_exbuy() {
        attack = attack.register_scenario(scenarios::counted(exbuy::scenario(kind)?));
    }

    let progress = (args.progress_every > 0).then(|| tokio::spawn(show_progress(args.progress_every)));
    TIMELINE.restart();
    let sampler = tokio::spawn(sample_users());
    let cpu_before = process_cpu_seconds();
    let clock = Instant::now();
    let metrics = attack.execute().await.context("running the load")?;
    let wall = clock.elapsed().as_secs_f64();
    if let Some(progress) = progress {
        progress.abort();
    }
    sampler.abort();
    let load_cpu = match (cpu_before, process_cpu_seconds()) {
        (Some(before), Some(after)) => Some(LoadCpu {
            seconds: after - before,
            cores_busy: (after - before) / wall.max(0.001),
            machine_cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }),
        _ => None,
    };

    let info = RunInfo {
        scenario: kind.name().into(),
        preset: args.preset.name().into(),
        shape: shape.describe(),
        host,
        stores,
        started_at: started.to_rfc3339(),
    };
    let summary = Summary::from_metrics(info, &metrics, load_cpu, TIMELINE.points(), TIMELINE.errors());
    if summary.overall.count == 0 {
        bail!("no request was made: is the run time long enough for users to start?");
    }
    println!("\n{}", summary.table());
    let limited = PROGRESS.rate_limited.load(Ordering::Relaxed);
    if limited > 0 {
        println!(
            "WARNING: {limited} requests were refused with 429 by the server's per-address rate limits: \
             the figures measure the limits, not capacity. Start the server with \
             --rate-limit-exempt <this machine's address> (scripts/load.sh does) or --rate-limit off."
        );
    }
    if let Some(side) = summary.side_by_side() {
        println!("{side}");
    }
    if let Some(cpu) = &summary.load_cpu {
        println!(
            "load generator: {:.1} s of CPU, {:.2} of {} cores busy",
            cpu.seconds, cpu.cores_busy, cpu.machine_cores
        );
    }

    let checks = gates.as_ref().map(|g| g.check(&summary)).unwrap_or_default();
    summary.write(&dir, &checks)?;
    println!("reports: {}", dir.display());
    if let Some(gates) = &gates {
        println!(
            "\ngates{}:",
            gates
                .description
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        );
        for check in &checks {
            println!("  {check}");
        }
        let failed = checks.iter().filter(|c| !c.passed).count();
        if failed > 0 {
            println!("{failed} gate(s) failed");
            return Ok(Outcome::GatesFailed);
        }
        let skipped = checks.iter().filter(|c| c.actual.is_none()).count();
        println!(
            "all gates passed ({} checked, {skipped} skipped)",
            checks.len() - skipped
        );
    }
    Ok(Outcome::Passed)
}

fn validate_stores(stores: &[String]) -> anyhow::Result<Vec<String>> {
    let stores: Vec<String> = stores
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if stores.is_empty() {
        bail!("--stores names no store");
    }
    for store in &stores {
        if !store.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            bail!("--stores: `{store}` is not a store name (letters, digits, _ and - only)");
        }
    }
    let mut unique = stores.clone();
    unique.sort();
    unique.dedup();
    if unique.len() != stores.len() {
        bail!("--stores names a store twice");
    }
    Ok(stores)
}

async fn reachable(host: &str, health: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
    let url = format!("{host}{health}");
    let response = client
        .get(&url)
        .send()
        .await
        .with_context(|| format!("no server answers at {url}"))?;
    if !response.status().is_success() {
        bail!("{url} answered {}", response.status());
    }
    Ok(())
}

async fn prepare(host: &str, store: &str, count: usize) -> anyhow::Result<Vec<scenarios::Prepared>> {
    if count == 0 {
        bail!("this scenario needs at least one prepared meeting per store");
    }
    let clock = Instant::now();
    let meetings = scenarios::prepare(host, store, count).await?;
    println!(
        "prepared {count} meetings (10 participants x 31 days) on {store} in {:.1} s",
        clock.elapsed().as_secs_f64()
    );
    Ok(meetings)
}

fn goose_configuration(host: &str, shape: &Shape, dir: &std::path::Path) -> anyhow::Result<GooseConfiguration> {
    let report = |name: &str| -> PathBuf { dir.join(name) };
    let mut args: Vec<String> = vec![
        "--host".into(),
        host.into(),
        "--no-print-metrics".into(),
        "--quiet".into(),
        "--report-file".into(),
        report("goose-report.html").display().to_string(),
        "--report-file".into(),
        report("goose-report.json").display().to_string(),
    ];
    match shape {
        Shape::Steady {
            users,
            spawn_rate,
            run_time,
        } => args.extend([
            "--users".into(),
            users.to_string(),
            "--increase-rate".into(),
            spawn_rate.to_string(),
            "--run-time".into(),
            format!("{run_time}s"),
        ]),
        Shape::Plan(steps) => {
            let plan: Vec<String> = steps.iter().map(|(users, secs)| format!("{users},{secs}s")).collect();
            args.extend(["--test-plan".into(), plan.join(";")]);
        }
    }
    GooseConfiguration::parse_args_default(&args).map_err(|e| anyhow::anyhow!("goose configuration: {e}"))
}

/// Users per second for the timeline, also in seconds without answers.
async fn sample_users() {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tick.tick().await;
        TIMELINE.users(PROGRESS.users.load(Ordering::Relaxed));
    }
}

async fn show_progress(every: u64) {
    let clock = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(every));
    tick.tick().await;
    let mut last = 0u64;
    loop {
        tick.tick().await;
        let requests = PROGRESS.requests.load(Ordering::Relaxed);
        let failures = PROGRESS.failures.load(Ordering::Relaxed);
        eprintln!(
            "[{:>5.0}s] users {:>5} | requests {:>9} | {:>8.1} req/s now | failures {} ({:.2}%)",
            clock.elapsed().as_secs_f64(),
            PROGRESS.users.load(Ordering::Relaxed),
            requests,
            (requests - last) as f64 / every as f64,
            failures,
            if requests == 0 {
                0.0
            } else {
                100.0 * failures as f64 / requests as f64
            }
        );
        last = requests;
    }
}

/// User + system CPU seconds of this process, from /proc (Linux; USER_HZ is 100 there).
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
