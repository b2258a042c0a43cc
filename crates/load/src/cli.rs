//! Command line: scenario, stores, preset and its overrides, gates, results folder.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// Load tests for Meetifyr over HTTP, built on goose.
///
/// Runs one scenario against one or more stores of a running server (each store's share of the
/// users hits `/v1/{store}`), prints a table per request and the stores side by side, writes
/// HTML/JSON/CSV reports under the results folder and checks the NFR gates.
/// Exit codes: 0 passed, 1 could not run, 3 a gate failed.
#[derive(Debug, Clone, Parser)]
#[command(name = "meetifyr-load", version)]
pub struct Args {
    /// Base URL of the server under test.
    #[arg(long, env = "MEETIFYR_LOAD_HOST", default_value = "http://127.0.0.1:8000")]
    pub host: String,

    /// What the users do; several, comma-separated, run one after another (each with its own
    /// results folder), e.g. `--scenario workflow,read`.
    #[arg(long = "scenario", value_enum, value_delimiter = ',', default_value = "workflow")]
    pub scenarios: Vec<ScenarioKind>,

    /// Stores to load side by side, comma-separated (each mounted at /v1/{store}).
    #[arg(long, value_delimiter = ',', default_value = "sqlite")]
    pub stores: Vec<String>,

    /// Load shape from the TriFlow notes; --users/--spawn-rate/--run-time override it.
    #[arg(long, value_enum, default_value_t = Preset::Baseline)]
    pub preset: Preset,

    /// Users (for spike: the peak after the jump).
    #[arg(long, short = 'u')]
    pub users: Option<usize>,

    /// Users started per second.
    #[arg(long, short = 'r')]
    pub spawn_rate: Option<usize>,

    /// How long the load lasts once started: 30s, 5m, 1h20m or plain seconds.
    #[arg(long, short = 't', value_parser = parse_duration)]
    pub run_time: Option<u64>,

    /// Meetings prepared per store before `read` (10 participants x 31 days each).
    #[arg(long, default_value_t = 100)]
    pub read_meetings: usize,

    /// Meetings per store that `contention` users all fight over.
    #[arg(long, default_value_t = 3)]
    pub contention_meetings: usize,

    /// `live`: meetings watched per store.
    #[arg(long, default_value_t = 100)]
    pub live_meetings: usize,

    /// `live`: watchers per meeting.
    #[arg(long, default_value_t = 10)]
    pub watchers: usize,

    /// `live`: how watchers listen, taken in turn (watcher i of a meeting uses the i-th mod n).
    #[arg(long, value_delimiter = ',', default_value = "sse,ws")]
    pub transports: Vec<crate::live::Transport>,

    /// `live`: toggles per second per store, spread over its meetings.
    #[arg(long, default_value_t = 200.0)]
    pub writes_per_second: f64,

    /// NFR gates (TOML); a breach exits with code 3.
    #[arg(long)]
    pub gates: Option<PathBuf>,

    /// Reports go to RESULTS/<UTC time>-<scenario>-<preset>/.
    #[arg(long, default_value = "results")]
    pub results: PathBuf,

    /// Path checked before the run to see that the server is up (any 2xx); `none` to skip the
    /// check, for servers without one (such as the original Python service). Default: `/health`,
    /// or `/api/health` for ExBuy.
    #[arg(long)]
    pub health: Option<String>,

    /// Seconds between progress lines (0: none).
    #[arg(long, default_value_t = 2)]
    pub progress_every: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScenarioKind {
    /// Seed 000's user: POST meeting, PATCH date range, POST participant, GET meeting.
    Workflow,
    /// GET of prepared meetings (10 participants x 31 days), spread over many codes.
    Read,
    /// Half the users toggle dates of a few meetings, the other half read those meetings.
    Contention,
    /// Seed 002's mix: half the users run the workflow, half read prepared meetings.
    Mix,
    /// Watchers on Server-Sent Events while writers toggle days: push latency, lost updates,
    /// server memory per watcher (--live-meetings, --watchers, --writes-per-second, -t).
    Live,
    /// ExBuy (point --host at it): k6 read-heavy.js's mix, 100 ms think time.
    ReadHeavy,
    /// ExBuy: k6 write-heavy.js's mix (70% writes), 200 ms think time.
    WriteHeavy,
    /// ExBuy: k6 mixed.js's mix (60% reads, 40% writes), 150 ms think time.
    Mixed,
}

impl ScenarioKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Workflow => "workflow",
            Self::Read => "read",
            Self::Contention => "contention",
            Self::Mix => "mix",
            Self::Live => "live",
            Self::ReadHeavy => "read-heavy",
            Self::WriteHeavy => "write-heavy",
            Self::Mixed => "mixed",
        }
    }

    /// Whether the scenario targets ExBuy rather than Meetifyr's stores.
    pub fn is_exbuy(self) -> bool {
        matches!(self, Self::ReadHeavy | Self::WriteHeavy | Self::Mixed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// 100 users, 10 started per second, 5 minutes.
    Baseline,
    /// 500 users, 20 started per second, 10 minutes.
    Stress,
    /// 200 users, then a jump to 1000.
    Spike,
}

impl Preset {
    pub fn name(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::Stress => "stress",
            Self::Spike => "spike",
        }
    }
}

