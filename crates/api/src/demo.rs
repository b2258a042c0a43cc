//! Chapter 07's profiling exercise (`--demo-endpoints`, off by default): three routes that are
//! slow for three different reasons, for `/metrics`' `top_5_slowest`, the slow-request WARNINGs
//! and a flame graph to tell apart. Each does real work; none blocks the async runtime.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{Json, Router, extract::State, routing::get};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use crate::{NamedStore, error::ApiError};

const DB_QUERY: Duration = Duration::from_millis(200);
const SERIALIZATION: Duration = Duration::from_millis(100);
const UPSTREAM: Duration = Duration::from_millis(500);

#[derive(Clone)]
pub struct DemoState {
    store: NamedStore,
    upstream: Arc<OnceCell<String>>,
    client: reqwest::Client,
}

pub fn routes(first_store: NamedStore) -> Router {
    let state = DemoState {
        store: first_store,
        upstream: Arc::new(OnceCell::new()),
        client: reqwest::Client::new(),
    };
    Router::new()
        .route("/slow/db-query", get(db_query))
        .route("/slow/serialization", get(serialization))
        .route("/slow/external-api", get(external_api))
        .with_state(state)
}

fn elapsed_ms(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1e4).round() / 10.0
}

/// A query of about 200 ms in the first store's database.
#[utoipa::path(get, path = "/slow/db-query", tag = "Demo",
    description = "Profiling demo (`--demo-endpoints`): a query that spends about 200 ms in the \
        first store's database.",
    responses((status = 200, description = "`{store, counted, elapsed_ms}`"),
        (status = 503, body = crate::dto::ErrorResponse)))]
pub async fn db_query(State(demo): State<DemoState>) -> Result<Json<Value>, ApiError> {
    let started = Instant::now();
    let counted = demo.store.store.slow_query(DB_QUERY).await?;
    Ok(Json(json!({
        "store": demo.store.name, "counted": counted, "elapsed_ms": elapsed_ms(started),
    })))
}

#[derive(Serialize)]
struct Day {
    date: String,
    free: bool,
    starred: bool,
}

#[derive(Serialize)]
struct Person {
    id: u64,
    name: String,
    days: Vec<Day>,
}

/// About 100 ms of JSON serialization: a generated 100-person, 62-day answer sheet written again
/// and again, on a blocking thread.
#[utoipa::path(get, path = "/slow/serialization", tag = "Demo",
    description = "Profiling demo (`--demo-endpoints`): about 100 ms of JSON serialization work.",
    responses((status = 200, description = "`{rounds, bytes, elapsed_ms}`")))]
pub async fn serialization() -> Result<Json<Value>, ApiError> {
    let started = Instant::now();
    let (rounds, bytes) = tokio::task::spawn_blocking(|| {
        let people: Vec<Person> = (0..100)
            .map(|id| Person {
                id,
                name: format!("참가자 {id} \"participant\""),
                days: (0..62)
                    .map(|d| Day {
                        date: format!("2026-{:02}-{:02}", 1 + d / 31, 1 + d % 31),
                        free: (id + d) % 3 != 0,
                        starred: (id * d) % 7 == 0,
                    })
                    .collect(),
            })
            .collect();
        let began = Instant::now();
        let (mut rounds, mut bytes) = (0_u64, 0_usize);
        while began.elapsed() < SERIALIZATION {
            bytes += serde_json::to_vec(&people)?.len();
            rounds += 1;
        }
        Ok::<_, serde_json::Error>((rounds, bytes))
    })
    .await
    .map_err(|e| ApiError::detail(axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    Ok(Json(
        json!({ "rounds": rounds, "bytes": bytes, "elapsed_ms": elapsed_ms(started) }),
    ))
}

/// The simulated upstream: a loopback server, started on first use, answering after 500 ms.
async fn upstream(demo: &DemoState) -> Result<&str, ApiError> {
    let unavailable =
        |e: std::io::Error| ApiError::detail(axum::http::StatusCode::SERVICE_UNAVAILABLE, format!("upstream: {e}"));
    demo.upstream
        .get_or_try_init(|| async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(unavailable)?;
            let address = listener.local_addr().map_err(unavailable)?;
            let app = Router::new().route(
                "/rates",
                get(|| async {
                    tokio::time::sleep(UPSTREAM).await;
                    Json(json!({ "base": "KRW", "USD": 0.00072, "EUR": 0.00066 }))
                }),
            );
            tokio::spawn(async move { axum::serve(listener, app).await });
            Ok(format!("http://{address}/rates"))
        })
        .await
        .map(String::as_str)
}

/// About 500 ms waiting on an upstream HTTP service (simulated on loopback: no outbound network).
#[utoipa::path(get, path = "/slow/external-api", tag = "Demo",
    description = "Profiling demo (`--demo-endpoints`): about 500 ms waiting on an upstream HTTP \
        service, simulated on loopback.",
    responses((status = 200, description = "`{upstream, elapsed_ms}`"),
        (status = 503, body = crate::dto::ErrorResponse)))]
pub async fn external_api(State(demo): State<DemoState>) -> Result<Json<Value>, ApiError> {
    let started = Instant::now();
    let url = upstream(&demo).await?;
    let failed = |e: reqwest::Error| {
        ApiError::detail(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            format!("upstream failed: {e}"),
        )
    };
    let rates: Value = demo
        .client
        .get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(failed)?
        .json()
        .await
        .map_err(failed)?;
    Ok(Json(json!({ "upstream": rates, "elapsed_ms": elapsed_ms(started) })))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(db_query, serialization, external_api))]
pub struct DemoDoc;
