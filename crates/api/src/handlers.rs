//! The API's handlers, one per route of the original service.

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use meetifyr_core::{DateRange, Location, StoreError, Title, Toggle, UrlCode};

use crate::{
    dto::*,
    error::ApiError,
    extract::{Body, IntPath},
    state::StoreState,
};
use meetifyr_service::MeetingSnapshot;

/// A code that cannot exist is simply not found, with the original's text.
pub fn code(raw: &str) -> Result<UrlCode, ApiError> {
    UrlCode::parse(raw).ok_or_else(|| StoreError::MeetingNotFound(raw.to_owned()).into())
}

/// For a route of day meetings: the meeting's grid when it is over times of day.
async fn time_grid(state: &StoreState, code: &UrlCode) -> Result<Option<meetifyr_core::TimeGrid>, ApiError> {
    Ok(state.service.time_grid(code).await?)
}

const DAYS_ONLY: &str = "this meeting is over times of day: this route is for day meetings";
const TIMES_NEED_SLOTS: &str =
    "this meeting is over times of day: free and starred list slot start times (RFC 3339 with an offset)";
const DAYS_NEED_DATES: &str = "this meeting is over whole days: free and starred list dates (YYYY-MM-DD)";

/// A day route's error on a meeting without a range: said plainly when it is a time meeting.
async fn day_route_error(state: &StoreState, code: &UrlCode, e: StoreError) -> ApiError {
    if matches!(e, StoreError::DateRangeNotSet | StoreError::DateRangeAlreadySet { .. })
        && matches!(time_grid(state, code).await, Ok(Some(_)))
    {
        return StoreError::WrongKind(DAYS_ONLY).into();
    }
    e.into()
}

/// The stored meeting itself (not the cached GET body), for answers computed from it.
async fn stored_meeting(state: &StoreState, raw: &str) -> Result<meetifyr_core::Meeting, ApiError> {
    let code = code(raw)?;
    Ok(state
        .store
        .find_meeting(&code)
        .await?
        .ok_or_else(|| StoreError::MeetingNotFound(code.to_string()))?)
}

pub(crate) async fn snapshot(state: &StoreState, code: &UrlCode) -> Result<MeetingSnapshot, ApiError> {
    Ok(state
        .meeting(code)
        .await?
        .ok_or_else(|| StoreError::MeetingNotFound(code.to_string()))?)
}

/// A meeting as GET returns it after a write, with its version as `ETag`; the same snapshot goes
/// to the meeting's watchers.
async fn meeting_response(state: &StoreState, code: &UrlCode) -> Result<Response, ApiError> {
    let snapshot = snapshot(state, code).await?;
    state.publish(code, &snapshot);
    state.announce(code, snapshot.version);
    let etag = snapshot.etag();
    let mut response = json_bytes_response(snapshot.json);
    set_validators(&mut response, &etag);
    Ok(response)
}

/// `ETag`, and `Cache-Control: no-cache` so that browsers revalidate (a 304 costs no body).
fn set_validators(response: &mut Response, etag: &str) {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks for this header).
fn none_match_hits(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

#[utoipa::path(post, path = "/v1/meetings", tag = "Meeting",
    description = "Creates a meeting and returns its unguessable code and, this once, its \
        organiser key (the server keeps only a hash of it). Without a body (or with `{}`), a day \
        meeting whose range is set after. With `kind: times`, a meeting over times of day: its \
        dates (`dates`, or `start_date` and `end_date`; at most 63), its daily window \
        (`day_start`, `day_end`), its slot length (15, 30 or 60 minutes) and its IANA time zone. \
        Slots are wall times in that zone; on a day that springs forward the missing ones are \
        marked `gap` and cannot be chosen, and on one that falls back the repeated ones appear \
        once per instant. GET then returns `kind`, `time_grid`, `slots` and each participant's \
        `free` and `starred` slot starts, and `best_slots`.",
    request_body(content = Option<CreateMeetingRequest>, description = "optional: a time meeting's grid"),
    responses((status = 200, body = CreateMeetingResponse),
        (status = 422, description = "a grid that is not valid: the field and the reason", body = ErrorResponse)))]
pub async fn create_meeting(
    State(state): State<StoreState>,
    body: axum::body::Bytes,
) -> Result<Json<CreateMeetingResponse>, ApiError> {
    let grid = match CreateMeetingBody::parse(&body)? {
        CreateMeetingBody::Days => None,
        CreateMeetingBody::Times(grid) => Some(grid),
    };
    let (code, key) = meetifyr_core::create_meeting_over(state.store.as_ref(), grid.as_ref()).await?;
    Ok(Json(CreateMeetingResponse {
        url_code: code.to_string(),
        organiser_key: key.as_str().to_owned(),
    }))
}

#[utoipa::path(delete, path = "/v1/meetings/{meeting_url_code}", tag = "Organiser",
    description = "Deletes the meeting with everything in it (organiser key required). Then \
        every route answers 404 for it; its live streams get a last `deleted` message.",
    params(("meeting_url_code" = String, Path)),
    security(("organiser_key" = [])),
    responses((status = 204, description = "deleted"),
        (status = 401, description = "no organiser key sent", body = ErrorResponse),
        (status = 403, description = "a wrong organiser key", body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn delete_meeting(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let code = code(&raw)?;
    state.authorize_organiser(&code, &headers).await?;
    state.delete_meeting(&code).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/v1/meetings/{meeting_url_code}/final_date", tag = "Organiser",
    description = "Finalizes the meeting on a day of its range, or with `null` undoes that \
        (organiser key required). GET shows it as `final_date`; `event.ics` serves it.",
    params(("meeting_url_code" = String, Path)),
    security(("organiser_key" = [])),
    request_body = SetFinalDateRequest,
    responses((status = 200, body = GetMeetingResponse, headers(("ETag" = String))),
        (status = 400, description = "the meeting has no range yet", body = ErrorResponse),
        (status = 401, description = "no organiser key sent", body = ErrorResponse),
        (status = 403, description = "a wrong organiser key", body = ErrorResponse),
        (status = 404, body = ErrorResponse),
        (status = 422, description = "not a day of the range, or not a date", body = ErrorResponse)))]
pub async fn set_final_date(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    Body(body): Body<FinalDateBody>,
) -> Result<Response, ApiError> {
    let code = code(&raw)?;
    state.authorize_organiser(&code, &headers).await?;
    let set = state.store.set_final_date(&code, body.date).await;
    state.meeting_changed(&code);
    if let Err(e) = set {
        return Err(day_route_error(&state, &code, e).await);
    }
    meeting_response(&state, &code).await
}

#[utoipa::path(post, path = "/v1/meetings/{meeting_url_code}/duplicate", tag = "Organiser",
    description = "Copies the meeting for the same group another time (organiser key required): \
        a new meeting under a new code and organiser key (shown this once), with the same \
        title and location, every day moved by `shift_weeks` weeks (a time meeting keeps its \
        hours, slot length and zone), and the same participants by name, with their passwords \
        and required marks, but none of their answers (they start as someone who just joined) \
        and no final date. The original is not changed.",
    params(("meeting_url_code" = String, Path)),
    security(("organiser_key" = [])),
    request_body = DuplicateMeetingRequest,
    responses((status = 200, description = "the copy", body = CreateMeetingResponse),
        (status = 401, description = "no organiser key sent", body = ErrorResponse),
        (status = 403, description = "a wrong organiser key", body = ErrorResponse),
        (status = 404, body = ErrorResponse),
        (status = 422, description = "`shift_weeks` is not a whole number from -520 to 520", body = ErrorResponse)))]
