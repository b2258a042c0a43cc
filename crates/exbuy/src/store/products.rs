//! Products: the list with its filters, search, detail (with and without the N+1), creation and
//! deletion.

use sqlx::any::AnyRow;

use super::{StoreResult, page_clause};
use crate::db::Db;
use crate::model::{Money, NewProduct, ProductDetail, ProductSummary, Time};
use crate::sql::{Arg, Sql, int, text};

const LIST_COLUMNS: &str = "id, name, price_cents, stock, category, updated_at";

/// Which products a list or search shows.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub category: Option<String>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    /// A substring of the name or description.
    pub text: Option<String>,
    /// Search only: products with stock left.
    pub in_stock: bool,
}

/// A column to order the list by, checked by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderBy {
    Default,
    Column(&'static str, bool),
}

impl OrderBy {
    /// The API's field name (optionally `-` for descending) as a column; `None` if unknown.
    pub fn parse(ordering: &str) -> Option<Self> {
        let (field, desc) = match ordering.strip_prefix('-') {
            Some(f) => (f, true),
            None => (ordering, false),
        };
        let column = match field {
            "id" => "id",
            "name" => "name",
            "stock" => "stock",
            "category" => "category",
            "description" => "description",
            "updated_at" => "updated_at",
            "created_at" => "created_at",
            "price" => "price_cents",
            _ => return None,
        };
        Some(OrderBy::Column(column, desc))
    }

    fn sql(self) -> String {
        match self {
            OrderBy::Default => "created_at DESC, id DESC".into(),
            OrderBy::Column(column, desc) => {
                let dir = if desc { "DESC" } else { "ASC" };
                format!("{column} {dir}, id {dir}")
            }
        }
    }
}

fn summary(row: &AnyRow) -> sqlx::Result<ProductSummary> {
    Ok(ProductSummary {
        id: int(row, "id")?,
        name: text(row, "name")?,
        price: Money(int(row, "price_cents")?),
        stock: int(row, "stock")?,
        category: text(row, "category")?,
        updated_at: Time(int(row, "updated_at")?),
    })
}

fn filtered(db: &Db, sql: &mut Sql, filter: &Filter) {
    let like = db.ilike();
    sql.push(" WHERE 1=1");
    if let Some(category) = &filter.category {
        sql.push(" AND category = ").bind(Arg::Text(category.clone()));
    }
    if let Some(min) = filter.min_price {
        sql.push(" AND price_cents >= ").bind(Arg::Int(min));
    }
    if let Some(max) = filter.max_price {
        sql.push(" AND price_cents <= ").bind(Arg::Int(max));
    }
    if let Some(q) = filter.text.as_deref().filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        sql.push(&format!(" AND (name {like} "))
            .bind(Arg::Text(pattern.clone()))
            .push(&format!(" ESCAPE '\\' OR description {like} "))
            .bind(Arg::Text(pattern))
            .push(" ESCAPE '\\')");
    }
    if filter.in_stock {
        sql.push(" AND stock > 0");
    }
}

pub async fn count(db: &Db, filter: &Filter) -> StoreResult<i64> {
    let mut sql = Sql::new("SELECT COUNT(*) AS n FROM shop_product");
    filtered(db, &mut sql, filter);
    Ok(int(&sql.fetch_one(&db.read).await?, "n")?)
}

/// One page (1-based) of the list.
pub async fn page(db: &Db, filter: &Filter, order: OrderBy, page: i64) -> StoreResult<Vec<ProductSummary>> {
    let mut sql = Sql::new(&format!("SELECT {LIST_COLUMNS} FROM shop_product"));
    filtered(db, &mut sql, filter);
    sql.push(&format!(" ORDER BY {}{}", order.sql(), page_clause(page)));
    let rows = sql.fetch_all(&db.read).await?;
    Ok(rows.iter().map(summary).collect::<sqlx::Result<_>>()?)
}

/// Every match, newest first (the search route is not paginated).
pub async fn search(db: &Db, filter: &Filter) -> StoreResult<Vec<ProductSummary>> {
    let mut sql = Sql::new(&format!("SELECT {LIST_COLUMNS} FROM shop_product"));
    filtered(db, &mut sql, filter);
    sql.push(" ORDER BY created_at DESC, id DESC");
    let rows = sql.fetch_all(&db.read).await?;
    Ok(rows.iter().map(summary).collect::<sqlx::Result<_>>()?)
}

pub async fn exists(db: &Db, id: i64) -> StoreResult<bool> {
    let mut sql = Sql::new("SELECT id FROM shop_product WHERE id = $1");
    sql.args.push(Arg::Int(id));
    Ok(sql.fetch_optional(&db.read).await?.is_some())
}

/// The detail and the number of queries it took. With `optimize`: one query (LEFT JOIN +
/// aggregate). Without: the product, its review ids, then each review's rating one query at a
/// time — the N+1 the seed warns about.
pub async fn detail(db: &Db, id: i64, optimize: bool) -> StoreResult<Option<(ProductDetail, u32)>> {
    let columns = "p.id, p.name, p.price_cents, p.stock, p.category, p.description, p.updated_at, p.created_at";
    let (row, review_count, average_rating, queries) = if optimize {
        let mut sql = Sql::new(&format!(
            "SELECT {columns}, COUNT(r.id) AS review_count, CAST(AVG(r.rating) AS DOUBLE PRECISION) AS average_rating \
             FROM shop_product p LEFT JOIN shop_review r ON r.product_id = p.id WHERE p.id = $1 GROUP BY p.id"
        ));
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
    let detail = ProductDetail {
        id: int(&row, "id")?,
        review_count,
        average_rating,
        name: text(&row, "name")?,
        price: Money(int(&row, "price_cents")?),
        stock: int(&row, "stock")?,
        category: text(&row, "category")?,
        description: text(&row, "description")?,
        updated_at: Time(int(&row, "updated_at")?),
        created_at: Time(int(&row, "created_at")?),
    };
    Ok(Some((detail, queries)))
}

pub async fn insert(db: &Db, product: &NewProduct) -> StoreResult<ProductSummary> {
    let now = crate::model::now_micros();
    let mut sql = Sql::new(
        "INSERT INTO shop_product (name, price_cents, stock, category, description, updated_at, created_at) VALUES (",
    );
    sql.bind(Arg::Text(product.name.clone()))
        .push(", ")
        .bind(Arg::Int(product.price_cents))
        .push(", ")
        .bind(Arg::Int(product.stock))
        .push(", ")
        .bind(Arg::Text(product.category.clone()))
        .push(", '', ")
        .bind(Arg::Int(now))
        .push(", ")
        .bind(Arg::Int(now))
        .push(&format!(") RETURNING {LIST_COLUMNS}"));
    let row = sql.fetch_one(&db.write).await?;
    Ok(summary(&row)?)
}

/// Whether a product was deleted (its reviews, order items and sales go with it).
pub async fn delete(db: &Db, id: i64) -> StoreResult<bool> {
    let mut tx = db.begin_write().await?;
    let mut sql = Sql::new("DELETE FROM shop_product WHERE id = $1");
    sql.args.push(Arg::Int(id));
    let deleted = sql.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(deleted > 0)
}
