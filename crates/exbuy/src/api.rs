//! The HTTP API: the original's 15 endpoints and the viewset extras its clients use.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, Query, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use meetifyr_cache::Cache;
use meetifyr_telemetry::Telemetry;
use serde_json::{Map, Value, json};
use sqlx::any::AnyRow;

use crate::db::{Db, Kind};
use crate::error::{ApiError, ApiResult};
use crate::model::{CATEGORIES, STATUSES, iso, money, now_micros, parse_money};
use crate::sql::{Arg, Sql, int, text};

pub const PAGE_SIZE: i64 = 100;
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
        .route("/api/products/", get(list_products).post(create_product))
        .route("/api/products/{id}/", get(product_detail).delete(delete_product))
        .route("/api/products/{id}/reviews/", get(product_reviews))
        .route("/api/search/products", get(search_products))
        .route("/api/orders/", get(list_orders).post(create_order))
        .route(
            "/api/orders/{id}/",
            get(order_detail).patch(update_order).delete(delete_order),
        )
        .route("/api/orders/bulk", post(bulk_orders))
        .route("/api/inventory/reserve", post(reserve))
        .route("/api/stats/top-products", get(top_products))
        .route("/api/reviews/", get(list_reviews).post(create_review))
        .route("/api/reviews/{id}/", get(review_detail))
        .route(
            "/api/uploads",
            post(crate::upload::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES as usize + 64 * 1024)),
        )
        .route("/export/orders", get(crate::export::export_orders))
        .route("/export/orders/count", get(crate::export::count_orders))
        .route("/metrics", get(metrics))
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state);
    api.route_layer(axum::middleware::from_fn(meetifyr_telemetry::expose_matched_path))
        .layer(axum::middleware::from_fn_with_state(
            telemetry,
            meetifyr_telemetry::track,
        ))
        .layer(DefaultBodyLimit::max(options.max_body_bytes))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            options.request_timeout,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
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

/// A path id: an integer, or 400 naming the parameter.
pub fn path_id(raw: &str) -> ApiResult<i64> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::field("id", format!("A valid integer is required, not \"{raw}\".")))
}

fn param_int(params: &HashMap<String, String>, name: &str) -> ApiResult<Option<i64>> {
    params
        .get(name)
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::field(name, "A valid integer is required."))
        })
        .transpose()
}

fn param_money(params: &HashMap<String, String>, name: &str) -> ApiResult<Option<i64>> {
    params
        .get(name)
        .map(|v| parse_money(v).map_err(|m| ApiError::field(name, m)))
        .transpose()
}

fn optimized(params: &HashMap<String, String>) -> bool {
    params.get("optimize").is_some_and(|v| v == "true" || v == "1")
}

fn parse_body(body: &Bytes) -> ApiResult<Value> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            json!({"detail": format!("JSON parse error - {e}")}),
        )
    })
}

/// Responses built from cached or fresh bytes, with the query count when the database was used.
fn json_bytes(status: StatusCode, body: Bytes, queries: Option<u32>) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(n) = queries {
        response.headers_mut().insert("x-query-count", HeaderValue::from(n));
    }
    response
}

fn with_queries(value: Value, queries: u32) -> Response {
    json_bytes(StatusCode::OK, Bytes::from(value.to_string()), Some(queries))
}

// ---------- products ----------

const PRODUCT_LIST_COLUMNS: &str = "id, name, price_cents, stock, category, updated_at";

fn product_list_json(row: &AnyRow) -> sqlx::Result<Value> {
    Ok(json!({
        "id": int(row, "id")?,
        "name": text(row, "name")?,
        "price": money(int(row, "price_cents")?),
        "stock": int(row, "stock")?,
        "category": text(row, "category")?,
        "updated_at": iso(int(row, "updated_at")?),
    }))
}

/// The list/search filters shared by both routes.
fn product_filters(params: &HashMap<String, String>, sql: &mut Sql, like: &str) -> ApiResult<()> {
    let min = param_money(params, "min_price")?;
    let max = param_money(params, "max_price")?;
    sql.push(" WHERE 1=1");
    if let Some(category) = params.get("category") {
        sql.push(" AND category = ").bind(Arg::Text(category.clone()));
    }
    if let Some(min) = min {
        sql.push(" AND price_cents >= ").bind(Arg::Int(min));
    }
    if let Some(max) = max {
        sql.push(" AND price_cents <= ").bind(Arg::Int(max));
    }
    if let Some(q) = params.get("q").filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        sql.push(&format!(" AND (name {like} "))
            .bind(Arg::Text(pattern.clone()))
            .push(&format!(" ESCAPE '\\' OR description {like} "))
            .bind(Arg::Text(pattern))
            .push(" ESCAPE '\\')");
    }
    Ok(())
}

/// `ordering`: a product field, optionally with `-`; anything else is 400 naming the parameter.
fn product_ordering(params: &HashMap<String, String>) -> ApiResult<String> {
    let Some(ordering) = params.get("ordering") else {
        return Ok("created_at DESC, id DESC".into());
    };
    let (field, desc) = match ordering.strip_prefix('-') {
        Some(f) => (f, true),
        None => (ordering.as_str(), false),
    };
    let column = match field {
        "id" | "name" | "stock" | "category" | "description" | "updated_at" | "created_at" => field,
        "price" => "price_cents",
        _ => {
            return Err(ApiError::field(
                "ordering",
                format!(
                    "Unknown field \"{field}\"; use one of id, name, price, stock, category, description, updated_at, created_at, optionally prefixed with -."
                ),
            ));
        }
    };
    let dir = if desc { "DESC" } else { "ASC" };
    Ok(format!("{column} {dir}, id {dir}"))
}

