//! What the run did second by second, and each distinct failure with one example: goose keeps
//! only totals (and resets them once every user has started), so the charts and the failure
//! view of `report.html` come from here.

use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use goose::metrics::GooseRequestMetric;
use serde::Serialize;

/// Recorded by every request of the run.
pub static TIMELINE: LazyLock<Timeline> = LazyLock::new(Timeline::new);

/// An example body is cut here: enough for a `detail`, not a page.
const EXAMPLE_CHARS: usize = 300;

pub struct Timeline {
    inner: Mutex<Inner>,
}

struct Inner {
    started: Instant,
    seconds: Vec<Second>,
    errors: BTreeMap<String, ErrorKind>,
}

#[derive(Default)]
struct Second {
    times_ms: Vec<u32>,
    failures: u64,
    users: i64,
}

/// One distinct failure: its request, what went wrong, how often, and the first time it did.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorKind {
    pub request: String,
    pub error: String,
    pub count: u64,
    pub example: Example,
}

#[derive(Debug, Clone, Serialize)]
pub struct Example {
    pub at_s: f64,
    pub url: String,
    /// The answer's body (cut), or the transport error.
    pub detail: String,
}

/// One second of the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub t_s: u64,
    pub users: i64,
    pub requests: u64,
    pub failures: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

impl Default for Timeline {
    fn default() -> Self {
        Self::new()
    }
}

impl Timeline {
    pub fn new() -> Self {
        Timeline {
            inner: Mutex::new(Inner {
                started: Instant::now(),
                seconds: Vec::new(),
                errors: BTreeMap::new(),
            }),
        }
    }

    /// Forgets what was recorded and starts the clock: once per scenario.
    pub fn restart(&self) {
        let mut inner = self.lock();
        inner.started = Instant::now();
        inner.seconds.clear();
        inner.errors.clear();
    }

    /// One finished request; `failed` carries the answer's body (or transport error) when it
    /// counts as a failure. One lock, and names are built for failures only: this runs per request.
    pub fn record(&self, request: &GooseRequestMetric, failed: Option<&str>) {
        let failure = failed.map(|detail| {
            let error = if request.status_code == 0 {
                request.error.clone()
            } else {
                format!("HTTP {}", request.status_code)
            };
            let name = format!("{} {}", request.raw.method, request.name);
            (name, error, request.raw.url.as_str(), detail)
        });
        let mut inner = self.lock();
        let at = inner.started.elapsed();
        inner.add(at, request.response_time, failure);
    }

    /// The same at a given offset from the start: `(request, error, url, detail)` when failed.
    pub fn record_at(&self, at: Duration, response_ms: u64, failure: Option<(String, String, &str, &str)>) {
        self.lock().add(at, response_ms, failure);
    }

    /// How many users run now (sampled each second, so seconds without answers have theirs).
    pub fn users(&self, users: i64) {
        let mut inner = self.lock();
        let at = inner.started.elapsed();
        inner.users(at, users);
    }

    pub fn users_at_offset(&self, at: Duration, users: i64) {
        self.lock().users(at, users);
    }

    /// Every second from the start to the last one recorded, with its percentiles.
    pub fn points(&self) -> Vec<Point> {
        let inner = self.lock();
        inner
            .seconds
            .iter()
            .enumerate()
            .map(|(t, s)| {
                let mut times = s.times_ms.clone();
                times.sort_unstable();
                Point {
                    t_s: t as u64,
                    users: s.users,
                    requests: times.len() as u64,
                    failures: s.failures,
                    p50_ms: percentile(&times, 0.50),
                    p90_ms: percentile(&times, 0.90),
                    p95_ms: percentile(&times, 0.95),
                    p99_ms: percentile(&times, 0.99),
                }
            })
            .collect()
    }

