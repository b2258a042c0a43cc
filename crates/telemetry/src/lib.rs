//! Request profiling for axum services.
//!
//! [`track`] wraps every request: it adds `X-Response-Time`, records the duration per route
//! template (method + matched path such as `GET /v1/sqlite/meetings/{meeting_url_code}`, never
//! the raw path) in a fixed-size HDR histogram, counts errors by status class, logs requests
//! slower than a threshold, and feeds the `metrics` recorder that [`Telemetry::prometheus`]
//! renders. [`Telemetry::summary`] is the JSON summary of seed 004.
//! The route template reaches [`track`] through [`expose_matched_path`], a `route_layer`, and
//! the store a route serves through [`StoreLabel`] in the response. [`logging`] writes the logs.

pub mod logging;
pub mod probe;

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, OnceLock, RwLock,
        atomic::{AtomicU64, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, Method, StatusCode},
    middleware::Next,
    response::Response,
};
use hdrhistogram::Histogram;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde_json::{Value, json};

/// Latency histogram buckets for Prometheus, in seconds.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The response cache's lookups: a hit takes about a microsecond, a miss a database read.
const CACHE_LOOKUP: &str = "meetifyr_cache_lookup_duration_seconds";
const CACHE_BUCKETS: &[f64] = &[
    0.000_001,
    0.000_002_5,
    0.000_005,
    0.000_01,
    0.000_025,
    0.000_05,
    0.000_1,
    0.000_25,
    0.000_5,
    0.001,
    0.002_5,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    1.0,
];

/// The process-wide Prometheus recorder (the `metrics` facade has one global recorder).
fn prometheus_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), BUCKETS)
            .expect("non-empty buckets")
            // Full names win over suffixes.
            .set_buckets_for_metric(Matcher::Full(CACHE_LOOKUP.into()), CACHE_BUCKETS)
            .expect("non-empty buckets")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics will miss its series");
        }
        metrics::describe_counter!(
            "http_requests_total",
            "HTTP requests by method, route template and status."
        );
        metrics::describe_histogram!(
            "http_request_duration_seconds",
            metrics::Unit::Seconds,
            "Time from request to response headers, by method and route template."
        );
        process_collector().describe();
        metrics::describe_gauge!(
            "process_uptime_seconds",
            metrics::Unit::Seconds,
            "Seconds since the service started."
        );
        handle
    })
}

/// Process figures (CPU, memory, file descriptors, threads, start time) as Prometheus names them.
fn process_collector() -> &'static metrics_process::Collector {
    static COLLECTOR: OnceLock<metrics_process::Collector> = OnceLock::new();
    COLLECTOR.get_or_init(metrics_process::Collector::default)
}

/// The store a route serves, put in its response by a layer on the store's routes; requests
/// are then labelled `store="…"` (routes of no store have no such label).
#[derive(Debug, Clone)]
pub struct StoreLabel(pub Arc<str>);

/// Figures of one endpoint (method + route template) since start, in microseconds, with its
/// `metrics` handles resolved once (label sets are hashed and allocated only on first use).
/// Fixed memory whatever the traffic.
struct EndpointStats {
    method: Method,
    store: Option<Arc<str>>,
    histogram: Histogram<u64>,
    sum_us: u64,
    client_errors: u64,
    server_errors: u64,
    duration: metrics::Histogram,
    requests: Vec<(StatusCode, metrics::Counter)>,
}

impl EndpointStats {
    fn new(method: &Method, route: &str, store: Option<&str>) -> Self {
        let mut labels = vec![("method", method.to_string()), ("route", route.to_owned())];
        labels.extend(store.map(|s| ("store", s.to_owned())));
        Self {
            method: method.clone(),
            store: store.map(Into::into),
            // 1 us to 1 h at 2 significant digits: a few KiB per endpoint.
            histogram: Histogram::new_with_bounds(1, 3_600_000_000, 2).expect("valid bounds"),
            sum_us: 0,
            client_errors: 0,
            server_errors: 0,
            duration: metrics::histogram!("http_request_duration_seconds", &labels),
            requests: Vec::new(),
        }
    }

    fn requests_counter(&mut self, route: &str, status: StatusCode) -> &metrics::Counter {
        let at = match self.requests.iter().position(|(s, _)| *s == status) {
            Some(i) => i,
            None => {
                let mut labels = vec![
                    ("method", self.method.to_string()),
                    ("route", route.to_owned()),
                    ("status", status.as_u16().to_string()),
                ];
                labels.extend(self.store.as_deref().map(|s| ("store", s.to_owned())));
                self.requests
                    .push((status, metrics::counter!("http_requests_total", &labels)));
                self.requests.len() - 1
            }
        };
        &self.requests[at].1
    }
}

