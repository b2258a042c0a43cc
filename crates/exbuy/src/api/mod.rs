//! The HTTP API: the original's 15 endpoints and the viewset extras its clients use, one module
//! per resource. Handlers parse typed input (`input`), call the storage layer (`crate::store`)
//! and answer typed views (`crate::model`); errors become HTTP in `crate::error`.

mod export;
mod input;
mod inventory;
mod orders;
mod products;
mod reviews;
mod stats;
mod uploads;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use meetifyr_cache::Cache;
use meetifyr_telemetry::Telemetry;
use serde::Serialize;
use serde_json::{Value, json};

use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::model::{Page, parse_money};
use crate::store::PAGE_SIZE;

pub use crate::store::inventory::OPTIMISTIC_ATTEMPTS;

pub const MAX_BULK_ORDERS: usize = 1000;
pub const MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;
const TOP_PRODUCTS_TAG: &str = "top-products";

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub cache: Option<Arc<Cache>>,
    pub upload_dir: PathBuf,
    pub telemetry: Arc<Telemetry>,
    /// One ranking query at a time: after an order invalidates it, concurrent readers wait for
    /// the first one's result instead of each running the full aggregation.
    pub ranking: Arc<tokio::sync::Mutex<()>>,
}

pub struct Options {
    pub cache: Option<meetifyr_cache::CacheConfig>,
    pub upload_dir: PathBuf,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub slow_request: Duration,
}

pub fn router(db: Db, options: &Options) -> Router {
    let telemetry = Telemetry::new(options.slow_request);
    metrics::describe_histogram!(
        crate::sql::QUERY_DURATION,
        metrics::Unit::Seconds,
        "Time of one SQL statement, by verb and first table (failed statements too)."
    );
    let state = AppState {
        db,
        cache: options.cache.as_ref().map(|c| Arc::new(Cache::new(c))),
        upload_dir: options.upload_dir.clone(),
        telemetry: telemetry.clone(),
        ranking: Arc::default(),
    };
    let api = Router::new()
        .route("/api/health", get(health))
        .route("/api/", get(api_root))
        .route("/api/products/", get(products::list).post(products::create))
        .route("/api/products/{id}/", get(products::detail).delete(products::delete))
        .route("/api/products/{id}/reviews/", get(reviews::of_product))
        .route("/api/search/products", get(products::search))
        .route("/api/orders/", get(orders::list).post(orders::create))
        .route(
            "/api/orders/{id}/",
            get(orders::detail).patch(orders::update).delete(orders::delete),
        )
        .route("/api/orders/bulk", post(orders::bulk))
        .route("/api/inventory/reserve", post(inventory::reserve))
        .route("/api/stats/top-products", get(stats::top_products))
        .route("/api/reviews/", get(reviews::list).post(reviews::create))
        .route("/api/reviews/{id}/", get(reviews::detail))
        .route(
            "/api/uploads",
            post(uploads::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES as usize + 64 * 1024)),
        )
        .route("/export/orders", get(export::export_orders))
        .route("/export/orders/count", get(export::count_orders))
        .route("/metrics", get(metrics))
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state);
    let api = api
        .route_layer(axum::middleware::from_fn(meetifyr_telemetry::expose_matched_path))
        .layer(axum::middleware::from_fn_with_state(
            telemetry,
            meetifyr_telemetry::track,
        ))
        .layer(DefaultBodyLimit::max(options.max_body_bytes))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            options.request_timeout,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::new());
    meetifyr_telemetry::logging::observe(api)
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn api_root(headers: HeaderMap) -> Json<Value> {
    let base = format!("http://{}/api", host(&headers));
    Json(json!({
        "products": format!("{base}/products/"),
        "orders": format!("{base}/orders/"),
        "reviews": format!("{base}/reviews/"),
    }))
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    if meetifyr_telemetry::wants_json(&headers, query.as_deref()) {
        let mut summary = state.telemetry.summary();
        if let Some(cache) = &state.cache {
            summary["cache"] = serde_json::to_value(cache.stats()).unwrap_or(Value::Null);
            summary["cache"]["enabled"] = Value::Bool(true);
        }
        return Json(summary).into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.telemetry.prometheus(),
    )
        .into_response()
}

/// Router routes without their trailing slash answer 301 to it, as Django's APPEND_SLASH does.
async fn fallback(headers: HeaderMap, request: Request) -> Response {
    let path = request.uri().path();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let router_route = matches!(
        segments.as_slice(),
        ["api", "products" | "orders" | "reviews"]
            | ["api", "products" | "orders" | "reviews", _]
            | ["api", "products", _, "reviews"]
    ) && !path.ends_with('/');
    if router_route {
        let query = request.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
        let location = format!("http://{}{path}/{query}", host(&headers));
        return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, location)]).into_response();
    }
    ApiError::not_found().into_response()
}

async fn method_not_allowed(request: Request) -> Response {
    let body = json!({"detail": format!("Method \"{}\" not allowed.", request.method())});
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}