pub async fn duplicate_meeting(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    Body(body): Body<DuplicateBody>,
) -> Result<Json<CreateMeetingResponse>, ApiError> {
    let code = code(&raw)?;
    state.authorize_organiser(&code, &headers).await?;
    let source = stored_meeting(&state, code.as_str()).await?;
    let (copy, key) = meetifyr_core::duplicate_meeting(state.store.as_ref(), &source, body.shift_weeks).await?;
    Ok(Json(CreateMeetingResponse {
        url_code: copy.to_string(),
        organiser_key: key.as_str().to_owned(),
    }))
}

#[utoipa::path(put, path = "/v1/meetings/{meeting_url_code}/deadline", tag = "Organiser",
    description = "Sets when the meeting stops taking answers (organiser key required): a \
        `deadline` (RFC 3339 with an offset, or a wall time in `time_zone`, a time meeting's \
        own zone by default; or `now` to close at once by the server's clock), and with `close_after_last_day` also once the last day is over (in \
        `time_zone`, a time meeting's zone, or else anywhere on Earth, UTC−12). From then on, \
        joining, answering and leaving get 423 with a `detail` until the organiser reopens: \
        `{\"deadline\": null}`, or a later deadline. A deadline already past closes answers at \
        once. GET shows `deadline`, `deadline_time_zone`, `close_after_last_day`, \
        `answers_close_at` and `answers_open`.",
    params(("meeting_url_code" = String, Path)),
    security(("organiser_key" = [])),
    request_body = SetDeadlineRequest,
    responses((status = 200, body = GetMeetingResponse, headers(("ETag" = String))),
        (status = 401, description = "no organiser key sent", body = ErrorResponse),
        (status = 403, description = "a wrong organiser key", body = ErrorResponse),
        (status = 404, body = ErrorResponse),
        (status = 422, description = "not a date and time, a wall time without a zone, one the clocks skip, or an unknown zone", body = ErrorResponse)))]
pub async fn set_deadline(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    Body(body): Body<DeadlineBody>,
) -> Result<Response, ApiError> {
    let code = code(&raw)?;
    state.authorize_organiser(&code, &headers).await?;
    let meeting_zone = time_grid(&state, &code).await?.map(|g| g.zone());
    let zone = body.zone.or(meeting_zone);
    let invalid = |why: &str| {
        ApiError::Validation(vec![crate::error::FieldError::new(
            "value_error",
            vec!["body".into(), "deadline".into()],
            format!("Value error, {why}"),
            body.deadline.clone().into(),
        )])
    };
    let at = match body.deadline.as_deref() {
        None => None,
        Some("now") => Some(state.clock.now()),
        Some(text) => {
            Some(match chrono::DateTime::parse_from_rfc3339(text) {
                Ok(t) => t.with_timezone(&chrono::Utc),
                Err(_) => {
                    let local = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
                    .iter()
                    .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
                    .ok_or_else(|| {
                        invalid("give a date and time, e.g. 2026-12-10T18:00:00+09:00, or 2026-12-10T18:00 with time_zone")
                    })?;
                    let zone = zone.ok_or_else(|| {
                        invalid("a time without an offset needs time_zone (e.g. Asia/Seoul), or give the offset")
                    })?;
                    meetifyr_core::local_instant(local, zone)
                        .map_err(|why| invalid(&format!("{text} in {}: {why}", zone.name())))?
                }
            })
        }
    };
    let deadline = meetifyr_core::Deadline {
        at,
        zone,
        after_last_day: body.close_after_last_day,
    };
    let set = state.store.set_deadline(&code, &deadline).await;
    state.meeting_changed(&code);
    set?;
    meeting_response(&state, &code).await
}

#[utoipa::path(post, path = "/v1/meetings/{meeting_url_code}/calendar_busy", tag = "Meeting",
    description = "Reads a calendar file exported from Google, Apple or Outlook calendars (the \
        `.ics` as the body, at most 1 MiB) and says which of the meeting's days (or, for a time \
        meeting, slots) its events overlap: recurring events (RRULE, RDATE, EXDATE, moved \
        instances) and time zones (TZID) are followed; cancelled events and ones marked free \
        are not busy. A day meeting reads a timed event's day in `time_zone` (default UTC). \
        Nothing is stored or saved: the answer is a proposal to review, then to send to \
        `PUT …/availability`.",
    params(("meeting_url_code" = String, Path),
        ("time_zone" = Option<String>, Query, description = "day meetings: the zone an event's day is read in, e.g. `Asia/Seoul` (default UTC)")),
    request_body(content = String, content_type = "text/calendar", description = "the calendar file"),
    responses((status = 200, body = CalendarBusyResponse),
        (status = 400, description = "the meeting has no range yet", body = ErrorResponse),
        (status = 404, body = ErrorResponse),
        (status = 413, description = "a file larger than 1 MiB", body = ErrorResponse),
        (status = 422, description = "not an iCalendar file (or not UTF-8), or an unknown time_zone", body = ErrorResponse)))]
