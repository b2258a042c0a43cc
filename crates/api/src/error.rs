//! The one place where errors become HTTP responses, in the original's FastAPI shapes:
//! `{"detail": "<text>"}`, or for request validation `422 {"detail": [{type, loc, msg, input}…]}`.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use meetifyr_core::{AvailabilityError, StoreError};
use serde::Serialize;
use serde_json::{Value, json};

/// One item of FastAPI's validation error list.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldError {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub loc: Vec<Value>,
    pub msg: String,
    pub input: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ctx: Option<Value>,
}

impl FieldError {
    pub fn new(kind: &'static str, loc: Vec<Value>, msg: impl Into<String>, input: Value) -> Self {
        Self {
            kind,
            loc,
            msg: msg.into(),
            input,
            ctx: None,
        }
    }

    pub fn with_ctx(mut self, ctx: Value) -> Self {
        self.ctx = Some(ctx);
        self
    }
}

/// An item of an answer that cannot stand, as pydantic reports a failed validator.
pub fn availability_error(e: &AvailabilityError) -> FieldError {
    FieldError::new(
        "value_error",
        vec![json!("body"), json!(e.field), json!(e.index)],
        format!("Value error, {e}"),
        json!(e.date.to_string()),
    )
    .with_ctx(json!({ "error": e.to_string() }))
}

/// A refused slot of an answer to a time meeting, at its item.
pub fn slot_error(e: &meetifyr_core::SlotError) -> FieldError {
    FieldError::new(
        "value_error",
        vec![json!("body"), json!(e.field), json!(e.index)],
        format!("Value error, {e}"),
        json!(e.input),
    )
    .with_ctx(json!({ "error": e.to_string() }))
}

#[derive(Serialize)]
struct ValidationBody {
    detail: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("request validation failed")]
    Validation(Vec<FieldError>),
    /// A client error with the original's status and `detail` text.
    #[error("{1}")]
    Detail(StatusCode, String),
    /// 429 with `Retry-After`.
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot serialize a response")]
    Serialize(#[from] serde_json::Error),
}

/// The service's answers, in the API's shapes.
impl From<meetifyr_service::ServiceError> for ApiError {
    fn from(e: meetifyr_service::ServiceError) -> Self {
        use meetifyr_service::ServiceError as E;
        match e {
            E::Unauthenticated(text) => Self::Detail(StatusCode::UNAUTHORIZED, text),
            E::Forbidden(text) => Self::Detail(StatusCode::FORBIDDEN, text),
            E::TooManyRequests { detail, retry_after } => Self::TooManyRequests { detail, retry_after },
            E::Busy(text) => Self::Detail(StatusCode::SERVICE_UNAVAILABLE, text),
            E::AnswersClosed(text) => Self::Detail(StatusCode::LOCKED, text),
            E::Internal => Self::detail(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
            E::Store(e) => Self::Store(e),
            E::Serialize(e) => Self::Serialize(e),
        }
    }
}

impl ApiError {
    pub fn detail(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::Detail(status, detail.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Detail(status, _) => *status,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Store(e) => match e {
                StoreError::MeetingNotFound(_)
                | StoreError::ParticipantNotFound(_)
                | StoreError::ParticipantDateNotFound { .. } => StatusCode::NOT_FOUND,
                StoreError::DateRangeAlreadySet { .. }
                | StoreError::WrongKind(_)
                | StoreError::Availability(_)
                | StoreError::FinalDateOutsideRange { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                StoreError::DateRangeNotSet => StatusCode::BAD_REQUEST,
                StoreError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                StoreError::DuplicateUrlCode | StoreError::Backend(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ApiError::Serialize(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// `{"detail": text}` with the given status.
pub fn detail_response(status: StatusCode, detail: &str) -> Response {
    (status, Json(json!({ "detail": detail }))).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            // A struct, not `json!`, keeps FastAPI's key order: type, loc, msg, input.
            ApiError::Validation(detail) => (status, Json(ValidationBody { detail })).into_response(),
            ApiError::Detail(_, text) => {
                let mut response = detail_response(status, &text);
                if status == StatusCode::UNAUTHORIZED {
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                }
                response
            }
            ApiError::TooManyRequests { detail, retry_after } => {
                let mut response = detail_response(status, &detail);
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                response
            }
            ApiError::Store(StoreError::Availability(problems)) => {
                let detail = problems.iter().map(availability_error).collect();
                (status, Json(ValidationBody { detail })).into_response()
            }
            ApiError::Store(e) if status == StatusCode::SERVICE_UNAVAILABLE => {
                tracing::warn!(error = %error_chain(&e), "store unavailable");
                detail_response(status, "the database is unavailable; try again shortly")
            }
            ApiError::Store(e) if status.is_server_error() => {
                // The database's own text stays in the log, never in the response.
                tracing::error!(error = %error_chain(&e), "store failed");
                detail_response(status, "internal error")
            }
            ApiError::Store(e) => detail_response(status, &e.to_string()),
            ApiError::Serialize(e) => {
                tracing::error!(error = %e, "cannot serialize a response");
                detail_response(status, "internal error")
            }
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
