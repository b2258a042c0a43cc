//! `exbuy seed`: products, orders (with items) and reviews into an empty database, with the
//! original's distributions, ids from 1, reproducible with `--seed`, in multi-row INSERTs.

use std::time::Instant;

use anyhow::{Context, bail};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::db::{Db, Kind};
use crate::model::{CATEGORIES, now_micros};
use crate::sql::{Arg, Sql, int};

#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub products: u64,
    pub orders: u64,
    pub reviews: u64,
    pub batch_size: usize,
    pub seed: u64,
}

const ADJECTIVES: [&str; 24] = [
    "Adaptive",
    "Balanced",
    "Centralized",
    "Cloned",
    "Configurable",
    "Cross-platform",
    "Decentralized",
    "Digitized",
    "Distributed",
    "Enhanced",
    "Ergonomic",
    "Extended",
    "Fundamental",
    "Integrated",
    "Managed",
    "Multi-layered",
    "Optimized",
    "Persistent",
    "Polarized",
    "Proactive",
    "Reactive",
    "Robust",
    "Streamlined",
    "Universal",
];
const QUALIFIERS: [&str; 16] = [
    "asymmetric",
    "bifurcated",
    "context-sensitive",
    "dedicated",
    "didactic",
    "dynamic",
    "encompassing",
    "executive",
    "fresh-thinking",
    "heuristic",
    "interactive",
    "local",
    "mission-critical",
    "modular",
    "real-time",
    "zero-defect",
];
const NOUNS: [&str; 16] = [
    "algorithm",
    "architecture",
    "capability",
    "database",
    "extranet",
    "framework",
    "hierarchy",
    "initiative",
    "interface",
    "matrix",
    "migration",
    "moratorium",
    "paradigm",
    "protocol",
    "service-desk",
    "toolset",
];
/// Lorem words free of the searched terms; those are mixed in at a rate that makes each of
/// `book`, `phone`, `food`, `home` match about 2% of products, as in the original's data.
const WORDS: [&str; 40] = [
    "across",
    "agent",
    "beautiful",
    "between",
    "capital",
    "church",
    "clearly",
    "common",
    "daughter",
    "decade",
    "develop",
    "economy",
    "effort",
    "evening",
    "friend",
    "garden",
    "ground",
    "happen",
    "itself",
    "kitchen",
    "letter",
    "market",
    "method",
    "nature",
    "notice",
    "office",
    "paper",
    "people",
    "period",
    "policy",
    "quickly",
    "reason",
    "report",
    "season",
    "simple",
    "street",
    "system",
    "travel",
    "window",
    "yourself",
];
const SEARCHED: [&str; 4] = ["book", "phone", "food", "home"];

fn catch_phrase(rng: &mut StdRng) -> String {
    format!(
        "{} {} {}",
        ADJECTIVES.choose(rng).unwrap_or(&""),
        QUALIFIERS.choose(rng).unwrap_or(&""),
        NOUNS.choose(rng).unwrap_or(&"")
    )
}

