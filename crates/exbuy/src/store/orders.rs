//! Orders: placing one or many (stock taken and sales recorded in the same transaction), the
//! detail (with and without the N+1), the list, status changes and deletion.

use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::any::AnyRow;

use super::{StoreError, StoreResult, page_clause};
use crate::db::{Db, Kind};
use crate::model::{Money, NewItem, NewOrder, OrderDetail, OrderItem, OrderSummary, Status, Time, now_micros};
use crate::sql::{Arg, Sql, int, text};

const COLUMNS: &str = "id, user_id, status, total_cents, created_at, updated_at";

fn summary(row: &AnyRow) -> sqlx::Result<OrderSummary> {
    Ok(OrderSummary {
        id: int(row, "id")?,
        user_id: int(row, "user_id")?,
        status: text(row, "status")?,
        total_price: Money(int(row, "total_cents")?),
        created_at: Time(int(row, "created_at")?),
        updated_at: Time(int(row, "updated_at")?),
    })
}

/// Loads the named products' prices; the first unknown id is an error.
async fn prices(conn: &mut sqlx::AnyConnection, kind: Kind, ids: &[i64]) -> StoreResult<HashMap<i64, i64>> {
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
            found.insert(int(&row, "id")?, int(&row, "price_cents")?);
        }
    }
    if let Some(missing) = ids.iter().find(|id| !found.contains_key(id)) {
        return Err(StoreError::UnknownProduct(*missing));
    }
    Ok(found)
}

/// Takes `quantity` off each product's stock, or fails if any would go below zero: one guarded
/// `stock = stock - q WHERE stock >= q` per product, in id order (no lock-order deadlocks
/// between concurrent orders on PostgreSQL).
async fn take_stock(conn: &mut sqlx::AnyConnection, wanted: &BTreeMap<i64, i64>) -> StoreResult<()> {
    for (&product_id, &quantity) in wanted {
        let mut sql =
            Sql::new("UPDATE shop_product SET stock = stock - $1, version = version + 1 WHERE id = $2 AND stock >= $1");
        sql.args.extend([Arg::Int(quantity), Arg::Int(product_id)]);
        if sql.execute(&mut *conn).await? == 0 {
            return Err(StoreError::OutOfStock(product_id));
        }
    }
    Ok(())
}

/// Inserts orders and their items in the open transaction; returns the order ids in order.
async fn insert(
    conn: &mut sqlx::AnyConnection,
    kind: Kind,
    orders: &[NewOrder],
    prices: &HashMap<i64, i64>,
) -> StoreResult<Vec<i64>> {
    let now = now_micros();
    let mut ids = Vec::with_capacity(orders.len());
    for chunk in orders.chunks(500) {
        let mut sql = Sql::new("INSERT INTO shop_order (user_id, status, total_cents, created_at, updated_at) VALUES ")
            .plain_placeholders_for(kind);
        for (i, order) in chunk.iter().enumerate() {
            let total: i64 = order.items.iter().map(|it| it.quantity * prices[&it.product_id]).sum();
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
                .bind(Arg::Int(prices[&item.product_id]))
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
    prices: &HashMap<i64, i64>,
) -> StoreResult<()> {
    // product → (quantity, revenue, orders containing it)
    let mut sales: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
    for order in orders {
        let mut seen = HashSet::new();
        for item in &order.items {
            let entry = sales.entry(item.product_id).or_default();
            entry.0 += item.quantity;
            entry.1 += item.quantity * prices[&item.product_id];
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

/// Places the orders all or nothing: prices read, stock taken, orders, items and sales written
/// in one transaction. Returns the new ids in request order and the products touched.
pub async fn place(db: &Db, orders: &[NewOrder]) -> StoreResult<(Vec<i64>, Vec<i64>)> {
    let mut wanted: BTreeMap<i64, i64> = BTreeMap::new();
    for item in orders.iter().flat_map(|o| &o.items) {
        *wanted.entry(item.product_id).or_default() += item.quantity;
    }
    let products: Vec<i64> = wanted.keys().copied().collect();
    let mut tx = db.begin_write().await?;
    let result = async {
        let prices = prices(&mut tx, db.kind, &products).await?;
        take_stock(&mut tx, &wanted).await?;
        let ids = insert(&mut tx, db.kind, orders, &prices).await?;
        record_sales(&mut tx, orders, &prices).await?;
        Ok(ids)
    }
    .await;
    match result {
        Ok(ids) => {
            tx.commit().await?;
            Ok((ids, products))
        }
        Err(e) => {
            tx.rollback().await.ok();
            Err(e)
        }
    }
}

/// The order with its items and the queries it took. With `optimize`: the order, then its
/// items joined to product names (2 queries). Without: one more query per item for its
/// product's name.
pub async fn detail(db: &Db, id: i64, optimize: bool) -> StoreResult<Option<(OrderDetail, u32)>> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM shop_order WHERE id = $1"));
    sql.args.push(Arg::Int(id));
    let Some(order) = sql.fetch_optional(&db.read).await? else {
        return Ok(None);
    };
    let mut queries = 2;
    let item = |row: &AnyRow, product_name: String| -> sqlx::Result<OrderItem> {
        let (quantity, unit) = (int(row, "quantity")?, int(row, "unit_cents")?);
        Ok(OrderItem {
            id: int(row, "id")?,
            product: int(row, "product_id")?,
            product_name,
            quantity,
            unit_price: Money(unit),
            subtotal: Money(quantity * unit),
        })
    };
    let mut items = Vec::new();
    if optimize {
        let mut sql = Sql::new(
            "SELECT i.id, i.product_id, i.quantity, i.unit_cents, p.name FROM shop_orderitem i \
             JOIN shop_product p ON p.id = i.product_id WHERE i.order_id = $1 ORDER BY i.id",
        );
        sql.args.push(Arg::Int(id));
        for row in sql.fetch_all(&db.read).await? {
            items.push(item(&row, text(&row, "name")?)?);
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
            items.push(item(&row, name)?);
        }
    }
    Ok(Some((OrderDetail::new(summary(&order)?, items), queries)))
}

/// Whether an order with that id was there to update.
pub async fn set_status(db: &Db, id: i64, status: Status) -> StoreResult<bool> {
    let mut sql = Sql::new("UPDATE shop_order SET status = $1, updated_at = $2 WHERE id = $3");
    sql.args.extend([
        Arg::Text(status.as_str().to_owned()),
        Arg::Int(now_micros()),
        Arg::Int(id),
    ]);
    Ok(sql.execute(&db.write).await? > 0)
}

/// Deletes the order and takes its items out of the sales; `None` if there was no such order,
/// else the products it held.
pub async fn delete(db: &Db, id: i64) -> StoreResult<Option<Vec<i64>>> {
    let mut tx = db.begin_write().await?;
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
    Ok((deleted > 0).then_some(touched))
}

pub async fn count(db: &Db) -> StoreResult<i64> {
    let row = Sql::new("SELECT COUNT(*) AS n FROM shop_order")
        .fetch_one(&db.read)
        .await?;
    Ok(int(&row, "n")?)
}

/// One page (1-based), newest first.
pub async fn page(db: &Db, page: i64) -> StoreResult<Vec<OrderSummary>> {
    let sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM shop_order ORDER BY created_at DESC, id DESC{}",
        page_clause(page)
    ));
    let rows = sql.fetch_all(&db.read).await?;
    Ok(rows.iter().map(summary).collect::<sqlx::Result<_>>()?)
}
