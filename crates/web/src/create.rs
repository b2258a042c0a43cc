//! The create page (`/`) and its form post.

use askama::Template;
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use chrono::NaiveDate;
use meetifyr_core::{DateRange, Location, Title};
use serde::Deserialize;

use crate::assets::CREATE_JS;
use crate::frame::{Frame, render};
use crate::view;
use meetifyr_api::{ApiError, StoreState};

#[derive(Template)]
#[template(path = "create.html")]
struct CreatePage {
    f: Frame,
    title: String,
    location: String,
    start: String,
    end: String,
    today: String,
    errors: Vec<String>,
}

impl CreatePage {
    fn create_js(&self) -> &'static str {
        &CREATE_JS.path
    }
}

pub(crate) async fn create_page(State(state): State<StoreState>, headers: HeaderMap) -> Response {
    render(
        CreatePage {
            f: Frame::new(&headers, "/"),
            title: String::new(),
            location: String::new(),
            start: String::new(),
            end: String::new(),
            today: state.clock.today().to_string(),
            errors: Vec::new(),
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CreateForm {
    title: String,
    location: String,
    start: String,
    end: String,
    /// A quick pick (`4w`, `this`, `next`) pressed without JavaScript.
    pick: String,
}

/// Creates the meeting, then sets its range, title and location, as a client of the API would;
/// then shows the meeting with its share card.
pub(crate) async fn create(
    State(state): State<StoreState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form: CreateForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let f = Frame::new(&headers, "/");
    let t = f.t;
    let mut errors = Vec::new();
    let (mut start, mut end) = (form.start.clone(), form.end.clone());
    if let Some((s, e)) = view::quick_pick(&form.pick, state.clock.today()) {
        (start, end) = (s.to_string(), e.to_string());
    }
    let title = Title::parse(form.title.trim()).map_err(|e| e.to_string());
    let location = Location::parse(form.location.trim()).map_err(|e| e.to_string());
    for e in [title.as_ref().err(), location.as_ref().err()].into_iter().flatten() {
        errors.push(e.clone());
    }
    let range = match (start.parse::<NaiveDate>(), end.parse::<NaiveDate>()) {
        (Ok(s), Ok(e)) if e < s => Err(t.end_before_start.to_owned()),
        (Ok(s), Ok(e)) => DateRange::new(s, e).map_err(|_| t.too_long.to_owned()),
        _ => Err(t.dates_label.to_owned()),
    };
    if let Err(e) = &range {
        errors.push(e.clone());
    }
    let (Ok(title), Ok(location), Ok(range), true) = (title, location, range, form.pick.is_empty()) else {
        // A quick pick without JavaScript fills the dates and shows them for a check.
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let errors = if form.pick.is_empty() { errors } else { Vec::new() };
        return Ok(render(
            CreatePage {
                f,
                title: form.title,
                location: form.location,
                start,
                end,
                today: state.clock.today().to_string(),
                errors,
            },
            status,
        ));
    };
    let (code, key) = meetifyr_core::create_meeting(state.store.as_ref()).await?;
    state.store.update_date_range(&code, range).await?;
    state.store.update_title(&code, &title).await?;
    state.store.update_location(&code, &location).await?;
    state.meeting_changed(&code);
    // The key rides in the fragment: browsers keep it across the redirect, and never send it
    // to a server (logs) or in a Referer. The page's script keeps it in this browser.
    Ok(Redirect::to(&format!("/m/{code}?new=1#organiser={}", key.as_str())).into_response())
}
