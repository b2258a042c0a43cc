//! ExBuy scenarios mirroring the original's k6 scripts (`read-heavy.js`, `write-heavy.js`,
//! `mixed.js`): the same request mix, names (their `name` tags), ids (products 1–100, orders
//! 1–500), think time, and checks: a response counts as failed exactly when the k6 check fails.

use std::sync::atomic::Ordering;

use futures::future::BoxFuture;
use goose::prelude::*;
use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

use crate::cli::ScenarioKind;
use crate::scenarios::PROGRESS;
use crate::timeline::TIMELINE;

/// The goose scenario for one of the ExBuy kinds.
pub fn scenario(kind: ScenarioKind) -> anyhow::Result<Scenario> {
    let (name, think_ms, iteration): (&str, u64, Iteration) = match kind {
        ScenarioKind::ReadHeavy => ("read_heavy", 100, read_heavy),
        ScenarioKind::WriteHeavy => ("write_heavy", 200, write_heavy),
        _ => ("mixed", 150, mixed),
    };
    let think = std::time::Duration::from_millis(think_ms);
    Ok(Scenario::new(name)
        .register_transaction(Transaction::new(std::sync::Arc::new(iteration)).set_name(name))
        .set_wait_time(think, think)?)
}

type Iteration = for<'r> fn(&'r mut GooseUser) -> BoxFuture<'r, TransactionResult>;

#[derive(Clone, Copy)]
enum Step {
    Health,
    ProductList {
        pages: u32,
        optimize: f64,
        name: &'static str,
    },
    ProductDetail {
        optimize: f64,
        name: &'static str,
    },
    Search {
        queries: &'static [&'static str],
        category: f64,
    },
    Reviews {
        optimize: f64,
    },
    OrderDetail {
        optimize: f64,
    },
    Stats {
        limits: &'static [u32],
        name: &'static str,
    },
    CreateOrder {
        max_items: u32,
        accept_400: bool,
    },
    /// The BI count behind an export (seed 004), for the seeds' "BI query" gate.
    ExportCount,
    CreateReview,
    Reserve,
    UpdateOrderStatus,
}

const MIXED_QUERIES: &[&str] = &["book", "phone", "shirt", "laptop", "food", "home", "electronics"];
const READ_QUERIES: &[&str] = &["book", "phone", "shirt", "food", "home"];
const CATEGORIES: &[&str] = &["electronics", "clothing", "food", "books", "home"];

fn read_heavy(user: &mut GooseUser) -> BoxFuture<'_, TransactionResult> {
    const STEPS: &[Step] = &[
        Step::Health,
        Step::ProductList {
            pages: 1,
            optimize: 0.0,
            name: "product-list",
        },
        Step::ProductDetail {
            optimize: 0.0,
            name: "product-detail",
        },
        Step::Search {
            queries: READ_QUERIES,
            category: 0.0,
        },
        Step::ProductList {
            pages: 1,
            optimize: 1.0,
            name: "product-list-optimized",
        },
        Step::ProductDetail {
            optimize: 1.0,
            name: "product-detail-optimized",
        },
        Step::Reviews { optimize: 0.0 },
        Step::Stats {
            limits: &[10],
            name: "stats",
        },
    ];
    Box::pin(async move { run(user, pick(STEPS)).await })
}

fn write_heavy(user: &mut GooseUser) -> BoxFuture<'_, TransactionResult> {
    const WRITES: &[Step] = &[
        Step::CreateOrder {
            max_items: 2,
            accept_400: false,
        },
        Step::CreateReview,
        Step::Reserve,
        Step::UpdateOrderStatus,
    ];
    const READS: &[Step] = &[
        Step::ProductList {
            pages: 1,
            optimize: 0.0,
            name: "product-list",
        },
        Step::OrderDetail { optimize: 0.0 },
    ];
    Box::pin(async move {
        let writes = rand::rng().random_bool(0.7);
        run(user, pick(if writes { WRITES } else { READS })).await
    })
}

fn mixed(user: &mut GooseUser) -> BoxFuture<'_, TransactionResult> {
    const READS: &[Step] = &[
        Step::Health,
        Step::ProductList {
            pages: 3,
            optimize: 0.5,
            name: "product-list",
        },
        Step::ProductDetail {
            optimize: 0.5,
            name: "product-detail",
        },
        Step::Search {
            queries: MIXED_QUERIES,
            category: 0.5,
        },
        Step::Reviews { optimize: 0.3 },
        Step::OrderDetail { optimize: 0.5 },
        Step::Stats {
            limits: &[5, 10, 20],
            name: "stats-top-products",
        },
        Step::ExportCount,
    ];
    const WRITES: &[Step] = &[
        Step::CreateOrder {
            max_items: 3,
            accept_400: true,
        },
        Step::CreateReview,
        Step::Reserve,
        Step::UpdateOrderStatus,
    ];
    Box::pin(async move {
        let reads = rand::rng().random_bool(0.6);
        run(user, pick(if reads { READS } else { WRITES })).await
    })
}

fn pick(steps: &[Step]) -> Step {
    *steps.choose(&mut rand::rng()).expect("steps")
}