pub async fn calendar_busy(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<CalendarBusyResponse>, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::detail(StatusCode::PAYLOAD_TOO_LARGE, "the calendar file is larger than 1 MiB")
        } else {
            ApiError::detail(StatusCode::BAD_REQUEST, rejection.body_text())
        }
    })?;
    let pairs = query_pairs(query.as_deref());
    let zone = match asked(&pairs, "time_zone").as_slice() {
        [] => meetifyr_core::Tz::UTC,
        [name] => name.parse().map_err(|_| {
            query_error(
                "time_zone",
                name,
                "Value error, not a time zone of the tz database (e.g. Asia/Seoul)".to_owned(),
            )
        })?,
        [first, ..] => {
            return Err(query_error(
                "time_zone",
                first,
                "Value error, give time_zone once".to_owned(),
            ));
        }
    };
    let meeting = stored_meeting(&state, &raw).await?;
    let unreadable = |why: String| ApiError::detail(StatusCode::UNPROCESSABLE_ENTITY, why);
    let text =
        String::from_utf8(body.to_vec()).map_err(|_| unreadable("the calendar file is not UTF-8 text".into()))?;
    // Parsing and following recurrences is CPU work (bounded): off the async workers.
    let text = std::sync::Arc::new(text);
    let read = |from, to| {
        let text = text.clone();
        async move {
            tokio::task::spawn_blocking(move || crate::ics_import::read(&text, from, to))
                .await
                .map_err(|_| ApiError::detail(StatusCode::INTERNAL_SERVER_ERROR, "internal error"))?
                .map_err(unreadable)
        }
    };
    let response = |kind, busy, free, read: crate::ics_import::Read| CalendarBusyResponse {
        kind,
        busy,
        free,
        events: read.busy.len() as u32,
        skipped: read.skipped,
    };
    match &meeting.grid {
        meetifyr_core::Grid::Days(None) => Err(StoreError::DateRangeNotSet.into()),
        meetifyr_core::Grid::Days(Some(range)) => {
            let found = read(range.start(), range.end()).await?;
            let busy = crate::ics_import::busy_days(&found.busy, *range, zone);
            let free = range
                .days()
                .filter(|d| !busy.contains(d))
                .map(|d| d.to_string())
                .collect();
            let busy = busy.iter().map(|d| d.to_string()).collect();
            Ok(Json(response("days", busy, free, found)))
        }
        meetifyr_core::Grid::Times(grid) => {
            let dates = grid.dates();
            let found = read(dates[0], dates[dates.len() - 1]).await?;
            let busy = crate::ics_import::busy_cells(&found.busy, grid);
            let start = |k: usize| grid.cells()[k].start.map(meetifyr_core::format_instant);
            let free = grid
                .choosable()
                .iter()
                .filter(|k| !busy.contains(k))
                .filter_map(start)
                .collect();
            let busy = busy.iter().filter_map(|&k| start(k)).collect();
            Ok(Json(response("times", busy, free, found)))
        }
    }
}

/// A participant id from the path, refused as [`crate::extract::IntPath`] refuses one.
fn participant_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().map_err(|_| {
        ApiError::Validation(vec![crate::error::FieldError::new(
            "int_parsing",
            vec!["path".into(), "participant_id".into()],
            "Input should be a valid integer, unable to parse string as an integer",
            raw.into(),
        )])
    })
}

#[utoipa::path(put, path = "/v1/meetings/{meeting_url_code}/participants/{participant_id}/required", tag = "Organiser",
    description = "Marks a participant as required, someone the meeting needs, or takes that back \
        (organiser key required). A day (or run of days) a required participant cannot come ranks \
        below every one where all required participants are free, in `best_dates` and \
        `ranking` (`required_free`). GET shows it as each participant's `required`.",
    params(("meeting_url_code" = String, Path), ("participant_id" = i64, Path)),
    security(("organiser_key" = [])),
    request_body = SetRequiredRequest,
    responses((status = 200, body = GetMeetingResponse, headers(("ETag" = String))),
        (status = 401, description = "no organiser key sent", body = ErrorResponse),
        (status = 403, description = "a wrong organiser key", body = ErrorResponse),
        (status = 404, description = "no such meeting, or no such participant in it", body = ErrorResponse),
        (status = 422, description = "`required` is not a boolean", body = ErrorResponse)))]
pub async fn set_required(
    State(state): State<StoreState>,
    Path((raw, id)): Path<(String, String)>,
    headers: HeaderMap,
    Body(body): Body<RequiredBody>,
) -> Result<Response, ApiError> {
    let code = code(&raw)?;
    let id = participant_id(&id)?;
    state.authorize_organiser(&code, &headers).await?;
    let set = state.store.set_required(&code, id, body.required).await;
    state.meeting_changed(&code);
    set?;
    meeting_response(&state, &code).await
}

#[utoipa::path(put, path = "/v1/meetings/{meeting_url_code}/final_slot", tag = "Organiser",
    description = "Settles a time meeting on a slot or a window of consecutive slots of one day \
        (organiser key required), or with `start: null` undoes that. GET shows it as \
        `final_slot`; `event.ics` serves it as a timed event.",
    params(("meeting_url_code" = String, Path)),
    security(("organiser_key" = [])),
    request_body = SetFinalSlotRequest,
    responses((status = 200, body = GetMeetingResponse, headers(("ETag" = String))),
        (status = 401, description = "no organiser key sent", body = ErrorResponse),
        (status = 403, description = "a wrong organiser key", body = ErrorResponse),
        (status = 404, body = ErrorResponse),
        (status = 422, description = "not a slot of the meeting, a window that does not fit that day, or a day meeting", body = ErrorResponse)))]
pub async fn set_final_slot(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    Body(body): Body<FinalSlotBody>,
) -> Result<Response, ApiError> {
    let code = code(&raw)?;
    state.authorize_organiser(&code, &headers).await?;
    let Some(grid) = time_grid(&state, &code).await? else {
        return Err(StoreError::WrongKind("this meeting is over whole days: settle it with final_date").into());
    };
    let window = match body.start {
        None => None,
        Some(start) => {
            let minutes = body.minutes.unwrap_or(u32::from(grid.slot_minutes()));
            let window = grid.window_at(start, minutes).map_err(|why| {
                ApiError::Validation(vec![crate::error::FieldError::new(
                    "value_error",
                    vec!["body".into(), "start".into()],
                    format!("Value error, {why}"),
                    meetifyr_core::format_instant(start).into(),
                )])
            })?;
            Some(window)
        }
    };
    let set = state.store.set_final_slots(&code, window).await;
    state.meeting_changed(&code);
    set?;
    meeting_response(&state, &code).await
}