/// DRF's page-number pagination: `page` is an integer ≥ 1 or `last`; anything else is 404.
struct Page {
    number: i64,
}

fn page_of(params: &HashMap<String, String>, count: i64) -> ApiResult<Page> {
    let pages = ((count + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let number = match params.get("page").map(String::as_str) {
        None => 1,
        Some("last") => pages,
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1 && *n <= pages)
            .ok_or_else(invalid_page)?,
    };
    Ok(Page { number })
}

fn invalid_page() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, json!({"detail": "Invalid page."}))
}

/// The paginated envelope; links are absolute with the query re-sorted, as DRF builds them.
fn envelope(
    headers: &HeaderMap,
    path: &str,
    params: &HashMap<String, String>,
    page: &Page,
    count: i64,
    results: Vec<Value>,
) -> Value {
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
    let next = (page.number * PAGE_SIZE < count).then(|| link(Some(page.number + 1)));
    let previous = (page.number > 1).then(|| link((page.number > 2).then_some(page.number - 1)));
    json!({"count": count, "next": next, "previous": previous, "results": results})
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

async fn list_products(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let ordering = product_ordering(&params)?;
    let like = state.db.ilike();
    let mut count_sql = Sql::new("SELECT COUNT(*) AS n FROM shop_product");
    product_filters(&params, &mut count_sql, like)?;
    let count = int(&count_sql.fetch_one(&state.db.read).await?, "n")?;
    let page = page_of(&params, count)?;
    let mut sql = Sql::new(&format!("SELECT {PRODUCT_LIST_COLUMNS} FROM shop_product"));
    product_filters(&params, &mut sql, like)?;
    sql.push(&format!(
        " ORDER BY {ordering} LIMIT {PAGE_SIZE} OFFSET {}",
        (page.number - 1) * PAGE_SIZE
    ));
    let rows = sql.fetch_all(&state.db.read).await?;
    let results = rows.iter().map(product_list_json).collect::<sqlx::Result<Vec<_>>>()?;
    Ok(Json(envelope(
        &headers,
        "/api/products/",
        &params,
        &page,
        count,
        results,
    )))
}

async fn search_products(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let mut sql = Sql::new(&format!("SELECT {PRODUCT_LIST_COLUMNS} FROM shop_product"));
    product_filters(&params, &mut sql, state.db.ilike())?;
    if params.get("in_stock").is_some_and(|v| v == "true") {
        sql.push(" AND stock > 0");
    }
    sql.push(" ORDER BY created_at DESC, id DESC");
    let rows = sql.fetch_all(&state.db.read).await?;
    Ok(Json(Value::Array(
        rows.iter().map(product_list_json).collect::<sqlx::Result<_>>()?,
    )))
}

fn product_tag(id: i64) -> String {
    format!("product:{id}")
}

/// Serves `key` from the cache when there is one, else runs `load` (which counts its queries).
async fn cached<F, Fut>(state: &AppState, key: &str, tags: Vec<String>, load: F) -> ApiResult<Response>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ApiResult<Option<(Value, u32)>>>,
{
    let Some(cache) = &state.cache else {
        return Ok(match load().await? {
            Some((value, queries)) => with_queries(value, queries),
            None => ApiError::not_found().into_response(),
        });
    };
    let mut queries = None;
    let found = cache
        .get_or_load(key, || async {
            let loaded = load().await?;
            Ok::<_, ApiError>(loaded.map(|(value, n)| {
                queries = Some(n);
                (Bytes::from(value.to_string()), tags)
            }))
        })
        .await?;
    Ok(match found {
        Some(bytes) => json_bytes(StatusCode::OK, bytes, queries),
        None => ApiError::not_found().into_response(),
    })
}

async fn product_detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    cached_product_view(&state, &id, &params, "detail", |db, id, optimize| async move {
        load_product_detail(&db, id, optimize).await
    })
    .await
}

/// A per-product view, cached under the product's tag.
async fn cached_product_view<F, Fut>(
    state: &AppState,
    raw_id: &str,
    params: &HashMap<String, String>,
    view: &str,
    load: F,
) -> ApiResult<Response>
where
    F: FnOnce(Db, i64, bool) -> Fut,
    Fut: Future<Output = ApiResult<Option<(Value, u32)>>>,
{
    let id = path_id(raw_id)?;
    let optimize = optimized(params);
    let db = state.db.clone();
    cached(state, &format!("product:{id}:{view}"), vec![product_tag(id)], || {
        load(db, id, optimize)
    })
    .await
}

