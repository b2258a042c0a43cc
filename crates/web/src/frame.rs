//! What every page shares: its language, theme and assets (the frame), rendering, and the
//! language and theme switches.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
};

use crate::assets::{CSS, ICON, JS};
use crate::cookies::{Back, back_with_cookie, cookie};
use crate::i18n::{Lang, Texts};
use meetifyr_api::StoreState;

/// What every page's frame needs.
pub(crate) struct Frame {
    pub(crate) lang: Lang,
    pub(crate) t: &'static Texts,
    pub(crate) css: &'static str,
    pub(crate) js: &'static str,
    pub(crate) icon: &'static str,
    /// Where the language switch goes (it comes back to this page).
    pub(crate) switch_href: String,
    /// `light` or `dark` when chosen with the toggle; else the system's.
    pub(crate) theme: Option<&'static str>,
    pub(crate) dark: bool,
    /// This page, for the switches to come back to.
    pub(crate) back: String,
}

impl Frame {
    pub(crate) fn new(headers: &HeaderMap, here: &str) -> Self {
        let lang = Lang::of(headers);
        let theme = match cookie(headers, "theme").as_deref() {
            Some("dark") => Some("dark"),
            Some("light") => Some("light"),
            _ => None,
        };
        let dark = theme == Some("dark");
        Frame {
            lang,
            t: lang.texts(),
            css: &CSS.path,
            js: &JS.path,
            icon: &ICON.path,
            switch_href: format!("/lang/{}?back={}", lang.other().code(), urlencode(here)),
            theme,
            dark,
            back: here.to_owned(),
        }
    }
}

pub(crate) fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

pub(crate) fn render(page: impl Template, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot render a page");
            meetifyr_api::detail_response(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

/// The language switch.
pub(crate) async fn switch_language(
    State(state): State<StoreState>,
    Path(lang): Path<String>,
    Query(back): Query<Back>,
    headers: HeaderMap,
) -> Response {
    match Lang::parse(&lang) {
        Some(lang) => back_with_cookie(state.public.secure(&headers), back, "lang", lang.code()),
        None => meetifyr_api::detail_response(StatusCode::NOT_FOUND, "Not Found"),
    }
}

/// The light/dark toggle without JavaScript.
pub(crate) async fn switch_theme(
    State(state): State<StoreState>,
    Path(theme): Path<String>,
    Query(back): Query<Back>,
    headers: HeaderMap,
) -> Response {
    match theme.as_str() {
        "light" | "dark" => back_with_cookie(state.public.secure(&headers), back, "theme", &theme),
        _ => meetifyr_api::detail_response(StatusCode::NOT_FOUND, "Not Found"),
    }
}
