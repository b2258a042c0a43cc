//! Request and response bodies, named and shaped as the original's pydantic DTOs.

use axum::{
    body::Bytes,
    http::header,
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use meetifyr_core::{
    Availability, Location, Meeting, Participant, ParticipantDate, ParticipantName, Title, best_dates, serialize_date,
};
use serde::{Serialize, Serializer, ser::SerializeStruct};
use utoipa::ToSchema;

use crate::extract::{Fields, FromBody};

#[derive(Serialize, ToSchema)]
pub struct CreateMeetingResponse {
    pub url_code: String,
}

/// A meeting with its participants (in creation order, dates ascending) and its best dates.
/// (The schema; responses are written by [`MeetingJson`].)
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
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ParticipantResponse {
    pub id: i64,
    pub name: String,
    pub dates: Vec<ParticipantDateResponse>,
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

/// The JSON of a [`GetMeetingResponse`], written straight from the stored meeting: a
/// participant's dates are expanded from its bit sets while writing, never collected first.
pub struct MeetingJson<'a>(pub &'a Meeting);

impl MeetingJson<'_> {
    /// The JSON body, written into one allocation.
    pub fn to_bytes(&self) -> Result<Bytes, serde_json::Error> {
        let m = self.0;
        let days = m.range.map_or(0, |r| r.len());
        let size = 512 + m.title.len() + m.location.len() + m.participants.len() * (96 + 64 * days);
        let mut body = Vec::with_capacity(size);
        serde_json::to_writer(&mut body, self)?;
        Ok(body.into())
    }
}

impl Serialize for MeetingJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m = self.0;
        let mut out = s.serialize_struct("GetMeetingResponse", 7)?;
        out.serialize_field("url_code", m.url_code.as_str())?;
        out.serialize_field("start_date", &m.start_date().map(IsoDate))?;
        out.serialize_field("end_date", &m.end_date().map(IsoDate))?;
        out.serialize_field("title", &m.title)?;
        out.serialize_field("location", &m.location)?;
        out.serialize_field("participants", &Participants(m))?;
        let best: Vec<IsoDate> = best_dates(m).into_iter().map(IsoDate).collect();
        out.serialize_field("best_dates", &best)?;
        out.end()
    }
}

struct Participants<'a>(&'a Meeting);

impl Serialize for Participants<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m = self.0;
        s.collect_seq(m.participants.iter().map(|p| ParticipantJson(m, p)))
    }
}

struct ParticipantJson<'a>(&'a Meeting, &'a Participant);

impl Serialize for ParticipantJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (m, p) = (self.0, self.1);
        let mut out = s.serialize_struct("ParticipantResponse", 3)?;
        out.serialize_field("id", &p.id)?;
        out.serialize_field("name", &p.name)?;
        out.serialize_field("dates", &Dates(m, p))?;
        out.end()
    }
}

struct Dates<'a>(&'a Meeting, &'a Participant);

impl Serialize for Dates<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.dates(self.1).map(DateJson))
    }
}

struct DateJson(ParticipantDate);

impl Serialize for DateJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = &self.0;
        let mut out = s.serialize_struct("ParticipantDateResponse", 4)?;
        out.serialize_field("id", &d.id)?;
        out.serialize_field("date", &IsoDate(d.date))?;
        out.serialize_field("enabled", &d.enabled)?;
        out.serialize_field("starred", &d.starred)?;
        out.end()
    }
}

/// A date as `YYYY-MM-DD`.
#[derive(Clone, Copy)]
pub struct IsoDate(pub NaiveDate);

impl Serialize for IsoDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_date(&self.0, s)
    }
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

/// `PUT /participants/{participant_id}/availability`: a participant's whole answer in one call.
/// `free` lists the days it is free (every other day of the range is busy), `starred` the free
/// days it prefers. Each day once, every starred day also free, all within the range.
#[derive(ToSchema)]
#[schema(example = json!({"meeting_url_code": "Raw4g2b4tK1M", "free": ["2025-12-01", "2025-12-02", "2025-12-05"], "starred": ["2025-12-05"]}))]
#[allow(dead_code)]
pub struct ReplaceAvailabilityRequest {
    meeting_url_code: String,
    #[schema(value_type = Vec<String>, max_items = 63, example = json!(["2025-12-01", "2025-12-02"]))]
    free: Vec<NaiveDate>,
    /// Optional; none when left out.
    #[schema(value_type = Option<Vec<String>>, max_items = 63, example = json!(["2025-12-02"]))]
    starred: Option<Vec<NaiveDate>>,
}

pub struct AvailabilityBody {
    pub meeting_url_code: String,
    pub answer: Availability,
}

impl FromBody for AvailabilityBody {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        let code = f.string("meeting_url_code");
        let free = f.dates("free", true);
        let starred = f.dates("starred", false);
        let (code, free, starred) = (code?, free?, starred?);
        let answer = f.availability(free, starred)?;
        Some(Self {
            meeting_url_code: code.to_owned(),
            answer,
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
