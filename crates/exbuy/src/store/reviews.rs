//! Reviews: of one product (with and without the N+1), the filtered list, one, and creation.

use sqlx::any::AnyRow;

use super::{StoreResult, page_clause};
use crate::db::Db;
use crate::model::{NewReview, Review, Time};
use crate::sql::{Arg, Sql, int, text};

const COLUMNS: &str = "r.id, r.product_id, r.user_id, r.rating, r.body, r.created_at";

fn review(row: &AnyRow, product_name: Option<String>) -> sqlx::Result<Review> {
    Ok(Review {
        id: int(row, "id")?,
        product: int(row, "product_id")?,
        product_name,
        user_id: int(row, "user_id")?,
        rating: int(row, "rating")?,
        body: text(row, "body")?,
        created_at: Time(int(row, "created_at")?),
    })
}

/// A product's reviews, newest first, and the queries it took; `None` for an unknown product.
/// With `optimize`: joined to the product's name. Without: one name query per review.
pub async fn of_product(db: &Db, id: i64, optimize: bool) -> StoreResult<Option<(Vec<Review>, u32)>> {
    if !super::products::exists(db, id).await? {
        return Ok(None);
    }
    let mut reviews = Vec::new();
    let mut queries = 2;
    if optimize {
        let mut sql = Sql::new(&format!(
            "SELECT {COLUMNS}, p.name FROM shop_review r JOIN shop_product p ON p.id = r.product_id \
             WHERE r.product_id = $1 ORDER BY r.created_at DESC, r.id DESC"
        ));
        sql.args.push(Arg::Int(id));
        for row in sql.fetch_all(&db.read).await? {
            reviews.push(review(&row, Some(text(&row, "name")?))?);
        }
    } else {
        let mut sql = Sql::new(&format!(
            "SELECT {COLUMNS} FROM shop_review r WHERE r.product_id = $1 ORDER BY r.created_at DESC, r.id DESC"
        ));
        sql.args.push(Arg::Int(id));
        for row in sql.fetch_all(&db.read).await? {
            let mut name = Sql::new("SELECT name FROM shop_product WHERE id = $1");
            name.args.push(Arg::Int(int(&row, "product_id")?));
            let name = text(&name.fetch_one(&db.read).await?, "name")?;
            queries += 1;
            reviews.push(review(&row, Some(name))?);
        }
    }
    Ok(Some((reviews, queries)))
}

/// Which reviews the list shows.
#[derive(Debug, Default, Clone, Copy)]
pub struct Filter {
    pub product_id: Option<i64>,
    pub user_id: Option<i64>,
}

fn filtered(sql: &mut Sql, filter: Filter) {
    sql.push(" WHERE 1=1");
    if let Some(p) = filter.product_id {
        sql.push(" AND r.product_id = ").bind(Arg::Int(p));
    }
    if let Some(u) = filter.user_id {
        sql.push(" AND r.user_id = ").bind(Arg::Int(u));
    }
}

pub async fn count(db: &Db, filter: Filter) -> StoreResult<i64> {
    let mut sql = Sql::new("SELECT COUNT(*) AS n FROM shop_review r");
    filtered(&mut sql, filter);
    Ok(int(&sql.fetch_one(&db.read).await?, "n")?)
}

/// One page (1-based), newest first, with product names.
pub async fn page(db: &Db, filter: Filter, page: i64) -> StoreResult<Vec<Review>> {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS}, p.name FROM shop_review r JOIN shop_product p ON p.id = r.product_id"
    ));
    filtered(&mut sql, filter);
    sql.push(&format!(" ORDER BY r.created_at DESC, r.id DESC{}", page_clause(page)));
    let rows = sql.fetch_all(&db.read).await?;
    Ok(rows
        .iter()
        .map(|row| review(row, Some(text(row, "name")?)))
        .collect::<sqlx::Result<_>>()?)
}

pub async fn get(db: &Db, id: i64) -> StoreResult<Option<Review>> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM shop_review r WHERE r.id = $1"));
    sql.args.push(Arg::Int(id));
    let row = sql.fetch_optional(&db.read).await?;
    Ok(row.map(|r| review(&r, None)).transpose()?)
}

pub async fn insert(db: &Db, new: &NewReview) -> StoreResult<Review> {
    let mut sql = Sql::new("INSERT INTO shop_review (product_id, user_id, rating, body, created_at) VALUES (");
    sql.bind(Arg::Int(new.product))
        .push(", ")
        .bind(Arg::Int(new.user_id))
        .push(", ")
        .bind(Arg::Int(new.rating))
        .push(", ")
        .bind(Arg::Text(new.body.clone()))
        .push(", ")
        .bind(Arg::Int(crate::model::now_micros()))
        .push(") RETURNING id, product_id, user_id, rating, body, created_at");
    let row = sql.fetch_one(&db.write).await?;
    Ok(review(&row, None)?)
}
