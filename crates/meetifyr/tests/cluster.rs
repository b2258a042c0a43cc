//! Several instances on one database, each with its cache on, over real HTTP: PostgreSQL with
//! `--bus postgres`, and PostgreSQL and MariaDB with `--bus redis://…` (a real redis-server per
//! test). Reads through any instance see the last write, watchers on one instance get writes
//! made through another, and a killed bus connection or a restarted Redis costs no stale read.

use std::time::{Duration, Instant};

use meetifyr::{App, StoreSpec};
use meetifyr_api::{ApiOptions, BusOptions, RateLimitOptions};
use meetifyr_store::{
    StoreOptions,
    testing::{Backend, TestDatabase, execute_script},
};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

struct Instance {
    base: String,
    client: Client,
}

impl Instance {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let res = self.client.get(self.url(path)).send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn meeting(&self, code: &str) -> Value {
        let (status, body) = self.get(&format!("/v1/meetings/{code}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let res = self
            .client
            .request(method, self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().await.unwrap_or(Value::Null)
    }
}

/// Whether this machine can run a cluster test on `backends` (and Redis): when not, says what
/// is missing once, and the test returns early. `./scripts/test.sh` provides everything.
fn can_run(backends: &[Backend], redis: bool) -> bool {
    let ok = backends
        .iter()
        .fold(true, |ok, b| meetifyr_store::testing::available(*b) & ok);
    ok && (!redis || meetifyr_store::testing::program_available("redis-server", "redis-server"))
}

/// A redis-server of the test's own on a free port, stopped when dropped.
struct Redis {
    port: u16,
    process: std::process::Child,
}

impl Redis {
    fn start_on(port: u16) -> Self {
        let process = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            // Under the calendar check's libfaketime, redis-server (jemalloc) cannot start; the
            // faked clock is meant for Meetifyr, not for the servers it talks to.
            .env_remove("LD_PRELOAD")
            .spawn()
            .expect("redis-server (Debian's redis-server package; scripts/test.sh installs it)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { port, process }
    }

    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(port)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Stops the server and starts a new one on the same port (what a restart looks like to
    /// clients: every connection drops, the server comes back empty).
    fn restart(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        *self = Self::start_on(self.port);
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Which bus a test cluster uses.
enum Via<'a> {
    Postgres,
    Redis(&'a Redis),
}

/// `n` instances on one fresh database of `backend`, each ready (its bus connected).
async fn cluster(n: usize, backend: Backend, via: Via<'_>) -> (TestDatabase, Vec<Instance>) {
    cluster_with(n, backend, via, None).await
}

/// As [`cluster`], with rate limits (`None`: none).
async fn cluster_with(
    n: usize,
    backend: Backend,
    via: Via<'_>,
    rate_limits: Option<RateLimitOptions>,
) -> (TestDatabase, Vec<Instance>) {
    let db = TestDatabase::create(backend).await;
    let bus = match via {
        Via::Postgres => BusOptions::Postgres {
            url: db.url.expose().to_owned(),
        },
        Via::Redis(redis) => BusOptions::Redis(meetifyr_api::RedisServer::new(redis.url(), None).unwrap()),
    };
    let options = ApiOptions {
        rate_limits,
        bus,
        ..ApiOptions::default()
    };
    let mut instances = Vec::new();
    for _ in 0..n {
        let spec = StoreSpec {
            name: "pg".into(),
            url: db.url.clone(),
        };
        let app = App::build(
            "127.0.0.1:0".parse().unwrap(),
            &[spec],
            &StoreOptions::default(),
            &options,
        )
        .await
        .expect("app starts");
        let base = format!("http://{}", app.local_addr());
        tokio::spawn(app.run(std::future::pending()));
        instances.push(Instance {
            base,
            client: Client::new(),
        });
    }
    for instance in &instances {
        wait_ready(instance).await;
    }
    (db, instances)
}

async fn wait_ready(instance: &Instance) {
    let started = Instant::now();
    loop {
        let (status, body) = instance.get("/health/ready").await;
        if status == StatusCode::OK {
            assert_eq!(body["bus"], "connected");
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "never ready: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A series' value in the Prometheus exposition (0 when absent). The in-process instances share
/// one recorder, so this is their sum.
async fn counter(instance: &Instance, series: &str) -> f64 {
    let text = instance
        .client
        .get(instance.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

/// Reads an SSE stream until its newest frame shows the participant free on `day` (true), or
/// `deadline` passes (false).
async fn pushed(events: &mut reqwest::Response, day: &str, deadline: Instant) -> bool {
    let wanted = format!("\"date\":\"{day}\",\"enabled\":true");
    let mut seen = String::new();
    while !seen.rsplit("data: ").next().unwrap_or("").contains(&wanted) {
        let chunk = tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), events.chunk()).await;
        match chunk {
            Ok(Ok(Some(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            _ => return false,
        }
    }
    true
}

/// A meeting of 31 days with one participant: its code and the participant's id.
async fn meeting(via: &Instance) -> (String, i64) {
    let code = via.send(reqwest::Method::POST, "/v1/meetings", json!({})).await["url_code"]
        .as_str()
        .unwrap()
        .to_owned();
    via.send(
        reqwest::Method::PATCH,
        &format!("/v1/meetings/{code}/date_range"),
        json!({"start_date": "2026-12-01", "end_date": "2026-12-31"}),
    )
    .await;
    let p = via
        .send(
            reqwest::Method::POST,
            "/v1/participants",
            json!({"meeting_url_code": code, "name": "Kim"}),
        )
        .await["participant_id"]
        .as_i64()
        .unwrap();
    (code, p)
}

fn day(i: usize) -> String {
    format!("2026-12-{:02}", i % 31 + 1)
}

/// The participant's free days in a GET body.
fn free_days(meeting: &Value) -> Vec<String> {
    meeting["participants"][0]["dates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["enabled"] == true)
        .map(|d| d["date"].as_str().unwrap().to_owned())
        .collect()
}

/// Writes round `i` through `writer` (the participant free on one day), returning that day.
async fn write_round(writer: &Instance, code: &str, participant: i64, i: usize) -> String {
    let body = json!({"meeting_url_code": code, "free": [day(i)]});
    writer
        .send(
            reqwest::Method::PUT,
            &format!("/v1/participants/{participant}/availability"),
            body,
        )
        .await;
    day(i)
}

/// `n` rounds of "B and C read (so each caches the previous version), A writes, B and C read
/// again", with `before(i)` run at the start of round `i` (a fault, or nothing): how many of
/// the second reads were stale, and the last day written.
async fn rounds(
    nodes: &[Instance],
    code: &str,
    participant: i64,
    n: usize,
    mut before: impl AsyncFnMut(usize),
) -> (usize, String) {
    let mut stale = 0;
    let mut last = String::new();
    for i in 0..n {
        before(i).await;
        for reader in &nodes[1..] {
            reader.meeting(code).await;
        }
        last = write_round(&nodes[0], code, participant, i).await;
        for reader in &nodes[1..] {
            if free_days(&reader.meeting(code).await) != [last.clone()] {
                stale += 1;
            }
        }
    }
    (stale, last)
}

/// 500 rounds on a new meeting: how many reads were stale.
async fn stale_reads_in_500_rounds(nodes: &[Instance]) -> usize {
    let (code, p) = meeting(&nodes[0]).await;
    rounds(nodes, &code, p, 500, async |_| {}).await.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_reads_on_postgres_and_mariadb_return_the_last_write_in_500_rounds() {
    if !can_run(&[Backend::Postgres, Backend::MySql], true) {
        return;
    }
    // Given a Redis, and three instances on PostgreSQL, then on MariaDB, with hot caches
    let redis = Redis::start();
    for backend in [Backend::Postgres, Backend::MySql] {
        let (_db, nodes) = cluster(3, backend, Via::Redis(&redis)).await;
        // When A writes and B and C read, 500 times, Then no read is stale
        assert_eq!(stale_reads_in_500_rounds(&nodes).await, 0, "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_a_watcher_gets_a_write_from_another_instance_and_survives_a_redis_restart() {
    if !can_run(&[Backend::MySql], true) {
        return;
    }
    // Given three instances on MariaDB with a Redis bus, and a watcher on C
    let mut redis = Redis::start();
    let (_db, nodes) = cluster(3, Backend::MySql, Via::Redis(&redis)).await;
    let (code, p) = meeting(&nodes[0]).await;
    let mut events = nodes[2]
        .client
        .get(nodes[2].url(&format!("/v1/meetings/{code}/events")))
        .send()
        .await
        .unwrap();
    events.chunk().await.unwrap();
    // When A writes, Then C pushes it within a second
    let started = Instant::now();
    let written = write_round(&nodes[0], &code, p, 3).await;
    assert!(
        pushed(&mut events, &written, started + Duration::from_secs(1)).await,
        "pushed within a second"
    );
    // When Redis restarts while A keeps writing, Then no read through B or C is stale
    let (stale, last) = rounds(&nodes, &code, p, 150, async |i| {
        if i == 40 {
            redis.restart();
        }
    })
    .await;
    assert_eq!(stale, 0);
    // And every instance reconnects, and C's watcher catches up with the last write
    for node in &nodes {
        wait_ready(node).await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    assert!(pushed(&mut events, &last, deadline).await, "the watcher catches up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_through_any_instance_return_the_last_write_in_500_rounds() {
    if !can_run(&[Backend::Postgres], false) {
        return;
    }
    // Given three instances with hot caches
    let (_db, nodes) = cluster(3, Backend::Postgres, Via::Postgres).await;
    // When A writes 500 times, B and C reading before and after each write
    // Then B and C return each write at once
    assert_eq!(stale_reads_in_500_rounds(&nodes).await, 0, "stale reads in 1,000");
    // And the caches served the reads that followed no write (after a one-row version check)
    let current = counter(&nodes[1], "meetifyr_cache_version_checks_total{outcome=\"current\"}").await;
    assert!(current >= 400.0, "{current} current copies served");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_on_one_instance_gets_a_write_made_through_another_within_a_second() {
    if !can_run(&[Backend::Postgres], false) {
        return;
    }
    let (_db, nodes) = cluster(3, Backend::Postgres, Via::Postgres).await;
    let (code, p) = meeting(&nodes[0]).await;
    // Given a watcher on C, past its first frame
    let mut events = nodes[2]
        .client
        .get(nodes[2].url(&format!("/v1/meetings/{code}/events")))
        .send()
        .await
        .unwrap();
    let first = String::from_utf8_lossy(&events.chunk().await.unwrap().unwrap()).into_owned();
    assert!(first.contains("\"version\""), "{first}");
    // When A writes
    let started = Instant::now();
    let written = write_round(&nodes[0], &code, p, 7).await;
    // Then C pushes it within a second
    assert!(
        pushed(&mut events, &written, started + Duration::from_secs(1)).await,
        "pushed within a second"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_bus_connection_costs_no_stale_read_and_watchers_catch_up() {
    if !can_run(&[Backend::Postgres], false) {
        return;
    }
    let (db, nodes) = cluster(3, Backend::Postgres, Via::Postgres).await;
    let (code, p) = meeting(&nodes[0]).await;
    let mut events = nodes[1]
        .client
        .get(nodes[1].url(&format!("/v1/meetings/{code}/events")))
        .send()
        .await
        .unwrap();
    events.chunk().await.unwrap();
    // When every instance's listening connection is terminated while A keeps writing
    // (only this test's database: the other tests' clusters run beside it on the same server)
    let killed = "select pg_terminate_backend(pid) from pg_stat_activity \
         where application_name = 'meetifyr-bus' and datname = current_database() \
         and pid <> pg_backend_pid()";
    let (stale, last) = rounds(&nodes, &code, p, 200, async |i| {
        if i == 50 {
            execute_script(&db.url, killed)
                .await
                .expect("terminate the bus connections");
        }
    })
    .await;
    // Then reads through B and C never go stale
    assert_eq!(stale, 0);
    // And the instances noticed, reconnected, and say so
    for node in &nodes {
        wait_ready(node).await;
    }
    let disconnects = counter(&nodes[1], "meetifyr_bus_disconnects_total").await;
    assert!(disconnects >= 1.0, "{disconnects}");
    // And B's watcher ends up with the last write (pushed after the reconnection at the latest)
    let deadline = Instant::now() + Duration::from_secs(10);
    assert!(pushed(&mut events, &last, deadline).await, "the watcher catches up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liveness_and_readiness_for_load_balancers() {
    if !can_run(&[Backend::Postgres], false) {
        return;
    }
    let (_db, nodes) = cluster(1, Backend::Postgres, Via::Postgres).await;
    let (status, body) = nodes[0].get("/health/live").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ok"})));
    let (status, body) = nodes[0].get("/health/ready").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["bus"], "connected");
    assert_eq!(body["stores"][0]["status"], "ok");
}

/// POST /v1/meetings through `via`: its status.
async fn create(via: &Instance) -> StatusCode {
    via.client.post(via.url("/v1/meetings")).send().await.unwrap().status()
}

#[tokio::test]
async fn with_redis_three_instances_give_an_address_one_allowance_and_fall_back_to_their_own() {
    if !can_run(&[Backend::Sqlite], true) {
        return;
    }
    // Given three instances on one Redis, each allowing an address 6 creations a minute and a
    // participant 3 password checks, and a participant with a password (one creation used)
    let redis = Redis::start();
    let limits = RateLimitOptions {
        create: "6/min".parse().unwrap(),
        password: "3/min".parse().unwrap(),
        ..RateLimitOptions::default()
    };
    let (_db, nodes) = cluster_with(3, Backend::Sqlite, Via::Redis(&redis), Some(limits)).await;
    let code = nodes[0].send(reqwest::Method::POST, "/v1/meetings", json!({})).await["url_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let range = json!({"start_date": "2025-03-01", "end_date": "2025-03-03"});
    nodes[0]
        .send(
            reqwest::Method::PATCH,
            &format!("/v1/meetings/{code}/date_range"),
            range,
        )
        .await;
    let joined = nodes[0]
        .send(
            reqwest::Method::POST,
            "/v1/participants",
            json!({"meeting_url_code": code, "name": "Kim", "password": "s3cret"}),
        )
        .await;
    let day = joined["participant_dates"][0]["id"].as_i64().unwrap();
    // When the address creates 18 more meetings, through each instance in turn
    let mut created = 0;
    for i in 0..18 {
        match create(&nodes[i % 3]).await {
            StatusCode::OK => created += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("creation {i}: {other}"),
        }
    }
    // Then the three together allowed what one allows (within one of the burst), not three times it
    assert!(
        (5..=6).contains(&created),
        "{created} of 18 creations allowed after 1 of 6"
    );
    // When someone guesses the password 9 times at once, 3 through each instance
    let guesses = (0..9).map(|i| {
        let node = &nodes[i % 3];
        node.client
            .patch(node.url("/v1/participant_dates/on"))
            .json(&json!({"participant_date_id": day, "meeting_url_code": code, "password": format!("guess {i}")}))
            .send()
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(guesses)
        .await
        .into_iter()
        .map(|r| r.unwrap().status())
        .collect();
    // Then only the participant's 3 checks were made, whichever instances they reached
    let checked = statuses.iter().filter(|s| **s == StatusCode::FORBIDDEN).count();
    let limited = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert!((3..=4).contains(&checked) && checked + limited == 9, "{statuses:?}");
    // When Redis goes away
    drop(redis);
    // Then every instance still limits, on its own: at most its 6 of 8 creations each
    for (n, node) in nodes.iter().enumerate() {
        let mut allowed = 0;
        for _ in 0..8 {
            if create(node).await == StatusCode::OK {
                allowed += 1;
            }
        }
        assert!(
            (1..=6).contains(&allowed),
            "instance {n} allowed {allowed} of 8 without Redis"
        );
    }
    // And says so in its metrics
    assert_eq!(counter(&nodes[0], "meetifyr_rate_limits_shared").await, 0.0);
}
