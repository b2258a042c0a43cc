//! The one place where failures become HTTP answers, in the original's body shapes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, body: Value) -> Self {
        ApiError { status, body }
    }

    /// DRF's 404: `{"detail":"Not found."}`.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, json!({"detail": "Not found."}))
    }

    /// DRF validation shape: `{"field": ["message"]}`.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, json!({ field: [message.into()] }))
    }

    /// The original's business errors: `{"error": "…"}`.
    pub fn error(status: StatusCode, message: impl Into<String>) -> Self {
        Self::new(status, json!({"error": message.into()}))
    }

    pub fn unknown_product(id: i64) -> Self {
        Self::error(StatusCode::NOT_FOUND, format!("상품 ID {id}를 찾을 수 없습니다."))
    }

    /// Insufficient stock: 400, as the original's reserve answers (never a 500).
    pub fn out_of_stock(product_id: i64) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            json!({"error": "재고 부족", "product_id": product_id}),
        )
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::warn!(%error, "database unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({"detail": "The database is unavailable; try again."}),
                )
            }
            // The CHECK (stock >= 0) is the last line of defence; the guarded updates come first.
            sqlx::Error::Database(db)
                if db.message().contains("CHECK") || db.message().contains("check constraint") =>
            {
                Self::error(StatusCode::BAD_REQUEST, "재고 부족")
            }
            _ => {
                tracing::error!(%error, "database error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"detail": "Internal server error."}),
                )
            }
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match error {
            StoreError::Db(e) => e.into(),
            StoreError::UnknownProduct(id) => Self::unknown_product(id),
            StoreError::OutOfStock(id) => Self::out_of_stock(id),
            StoreError::InsufficientStock => Self::error(StatusCode::BAD_REQUEST, "재고 부족"),
            StoreError::TooManyConflicts => Self::error(
                StatusCode::CONFLICT,
                "동시 수정이 계속 충돌합니다. 다시 시도하세요. (optimistic lock: too many concurrent updates, retry)",
            ),
        }
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> Self {
        tracing::error!(%error, "cannot serialize a response");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"detail": "Internal server error."}),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}
