//! A run's figures per request name, and how they are printed and written.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use goose::metrics::{GooseMetrics, GooseRequestMetricTimingData};
use serde::Serialize;

use crate::charts::{Series, esc, line_chart};
use crate::timeline::{ErrorKind, Point};

/// Figures of one request name (or of the whole run).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// As goose reports it: `"<METHOD> <name>"`.
    pub name: String,
    pub store: Option<String>,
    pub count: u64,
    pub failures: u64,
    pub rps: f64,
    pub error_rate: f64,
    pub avg_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// CPU used by this process (the load generator) while the load ran.
#[derive(Debug, Clone, Serialize)]
pub struct LoadCpu {
    pub seconds: f64,
    /// 1.0 = one core busy for the whole run.
    pub cores_busy: f64,
    pub machine_cores: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    #[serde(flatten)]
    pub run: RunInfo,
    pub duration_s: f64,
    pub max_users: usize,
    pub requests: Vec<Row>,
    pub overall: Row,
    pub load_cpu: Option<LoadCpu>,
    /// Second by second from the first user on (goose's totals above start once all have).
    pub timeline: Vec<Point>,
    /// Each distinct failure, the most frequent first.
    pub errors: Vec<ErrorKind>,
}

/// Everything the run knew before it started, to head the summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunInfo {
    pub scenario: String,
    pub preset: String,
    pub shape: String,
    pub host: String,
    pub stores: Vec<String>,
    pub started_at: String,
}

impl Row {
    fn of(name: String, store: Option<String>, timing: &GooseRequestMetricTimingData, failures: u64, secs: f64) -> Row {
        let count = timing.counter as u64;
        let ms = |us: u64| us as f64 / 1000.0;
        Row {
            name,
            store,
            count,
            failures,
            rps: count as f64 / secs,
            error_rate: if count == 0 {
                0.0
            } else {
                failures as f64 / count as f64
            },
            avg_ms: if count == 0 {
                0.0
            } else {
                timing.total_time_us as f64 / count as f64 / 1000.0
            },
            p50_ms: ms(timing.percentile_us(0.5)),
            p90_ms: ms(timing.percentile_us(0.9)),
            p95_ms: ms(timing.percentile_us(0.95)),
            p99_ms: ms(timing.percentile_us(0.99)),
            max_ms: ms(timing.maximum_time_us),
        }
    }
}

impl Row {
    /// The figures after the name, as both tables show them: count, failures, req/s, then
    /// avg, p50, p90, p95, p99 and max in ms.
    fn figures(&self) -> [String; 9] {
        let ms = |v: f64| format!("{v:.2}");
        [
            self.count.to_string(),
            self.failures.to_string(),
            format!("{:.1}", self.rps),
            ms(self.avg_ms),
            ms(self.p50_ms),
            ms(self.p90_ms),
            ms(self.p95_ms),
            ms(self.p99_ms),
            ms(self.max_ms),
        ]
    }
}

/// Which of `stores` a request name belongs to: `…_{store}` or `…/v1/{store}/…`.
fn store_of(name: &str, stores: &[String]) -> Option<String> {
    stores
        .iter()
        .find(|s| name.ends_with(&format!("_{s}")) || name.contains(&format!("/v1/{s}/")))
        .cloned()
}

/// The name with its store taken out, to line stores up side by side.
fn generic_name(name: &str, store: &str) -> String {
    let name = name.strip_suffix(&format!("_{store}")).unwrap_or(name);
    name.replace(&format!("/v1/{store}/"), "/v1/{store}/")
}

