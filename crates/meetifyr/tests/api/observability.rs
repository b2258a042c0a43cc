//! Profiling, /metrics, and the response cache: never a stale read after a write.

use std::io::Write as _;
use std::process::{Command, Stdio};

use meetifyr_api::ApiOptions;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

async fn summary(app: &TestApp) -> Value {
    let res = app
        .client
        .get(app.url("/metrics"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn prometheus_text(app: &TestApp) -> String {
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    res.text().await.unwrap()
}

#[tokio::test]
async fn every_response_carries_x_response_time() {
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    for res in [
        app.get(&format!("/v1/meetings/{code}")).await,
        app.get("/v1/meetings/nope").await,
        app.get("/no/such/route").await,
        app.patch(&format!("/v1/meetings/{code}/title"), json!({"title": 1}))
            .await,
    ] {
        let value = res
            .headers()
            .get("x-response-time")
            .expect("X-Response-Time")
            .to_str()
            .unwrap()
            .to_owned();
        let number = value
            .strip_suffix("ms")
            .unwrap_or_else(|| panic!("{value} has no unit"));
        assert!(number.parse::<f64>().unwrap() >= 0.0, "{value}");
    }
}

#[tokio::test]
async fn prometheus_metrics_name_route_templates_and_pass_promtool() {
    // Given some traffic, including an error
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    for _ in 0..3 {
        app.meeting(&code).await;
    }
    app.get("/v1/meetings/nope").await;
    // When (this process's CPU time, which the server reports, read either side of the scrape)
    let before = own_cpu_seconds();
    let text = prometheus_text(&app).await;
    let after = own_cpu_seconds();
    // Then the route is the template, never the raw path with a code in it
    assert!(text.contains(r#"route="/v1/meetings/{meeting_url_code}""#), "{text}");
    assert!(!text.contains(&code), "a url code leaked into the metrics");
    for series in [
        "http_requests_total{",
        "http_request_duration_seconds_bucket{",
        "meetifyr_cache_hits_total",
        "meetifyr_cache_misses_total",
        "meetifyr_cache_invalidations_total",
        "meetifyr_cache_evictions_total",
        "meetifyr_cache_lookup_duration_seconds_bucket{result=\"hit\"",
        "meetifyr_cache_lookup_duration_seconds_bucket{result=\"miss\"",
        "process_start_time_seconds",
        "process_threads",
        "process_open_fds",
        "meetifyr_db_pool_connections{",
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
        "process_uptime_seconds",
    ] {
        assert!(text.contains(series), "{series} missing from\n{text}");
    }
    assert!(text.contains(r#"status="404""#));
    // And a store's routes carry the store as a label of their own
    assert!(
        text.lines().any(|l| l.starts_with("http_requests_total{")
            && l.contains(r#"route="/v1/meetings/{meeting_url_code}""#)
            && l.contains(r#"store="main""#)),
        "{text}"
    );
    // And the process figures are real: a start time in this epoch, CPU in fractions of a
    // second, resident memory in real pages
    let value = |name: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in\n{text}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    // (Compared with fixed bounds, not the test's clock: the kernel's start time is real even
    // when the tests run under a shifted clock.)
    let started = value("process_start_time_seconds");
    assert!(
        (1.5e9..4.2e9).contains(&started),
        "start time {started} is not Unix seconds"
    );
    let cpu = value("process_cpu_seconds_total");
    assert!(
        cpu > 0.0 && (before - 0.02..=after + 0.02).contains(&cpu),
        "CPU seconds {cpu}: the kernel counted {before}–{after} s"
    );
    assert!(value("process_resident_memory_bytes") > 1e6);
    // And promtool accepts the exposition
    if !meetifyr_store::testing::program_available("promtool", "prometheus") {
        return;
    }
    let mut promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (Debian package prometheus) is installed by scripts/test.sh");
    promtool.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = promtool.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn the_json_summary_has_the_seed_fields_with_real_figures() {
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    for _ in 0..5 {
        app.meeting(&code).await;
    }
    let s = summary(&app).await;
    let get = &s["endpoints"]["GET /v1/meetings/{meeting_url_code}"];
    assert_eq!(get["count"], 5, "{s}");
    for field in ["avg_ms", "min_ms", "max_ms", "p50_ms", "p95_ms", "p99_ms"] {
        assert!(get[field].as_f64().is_some_and(|v| v > 0.0), "{field} in {get}");
    }
    assert!(get["min_ms"].as_f64() <= get["p50_ms"].as_f64() && get["p50_ms"].as_f64() <= get["max_ms"].as_f64());
    assert_eq!(s["endpoints"]["POST /v1/meetings"]["count"], 1);
    assert!(!s["top_5_slowest"].as_array().unwrap().is_empty());
    assert!(s["rps"].as_f64().unwrap() > 0.0 && s["rps_last_60s"].as_f64().unwrap() > 0.0);
    assert!(s["stores"]["main"]["pool"]["idle"].is_u64(), "{s}");
    // ?format=json is the same document
    let by_query: Value = app.get("/metrics?format=json").await.json().await.unwrap();
    assert!(by_query["endpoints"].is_object());
}

#[tokio::test]
async fn cache_statistics_move_as_reads_hit_and_writes_invalidate() {
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-01-01", "2025-01-02").await;
    // (the PATCH answered with the meeting, so it is cached already)
    let before = summary(&app).await["cache"].clone();
    for _ in 0..3 {
        app.meeting(&code).await;
    }
    let after = summary(&app).await["cache"].clone();
    let delta = |a: &Value, b: &Value, k: &str| b[k].as_u64().unwrap() - a[k].as_u64().unwrap();
    assert_eq!(
        (delta(&before, &after, "misses"), delta(&before, &after, "hits")),
        (0, 3),
        "{before} → {after}"
    );
    // A write invalidates; the next read misses and loads again
    app.patch(&format!("/v1/meetings/{code}/title"), json!({"title": "t"}))
        .await;
    app.meeting(&code).await;
    let later = summary(&app).await["cache"].clone();
    assert_eq!(delta(&after, &later, "invalidations"), 1, "{later}");
    assert_eq!(delta(&after, &later, "misses"), 1, "{later}");
    assert!(later["hit_rate"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn no_write_route_leaves_a_stale_read() {
    // Given a cached meeting (each step reads it first, so the cache holds the old state)
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    let get = || app.meeting(&code);
    get().await;
    app.patch(
        &format!("/v1/meetings/{code}/date_range"),
        json!({"start_date": "2025-01-01", "end_date": "2025-01-03"}),
    )
    .await;
    assert_eq!(get().await["end_date"], "2025-01-03", "date_range");
    app.patch(&format!("/v1/meetings/{code}/title"), json!({"title": "new title"}))
        .await;
    assert_eq!(get().await["title"], "new title", "title");
    app.patch(
        &format!("/v1/meetings/{code}/location"),
        json!({"location": "new place"}),
    )
    .await;
    assert_eq!(get().await["location"], "new place", "location");
    let p = app.add_participant(&code, "kim").await;
    assert_eq!(
        get().await["participants"].as_array().unwrap().len(),
        1,
        "create participant"
    );
    let other = app.add_participant(&code, "lee").await;
    assert_eq!(get().await["participants"].as_array().unwrap().len(), 2);
    let day = date_id(&p, "2025-01-02");
    for (op, expected) in [
        ("off", (false, false)),
        ("star", (true, true)),
        ("unstar", (true, false)),
        ("off", (false, false)),
        ("on", (true, false)),
    ] {
        app.toggle(op, &code, day).await;
        let m = get().await;
        let d = m["participants"][0]["dates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == day)
            .unwrap()
            .clone();
        assert_eq!(
            (d["enabled"].as_bool().unwrap(), d["starred"].as_bool().unwrap()),
            expected,
            "{op}"
        );
    }
    app.delete(&format!("/v1/participants/{}", other["participant_id"]))
        .await;
    assert_eq!(
        get().await["participants"].as_array().unwrap().len(),
        1,
        "delete participant"
    );
}

#[tokio::test]
async fn each_write_is_seen_by_the_next_read_while_others_read_concurrently() {
    // Given readers hammering one meeting while a writer flips one date back and forth.
    // (A load racing an invalidation is proven not to be stored by the cache's own unit test
    // `a_value_loaded_across_an_invalidation_is_not_stored`; over HTTP the window is too narrow
    // to hit on demand.)
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-01-01", "2025-01-01").await;
    let day = date_id(&app.add_participant(&code, "p").await, "2025-01-01");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (client, url, stop) = (
                app.client.clone(),
                app.url(&format!("/v1/meetings/{code}")),
                stop.clone(),
            );
            tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let _ = client.get(&url).send().await.unwrap().bytes().await;
                }
            })
        })
        .collect();
    // When each write returns, Then the very next read shows it
    for i in 0..60 {
        let (op, enabled) = if i % 2 == 0 { ("off", false) } else { ("on", true) };
        assert_eq!(app.toggle(op, &code, day).await.status(), StatusCode::OK);
        let m = app.meeting(&code).await;
        assert_eq!(m["participants"][0]["dates"][0]["enabled"], enabled, "round {i}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        r.await.unwrap();
    }
}

#[tokio::test]
async fn with_the_cache_off_everything_still_answers_and_says_so() {
    let options = ApiOptions {
        cache: None,
        ..ApiOptions::default()
    };
    let app = spawn_app_with_options(&[("main", backend())], &options).await;
    let code = app.meeting_with_range("2025-01-01", "2025-01-02").await;
    app.add_participant(&code, "p").await;
    assert_eq!(app.meeting(&code).await["participants"].as_array().unwrap().len(), 1);
    assert_eq!(summary(&app).await["cache"], json!({"enabled": false}));
}

/// Stops the binary as an operator would (SIGTERM), so that it writes out its queued log lines,
/// and returns what it wrote.
fn stop(server: std::process::Child) -> std::process::Output {
    let sent = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = server.wait_with_output().unwrap();
    assert!(out.status.success(), "the server did not stop cleanly: {out:?}");
    out
}

/// The real binary on a fresh database of the suite's backend, with `args`; logs on its stdout.
async fn spawn_binary(args: &[&str]) -> (std::process::Child, TestApp, meetifyr_store::testing::TestDatabase) {
    let port = free_port();
    let db = meetifyr_store::testing::TestDatabase::create(backend()).await;
    let mut server = Command::new(env!("CARGO_BIN_EXE_meetifyr"))
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--store",
            &format!("s={}", db.url.expose()),
        ])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let app = TestApp::at(format!("http://127.0.0.1:{port}"));
    for _ in 0..100 {
        if app.client.get(app.url("/health")).send().await.is_ok() {
            return (server, app, db);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = server.kill();
    let _ = server.wait();
    panic!("the server did not start");
}

#[tokio::test]
async fn requests_slower_than_the_threshold_are_logged_as_warnings() {
    // Given the real binary with a threshold every request exceeds
    let (server, app, _db) = spawn_binary(&["--slow-request-ms", "0", "--log", "warn"]).await;
    // When a meeting is read
    let code = app.create_meeting().await;
    app.meeting(&code).await;
    // Then a WARNING names the route template, the status and the duration
    let out = stop(server);
    let log = String::from_utf8_lossy(&out.stdout);
    let line = log
        .lines()
        .find(|l| l.contains("slow request") && l.contains("GET /v1/meetings/{meeting_url_code}"))
        .unwrap_or_else(|| panic!("no slow-request warning in:\n{log}"));
    assert!(
        line.contains("WARN") && line.contains("status=200") && line.contains("duration_ms="),
        "{line}"
    );
    assert!(!line.contains(&code), "{line}");
}

#[tokio::test]
async fn the_demo_endpoints_rank_by_their_slowness_and_are_warned_about() {
    // Given the real binary with the demo endpoints and a 150 ms slow-request threshold
    let (server, app, _db) = spawn_binary(&["--demo-endpoints", "--slow-request-ms", "150", "--log", "warn"]).await;
    // When each slow endpoint is called twice, and a meeting is read
    for _ in 0..2 {
        for path in ["/slow/serialization", "/slow/db-query", "/slow/external-api"] {
            let (status, body) = status_json(app.get(path).await).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
        }
    }
    app.meeting(&app.create_meeting().await).await;
    // Then /metrics ranks them slowest first: upstream wait, database, serialization
    let s = summary(&app).await;
    // (Among them: on a busy machine another request can be slow too, and rank between.)
    let top: Vec<&str> = s["top_5_slowest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["endpoint"].as_str().unwrap())
        .filter(|e| e.starts_with("GET /slow/"))
        .collect();
    assert_eq!(
        top,
        [
            "GET /slow/external-api",
            "GET /slow/db-query",
            "GET /slow/serialization"
        ],
        "{s}"
    );
    let avg = |endpoint: &str| s["endpoints"][endpoint]["avg_ms"].as_f64().unwrap();
    assert!(avg("GET /slow/external-api") >= 450.0, "{s}");
    assert!(avg("GET /slow/db-query") >= 150.0, "{s}");
    assert!(avg("GET /slow/serialization") >= 90.0, "{s}");
    // And the two over the threshold are logged as slow requests, each time
    let out = stop(server);
    let log = String::from_utf8_lossy(&out.stdout);
    for endpoint in ["GET /slow/external-api", "GET /slow/db-query"] {
        let warnings = log
            .lines()
            .filter(|l| l.contains("WARN") && l.contains("slow request") && l.contains(endpoint))
            .count();
        assert_eq!(warnings, 2, "{endpoint} in:\n{log}");
    }
}

#[tokio::test]
async fn the_demo_endpoints_are_off_by_default() {
    // Given a server with default options
    let app = spawn_app().await;
    // When a slow endpoint and the document are asked for
    let (status, _) = status_json(app.get("/slow/db-query").await).await;
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    // Then the route does not exist and is not documented
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(doc["paths"].get("/slow/db-query").is_none());
}

#[tokio::test]
async fn a_request_over_the_time_limit_gets_503_with_a_detail() {
    // Given a 200 ms request timeout and the demo's 500 ms upstream call
    let options = ApiOptions {
        request_timeout: std::time::Duration::from_millis(200),
        demo_endpoints: true,
        ..ApiOptions::default()
    };
    let app = spawn_app_with_options(&[("main", backend())], &options).await;
    // When it is called
    let (status, body) = status_json(app.get("/slow/external-api").await).await;
    // Then the answer is 503 with a JSON detail
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body["detail"].as_str().unwrap().contains("longer than 0.2 s"), "{body}");
}

/// The lines of a JSON log, each parsed (a line that is not JSON fails the test).
fn json_lines(log: &str) -> Vec<Value> {
    log.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

#[tokio::test]
async fn json_logs_carry_the_request_id_in_every_line_and_one_access_line_per_request() {
    // Given the real binary writing JSON logs, with every request slow enough to be warned about
    let (server, app, _db) = spawn_binary(&["--log-format", "json", "--slow-request-ms", "0"]).await;
    let code = app.create_meeting().await;
    // When a client reads the meeting with its own request id, and another without one
    let res = app
        .client
        .get(app.url(&format!("/v1/meetings/{code}")))
        .header("x-request-id", "trace-7f3c.1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Then the response returns the client's id
    assert_eq!(res.headers()["x-request-id"], "trace-7f3c.1");
    let bytes = res.bytes().await.unwrap().len() as u64;
    let res = app
        .client
        .get(app.url(&format!("/v1/meetings/{code}?password=hunter2")))
        .header("x-request-id", "forged\" words")
        .send()
        .await
        .unwrap();
    // And an id that could forge log lines is replaced by a fresh one
    let fresh = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(fresh.len(), 32, "{fresh}");
    assert!(fresh.bytes().all(|b| b.is_ascii_hexdigit()), "{fresh}");
    let out = stop(server);
    let log = String::from_utf8_lossy(&out.stdout);
    let lines = json_lines(&log);
    let of = |id: &str| -> Vec<&Value> { lines.iter().filter(|l| l["span"]["request_id"] == id).collect() };
    let mine = of("trace-7f3c.1");
    // And the access line is at INFO, names the route template, the status, the time and the bytes
    let access = mine
        .iter()
        .find(|l| l["target"] == "access")
        .unwrap_or_else(|| panic!("no access line of trace-7f3c.1 in:\n{log}"));
    assert_eq!(access["level"], "INFO", "{access}");
    assert_eq!(access["status"], 200, "{access}");
    assert_eq!(access["bytes"], bytes, "{access}");
    assert!(access["duration_ms"].as_f64().unwrap() > 0.0, "{access}");
    assert_eq!(access["span"]["method"], "GET", "{access}");
    assert_eq!(access["span"]["route"], "/v1/meetings/{meeting_url_code}", "{access}");
    // And the slow-request warning of the same request carries the same id
    assert!(
        mine.iter()
            .any(|l| l["level"] == "WARN" && l["message"] == "slow request"),
        "no warning with the request id in:\n{log}"
    );
    // And the fresh id is the one logged for the second request, exactly once as access
    assert_eq!(
        of(&fresh).iter().filter(|l| l["target"] == "access").count(),
        1,
        "{log}"
    );
    // And no line holds the meeting's code, the query, or the refused id
    for secret in [code.as_str(), "hunter2", "forged"] {
        assert!(!log.contains(secret), "{secret} is in the log:\n{log}");
    }
}

#[tokio::test]
async fn the_default_text_log_has_an_access_line_at_info() {
    // Given the real binary with its default log settings
    let (server, app, _db) = spawn_binary(&[]).await;
    // When an unknown route is asked for
    let res = app
        .client
        .get(app.url("/no/such/route"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["x-request-id"], "abc-123");
    let out = stop(server);
    let log = String::from_utf8_lossy(&out.stdout);
    // Then one INFO line records it, under its id, without the raw path
    let line = log
        .lines()
        .find(|l| l.contains("request_id=abc-123") && l.contains("access"))
        .unwrap_or_else(|| panic!("no access line in:\n{log}"));
    assert!(line.contains("INFO") && line.contains("status=404"), "{line}");
    assert!(
        line.contains("route=unmatched") && !line.contains("/no/such/route"),
        "{line}"
    );
}

#[tokio::test]
async fn metrics_listen_serves_metrics_on_the_operators_address_only() {
    // Given the real binary with a second address for operators
    let port = free_port();
    let operations = TestApp::at(format!("http://127.0.0.1:{port}"));
    let (mut server, app, _db) = spawn_binary(&["--metrics-listen", &format!("127.0.0.1:{port}")]).await;
    let code = app.create_meeting().await;
    app.meeting(&code).await;
    // When Prometheus scrapes the operators' address
    let res = operations.get("/metrics").await;
    // Then it gets the exposition, with the public traffic in it
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(text.contains(r#"route="/v1/meetings/{meeting_url_code}""#), "{text}");
    // And health and docs answer there too
    assert_eq!(operations.get("/health/ready").await.status(), StatusCode::OK);
    assert_eq!(operations.get("/openapi.json").await.status(), StatusCode::OK);
    // But the public address no longer serves /metrics, and the API is not on the operators' one
    let public = app.get("/metrics").await;
    assert_eq!(public.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        operations.get(&format!("/v1/meetings/{code}")).await.status(),
        StatusCode::NOT_FOUND
    );
    server.kill().unwrap();
    let _ = server.wait();
}

#[tokio::test]
async fn the_health_subcommand_says_whether_the_server_on_listen_is_ready() {
    // Given a server on 127.0.0.1:P
    let (mut server, app, _db) = spawn_binary(&[]).await;
    let port = app.base.rsplit(':').next().unwrap().to_owned();
    let health = |listen: String| {
        Command::new(env!("CARGO_BIN_EXE_meetifyr"))
            .args(["health", "--listen", &listen])
            .output()
            .unwrap()
    };
    // When `meetifyr health` asks with the server's --listen given as 0.0.0.0:P
    let out = health(format!("0.0.0.0:{port}"));
    // Then it exits 0 and says ready
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ready: HTTP/1.1 200"));
    // And once the server is gone, it exits 1 and says why
    server.kill().unwrap();
    let _ = server.wait();
    let out = health(format!("127.0.0.1:{port}"));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not ready") && stderr.contains("cannot connect"),
        "{stderr}"
    );
}

/// This process's user and system CPU time as the kernel counts it (`/proc/self/stat`, in clock
/// ticks of `getconf CLK_TCK`).
fn own_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').expect("a command name") + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    let hz = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .unwrap_or(100.0);
    ticks / hz
}