/// With `optimize`: one query (LEFT JOIN + aggregate). Without: the product, its review ids,
/// then each review's rating one query at a time — the N+1 the seed warns about.
pub async fn load_product_detail(db: &Db, id: i64, optimize: bool) -> ApiResult<Option<(Value, u32)>> {
    let columns = "p.id, p.name, p.price_cents, p.stock, p.category, p.description, p.updated_at, p.created_at";
    let (row, review_count, average, queries) = if optimize {
        let sql = Sql::new(&format!(
            "SELECT {columns}, COUNT(r.id) AS review_count, CAST(AVG(r.rating) AS DOUBLE PRECISION) AS average_rating \
             FROM shop_product p LEFT JOIN shop_review r ON r.product_id = p.id WHERE p.id = $1 GROUP BY p.id"
        ));
        let mut sql = sql;
        sql.args.push(Arg::Int(id));
        let Some(row) = sql.fetch_optional(&db.read).await? else {
            return Ok(None);
        };
        let count = int(&row, "review_count")?;
        let average = sqlx::Row::try_get::<Option<f64>, _>(&row, "average_rating")?;
        (row, count, average, 1)
    } else {
        let mut sql = Sql::new(&format!("SELECT {columns} FROM shop_product p WHERE p.id = $1"));
        sql.args.push(Arg::Int(id));
        let Some(row) = sql.fetch_optional(&db.read).await? else {
            return Ok(None);
        };
        let mut ids = Sql::new("SELECT id FROM shop_review WHERE product_id = $1 ORDER BY id");
        ids.args.push(Arg::Int(id));
        let review_ids = ids.fetch_all(&db.read).await?;
        let mut queries = 2;
        let (mut sum, mut n) = (0i64, 0i64);
        for review in &review_ids {
            let mut one = Sql::new("SELECT rating FROM shop_review WHERE id = $1");
            one.args.push(Arg::Int(int(review, "id")?));
            if let Some(r) = one.fetch_optional(&db.read).await? {
                sum += int(&r, "rating")?;
                n += 1;
            }
            queries += 1;
        }
        let average = (n > 0).then(|| sum as f64 / n as f64);
        (row, n, average, queries)
    };
    let value = json!({
        "id": int(&row, "id")?,
        "review_count": review_count,
        "average_rating": average,
        "name": text(&row, "name")?,
        "price": money(int(&row, "price_cents")?),
        "stock": int(&row, "stock")?,
        "category": text(&row, "category")?,
        "description": text(&row, "description")?,
        "updated_at": iso(int(&row, "updated_at")?),
        "created_at": iso(int(&row, "created_at")?),
    });
    Ok(Some((value, queries)))
}

fn review_json(row: &AnyRow, product_name: Option<String>) -> sqlx::Result<Value> {
    let mut value = json!({
        "id": int(row, "id")?,
        "product": int(row, "product_id")?,
    });
    if let Some(name) = product_name {
        value["product_name"] = Value::String(name);
    }
    value["user_id"] = json!(int(row, "user_id")?);
    value["rating"] = json!(int(row, "rating")?);
    value["body"] = json!(text(row, "body")?);
    value["created_at"] = json!(iso(int(row, "created_at")?));
    Ok(value)
}

async fn product_reviews(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    cached_product_view(&state, &id, &params, "reviews", |db, id, optimize| async move {
        load_product_reviews(&db, id, optimize).await
    })
    .await
}

/// With `optimize`: reviews joined to their product's name. Without: one name query per review.
pub async fn load_product_reviews(db: &Db, id: i64, optimize: bool) -> ApiResult<Option<(Value, u32)>> {
    let mut exists = Sql::new("SELECT id FROM shop_product WHERE id = $1");
    exists.args.push(Arg::Int(id));
    if exists.fetch_optional(&db.read).await?.is_none() {
        return Ok(None);
    }
    let columns = "r.id, r.product_id, r.user_id, r.rating, r.body, r.created_at";
    let mut reviews = Vec::new();
    let mut queries = 2;
    if optimize {
        let mut sql = Sql::new(&format!(
            "SELECT {columns}, p.name FROM shop_review r JOIN shop_product p ON p.id = r.product_id \
             WHERE r.product_id = $1 ORDER BY r.created_at DESC, r.id DESC"
        ));
        sql.args.push(Arg::Int(id));
        for row in sql.fetch_all(&db.read).await? {
            reviews.push(review_json(&row, Some(text(&row, "name")?))?);
        }
    } else {
        let mut sql = Sql::new(&format!(
            "SELECT {columns} FROM shop_review r WHERE r.product_id = $1 ORDER BY r.created_at DESC, r.id DESC"
        ));
        sql.args.push(Arg::Int(id));
        for row in sql.fetch_all(&db.read).await? {
            let mut name = Sql::new("SELECT name FROM shop_product WHERE id = $1");
            name.args.push(Arg::Int(int(&row, "product_id")?));
            let name = text(&name.fetch_one(&db.read).await?, "name")?;
            queries += 1;
            reviews.push(review_json(&row, Some(name))?);
        }
    }
    Ok(Some((Value::Array(reviews), queries)))
}

async fn create_product(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let body = parse_body(&body)?;
    let mut errors = Map::new();
    let name = body["name"].as_str().map(str::trim).unwrap_or_default().to_owned();
    if name.is_empty() {
        errors.insert("name".into(), json!(["This field is required."]));
    } else if name.chars().count() > 200 {
        errors.insert(
            "name".into(),
            json!(["Ensure this field has no more than 200 characters."]),
        );
    }
    let price = match &body["price"] {
        Value::String(s) => parse_money(s),
        Value::Number(n) => parse_money(&n.to_string()),
        Value::Null => Err("This field is required."),
        _ => Err("A valid number is required."),
    };
    if let Err(m) = price {
        errors.insert("price".into(), json!([m]));
    }
    let stock = match &body["stock"] {
        Value::Null => Ok(0),
        v => v
            .as_i64()
            .filter(|s| (0..=i32::MAX as i64).contains(s))
            .ok_or("Ensure this value is a valid integer ≥ 0."),
    };
    if let Err(m) = stock {
        errors.insert("stock".into(), json!([m]));
    }
    let category = body["category"].as_str().unwrap_or_default();
    if !CATEGORIES.contains(&category) {
        errors.insert(
            "category".into(),
            json!([format!("\"{category}\" is not a valid choice.")]),
        );
    }
    if !errors.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, Value::Object(errors)));
    }
    let now = now_micros();
    let mut sql = Sql::new(
        "INSERT INTO shop_product (name, price_cents, stock, category, description, updated_at, created_at) VALUES (",
    );
    sql.bind(Arg::Text(name))
        .push(", ")
        .bind(Arg::Int(price.unwrap_or(0)))
        .push(", ")
        .bind(Arg::Int(stock.unwrap_or(0)))
        .push(", ")
        .bind(Arg::Text(category.to_owned()))
        .push(", '', ")
        .bind(Arg::Int(now))
        .push(", ")
        .bind(Arg::Int(now))
        .push(&format!(") RETURNING {PRODUCT_LIST_COLUMNS}"));
    let row = sql.fetch_one(&state.db.write).await?;
    Ok((StatusCode::CREATED, Json(product_list_json(&row)?)).into_response())
}