impl Summary {
    pub fn from_metrics(
        info: RunInfo,
        metrics: &GooseMetrics,
        load_cpu: Option<LoadCpu>,
        timeline: Vec<Point>,
        errors: Vec<ErrorKind>,
    ) -> Summary {
        let secs = metrics.duration.max(1) as f64;
        let mut all = GooseRequestMetricTimingData::default();
        let mut failures = 0u64;
        let mut requests: Vec<Row> = metrics
            .requests
            .iter()
            .map(|(name, aggregate)| {
                let timing = &aggregate.raw_data;
                for (&bucket, &count) in timing.times_us.iter() {
                    let before = all.times_us.get(&bucket).copied().unwrap_or(0);
                    all.times_us.insert(bucket, before + count);
                }
                if all.counter == 0 || timing.minimum_time_us < all.minimum_time_us {
                    all.minimum_time_us = timing.minimum_time_us;
                }
                all.maximum_time_us = all.maximum_time_us.max(timing.maximum_time_us);
                all.total_time_us += timing.total_time_us;
                all.counter += timing.counter;
                failures += aggregate.fail_count as u64;
                Row::of(
                    name.clone(),
                    store_of(name, &info.stores),
                    timing,
                    aggregate.fail_count as u64,
                    secs,
                )
            })
            .collect();
        requests.sort_by(|a, b| (&a.store, &a.name).cmp(&(&b.store, &b.name)));
        let overall = Row::of("overall".into(), None, &all, failures, secs);
        Summary {
            run: info,
            duration_s: secs,
            max_users: metrics.maximum_users,
            requests,
            overall,
            load_cpu,
            timeline,
            errors,
        }
    }

    #[cfg(test)]
    pub fn for_tests(requests: Vec<Row>, overall: Row, max_users: usize) -> Summary {
        Summary {
            run: RunInfo::default(),
            duration_s: 1.0,
            max_users,
            requests,
            overall,
            load_cpu: None,
            timeline: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// The per-request table, as on stdout.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let width = self.requests.iter().map(|r| r.name.len()).max().unwrap_or(7).max(7);
        let _ = writeln!(
            out,
            "{:<width$} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "request", "count", "fails", "req/s", "avg ms", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "max ms"
        );
        for row in self.requests.iter().chain(std::iter::once(&self.overall)) {
            let _ = write!(out, "{:<width$}", row.name);
            for (cell, w) in row.figures().iter().zip([9, 7, 9, 9, 9, 9, 9, 9, 9]) {
                let _ = write!(out, " {cell:>w$}");
            }
            out.push('\n');
        }
        out
    }

    /// Requests lined up per store (req/s and p95), when more than one store ran.
    pub fn side_by_side(&self) -> Option<String> {
        if self.run.stores.len() < 2 {
            return None;
        }
        let mut names: Vec<String> = Vec::new();
        for row in &self.requests {
            let generic = row
                .store
                .as_deref()
                .map_or(row.name.clone(), |s| generic_name(&row.name, s));
            if !names.contains(&generic) {
                names.push(generic);
            }
        }
        let header = "request (req/s | p95 ms)";
        let width = names.iter().map(String::len).chain([header.len()]).max().unwrap_or(0);
        let mut out = String::new();
        let _ = write!(out, "{header:<width$}");
        for store in &self.run.stores {
            let _ = write!(out, " {store:>22}");
        }
        out.push('\n');
        for name in &names {
            let _ = write!(out, "{name:<width$}");
            for store in &self.run.stores {
                let row = self
                    .requests
                    .iter()
                    .find(|r| r.store.as_deref() == Some(store.as_str()) && &generic_name(&r.name, store) == name);
                let cell = row.map_or("-".to_owned(), |r| format!("{:.1} | {:.2}", r.rps, r.p95_ms));
                let _ = write!(out, " {cell:>22}");
            }
            out.push('\n');
        }
        Some(out)
    }

    /// summary.json, requests.csv, timeline.csv, table.txt and report.html under `dir`.
    pub fn write(&self, dir: &Path, checks: &[Check]) -> anyhow::Result<()> {
        #[derive(Serialize)]
        struct Document<'a> {
            #[serde(flatten)]
            summary: &'a Summary,
            gates: &'a [Check],
            gates_passed: bool,
        }
        let document = Document {
            summary: self,
            gates: checks,
            gates_passed: checks.iter().all(|c| c.passed),
        };
        std::fs::write(dir.join("summary.json"), serde_json::to_vec_pretty(&document)?)?;

        let mut csv = csv::Writer::from_path(dir.join("requests.csv")).context("requests.csv")?;
        for row in self.requests.iter().chain(std::iter::once(&self.overall)) {
            csv.serialize(row)?;
        }
        csv.flush()?;

        let mut text = self.table();
        if let Some(side) = self.side_by_side() {
            text.push('\n');
            text.push_str(&side);
        }
        std::fs::write(dir.join("table.txt"), text)?;
        let mut csv = csv::Writer::from_path(dir.join("timeline.csv")).context("timeline.csv")?;
        for point in &self.timeline {
            csv.serialize(point)?;
        }
        csv.flush()?;
        std::fs::write(dir.join("report.html"), self.html(checks))?;
        Ok(())
    }

