//! The best sellers, read from the sales table the order writes keep in step.

use super::StoreResult;
use crate::db::Db;
use crate::model::TopProduct;
use crate::sql::{Sql, int, text};

pub async fn top_products(db: &Db, limit: i64) -> StoreResult<Vec<TopProduct>> {
    let sql = Sql::new(&format!(
        "SELECT s.product_id, p.name, s.quantity AS total_quantity, s.revenue_cents, s.order_count \
         FROM shop_product_sales s JOIN shop_product p ON p.id = s.product_id \
         WHERE s.quantity > 0 ORDER BY s.revenue_cents DESC, s.product_id LIMIT {limit}"
    ));
    let rows = sql.fetch_all(&db.read).await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(TopProduct {
                product_id: int(r, "product_id")?,
                product_name: text(r, "name")?,
                total_quantity: int(r, "total_quantity")?,
                total_revenue: int(r, "revenue_cents")? as f64 / 100.0,
                order_count: int(r, "order_count")?,
            })
        })
        .collect::<sqlx::Result<_>>()?)
}
