//! What the simulated users do, per store, and the data `read` and `contention` need first.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use anyhow::{Context, bail};
use futures::future::BoxFuture;
use futures::{StreamExt, TryStreamExt, stream};
use goose::goose::GooseResponse;
use goose::prelude::*;
use rand::Rng;
use serde_json::{Value, json};

use crate::cli::ScenarioKind;
use crate::timeline::TIMELINE;

/// Counted as requests finish, for the progress line.
#[derive(Default)]
pub struct Progress {
    pub users: AtomicI64,
    pub requests: AtomicU64,
    pub failures: AtomicU64,
    /// Answers of 429: the server's per-address limits, not its capacity.
    pub rate_limited: AtomicU64,
}

pub static PROGRESS: Progress = Progress {
    users: AtomicI64::new(0),
    requests: AtomicU64::new(0),
    failures: AtomicU64::new(0),
    rate_limited: AtomicU64::new(0),
};

/// One store under load: its path prefix, request names and prepared meetings.
pub struct Target {
    pub store: String,
    prefix: String,
    meetings: Vec<Prepared>,
}

/// A meeting made before the run, with its participants' date ids.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub code: String,
    pub date_ids: Vec<i64>,
}

impl Target {
    pub fn new(store: &str, meetings: Vec<Prepared>) -> Self {
        Target {
            store: store.to_owned(),
            prefix: format!("/v1/{store}"),
            meetings,
        }
    }

    fn name(&self, what: &str) -> String {
        format!("{what}_{}", self.store)
    }
}

/// The goose scenarios for `kind` on one store. Names carry the store, as the seed's classes did.
pub fn scenarios(kind: ScenarioKind, target: Arc<Target>) -> anyhow::Result<Vec<Scenario>> {
    let named = |kind: &str| Scenario::new(&format!("{kind}_{}", target.store));
    let counted = |scenario: Scenario| {
        scenario
            .register_transaction(user_started())
            .register_transaction(user_stopped())
    };
    Ok(match kind {
        ScenarioKind::Workflow => vec![counted(
            named("workflow").register_transaction(bind(&target, "workflow", workflow)),
        )],
        ScenarioKind::Read => vec![counted(named("read").register_transaction(bind(
            &target,
            "read",
            read_meeting,
        )))],
        ScenarioKind::Mix => vec![
            counted(named("workflow").register_transaction(bind(&target, "workflow", workflow))),
            counted(named("read").register_transaction(bind(&target, "read", read_meeting))),
        ],
        ScenarioKind::Contention => vec![
            counted(named("toggle").register_transaction(bind(&target, "toggle", toggle))),
            counted(named("watch").register_transaction(bind(&target, "read", read_meeting))),
        ],
        _ => anyhow::bail!("{} is an ExBuy scenario", kind.name()),
    })
}

/// Counts the scenario's users in and out, for the progress line.
pub fn counted(scenario: Scenario) -> Scenario {
    scenario
        .register_transaction(user_started())
        .register_transaction(user_stopped())
}

type Step = for<'r> fn(&'r mut GooseUser, Arc<Target>) -> BoxFuture<'r, TransactionResult>;

fn bind(target: &Arc<Target>, name: &str, step: Step) -> Transaction {
    let target = Arc::clone(target);
    Transaction::new(Arc::new(move |user| step(user, Arc::clone(&target)))).set_name(name)
}

fn user_started() -> Transaction {
    transaction!(count_user_in).set_on_start()
}

fn user_stopped() -> Transaction {
    transaction!(count_user_out).set_on_stop()
}

async fn count_user_in(_: &mut GooseUser) -> TransactionResult {
    PROGRESS.users.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

async fn count_user_out(_: &mut GooseUser) -> TransactionResult {
    PROGRESS.users.fetch_sub(1, Ordering::Relaxed);
    Ok(())
}

/// Sends one named request; a non-2xx answer counts as a failure in goose's metrics and ours.
async fn send(
    user: &mut GooseUser,
    method: GooseMethod,
    path: &str,
    name: &str,
    body: Option<Value>,
) -> Result<GooseResponse, Box<TransactionError>> {
    let mut builder = user.get_request_builder(&method, path)?;
    if let Some(body) = body {
        builder = builder.json(&body);
    }
    let request = GooseRequest::builder()
        .method(method)
        .path(path)
        .name(name)
        .set_request_builder(builder)
        .build();
    let response = user.request(request).await?;
    PROGRESS.requests.fetch_add(1, Ordering::Relaxed);
    let status = response.response.as_ref().ok().map(|r| r.status());
    if status.is_some_and(|s| s.is_success()) {
        TIMELINE.record(&response.request, None);
        return Ok(response);
    }
    PROGRESS.failures.fetch_add(1, Ordering::Relaxed);
    if status.is_some_and(|s| s == 429) {
        PROGRESS.rate_limited.fetch_add(1, Ordering::Relaxed);
    }
    // A failed step ends the iteration (the next ones need its answer); its body is the example.
    let detail = match response.response {
        Ok(answer) => answer.text().await.unwrap_or_default(),
        Err(error) => error.to_string(),
    };
    TIMELINE.record(&response.request, Some(&detail));
    Err(match status {
        Some(status) => format!("{name}: HTTP {status}"),
        None => format!("{name}: {}", response.request.error),
    }
    .into())
}

async fn json_of(response: GooseResponse, what: &str) -> Result<Value, Box<TransactionError>> {
    let response = response.response?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{what}: HTTP {status}").into());
    }
    Ok(response.json::<Value>().await?)
}