    /// A self-contained page (no scripts, no downloads): the run, its table, charts over time,
    /// the failures, the stores side by side and the gates.
    pub fn html(&self, checks: &[Check]) -> String {
        let mut h = String::from(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>meetifyr-load report</title><style>\
             body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}\
             td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}td:first-child,th:first-child{text-align:left}\
             .fail{color:#b00;font-weight:bold}.pass{color:#070}\
             figure{margin:1.5em 0;max-width:800px}figcaption{font-weight:bold}svg{width:100%;height:auto}\
             .grid{stroke:#ddd}.axis{stroke:#999}.tick{font-size:11px;fill:currentColor}\
             .legend span{margin-right:1em}.legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em}\
             td.text{text-align:left;max-width:40em;overflow-wrap:anywhere}\
             @media (prefers-color-scheme:dark){body{background:#111;color:#eee}td,th{border-color:#444}\
             .grid{stroke:#333}.fail{color:#f66}.pass{color:#6c6}}</style></head><body>",
        );
        let _ = write!(
            h,
            "<h1>meetifyr-load: {} ({})</h1><p>{} · started {} · {} · stores {} · {:.0} s · up to {} users</p>",
            esc(&self.run.scenario),
            esc(&self.run.preset),
            esc(&self.run.host),
            esc(&self.run.started_at),
            esc(&self.run.shape),
            esc(&self.run.stores.join(", ")),
            self.duration_s,
            self.max_users
        );
        if let Some(cpu) = &self.load_cpu {
            let _ = write!(
                h,
                "<p>Load generator CPU: {:.1} s, {:.2} cores busy of {}.</p>",
                cpu.seconds, cpu.cores_busy, cpu.machine_cores
            );
        }
        h.push_str("<table><tr><th>request</th><th>count</th><th>failures</th><th>req/s</th><th>avg ms</th><th>p50 ms</th><th>p90 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th></tr>");
        for row in self.requests.iter().chain(std::iter::once(&self.overall)) {
            let _ = write!(h, "<tr><td>{}</td>", esc(&row.name));
            for cell in row.figures() {
                let _ = write!(h, "<td>{cell}</td>");
            }
            h.push_str("</tr>");
        }
        h.push_str("</table>");
        self.charts(&mut h);
        self.failures(&mut h);
        if let Some(side) = self.side_by_side() {
            let _ = write!(h, "<h2>Stores side by side</h2><pre>{}</pre>", esc(&side));
        }
        if !checks.is_empty() {
            h.push_str("<h2>Gates</h2><table><tr><th>scope</th><th>limit</th><th>measured</th><th>result</th></tr>");
            for c in checks {
                let (class, word) = match (c.passed, c.actual) {
                    (_, None) => ("skip", "skipped"),
                    (true, _) => ("pass", "pass"),
                    (false, _) => ("fail", "FAIL"),
                };
                let skipped = if c.scope.ends_with("(overall)") {
                    format!("another {} ran", c.scope.split(' ').next().unwrap_or("run"))
                } else {
                    "no request of this run".to_owned()
                };
                let actual = c.actual.map_or(skipped, |a| format!("{a:.3}"));
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{} {}</td><td>{}</td><td class=\"{class}\">{word}</td></tr>",
                    esc(&c.scope),
                    c.metric,
                    c.limit,
                    actual
                );
            }
            h.push_str("</table>");
        }
        h.push_str("</body></html>\n");
        h
    }
}

impl Summary {
    /// Response times, throughput, users and failures over the run, second by second.
    fn charts(&self, h: &mut String) {
        let points = &self.timeline;
        if points.is_empty() {
            return;
        }
        let of = |f: fn(&Point) -> f64| points.iter().map(f).collect::<Vec<f64>>();
        h.push_str("<h2>Over time</h2><p>Every second from the first user on, ramp-up included.</p>");
        h.push_str(&line_chart(
            "Response time percentiles",
            "ms",
            &[
                Series {
                    label: "p50",
                    color: "#1f77b4",
                    values: of(|p| p.p50_ms),
                },
                Series {
                    label: "p90",
                    color: "#2ca02c",
                    values: of(|p| p.p90_ms),
                },
                Series {
                    label: "p95",
                    color: "#ff7f0e",
                    values: of(|p| p.p95_ms),
                },
                Series {
                    label: "p99",
                    color: "#d62728",
                    values: of(|p| p.p99_ms),
                },
            ],
        ));
        h.push_str(&line_chart(
            "Requests per second",
            "req/s",
            &[Series {
                label: "requests",
                color: "#1f77b4",
                values: of(|p| p.requests as f64),
            }],
        ));
        h.push_str(&line_chart(
            "Users",
            "",
            &[Series {
                label: "users",
                color: "#9467bd",
                values: of(|p| p.users as f64),
            }],
        ));
        h.push_str(&line_chart(
            "Failures per second",
            "/s",
            &[Series {
                label: "failures",
                color: "#d62728",
                values: of(|p| p.failures as f64),
            }],
        ));
    }