#[utoipa::path(get, path = "/v1/meetings/{meeting_url_code}/event.ics", tag = "Meeting",
    description = "The finalized meeting as an iCalendar file (RFC 5545): one all-day event with \
        the title, location and a link to the meeting, and a UID that stays the same. 404 until \
        the organiser finalizes a date.",
    params(("meeting_url_code" = String, Path)),
    responses((status = 200, description = "the calendar file", content_type = "text/calendar; charset=utf-8", body = String),
        (status = 404, body = ErrorResponse)))]
pub async fn event_ics(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let meeting = stored_meeting(&state, &raw).await?;
    let Some(when) = settled(&meeting) else {
        return Err(ApiError::detail(
            StatusCode::NOT_FOUND,
            format!("meeting with url_code: {} has no final date yet", meeting.url_code),
        ));
    };
    let link = meeting_link(&state, &headers, &meeting.url_code);
    let body = crate::ics::event(&meeting, when, &link, state.clock.now());
    Ok(calendar_response(&meeting.url_code, body, "attachment"))
}

/// When the organiser settled the meeting, if they did.
fn settled(meeting: &meetifyr_core::Meeting) -> Option<crate::ics::When<'_>> {
    match (&meeting.grid, meeting.final_date, meeting.final_slots) {
        (meetifyr_core::Grid::Days(_), Some(date), _) => Some(crate::ics::When::Days(date, date)),
        (meetifyr_core::Grid::Times(grid), _, Some(window)) => grid
            .window_bounds(window)
            .map(|(start, end)| crate::ics::When::Between(start, end, grid.zone().name())),
        _ => None,
    }
}

/// The meeting's page, as the client reached this server.
fn meeting_link(state: &StoreState, headers: &HeaderMap, code: &UrlCode) -> String {
    format!("{}{}", state.public.base(headers), state.meeting_path(code))
}

fn calendar_response(code: &UrlCode, body: String, disposition: &str) -> Response {
    let disposition = format!("{disposition}; filename=\"meetifyr-{code}.ics\"");
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).expect("a code is ASCII"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

#[utoipa::path(get, path = "/v1/meetings/{meeting_url_code}/calendar.ics", tag = "Meeting",
    description = "The meeting as a calendar feed to subscribe to (iCalendar, RFC 5545; \
        calendars are asked to refresh it hourly). Until the organiser settles a date, the best \
        candidates as tentative, transparent events (at most 3, ranked as `best_dates` or \
        `best_slots` rank them, each with how many are free; none nobody is free for), each \
        with a UID of the meeting and its time. Once settled, the settled event alone, with \
        the UID of `event.ics` (the meeting's code), so the candidates leave the calendar and \
        the event stays one event when it moves. Every event's SEQUENCE is the meeting's \
        version, which rises with every change. `window=N` makes the candidates runs of N days \
        (day meetings), `window_minutes=M` windows of M minutes (time meetings); `lang=ko` \
        writes the summaries in Korean.",
    params(("meeting_url_code" = String, Path),
        ("lang" = Option<String>, Query, description = "`en` (the default) or `ko`", pattern = "^(en|ko)$"),
        ("window" = Option<u32>, Query, description = "day meetings: candidates are runs of this many days", minimum = 1, maximum = 63),
        ("window_minutes" = Option<u32>, Query, description = "time meetings: candidates are windows of this many minutes (a multiple of the slot length)")),
    responses((status = 200, description = "the calendar", content_type = "text/calendar; charset=utf-8", body = String),
        (status = 404, body = ErrorResponse),
        (status = 422, description = "an unknown language, a window that does not fit the meeting, or one for the other kind of meeting", body = ErrorResponse)))]
pub async fn calendar_feed(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, ApiError> {
    let pairs = query_pairs(query.as_deref());
    let asked = |name: &str| asked(&pairs, name);
    let lang = match asked("lang").as_slice() {
        [] => crate::ics::Lang::En,
        [text] => crate::ics::Lang::parse(text)
            .ok_or_else(|| query_error("lang", text, "Value error, lang must be en or ko".to_owned()))?,
        [first, ..] => return Err(query_error("lang", first, "Value error, give lang once".to_owned())),
    };
    let meeting = stored_meeting(&state, &raw).await?;
    let link = meeting_link(&state, &headers, &meeting.url_code);
    let mut calendar = crate::ics::Calendar::new(&meeting, &link, state.clock.now(), lang, true);
    let people = meeting.participants.len();
    let required = meeting.participants.iter().any(|p| p.required);
    let note = |rank: usize, free: u32, required_free: bool| {
        let mut note = lang.candidate(rank, free, people);
        if required && !required_free {
            note.push_str(" · ");
            note.push_str(lang.required_missing());
        }
        Some(note)
    };
    match &meeting.grid {
        meetifyr_core::Grid::Times(grid) => {
            if let Some((name, value)) = pairs.iter().find(|(k, _)| k == "window") {
                let why = format!("Value error, {name} is for day meetings: use window_minutes");
                return Err(query_error(name, value, why));
            }
            let (_, n) = window_cells(grid, &asked("window_minutes"))?;
            if let Some(when) = settled(&meeting) {
                calendar.event(&crate::ics::Event {
                    when,
                    tentative: false,
                    note: None,
                });
            } else {
                let windows = meetifyr_core::rank_windows(&meeting, n);
                let best = windows.iter().filter(|w| w.free > 0).take(meetifyr_core::BEST_DATES);
                for (rank, w) in best.enumerate() {
                    let window = meetifyr_core::SlotWindow {
                        start: w.start,
                        len: w.len,
                    };
                    let Some((start, end)) = grid.window_bounds(window) else {
                        continue;
                    };
                    calendar.event(&crate::ics::Event {
                        when: crate::ics::When::Between(start, end, grid.zone().name()),
                        tentative: true,
                        note: note(rank + 1, w.free, true),
                    });
                }
            }
        }
        meetifyr_core::Grid::Days(range) => {
            if let Some(value) = asked("window_minutes").first() {
                let why = "Value error, window_minutes is for time meetings: use window".to_owned();
                return Err(window_error(value, why));
            }
            let days = range.map_or(0, |r| r.len());
            let len = match asked("window").as_slice() {
                [] => 1,
                [text] => match text.trim().parse::<usize>() {
                    Ok(n) if (1..=days.max(1)).contains(&n) => n,
                    _ => {
                        let why = format!("Value error, window must be a whole number from 1 to {}", days.max(1));
                        return Err(query_error("window", text, why));
                    }
                },
                [first, ..] => return Err(query_error("window", first, "Value error, give window once".to_owned())),
            };
            if let Some(when) = settled(&meeting) {
                calendar.event(&crate::ics::Event {
                    when,
                    tentative: false,
                    note: None,
                });
            } else if let Some(range) = range {
                let query = meetifyr_core::DayWindowQuery {
                    len,
                    ..Default::default()
                };
                let windows = meetifyr_core::rank_day_windows(&meeting, &query);
                let best = windows.iter().filter(|w| w.free > 0).take(meetifyr_core::BEST_DATES);
                let date = |k: usize| range.start() + chrono::Days::new(k as u64);
                for (rank, w) in best.enumerate() {
                    calendar.event(&crate::ics::Event {
                        when: crate::ics::When::Days(date(w.days[0]), date(w.days[w.days.len() - 1])),
                        tentative: true,
                        note: note(rank + 1, w.free, w.required_free),
                    });
                }
            }
        }
    }
    Ok(calendar_response(&meeting.url_code, calendar.finish(), "inline"))
}

#[utoipa::path(get, path = "/v1/meetings/{meeting_url_code}", tag = "Meeting",
    description = "A meeting with its participants, their dates, and the best dates. `ETag` is the \
        meeting's version, which every write to it or its participants increases; send it back in \
        `If-None-Match` to get 304 while nothing changed.",
    params(("meeting_url_code" = String, Path),
        ("If-None-Match" = Option<String>, Header, description = "an ETag received before, e.g. `\"7\"`")),
    responses(
        (status = 200, body = GetMeetingResponse,
            headers(("ETag" = String, description = "the meeting's version, e.g. `\"7\"`"))),
        (status = 304, description = "the version named in If-None-Match is still the current one",
            headers(("ETag" = String))),
        (status = 404, body = ErrorResponse)))]
