//! The export's reads: a count, and batches of orders with their item totals by keyset.

use super::StoreResult;
use crate::db::Db;
use crate::sql::{Arg, Sql, int, text};

/// Orders created in `[start, end)` (microseconds; either side open).
#[derive(Debug, Default, Clone, Copy)]
pub struct Window {
    pub start: Option<i64>,
    pub end: Option<i64>,
}

/// One exported order.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: i64,
    pub user_id: i64,
    pub status: String,
    pub total_cents: i64,
    pub item_count: i64,
    pub item_quantity: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

fn filtered(sql: &mut Sql, window: Window) {
    if let Some(start) = window.start {
        sql.push(" AND o.created_at >= ").bind(Arg::Int(start));
    }
    if let Some(end) = window.end {
        sql.push(" AND o.created_at < ").bind(Arg::Int(end));
    }
}

pub async fn count(db: &Db, window: Window) -> StoreResult<i64> {
    let mut sql = Sql::new("SELECT COUNT(*) AS n FROM shop_order o WHERE 1=1");
    filtered(&mut sql, window);
    Ok(int(&sql.fetch_one(&db.read).await?, "n")?)
}

/// Up to `limit` orders with ids above `after`, in id order: the batch's orders first (keyset),
/// then their items counted in one join.
pub async fn batch(db: &Db, window: Window, after: i64, limit: i64) -> StoreResult<Vec<Row>> {
    let mut sql = Sql::new(
        "SELECT o.id, o.user_id, o.status, o.total_cents, o.created_at, o.updated_at, \
         COUNT(i.id) AS item_count, CAST(COALESCE(SUM(i.quantity), 0) AS BIGINT) AS item_quantity \
         FROM (SELECT * FROM shop_order o WHERE o.id > ",
    );
    sql.bind(Arg::Int(after));
    filtered(&mut sql, window);
    sql.push(&format!(
        " ORDER BY o.id LIMIT {limit}) o LEFT JOIN shop_orderitem i ON i.order_id = o.id \
         GROUP BY o.id, o.user_id, o.status, o.total_cents, o.created_at, o.updated_at ORDER BY o.id"
    ));
    let rows = sql.fetch_all(&db.read).await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(Row {
                id: int(row, "id")?,
                user_id: int(row, "user_id")?,
                status: text(row, "status")?,
                total_cents: int(row, "total_cents")?,
                item_count: int(row, "item_count")?,
                item_quantity: int(row, "item_quantity")?,
                created_at: int(row, "created_at")?,
                updated_at: int(row, "updated_at")?,
            })
        })
        .collect::<sqlx::Result<_>>()?)
}