    /// Each distinct failure with its count and one example, as Locust's failures tab.
    fn failures(&self, h: &mut String) {
        h.push_str("<h2>Failures</h2>");
        if self.errors.is_empty() {
            h.push_str("<p>No request failed.</p>");
            return;
        }
        h.push_str("<table><tr><th>request</th><th>error</th><th>count</th><th>first at</th><th>example</th></tr>");
        for e in &self.errors {
            let _ = write!(
                h,
                "<tr><td class=\"text\">{}</td><td class=\"text\">{}</td><td>{}</td><td>{:.1} s</td>\
                 <td class=\"text\"><code>{}</code><br>{}</td></tr>",
                esc(&e.request),
                esc(&e.error),
                e.count,
                e.example.at_s,
                esc(&e.example.url),
                esc(&e.example.detail)
            );
        }
        h.push_str("</table>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_names_are_attributed_to_their_store() {
        let stores = vec!["mysql".to_owned(), "sqlite".to_owned()];
        assert_eq!(store_of("GET get_meetings_sqlite", &stores).as_deref(), Some("sqlite"));
        assert_eq!(store_of("POST /v1/mysql/meetings", &stores).as_deref(), Some("mysql"));
        assert_eq!(store_of("GET /health", &stores), None);
        assert_eq!(
            generic_name("POST /v1/mysql/meetings", "mysql"),
            "POST /v1/{store}/meetings"
        );
        assert_eq!(generic_name("GET get_meetings_mysql", "mysql"), "GET get_meetings");
    }

    #[test]
    fn html_escapes_what_it_shows() {
        let row = Row {
            name: "GET <x>".into(),
            store: None,
            count: 1,
            failures: 0,
            rps: 1.0,
            error_rate: 0.0,
            avg_ms: 1.0,
            p50_ms: 1.0,
            p90_ms: 1.0,
            p95_ms: 1.0,
            p99_ms: 1.0,
            max_ms: 1.0,
        };
        let html = Summary::for_tests(vec![row.clone()], row, 1).html(&[]);
        assert!(html.contains("GET &lt;x&gt;"));
        assert!(!html.contains("<x>"));
    }
}

/// One limit compared with what the run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub scope: String,
    pub metric: &'static str,
    pub limit: f64,
    /// None when no request of the run matches the gate: it is shown as skipped, not failed, so
    /// one gate file serves every scenario.
    pub actual: Option<f64>,
    pub passed: bool,
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mark = match (self.passed, self.actual) {
            (_, None) => "skip",
            (true, _) => "pass",
            (false, _) => "FAIL",
        };
        let (op, unit) = match self.metric {
            "min_rps" | "min_users" => ("≥", ""),
            "max_error_rate" => ("≤", ""),
            _ => ("≤", " ms"),
        };
        match self.actual {
            Some(actual) => write!(
                f,
                "{mark}  {:<40} {:<15} {actual:.3}{unit} (limit {op} {}{unit})",
                self.scope, self.metric, self.limit
            ),
            None if self.scope.ends_with("(overall)") => write!(
                f,
                "{mark}  {:<40} {:<15} another {} ran",
                self.scope,
                self.metric,
                self.scope.split(' ').next().unwrap_or("run")
            ),
            None => write!(
                f,
                "{mark}  {:<40} {:<15} no request of this run matches",
                self.scope, self.metric
            ),
        }
    }
}
