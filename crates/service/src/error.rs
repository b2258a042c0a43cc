//! What a use case can answer besides its value. Transports map each kind to their own shape
//! (the HTTP API: `meetifyr_api::ApiError`, in one place).

use meetifyr_core::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request lacks a credential it needs (HTTP: 401).
    #[error("{0}")]
    Unauthenticated(String),
    /// The credential is missing or wrong (HTTP: 403).
    #[error("{0}")]
    Forbidden(String),
    /// Over an allowance; try again after `retry_after` seconds (HTTP: 429).
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    /// The meeting no longer takes answers: its deadline passed (HTTP: 423).
    #[error("{0}")]
    AnswersClosed(String),
    /// Too much work is waiting; try again shortly (HTTP: 503).
    #[error("{0}")]
    Busy(String),
    /// A fault of ours, already logged; callers say only "internal error" (HTTP: 500).
    #[error("internal error")]
    Internal,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot serialize a meeting")]
    Serialize(#[from] serde_json::Error),
}