    /// The distinct failures, the most frequent first.
    pub fn errors(&self) -> Vec<ErrorKind> {
        let mut errors: Vec<ErrorKind> = self.lock().errors.values().cloned().collect();
        errors.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.request.cmp(&b.request)));
        errors
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while recording leaves plain counters behind: still worth reporting.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    fn add(&mut self, at: Duration, response_ms: u64, failure: Option<(String, String, &str, &str)>) {
        let second = self.second(at);
        second.times_ms.push(response_ms.min(u32::MAX as u64) as u32);
        let Some((request, error, url, detail)) = failure else {
            return;
        };
        second.failures += 1;
        self.errors
            .entry(format!("{request}\u{0}{error}"))
            .and_modify(|e| e.count += 1)
            .or_insert_with(|| ErrorKind {
                request,
                error,
                count: 1,
                example: Example {
                    at_s: (at.as_secs_f64() * 10.0).round() / 10.0,
                    url: url.to_owned(),
                    detail: detail.chars().take(EXAMPLE_CHARS).collect(),
                },
            });
    }

    fn users(&mut self, at: Duration, users: i64) {
        let second = self.second(at);
        second.users = second.users.max(users);
    }

    fn second(&mut self, at: Duration) -> &mut Second {
        let t = at.as_secs() as usize;
        if self.seconds.len() <= t {
            self.seconds.resize_with(t + 1, Second::default);
        }
        &mut self.seconds[t]
    }
}

/// Nearest-rank percentile of sorted values; 0 when there are none.
fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: f64) -> Duration {
        Duration::from_secs_f64(secs)
    }

    #[test]
    fn each_second_has_its_own_count_failures_users_and_percentiles() {
        // Given 100 answers in the first second (1..=100 ms), none in the second, and one failure in the third
        let timeline = Timeline::new();
        for ms in 1..=100 {
            timeline.record_at(at(0.5), ms, None);
        }
        timeline.users_at_offset(at(0.2), 10);
        timeline.users_at_offset(at(1.5), 20);
        let failure = (
            "GET get_meetings_sqlite".to_owned(),
            "HTTP 500".to_owned(),
            "/x",
            "boom",
        );
        timeline.record_at(at(2.1), 7, Some(failure));
        // When the points are read
        let points = timeline.points();
        // Then each second says what happened in it
        assert_eq!(points.len(), 3);
        assert_eq!((points[0].requests, points[0].failures, points[0].users), (100, 0, 10));
        assert_eq!(
            (points[0].p50_ms, points[0].p90_ms, points[0].p95_ms, points[0].p99_ms),
            (50.0, 90.0, 95.0, 99.0)
        );
        assert_eq!((points[1].requests, points[1].users, points[1].p95_ms), (0, 20, 0.0));
        assert_eq!((points[2].requests, points[2].failures, points[2].p50_ms), (1, 1, 7.0));
    }

    #[test]
    fn distinct_failures_are_counted_with_their_first_example() {
        // Given two kinds of failure, one three times with different bodies
        let timeline = Timeline::new();
        for (i, body) in ["first", "second", "third"].into_iter().enumerate() {
            let failure = (
                "POST /v1/sqlite/meetings".to_owned(),
                "HTTP 429".to_owned(),
                "/v1/sqlite/meetings",
                body,
            );
            timeline.record_at(at(i as f64), 1, Some(failure));
        }
        let long = "x".repeat(1000);
        let failure = (
            "GET get_meetings_sqlite".to_owned(),
            "timeout".to_owned(),
            "/g",
            long.as_str(),
        );
        timeline.record_at(at(4.0), 1, Some(failure));
        timeline.record_at(at(4.0), 1, None);
        // When the errors are read
        let errors = timeline.errors();
        // Then each kind appears once, the most frequent first, with the first body, cut
        assert_eq!(errors.len(), 2);
        assert_eq!((errors[0].error.as_str(), errors[0].count), ("HTTP 429", 3));
        assert_eq!(errors[0].example.detail, "first");
        assert_eq!(errors[0].example.at_s, 0.0);
        assert_eq!(
            (errors[1].request.as_str(), errors[1].count),
            ("GET get_meetings_sqlite", 1)
        );
        assert_eq!(errors[1].example.detail.len(), EXAMPLE_CHARS);
        // And a restart forgets them
        timeline.restart();
        assert!(timeline.errors().is_empty() && timeline.points().is_empty());
    }
}
