//! Nothing acknowledged is lost when a server dies: kill -9 (SIGKILL, no shutdown of any kind)
//! under 8 writers, restart, and compare the database with what was acknowledged.
//!
//! SQLite: the only process is killed. PostgreSQL and MySQL: one of three instances on the same
//! database. Each writer owns a participant and toggles its days on and off in turn, so every
//! acknowledged toggle must still show unless a later toggle of the same day (acknowledged or
//! not) may have replaced it.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use meetifyr_store::testing::TestDatabase;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

const WRITERS: usize = 8;
const DAYS: usize = 31;

/// The real binary on `url`, serving on `port` once `/health` answers. No cache (instances do
/// not share one) and no rate limits (8 writers on one address are the point).
async fn start(url: &str, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_meetifyr"))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--store", &format!("s={url}")])
        .args(["--cache", "off", "--rate-limit", "off", "--log", "warn"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let probe = TestApp::at(format!("http://127.0.0.1:{port}"));
    for _ in 0..200 {
        if probe.client.get(probe.url("/health")).send().await.is_ok() {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server on port {port} did not start");
}

/// One writer's record: per day, the last toggle it sent and whether that one was acknowledged.
#[derive(Default)]
struct Record {
    last: HashMap<usize, (bool, bool)>, // day -> (turned on, acknowledged)
    acknowledged: u64,
    failed: u64,
    versions: Vec<i64>,
}

#[tokio::test]
async fn a_server_killed_under_writes_loses_nothing_it_acknowledged() {
    // Given a meeting of 31 days with 8 participants, served by one instance (SQLite) or three
    let db = TestDatabase::create(backend()).await;
    let url = db.url.expose().to_owned();
    let instances = if backend_name() == "sqlite" { 1 } else { 3 };
    let ports: Vec<u16> = (0..instances).map(|_| free_port()).collect();
    let mut servers = Vec::new();
    for port in &ports {
        servers.push(start(&url, *port).await);
    }
    let apps: Vec<TestApp> = ports
        .iter()
        .map(|p| TestApp::at(format!("http://127.0.0.1:{p}")))
        .collect();
    let code = apps[0].meeting_with_range("2025-03-01", "2025-03-31").await;
    let mut participants = Vec::new();
    for w in 0..WRITERS {
        let created = apps[0].add_participant(&code, &format!("writer {w}")).await;
        let ids: Vec<i64> = created["participant_dates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids.len(), DAYS);
        participants.push((created["participant_id"].as_i64().unwrap(), ids));
    }
    // When 8 writers toggle their days, writer w through instance w mod N, and instance 0 is
    // killed with SIGKILL mid-stream, then started again on the same database and port
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let records: Vec<Arc<Mutex<Record>>> = (0..WRITERS).map(|_| Arc::default()).collect();
    let mut tasks = Vec::new();
    for (w, (_, ids)) in participants.iter().enumerate() {
        let base = apps[w % instances].base.clone();
        let (ids, code, stop, record) = (ids.clone(), code.clone(), stop.clone(), records[w].clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap();
            let mut step = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let day = step % DAYS;
                let on = (step / DAYS).is_multiple_of(2);
                let sent = client
                    .patch(format!("{base}/v1/participant_dates/{}", if on { "on" } else { "off" }))
                    .json(&json!({"participant_date_id": ids[day], "meeting_url_code": code}))
                    .send()
                    .await;
                let version = match sent {
                    Ok(res) if res.status() == StatusCode::OK => res
                        .headers()
                        .get("etag")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim_matches('"').parse::<i64>().ok()),
                    _ => None,
                };
                let acknowledged = {
                    let mut r = record.lock().unwrap();
                    r.last.insert(day, (on, version.is_some()));
                    match version {
                        Some(v) => {
                            r.acknowledged += 1;
                            r.versions.push(v);
                        }
                        None => r.failed += 1,
                    }
                    version.is_some()
                };
                if acknowledged {
                    step += 1;
                } else {
                    // Unknown outcome (the server died): the same toggle is sent again.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    servers[0].kill().unwrap(); // SIGKILL
    let _ = servers[0].wait();
    tokio::time::sleep(Duration::from_millis(300)).await;
    servers[0] = start(&url, ports[0]).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    // Then, read back through the restarted instance, every acknowledged toggle that no later
    // toggle of the same day may have replaced is there
    let res = apps[0].get(&format!("/v1/meetings/{code}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let version: i64 = res.headers()["etag"]
        .to_str()
        .unwrap()
        .trim_matches('"')
        .parse()
        .unwrap();
    let meeting: serde_json::Value = res.json().await.unwrap();
    let mut acknowledged = 0;
    let mut failed = 0;
    let mut checked = 0;
    for (w, (participant, _)) in participants.iter().enumerate() {
        let r = records[w].lock().unwrap();
        acknowledged += r.acknowledged;
        failed += r.failed;
        let days = answer(&meeting, *participant);
        for (day, (on, acked)) in &r.last {
            if *acked {
                checked += 1;
                assert_eq!(
                    days[*day].1,
                    *on,
                    "writer {w}: day {} was acknowledged {} but reads {}",
                    days[*day].0,
                    if *on { "on" } else { "off" },
                    days[*day].1
                );
            }
        }
        // And the versions a writer was acknowledged only grew
        assert!(
            r.versions.windows(2).all(|p| p[0] < p[1]),
            "writer {w}: versions went back"
        );
    }
    let highest = records
        .iter()
        .filter_map(|r| r.lock().unwrap().versions.last().copied())
        .max()
        .unwrap();
    assert!(
        version >= highest,
        "the meeting reads version {version} after {highest} was acknowledged"
    );
    // And the killed instance's writers were refused while it was down, then served again
    let on_killed: u64 = (0..WRITERS)
        .step_by(instances)
        .map(|w| records[w].lock().unwrap().failed)
        .sum();
    assert!(
        on_killed > 0,
        "no write reached the server while it was down: the kill tested nothing"
    );
    println!(
        "crash ({}, {instances} instance(s), {WRITERS} writers): {acknowledged} writes acknowledged, \
         {failed} refused while down, {checked} last toggles checked, lost: 0",
        backend_name()
    );
    for mut s in servers {
        let _ = s.kill();
        let _ = s.wait();
    }
}
