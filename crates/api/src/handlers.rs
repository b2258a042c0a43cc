//! The API's handlers, one per route of the original service.

use std::sync::Arc;

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use meetifyr_core::{DateRange, Location, Store, StoreError, Title, Toggle, UrlCode};

use crate::{
    dto::*,
    error::ApiError,
    extract::{Body, IntPath},
};

pub type AppStore = Arc<dyn Store>;

/// A code that cannot exist is simply not found, with the original's text.
fn code(raw: &str) -> Result<UrlCode, ApiError> {
    UrlCode::parse(raw).ok_or_else(|| StoreError::MeetingNotFound(raw.to_owned()).into())
}

async fn meeting_response(store: &dyn Store, code: &UrlCode) -> Result<GetMeetingResponse, ApiError> {
    let meeting = store
        .find_meeting(code)
        .await?
        .ok_or_else(|| StoreError::MeetingNotFound(code.to_string()))?;
    Ok(meeting.into())
}

#[utoipa::path(post, path = "/v1/meetings", tag = "Meeting",
    description = "Creates a meeting and returns its unguessable code.",
    responses((status = 200, body = CreateMeetingResponse)))]
pub async fn create_meeting(State(store): State<AppStore>) -> Result<Json<CreateMeetingResponse>, ApiError> {
    let code = meetifyr_core::create_meeting(store.as_ref()).await?;
    Ok(Json(CreateMeetingResponse {
        url_code: code.to_string(),
    }))
}

#[utoipa::path(get, path = "/v1/meetings/{meeting_url_code}", tag = "Meeting",
    description = "A meeting with its participants, their dates, and the best dates.",
    params(("meeting_url_code" = String, Path)),
    responses((status = 200, body = GetMeetingResponse), (status = 404, body = ErrorResponse)))]
pub async fn get_meeting(
    State(store): State<AppStore>,
    Path(raw): Path<String>,
) -> Result<GetMeetingResponse, ApiError> {
    meeting_response(store.as_ref(), &code(&raw)?).await
}

#[utoipa::path(patch, path = "/v1/meetings/{meeting_url_code}/date_range", tag = "Meeting",
    description = "Sets the date range, once. At most 62 days from start to end; end not before start.",
    params(("meeting_url_code" = String, Path)),
    request_body = UpdateMeetingDateRangeRequest,
    responses((status = 200, body = GetMeetingResponse), (status = 404, body = ErrorResponse),
        (status = 422, description = "range too long, reversed, already set, or invalid", body = ErrorResponse)))]
pub async fn update_date_range(
    State(store): State<AppStore>,
    Path(raw): Path<String>,
    Body(body): Body<DateRangeBody>,
) -> Result<GetMeetingResponse, ApiError> {
    // The original judges the range before looking the meeting up.
    let range = DateRange::new(body.start, body.end)
        .map_err(|e| ApiError::detail(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    let code = code(&raw)?;
    store.update_date_range(&code, range).await?;
    meeting_response(store.as_ref(), &code).await
}

#[utoipa::path(patch, path = "/v1/meetings/{meeting_url_code}/title", tag = "Meeting",
    params(("meeting_url_code" = String, Path)),
    request_body = UpdateMeetingTitleRequest,
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_title(
    State(store): State<AppStore>,
    Path(raw): Path<String>,
    Body(title): Body<Title>,
) -> Result<StatusCode, ApiError> {
    store.update_title(&code(&raw)?, &title).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(patch, path = "/v1/meetings/{meeting_url_code}/location", tag = "Meeting",
    params(("meeting_url_code" = String, Path)),
    request_body = UpdateMeetingLocationRequest,
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_location(
    State(store): State<AppStore>,
    Path(raw): Path<String>,
    Body(location): Body<Location>,
) -> Result<StatusCode, ApiError> {
    store.update_location(&code(&raw)?, &location).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/v1/participants", tag = "Participant",
    description = "Adds a participant, free on every day of the meeting's range.",
    request_body = CreateParticipantRequest,
    responses((status = 200, body = CreateParticipantResponse), (status = 400, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_participant(
    State(store): State<AppStore>,
    Body(body): Body<CreateParticipantBody>,
) -> Result<Json<CreateParticipantResponse>, ApiError> {
    let created = store
        .insert_participant(&code(&body.meeting_url_code)?, &body.name)
        .await?;
    Ok(Json(CreateParticipantResponse {
        participant_id: created.id,
        participant_dates: created
            .dates
            .into_iter()
            .map(|(id, date)| CreatedParticipantDate { id, date })
            .collect(),
    }))
}

#[utoipa::path(delete, path = "/v1/participants/{participant_id}", tag = "Participant",
    params(("participant_id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn delete_participant(State(store): State<AppStore>, IntPath(id): IntPath) -> Result<StatusCode, ApiError> {
    store.delete_participant(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn toggle(store: &dyn Store, body: ToggleBody, toggle: Toggle) -> Result<GetMeetingResponse, ApiError> {
    let code = code(&body.meeting_url_code)?;
    store
        .update_participant_date(&code, body.participant_date_id, toggle)
        .await?;
    meeting_response(store, &code).await
}

macro_rules! toggle_handler {
    ($fn:ident, $toggle:expr, $path:literal, $what:literal) => {
        #[utoipa::path(patch, path = $path, tag = "ParticipantDate", description = $what,
            request_body = TurnOnOffStarParticipantDateRequest,
            responses((status = 200, body = GetMeetingResponse),
                (status = 404, description = "unknown meeting, or a date not of that meeting", body = ErrorResponse),
                (status = 422, body = ErrorResponse)))]
        pub async fn $fn(
            State(store): State<AppStore>,
            Body(body): Body<ToggleBody>,
        ) -> Result<GetMeetingResponse, ApiError> {
            toggle(store.as_ref(), body, $toggle).await
        }
    };
}

toggle_handler!(turn_on, Toggle::On, "/v1/participant_dates/on", "Marks the date free.");
toggle_handler!(
    turn_off,
    Toggle::Off,
    "/v1/participant_dates/off",
    "Marks the date busy (and not starred)."
);
toggle_handler!(
    star,
    Toggle::Star,
    "/v1/participant_dates/star",
    "Stars the date (and marks it free)."
);
toggle_handler!(
    unstar,
    Toggle::Unstar,
    "/v1/participant_dates/unstar",
    "Removes the star."
);