/// The resolved load shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Start `users` at `spawn_rate` per second, then run for `run_time` seconds.
    Steady {
        users: usize,
        spawn_rate: usize,
        run_time: u64,
    },
    /// A goose test plan: `(users, seconds to reach them)` steps; ends with a stop to 0 users.
    Plan(Vec<(usize, u64)>),
}

impl Shape {
    pub fn of(args: &Args) -> Shape {
        match args.preset {
            Preset::Baseline | Preset::Stress => {
                let (users, spawn_rate, run_time) = match args.preset {
                    Preset::Baseline => (100, 10, 300),
                    _ => (500, 20, 600),
                };
                Shape::Steady {
                    users: args.users.unwrap_or(users).max(1),
                    spawn_rate: args.spawn_rate.unwrap_or(spawn_rate).max(1),
                    run_time: args.run_time.unwrap_or(run_time).max(1),
                }
            }
            Preset::Spike => {
                // 1/5 of the peak first (200 of 1000), held a third of the time; then the peak
                // within a few seconds, held for the rest.
                let peak = args.users.unwrap_or(1000).max(2);
                let base = (peak / 5).max(1);
                let rate = args.spawn_rate.unwrap_or(50).max(1);
                let total = args.run_time.unwrap_or(180).max(3);
                let ramp = |users: usize| (users as u64).div_ceil(rate as u64).max(1);
                let hold_base = (total / 3).max(1);
                let hold_peak = total.saturating_sub(hold_base).max(1);
                Shape::Plan(vec![
                    (base, ramp(base)),
                    (base, hold_base),
                    (peak, ramp(peak - base).min(5)),
                    (peak, hold_peak),
                    (0, 0),
                ])
            }
        }
    }

    pub fn max_users(&self) -> usize {
        match self {
            Shape::Steady { users, .. } => *users,
            Shape::Plan(steps) => steps.iter().map(|s| s.0).max().unwrap_or(0),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Shape::Steady {
                users,
                spawn_rate,
                run_time,
            } => {
                format!("{users} users, {spawn_rate} started/s, {run_time}s")
            }
            Shape::Plan(steps) => steps
                .iter()
                .map(|(u, s)| format!("{u} users in {s}s"))
                .collect::<Vec<_>>()
                .join(" → "),
        }
    }
}

/// `30`, `30s`, `5m`, `1h20m`, `1h2m3s` → seconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(secs);
    }
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(format!("`{text}`: expected a duration such as 30s, 5m or 1h20m")),
        };
        let n: u64 = number
            .parse()
            .map_err(|_| format!("`{text}`: a number must come before `{c}`"))?;
        total = total.saturating_add(n.saturating_mul(unit));
        number.clear();
    }
    if !number.is_empty() {
        return Err(format!("`{text}`: the last number has no unit (h, m or s)"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> Args {
        Args::parse_from(std::iter::once("meetifyr-load").chain(extra.iter().copied()))
    }

    #[test]
    fn durations_parse_like_locust_and_goose() {
        assert_eq!(parse_duration("45"), Ok(45));
        assert_eq!(parse_duration("30s"), Ok(30));
        assert_eq!(parse_duration("5m"), Ok(300));
        assert_eq!(parse_duration("1h20m5s"), Ok(4805));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("1h20").is_err());
    }

    #[test]
    fn presets_follow_the_triflow_notes() {
        // Given no overrides, When the shape is resolved, Then it is the note's.
        assert_eq!(
            Shape::of(&args(&[])),
            Shape::Steady {
                users: 100,
                spawn_rate: 10,
                run_time: 300
            }
        );
        assert_eq!(
            Shape::of(&args(&["--preset", "stress"])),
            Shape::Steady {
                users: 500,
                spawn_rate: 20,
                run_time: 600
            }
        );
        let spike = Shape::of(&args(&["--preset", "spike"]));
        assert_eq!(spike.max_users(), 1000);
        let Shape::Plan(steps) = spike else {
            panic!("spike is a plan")
        };
        assert_eq!(steps[0].0, 200, "spike starts at 200 users");
        assert_eq!(steps.last(), Some(&(0, 0)), "and ends by stopping everyone");
    }

    #[test]
    fn overrides_make_a_short_run_one_flag_away() {
        assert_eq!(
            Shape::of(&args(&["--preset", "stress", "-u", "8", "-t", "5s"])),
            Shape::Steady {
                users: 8,
                spawn_rate: 20,
                run_time: 5
            }
        );
        let Shape::Plan(steps) = Shape::of(&args(&["--preset", "spike", "-u", "50", "-t", "9s"])) else {
            panic!("spike is a plan")
        };
        assert_eq!(steps[0].0, 10);
        assert_eq!(steps[2].0, 50);
        assert_eq!(steps[1].1 + steps[3].1, 9, "the holds share the run time");
    }
}