/// The request of one step and the statuses its k6 check accepts.
fn request(step: Step) -> (GooseMethod, String, &'static str, Option<Value>, &'static [u16]) {
    let mut rng = rand::rng();
    let mut opt = |p: f64, first: char| {
        if p > 0.0 && rng.random_bool(p) {
            format!("{first}optimize=true")
        } else {
            String::new()
        }
    };
    let product = || rand::rng().random_range(1..=100);
    let order = || rand::rng().random_range(1..=500);
    match step {
        Step::Health => (GooseMethod::Get, "/api/health".into(), "health-check", None, &[200]),
        Step::ProductList { pages, optimize, name } => {
            let page = rand::rng().random_range(1..=pages);
            (
                GooseMethod::Get,
                format!("/api/products/?page={page}{}", opt(optimize, '&')),
                name,
                None,
                &[200],
            )
        }
        Step::ProductDetail { optimize, name } => (
            GooseMethod::Get,
            format!("/api/products/{}/{}", product(), opt(optimize, '?')),
            name,
            None,
            &[200],
        ),
        Step::Search { queries, category } => {
            let q = queries.choose(&mut rand::rng()).expect("queries");
            let c = if category > 0.0 && rand::rng().random_bool(category) {
                format!("&category={}", CATEGORIES.choose(&mut rand::rng()).expect("categories"))
            } else {
                String::new()
            };
            (
                GooseMethod::Get,
                format!("/api/search/products?q={q}{c}"),
                "product-search",
                None,
                &[200],
            )
        }
        Step::Reviews { optimize } => (
            GooseMethod::Get,
            format!("/api/reviews/?product_id={}{}", product(), opt(optimize, '&')),
            "reviews",
            None,
            &[200],
        ),
        Step::OrderDetail { optimize } => (
            GooseMethod::Get,
            format!("/api/orders/{}/{}", order(), opt(optimize, '?')),
            "order-detail",
            None,
            &[200, 404],
        ),
        Step::Stats { limits, name } => {
            let limit = limits.choose(&mut rand::rng()).expect("limits");
            (
                GooseMethod::Get,
                format!("/api/stats/top-products?limit={limit}"),
                name,
                None,
                &[200],
            )
        }
        Step::CreateOrder { max_items, accept_400 } => {
            let items: Vec<Value> = (0..rand::rng().random_range(1..=max_items))
                .map(|_| json!({"product_id": product(), "quantity": rand::rng().random_range(1..=5)}))
                .collect();
            let body = json!({"user_id": rand::rng().random_range(1..=10_000), "items": items});
            let accept: &[u16] = if accept_400 { &[201, 400] } else { &[201] };
            (
                GooseMethod::Post,
                "/api/orders/".into(),
                "create-order",
                Some(body),
                accept,
            )
        }
        Step::ExportCount => {
            let year = rand::rng().random_range(2023..=2026);
            (
                GooseMethod::Get,
                format!("/export/orders/count?year={year}"),
                "export-count",
                None,
                &[200],
            )
        }
        Step::CreateReview => {
            let body = json!({
                "product": product(),
                "user_id": rand::rng().random_range(1..=10_000),
                "rating": rand::rng().random_range(1..=5),
                "body": "Test review from the meetifyr-load ExBuy scenario. This product is great!",
            });
            (
                GooseMethod::Post,
                "/api/reviews/".into(),
                "create-review",
                Some(body),
                &[201],
            )
        }
        Step::Reserve => {
            let lock = if rand::rng().random_bool(0.5) {
                "optimistic"
            } else {
                "pessimistic"
            };
            let body = json!({"product_id": product(), "quantity": rand::rng().random_range(1..=5)});
            let name = if lock == "optimistic" {
                "reserve-inventory-optimistic"
            } else {
                "reserve-inventory-pessimistic"
            };
            (
                GooseMethod::Post,
                format!("/api/inventory/reserve?lock_type={lock}"),
                name,
                Some(body),
                &[200, 400],
            )
        }
        Step::UpdateOrderStatus => {
            let status = ["processing", "shipped", "delivered"]
                .choose(&mut rand::rng())
                .expect("statuses");
            let body = json!({"status": status});
            (
                GooseMethod::Patch,
                format!("/api/orders/{}/", order()),
                "update-order-status",
                Some(body),
                &[200, 404],
            )
        }
    }
}

async fn run(user: &mut GooseUser, step: Step) -> TransactionResult {
    let (method, path, name, body, accept) = request(step);
    let mut builder = user.get_request_builder(&method, &path)?;
    if let Some(body) = body {
        builder = builder.json(&body);
    }
    let request = GooseRequest::builder()
        .method(method)
        .path(path.as_str())
        .name(name)
        .set_request_builder(builder)
        .build();
    let mut goose = user.request(request).await?;
    PROGRESS.requests.fetch_add(1, Ordering::Relaxed);
    let status = goose.response.as_ref().ok().map(|r| r.status().as_u16());
    match status {
        Some(s) if accept.contains(&s) => {
            TIMELINE.record(&goose.request, None);
            user.set_success(&mut goose.request)
        }
        _ => {
            PROGRESS.failures.fetch_add(1, Ordering::Relaxed);
            let detail = match goose.response {
                Ok(answer) => answer.text().await.unwrap_or_default(),
                Err(error) => error.to_string(),
            };
            TIMELINE.record(&goose.request, Some(&detail));
            let tag = format!(
                "{name}: check failed (HTTP {})",
                status.map_or("error".into(), |s| s.to_string())
            );
            user.set_failure(&tag, &mut goose.request, None, None)
        }
    }
}
