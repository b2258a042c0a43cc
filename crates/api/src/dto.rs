//! Request and response bodies, named and shaped as the original's pydantic DTOs.

use axum::{
    body::Bytes,
    http::header,
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use meetifyr_core::{
    Location, Meeting, ParticipantName, Title, best_dates, serialize_date, serialize_dates, serialize_opt_date,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::{Fields, FromBody};

#[derive(Serialize, ToSchema)]
pub struct CreateMeetingResponse {
    pub url_code: String,
}

/// A meeting with its participants (in creation order, dates ascending) and its best dates.
#[derive(Serialize, ToSchema)]
pub struct GetMeetingResponse {
    pub url_code: String,
    #[schema(value_type = Option<String>, format = Date, example = "2025-12-01")]
    #[serde(serialize_with = "serialize_opt_date")]
    pub start_date: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date, example = "2025-12-31")]
    #[serde(serialize_with = "serialize_opt_date")]
    pub end_date: Option<NaiveDate>,
    pub title: String,
    pub location: String,
    pub participants: Vec<ParticipantResponse>,
    /// Up to 3 dates: most participants free, then most stars, then earliest.
    #[schema(value_type = Vec<String>, example = json!(["2025-12-10", "2025-12-03", "2025-12-11"]))]
    #[serde(serialize_with = "serialize_dates")]
    pub best_dates: Vec<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantResponse {
    pub id: i64,
    pub name: String,
    pub dates: Vec<ParticipantDateResponse>,
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantDateResponse {
    pub id: i64,
    #[schema(value_type = String, format = Date)]
    #[serde(serialize_with = "serialize_date")]
    pub date: NaiveDate,
    /// Free on that day.
    pub enabled: bool,
    /// Preferred day.
    pub starred: bool,
}

impl GetMeetingResponse {
    /// A generous guess of the JSON size, so the body is written into one allocation.
    fn size_hint(&self) -> usize {
        let dates: usize = self.participants.iter().map(|p| p.dates.len()).sum();
        512 + self.title.len() + self.location.len() + 96 * self.participants.len() + 64 * dates
    }
}

impl GetMeetingResponse {
    /// The JSON body, written into one allocation.
    pub fn to_json(&self) -> Result<Bytes, serde_json::Error> {
        let mut body = Vec::with_capacity(self.size_hint());
        serde_json::to_writer(&mut body, self)?;
        Ok(body.into())
    }
}

/// A 200 response with a JSON body already serialized.
pub fn json_bytes_response(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

impl From<Meeting> for GetMeetingResponse {
    fn from(m: Meeting) -> Self {
        let best_dates = best_dates(&m);
        Self {
            url_code: m.url_code.to_string(),
            start_date: m.start_date,
            end_date: m.end_date,
            title: m.title,
            location: m.location,
            participants: m
                .participants
                .into_iter()
                .map(|p| ParticipantResponse {
                    id: p.id,
                    name: p.name,
                    dates: p
                        .dates
                        .into_iter()
                        .map(|d| ParticipantDateResponse {
                            id: d.id,
                            date: d.date,
                            enabled: d.enabled,
                            starred: d.starred,
                        })
                        .collect(),
                })
                .collect(),
            best_dates,
        }
    }
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
    #[schema(max_length = 255)]
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
    #[schema(max_length = 255)]
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
    #[schema(min_length = 1, max_length = 255)]
    name: String,
}

pub struct CreateParticipantBody {
    pub meeting_url_code: String,
    pub name: ParticipantName,
}

impl FromBody for CreateParticipantBody {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        let code = f.string("meeting_url_code");
        let name = f.text("name", ParticipantName::parse);
        Some(Self {
            meeting_url_code: code?.to_owned(),
            name: name?,
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
}

pub struct ToggleBody {
    pub participant_date_id: i64,
    pub meeting_url_code: String,
}

impl FromBody for ToggleBody {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        let id = f.int("participant_date_id");
        let code = f.string("meeting_url_code");
        Some(Self {
            participant_date_id: id?,
            meeting_url_code: code?.to_owned(),
        })
    }
}

/// FastAPI's error body: a text, or for validation errors a list.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorResponse {
    #[schema(value_type = Object, example = "meeting with url_code: abc not found")]
    detail: serde_json::Value,
}