/// About `max` characters of sentences, like Faker's `text(max)`.
fn text(rng: &mut StdRng, max: usize, searched: bool) -> String {
    let mut out = String::with_capacity(max);
    let mut sentence_start = true;
    let mut extra: Vec<&str> = if searched {
        SEARCHED.iter().copied().filter(|_| rng.random_bool(0.022)).collect()
    } else {
        Vec::new()
    };
    while out.len() < max.saturating_sub(12) {
        let word = extra
            .pop()
            .unwrap_or_else(|| WORDS.choose(rng).copied().unwrap_or("word"));
        if !sentence_start {
            out.push(' ');
        }
        if sentence_start {
            let mut c = word.chars();
            if let Some(first) = c.next() {
                out.extend(first.to_uppercase());
                out.push_str(c.as_str());
            }
        } else {
            out.push_str(word);
        }
        sentence_start = rng.random_bool(0.15);
        if sentence_start {
            out.push('.');
        }
    }
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// Rows per INSERT: the batch size, within the databases' bound-parameter limits.
fn rows_per_insert(batch: usize, columns: usize) -> usize {
    batch.clamp(1, 30_000 / columns)
}

async fn insert_rows(db: &Db, head: &str, columns: usize, rows: &[Vec<Arg>]) -> anyhow::Result<()> {
    let mut sql = Sql::new(head).plain_placeholders_for(db.kind);
    for (i, row) in rows.iter().enumerate() {
        debug_assert_eq!(row.len(), columns);
        sql.push(if i == 0 { "(" } else { ", (" });
        for (j, arg) in row.iter().enumerate() {
            if j > 0 {
                sql.push(", ");
            }
            sql.bind(arg.clone());
        }
        sql.push(")");
    }
    sql.execute(&db.write).await?;
    Ok(())
}

pub async fn seed(db: &Db, options: &SeedOptions) -> anyhow::Result<()> {
    for table in ["shop_product", "shop_order", "shop_orderitem", "shop_review"] {
        let n = int(
            &Sql::new(&format!("SELECT COUNT(*) AS n FROM {table}"))
                .fetch_one(&db.read)
                .await?,
            "n",
        )?;
        if n > 0 {
            bail!("{table} already holds {n} rows: seed into a fresh database (ids must start at 1)");
        }
    }
    if options.products == 0 && (options.orders > 0 || options.reviews > 0) {
        bail!("orders and reviews need at least one product");
    }
    let mut rng = StdRng::seed_from_u64(options.seed);
    let now = now_micros();
    let started = Instant::now();

    // Products: created a microsecond apart, so "newest first" is a total order.
    let mut prices = Vec::with_capacity(options.products as usize);
    let per = rows_per_insert(options.batch_size, 8);
    let mut rows = Vec::with_capacity(per);
    for id in 1..=options.products as i64 {
        let price = rng.random_range(1000..=100_000i64);
        prices.push(price);
        let created = now - (options.products as i64 - id);
        rows.push(vec![
            Arg::Int(id),
            Arg::Text(catch_phrase(&mut rng)),
            Arg::Int(price),
            Arg::Int(rng.random_range(0..=1000)),
            Arg::Text(CATEGORIES.choose(&mut rng).unwrap_or(&"books").to_string()),
            Arg::Text(text(&mut rng, 200, true)),
            Arg::Int(created),
            Arg::Int(created),
        ]);
        if rows.len() == per {
            insert_rows(db, "INSERT INTO shop_product (id, name, price_cents, stock, category, description, updated_at, created_at) VALUES ", 8, &rows).await?;
            rows.clear();
        }
    }
    if !rows.is_empty() {
        insert_rows(db, "INSERT INTO shop_product (id, name, price_cents, stock, category, description, updated_at, created_at) VALUES ", 8, &rows).await?;
    }
    let products_done = started.elapsed();

    // Orders over the past year, oldest first; 1–5 items each; seeding takes no stock (as the
    // original).
    let year = 365 * 24 * 3600 * 1_000_000i64;
    let per_order = rows_per_insert(options.batch_size, 6);
    let per_item = rows_per_insert(options.batch_size * 3, 5);
    let mut orders = Vec::with_capacity(per_order);
    let mut items = Vec::with_capacity(per_item);
    let mut item_id = 0i64;
    for id in 1..=options.orders as i64 {
        let created = now - year + year * id / (options.orders as i64 + 1);
        let mut total = 0;
        for _ in 0..rng.random_range(1..=5) {
            let product = rng.random_range(1..=options.products as i64);
            let quantity = rng.random_range(1..=10i64);
            let unit = prices[(product - 1) as usize];
            total += unit * quantity;
            item_id += 1;
            items.push(vec![
                Arg::Int(item_id),
                Arg::Int(id),
                Arg::Int(product),
                Arg::Int(quantity),
                Arg::Int(unit),
            ]);
        }
        let status = ["pending", "processing", "shipped", "delivered"][rng.random_range(0..4)];
        orders.push(vec![
            Arg::Int(id),
            Arg::Int(rng.random_range(1..=10_000)),
            Arg::Text(status.into()),
            Arg::Int(total),
            Arg::Int(created),
            Arg::Int(created),
        ]);
        if orders.len() >= per_order || id == options.orders as i64 {
            insert_rows(
                db,
                "INSERT INTO shop_order (id, user_id, status, total_cents, created_at, updated_at) VALUES ",
                6,
                &orders,
            )
            .await?;
            orders.clear();
            for chunk in items.chunks(per_item) {
                insert_rows(
                    db,
                    "INSERT INTO shop_orderitem (id, order_id, product_id, quantity, unit_cents) VALUES ",
                    5,
                    chunk,
                )
                .await?;
            }
            items.clear();
        }
    }
    let orders_done = started.elapsed();

    let per = rows_per_insert(options.batch_size, 6);
    let mut rows = Vec::with_capacity(per);
    for id in 1..=options.reviews as i64 {
        rows.push(vec![
            Arg::Int(id),
            Arg::Int(rng.random_range(1..=options.products as i64)),
            Arg::Int(rng.random_range(1..=10_000)),
            Arg::Int(rng.random_range(1..=5)),
            Arg::Text(text(&mut rng, 200, false)),
            Arg::Int(now - (options.reviews as i64 - id)),
        ]);
        if rows.len() == per || id == options.reviews as i64 {
            insert_rows(
                db,
                "INSERT INTO shop_review (id, product_id, user_id, rating, body, created_at) VALUES ",
                6,
                &rows,
            )
            .await?;
            rows.clear();
        }
    }
    db.rebuild_sales_if_empty().await.context("summarising sales")?;
    if db.kind == Kind::Postgres {
        // Explicit ids leave the identity sequences behind: new rows continue after the seeded ones.
        for table in ["shop_product", "shop_order", "shop_orderitem", "shop_review"] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
            )))
            .execute(&db.write)
            .await
            .with_context(|| format!("moving {table}'s id sequence"))?;
        }
        sqlx::raw_sql("ANALYZE").execute(&db.write).await?;
    } else {
        sqlx::raw_sql("ANALYZE").execute(&db.write).await?;
    }
    let total = started.elapsed();
    println!(
        "seeded {} products ({:.1} s), {} orders with {item_id} items ({:.1} s), {} reviews ({:.1} s): {:.1} s in all",
        options.products,
        products_done.as_secs_f64(),
        options.orders,
        (orders_done - products_done).as_secs_f64(),
        options.reviews,
        (total - orders_done).as_secs_f64(),
        total.as_secs_f64()
    );
    Ok(())
}