pub async fn get_meeting(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let snapshot = snapshot(&state, &code(&raw)?).await?;
    let etag = snapshot.etag();
    let mut response = if none_match_hits(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        json_bytes_response(snapshot.json)
    };
    set_validators(&mut response, &etag);
    Ok(response)
}

#[utoipa::path(patch, path = "/v1/meetings/{meeting_url_code}/date_range", tag = "Meeting",
    description = "Sets the date range, once. At most 62 days from start to end; end not before \
        start. With the organiser key (`Authorization: Bearer`), replaces it at any time: answers \
        on days that remain are kept, days added start free and unstarred, days removed are \
        dropped, and a final date outside the new range is cleared.",
    params(("meeting_url_code" = String, Path)),
    security((), ("organiser_key" = [])),
    request_body = UpdateMeetingDateRangeRequest,
    responses((status = 200, body = GetMeetingResponse), (status = 404, body = ErrorResponse),
        (status = 401, description = "an Authorization header that is not `Bearer <key>`", body = ErrorResponse),
        (status = 403, description = "a wrong organiser key", body = ErrorResponse),
        (status = 422, description = "range too long, reversed, already set (without the key), or invalid", body = ErrorResponse)))]
pub async fn update_date_range(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    Body(body): Body<DateRangeBody>,
) -> Result<Response, ApiError> {
    // The original judges the range before looking the meeting up.
    let range = DateRange::new(body.start, body.end)
        .map_err(|e| ApiError::detail(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    let code = code(&raw)?;
    let organiser = crate::auth::bearer(&headers)?.is_some();
    if organiser {
        state.authorize_organiser(&code, &headers).await?;
    }
    let updated = if organiser {
        // A time meeting's grid is set once, at creation.
        if time_grid(&state, &code).await?.is_some() {
            return Err(StoreError::WrongKind(DAYS_ONLY).into());
        }
        state.store.replace_date_range(&code, range).await
    } else {
        state.store.update_date_range(&code, range).await
    };
    state.meeting_changed(&code);
    if let Err(e) = updated {
        return Err(day_route_error(&state, &code, e).await);
    }
    meeting_response(&state, &code).await
}

#[utoipa::path(patch, path = "/v1/meetings/{meeting_url_code}/title", tag = "Meeting",
    params(("meeting_url_code" = String, Path)),
    request_body = UpdateMeetingTitleRequest,
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_title(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    Body(title): Body<Title>,
) -> Result<StatusCode, ApiError> {
    let code = code(&raw)?;
    state
        .wrote(&code, state.store.update_title(&code, &title).await)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(patch, path = "/v1/meetings/{meeting_url_code}/location", tag = "Meeting",
    params(("meeting_url_code" = String, Path)),
    request_body = UpdateMeetingLocationRequest,
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_location(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    Body(location): Body<Location>,
) -> Result<StatusCode, ApiError> {
    let code = code(&raw)?;
    state
        .wrote(&code, state.store.update_location(&code, &location).await)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/v1/participants", tag = "Participant",
    description = "Adds a participant, free on every day of the meeting's range, optionally \
        protected by a password (stored as an Argon2id hash).",
    request_body = CreateParticipantRequest,
    responses((status = 200, body = CreateParticipantResponse), (status = 400, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_participant(
    State(state): State<StoreState>,
    Body(body): Body<CreateParticipantBody>,
) -> Result<Json<CreateParticipantResponse>, ApiError> {
    let code = code(&body.meeting_url_code)?;
    state.ensure_answers_open(&code).await?;
    let hash = match body.password {
        Some(password) => Some(state.auth.hash(password).await?),
        None => None,
    };
    let created = state
        .wrote(
            &code,
            state.store.insert_participant(&code, &body.name, hash.as_deref()).await,
        )
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
    description = "Removes a participant. A protected one needs its password, or the meeting's \
        organiser key (`Authorization: Bearer`).",
    params(("participant_id" = i64, Path),
        ("X-Participant-Password" = Option<String>, Header, description = "the participant's password, if protected")),
    security((), ("organiser_key" = [])),
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse),
        (status = 401, description = "an Authorization header that is not `Bearer <key>`", body = ErrorResponse),
        (status = 403, description = "protected: no password, a wrong one, or a wrong organiser key", body = ErrorResponse),
        (status = 429, description = "too many password attempts for this participant", body = ErrorResponse,
            headers(("Retry-After" = u64, description = "seconds to wait")))))]
pub async fn delete_participant(
    State(state): State<StoreState>,
    IntPath(id): IntPath,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    authorize_removal(&state, id, &headers).await?;
    let deleted = state.store.delete_participant(id).await;
    state.participant_deleted(id);
    let code = deleted?;
    let pushed = state.push(&code).await;
    state.announce_write(&code, pushed).await;
    Ok(StatusCode::NO_CONTENT)
}

/// A participant may be removed by itself (its password, if protected) or by the organiser.
async fn authorize_removal(state: &StoreState, id: i64, headers: &HeaderMap) -> Result<(), ApiError> {
    if crate::auth::bearer(headers)?.is_some() {
        let Some((code, _)) = state.store.participant_password_hash(id).await? else {
            return Err(StoreError::ParticipantNotFound(id).into());
        };
        return state.authorize_organiser(&code, headers).await;
    }
    // Leaving is an answer too: refused once answers closed (the organiser may still remove).
    if let Some((code, _)) = state.store.participant_password_hash(id).await? {
        state.ensure_answers_open(&code).await?;
    }
    let password = crate::auth::header_password(headers);
    Ok(state.authorize_participant(id, None, password.as_deref()).await?)
}

/// The password of a request: the body's field, else the header.
fn password(body: Option<String>, headers: &HeaderMap) -> Option<String> {
    body.or_else(|| crate::auth::header_password(headers))
}

async fn toggle(
    state: &StoreState,
    body: ToggleBody,
    headers: &HeaderMap,
    toggle: Toggle,
) -> Result<Response, ApiError> {
    let code = code(&body.meeting_url_code)?;
    state.ensure_answers_open(&code).await?;
    if let Some((participant, _)) = meetifyr_core::DateId::decode(body.participant_date_id) {
        let password = password(body.password, headers);
        state
            .authorize_participant(participant, Some(&code), password.as_deref())
            .await?;
    }
    let updated = state
        .store
        .update_participant_date(&code, body.participant_date_id, toggle)
        .await;
    state.meeting_changed(&code);
    updated?;
    meeting_response(state, &code).await
}

macro_rules! toggle_handler {
    ($fn:ident, $toggle:expr, $path:literal, $what:literal) => {
        #[utoipa::path(patch, path = $path, tag = "ParticipantDate", description = $what,
            params(("X-Participant-Password" = Option<String>, Header,
                description = "the participant's password, if protected (or `password` in the body)")),
            request_body = TurnOnOffStarParticipantDateRequest,
            responses((status = 200, body = GetMeetingResponse),
                (status = 403, description = "a protected participant: no password or a wrong one", body = ErrorResponse),
                (status = 404, description = "unknown meeting, or a date not of that meeting", body = ErrorResponse),
                (status = 422, body = ErrorResponse),
                (status = 429, description = "too many password attempts for this participant", body = ErrorResponse,
                    headers(("Retry-After" = u64, description = "seconds to wait")))))]
        pub async fn $fn(
            State(state): State<StoreState>,
            headers: HeaderMap,
            Body(body): Body<ToggleBody>,
        ) -> Result<Response, ApiError> {
            toggle(&state, body, &headers, $toggle).await
        }
    };
}

#[utoipa::path(put, path = "/v1/participants/{participant_id}/availability", tag = "Participant",
    description = "Replaces a participant's whole answer in one call (one stroke of a painting \
        user): the days listed in `free` become free, every other day of the range busy, and the \
        days in `starred` starred. Nothing is applied unless all of it is valid. Returns the \
        meeting like the toggles do.",
    params(("participant_id" = i64, Path),
        ("X-Participant-Password" = Option<String>, Header,
            description = "the participant's password, if protected (or `password` in the body)")),
    request_body = ReplaceAvailabilityRequest,
    responses((status = 200, body = GetMeetingResponse, headers(("ETag" = String))),
        (status = 400, description = "the meeting has no range yet", body = ErrorResponse),
        (status = 403, description = "a protected participant: no password or a wrong one", body = ErrorResponse),
        (status = 429, description = "too many password attempts for this participant", body = ErrorResponse,
            headers(("Retry-After" = u64, description = "seconds to wait"))),
        (status = 404, description = "unknown meeting, or a participant not of that meeting", body = ErrorResponse),
        (status = 422, description = "a day or slot listed twice, starred but not free, outside the range or grid, in a daylight-saving gap, or not on the slot grid; dates for a time meeting or times for a day meeting", body = ErrorResponse)))]
