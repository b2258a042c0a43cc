//! Where the API reads credentials: organiser keys (`Authorization: Bearer …`) and
//! participants' passwords (a header, or the body). The checks are `meetifyr_service::Auth`'s.

use axum::http::{HeaderMap, StatusCode, header};
use meetifyr_service::PASSWORD_HEADER;

use crate::error::ApiError;

/// The key of an `Authorization: Bearer <key>` header, if one is sent; 401 for another scheme.
pub fn bearer(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("");
    let (scheme, key) = text.trim().split_once(' ').unwrap_or((text, ""));
    if !scheme.eq_ignore_ascii_case("bearer") || key.trim().is_empty() {
        return Err(ApiError::detail(
            StatusCode::UNAUTHORIZED,
            "the Authorization header must be: Bearer <organiser_key>",
        ));
    }
    Ok(Some(key.trim()))
}

/// The password sent in the header, if any (UTF-8 as sent; a body's `password` field wins).
pub fn header_password(headers: &HeaderMap) -> Option<String> {
    headers
        .get(PASSWORD_HEADER)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
        .map(str::to_owned)
}
