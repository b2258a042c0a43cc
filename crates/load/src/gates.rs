//! Non-functional requirement gates, read from TOML and checked against a run's summary.
//!
//! ```toml
//! [overall]                       # every request of the run together
//! p95_ms = 800
//! min_rps = 50
//! max_error_rate = 0.01
//! min_users = 100                 # the run must have reached this many users
//!
//! [requests."GET get_meetings_*"] # per request name; `*` matches any text, the method is optional
//! p95_ms = 300
//!
//! [scenarios.mixed]               # the whole run, when it is this scenario (else skipped)
//! p95_ms = 2500
//!
//! [presets.stress]                # the whole run, when it is this preset (else skipped)
//! min_users = 500
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

use crate::cli::{Preset, ScenarioKind};
use crate::report::{Check, Row, Summary};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gates {
    /// Shown with the results: where the limits come from.
    pub description: Option<String>,
    #[serde(default)]
    pub overall: Limits,
    #[serde(default)]
    pub requests: BTreeMap<String, Limits>,
    /// Limits on the whole run of one scenario (`[scenarios.mixed]`), such as the seeds'
    /// "hybrid" p95: skipped when another scenario runs.
    #[serde(default)]
    pub scenarios: BTreeMap<String, Limits>,
    /// The same for one preset (`[presets.stress]`): the seeds' 500 users are a stress figure.
    #[serde(default)]
    pub presets: BTreeMap<String, Limits>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub p50_ms: Option<f64>,
    pub p90_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
    pub min_rps: Option<f64>,
    pub max_error_rate: Option<f64>,
    /// Overall only: the run must have reached this many users.
    pub min_users: Option<usize>,
}

impl Gates {
    pub fn load(path: &Path) -> anyhow::Result<Gates> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading gates {}", path.display()))?;
        Gates::parse(&text).with_context(|| format!("gates {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<Gates> {
        let gates: Gates = toml::from_str(text)?;
        if let Some(pattern) = gates
            .requests
            .iter()
            .find(|(_, l)| l.min_users.is_some())
            .map(|(p, _)| p)
        {
            anyhow::bail!("[requests.\"{pattern}\"]: min_users is a limit of a whole run only");
        }
        if let Some(name) = gates
            .presets
            .keys()
            .find(|n| <Preset as clap::ValueEnum>::from_str(n, false).is_err())
        {
            anyhow::bail!("[presets.{name}]: no such preset");
        }
        if let Some(name) = gates
            .scenarios
            .keys()
            .find(|n| <ScenarioKind as clap::ValueEnum>::from_str(n, false).is_err())
        {
            anyhow::bail!("[scenarios.{name}]: no such scenario");
        }
        Ok(gates)
    }

    pub fn check(&self, summary: &Summary) -> Vec<Check> {
        let mut checks = self.overall.check_run("overall", summary);
        let conditional = [
            ("scenario", &self.scenarios, &summary.run.scenario),
            ("preset", &self.presets, &summary.run.preset),
        ];
        for (kind, map, ran) in conditional {
            for (name, limits) in map {
                let scope = format!("{kind} {name} (overall)");
                if name == ran {
                    checks.extend(limits.check_run(&scope, summary));
                } else {
                    checks.extend(limits.skipped(&scope));
                }
            }
        }
        for (pattern, limits) in &self.requests {
            let matching: Vec<&Row> = summary.requests.iter().filter(|r| matches(pattern, &r.name)).collect();
            if matching.is_empty() {
                checks.extend(limits.skipped(pattern));
            }
            for row in matching {
                checks.extend(limits.check(&row.name, row));
            }
        }
        checks
    }
}

impl Limits {
    fn each(&self) -> impl Iterator<Item = (&'static str, f64)> {
        [
            ("p50_ms", self.p50_ms),
            ("p90_ms", self.p90_ms),
            ("p95_ms", self.p95_ms),
            ("p99_ms", self.p99_ms),
            ("max_ms", self.max_ms),
            ("min_rps", self.min_rps),
            ("max_error_rate", self.max_error_rate),
        ]
        .into_iter()
        .filter_map(|(metric, limit)| limit.map(|l| (metric, l)))
    }