async fn delete_product(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id)?;
    let mut tx = state.db.begin_write().await?;
    let mut sql = Sql::new("DELETE FROM shop_product WHERE id = $1");
    sql.args.push(Arg::Int(id));
    let deleted = sql.execute(&mut *tx).await?;
    tx.commit().await?;
    invalidate(&state, &[id], Sales::Changed);
    if deleted == 0 {
        return Err(ApiError::not_found());
    }
    Ok(StatusCode::NO_CONTENT)
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

// ---------- orders ----------

struct NewItem {
    product_id: i64,
    quantity: i64,
}

struct NewOrder {
    user_id: i64,
    items: Vec<NewItem>,
}

/// Validates one order body; errors in DRF's nested shape.
fn parse_order(value: &Value) -> Result<NewOrder, Value> {
    let mut errors = Map::new();
    let user_id = match &value["user_id"] {
        Value::Null => {
            errors.insert("user_id".into(), json!(["This field is required."]));
            0
        }
        v => match v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())) {
            Some(id) if (0..=i32::MAX as i64).contains(&id) => id,
            _ => {
                errors.insert("user_id".into(), json!(["A valid integer is required."]));
                0
            }
        },
    };
    let mut items = Vec::new();
    match &value["items"] {
        Value::Null => {
            errors.insert("items".into(), json!(["This field is required."]));
        }
        Value::Array(list) if list.is_empty() => {
            errors.insert("items".into(), json!(["최소 1개 이상의 상품이 필요합니다."]));
        }
        Value::Array(list) if list.len() > 100 => {
            errors.insert(
                "items".into(),
                json!(["Ensure this field has no more than 100 elements."]),
            );
        }
        Value::Array(list) => {
            let mut item_errors = Vec::new();
            let mut any = false;
            for item in list {
                let mut e = Map::new();
                let product_id = item["product_id"].as_i64();
                if product_id.is_none() {
                    let m = if item["product_id"].is_null() {
                        "This field is required."
                    } else {
                        "A valid integer is required."
                    };
                    e.insert("product_id".into(), json!([m]));
                }
                let quantity = item["quantity"].as_i64();
                match quantity {
                    None if item["quantity"].is_null() => {
                        e.insert("quantity".into(), json!(["This field is required."]));
                    }
                    None => {
                        e.insert("quantity".into(), json!(["A valid integer is required."]));
                    }
                    Some(q) if q < 1 => {
                        e.insert(
                            "quantity".into(),
                            json!(["Ensure this value is greater than or equal to 1."]),
                        );
                    }
                    Some(q) if q > 1_000_000 => {
                        e.insert(
                            "quantity".into(),
                            json!(["Ensure this value is less than or equal to 1000000."]),
                        );
                    }
                    Some(_) => {}
                }
                any |= !e.is_empty();
                if let (Some(product_id), Some(quantity), true) = (product_id, quantity, e.is_empty()) {
                    items.push(NewItem { product_id, quantity });
                }
                item_errors.push(Value::Object(e));
            }
            if any {
                errors.insert("items".into(), Value::Array(item_errors));
            }
        }
        _ => {
            errors.insert(
                "items".into(),
                json!(["Expected a list of items but got type \"dict\"."]),
            );
        }
    }
    if errors.is_empty() {
        Ok(NewOrder { user_id, items })
    } else {
        Err(Value::Object(errors))
    }
}

struct ProductInfo {
    price_cents: i64,
}

/// Loads the named products; the first unknown id is the original's 404.
async fn load_products(
    conn: &mut sqlx::AnyConnection,
    kind: Kind,
    ids: &[i64],
) -> ApiResult<HashMap<i64, ProductInfo>> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut sql = Sql::new("SELECT id, price_cents FROM shop_product WHERE id IN (").plain_placeholders_for(kind);
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(Arg::Int(*id));
        }
        sql.push(")");
        for row in sql.fetch_all(&mut *conn).await? {
            found.insert(
                int(&row, "id")?,
                ProductInfo {
                    price_cents: int(&row, "price_cents")?,
                },
            );
        }
    }
    if let Some(missing) = ids.iter().find(|id| !found.contains_key(id)) {
        return Err(ApiError::unknown_product(*missing));
    }
    Ok(found)
}

/// Takes `quantity` off each product's stock, or fails with 400 if any would go below zero:
/// one guarded `stock = stock - q WHERE stock >= q` per product, in id order (no lock-order
/// deadlocks between concurrent orders on PostgreSQL).
async fn take_stock(conn: &mut sqlx::AnyConnection, wanted: &BTreeMap<i64, i64>) -> ApiResult<()> {
    for (&product_id, &quantity) in wanted {
        let mut sql =
            Sql::new("UPDATE shop_product SET stock = stock - $1, version = version + 1 WHERE id = $2 AND stock >= $1");
        sql.args.extend([Arg::Int(quantity), Arg::Int(product_id)]);
        if sql.execute(&mut *conn).await? == 0 {
            return Err(ApiError::out_of_stock(product_id));
        }
    }
    Ok(())
}

