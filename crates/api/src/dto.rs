//! Request and response bodies, named and shaped as the original's pydantic DTOs.

use axum::{
    body::Bytes,
    http::header,
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use meetifyr_core::{
    Availability, DateId, Location, Meeting, ParticipantName, Title, best_dates, format_iso_date, serialize_date,
};
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

/// The JSON of a [`GetMeetingResponse`], written by hand straight from the stored meeting: a
/// participant's dates are expanded from its bit sets while writing. Only user text goes
/// through serde_json's escaping; the hundreds of date objects are fixed shapes, and writing
/// them directly costs a fraction of a generic serializer (measured: `bench/core.sh`).
pub struct MeetingJson<'a>(pub &'a Meeting);

impl MeetingJson<'_> {
    /// An upper bound of the JSON's length, for allocating once.
    pub fn size_hint(&self) -> usize {
        let m = self.0;
        let days = m.range.map_or(0, |r| r.len());
        // A date object is at most 79 bytes (a 16-digit id, "enabled":false,"starred":false).
        let text = |s: &str| 2 + 6 * s.len();
        300 + text(&m.title)
            + text(&m.location)
            + m.participants
                .iter()
                .map(|p| 84 + text(&p.name) + 80 * days)
                .sum::<usize>()
    }

    /// Appends the JSON to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        let m = self.0;
        out.extend_from_slice(b"{\"url_code\":");
        serde_json::to_writer(&mut *out, m.url_code.as_str())?;
        out.extend_from_slice(b",\"start_date\":");
        opt_date(out, m.start_date());
        out.extend_from_slice(b",\"end_date\":");
        opt_date(out, m.end_date());
        out.extend_from_slice(b",\"title\":");
        serde_json::to_writer(&mut *out, &m.title)?;
        out.extend_from_slice(b",\"location\":");
        serde_json::to_writer(&mut *out, &m.location)?;
        out.extend_from_slice(b",\"participants\":[");
        // What every participant's k-th date shares: `,"date":"YYYY-MM-DD","enabled":`, and the
        // day's part of the date id (ids are `participant << 22 | day`: see `DateId`).
        let days: Vec<([u8; 31], i64)> = m
            .range
            .map(|r| r.days())
            .into_iter()
            .flatten()
            .map(|d| {
                let mut fragment = *b",\"date\":\"0000-00-00\",\"enabled\":";
                fragment[9..19].copy_from_slice(&format_iso_date(d));
                (fragment, DateId::of_day(d))
            })
            .collect();
        let mut ids = itoa::Buffer::new();
        for (i, p) in m.participants.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"id\":");
            out.extend_from_slice(ids.format(p.id).as_bytes());
            out.extend_from_slice(b",\"name\":");
            serde_json::to_writer(&mut *out, &p.name)?;
            out.extend_from_slice(b",\"dates\":[");
            let base = DateId::of_participant(p.id);
            for (k, (fragment, day)) in days.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"id\":");
                out.extend_from_slice(ids.format(base | day).as_bytes());
                out.extend_from_slice(fragment);
                out.extend_from_slice(if p.free.contains(k) { b"true" } else { b"false" });
                out.extend_from_slice(if p.starred.contains(k) {
                    b",\"starred\":true}"
                } else {
                    b",\"starred\":false}"
                });
            }
            out.extend_from_slice(if p.password_hash.is_some() {
                b"],\"protected\":true}"
            } else {
                b"],\"protected\":false}"
            });
        }
        out.extend_from_slice(b"],\"best_dates\":[");
        for (i, d) in best_dates(m).into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            date(out, d);
        }
        out.extend_from_slice(b"],\"final_date\":");
        opt_date(out, m.final_date);
        out.push(b'}');
        Ok(())
    }
}

fn date(out: &mut Vec<u8>, d: NaiveDate) {
    out.push(b'"');
    out.extend_from_slice(&format_iso_date(d));
    out.push(b'"');
}

