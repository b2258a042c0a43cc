//! ExBuy end to end: a real server on a socket, a fresh database per test. SQLite by default;
//! `EXBUY_TEST_BACKEND=postgres` runs the same tests on PostgreSQL (a fresh database each, made
//! through `MEETIFYR_TEST_POSTGRES_URL`, an account allowed to create databases).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use exbuy::Db;
use exbuy::api::Options;
use exbuy::seed::{SeedOptions, seed};
use serde_json::{Value, json};
use sqlx::Connection;

struct TestApp {
    base: String,
    client: reqwest::Client,
    db: Db,
    uploads: PathBuf,
    _dir: tempdir::Dir,
}

mod tempdir {
    /// A folder removed when dropped.
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            let path = std::env::temp_dir().join(format!("exbuy-test-{:016x}", rand::random::<u64>()));
            std::fs::create_dir_all(&path).expect("temp dir");
            Dir(path)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

async fn database_url(dir: &std::path::Path) -> String {
    match std::env::var("EXBUY_TEST_BACKEND").as_deref() {
        Ok("postgres") => {
            let admin = std::env::var("MEETIFYR_TEST_POSTGRES_URL")
                .expect("EXBUY_TEST_BACKEND=postgres needs MEETIFYR_TEST_POSTGRES_URL");
            let name = format!("exbuy_test_{:016x}", rand::random::<u64>());
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("postgres admin connection");
            sqlx::Executor::execute(&mut conn, sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .expect("create database");
            format!("{}/{name}", admin.rsplit_once('/').expect("a database in the URL").0)
        }
        _ => format!("sqlite://{}/exbuy.db", dir.display()),
    }
}

async fn spawn_with(cache: bool, seed_with: Option<SeedOptions>) -> TestApp {
    let dir = tempdir::Dir::new();
    let url = database_url(&dir.0).await;
    let db = Db::connect(&url, 8).await.expect("connect");
    if let Some(options) = seed_with {
        seed(&db, &options).await.expect("seed");
    }
    let uploads = dir.0.join("uploads");
    let options = Options {
        cache: cache.then(meetifyr_cache::CacheConfig::default),
        upload_dir: uploads.clone(),
        max_body_bytes: 1024 * 1024,
        request_timeout: Duration::from_secs(60),
        slow_request: Duration::from_secs(5),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server_db = db.clone();
    tokio::spawn(async move { exbuy::serve(listener, server_db, &options, std::future::pending()).await });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp {
        base,
        client,
        db,
        uploads,
        _dir: dir,
    }
}

fn small() -> SeedOptions {
    SeedOptions {
        products: 150,
        orders: 600,
        reviews: 400,
        batch_size: 100,
        seed: 7,
    }
}

impl TestApp {
    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET")
    }
    async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .client
            .request(method, format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("send");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }
    async fn product(&self, name: &str, stock: i64) -> i64 {
        let (status, body) = self
            .post(
                "/api/products/",
                json!({"name": name, "price": "12.50", "stock": stock, "category": "books"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_i64().expect("id")
    }
}

#[tokio::test]
async fn health_redirects_and_unknown_paths() {
    let app = spawn_with(true, None).await;
    let (status, body) = app.get_json("/api/health").await;
    assert_eq!((status, body), (200, json!({"status": "ok"})));
    // Given a router route without its slash, Then 301 to the slash URL, query kept
    let r = app.get("/api/products/1?optimize=true").await;
    assert_eq!(r.status(), 301);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("/api/products/1/?optimize=true"), "{location}");
    assert_eq!(app.get("/api/orders").await.status(), 301);
    // Explicit paths with a slash are not routes
    assert_eq!(app.get("/api/health/").await.status(), 404);
    let (status, body) = app.get_json("/nope").await;
    assert_eq!((status, body), (404, json!({"detail": "Not found."})));
    let (status, body) = app.post("/api/orders/bulk/", json!({})).await;
    assert_eq!(status, 405, "{body}");
    assert!(app.get("/api/health").await.headers().contains_key("x-response-time"));
}

#[tokio::test]
async fn product_list_is_paginated_like_drf() {
    let app = spawn_with(true, Some(small())).await;
    let (status, page1) = app.get_json("/api/products/?ordering=-price&page=1").await;
    assert_eq!(status, 200);
    assert_eq!(page1["count"], 150);
    assert_eq!(page1["results"].as_array().unwrap().len(), 100);
    assert!(page1["previous"].is_null());
    let next = page1["next"].as_str().unwrap();
    assert!(next.ends_with("/api/products/?ordering=-price&page=2"), "{next}");
    let first = &page1["results"][0];
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 6, "{first}");
    assert!(
        first["price"].as_str().unwrap().contains('.'),
        "decimals are strings: {first}"
    );
    let prices: Vec<f64> = page1["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["price"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(prices.windows(2).all(|w| w[0] >= w[1]), "ordered by -price");
    let (_, page2) = app.get_json("/api/products/?ordering=-price&page=2").await;
    assert_eq!(page2["results"].as_array().unwrap().len(), 50);
    assert!(page2["next"].is_null());
    assert!(
        page2["previous"]
            .as_str()
            .unwrap()
            .ends_with("/api/products/?ordering=-price")
    );
    let (status, body) = app.get_json("/api/products/?page=3").await;
    assert_eq!((status, body), (404, json!({"detail": "Invalid page."})));
    let (status, _) = app.get_json("/api/products/?page=last").await;
    assert_eq!(status, 200);
    // Filters combine
    let (_, books) = app
        .get_json("/api/products/?category=books&min_price=100&max_price=500.5")
        .await;
    for p in books["results"].as_array().unwrap() {
        let price: f64 = p["price"].as_str().unwrap().parse().unwrap();
        assert!(p["category"] == "books" && (100.0..=500.5).contains(&price), "{p}");
    }
}

#[tokio::test]
async fn bad_parameters_are_400_naming_the_parameter() {
    let app = spawn_with(true, Some(small())).await;
    for (path, name) in [
        ("/api/products/?ordering=bogus", "ordering"),
        ("/api/products/?ordering=-price;drop", "ordering"),
        ("/api/products/?min_price=abc", "min_price"),
        ("/api/search/products?max_price=1e3", "max_price"),
        ("/api/stats/top-products?limit=abc", "limit"),
        ("/api/stats/top-products?limit=-1", "limit"),
        ("/api/reviews/?product_id=x", "product_id"),
        ("/api/reviews/?user_id=1.5", "user_id"),
        ("/api/products/abc/", "id"),
        ("/api/orders/abc/", "id"),
        ("/export/orders?start_date=2025-13-01", "start_date"),
        ("/export/orders?format=xml", "format"),
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body.get(name).is_some(), "{path}: {body}");
    }
    let (status, body) = app
        .post(
            "/api/inventory/reserve?lock_type=pessimistic",
            json!({"product_id": 999_999, "quantity": 1}),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert!(body["error"].is_string());
    let r = app
        .client
        .post(format!("{}/api/orders/", app.base))
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let (status, body) = app
        .post(
            "/api/orders/",
            json!({"user_id": "x", "items": [{"product_id": 1, "quantity": 0}, {"product_id": 1}]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["user_id"], json!(["A valid integer is required."]));
    assert_eq!(
        body["items"][0]["quantity"],
        json!(["Ensure this value is greater than or equal to 1."])
    );
    assert_eq!(body["items"][1]["quantity"], json!(["This field is required."]));
    let (status, body) = app.post("/api/orders/", json!({"user_id": 1, "items": []})).await;
    assert_eq!(
        (status, body),
        (400, json!({"items": ["최소 1개 이상의 상품이 필요합니다."]}))
    );
    let (status, body) = app
        .post(
            "/api/orders/",
            json!({"user_id": 1, "items": [{"product_id": 999_999, "quantity": 1}]}),
        )
        .await;
    assert_eq!(
        (status, body),
        (404, json!({"error": "상품 ID 999999를 찾을 수 없습니다."}))
    );
}

#[tokio::test]
async fn optimize_gives_the_same_answers_with_fewer_queries() {
    let app = spawn_with(false, Some(small())).await;
    for path in ["/api/products/3/", "/api/products/3/reviews/", "/api/orders/5/"] {
        let plain = app.get(path).await;
        let plain_queries: u32 = plain.headers()["x-query-count"].to_str().unwrap().parse().unwrap();
        let plain: Value = plain.json().await.unwrap();
        let fast = app.get(&format!("{path}?optimize=true")).await;
        let fast_queries: u32 = fast.headers()["x-query-count"].to_str().unwrap().parse().unwrap();
        let fast: Value = fast.json().await.unwrap();
        assert_eq!(plain, fast, "{path}");
        assert!(fast_queries <= 2, "{path}: {fast_queries}");
        let related = match path {
            "/api/products/3/" => plain["review_count"].as_u64().unwrap() as u32,
            "/api/products/3/reviews/" => plain.as_array().unwrap().len() as u32,
            _ => plain["items"].as_array().unwrap().len() as u32,
        };
        assert!(related > 0, "{path} has related rows in the seeded data");
        assert_eq!(
            plain_queries,
            2 + related,
            "{path}: one query per related row without optimize"
        );
    }
    let (_, detail) = app.get_json("/api/products/3/").await;
    let expected = [
        "id",
        "review_count",
        "average_rating",
        "name",
        "price",
        "stock",
        "category",
        "description",
        "updated_at",
        "created_at",
    ];
    assert_eq!(
        detail
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        expected
    );
    let (_, order) = app.get_json("/api/orders/5/").await;
    let total: f64 = order["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["subtotal"].as_str().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((total - order["total_price"].as_str().unwrap().parse::<f64>().unwrap()).abs() < 0.001);
}

#[tokio::test]
async fn orders_take_stock_and_never_oversell() {
    let app = spawn_with(true, None).await;
    let a = app.product("A", 5).await;
    let b = app.product("B", 1).await;
    let (status, order) = app
        .post(
            "/api/orders/",
            json!({"user_id": 9, "items": [{"product_id": a, "quantity": 2}, {"product_id": b, "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["total_price"], "37.50");
    assert_eq!(order["status"], "pending");
    assert_eq!(order["items"][0]["subtotal"], "25.00");
    let (_, pa) = app.get_json(&format!("/api/products/{a}/")).await;
    assert_eq!(pa["stock"], 3, "the cached detail was invalidated by the order");
    // When an order asks for more than is left, Then 400 {"error"} and nothing changes
    let (status, body) = app
        .post(
            "/api/orders/",
            json!({"user_id": 9, "items": [{"product_id": a, "quantity": 1}, {"product_id": b, "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "재고 부족");
    let (_, pa) = app.get_json(&format!("/api/products/{a}/")).await;
    assert_eq!(pa["stock"], 3, "all or nothing");
    // Repeated ids count together
    let (status, _) = app
        .post(
            "/api/orders/",
            json!({"user_id": 9, "items": [{"product_id": a, "quantity": 2}, {"product_id": a, "quantity": 2}]}),
        )
        .await;
    assert_eq!(status, 400);
    // Bulk: all or nothing too, limits and ids in order
    let (status, body) = app.post("/api/orders/bulk", json!({"orders": [{"user_id": 1, "items": [{"product_id": a, "quantity": 1}]}, {"user_id": 2, "items": [{"product_id": a, "quantity": 1}]}]})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["created"], 2);
    let ids: Vec<i64> = body["order_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert!(ids[0] < ids[1]);
    let (status, body) = app.post("/api/orders/bulk", json!({"orders": [{"user_id": 1, "items": [{"product_id": a, "quantity": 1}]}, {"user_id": 2, "items": [{"product_id": a, "quantity": 1}]}]})).await;
    assert_eq!(status, 400, "only one left: {body}");
    let (_, pa) = app.get_json(&format!("/api/products/{a}/")).await;
    assert_eq!(pa["stock"], 1);
    let many: Vec<Value> = (0..1001)
        .map(|_| json!({"user_id": 1, "items": [{"product_id": a, "quantity": 1}]}))
        .collect();
    let (status, body) = app.post("/api/orders/bulk", json!({"orders": many})).await;
    assert_eq!(
        (status, body),
        (400, json!({"orders": ["한 번에 최대 1000개까지 생성 가능합니다."]}))
    );
    let (status, body) = app.post("/api/orders/bulk", json!({"orders": []})).await;
    assert_eq!((status, body), (201, json!({"created": 0, "order_ids": []})));
    // Status changes
    let id = order["id"].as_i64().unwrap();
    let (status, body) = app
        .send(
            reqwest::Method::PATCH,
            &format!("/api/orders/{id}/"),
            json!({"status": "shipped"}),
        )
        .await;
    assert_eq!((status, &body["status"]), (200, &json!("shipped")));
    let (status, body) = app
        .send(
            reqwest::Method::PATCH,
            &format!("/api/orders/{id}/"),
            json!({"status": "bogus"}),
        )
        .await;
    assert_eq!(
        (status, body),
        (400, json!({"status": ["\"bogus\" is not a valid choice."]}))
    );
    let (status, _) = app
        .send(
            reqwest::Method::PATCH,
            "/api/orders/999999/",
            json!({"status": "shipped"}),
        )
        .await;
    assert_eq!(status, 404);
}

/// Sold + remaining = initial stock, and stock never below zero, under concurrent orders,
/// bulk orders and reservations of both lock types on one scarce product.
#[tokio::test]
async fn concurrent_orders_and_reservations_never_lose_an_update() {
    let app = Arc::new(spawn_with(true, None).await);
    let initial = 60;
    let id = app.product("scarce", initial).await;
    let mut tasks = Vec::new();
    for i in 0..120usize {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let quantity = (i % 3 + 1) as i64;
            let (status, body) = match i % 4 {
                0 => {
                    app.post(
                        "/api/orders/",
                        json!({"user_id": i, "items": [{"product_id": id, "quantity": quantity}]}),
                    )
                    .await
                }
                1 => {
                    app.post(
                        "/api/inventory/reserve?lock_type=optimistic",
                        json!({"product_id": id, "quantity": quantity}),
                    )
                    .await
                }
                2 => {
                    app.post(
                        "/api/inventory/reserve?lock_type=pessimistic",
                        json!({"product_id": id, "quantity": quantity}),
                    )
                    .await
                }
                _ => {
                    app.post(
                        "/api/orders/bulk",
                        json!({"orders": [{"user_id": i, "items": [{"product_id": id, "quantity": quantity}]}]}),
                    )
                    .await
                }
            };
            match status {
                200 | 201 => quantity,
                400 => {
                    assert_eq!(body["error"], "재고 부족", "{body}");
                    0
                }
                // optimistic retries exhausted: nothing taken
                409 => 0,
                other => panic!("unexpected {other}: {body}"),
            }
        }));
    }
    let mut sold = 0;
    for t in tasks {
        sold += t.await.expect("task");
    }
    let (_, product) = app.get_json(&format!("/api/products/{id}/")).await;
    let remaining = product["stock"].as_i64().unwrap();
    assert!(remaining >= 0);
    assert_eq!(sold + remaining, initial, "sold {sold}, remaining {remaining}");
    assert!(sold > 0);
    let ordered = sqlx::query_scalar::<_, i64>("SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM shop_orderitem")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert!(ordered <= sold, "order items only for successful orders");
}

#[tokio::test]
async fn reserve_locks_decrement_and_refuse_overdraw() {
    let app = spawn_with(true, None).await;
    let id = app.product("R", 10).await;
    for lock in ["optimistic", "pessimistic"] {
        let (status, body) = app
            .post(
                &format!("/api/inventory/reserve?lock_type={lock}"),
                json!({"product_id": id, "quantity": 3}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["reserved"], 3);
    }
    let (_, body) = app
        .post("/api/inventory/reserve", json!({"product_id": id, "quantity": 3}))
        .await;
    assert_eq!(body["remaining_stock"], 1);
    let (status, body) = app
        .post(
            "/api/inventory/reserve?lock_type=pessimistic",
            json!({"product_id": id, "quantity": 2}),
        )
        .await;
    assert_eq!((status, body), (400, json!({"error": "재고 부족"})));
    let (status, body) = app
        .post(
            "/api/inventory/reserve?lock_type=sideways",
            json!({"product_id": id, "quantity": 1}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body.get("lock_type").is_some());
}

#[tokio::test]
async fn reviews_are_created_listed_and_invalidate_the_product() {
    let app = spawn_with(true, None).await;
    let id = app.product("Reviewed", 1).await;
    let (_, before) = app.get_json(&format!("/api/products/{id}/")).await;
    assert_eq!(before["review_count"], 0);
    assert!(before["average_rating"].is_null());
    let (status, review) = app
        .post(
            "/api/reviews/",
            json!({"product": id, "user_id": 100, "rating": 5, "body": "Great product!"}),
        )
        .await;
    assert_eq!(status, 201, "{review}");
    assert_eq!(
        review.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "product", "user_id", "rating", "body", "created_at"]
    );
    app.post(
        "/api/reviews/",
        json!({"product": id, "user_id": 101, "rating": 2, "body": "meh"}),
    )
    .await;
    let (_, after) = app.get_json(&format!("/api/products/{id}/")).await;
    assert_eq!(after["review_count"], 2);
    assert_eq!(after["average_rating"], 3.5);
    let (_, listed) = app.get_json(&format!("/api/products/{id}/reviews/")).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["product_name"], "Reviewed");
    let (_, page) = app.get_json(&format!("/api/reviews/?product_id={id}")).await;
    assert_eq!(page["count"], 2);
    let (status, one) = app.get_json(&format!("/api/reviews/{}/", review["id"])).await;
    assert_eq!((status, one), (200, review));
    let (status, body) = app
        .post(
            "/api/reviews/",
            json!({"product": 99_999_999, "user_id": 1, "rating": 9, "body": " "}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["product"],
        json!(["Invalid pk \"99999999\" - object does not exist."])
    );
    assert_eq!(body["rating"], json!(["Ensure this value is less than or equal to 5."]));
    assert_eq!(body["body"], json!(["This field may not be blank."]));
    // Delete cascades; a second delete is 404
    let r = app
        .client
        .delete(format!("{}/api/products/{id}/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = app
        .client
        .delete(format!("{}/api/products/{id}/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let (status, _) = app.get_json(&format!("/api/products/{id}/")).await;
    assert_eq!(status, 404, "the cached detail went with the product");
}

#[tokio::test]
async fn top_products_follow_new_orders() {
    let app = spawn_with(true, Some(small())).await;
    let (status, top) = app.get_json("/api/stats/top-products?limit=5").await;
    assert_eq!(status, 200);
    let top = top.as_array().unwrap().clone();
    assert_eq!(top.len(), 5);
    assert!(
        top[0]["total_revenue"].is_number(),
        "revenue is a JSON number, as the original"
    );
    let best = top[0]["total_revenue"].as_f64().unwrap();
    let id = app.product("Blockbuster", 100_000).await;
    // 12.50 x 100000 outsells everything seeded
    let (status, _) = app
        .post(
            "/api/orders/",
            json!({"user_id": 1, "items": [{"product_id": id, "quantity": 100_000}]}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, top) = app.get_json("/api/stats/top-products?limit=5").await;
    assert_eq!(top[0]["product_id"], id, "the cached ranking was invalidated");
    assert!(top[0]["total_revenue"].as_f64().unwrap() > best);
    let (_, none) = app.get_json("/api/stats/top-products?limit=0").await;
    assert_eq!(none, json!([]));
    // The ranking is kept in a summary table: after orders and a deleted order it must still
    // equal the aggregation over every order item.
    let r = app
        .client
        .delete(format!("{}/api/orders/7/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    app.post(
        "/api/orders/",
        json!({"user_id": 2, "items": [{"product_id": 3, "quantity": 2}, {"product_id": 3, "quantity": 1}]}),
    )
    .await;
    let (_, ranked) = app.get_json("/api/stats/top-products?limit=1000").await;
    let rows = sqlx::query(
        "SELECT product_id, CAST(SUM(quantity) AS BIGINT) AS q, CAST(SUM(quantity * unit_cents) AS BIGINT) AS r, \
         COUNT(DISTINCT order_id) AS n FROM shop_orderitem GROUP BY product_id ORDER BY r DESC, product_id",
    )
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    assert_eq!(ranked.as_array().unwrap().len(), rows.len());
    for (got, row) in ranked.as_array().unwrap().iter().zip(&rows) {
        use sqlx::Row;
        assert_eq!(got["product_id"], row.get::<i64, _>("product_id"));
        assert_eq!(got["total_quantity"], row.get::<i64, _>("q"));
        assert_eq!(got["order_count"], row.get::<i64, _>("n"));
        assert!((got["total_revenue"].as_f64().unwrap() - row.get::<i64, _>("r") as f64 / 100.0).abs() < 1e-6);
    }
}

#[tokio::test]
async fn uploads_stream_to_disk_with_a_hash_and_leave_nothing_partial() {
    let app = spawn_with(true, None).await;
    let part = reqwest::multipart::Part::bytes(b"hello!".to_vec())
        .file_name("up.txt")
        .mime_str("text/plain")
        .unwrap();
    let r = app
        .client
        .post(format!("{}/api/uploads", app.base))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    let sha = "ce06092fb948d9ffac7d1a376e404b26b7575bcc11ee05a4615fef4fec3a308b";
    assert_eq!(
        body,
        json!({"filename": "up.txt", "size": 6, "content_type": "text/plain", "status": "uploaded", "sha256": sha})
    );
    assert_eq!(std::fs::read(app.uploads.join(sha)).unwrap(), b"hello!");
    // Over 10 MiB: 400 and no file left
    let big = reqwest::multipart::Part::bytes(vec![7u8; 10 * 1024 * 1024 + 1]).file_name("big.bin");
    let r = app
        .client
        .post(format!("{}/api/uploads", app.base))
        .multipart(reqwest::multipart::Form::new().part("file", big))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"error": "파일 크기는 10MB 이하여야 합니다."})
    );
    let left: Vec<_> = std::fs::read_dir(&app.uploads)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from(sha)], "nothing partial");
    let (status, _) = app.post("/api/uploads", json!({"file": "x"})).await;
    assert_eq!(status, 415);
    let other = reqwest::multipart::Part::text("x");
    let r = app
        .client
        .post(format!("{}/api/uploads", app.base))
        .multipart(reqwest::multipart::Form::new().part("other", other))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn export_streams_every_order_once_with_a_bom() {
    let app = spawn_with(
        true,
        Some(SeedOptions {
            products: 50,
            orders: 2500,
            reviews: 0,
            batch_size: 500,
            seed: 3,
        }),
    )
    .await;
    let (_, count) = app.get_json("/export/orders/count").await;
    assert_eq!(count["count"], 2500);
    assert!(count["estimated_size_mb"].as_f64().unwrap() > 0.0);
    let r = app.get("/export/orders?format=csv").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("orders.csv")
    );
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 BOM first");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,user_id,status,total_price,item_count,item_quantity,created_at,updated_at")
    );
    let ids: Vec<i64> = lines.map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
    assert_eq!(ids.len(), 2500, "three batches of 1000 and the rest");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 2500, "each once");
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    let r = app.get("/export/orders?format=tsv").await;
    let tsv = r.text().await.unwrap();
    assert!(tsv.lines().next().unwrap().contains("id\tuser_id"));
    let r = app.get("/export/orders?delimiter=;").await;
    assert!(r.text().await.unwrap().lines().nth(1).unwrap().contains(';'));
    // A date window: seeded orders spread over the past year
    let today = chrono::DateTime::from_timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
        0,
    )
    .unwrap();
    let since = (today - chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
    let (_, window) = app.get_json(&format!("/export/orders/count?start_date={since}")).await;
    let n = window["count"].as_i64().unwrap();
    assert!(n > 100 && n < 400, "about a twelfth of the year: {n}");
    let body = app
        .get(&format!("/export/orders?start_date={since}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(body.lines().count() as i64, n + 1);
}

#[tokio::test]
async fn export_honours_the_year_and_refuses_a_bad_one() {
    // Given seeded orders spread over the past year (so over one or two calendar years)
    let app = spawn_with(
        true,
        Some(SeedOptions {
            products: 20,
            orders: 1200,
            reviews: 0,
            batch_size: 500,
            seed: 5,
        }),
    )
    .await;
    let all = app.get("/export/orders").await.text().await.unwrap();
    let mut per_year: std::collections::BTreeMap<String, i64> = Default::default();
    for line in all.lines().skip(1) {
        let created = line.split(',').nth(6).unwrap();
        *per_year.entry(created[..4].to_owned()).or_default() += 1;
    }
    assert_eq!(per_year.values().sum::<i64>(), 1200);
    // When the count and the export are asked for each year, and for a year with no orders
    for (year, n) in per_year
        .iter()
        .map(|(y, n)| (y.clone(), *n))
        .chain([("1999".to_owned(), 0)])
    {
        let (status, count) = app.get_json(&format!("/export/orders/count?year={year}")).await;
        // Then each holds that year's orders only
        assert_eq!((status, count["count"].as_i64()), (200, Some(n)), "{year}");
        let body = app
            .get(&format!("/export/orders?format=csv&year={year}"))
            .await
            .text()
            .await
            .unwrap();
        let rows: Vec<&str> = body.lines().skip(1).collect();
        assert_eq!(rows.len() as i64, n, "{year}");
        assert!(
            rows.iter().all(|r| r.split(',').nth(6).unwrap().starts_with(&year)),
            "{year}"
        );
    }
    // And a year with a date range selects the range's days in that year
    let first = per_year.keys().next().unwrap().clone();
    let (_, both) = app
        .get_json(&format!("/export/orders/count?year={first}&end_date={first}-12-31"))
        .await;
    assert_eq!(both["count"].as_i64(), Some(per_year[&first]));
    // And a year that is not one is 422, naming it
    for bad in ["abc", "2024.5", "0", "10000", "-3"] {
        let (status, body) = app.get_json(&format!("/export/orders/count?year={bad}")).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(body["year"][0].is_string(), "{bad}: {body}");
        let r = app.get(&format!("/export/orders?year={bad}")).await;
        assert_eq!(r.status(), 422, "{bad}");
    }
}

#[tokio::test]
async fn seeding_is_reproducible_and_starts_ids_at_one() {
    let a = spawn_with(false, Some(small())).await;
    let b = spawn_with(false, Some(small())).await;
    for path in [
        "/api/products/1/",
        "/api/products/150/",
        "/api/orders/1/",
        "/api/orders/600/",
    ] {
        let (sa, mut va) = a.get_json(path).await;
        let (sb, mut vb) = b.get_json(path).await;
        assert_eq!((sa, sb), (200, 200), "{path}");
        for v in [&mut va, &mut vb] {
            let o = v.as_object_mut().unwrap();
            o.remove("created_at");
            o.remove("updated_at");
        }
        assert_eq!(va, vb, "{path}");
    }
    let (status, _) = a.get_json("/api/products/151/").await;
    assert_eq!(status, 404);
    let err = seed(&a.db, &small()).await.unwrap_err();
    assert!(err.to_string().contains("fresh database"), "{err}");
    // New rows continue after the seeded ids
    let id = a.product("after seeding", 1).await;
    assert_eq!(id, 151);
}

#[tokio::test]
async fn metrics_expose_prometheus_and_a_json_summary() {
    let app = spawn_with(true, Some(small())).await;
    app.get("/api/products/1/").await;
    app.get("/api/products/1/").await;
    let res = app.get("/metrics").await;
    // Every response carries a request id
    assert_eq!(res.headers()["x-request-id"].len(), 32);
    let text = res.text().await.unwrap();
    assert!(text.contains("/api/products/{id}/"), "per route template");
    // And the database's statements are timed, by verb and table (seed 003's query histogram)
    let bucket = text
        .lines()
        .find(|l| {
            l.starts_with("exbuy_db_query_duration_seconds_count{")
                && l.contains(r#"statement="SELECT""#)
                && l.contains(r#"table="shop_product""#)
        })
        .unwrap_or_else(|| panic!("no SELECT of shop_product timed in\n{text}"));
    let count: f64 = bucket.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 1.0, "{bucket}");
    let r = app
        .client
        .get(format!("{}/metrics", app.base))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let summary: Value = r.json().await.unwrap();
    assert!(summary["cache"]["hits"].as_u64().unwrap() >= 1, "{summary}");
    assert!(
        summary["endpoints"].is_object() || summary["endpoints"].is_array(),
        "{summary}"
    );
}
