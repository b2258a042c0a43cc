//! Request and response bodies, named and shaped as the original's pydantic DTOs.

use axum::{
    body::Bytes,
    http::header,
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use meetifyr_core::{Availability, Location, ParticipantName, Title, serialize_date};
use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::{Fields, FromBody};

/// `GET …/meetings/{code}/ranking`: every day of the range, best first.
#[derive(Serialize, ToSchema)]
pub struct RankingResponse {
    /// Participants of the meeting.
    pub participants: u32,
    /// Most free first, then most stars, then earliest (the order of `best_dates`).
    pub days: Vec<RankedDayResponse>,
}

#[derive(Serialize, ToSchema)]
pub struct RankedDayResponse {
    #[schema(value_type = String, format = Date, example = "2025-12-10")]
    pub date: NaiveDate,
    /// Participants free that day.
    pub free: u32,
    /// Participants free and starring that day.
    pub starred: u32,
    /// Who is free, in the order participants joined.
    pub free_participants: Vec<RankedParticipant>,
}

#[derive(Serialize, ToSchema)]
pub struct RankedParticipant {
    pub id: i64,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreateMeetingResponse {
    pub url_code: String,
    /// The organiser's key, shown this once (the server keeps only its hash): send it as
    /// `Authorization: Bearer <organiser_key>` to change the range, finalize or delete.
    #[schema(example = "3kTq9ZbW0xYvLm2N8pRs4A")]
    pub organiser_key: String,
}

/// A meeting with its participants (in creation order, dates ascending) and its best dates.
/// (The schema; responses are written by `meetifyr_service::MeetingJson`.)
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct GetMeetingResponse {
    pub url_code: String,
    #[schema(value_type = Option<String>, format = Date, example = "2025-12-01")]
    pub start_date: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date, example = "2025-12-31")]
    pub end_date: Option<NaiveDate>,
    pub title: String,
    pub location: String,
    pub participants: Vec<ParticipantResponse>,
    /// Up to 3 dates: most participants free, then most stars, then earliest.
    #[schema(value_type = Vec<String>, example = json!(["2025-12-10", "2025-12-03", "2025-12-11"]))]
    pub best_dates: Vec<NaiveDate>,
    /// The day the organiser settled on (a day of the range), or null.
    #[schema(value_type = Option<String>, format = Date, example = "2025-12-10")]
    pub final_date: Option<NaiveDate>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ParticipantResponse {
    pub id: i64,
    pub name: String,
    pub dates: Vec<ParticipantDateResponse>,
    /// Changing this answer needs the participant's password.
    pub protected: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ParticipantDateResponse {
    /// Derived from the participant and the day: stable, below 2^53.
    pub id: i64,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// Free on that day.
    pub enabled: bool,
    /// Preferred day.
    pub starred: bool,
}

/// A 200 response with a JSON body already serialized.
pub fn json_bytes_response(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `PATCH …/date_range`. Both dates `YYYY-MM-DD`; at most 62 days apart; end not before start.
#[derive(ToSchema)]
#[allow(dead_code)] // the schema's shape; parsing goes through `FromBody`
pub struct UpdateMeetingDateRangeRequest {
    #[schema(value_type = String, format = Date, example = "2025-12-01")]
    start_date: NaiveDate,
    #[schema(value_type = String, format = Date, example = "2025-12-31")]
    end_date: NaiveDate,
}

pub struct DateRangeBody {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl FromBody for DateRangeBody {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        let start = f.date("start_date");
        let end = f.date("end_date");
        Some(Self {
            start: start?,
            end: end?,
        })
    }
}

/// `PATCH …/title`: at most 255 characters, empty allowed.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UpdateMeetingTitleRequest {
    #[schema(max_length = 255, pattern = "^[^\\u0000]*$")]
    title: String,
}

impl FromBody for Title {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        f.text("title", Title::parse)
    }
}

/// `PATCH …/location`: at most 255 characters, empty allowed.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UpdateMeetingLocationRequest {
    #[schema(max_length = 255, pattern = "^[^\\u0000]*$")]
    location: String,
}

impl FromBody for Location {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        f.text("location", Location::parse)
    }
}

/// `POST /participants`: the name is trimmed and must have 1 to 255 characters.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CreateParticipantRequest {
    meeting_url_code: String,
    /// Trimmed when stored; must contain a character that is not white space, and no U+0000.
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000]*[^\\s\\u0085\\u0000][^\\u0000]*$"
    )]
    name: String,
    /// Optional: protects this participant's answer. Changing or deleting it then needs the
    /// password (the `X-Participant-Password` header, or `password` in the body).
    #[schema(min_length = 1, max_length = 128, pattern = "^[^\\u0000]*$")]
    password: Option<String>,
}

pub struct CreateParticipantBody {
    pub meeting_url_code: String,
    pub name: ParticipantName,
    pub password: Option<String>,
}