/// Inserts orders and their items in the open transaction; returns the order ids in order.
async fn insert_orders(
    conn: &mut sqlx::AnyConnection,
    kind: Kind,
    orders: &[NewOrder],
    products: &HashMap<i64, ProductInfo>,
) -> ApiResult<Vec<i64>> {
    let now = now_micros();
    let mut ids = Vec::with_capacity(orders.len());
    for chunk in orders.chunks(500) {
        let mut sql = Sql::new("INSERT INTO shop_order (user_id, status, total_cents, created_at, updated_at) VALUES ")
            .plain_placeholders_for(kind);
        for (i, order) in chunk.iter().enumerate() {
            let total: i64 = order
                .items
                .iter()
                .map(|it| it.quantity * products[&it.product_id].price_cents)
                .sum();
            sql.push(if i > 0 { ", (" } else { "(" })
                .bind(Arg::Int(order.user_id))
                .push(", 'pending', ")
                .bind(Arg::Int(total))
                .push(", ")
                .bind(Arg::Int(now))
                .push(", ")
                .bind(Arg::Int(now))
                .push(")");
        }
        sql.push(" RETURNING id");
        let mut rows: Vec<i64> = sql
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| int(r, "id"))
            .collect::<sqlx::Result<_>>()?;
        // RETURNING's row order is not promised: the ids of one multi-row INSERT ascend in
        // insertion order on both databases, so sorting restores the request order.
        rows.sort_unstable();
        ids.extend(rows);
    }
    let items: Vec<(i64, &NewItem)> = ids
        .iter()
        .zip(orders)
        .flat_map(|(id, o)| o.items.iter().map(move |it| (*id, it)))
        .collect();
    for chunk in items.chunks(1000) {
        let mut sql = Sql::new("INSERT INTO shop_orderitem (order_id, product_id, quantity, unit_cents) VALUES ")
            .plain_placeholders_for(kind);
        for (i, (order_id, item)) in chunk.iter().enumerate() {
            sql.push(if i > 0 { ", (" } else { "(" })
                .bind(Arg::Int(*order_id))
                .push(", ")
                .bind(Arg::Int(item.product_id))
                .push(", ")
                .bind(Arg::Int(item.quantity))
                .push(", ")
                .bind(Arg::Int(products[&item.product_id].price_cents))
                .push(")");
        }
        sql.execute(&mut *conn).await?;
    }
    Ok(ids)
}

/// Keeps `shop_product_sales` (what top-products ranks) in step with the order items, in the
/// same transaction: the ranking is then an index scan, not an aggregation over every item.
async fn record_sales(
    conn: &mut sqlx::AnyConnection,
    orders: &[NewOrder],
    products: &HashMap<i64, ProductInfo>,
) -> ApiResult<()> {
    // product → (quantity, revenue, orders containing it)
    let mut sales: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
    for order in orders {
        let mut seen = std::collections::HashSet::new();
        for item in &order.items {
            let entry = sales.entry(item.product_id).or_default();
            entry.0 += item.quantity;
            entry.1 += item.quantity * products[&item.product_id].price_cents;
            if seen.insert(item.product_id) {
                entry.2 += 1;
            }
        }
    }
    for (product_id, (quantity, revenue, count)) in sales {
        let mut sql = Sql::new(
            "INSERT INTO shop_product_sales (product_id, quantity, revenue_cents, order_count) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (product_id) DO UPDATE SET quantity = shop_product_sales.quantity + excluded.quantity, \
             revenue_cents = shop_product_sales.revenue_cents + excluded.revenue_cents, \
             order_count = shop_product_sales.order_count + excluded.order_count",
        );
        sql.args.extend([
            Arg::Int(product_id),
            Arg::Int(quantity),
            Arg::Int(revenue),
            Arg::Int(count),
        ]);
        sql.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Orders are created, and stock taken, all or nothing.
async fn place_orders(state: &AppState, orders: &[NewOrder]) -> ApiResult<Vec<i64>> {
    let mut wanted: BTreeMap<i64, i64> = BTreeMap::new();
    for item in orders.iter().flat_map(|o| &o.items) {
        *wanted.entry(item.product_id).or_default() += item.quantity;
    }
    let ids: Vec<i64> = wanted.keys().copied().collect();
    let mut tx = state.db.begin_write().await?;
    let result = async {
        let products = load_products(&mut tx, state.db.kind, &ids).await?;
        take_stock(&mut tx, &wanted).await?;
        let order_ids = insert_orders(&mut tx, state.db.kind, orders, &products).await?;
        record_sales(&mut tx, orders, &products).await?;
        Ok(order_ids)
    }
    .await;
    match result {
        Ok(order_ids) => {
            tx.commit().await?;
            invalidate(state, &ids, Sales::Changed);
            Ok(order_ids)
        }
        Err(e) => {
            tx.rollback().await.ok();
            Err(e)
        }
    }
}

async fn create_order(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let body = parse_body(&body)?;
    let order = parse_order(&body).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))?;
    let ids = place_orders(&state, std::slice::from_ref(&order)).await?;
    let (detail, _) = load_order_detail(&state.db, ids[0], true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(detail)).into_response())
}

async fn bulk_orders(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let body = parse_body(&body)?;
    let Some(list) = body["orders"].as_array() else {
        let m = if body["orders"].is_null() {
            "This field is required."
        } else {
            "Expected a list of items."
        };
        return Err(ApiError::field("orders", m));
    };
    if list.len() > MAX_BULK_ORDERS {
        return Err(ApiError::field("orders", "한 번에 최대 1000개까지 생성 가능합니다."));
    }
    let mut orders = Vec::with_capacity(list.len());
    let mut errors = Vec::with_capacity(list.len());
    for value in list {
        match parse_order(value) {
            Ok(order) => {
                orders.push(order);
                errors.push(json!({}));
            }
            Err(e) => errors.push(e),
        }
    }
    if orders.len() != list.len() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, json!({"orders": errors})));
    }
    let ids = if orders.is_empty() {
        Vec::new()
    } else {
        place_orders(&state, &orders).await?
    };
    Ok((
        StatusCode::CREATED,
        Json(json!({"created": ids.len(), "order_ids": ids})),
    )
        .into_response())
}