pub async fn replace_availability(
    State(state): State<StoreState>,
    IntPath(id): IntPath,
    headers: HeaderMap,
    Body(body): Body<AvailabilityBody>,
) -> Result<Response, ApiError> {
    let code = code(&body.meeting_url_code)?;
    state.ensure_answers_open(&code).await?;
    let password = password(body.password, &headers);
    state
        .authorize_participant(id, Some(&code), password.as_deref())
        .await?;
    let replaced = match body.answer {
        AnswerLists::Days(answer) => match state.store.replace_availability(&code, id, &answer).await {
            // No range: a time meeting takes empty lists as an empty answer, dates not at all.
            Err(StoreError::DateRangeNotSet) => match time_grid(&state, &code).await? {
                Some(grid) if answer.free().is_empty() => {
                    let empty = meetifyr_core::SlotAnswer::parse(&grid, &[], &[]).expect("empty is valid");
                    state.store.replace_slots(&code, id, &grid, &empty).await
                }
                Some(_) => Err(StoreError::WrongKind(TIMES_NEED_SLOTS)),
                None => Err(StoreError::DateRangeNotSet),
            },
            other => other,
        },
        AnswerLists::Times { free, starred } => match time_grid(&state, &code).await? {
            Some(grid) => {
                let answer = meetifyr_core::SlotAnswer::parse(&grid, &free, &starred)
                    .map_err(|errors| ApiError::Validation(errors.iter().map(crate::error::slot_error).collect()))?;
                state.store.replace_slots(&code, id, &grid, &answer).await
            }
            None => match state.store.find_meeting(&code).await? {
                Some(_) => Err(StoreError::WrongKind(DAYS_NEED_DATES)),
                None => Err(StoreError::MeetingNotFound(code.to_string())),
            },
        },
    };
    state.meeting_changed(&code);
    replaced?;
    meeting_response(&state, &code).await
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

#[utoipa::path(get, path = "/v1/meetings/{meeting_url_code}/ranking", tag = "Meeting",
    description = "Every day of the range ranked as `best_dates` ranks them (days where every \
        required participant is free first, then most participants free, then most stars, then \
        earliest), with its counts and who is free. `window=N` adds `day_windows`: every run of \
        N consecutive days ranked the same way by the participants free on all of them, for \
        trips and retreats. `weekdays=` keeps the runs (and days) that start on those weekdays, \
        `skip=` leaves those weekdays out (a run steps over them: 2 days skipping `sat,sun` \
        can be Friday and Monday), `min_free=K` drops what has fewer than K free. Weekdays are \
        `mon`…`sun`, full English names, ISO numbers (Monday = 1) or Korean (`금`, `금요일`), \
        comma-separated. For a time meeting, `windows`: every run of consecutive slots of \
        `window_minutes` within one day (through no daylight-saving gap) ranked by the \
        participants free for all of it, then the stars inside it, then earliest; `days` is \
        empty, and the day parameters are refused.",
    params(("meeting_url_code" = String, Path),
        ("window" = Option<u32>, Query, description = "day meetings: rank runs of this many days (1 to the range's length)", minimum = 1, maximum = 63),
        ("weekdays" = Option<String>, Query, description = "day meetings: only days and runs that start on these weekdays, e.g. `fri` or `fri,sat`"),
        ("skip" = Option<String>, Query, description = "day meetings: leave these weekdays out, e.g. `sat,sun`"),
        ("min_free" = Option<u32>, Query, description = "day meetings: only days and runs with at least this many free", minimum = 0),
        ("window_minutes" = Option<u32>, Query, description = "time meetings: the window length, a multiple of the slot length (default one slot)")),
    responses((status = 200, body = RankingResponse), (status = 404, body = ErrorResponse),
        (status = 422, description = "a window length that does not fit the meeting, an unknown weekday, a parameter given twice, or one for the other kind of meeting", body = ErrorResponse)))]
