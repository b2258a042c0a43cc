//! The web app, served by the same binary on the first configured store: the create page (`/`),
//! the meeting page (`/m/{code}`), their assets under content-hashed names, and form posts that
//! make every page work without JavaScript. Pages are compiled askama templates (HTML-escaped);
//! one hand-written ES module enhances them with the public API, the stroke route and the live
//! stream. Nothing is loaded from anywhere else (see the Content-Security-Policy).

mod assets;
mod cookies;
mod create;
mod forms;
mod frame;
mod i18n;
mod meeting;
mod times;
mod trip;
mod view;

use axum::{
    Router,
    extract::Request,
    http::{HeaderValue, header},
    middleware::Next,
    response::Response,
    routing::{get, post},
};

use meetifyr_api::StoreState;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; manifest-src 'self'";

pub fn routes(state: StoreState) -> Router {
    Router::new()
        .route("/", get(create::create_page).post(create::create))
        .route("/m/{code}", get(meeting::meeting_page))
        .route("/m/{code}/organiser", get(meeting::organiser_panel))
        .route("/m/{code}/join", post(forms::join))
        .route("/m/{code}/answer", post(forms::answer))
        .route("/m/{code}/forget", post(forms::forget))
        .route("/m/{code}/me", post(forms::claim))
        .route("/lang/{lang}", get(frame::switch_language))
        .route("/theme/{theme}", get(frame::switch_theme))
        .route("/assets/{name}", get(assets::asset))
        .with_state(state)
        .layer(axum::middleware::from_fn(security_headers))
        // Pages and assets are text: gzip roughly quarters them.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .gzip(true)
                .quality(tower_http::CompressionLevel::Fastest),
        )
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // A page differs by language, theme and who this browser answers as: shared caches must not
    // hand one person's page to another, and browsers must ask again each time.
    let html = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if html {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Language, Cookie"));
    }
    response
}