fn order_list_json(row: &AnyRow) -> sqlx::Result<Value> {
    Ok(json!({
        "id": int(row, "id")?,
        "user_id": int(row, "user_id")?,
        "status": text(row, "status")?,
        "total_price": money(int(row, "total_cents")?),
        "created_at": iso(int(row, "created_at")?),
        "updated_at": iso(int(row, "updated_at")?),
    }))
}

/// With `optimize`: the order, then its items joined to product names (2 queries). Without:
/// one more query per item for its product's name.
pub async fn load_order_detail(db: &Db, id: i64, optimize: bool) -> ApiResult<Option<(Value, u32)>> {
    let mut sql =
        Sql::new("SELECT id, user_id, status, total_cents, created_at, updated_at FROM shop_order WHERE id = $1");
    sql.args.push(Arg::Int(id));
    let Some(order) = sql.fetch_optional(&db.read).await? else {
        return Ok(None);
    };
    let mut queries = 2;
    let item_json = |row: &AnyRow, name: String| -> sqlx::Result<Value> {
        let (quantity, unit) = (int(row, "quantity")?, int(row, "unit_cents")?);
        Ok(json!({
            "id": int(row, "id")?,
            "product": int(row, "product_id")?,
            "product_name": name,
            "quantity": quantity,
            "unit_price": money(unit),
            "subtotal": money(quantity * unit),
        }))
    };
    let mut items = Vec::new();
    if optimize {
        let mut sql = Sql::new(
            "SELECT i.id, i.product_id, i.quantity, i.unit_cents, p.name FROM shop_orderitem i \
             JOIN shop_product p ON p.id = i.product_id WHERE i.order_id = $1 ORDER BY i.id",
        );
        sql.args.push(Arg::Int(id));
        for row in sql.fetch_all(&db.read).await? {
            items.push(item_json(&row, text(&row, "name")?)?);
        }
    } else {
        let mut sql =
            Sql::new("SELECT id, product_id, quantity, unit_cents FROM shop_orderitem WHERE order_id = $1 ORDER BY id");
        sql.args.push(Arg::Int(id));
        for row in sql.fetch_all(&db.read).await? {
            let mut name = Sql::new("SELECT name FROM shop_product WHERE id = $1");
            name.args.push(Arg::Int(int(&row, "product_id")?));
            let name = name
                .fetch_optional(&db.read)
                .await?
                .map(|r| text(&r, "name"))
                .transpose()?
                .unwrap_or_default();
            queries += 1;
            items.push(item_json(&row, name)?);
        }
    }
    let mut value = order_list_json(&order)?;
    let updated = value["updated_at"].take();
    let created = value["created_at"].take();
    let object = value.as_object_mut().expect("an object");
    object.remove("created_at");
    object.remove("updated_at");
    object.insert("items".into(), Value::Array(items));
    object.insert("created_at".into(), created);
    object.insert("updated_at".into(), updated);
    Ok(Some((value, queries)))
}

async fn order_detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let id = path_id(&id)?;
    match load_order_detail(&state.db, id, optimized(&params)).await? {
        Some((value, queries)) => Ok(with_queries(value, queries)),
        None => Err(ApiError::not_found()),
    }
}

async fn update_order(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> ApiResult<Response> {
    let id = path_id(&id)?;
    let body = parse_body(&body)?;
    let status = match &body["status"] {
        Value::Null => return Err(ApiError::field("status", "This field is required.")),
        Value::String(s) if STATUSES.contains(&s.as_str()) => s.clone(),
        other => {
            let shown = other.as_str().map_or_else(|| other.to_string(), str::to_owned);
            return Err(ApiError::field("status", format!("\"{shown}\" is not a valid choice.")));
        }
    };
    let mut sql = Sql::new("UPDATE shop_order SET status = $1, updated_at = $2 WHERE id = $3");
    sql.args
        .extend([Arg::Text(status), Arg::Int(now_micros()), Arg::Int(id)]);
    if sql.execute(&state.db.write).await? == 0 {
        return Err(ApiError::not_found());
    }
    let (detail, _) = load_order_detail(&state.db, id, true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(detail).into_response())
}

async fn delete_order(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id)?;
    let mut tx = state.db.begin_write().await?;
    let mut products = Sql::new("SELECT DISTINCT product_id FROM shop_orderitem WHERE order_id = $1");
    products.args.push(Arg::Int(id));
    let touched: Vec<i64> = products
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| int(r, "product_id"))
        .collect::<sqlx::Result<_>>()?;
    let mut unsell = Sql::new(
        "UPDATE shop_product_sales SET \
         quantity = quantity - (SELECT SUM(i.quantity) FROM shop_orderitem i WHERE i.order_id = $1 AND i.product_id = shop_product_sales.product_id), \
         revenue_cents = revenue_cents - (SELECT SUM(i.quantity * i.unit_cents) FROM shop_orderitem i WHERE i.order_id = $1 AND i.product_id = shop_product_sales.product_id), \
         order_count = order_count - 1 \
         WHERE product_id IN (SELECT product_id FROM shop_orderitem WHERE order_id = $1)",
    );
    unsell.args.push(Arg::Int(id));
    unsell.execute(&mut *tx).await?;
    let mut sql = Sql::new("DELETE FROM shop_order WHERE id = $1");
    sql.args.push(Arg::Int(id));
    let deleted = sql.execute(&mut *tx).await?;
    tx.commit().await?;
    if deleted == 0 {
        return Err(ApiError::not_found());
    }
    invalidate(&state, &touched, Sales::Changed);
    Ok(StatusCode::NO_CONTENT)
}