pub async fn ranking(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Json<RankingResponse>, ApiError> {
    let pairs = query_pairs(query.as_deref());
    let asked = |name: &str| asked(&pairs, name);
    let meeting = stored_meeting(&state, &raw).await?;
    let day_params = ["window", "weekdays", "skip", "min_free"];
    if let meetifyr_core::Grid::Times(grid) = &meeting.grid {
        if let Some((name, value)) = pairs.iter().find(|(k, _)| day_params.contains(&k.as_str())) {
            let why = format!("Value error, {name} ranks the days of a day meeting: use window_minutes");
            return Err(query_error(name, value, why));
        }
        return Ok(Json(rank_windows(&meeting, grid, &asked("window_minutes"))?));
    }
    if let Some(value) = asked("window_minutes").first() {
        let why = "Value error, window_minutes ranks the slots of a time meeting".to_owned();
        return Err(window_error(value, why));
    }
    let days_in_range = meeting.grid.range().map_or(0, |r| r.len());
    let once = |name: &str| -> Result<Option<String>, ApiError> {
        match asked(name).as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one.clone())),
            [first, ..] => Err(query_error(name, first, format!("Value error, give {name} once"))),
        }
    };
    let number = |name: &str, low: usize, high: usize| -> Result<Option<usize>, ApiError> {
        let Some(text) = once(name)? else { return Ok(None) };
        match text.trim().parse::<usize>() {
            Ok(n) if (low..=high).contains(&n) => Ok(Some(n)),
            _ => Err(query_error(
                name,
                &text,
                format!("Value error, {name} must be a whole number from {low} to {high}"),
            )),
        }
    };
    let weekdays = |name: &str| -> Result<Option<meetifyr_core::Weekdays>, ApiError> {
        let Some(text) = once(name)? else { return Ok(None) };
        meetifyr_core::Weekdays::parse(&text).map(Some).map_err(|part| {
            query_error(
                name,
                &text,
                format!("Value error, {part:?} is not a weekday (mon…sun, monday…sunday, 1…7 or 월…일)"),
            )
        })
    };
    let window = number("window", 1, days_in_range.max(1))?;
    let min_free = number("min_free", 0, u32::MAX as usize)?.unwrap_or(0) as u32;
    let starts_on = weekdays("weekdays")?.unwrap_or(meetifyr_core::Weekdays::ALL);
    let skip = weekdays("skip")?.unwrap_or(meetifyr_core::Weekdays::NONE);
    let query = |len| meetifyr_core::DayWindowQuery {
        len,
        starts_on,
        skip,
        min_free,
    };
    let start = meeting.start_date().unwrap_or_default();
    let date = |k: usize| start + chrono::Days::new(k as u64);
    let free_participants = |w: &meetifyr_core::RankedDayWindow| {
        meeting
            .participants
            .iter()
            .filter(|p| w.days.iter().all(|&k| p.answer.is_free(k)))
            .map(|p| RankedParticipant {
                id: p.id,
                name: p.name.clone(),
            })
            .collect()
    };
    let days = meetifyr_core::rank_day_windows(&meeting, &query(1))
        .into_iter()
        .map(|w| RankedDayResponse {
            date: date(w.days[0]),
            free: w.free,
            starred: w.starred,
            required_free: w.required_free,
            free_participants: free_participants(&w),
        })
        .collect();
    let day_windows = window.map(|n| {
        meetifyr_core::rank_day_windows(&meeting, &query(n))
            .into_iter()
            .map(|w| RankedDayWindowResponse {
                start_date: date(w.days[0]),
                end_date: date(w.days[w.days.len() - 1]),
                dates: w.days.iter().map(|&k| date(k)).collect(),
                free: w.free,
                starred: w.starred,
                required_free: w.required_free,
                free_participants: free_participants(&w),
            })
            .collect()
    });
    Ok(Json(RankingResponse {
        participants: meeting.participants.len() as u32,
        days,
        window: window.map(|n| n as u32),
        day_windows,
        window_minutes: None,
        windows: None,
    }))
}

