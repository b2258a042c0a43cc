//! Meetifyr's HTTP API: the original's routes under `/v1/{store}/…` for every configured store
//! and under `/v1/…` for the first, plus `/health`, `/openapi.json` and `/docs`.

mod auth;
mod demo;
mod dto;
mod error;
mod extract;
mod handlers;
mod ics;
mod ics_import;
mod limit;
mod metrics;
mod openapi;
mod origin;
mod state;
mod stream;

pub use error::{ApiError, FieldError, slot_error};
pub use limit::{Rate, RateLimitOptions};
pub use meetifyr_cache::CacheConfig;
pub use meetifyr_core::Clock;
pub use meetifyr_service::{BusOptions, Live, LiveOptions, RedisServer};
pub use origin::{PublicOrigin, PublicUrl};
// What the web app (crates/web) builds on besides meetifyr-service: one store's state, the
// error type, and the rule of codes the API applies.
pub use error::detail_response;
pub use handlers::code as parse_url_code;
pub use state::StoreState;

use std::{sync::Arc, time::Duration};

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, patch, post},
};
use meetifyr_core::Store;
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;

/// Store names that would shadow the API's own path segments under `/v1/`.
pub const RESERVED_STORE_NAMES: [&str; 3] = ["meetings", "participants", "participant_dates"];

/// A store mounted at `/v1/{name}/…`.
#[derive(Clone)]
pub struct NamedStore {
    pub name: String,
    pub store: Arc<dyn Store>,
}

/// HTTP-level settings.
#[derive(Debug, Clone)]
pub struct ApiOptions {
    /// Largest accepted request body; larger ones get 413.
    pub max_body_bytes: usize,
    /// A request still running after this gets 503.
    pub request_timeout: Duration,
    /// The GET-meeting response cache; `None` turns it off.
    pub cache: Option<CacheConfig>,
    /// Requests slower than this are logged at WARNING.
    pub slow_request: Duration,
    /// Time and record every request (`X-Response-Time`, route statistics); off only to measure
    /// what it costs.
    pub profiling: bool,
    /// Limits of live connections (SSE and WebSocket).
    pub live: LiveOptions,
    /// Per-address rate limits of writes; `None` turns them off. They need the peer's address:
    /// serve with `into_make_service_with_connect_info::<SocketAddr>()`.
    pub rate_limits: Option<RateLimitOptions>,
    /// Mount Chapter 07's deliberately slow `/slow/*` routes (for profiling practice).
    pub demo_endpoints: bool,
    /// Fan-out to other instances on the same database.
    pub bus: BusOptions,
    /// How the links the server hands out (share link, QR code, `.ics`) name it.
    pub public: PublicOrigin,
    /// "Today" for the pages' quick picks and the calendar files' stamps.
    pub clock: Clock,
    /// Routes served beside the API on the first store, under the same limits: the web app
    /// (`meetifyr_web::routes`). Meeting links point at `/m/{code}` when it is set.
    pub pages: Option<fn(StoreState) -> Router>,
    /// Serve `/metrics` only from [`Service::operations`] (`--metrics-listen`), not beside the
    /// API.
    pub metrics_apart: bool,
}

impl Default for ApiOptions {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 * 1024,
            request_timeout: Duration::from_secs(30),
            cache: Some(CacheConfig::default()),
            slow_request: Duration::from_millis(500),
            profiling: true,
            live: LiveOptions::default(),
            rate_limits: Some(RateLimitOptions::default()),
            demo_endpoints: false,
            bus: BusOptions::None,
            public: PublicOrigin::default(),
            clock: Clock::System,
            pages: None,
            metrics_apart: false,
        }
    }
}

/// The largest answer body accepted, whatever `max_body_bytes` says.
const AVAILABILITY_BODY_BYTES: usize = 256 * 1024;