fn opt_date(out: &mut Vec<u8>, d: Option<NaiveDate>) {
    match d {
        Some(d) => date(out, d),
        None => out.extend_from_slice(b"null"),
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

#[cfg(test)]
mod tests {
    use meetifyr_core::{DateId, DateRange, DaySet, Participant, UrlCode};
    use serde_json::{Value, json};

    use super::*;

    impl MeetingJson<'_> {
        fn to_vec(&self) -> Vec<u8> {
            let mut out = Vec::with_capacity(self.size_hint());
            self.write(&mut out).unwrap();
            assert!(out.len() <= self.size_hint(), "the size hint is an upper bound");
            out
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_hand_written_json_is_the_documented_shape_with_text_escaped() {
        let name = "Kim \"the\" \\ 김 <script>\u{1}\n";
        let m = Meeting {
            url_code: UrlCode::parse("Abc123").unwrap(),
            title: "t\"itle".into(),
            location: "".into(),
            range: Some(DateRange::new(d("2025-01-30"), d("2025-02-01")).unwrap()),
            version: 3,
            participants: vec![
                Participant {
                    id: 7,
                    name: name.into(),
                    free: DaySet::from_bits(0b110).unwrap(),
                    starred: DaySet::from_bits(0b100).unwrap(),
                    password_hash: None,
                },
                Participant {
                    id: 9,
                    name: "b".into(),
                    free: DaySet::from_bits(0b011).unwrap(),
                    starred: DaySet::EMPTY,
                    password_hash: Some("$argon2id$…".into()),
                },
            ],
            final_date: Some(d("2025-01-31")),
            organiser_key_hash: Some(meetifyr_core::KeyHash::of("k")),
        };
        let written: Value = serde_json::from_slice(&MeetingJson(&m).to_vec()).unwrap();
        let day = |p: i64, s: &str, enabled: bool, starred: bool| json!({"id": DateId::encode(p, d(s)), "date": s, "enabled": enabled, "starred": starred});
        assert_eq!(
            written,
            json!({
                "url_code": "Abc123", "start_date": "2025-01-30", "end_date": "2025-02-01",
                "title": "t\"itle", "location": "",
                "participants": [
                    {"id": 7, "name": name, "dates": [
                        day(7, "2025-01-30", false, false), day(7, "2025-01-31", true, false),
                        day(7, "2025-02-01", true, true)], "protected": false},
                    {"id": 9, "name": "b", "dates": [
                        day(9, "2025-01-30", true, false), day(9, "2025-01-31", true, false),
                        day(9, "2025-02-01", false, false)], "protected": true},
                ],
                "best_dates": ["2025-01-31", "2025-02-01", "2025-01-30"],
                "final_date": "2025-01-31",
            })
        );
        // Key order is the original's too; no hash is ever written.
        let text = String::from_utf8(MeetingJson(&m).to_vec()).unwrap();
        assert!(!text.contains("argon2") && !text.contains(m.organiser_key_hash.as_ref().unwrap().as_str()));
        assert!(text.starts_with(r#"{"url_code":"Abc123","start_date":"2025-01-30","end_date":"2025-02-01","title""#));
        assert!(text.contains(r#"{"id":7,"name":"#));
    }

    #[test]
    fn a_meeting_without_range_or_people_is_written_with_nulls_and_empty_lists() {
        let m = Meeting {
            url_code: UrlCode::parse("x").unwrap(),
            title: String::new(),
            location: String::new(),
            range: None,
            version: 1,
            participants: vec![],
            final_date: None,
            organiser_key_hash: None,
        };
        let text = String::from_utf8(MeetingJson(&m).to_vec()).unwrap();
        assert_eq!(
            text,
            r#"{"url_code":"x","start_date":null,"end_date":null,"title":"","location":"","participants":[],"best_dates":[],"final_date":null}"#
        );
    }
}