impl FromBody for CreateParticipantBody {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        let code = f.string("meeting_url_code");
        let name = f.text("name", ParticipantName::parse);
        let password = f.password();
        Some(Self {
            meeting_url_code: code?.to_owned(),
            name: name?,
            password: password?,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreateParticipantResponse {
    pub participant_id: i64,
    /// One per day of the meeting's range, ascending.
    pub participant_dates: Vec<CreatedParticipantDate>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedParticipantDate {
    pub id: i64,
    #[schema(value_type = String, format = Date)]
    #[serde(serialize_with = "serialize_date")]
    pub date: NaiveDate,
}

/// `PATCH /participant_dates/{on,off,star,unstar}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TurnOnOffStarParticipantDateRequest {
    participant_date_id: i64,
    meeting_url_code: String,
    /// The participant's password, if their answer is protected (or send the
    /// `X-Participant-Password` header).
    #[schema(min_length = 1, max_length = 128, pattern = "^[^\\u0000]*$")]
    password: Option<String>,
}

pub struct ToggleBody {
    pub participant_date_id: i64,
    pub meeting_url_code: String,
    pub password: Option<String>,
}

impl FromBody for ToggleBody {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        let id = f.int("participant_date_id");
        let code = f.string("meeting_url_code");
        let password = f.password();
        Some(Self {
            participant_date_id: id?,
            meeting_url_code: code?.to_owned(),
            password: password?,
        })
    }
}

/// `PUT /participants/{participant_id}/availability`: a participant's whole answer in one call.
/// `free` lists the days it is free (every other day of the range is busy), `starred` the free
/// days it prefers. Each day once, every starred day also free, all within the range.
#[derive(ToSchema)]
#[schema(example = json!({"meeting_url_code": "Raw4g2b4tK1M", "free": ["2025-12-01", "2025-12-02", "2025-12-05"], "starred": ["2025-12-05"]}))]
#[allow(dead_code)]
pub struct ReplaceAvailabilityRequest {
    meeting_url_code: String,
    #[schema(max_items = 63, example = json!(["2025-12-01", "2025-12-02"]))]
    free: Vec<NaiveDate>,
    /// Optional; none when left out.
    #[schema(max_items = 63, example = json!(["2025-12-02"]))]
    starred: Option<Vec<NaiveDate>>,
    /// The participant's password, if their answer is protected (or send the
    /// `X-Participant-Password` header).
    #[schema(min_length = 1, max_length = 128, pattern = "^[^\\u0000]*$")]
    password: Option<String>,
}

pub struct AvailabilityBody {
    pub meeting_url_code: String,
    pub answer: Availability,
    pub password: Option<String>,
}

impl FromBody for AvailabilityBody {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        let code = f.string("meeting_url_code");
        let free = f.dates("free", true);
        let starred = f.dates("starred", false);
        let password = f.password();
        let (code, free, starred, password) = (code?, free?, starred?, password?);
        let answer = f.availability(free, starred)?;
        Some(Self {
            meeting_url_code: code.to_owned(),
            answer,
            password,
        })
    }
}

/// `PUT …/meetings/{code}/final_date`: a day of the range, or null to undo.
#[derive(ToSchema)]
#[schema(example = json!({"date": "2025-12-10"}))]
#[allow(dead_code)]
pub struct SetFinalDateRequest {
    #[schema(value_type = Option<String>, format = Date, example = "2025-12-10")]
    date: Option<NaiveDate>,
}

pub struct FinalDateBody {
    pub date: Option<NaiveDate>,
}

impl FromBody for FinalDateBody {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        Some(Self {
            date: f.optional_date("date")?,
        })
    }
}

/// FastAPI's error body: `detail` is a text, or for request validation (422) a list of the
/// fields at fault.
#[derive(ToSchema)]
#[allow(dead_code)] // the schema's shape; errors are written by `ApiError`
pub struct ErrorResponse {
    #[schema(example = "meeting with url_code: abc not found")]
    detail: Detail,
}

#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum Detail {
    Text(String),
    Fields(Vec<ValidationError>),
}

/// One field at fault, as pydantic reports it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ValidationError {
    /// The kind of problem, e.g. `missing`, `string_too_long`, `date_from_datetime_parsing`.
    #[schema(rename = "type")]
    kind: String,
    /// Where: `["body", "name"]`, `["body", "free", 3]`, `["path", "participant_id"]`.
    loc: Vec<LocItem>,
    msg: String,
    /// The value refused (any JSON value).
    input: serde_json::Value,
    /// Details of the rule, e.g. `{"max_length": 255}`.
    #[schema(value_type = Option<Object>)]
    ctx: Option<serde_json::Value>,
}

#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum LocItem {
    Name(String),
    Index(i64),
}