/// The routes of one store, as the original served them under `/v1/mysql`.
fn store_routes() -> Router<state::StoreState> {
    use handlers::*;
    Router::new()
        .route("/meetings", post(create_meeting))
        .route("/meetings/{meeting_url_code}", get(get_meeting).delete(delete_meeting))
        .route(
            "/meetings/{meeting_url_code}/final_date",
            axum::routing::put(set_final_date),
        )
        .route(
            "/meetings/{meeting_url_code}/final_slot",
            axum::routing::put(set_final_slot),
        )
        .route(
            "/meetings/{meeting_url_code}/participants/{participant_id}/required",
            axum::routing::put(set_required),
        )
        .route("/meetings/{meeting_url_code}/duplicate", post(duplicate_meeting))
        .route(
            "/meetings/{meeting_url_code}/calendar_busy",
            post(calendar_busy).layer(DefaultBodyLimit::max(crate::ics_import::MAX_BYTES)),
        )
        .route(
            "/meetings/{meeting_url_code}/deadline",
            axum::routing::put(set_deadline),
        )
        .route("/meetings/{meeting_url_code}/event.ics", get(event_ics))
        .route("/meetings/{meeting_url_code}/calendar.ics", get(calendar_feed))
        .route("/meetings/{meeting_url_code}/events", get(stream::events))
        .route("/meetings/{meeting_url_code}/ranking", get(ranking))
        .route("/meetings/{meeting_url_code}/export.csv", get(export))
        .route("/meetings/{meeting_url_code}/ws", get(stream::websocket))
        .route("/meetings/{meeting_url_code}/date_range", patch(update_date_range))
        .route("/meetings/{meeting_url_code}/title", patch(update_title))
        .route("/meetings/{meeting_url_code}/location", patch(update_location))
        .route("/participants", post(create_participant))
        .route(
            "/participants/{participant_id}",
            axum::routing::delete(delete_participant),
        )
        .route(
            "/participants/{participant_id}/availability",
            // A time meeting's whole answer lists up to 6,112 slot times (about 170 KiB).
            axum::routing::put(replace_availability).layer(DefaultBodyLimit::max(AVAILABILITY_BODY_BYTES)),
        )
        .route("/participant_dates/on", patch(turn_on))
        .route("/participant_dates/off", patch(turn_off))
        .route("/participant_dates/star", patch(star))
        .route("/participant_dates/unstar", patch(unstar))
}

/// The whole application. `stores` must be non-empty with distinct, unreserved names.
pub fn router(stores: Vec<NamedStore>, options: &ApiOptions) -> Router {
    app(stores, options).public
}

/// What [`app`] builds.
pub struct Service {
    /// The API, the web app, health, docs and (unless `metrics_apart`) `/metrics`.
    pub public: Router,
    /// For an operators' address (`--metrics-listen`): `/metrics`, health and docs.
    pub operations: Router,
    /// The live connections, which [`Live::close`] ends (for a prompt shutdown: a server
    /// waiting for open streams to finish by themselves would never stop).
    pub live: Arc<Live>,
}

/// The application. `stores` must be non-empty with distinct, unreserved names.
pub fn app(stores: Vec<NamedStore>, options: &ApiOptions) -> Service {
    // First: the cache binds its histograms to the recorder the telemetry installs.
    let telemetry = meetifyr_telemetry::Telemetry::new(options.slow_request);
    let cache = options.cache.as_ref().map(|c| Arc::new(meetifyr_cache::Cache::new(c)));
    let live = Arc::new(Live::new(options.live.clone()));
    // With a Redis bus, every instance on it shares one allowance per client.
    let shared = match (&options.bus, &options.rate_limits) {
        (BusOptions::Redis(server), Some(_)) => match meetifyr_service::SharedLimits::new(server) {
            Ok(shared) => Some(Arc::new(shared)),
            Err(e) => {
                tracing::warn!(error = %e, "rate limits are per process: the Redis URL does not parse");
                None
            }
        },
        _ => None,
    };
    let limits = options
        .rate_limits
        .clone()
        .map(|o| limit::RateLimits::new(o, shared.clone()));
    let auth = meetifyr_service::Auth::new(options.rate_limits.as_ref().map(|o| o.password), shared);
    let bus = meetifyr_service::Bus::start(&options.bus);
    let public = Arc::new(options.public.clone());
    let mut app = Router::new();
    for (i, named) in stores.iter().enumerate() {
        let service = meetifyr_service::StoreService {
            name: named.name.as_str().into(),
            store: named.store.clone(),
            cache: cache.clone(),
            live: live.clone(),
            auth: auth.clone(),
            bus: bus.clone(),
            clock: options.clock,
            grids: Default::default(),
        };
        service.join_bus();
        let state = state::StoreState {
            service,
            pages: i == 0 && options.pages.is_some(),
            public: public.clone(),
        };
        let label = meetifyr_telemetry::StoreLabel(named.name.as_str().into());
        let mut routes = store_routes()
            .with_state(state.clone())
            .layer(axum::middleware::map_response(move |mut res: Response| {
                let label = label.clone();
                async move {
                    res.extensions_mut().insert(label);
                    res
                }
            }));
        if let Some(limits) = &limits {
            routes = routes.layer(axum::middleware::from_fn_with_state(limits.clone(), limit::enforce));
        }
        if i == 0 {
            app = app.nest("/v1", routes.clone());
            // The web app, on the first store, under the same limits as the API.
            if let Some(pages) = options.pages {
                let mut pages = pages(state);
                if let Some(limits) = &limits {
                    pages = pages.layer(axum::middleware::from_fn_with_state(limits.clone(), limit::enforce));
                }
                app = app.merge(pages);
            }
        }
        app = app.nest(&format!("/v1/{}", named.name), routes);
    }
    if options.demo_endpoints {
        app = app.merge(demo::routes(stores[0].clone()));
    }
    let stores = Arc::new(stores);
    let ready = Readiness {
        stores: stores.clone(),
        bus: bus.clone(),
    };
    let metrics = metrics::MetricsState {
        telemetry: telemetry.clone(),
        cache,
        stores: stores.clone(),
    };
    let health_routes = Router::new()
        .route("/health", get(health).with_state(stores))
        .route("/health/live", get(liveness))
        .route("/health/ready", get(readiness).with_state(ready));
    let metrics_route = Router::new().route("/metrics", get(metrics::metrics).with_state(metrics));
    let operations = health_routes
        .clone()
        .merge(metrics_route.clone())
        .merge(openapi::routes(options))
        .fallback(not_found);
    let mut app = app.merge(health_routes).merge(openapi::routes(options));
    if !options.metrics_apart {
        app = app.merge(metrics_route);
    }
    let mut app = app
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(options.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(
            options.request_timeout,
            time_limit,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            detail_response(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }))
        .route_layer(axum::middleware::from_fn(meetifyr_telemetry::expose_matched_path));
    if options.profiling {
        app = app.layer(axum::middleware::from_fn_with_state(
            telemetry,
            meetifyr_telemetry::track,
        ));
    }
    Service {
        public: meetifyr_telemetry::logging::observe(app),
        operations: meetifyr_telemetry::logging::observe(operations),
        live,
    }
}

