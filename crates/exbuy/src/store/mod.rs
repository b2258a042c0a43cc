//! ExBuy's storage layer: every SQL statement of the service, one module per resource, behind
//! functions that take typed input and return the typed views of `crate::model`. Handlers
//! (`crate::api`) never write SQL; this layer never speaks HTTP.

pub mod export;
pub mod inventory;
pub mod orders;
pub mod products;
pub mod reviews;
pub mod stats;

use std::fmt;

/// Rows per page of the paginated lists.
pub const PAGE_SIZE: i64 = 100;

/// What a storage call can fail with besides the database itself.
#[derive(Debug)]
pub enum StoreError {
    Db(sqlx::Error),
    /// An order or reservation named a product that does not exist.
    UnknownProduct(i64),
    /// An order would take this product's stock below zero.
    OutOfStock(i64),
    /// A reservation asked for more than the stock.
    InsufficientStock,
    /// Optimistic reservations kept losing races.
    TooManyConflicts,
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::Db(error)
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Db(e) => write!(f, "database: {e}"),
            StoreError::UnknownProduct(id) => write!(f, "unknown product {id}"),
            StoreError::OutOfStock(id) => write!(f, "product {id} is out of stock"),
            StoreError::InsufficientStock => f.write_str("insufficient stock"),
            StoreError::TooManyConflicts => f.write_str("too many concurrent updates"),
        }
    }
}

impl std::error::Error for StoreError {}

/// The `LIMIT … OFFSET …` of a 1-based page.
pub(crate) fn page_clause(page: i64) -> String {
    format!(" LIMIT {PAGE_SIZE} OFFSET {}", (page - 1) * PAGE_SIZE)
}
