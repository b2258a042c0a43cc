//! The `live` scenario: watchers on Server-Sent Events and WebSockets while writers toggle days.
//!
//! Not a goose scenario (goose measures requests, not pushes): M meetings per store, W watchers
//! per meeting holding `GET …/events` or `…/ws` open (in turn, by `--transports`), writers
//! toggling random days at a fixed rate. For
//! every write and every watcher of its meeting, the latency is the time from the write's
//! response to that watcher's receipt of a version at least as new; a watcher whose last version
//! is not its meeting's last written one lost an update.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use futures::StreamExt as _;
use rand::Rng as _;
use serde::Serialize;
use tokio::sync::watch;

/// How a watcher listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// `GET …/events` (Server-Sent Events).
    Sse,
    /// `GET …/ws` (WebSocket).
    Ws,
}

/// One transport's share of a run.
#[derive(Debug, Serialize)]
pub struct TransportFigures {
    pub transport: Transport,
    pub watchers: usize,
    pub latency_ms: Percentiles,
    pub lost_updates: usize,
}

/// What one store's run measured.
#[derive(Debug, Serialize)]
pub struct LiveReport {
    pub store: String,
    pub meetings: usize,
    pub watchers: usize,
    pub writes: usize,
    pub writes_per_second: f64,
    pub failed_writes: usize,
    pub latency_ms: Percentiles,
    /// Watchers whose last version is not their meeting's last written one.
    pub lost_updates: usize,
    pub rss_before_mb: Option<f64>,
    pub rss_watching_mb: Option<f64>,
    pub kb_per_watcher: Option<f64>,
    /// The same figures per transport.
    pub by_transport: Vec<TransportFigures>,
}

#[derive(Debug, Default, Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
    pub samples: usize,
}

impl Percentiles {
    fn of(mut ms: Vec<f64>) -> Self {
        if ms.is_empty() {
            return Self::default();
        }
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
        Self {
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: ms[ms.len() - 1],
            samples: ms.len(),
        }
    }
}

struct Meeting {
    code: String,
    date_ids: Vec<i64>,
}

/// (version, when) of each write's response, and of each watcher's receipt.
type Marks = Vec<(i64, Instant)>;

pub async fn run(
    host: &str,
    store: &str,
    meetings: usize,
    watchers: usize,
    transports: &[Transport],
    writes_per_second: f64,
    run_time: Duration,
) -> anyhow::Result<LiveReport> {
    if meetings == 0 || watchers == 0 || writes_per_second <= 0.0 || transports.is_empty() {
        bail!("the live scenario needs meetings, watchers, transports and writes");
    }
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
    let base = format!("{host}/v1/{store}");
    let prepared: Vec<Meeting> = futures::stream::iter(0..meetings)
        .map(|_| prepare(&client, &base))
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let prepared = Arc::new(prepared);
    let rss_before = rss(&client, host).await;

    // Watchers: each connects, then records every frame until told to stop.
    let (stop, stopped) = watch::channel(false);
    let connected = Arc::new(tokio::sync::Semaphore::new(0));
    let mut tasks = Vec::new();
    for (m, meeting) in prepared.iter().enumerate() {
        for w in 0..watchers {
            let transport = transports[w % transports.len()];
            let (stopped, connected) = (stopped.clone(), connected.clone());
            tasks.push(match transport {
                Transport::Sse => {
                    let url = format!("{base}/meetings/{}/events", meeting.code);
                    tokio::spawn(watch_sse(client.clone(), url, m, stopped, connected))
                }
                Transport::Ws => {
                    let url = format!("{base}/meetings/{}/ws", meeting.code).replacen("http", "ws", 1);
                    tokio::spawn(watch_ws(url, m, stopped, connected))
                }
            });
        }
    }
    let total = meetings * watchers;
    tokio::time::timeout(Duration::from_secs(60), connected.acquire_many(total as u32))
        .await
        .context("watchers did not all connect within 60 s")??
        .forget();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_watching = rss(&client, host).await;

    // Writers: one toggle every 1/R seconds, each recording its version and response time.
    let writes: Arc<Mutex<Vec<Marks>>> = Arc::new(Mutex::new(vec![Marks::new(); meetings]));
    let failed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / writes_per_second));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let clock = Instant::now();
    let mut in_flight = Vec::new();
    while clock.elapsed() < run_time {
        tick.tick().await;
        let (m, d, on) = {
            let mut rng = rand::rng();
            (
                rng.random_range(0..meetings),
                rng.random_range(0..31),
                rng.random_bool(0.5),
            )
        };
        let (client, base, prepared) = (client.clone(), base.clone(), prepared.clone());
        let (writes, failed) = (writes.clone(), failed.clone());
        in_flight.push(tokio::spawn(async move {
            let meeting = &prepared[m];
            let op = if on { "on" } else { "off" };
            let response = client
                .patch(format!("{base}/participant_dates/{op}"))
                .json(
                    &serde_json::json!({"participant_date_id": meeting.date_ids[d], "meeting_url_code": meeting.code}),
                )
                .send()
                .await;
            let version = response.ok().filter(|r| r.status().is_success()).and_then(|r| {
                r.headers()
                    .get("etag")?
                    .to_str()
                    .ok()?
                    .trim_matches('"')
                    .parse::<i64>()
                    .ok()
            });
            match version {
                Some(v) => writes.lock().unwrap_or_else(|e| e.into_inner())[m].push((v, Instant::now())),
                None => {
                    failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }));
    }
    let wall = clock.elapsed().as_secs_f64();
    futures::future::join_all(in_flight).await;
    // Time for the last pushes to arrive, then the watchers stop.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.send_replace(true);
    let mut received: Vec<(usize, Transport, Marks)> = Vec::new();
    for task in tasks {
        received.push(task.await??);
    }

    let writes = std::mem::take(&mut *writes.lock().unwrap_or_else(|e| e.into_inner()));
    let by_transport = transports
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < watchers)
        .map(|(_, t)| {
            let mine: Vec<(usize, Marks)> = received
                .iter()
                .filter(|r| r.1 == *t)
                .map(|(m, _, marks)| (*m, marks.clone()))
                .collect();
            let (latencies, lost) = latencies(&writes, &mine);
            TransportFigures {
                transport: *t,
                watchers: mine.len(),
                latency_ms: Percentiles::of(latencies),
                lost_updates: lost,
            }
        })
        .collect();
    let received: Vec<(usize, Marks)> = received.into_iter().map(|(m, _, marks)| (m, marks)).collect();
    let (latencies, lost) = latencies(&writes, &received);
    let done: usize = writes.iter().map(Vec::len).sum();
    let kb_per_watcher = match (rss_before, rss_watching) {
        (Some(b), Some(w)) => Some((w - b) * 1024.0 / total as f64),
        _ => None,
    };
    Ok(LiveReport {
        store: store.to_owned(),
        meetings,
        watchers: total,
        writes: done,
        writes_per_second: done as f64 / wall,
        failed_writes: failed.load(std::sync::atomic::Ordering::Relaxed),
        latency_ms: Percentiles::of(latencies),
        lost_updates: lost,
        rss_before_mb: rss_before,
        rss_watching_mb: rss_watching,
        kb_per_watcher,
        by_transport,
    })
}