async fn list_orders(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let count = int(
        &Sql::new("SELECT COUNT(*) AS n FROM shop_order")
            .fetch_one(&state.db.read)
            .await?,
        "n",
    )?;
    let page = page_of(&params, count)?;
    let sql = Sql::new(&format!(
        "SELECT id, user_id, status, total_cents, created_at, updated_at FROM shop_order \
         ORDER BY created_at DESC, id DESC LIMIT {PAGE_SIZE} OFFSET {}",
        (page.number - 1) * PAGE_SIZE
    ));
    let results = sql
        .fetch_all(&state.db.read)
        .await?
        .iter()
        .map(order_list_json)
        .collect::<sqlx::Result<_>>()?;
    Ok(Json(envelope(&headers, "/api/orders/", &params, &page, count, results)))
}

// ---------- inventory ----------

async fn reserve(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let pessimistic = match params.get("lock_type").map(String::as_str) {
        None | Some("optimistic") => false,
        Some("pessimistic") => true,
        Some(other) => {
            return Err(ApiError::field(
                "lock_type",
                format!("\"{other}\" is not a valid choice: optimistic or pessimistic."),
            ));
        }
    };
    let body = parse_body(&body)?;
    let mut errors = Map::new();
    let product_id = body["product_id"].as_i64();
    if product_id.is_none() {
        errors.insert("product_id".into(), json!(["A valid integer is required."]));
    }
    let quantity = body["quantity"].as_i64();
    match quantity {
        Some(q) if (1..=1_000_000).contains(&q) => {}
        Some(_) => {
            errors.insert(
                "quantity".into(),
                json!(["Ensure this value is between 1 and 1000000."]),
            );
        }
        None => {
            errors.insert("quantity".into(), json!(["A valid integer is required."]));
        }
    }
    let (Some(product_id), Some(quantity), true) = (product_id, quantity, errors.is_empty()) else {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, Value::Object(errors)));
    };
    let remaining = if pessimistic {
        reserve_pessimistic(&state.db, product_id, quantity).await
    } else {
        reserve_optimistic(&state.db, product_id, quantity).await
    };
    // Stock may have changed even when the answer is an error (e.g. a lost connection).
    invalidate(&state, &[product_id], Sales::Unchanged);
    let remaining = remaining?;
    Ok(Json(
        json!({"product_id": product_id, "reserved": quantity, "remaining_stock": remaining}),
    ))
}

/// Locks the row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's immediate transaction holds the
/// database's write lock), checks, decrements.
async fn reserve_pessimistic(db: &Db, product_id: i64, quantity: i64) -> ApiResult<i64> {
    let mut tx = db.begin_write().await?;
    let mut sql = Sql::new(&format!(
        "SELECT stock FROM shop_product WHERE id = $1{}",
        db.for_update()
    ));
    sql.args.push(Arg::Int(product_id));
    let stock = match sql.fetch_optional(&mut *tx).await? {
        Some(row) => int(&row, "stock")?,
        None => return Err(ApiError::unknown_product(product_id)),
    };
    if stock < quantity {
        return Err(ApiError::error(StatusCode::BAD_REQUEST, "재고 부족"));
    }
    let mut update =
        Sql::new("UPDATE shop_product SET stock = stock - $1, version = version + 1, updated_at = $2 WHERE id = $3");
    update
        .args
        .extend([Arg::Int(quantity), Arg::Int(now_micros()), Arg::Int(product_id)]);
    update.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(stock - quantity)
}

pub const OPTIMISTIC_ATTEMPTS: u32 = 8;

/// Reads stock and version without a lock, then updates only if the version is unchanged;
/// a lost race re-reads and retries, up to `OPTIMISTIC_ATTEMPTS` times (then 409).
async fn reserve_optimistic(db: &Db, product_id: i64, quantity: i64) -> ApiResult<i64> {
    for attempt in 0..OPTIMISTIC_ATTEMPTS {
        let mut read = Sql::new("SELECT stock, version FROM shop_product WHERE id = $1");
        read.args.push(Arg::Int(product_id));
        let Some(row) = read.fetch_optional(&db.read).await? else {
            return Err(ApiError::unknown_product(product_id));
        };
        let (stock, version) = (int(&row, "stock")?, int(&row, "version")?);
        if stock < quantity {
            return Err(ApiError::error(StatusCode::BAD_REQUEST, "재고 부족"));
        }
        let mut update = Sql::new(
            "UPDATE shop_product SET stock = stock - $1, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND version = $4 AND stock >= $1",
        );
        update.args.extend([
            Arg::Int(quantity),
            Arg::Int(now_micros()),
            Arg::Int(product_id),
            Arg::Int(version),
        ]);
        if update.execute(&db.write).await? == 1 {
            return Ok(stock - quantity);
        }
        let jitter = rand::random_range(0..=(1u64 << attempt.min(6)));
        tokio::time::sleep(Duration::from_millis(jitter)).await;
    }
    Err(ApiError::error(
        StatusCode::CONFLICT,
        "동시 수정이 계속 충돌합니다. 다시 시도하세요. (optimistic lock: too many concurrent updates, retry)",
    ))
}

// ---------- stats ----------