    fn skipped<'a>(&'a self, scope: &'a str) -> impl Iterator<Item = Check> + 'a {
        let users = self.min_users.map(|min| ("min_users", min as f64));
        self.each().chain(users).map(move |(metric, limit)| Check {
            scope: scope.to_owned(),
            metric,
            limit,
            actual: None,
            passed: true,
        })
    }

    /// The limits on a whole run: its overall figures and the users it reached.
    fn check_run(&self, scope: &str, summary: &Summary) -> Vec<Check> {
        let mut checks = self.check(scope, &summary.overall);
        if let Some(min) = self.min_users {
            checks.push(Check {
                scope: scope.to_owned(),
                metric: "min_users",
                limit: min as f64,
                actual: Some(summary.max_users as f64),
                passed: summary.max_users >= min,
            });
        }
        checks
    }

    fn check(&self, scope: &str, row: &Row) -> Vec<Check> {
        self.each()
            .map(|(metric, limit)| {
                let actual = match metric {
                    "p50_ms" => row.p50_ms,
                    "p90_ms" => row.p90_ms,
                    "p95_ms" => row.p95_ms,
                    "p99_ms" => row.p99_ms,
                    "max_ms" => row.max_ms,
                    "min_rps" => row.rps,
                    _ => row.error_rate,
                };
                let passed = if metric == "min_rps" {
                    actual >= limit
                } else {
                    actual <= limit
                };
                Check {
                    scope: scope.to_owned(),
                    metric,
                    limit,
                    actual: Some(actual),
                    passed,
                }
            })
            .collect()
    }
}

/// `pattern` against a request name such as `GET get_meetings_sqlite`; `*` matches any text and
/// a pattern without a method matches the name without its method.
pub fn matches(pattern: &str, name: &str) -> bool {
    glob(pattern, name) || name.split_once(' ').is_some_and(|(_, bare)| glob(pattern, bare))
}

fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, p95_ms: f64, rps: f64, error_rate: f64) -> Row {
        Row {
            name: name.into(),
            store: None,
            count: 100,
            failures: (error_rate * 100.0) as u64,
            rps,
            error_rate,
            avg_ms: p95_ms / 2.0,
            p50_ms: p95_ms / 2.0,
            p90_ms: p95_ms,
            p95_ms,
            p99_ms: p95_ms,
            max_ms: p95_ms,
        }
    }

    fn summary(rows: Vec<Row>, max_users: usize) -> Summary {
        let overall = row("overall", 100.0, 120.0, 0.0);
        Summary::for_tests(rows, overall, max_users)
    }

    #[test]
    fn globs_match_store_suffixes_and_optional_methods() {
        assert!(matches("GET get_meetings_*", "GET get_meetings_sqlite"));
        assert!(matches("get_meetings_*", "GET get_meetings_sqlite"));
        assert!(matches("*", "POST /v1/mysql/meetings"));
        assert!(matches("POST /v1/*/meetings", "POST /v1/mysql/meetings"));
        assert!(!matches("GET get_meetings_*", "PATCH patch_date_range_sqlite"));
        assert!(!matches("get_meetings", "GET get_meetings_sqlite"));
        assert!(!matches("a*bb", "ab"));
    }

    #[test]
    fn a_breached_limit_fails_and_names_itself() {
        // Given a gate on reads and an overall throughput floor
        let gates = Gates::parse(
            "[overall]\nmin_rps = 50\nmax_error_rate = 0.01\n[requests.\"get_meetings_*\"]\np95_ms = 300\n",
        )
        .unwrap();
        // When one store's reads are slow
        let run = summary(
            vec![
                row("GET get_meetings_sqlite", 20.0, 60.0, 0.0),
                row("GET get_meetings_mysql", 450.0, 60.0, 0.0),
            ],
            10,
        );
        let checks = gates.check(&run);
        // Then exactly that request's p95 fails, and the overall limits pass
        let failed: Vec<_> = checks.iter().filter(|c| !c.passed).collect();
        assert_eq!(failed.len(), 1, "{checks:#?}");
        assert_eq!(failed[0].scope, "GET get_meetings_mysql");
        assert_eq!(failed[0].metric, "p95_ms");
        assert!(failed[0].to_string().contains("FAIL"));
        assert_eq!(checks.len(), 4);
    }

    #[test]
    fn an_impossible_gate_fails() {
        let gates = Gates::parse("[overall]\nmin_rps = 1e12\np99_ms = 0\nmin_users = 500\n").unwrap();
        let checks = gates.check(&summary(vec![row("GET get_meetings_sqlite", 1.0, 1.0, 0.0)], 10));
        assert!(checks.iter().all(|c| !c.passed), "{checks:#?}");
    }

    #[test]
    fn a_gate_naming_no_request_of_the_run_is_shown_as_skipped() {
        // Given a gate on writes, When a read-only run is checked, Then it is skipped, visibly
        let gates = Gates::parse("[requests.\"PATCH *\"]\np95_ms = 300\n").unwrap();
        let checks = gates.check(&summary(vec![row("GET get_meetings_sqlite", 1.0, 1.0, 0.0)], 1));
        assert_eq!(checks.len(), 1);
        assert!(checks[0].passed);
        assert!(checks[0].actual.is_none());
        assert!(checks[0].to_string().starts_with("skip"), "{}", checks[0]);
    }

    #[test]
    fn a_scenario_gate_checks_that_scenario_overall_and_skips_the_others() {
        // Given the seeds' hybrid gate on the mixed scenario
        let gates = Gates::parse("[scenarios.mixed]\np95_ms = 2500\n").unwrap();
        let mut run = summary(vec![row("GET reviews", 3000.0, 1.0, 0.0)], 1);
        run.overall.p95_ms = 2600.0;
        // When a mixed run is checked, Then its overall p95 fails the gate
        run.run.scenario = "mixed".into();
        let checks = gates.check(&run);
        assert_eq!(checks.len(), 1);
        assert!(!checks[0].passed, "{checks:#?}");
        assert_eq!(checks[0].actual, Some(2600.0));
        assert_eq!(checks[0].scope, "scenario mixed (overall)");
        // And a workflow run shows it as skipped
        run.run.scenario = "workflow".into();
        let checks = gates.check(&run);
        assert!(checks[0].passed && checks[0].actual.is_none(), "{checks:#?}");
        // And a scenario or preset that does not exist is refused
        assert!(Gates::parse("[scenarios.mixd]\np95_ms = 1\n").is_err());
        assert!(Gates::parse("[presets.stres]\nmin_users = 1\n").is_err());
    }

    #[test]
    fn the_users_a_preset_must_reach_are_checked_on_that_preset_only() {
        // Given the seeds' 500 users as a stress limit
        let gates = Gates::parse("[presets.stress]\nmin_users = 500\n").unwrap();
        let mut run = summary(vec![row("GET get_meetings_sqlite", 1.0, 1.0, 0.0)], 100);
        // When a baseline run of 100 users is checked, Then the limit is skipped
        run.run.preset = "baseline".into();
        assert!(gates.check(&run).iter().all(|c| c.passed && c.actual.is_none()));
        // And a stress run that reached only 100 users fails it
        run.run.preset = "stress".into();
        let checks = gates.check(&run);
        assert_eq!(checks.len(), 1);
        assert!(!checks[0].passed);
        assert_eq!((checks[0].metric, checks[0].actual), ("min_users", Some(100.0)));
    }

    #[test]
    fn typos_in_limit_names_are_refused() {
        assert!(Gates::parse("[overall]\np95 = 300\n").is_err());
        assert!(Gates::parse("[requests.x]\nmin_rsp = 1\n").is_err());
        assert!(Gates::parse("[requests.x]\nmin_users = 1\n").is_err());
    }

    #[test]
    fn the_shipped_gate_files_parse() {
        for file in ["seed.toml", "strict.toml", "smoke.toml", "impossible.toml", "ci.toml"] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("gates").join(file);
            Gates::load(&path).unwrap_or_else(|e| panic!("{file}: {e:#}"));
        }
    }
}