fn host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c)))
        .unwrap_or("localhost")
        .to_owned()
}

// ---------- query parameters ----------

type Params = HashMap<String, String>;

/// A path id: an integer, or 400 naming the parameter.
pub fn path_id(raw: &str) -> ApiResult<i64> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::field("id", format!("A valid integer is required, not \"{raw}\".")))
}

fn param_int(params: &Params, name: &str) -> ApiResult<Option<i64>> {
    params
        .get(name)
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::field(name, "A valid integer is required."))
        })
        .transpose()
}

fn param_money(params: &Params, name: &str) -> ApiResult<Option<i64>> {
    params
        .get(name)
        .map(|v| parse_money(v).map_err(|m| ApiError::field(name, m)))
        .transpose()
}

fn optimized(params: &Params) -> bool {
    params.get("optimize").is_some_and(|v| v == "true" || v == "1")
}

// ---------- pagination ----------

/// DRF's page-number pagination: `page` is an integer ≥ 1 or `last`; anything else is 404.
fn page_number(params: &Params, count: i64) -> ApiResult<i64> {
    let pages = ((count + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    match params.get("page").map(String::as_str) {
        None => Ok(1),
        Some("last") => Ok(pages),
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1 && *n <= pages)
            .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, json!({"detail": "Invalid page."}))),
    }
}

/// The paginated envelope; links are absolute with the query re-sorted, as DRF builds them.
fn envelope<T>(headers: &HeaderMap, path: &str, params: &Params, number: i64, count: i64, results: Vec<T>) -> Page<T> {
    let link = |number: Option<i64>| {
        let mut query: BTreeMap<&str, String> = params.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        query.remove("page");
        if let Some(n) = number {
            query.insert("page", n.to_string());
        }
        let encoded: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect();
        let q = if encoded.is_empty() {
            String::new()
        } else {
            format!("?{}", encoded.join("&"))
        };
        format!("http://{}{path}{q}", host(headers))
    };
    Page {
        count,
        next: (number * PAGE_SIZE < count).then(|| link(Some(number + 1))),
        previous: (number > 1).then(|| link((number > 2).then_some(number - 1))),
        results,
    }
}

fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---------- responses and the cache ----------

/// Responses built from cached or fresh bytes, with the query count when the database was used.
fn json_bytes(status: StatusCode, body: Bytes, queries: Option<u32>) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(n) = queries {
        response.headers_mut().insert("x-query-count", HeaderValue::from(n));
    }
    response
}

fn product_tag(id: i64) -> String {
    format!("product:{id}")
}

/// Serves `key` from the cache when there is one, else runs `load` (which counts its queries);
/// `None` from `load` is 404.
async fn cached<T, F, Fut>(state: &AppState, key: &str, tags: Vec<String>, load: F) -> ApiResult<Response>
where
    T: Serialize,
    F: FnOnce() -> Fut,
    Fut: Future<Output = ApiResult<Option<(T, u32)>>>,
{
    let encode = |value: &T| serde_json::to_vec(value).map(Bytes::from).map_err(ApiError::from);
    let Some(cache) = &state.cache else {
        return match load().await? {
            Some((value, queries)) => Ok(json_bytes(StatusCode::OK, encode(&value)?, Some(queries))),
            None => Err(ApiError::not_found()),
        };
    };
    let mut queries = None;
    let found = cache
        .get_or_load(key, || async {
            let Some((value, n)) = load().await? else {
                return Ok::<_, ApiError>(None);
            };
            queries = Some(n);
            Ok(Some((encode(&value)?, tags)))
        })
        .await?;
    match found {
        Some(bytes) => Ok(json_bytes(StatusCode::OK, bytes, queries)),
        None => Err(ApiError::not_found()),
    }
}

/// A per-product view (detail, reviews) with `?optimize`, cached under the product's tag.
async fn cached_product_view<T, F, Fut>(
    state: &AppState,
    raw_id: &str,
    params: &Params,
    view: &str,
    load: F,
) -> ApiResult<Response>
where
    T: Serialize,
    F: FnOnce(Db, i64, bool) -> Fut,
    Fut: Future<Output = ApiResult<Option<(T, u32)>>>,
{
    let id = path_id(raw_id)?;
    let optimize = optimized(params);
    let db = state.db.clone();
    cached(state, &format!("product:{id}:{view}"), vec![product_tag(id)], || {
        load(db, id, optimize)
    })
    .await
}

/// Whether a write changed what was sold (orders, order items), and so the ranking.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sales {
    Changed,
    Unchanged,
}

/// After a write that changed these products (stock, reviews, existence): drop what the cache
/// holds about them, and the ranking if sales changed, before answering.
fn invalidate(state: &AppState, products: &[i64], sales: Sales) {
    if let Some(cache) = &state.cache {
        for id in products {
            cache.invalidate_by_tag(&product_tag(*id));
        }
        if sales == Sales::Changed {
            cache.invalidate_by_tag(TOP_PRODUCTS_TAG);
        }
    }
}