/// A query string's pairs, decoded.
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .iter()
        .flat_map(|q| form_urlencoded::parse(q.as_bytes()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Every value given for `name`.
fn asked(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// A 422 naming query parameter `name` and the value given.
fn query_error(name: &str, value: &str, msg: String) -> ApiError {
    ApiError::Validation(vec![crate::error::FieldError::new(
        "value_error",
        vec!["query".into(), name.into()],
        msg,
        value.into(),
    )])
}

/// A time meeting's ranking: windows of `?window_minutes=` (a multiple of the slot length,
/// at most a day's window; one slot by default).
fn window_error(value: &str, msg: String) -> ApiError {
    query_error("window_minutes", value, msg)
}

/// `?window_minutes=` of a time meeting: a multiple of the slot length, at most a day's
/// window (one slot when not given); the minutes and how many cells they span.
fn window_cells(grid: &meetifyr_core::TimeGrid, asked: &[String]) -> Result<(u32, usize), ApiError> {
    let slot = u32::from(grid.slot_minutes());
    let longest = (0..grid.dates().len())
        .map(|d| grid.day_cells(d).len())
        .max()
        .unwrap_or(1);
    let day = longest as u32 * slot;
    let minutes = match asked {
        [] => slot,
        [text] => match text.parse::<u32>() {
            Ok(m) if m >= slot && m.is_multiple_of(slot) && m <= day.max(slot) => m,
            _ => {
                let why = format!("Value error, window_minutes must be a multiple of {slot} from {slot} to {day}");
                return Err(window_error(text, why));
            }
        },
        [first, ..] => return Err(window_error(first, "Value error, give window_minutes once".to_owned())),
    };
    Ok((minutes, (minutes / slot) as usize))
}

fn rank_windows(
    meeting: &meetifyr_core::Meeting,
    grid: &meetifyr_core::TimeGrid,
    asked: &[String],
) -> Result<RankingResponse, ApiError> {
    let (minutes, n) = window_cells(grid, asked)?;
    let slot = u32::from(grid.slot_minutes());
    let cells = grid.cells();
    let windows = meetifyr_core::rank_windows(meeting, n)
        .into_iter()
        .filter_map(|w| {
            let (first, last) = (cells[w.start], cells[w.start + n - 1]);
            let start = first.start?;
            let end = last.start? + chrono::Duration::minutes(i64::from(slot));
            let end_wall = last.wall_time() + chrono::Duration::minutes(i64::from(slot));
            Some(RankedWindowResponse {
                start: meetifyr_core::format_instant(start),
                end: meetifyr_core::format_instant(end.with_timezone(&grid.zone()).fixed_offset()),
                date: first.date,
                start_time: first.wall_time().format("%H:%M").to_string(),
                end_time: if end_wall == chrono::NaiveTime::MIN && last.minute > 0 {
                    "24:00".to_owned()
                } else {
                    end_wall.format("%H:%M").to_string()
                },
                free: w.free,
                starred: w.starred,
                free_participants: meeting
                    .participants
                    .iter()
                    .filter(|p| meetifyr_core::free_for(&p.answer, &w))
                    .map(|p| RankedParticipant {
                        id: p.id,
                        name: p.name.clone(),
                    })
                    .collect(),
            })
        })
        .collect();
    Ok(RankingResponse {
        participants: meeting.participants.len() as u32,
        days: Vec::new(),
        window: None,
        day_windows: None,
        window_minutes: Some(minutes),
        windows: Some(windows),
    })
}

/// Spreadsheets run cells that start with these as formulas: such a name gets a leading `'`.
fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

#[utoipa::path(get, path = "/v1/meetings/{meeting_url_code}/export.csv", tag = "Meeting",
    description = "The answers as a spreadsheet: a header row (`name` and every day of the range), \
        then one row per participant in joining order with `free`, `busy` or `★` (free and \
        starred) per day. UTF-8 with a byte order mark, so that Excel shows Korean names. \
        `?format=tsv` gives tab-separated values.",
    params(("meeting_url_code" = String, Path),
        ("format" = Option<String>, Query, description = "`csv` (the default) or `tsv`", pattern = "^(csv|tsv)$")),
    responses((status = 200, description = "the file", content(
            (String = "text/csv; charset=utf-8"),
            (String = "text/tab-separated-values; charset=utf-8"))),
        (status = 404, body = ErrorResponse),
        (status = 422, description = "a format other than csv or tsv", body = ErrorResponse)))]
pub async fn export(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, ApiError> {
    // Read by hand: a malformed or repeated parameter must not become axum's plain-text 400.
    let format = query.as_deref().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "format")
            .map(|(_, v)| v.into_owned())
    });
    let (delimiter, content_type, extension) = match format.as_deref() {
        None | Some("csv") => (b',', "text/csv; charset=utf-8", "csv"),
        Some("tsv") => (b'\t', "text/tab-separated-values; charset=utf-8", "tsv"),
        Some(other) => {
            return Err(ApiError::Validation(vec![crate::error::FieldError::new(
                "enum",
                vec!["query".into(), "format".into()],
                "Input should be 'csv' or 'tsv'",
                other.into(),
            )]));
        }
    };
    let meeting = stored_meeting(&state, &raw).await?;
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut writer = csv::WriterBuilder::new().delimiter(delimiter).from_writer(&mut out);
        // Columns: the days of a day meeting, the slot starts of a time meeting (gaps left out).
        let (days, cells): (Vec<String>, Vec<usize>) = match &meeting.grid {
            meetifyr_core::Grid::Days(range) => {
                let days: Vec<String> = range.iter().flat_map(|r| r.days()).map(|d| d.to_string()).collect();
                let cells = (0..days.len()).collect();
                (days, cells)
            }
            meetifyr_core::Grid::Times(grid) => grid
                .cells()
                .iter()
                .enumerate()
                .filter_map(|(k, c)| Some((meetifyr_core::format_instant(c.start?), k)))
                .unzip(),
        };
        let write = |e: csv::Error| ApiError::detail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
        writer
            .write_record(std::iter::once("name").chain(days.iter().map(String::as_str)))
            .map_err(write)?;
        for p in &meeting.participants {
            let cells = cells
                .iter()
                .map(|&k| match (p.answer.is_free(k), p.answer.is_starred(k)) {
                    (true, true) => "★",
                    (true, false) => "free",
                    _ => "busy",
                });
            let name = spreadsheet_safe(&p.name);
            writer
                .write_record(std::iter::once(name.as_ref()).chain(cells))
                .map_err(write)?;
        }
        writer
            .flush()
            .map_err(|e| ApiError::detail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    }
    let disposition = format!("attachment; filename=\"meetifyr-{}.{extension}\"", meeting.url_code);
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).expect("a code is ASCII"),
            ),
        ],
        out,
    )
        .into_response())
}