/// The endpoints of one route template, by method.
type RouteEntry = Mutex<Vec<EndpointStats>>;

/// Requests per second over the last minute: one counter per second of a 60-slot ring.
struct RateWindow {
    slots: [(u64, u64); 60], // (second since start, requests)
}

impl RateWindow {
    fn add(&mut self, second: u64) {
        let slot = &mut self.slots[(second % 60) as usize];
        if slot.0 != second {
            *slot = (second, 0);
        }
        slot.1 += 1;
    }

    fn last_minute(&self, now: u64) -> u64 {
        self.slots
            .iter()
            .filter(|(s, _)| now.saturating_sub(*s) < 60 && *s <= now)
            .map(|(_, n)| n)
            .sum()
    }
}

pub struct Telemetry {
    started: Instant,
    slow: Duration,
    routes: RwLock<HashMap<String, Arc<RouteEntry>>>,
    window: Mutex<RateWindow>,
    total: AtomicU64,
}

impl Telemetry {
    /// Requests slower than `slow` are logged at WARNING.
    pub fn new(slow: Duration) -> Arc<Self> {
        prometheus_handle();
        Arc::new(Self {
            started: Instant::now(),
            slow,
            routes: RwLock::default(),
            window: Mutex::new(RateWindow {
                slots: [(u64::MAX, 0); 60],
            }),
            total: AtomicU64::new(0),
        })
    }

    fn record(&self, method: &Method, route: Option<&str>, store: Option<&str>, status: StatusCode, elapsed: Duration) {
        let route = route.unwrap_or("unmatched");
        let entry = {
            let known = self.routes.read().expect("routes lock").get(route).cloned();
            match known {
                Some(e) => e,
                None => self
                    .routes
                    .write()
                    .expect("routes lock")
                    .entry(route.to_owned())
                    .or_default()
                    .clone(),
            }
        };
        let micros = (elapsed.as_micros() as u64).max(1);
        {
            let mut endpoints = entry.lock().expect("route stats lock");
            let at = match endpoints.iter().position(|e| e.method == method) {
                Some(i) => i,
                None => {
                    endpoints.push(EndpointStats::new(method, route, store));
                    endpoints.len() - 1
                }
            };
            let e = &mut endpoints[at];
            let _ = e.histogram.record(micros.min(3_600_000_000));
            e.sum_us += micros;
            if status.is_client_error() {
                e.client_errors += 1;
            } else if status.is_server_error() {
                e.server_errors += 1;
            }
            e.duration.record(elapsed.as_secs_f64());
            e.requests_counter(route, status).increment(1);
        }
        self.total.fetch_add(1, Relaxed);
        self.window
            .lock()
            .expect("window lock")
            .add(self.started.elapsed().as_secs());
        if elapsed >= self.slow {
            tracing::warn!(endpoint = %format_args!("{method} {route}"), status = status.as_u16(),
                duration_ms = elapsed.as_secs_f64() * 1e3, "slow request");
        }
    }

    /// The JSON summary: `endpoints` with count, avg/min/max/p50/p95/p99 (ms) and errors by
    /// class; `top_5_slowest` by average; `rps` since start and `rps_last_60s`.
    pub fn summary(&self) -> Value {
        let ms = |us: u64| (us as f64 / 1e3 * 1000.0).round() / 1000.0;
        let mut endpoints = serde_json::Map::new();
        let mut averages = Vec::new();
        for (route, entry) in self.routes.read().expect("routes lock").iter() {
            for s in entry.lock().expect("route stats lock").iter() {
                let endpoint = format!("{} {route}", s.method);
                let count = s.histogram.len();
                let avg = if count == 0 { 0.0 } else { ms(s.sum_us) / count as f64 };
                let avg = (avg * 1000.0).round() / 1000.0;
                averages.push((endpoint.clone(), avg));
                endpoints.insert(
                    endpoint.clone(),
                    json!({
                        "count": count,
                        "avg_ms": avg,
                        "min_ms": ms(s.histogram.min()),
                        "max_ms": ms(s.histogram.max()),
                        "p50_ms": ms(s.histogram.value_at_quantile(0.50)),
                        "p95_ms": ms(s.histogram.value_at_quantile(0.95)),
                        "p99_ms": ms(s.histogram.value_at_quantile(0.99)),
                        "errors": { "4xx": s.client_errors, "5xx": s.server_errors },
                    }),
                );
            }
        }
        averages.sort_by(|a, b| b.1.total_cmp(&a.1));
        let uptime = self.started.elapsed();
        let now = uptime.as_secs();
        let last_minute = self.window.lock().expect("window lock").last_minute(now);
        let round = |x: f64| (x * 10.0).round() / 10.0;
        json!({
            "endpoints": endpoints,
            "top_5_slowest": averages.iter().take(5).map(|(e, a)| json!({"endpoint": e, "avg_ms": a})).collect::<Vec<_>>(),
            "rps": round(self.total.load(Relaxed) as f64 / uptime.as_secs_f64().max(1e-3)),
            "rps_last_60s": round(last_minute as f64 / uptime.as_secs_f64().clamp(1e-3, 60.0)),
            "requests": self.total.load(Relaxed),
            "uptime_seconds": round(uptime.as_secs_f64()),
        })
    }