/// One SSE watcher: every frame's `id:` (its version) and when it came, until told to stop.
async fn watch_sse(
    client: reqwest::Client,
    url: String,
    m: usize,
    mut stopped: watch::Receiver<bool>,
    connected: Arc<tokio::sync::Semaphore>,
) -> anyhow::Result<(usize, Transport, Marks)> {
    let response = client.get(&url).send().await.context("opening a stream")?;
    if !response.status().is_success() {
        bail!("{url} answered {}", response.status());
    }
    connected.add_permits(1);
    let mut body = response.bytes_stream();
    let (mut buffer, mut marks) = (String::new(), Marks::new());
    loop {
        tokio::select! {
            chunk = body.next() => {
                let Some(chunk) = chunk else { break };
                let now = Instant::now();
                buffer.push_str(&String::from_utf8_lossy(&chunk?));
                while let Some(end) = buffer.find("\n\n") {
                    let event: String = buffer.drain(..end + 2).collect();
                    if let Some(id) = event.lines().find_map(|l| l.strip_prefix("id:")) {
                        marks.push((id.trim().parse()?, now));
                    }
                }
            }
            _ = stopped.changed() => break,
        }
    }
    Ok((m, Transport::Sse, marks))
}

/// One WebSocket watcher: every text frame's version (`{"version":N,…}`) and when it came.
async fn watch_ws(
    url: String,
    m: usize,
    mut stopped: watch::Receiver<bool>,
    connected: Arc<tokio::sync::Semaphore>,
) -> anyhow::Result<(usize, Transport, Marks)> {
    use tokio_tungstenite::tungstenite::Message;
    let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .with_context(|| format!("opening {url}"))?;
    connected.add_permits(1);
    let mut marks = Marks::new();
    loop {
        tokio::select! {
            message = socket.next() => {
                let now = Instant::now();
                match message {
                    None | Some(Ok(Message::Close(_))) => break,
                    Some(Ok(Message::Text(text))) => {
                        marks.push((frame_version(text.as_str()).with_context(|| format!("a frame without a version from {url}"))?, now));
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e).context(url),
                }
            }
            _ = stopped.changed() => break,
        }
    }
    let _ = socket.close(None).await;
    Ok((m, Transport::Ws, marks))
}

/// The version at the head of a pushed frame, `{"version":N,"meeting":…}`.
fn frame_version(text: &str) -> Option<i64> {
    let rest = text.strip_prefix("{\"version\":")?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit() && c != '-')
        .unwrap_or(rest.len());
    rest[..digits].parse().ok()
}