/// Seed 000: POST meeting → PATCH date range → POST participant → GET meeting, no wait.
fn workflow(user: &mut GooseUser, t: Arc<Target>) -> BoxFuture<'_, TransactionResult> {
    Box::pin(async move {
        // Locust names an unnamed request by its path; the seed leaves this one unnamed.
        let path = format!("{}/meetings", t.prefix);
        let created = json_of(
            send(user, GooseMethod::Post, &path, &path, None).await?,
            "create meeting",
        )
        .await?;
        let code = created["url_code"]
            .as_str()
            .ok_or("create meeting: no url_code in the answer")?;
        let range = json!({"start_date": "2025-01-01", "end_date": "2025-02-20"});
        let path = format!("{}/meetings/{code}/date_range", t.prefix);
        send(
            user,
            GooseMethod::Patch,
            &path,
            &t.name("patch_date_range"),
            Some(range),
        )
        .await?;
        let participant = json!({"name": "test_name", "meeting_url_code": code});
        let path = format!("{}/participants", t.prefix);
        send(
            user,
            GooseMethod::Post,
            &path,
            &t.name("post_participants"),
            Some(participant),
        )
        .await?;
        let path = format!("{}/meetings/{code}", t.prefix);
        send(user, GooseMethod::Get, &path, &t.name("get_meetings"), None).await?;
        Ok(())
    })
}

fn read_meeting(user: &mut GooseUser, t: Arc<Target>) -> BoxFuture<'_, TransactionResult> {
    Box::pin(async move {
        let meeting = &t.meetings[rand::rng().random_range(0..t.meetings.len())];
        let path = format!("{}/meetings/{}", t.prefix, meeting.code);
        send(user, GooseMethod::Get, &path, &t.name("get_meetings"), None).await?;
        Ok(())
    })
}

fn toggle(user: &mut GooseUser, t: Arc<Target>) -> BoxFuture<'_, TransactionResult> {
    Box::pin(async move {
        let (meeting, date_id, op) = {
            let mut rng = rand::rng();
            let meeting = &t.meetings[rng.random_range(0..t.meetings.len())];
            let date_id = meeting.date_ids[rng.random_range(0..meeting.date_ids.len())];
            (
                meeting,
                date_id,
                ["on", "off", "star", "unstar"][rng.random_range(0..4)],
            )
        };
        let body = json!({"participant_date_id": date_id, "meeting_url_code": meeting.code});
        let path = format!("{}/participant_dates/{op}", t.prefix);
        send(
            user,
            GooseMethod::Patch,
            &path,
            &t.name("patch_participant_dates"),
            Some(body),
        )
        .await?;
        Ok(())
    })
}

/// Creates `count` meetings of 10 participants x 31 days on `store`, some dates off or starred,
/// over plain HTTP (not measured).
pub async fn prepare(host: &str, store: &str, count: usize) -> anyhow::Result<Vec<Prepared>> {
    let client = reqwest::Client::new();
    let base = format!("{}/v1/{store}", host.trim_end_matches('/'));
    stream::iter(0..count)
        .map(|_| prepare_meeting(&client, &base))
        .buffer_unordered(8)
        .try_collect()
        .await
        .with_context(|| format!("preparing meetings on {base}"))
}

async fn prepare_meeting(client: &reqwest::Client, base: &str) -> anyhow::Result<Prepared> {
    let code = call(client, reqwest::Method::POST, format!("{base}/meetings"), None).await?["url_code"]
        .as_str()
        .context("no url_code")?
        .to_owned();
    let range = json!({"start_date": "2025-01-01", "end_date": "2025-01-31"});
    call(
        client,
        reqwest::Method::PATCH,
        format!("{base}/meetings/{code}/date_range"),
        Some(range),
    )
    .await?;
    let mut date_ids = Vec::with_capacity(310);
    for p in 0..10usize {
        let body = json!({"meeting_url_code": code, "name": format!("participant {p}")});
        let created = call(
            client,
            reqwest::Method::POST,
            format!("{base}/participants"),
            Some(body),
        )
        .await?;
        let dates = created["participant_dates"]
            .as_array()
            .context("no participant_dates")?;
        let mut toggles = Vec::new();
        for (i, date) in dates.iter().enumerate() {
            let id = date["id"].as_i64().context("participant date without an id")?;
            date_ids.push(id);
            let op = if (i + p) % 3 == 0 {
                "off"
            } else if (i + 2 * p) % 7 == 0 {
                "star"
            } else {
                continue;
            };
            let body = json!({"participant_date_id": id, "meeting_url_code": code});
            toggles.push(call(
                client,
                reqwest::Method::PATCH,
                format!("{base}/participant_dates/{op}"),
                Some(body),
            ));
        }
        futures::future::try_join_all(toggles).await?;
    }
    Ok(Prepared { code, date_ids })
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let mut request = client.request(method.clone(), &url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.with_context(|| format!("{method} {url}"))?;
    let status = response.status();
    let text = response.text().await?;
    if !status.is_success() {
        bail!("{method} {url}: HTTP {status}: {text}");
    }
    Ok(if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text)?
    })
}