async fn top_products(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let limit = match param_int(&params, "limit")? {
        None => 10,
        Some(l) if (0..=1000).contains(&l) => l,
        Some(_) => return Err(ApiError::field("limit", "Ensure this value is between 0 and 1000.")),
    };
    let key = format!("top-products:{limit}");
    if let Some(bytes) = state.cache.as_ref().and_then(|c| c.get(&key)) {
        return Ok(json_bytes(StatusCode::OK, bytes, None));
    }
    let _one_at_a_time = state.ranking.lock().await;
    let db = state.db.clone();
    cached(&state, &key, vec![TOP_PRODUCTS_TAG.into()], || async move {
        let sql = Sql::new(&format!(
            "SELECT s.product_id, p.name, s.quantity AS total_quantity, s.revenue_cents, s.order_count \
             FROM shop_product_sales s JOIN shop_product p ON p.id = s.product_id \
             WHERE s.quantity > 0 ORDER BY s.revenue_cents DESC, s.product_id LIMIT {limit}"
        ));
        let rows = sql.fetch_all(&db.read).await?;
        let list = rows
            .iter()
            .map(|r| {
                Ok(json!({
                    "product_id": int(r, "product_id")?,
                    "product_name": text(r, "name")?,
                    "total_quantity": int(r, "total_quantity")?,
                    "total_revenue": int(r, "revenue_cents")? as f64 / 100.0,
                    "order_count": int(r, "order_count")?,
                }))
            })
            .collect::<sqlx::Result<Vec<_>>>()?;
        Ok(Some((Value::Array(list), 1)))
    })
    .await
}

// ---------- reviews ----------

async fn create_review(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let body = parse_body(&body)?;
    let mut errors = Map::new();
    let product = body["product"]
        .as_i64()
        .or_else(|| body["product"].as_str().and_then(|s| s.parse().ok()));
    if product.is_none() {
        let m = if body["product"].is_null() {
            "This field is required."
        } else {
            "Incorrect type. Expected pk value."
        };
        errors.insert("product".into(), json!([m]));
    }
    let user_id = body["user_id"].as_i64().filter(|u| (0..=i32::MAX as i64).contains(u));
    if user_id.is_none() {
        let m = if body["user_id"].is_null() {
            "This field is required."
        } else {
            "A valid integer is required."
        };
        errors.insert("user_id".into(), json!([m]));
    }
    let rating = body["rating"].as_i64();
    match rating {
        None => {
            let m = if body["rating"].is_null() {
                "This field is required."
            } else {
                "A valid integer is required."
            };
            errors.insert("rating".into(), json!([m]));
        }
        Some(r) if r < 1 => {
            errors.insert(
                "rating".into(),
                json!(["Ensure this value is greater than or equal to 1."]),
            );
        }
        Some(r) if r > 5 => {
            errors.insert(
                "rating".into(),
                json!(["Ensure this value is less than or equal to 5."]),
            );
        }
        Some(_) => {}
    }
    let review_body = body["body"].as_str().unwrap_or_default().to_owned();
    if review_body.trim().is_empty() {
        let m = if body["body"].is_null() {
            "This field is required."
        } else {
            "This field may not be blank."
        };
        errors.insert("body".into(), json!([m]));
    } else if review_body.len() > 10_000 {
        errors.insert(
            "body".into(),
            json!(["Ensure this field has no more than 10000 characters."]),
        );
    }
    if let Some(id) = product {
        let mut exists = Sql::new("SELECT id FROM shop_product WHERE id = $1");
        exists.args.push(Arg::Int(id));
        if exists.fetch_optional(&state.db.read).await?.is_none() {
            errors.insert(
                "product".into(),
                json!([format!("Invalid pk \"{id}\" - object does not exist.")]),
            );
        }
    }
    let (Some(product), Some(user_id), Some(rating), true) = (product, user_id, rating, errors.is_empty()) else {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, Value::Object(errors)));
    };
    let mut sql = Sql::new("INSERT INTO shop_review (product_id, user_id, rating, body, created_at) VALUES (");
    sql.bind(Arg::Int(product))
        .push(", ")
        .bind(Arg::Int(user_id))
        .push(", ")
        .bind(Arg::Int(rating))
        .push(", ")
        .bind(Arg::Text(review_body))
        .push(", ")
        .bind(Arg::Int(now_micros()))
        .push(") RETURNING id, product_id, user_id, rating, body, created_at");
    let inserted = sql.fetch_one(&state.db.write).await;
    invalidate(&state, &[product], Sales::Unchanged);
    let row = inserted?;
    Ok((StatusCode::CREATED, Json(review_json(&row, None)?)).into_response())
}

async fn list_reviews(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let product_id = param_int(&params, "product_id")?;
    let user_id = param_int(&params, "user_id")?;
    let filters = |sql: &mut Sql| {
        sql.push(" WHERE 1=1");
        if let Some(p) = product_id {
            sql.push(" AND r.product_id = ").bind(Arg::Int(p));
        }
        if let Some(u) = user_id {
            sql.push(" AND r.user_id = ").bind(Arg::Int(u));
        }
    };
    let mut count = Sql::new("SELECT COUNT(*) AS n FROM shop_review r");
    filters(&mut count);
    let count = int(&count.fetch_one(&state.db.read).await?, "n")?;
    let page = page_of(&params, count)?;
    let mut sql = Sql::new(
        "SELECT r.id, r.product_id, r.user_id, r.rating, r.body, r.created_at, p.name \
         FROM shop_review r JOIN shop_product p ON p.id = r.product_id",
    );
    filters(&mut sql);
    sql.push(&format!(
        " ORDER BY r.created_at DESC, r.id DESC LIMIT {PAGE_SIZE} OFFSET {}",
        (page.number - 1) * PAGE_SIZE
    ));
    let results = sql
        .fetch_all(&state.db.read)
        .await?
        .iter()
        .map(|row| review_json(row, Some(text(row, "name")?)))
        .collect::<sqlx::Result<_>>()?;
    Ok(Json(envelope(
        &headers,
        "/api/reviews/",
        &params,
        &page,
        count,
        results,
    )))
}

async fn review_detail(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    let mut sql = Sql::new("SELECT id, product_id, user_id, rating, body, created_at FROM shop_review WHERE id = $1");
    sql.args.push(Arg::Int(id));
    let row = sql
        .fetch_optional(&state.db.read)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(review_json(&row, None)?))
}