/// For every write and every watcher of its meeting: milliseconds from the write's response to
/// the watcher's first receipt of that version or a newer one (0 when the push came first).
/// Also the watchers whose last version is not their meeting's last written one.
fn latencies(writes: &[Marks], received: &[(usize, Marks)]) -> (Vec<f64>, usize) {
    let mut latencies = Vec::new();
    let mut lost = 0;
    for (m, marks) in received {
        let mut written = writes[*m].clone();
        written.sort_unstable_by_key(|w| w.0);
        for (version, at) in &written {
            // Receipts come in growing versions: the first one at least as new.
            let i = marks.partition_point(|(v, _)| v < version);
            if let Some((_, got)) = marks.get(i) {
                latencies.push(got.saturating_duration_since(*at).as_secs_f64() * 1e3);
            }
        }
        let last_written = written.last().map(|w| w.0);
        let last_received = marks.last().map(|r| r.0);
        if last_written.is_some_and(|w| last_received.is_none_or(|r| r < w)) {
            lost += 1;
        }
    }
    (latencies, lost)
}

async fn prepare(client: &reqwest::Client, base: &str) -> anyhow::Result<Meeting> {
    let json = |r: reqwest::Response| async move {
        let status = r.status();
        if !status.is_success() {
            bail!("preparing a meeting: {status}");
        }
        Ok::<_, anyhow::Error>(r.json::<serde_json::Value>().await?)
    };
    let created = json(client.post(format!("{base}/meetings")).send().await?).await?;
    let code = created["url_code"].as_str().context("a url_code")?.to_owned();
    json(
        client
            .patch(format!("{base}/meetings/{code}/date_range"))
            .json(&serde_json::json!({"start_date": "2025-01-01", "end_date": "2025-01-31"}))
            .send()
            .await?,
    )
    .await?;
    let participant = json(
        client
            .post(format!("{base}/participants"))
            .json(&serde_json::json!({"meeting_url_code": code, "name": "writer"}))
            .send()
            .await?,
    )
    .await?;
    let date_ids = participant["participant_dates"]
        .as_array()
        .context("participant_dates")?
        .iter()
        .filter_map(|d| d["id"].as_i64())
        .collect();
    Ok(Meeting { code, date_ids })
}

/// The server's resident memory in MiB, from its Prometheus metrics.
async fn rss(client: &reqwest::Client, host: &str) -> Option<f64> {
    let text = client
        .get(format!("{host}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let bytes: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("process_resident_memory_bytes "))?
        .trim()
        .parse()
        .ok()?;
    Some(bytes / 1_048_576.0)
}

impl LiveReport {
    pub fn line(&self) -> String {
        let mem = match (self.rss_before_mb, self.rss_watching_mb, self.kb_per_watcher) {
            (Some(b), Some(w), Some(k)) => format!("server RSS {b:.1} → {w:.1} MiB ({k:.1} KB per watcher)"),
            _ => "server RSS unknown".to_owned(),
        };
        let split: Vec<String> = self
            .by_transport
            .iter()
            .map(|t| {
                format!(
                    "{:?} x {}: p50 {:.1} ms, p95 {:.1} ms, lost {}",
                    t.transport, t.watchers, t.latency_ms.p50, t.latency_ms.p95, t.lost_updates
                )
                .to_lowercase()
            })
            .collect();
        format!(
            "{}: {} watchers on {} meetings; {} writes ({:.0}/s, {} failed); push latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} samples); lost updates: {}; {mem}; {}",
            self.store,
            self.watchers,
            self.meetings,
            self.writes,
            self.writes_per_second,
            self.failed_writes,
            self.latency_ms.p50,
            self.latency_ms.p95,
            self.latency_ms.p99,
            self.latency_ms.max,
            self.latency_ms.samples,
            self.lost_updates,
            split.join("; "),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_runs_from_each_write_to_the_first_receipt_at_least_as_new() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        // Meeting 0 written at versions 2 (t=10) and 3 (t=20); meeting 1 at 5 (t=0).
        let writes = vec![vec![(3, ms(20)), (2, ms(10))], vec![(5, ms(0))]];
        let received = vec![
            (0, vec![(1, ms(0)), (3, ms(25))]), // skipped 2: both writes reach it at t=25
            (0, vec![(2, ms(11))]),             // never got 3: lost
            (1, vec![(5, ms(0))]),              // pushed before the writer saw its response
        ];
        let (mut latencies, lost) = latencies(&writes, &received);
        latencies.sort_by(f64::total_cmp);
        assert_eq!(latencies, vec![0.0, 1.0, 5.0, 15.0]);
        assert_eq!(lost, 1);
        let p = Percentiles::of(latencies);
        assert_eq!((p.p50, p.max, p.samples), (1.0, 15.0, 4));
    }

    #[test]
    fn a_websocket_frame_gives_its_version_and_a_strange_one_none() {
        assert_eq!(frame_version(r#"{"version":42,"meeting":{}}"#), Some(42));
        assert_eq!(
            frame_version(&format!(r#"{{"version":{},"meeting":null}}"#, i64::MAX)),
            Some(i64::MAX)
        );
        assert_eq!(frame_version(r#"{"meeting":{},"version":42}"#), None);
        assert_eq!(frame_version(r#"{"version":"x"}"#), None);
    }
}
