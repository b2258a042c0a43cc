//! The form posts that make the meeting page work without JavaScript: join, "that's me",
//! a whole answer, "not you?".

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::NaiveDate;
use meetifyr_core::{Availability, ParticipantName, StoreError, UrlCode};
use serde::Deserialize;

use crate::cookies::{cookie, me_cookie, set_cookie};
use meetifyr_api::{ApiError, StoreState};
use meetifyr_service::ServiceError;

#[derive(Deserialize, Default)]
#[serde(default)]
struct JoinForm {
    name: String,
    /// Empty: not protected.
    password: String,
}

/// A password as a form sends it: empty is none; else as the API's `password` field.
fn form_password(raw: &str) -> Option<String> {
    let ok = !raw.is_empty() && !raw.contains('\0') && raw.chars().count() <= meetifyr_service::MAX_PASSWORD_CHARS;
    ok.then(|| raw.to_owned())
}

/// Back to the page after a refused password (403) or too many attempts (429).
fn password_refused(code: &UrlCode, e: &ServiceError) -> Option<Response> {
    let why = match e {
        ServiceError::Forbidden(_) => "password",
        ServiceError::TooManyRequests { .. } => "attempts",
        _ => return None,
    };
    Some(Redirect::to(&format!("/m/{code}?error={why}#answer-section")).into_response())
}

/// A form sent from a page drawn before answers closed: back to the page, which now says so.
async fn closed(state: &StoreState, code: &UrlCode) -> Result<Option<Response>, ApiError> {
    match state.ensure_answers_open(code).await {
        Ok(()) => Ok(None),
        Err(meetifyr_service::ServiceError::AnswersClosed(_)) => {
            Ok(Some(Redirect::to(&format!("/m/{code}#answer-section")).into_response()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Remembers in this browser who it answers as (`None`: forgets it).
fn remember(state: &StoreState, headers: &HeaderMap, code: &UrlCode, id: Option<i64>) -> Response {
    let jar = set_cookie(
        CookieJar::new(),
        state.public.secure(headers),
        me_cookie(code.as_str()),
        id.map(|id| id.to_string()),
        format!("/m/{code}"),
    );
    let to = if id.is_some() { "answer" } else { "join" };
    (jar, Redirect::to(&format!("/m/{code}#{to}"))).into_response()
}

/// Joins without JavaScript: creates the participant and remembers it in this browser.
pub(crate) async fn join(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form: JoinForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let code = meetifyr_api::parse_url_code(&raw)?;
    if let Some(closed) = closed(&state, &code).await? {
        return Ok(closed);
    }
    let Ok(name) = ParticipantName::parse(&form.name) else {
        return Ok(Redirect::to(&format!("/m/{code}#join")).into_response());
    };
    let hash = match form_password(&form.password) {
        Some(password) => Some(state.auth.hash(password).await?),
        None => None,
    };
    let created = state
        .wrote(
            &code,
            state.store.insert_participant(&code, &name, hash.as_deref()).await,
        )
        .await?;
    Ok(remember(&state, &headers, &code, Some(created.id)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ClaimForm {
    participant: i64,
    password: String,
}

/// "That's me": this browser answers as an existing participant; a protected one needs its
/// password.
pub(crate) async fn claim(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form: ClaimForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let code = meetifyr_api::parse_url_code(&raw)?;
    match state.store.participant_password_hash(form.participant).await? {
        Some((of, _)) if of == code => {}
        _ => return Ok(Redirect::to(&format!("/m/{code}#join")).into_response()),
    }
    let password = form_password(&form.password);
    if let Err(e) = state
        .authorize_participant(form.participant, Some(&code), password.as_deref())
        .await
    {
        return password_refused(&code, &e).ok_or(e.into());
    }
    Ok(remember(&state, &headers, &code, Some(form.participant)))
}

/// Saves a whole answer without JavaScript: the boxes ticked are the free and starred days.
pub(crate) async fn answer(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let code = meetifyr_api::parse_url_code(&raw)?;
    let me = cookie(&headers, &me_cookie(code.as_str())).and_then(|v| v.parse::<i64>().ok());
    let Some(me) = me else {
        return Ok(Redirect::to(&format!("/m/{code}#join")).into_response());
    };
    if let Some(closed) = closed(&state, &code).await? {
        return Ok(closed);
    }
    if let Some(grid) = state.time_grid(&code).await? {
        return answer_slots(&state, &code, me, &grid, &body).await;
    }
    let (mut free, mut starred, mut password) = (Vec::new(), Vec::new(), None);
    for (key, value) in form_urlencoded::parse(&body) {
        if key == "password" {
            password = form_password(&value);
            continue;
        }
        let Ok(date) = value.parse::<NaiveDate>() else { continue };
        match key.as_ref() {
            "free" => free.push(date),
            "star" => starred.push(date),
            _ => {}
        }
    }
    if let Err(e) = state.authorize_participant(me, Some(&code), password.as_deref()).await {
        return password_refused(&code, &e).ok_or(e.into());
    }
    // A star ticked on a day left busy makes the day free, as the toggles do.
    for d in &starred {
        if !free.contains(d) {
            free.push(*d);
        }
    }
    free.sort_unstable();
    free.dedup();
    starred.sort_unstable();
    starred.dedup();
    let answer = Availability::new(free, starred).map_err(StoreError::Availability)?;
    state
        .wrote(&code, state.store.replace_availability(&code, me, &answer).await)
        .await?;
    Ok(Redirect::to(&format!("/m/{code}#answer")).into_response())
}

/// A whole answer to a time meeting without JavaScript: the boxes ticked are the free and
/// starred slots.
async fn answer_slots(
    state: &StoreState,
    code: &UrlCode,
    me: i64,
    grid: &meetifyr_core::TimeGrid,
    body: &[u8],
) -> Result<Response, ApiError> {
    let (mut free, mut starred, mut password) = (Vec::new(), Vec::new(), None);
    for (key, value) in form_urlencoded::parse(body) {
        match key.as_ref() {
            "password" => password = form_password(&value),
            "free" => free.extend(chrono::DateTime::parse_from_rfc3339(&value).ok()),
            "star" => starred.extend(chrono::DateTime::parse_from_rfc3339(&value).ok()),
            _ => {}
        }
    }
    // A star ticked on a busy slot makes it free, as for days.
    free.extend(starred.iter().copied());
    starred.sort_unstable();
    starred.dedup();
    if let Err(e) = state.authorize_participant(me, Some(code), password.as_deref()).await {
        return password_refused(code, &e).ok_or(e.into());
    }
    free.sort_unstable();
    free.dedup();
    let answer = meetifyr_core::SlotAnswer::parse(grid, &free, &starred)
        .map_err(|errors| ApiError::Validation(errors.iter().map(meetifyr_api::slot_error).collect()))?;
    state
        .wrote(code, state.store.replace_slots(code, me, grid, &answer).await)
        .await?;
    Ok(Redirect::to(&format!("/m/{code}#answer")).into_response())
}

/// "Not you?": this browser forgets who it answered as.
pub(crate) async fn forget(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let code = meetifyr_api::parse_url_code(&raw)?;
    Ok(remember(&state, &headers, &code, None))
}
