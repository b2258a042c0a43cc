//! What a browser remembers: the language, the theme and who it answers as in a meeting, as
//! cookies this site sets.

use axum::{
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;

/// A cookie's value.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers).get(name).map(|c| c.value().to_owned())
}

/// A cookie this site sets for a year (or, with `None`, removes), `Secure` when people reach
/// the site over https.
pub(crate) fn set_cookie(jar: CookieJar, secure: bool, name: String, value: Option<String>, path: String) -> CookieJar {
    let age = if value.is_some() {
        cookie::time::Duration::days(365)
    } else {
        cookie::time::Duration::ZERO
    };
    let cookie = Cookie::build((name, value.unwrap_or_default()))
        .path(path)
        .max_age(age)
        .same_site(SameSite::Lax)
        .secure(secure);
    jar.add(cookie)
}

/// The person this browser answers as in a meeting: a cookie, set on joining.
pub(crate) fn me_cookie(code: &str) -> String {
    format!("me_{code}")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Back {
    back: String,
}

/// Back to the page a switch was pressed on, remembering the choice in a cookie.
pub(crate) fn back_with_cookie(secure: bool, back: Back, name: &str, value: &str) -> Response {
    // Only paths of this site: never `//host` or a scheme.
    let back = if back.back.starts_with('/') && !back.back.starts_with("//") && !back.back.contains('\\') {
        back.back
    } else {
        "/".to_owned()
    };
    let jar = set_cookie(
        CookieJar::new(),
        secure,
        name.to_owned(),
        Some(value.to_owned()),
        "/".to_owned(),
    );
    (jar, Redirect::to(&back)).into_response()
}