/// 503 with a `detail` for a request still running after `--request-timeout` (its future is
/// dropped: a transaction in flight rolls back).
async fn time_limit(
    State(limit): State<Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => detail_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!("the request took longer than {:.1} s; try again", limit.as_secs_f64()),
        ),
    }
}

async fn not_found() -> Response {
    detail_response(StatusCode::NOT_FOUND, "Not Found")
}

async fn method_not_allowed() -> Response {
    detail_response(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
}

/// What readiness looks at: the stores, and the bus when there is one.
#[derive(Clone)]
struct Readiness {
    stores: Arc<Vec<NamedStore>>,
    bus: Option<Arc<meetifyr_service::Bus>>,
}

/// The process runs (for a load balancer's liveness check).
#[utoipa::path(get, path = "/health/live", tag = "Health",
    responses((status = 200, description = "the process answers")))]
async fn liveness() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

/// Ready for traffic: every store answers and, with `--bus`, the bus is connected.
#[utoipa::path(get, path = "/health/ready", tag = "Health",
    responses((status = 200, description = "ready"),
        (status = 503, description = "a store does not answer, or the bus is not connected")))]
async fn readiness(State(ready): State<Readiness>) -> Response {
    let (status, mut body) = store_checks(&ready.stores).await;
    let bus = match &ready.bus {
        None => "none",
        Some(bus) if bus.connected() => "connected",
        Some(_) => "disconnected",
    };
    body["bus"] = json!(bus);
    let status = if status == StatusCode::OK && bus != "disconnected" {
        StatusCode::OK
    } else {
        body["status"] = json!("not ready");
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Liveness, and whether each store answers.
#[utoipa::path(get, path = "/health", tag = "Health",
    responses((status = 200, description = "every store answers"),
        (status = 503, description = "some store does not answer")))]
async fn health(State(stores): State<Arc<Vec<NamedStore>>>) -> Response {
    let (status, body) = store_checks(&stores).await;
    (status, Json(body)).into_response()
}

/// Pings every store (2 s each, at once): 200 or 503, and the body that says which.
async fn store_checks(stores: &[NamedStore]) -> (StatusCode, serde_json::Value) {
    let checks = futures::future::join_all(stores.iter().map(|s| async move {
        let ok = tokio::time::timeout(Duration::from_secs(2), s.store.ping())
            .await
            .is_ok_and(|r| r.is_ok());
        (s.name.clone(), s.store.backend(), ok)
    }))
    .await;
    let healthy = checks.iter().all(|(_, _, ok)| *ok);
    let body = json!({
        "status": if healthy { "ok" } else { "degraded" },
        "stores": checks.iter().map(|(name, backend, ok)| json!({
            "name": name, "backend": backend, "status": if *ok { "ok" } else { "unavailable" },
        })).collect::<Vec<_>>(),
    });
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, body)
}
