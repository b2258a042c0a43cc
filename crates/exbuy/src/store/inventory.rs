//! Stock reservations under a pessimistic or an optimistic lock.

use std::time::Duration;

use super::{StoreError, StoreResult};
use crate::db::Db;
use crate::model::now_micros;
use crate::sql::{Arg, Sql, int};

pub const OPTIMISTIC_ATTEMPTS: u32 = 8;

/// Locks the row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's immediate transaction holds the
/// database's write lock), checks, decrements; returns the stock left.
pub async fn reserve_pessimistic(db: &Db, product_id: i64, quantity: i64) -> StoreResult<i64> {
    let mut tx = db.begin_write().await?;
    let mut sql = Sql::new(&format!(
        "SELECT stock FROM shop_product WHERE id = $1{}",
        db.for_update()
    ));
    sql.args.push(Arg::Int(product_id));
    let stock = match sql.fetch_optional(&mut *tx).await? {
        Some(row) => int(&row, "stock")?,
        None => return Err(StoreError::UnknownProduct(product_id)),
    };
    if stock < quantity {
        return Err(StoreError::InsufficientStock);
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

/// Reads stock and version without a lock, then updates only if the version is unchanged;
/// a lost race re-reads and retries, up to `OPTIMISTIC_ATTEMPTS` times.
pub async fn reserve_optimistic(db: &Db, product_id: i64, quantity: i64) -> StoreResult<i64> {
    for attempt in 0..OPTIMISTIC_ATTEMPTS {
        let mut read = Sql::new("SELECT stock, version FROM shop_product WHERE id = $1");
        read.args.push(Arg::Int(product_id));
        let Some(row) = read.fetch_optional(&db.read).await? else {
            return Err(StoreError::UnknownProduct(product_id));
        };
        let (stock, version) = (int(&row, "stock")?, int(&row, "version")?);
        if stock < quantity {
            return Err(StoreError::InsufficientStock);
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
    Err(StoreError::TooManyConflicts)
}