    /// Prometheus text exposition of everything recorded through `metrics`, plus process
    /// figures (`metrics-process`: CPU seconds, memory, start time…) and uptime.
    pub fn prometheus(&self) -> String {
        process_collector().collect();
        metrics::gauge!("process_uptime_seconds").set(self.started.elapsed().as_secs_f64());
        let handle = prometheus_handle();
        handle.run_upkeep();
        // `metrics` counters are integers, so CPU seconds are kept as a gauge (fractions of a
        // second); in Prometheus's text format a counter may be fractional, and it is one.
        handle.render().replacen(
            "# TYPE process_cpu_seconds_total gauge",
            "# TYPE process_cpu_seconds_total counter",
            1,
        )
    }
}

/// Whether `/metrics` should answer with the JSON summary: `?format=json`, or an `Accept` that
/// asks for JSON rather than Prometheus text.
pub fn wants_json(headers: &axum::http::HeaderMap, query: Option<&str>) -> bool {
    let asked = query.is_some_and(|q| q.split('&').any(|kv| kv == "format=json"));
    let accepts = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json") && !v.contains("text/plain"));
    asked || accepts
}

/// `route_layer` middleware: hands the matched route template to [`track`] in the response.
pub async fn expose_matched_path(req: Request, next: Next) -> Response {
    let matched = req.extensions().get::<MatchedPath>().cloned();
    let mut res = next.run(req).await;
    if let Some(m) = matched {
        res.extensions_mut().insert(m);
    }
    res
}

/// Outermost middleware: times the request and records it.
pub async fn track(State(telemetry): State<Arc<Telemetry>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let mut res = next.run(req).await;
    let elapsed = started.elapsed();
    let route = res.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned());
    let store = res.extensions().get::<StoreLabel>().map(|s| s.0.clone());
    telemetry.record(&method, route.as_deref(), store.as_deref(), res.status(), elapsed);
    let value = format!("{:.3}ms", elapsed.as_secs_f64() * 1e3);
    if let Ok(v) = HeaderValue::from_str(&value) {
        res.headers_mut().insert("x-response-time", v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_has_the_seed_fields_with_percentiles() {
        let t = Telemetry::new(Duration::from_secs(10));
        for ms in 1..=100 {
            t.record(
                &Method::GET,
                Some("/items"),
                None,
                StatusCode::OK,
                Duration::from_millis(ms),
            );
        }
        t.record(
            &Method::GET,
            Some("/slow"),
            None,
            StatusCode::INTERNAL_SERVER_ERROR,
            Duration::from_millis(500),
        );
        t.record(
            &Method::POST,
            None,
            None,
            StatusCode::NOT_FOUND,
            Duration::from_millis(1),
        );
        let s = t.summary();
        let items = &s["endpoints"]["GET /items"];
        assert_eq!(items["count"], 100);
        assert!((items["avg_ms"].as_f64().unwrap() - 50.5).abs() < 0.5, "{items}");
        assert!((items["p50_ms"].as_f64().unwrap() - 50.0).abs() <= 1.0, "{items}");
        assert!((items["p95_ms"].as_f64().unwrap() - 95.0).abs() <= 1.5, "{items}");
        assert!((items["p99_ms"].as_f64().unwrap() - 99.0).abs() <= 1.5, "{items}");
        assert_eq!(items["min_ms"], 1.0);
        assert_eq!(s["endpoints"]["GET /slow"]["errors"]["5xx"], 1);
        assert_eq!(s["endpoints"]["POST unmatched"]["errors"]["4xx"], 1);
        assert_eq!(s["top_5_slowest"][0]["endpoint"], "GET /slow");
        assert_eq!(s["requests"], 102);
        assert!(s["rps"].as_f64().unwrap() > 0.0 && s["rps_last_60s"].as_f64().unwrap() > 0.0);
    }

    #[test]
    fn the_rate_window_forgets_seconds_older_than_a_minute() {
        let mut w = RateWindow {
            slots: [(u64::MAX, 0); 60],
        };
        w.add(0);
        w.add(0);
        w.add(59);
        assert_eq!(w.last_minute(59), 3);
        w.add(60); // reuses slot 0
        assert_eq!(w.last_minute(60), 2);
        assert_eq!(w.last_minute(200), 0);
    }
}
