//! Request and response bodies, named and shaped as the original's pydantic DTOs.

use axum::{
    body::Bytes,
    http::header,
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use chrono::{DateTime, FixedOffset};
use meetifyr_core::{
    Availability, DateRange, Location, ParticipantName, TimeGrid, TimeGridError, Title, serialize_date,
};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::error::{ApiError, FieldError};
use crate::extract::{Fields, FromBody};

/// `GET …/meetings/{code}/ranking`: every day of the range, best first.
#[derive(Serialize, ToSchema)]
pub struct RankingResponse {
    /// Participants of the meeting.
    pub participants: u32,
    /// Most free first, then most stars, then earliest (the order of `best_dates`). Empty for
    /// a time meeting.
    pub days: Vec<RankedDayResponse>,
    /// A day meeting's run length ranked (`?window=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<u32>,
    /// With `?window=`: every run of that many days (leaving out `skip`'s weekdays), best first
    /// as `days` are ranked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day_windows: Option<Vec<RankedDayWindowResponse>>,
    /// A time meeting's window length ranked (`?window_minutes=`, by default one slot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_minutes: Option<u32>,
    /// A time meeting's windows of that length (consecutive slots of one day, through no
    /// daylight-saving gap): most participants free for all of it, then most stars inside
    /// it, then earliest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub windows: Option<Vec<RankedWindowResponse>>,
}

#[derive(Serialize, ToSchema)]
pub struct RankedWindowResponse {
    /// When it starts, RFC 3339 with the meeting zone's offset.
    #[schema(example = "2026-03-02T09:00:00+09:00")]
    pub start: String,
    /// When it ends.
    #[schema(example = "2026-03-02T10:30:00+09:00")]
    pub end: String,
    /// Its date and wall times in the meeting's zone.
    #[schema(value_type = String, format = Date, example = "2026-03-02")]
    #[serde(serialize_with = "serialize_date")]
    pub date: NaiveDate,
    #[schema(example = "09:00")]
    pub start_time: String,
    #[schema(example = "10:30")]
    pub end_time: String,
    /// Participants free in every slot of it.
    pub free: u32,
    /// Stars those participants gave inside it.
    pub starred: u32,
    pub free_participants: Vec<RankedParticipant>,
}

#[derive(Serialize, ToSchema)]
pub struct RankedDayWindowResponse {
    #[schema(value_type = String, format = Date, example = "2025-12-12")]
    #[serde(serialize_with = "serialize_date")]
    pub start_date: NaiveDate,
    #[schema(value_type = String, format = Date, example = "2025-12-14")]
    #[serde(serialize_with = "serialize_date")]
    pub end_date: NaiveDate,
    /// Its days in order (without skipped weekdays).
    #[schema(value_type = Vec<String>, example = json!(["2025-12-12", "2025-12-13", "2025-12-14"]))]
    pub dates: Vec<NaiveDate>,
    /// Participants free on every one of its days.
    pub free: u32,
    /// Stars those participants gave on its days.
    pub starred: u32,
    /// Every required participant is free on all of its days (true when nobody is required).
    pub required_free: bool,
    pub free_participants: Vec<RankedParticipant>,
}

#[derive(Serialize, ToSchema)]
pub struct RankedDayResponse {
    #[schema(value_type = String, format = Date, example = "2025-12-10")]
    pub date: NaiveDate,
    /// Participants free that day.
    pub free: u32,
    /// Participants free and starring that day.
    pub starred: u32,
    /// Every required participant is free that day (true when nobody is required).
    pub required_free: bool,
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
    /// `times` for a meeting over times of day; absent for a day meeting.
    #[schema(example = "times")]
    pub kind: Option<String>,
    /// A time meeting's grid as created.
    pub time_grid: Option<TimeGridResponse>,
    /// A time meeting's slots, day by day, each day in the order its instants happen.
    pub slots: Option<Vec<SlotResponse>>,
    /// A time meeting's up to 3 best slots (start times): most free, then most stars, then
    /// earliest; slots nobody is free in are left out.
    #[schema(example = json!(["2026-03-02T10:00:00+09:00"]))]
    pub best_slots: Option<Vec<String>>,
    /// The window a time meeting's organiser settled on (`PUT …/final_slot`), or null.
    pub final_slot: Option<FinalSlotResponse>,
    /// The organiser's answer deadline (`PUT …/deadline`) in the zone it was given in (else
    /// UTC), or null.
    #[schema(format = DateTime, example = "2026-12-10T18:00:00+09:00")]
    pub deadline: Option<String>,
    /// The zone the deadline was given in (a time meeting: its own), or null.
    #[schema(example = "Asia/Seoul")]
    pub deadline_time_zone: Option<String>,
    /// Whether answers also close once the last day is over.
    pub close_after_last_day: bool,
    /// When answers close (UTC), whichever closes them first; null: they stay open.
    #[schema(format = DateTime, example = "2026-12-10T09:00:00Z")]
    pub answers_close_at: Option<String>,
    /// Whether joining, answering and leaving are taken now (false: they get 423 until the
    /// organiser reopens).
    pub answers_open: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FinalSlotResponse {
    #[schema(example = "2026-03-02T10:00:00+09:00")]
    pub start: String,
    #[schema(example = "2026-03-02T11:30:00+09:00")]
    pub end: String,
    #[schema(example = 90)]
    pub minutes: u32,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TimeGridResponse {
    #[schema(value_type = Vec<String>, example = json!(["2026-03-02", "2026-03-03"]))]
    pub dates: Vec<NaiveDate>,
    #[schema(example = "09:00")]
    pub day_start: String,
    #[schema(example = "18:00")]
    pub day_end: String,
    #[schema(example = 30)]
    pub slot_minutes: u16,
    #[schema(example = "Asia/Seoul")]
    pub time_zone: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SlotResponse {
    /// When it starts, RFC 3339 with the zone's offset then: its first 10 characters are its
    /// date and the next 5 after `T` its wall time in the meeting's zone. Absent in a gap.
    #[schema(example = "2026-03-02T09:30:00+09:00")]
    pub start: Option<String>,
    /// The same instant in UTC. Absent in a gap.
    #[schema(example = "2026-03-02T00:30:00Z")]
    pub utc: Option<String>,
    /// A gap's date (a slot that has a start has it there).
    #[schema(value_type = Option<String>, format = Date, example = "2026-03-29")]
    pub date: Option<NaiveDate>,
    /// A gap's wall time.
    #[schema(example = "02:00")]
    pub time: Option<String>,
    /// `true` for a wall time that does not exist that day (clocks spring forward): it cannot
    /// be chosen. Absent otherwise.
    pub gap: Option<bool>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ParticipantResponse {
    pub id: i64,
    pub name: String,
    /// One per day of the range; empty for a time meeting.
    pub dates: Vec<ParticipantDateResponse>,
    /// A time meeting's: the slots this participant is free in, as indices into `slots`.
    #[schema(example = json!([0, 1, 2, 5]))]
    pub free: Option<Vec<u32>>,
    /// A time meeting's: the free slots this participant prefers (indices into `slots`).
    #[schema(example = json!([2]))]
    pub starred: Option<Vec<u32>>,
    /// Changing this answer needs the participant's password.
    pub protected: bool,
    /// The organiser marked them as required: days they cannot come rank below the others.
    pub required: bool,
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
    /// One per day of the meeting's range, ascending; none for a time meeting.
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
/// For a day meeting `free` lists the days it is free (`YYYY-MM-DD`; every other day of the
/// range is busy), `starred` the free days it prefers. For a time meeting both list slot start
/// times (RFC 3339 with an offset, in any zone: `2026-03-02T09:30:00+09:00` and
/// `2026-03-02T00:30:00Z` name the same slot), each one of the meeting's `slots`, none in a
/// daylight-saving gap. Each item once, every starred one also free.
#[derive(ToSchema)]
#[schema(example = json!({"meeting_url_code": "Raw4g2b4tK1M", "free": ["2025-12-01", "2025-12-02", "2025-12-05"], "starred": ["2025-12-05"]}))]
#[allow(dead_code)]
pub struct ReplaceAvailabilityRequest {
    meeting_url_code: String,
    /// Dates (at most 63) or slot start times (at most 6,112).
    #[schema(max_items = 6112, example = json!(["2025-12-01", "2025-12-02"]))]
    free: Vec<String>,
    /// Optional; none when left out.
    #[schema(max_items = 6112, example = json!(["2025-12-02"]))]
    starred: Option<Vec<String>>,
    /// The participant's password, if their answer is protected (or send the
    /// `X-Participant-Password` header).
    #[schema(min_length = 1, max_length = 128, pattern = "^[^\\u0000]*$")]
    password: Option<String>,
}

pub struct AvailabilityBody {
    pub meeting_url_code: String,
    pub answer: AnswerLists,
    pub password: Option<String>,
}

/// What an answer lists: days (`YYYY-MM-DD`) for a day meeting, slot start times for a time
/// meeting (checked against its grid once it is read). Empty lists read as days.
pub enum AnswerLists {
    Days(Availability),
    Times {
        free: Vec<DateTime<FixedOffset>>,
        starred: Vec<DateTime<FixedOffset>>,
    },
}

/// Slot times one list may hold: every cell of the largest grid.
pub const MAX_SLOTS_LISTED: usize = 63 * 96 + 64; // 6,112

impl FromBody for AvailabilityBody {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        let code = f.string("meeting_url_code");
        let answer = if f.lists_times(&["free", "starred"]) {
            let free = f.instants("free", true, MAX_SLOTS_LISTED);
            let starred = f.instants("starred", false, MAX_SLOTS_LISTED);
            free.zip(starred)
                .map(|(free, starred)| AnswerLists::Times { free, starred })
        } else {
            let free = f.dates("free", true);
            let starred = f.dates("starred", false);
            free.zip(starred)
                .and_then(|(free, starred)| f.availability(free, starred))
                .map(AnswerLists::Days)
        };
        let password = f.password();
        let (code, answer, password) = (code?, answer?, password?);
        Some(Self {
            meeting_url_code: code.to_owned(),
            answer,
            password,
        })
    }
}

/// `POST /v1/meetings`: no body (a day meeting, as the original), or a time meeting's grid.
#[derive(ToSchema)]
#[schema(example = json!({"kind": "times", "start_date": "2026-03-02", "end_date": "2026-03-06",
    "day_start": "09:00", "day_end": "18:00", "slot_minutes": 30, "time_zone": "Asia/Seoul"}))]
#[allow(dead_code)]
pub struct CreateMeetingRequest {
    /// `days` (the default: set the range after, with `PATCH …/date_range`) or `times`.
    #[schema(pattern = "^(days|times)$", example = "times")]
    kind: Option<String>,
    /// Times: the chosen dates, in any order, at most 63, not necessarily consecutive.
    /// Instead of `start_date` and `end_date`.
    #[schema(value_type = Option<Vec<String>>, max_items = 63, example = json!(["2026-03-03", "2026-03-05"]))]
    dates: Option<Vec<NaiveDate>>,
    /// Times: the first day of a range of at most 63 days (with `end_date`).
    #[schema(value_type = Option<String>, format = Date, example = "2026-03-02")]
    start_date: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date, example = "2026-03-06")]
    end_date: Option<NaiveDate>,
    /// Times: the first slot's wall time in the meeting's zone, `HH:MM`.
    #[schema(pattern = "^[0-2][0-9]:[0-5][0-9]$", example = "09:00")]
    day_start: Option<String>,
    /// Times: where the last slot ends, `HH:MM` (`24:00` for midnight).
    #[schema(pattern = "^[0-2][0-9]:[0-5][0-9]$", example = "18:00")]
    day_end: Option<String>,
    /// Times: 15, 30 or 60.
    #[schema(example = 30)]
    slot_minutes: Option<u16>,
    /// Times: an IANA time zone, e.g. `Asia/Seoul`, `Europe/Berlin`, `America/New_York`.
    #[schema(example = "Asia/Seoul")]
    time_zone: Option<String>,
}

const TIME_FIELDS: [&str; 7] = [
    "dates",
    "start_date",
    "end_date",
    "day_start",
    "day_end",
    "slot_minutes",
    "time_zone",
];

/// A create request as read: a day meeting, or a time meeting's grid.
pub enum CreateMeetingBody {
    Days,
    Times(TimeGrid),
}

impl CreateMeetingBody {
    /// An empty body, `null`, `{}` or `{"kind": "days"}` is a day meeting, as before times
    /// existed.
    pub fn parse(bytes: &[u8]) -> Result<Self, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::Days);
        }
        let value = crate::extract::parse_json(bytes)?;
        if value.is_null() {
            return Ok(Self::Days);
        }
        let mut f = Fields::of(&value)?;
        let kind = f.optional_string("kind");
        match kind {
            Some(None | Some("days")) => {
                // A grid's fields without `kind: times` are a mistake, not a day meeting.
                let present: Vec<&str> = TIME_FIELDS.iter().copied().filter(|n| f.has(n)).collect();
                for field in present {
                    let input = value.get(field).cloned().unwrap_or(Value::Null);
                    f.push(FieldError::new(
                        "value_error",
                        vec![json!("body"), json!(field)],
                        "Value error, only for a time meeting: set \"kind\": \"times\"",
                        input,
                    ));
                }
                let errors = f.into_errors();
                return if errors.is_empty() {
                    Ok(Self::Days)
                } else {
                    Err(ApiError::Validation(errors))
                };
            }
            Some(Some("times")) => {}
            Some(Some(other)) => {
                f.push(FieldError::new(
                    "enum",
                    vec![json!("body"), json!("kind")],
                    "Input should be 'days' or 'times'",
                    json!(other),
                ));
                return Err(ApiError::Validation(f.into_errors()));
            }
            None => return Err(ApiError::Validation(f.into_errors())),
        }
        let dates = if f.has("dates") {
            f.dates("dates", true)
        } else {
            let (start, end) = (f.date("start_date"), f.date("end_date"));
            match (start, end) {
                (Some(start), Some(end)) => match DateRange::new(start, end) {
                    Ok(range) => Some(range.days().collect()),
                    Err(e) => {
                        f.push(FieldError::new(
                            "value_error",
                            vec![json!("body"), json!("end_date")],
                            format!("Value error, {e}"),
                            json!(end.to_string()),
                        ));
                        None
                    }
                },
                _ => None,
            }
        };
        let day_start = f.string("day_start");
        let day_end = f.string("day_end");
        let slot = f.int("slot_minutes");
        let zone = f.string("time_zone");
        let (Some(dates), Some(day_start), Some(day_end), Some(slot), Some(zone)) =
            (dates, day_start, day_end, slot, zone)
        else {
            return Err(ApiError::Validation(f.into_errors()));
        };
        let slot = u16::try_from(slot).unwrap_or(0);
        TimeGrid::new(dates, day_start, day_end, slot, zone)
            .map(Self::Times)
            .map_err(|e| {
                let field = match &e {
                    TimeGridError::NoDates | TimeGridError::TooManyDates | TimeGridError::RepeatedDate(_) => "dates",
                    TimeGridError::SlotMinutes => "slot_minutes",
                    TimeGridError::Time(t) if t == day_end => "day_end",
                    TimeGridError::Time(_) | TimeGridError::EmptyDay | TimeGridError::Misaligned(_) => "day_start",
                    TimeGridError::Zone(_) => "time_zone",
                };
                let input = value.get(field).cloned().unwrap_or(Value::Null);
                ApiError::Validation(vec![FieldError::new(
                    "value_error",
                    vec![json!("body"), json!(field)],
                    format!("Value error, {e}"),
                    input,
                )])
            })
    }
}

/// `PUT …/meetings/{code}/final_date`: a day of the range, or null to undo.
#[derive(ToSchema)]
#[schema(example = json!({"date": "2025-12-10"}))]
#[allow(dead_code)]
pub struct SetFinalDateRequest {
    #[schema(value_type = Option<String>, format = Date, example = "2025-12-10", required = true)]
    date: Option<NaiveDate>,
}

/// `PUT …/meetings/{code}/participants/{id}/required`.
#[derive(ToSchema)]
#[schema(example = json!({"required": true}))]
#[allow(dead_code)]
pub struct SetRequiredRequest {
    /// Whether the meeting needs this participant.
    required: bool,
}

/// `PUT …/meetings/{code}/final_slot`: a time meeting's window, or `start: null` to undo.
#[derive(ToSchema)]
#[schema(example = json!({"start": "2026-03-02T10:00:00+09:00", "minutes": 90}))]
#[allow(dead_code)]
pub struct SetFinalSlotRequest {
    /// One of the meeting's slot starts, in any offset; null undoes the choice.
    #[schema(format = DateTime, example = "2026-03-02T10:00:00+09:00", required = true)]
    start: Option<String>,
    /// How long: a multiple of the slot length within that day (default one slot).
    #[schema(example = 90, minimum = 1)]
    minutes: Option<u32>,
}

pub struct FinalSlotBody {
    pub start: Option<DateTime<FixedOffset>>,
    pub minutes: Option<u32>,
}

impl FromBody for FinalSlotBody {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        let start = f.optional_instant("start");
        let minutes = if f.has("minutes") {
            f.int("minutes").map(|m| Some(u32::try_from(m).unwrap_or(0)))
        } else {
            Some(None)
        };
        Some(Self {
            start: start?,
            minutes: minutes?,
        })
    }
}

pub struct RequiredBody {
    pub required: bool,
}

impl FromBody for RequiredBody {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        Some(Self {
            required: f.boolean("required")?,
        })
    }
}

/// `POST …/meetings/{code}/calendar_busy`: what an uploaded calendar says, for review. Nothing
/// is saved: send `free` (or your own choice) to `PUT …/availability` to answer with it.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"kind": "days", "busy": ["2026-03-03"], "free": ["2026-03-02", "2026-03-04"],
    "events": 2, "skipped": []}))]
pub struct CalendarBusyResponse {
    /// `days` or `times`.
    pub kind: &'static str,
    /// The days (`YYYY-MM-DD`) or slot starts (RFC 3339) the calendar has an event in: proposed busy.
    pub busy: Vec<String>,
    /// Every other day of the range, or choosable slot: the answer it proposes, as `free`.
    pub free: Vec<String>,
    /// Occurrences of events found around the meeting's days.
    pub events: u32,
    /// Events that could not be read, each with why (the others still count).
    pub skipped: Vec<String>,
}

/// `PUT …/meetings/{code}/deadline`: when answers close, or `deadline: null` (and no
/// `close_after_last_day`) to keep them open.
#[derive(ToSchema)]
#[schema(example = json!({"deadline": "2026-12-10T18:00", "time_zone": "Asia/Seoul", "close_after_last_day": false}))]
#[allow(dead_code)]
pub struct SetDeadlineRequest {
    /// RFC 3339 with an offset (`2026-12-10T18:00:00+09:00`), or a wall time
    /// (`2026-12-10T18:00`) in `time_zone` (a time meeting: its own zone by default), or `now`;
    /// null for none.
    #[schema(example = "2026-12-10T18:00", required = true)]
    deadline: Option<String>,
    /// An IANA time zone: where a wall-time deadline is, how it is shown, and where a day
    /// meeting's last day ends (otherwise anywhere on Earth, UTC−12).
    #[schema(example = "Asia/Seoul")]
    time_zone: Option<String>,
    /// Also close answers once the meeting's last day is over (default false).
    close_after_last_day: Option<bool>,
}

pub struct DeadlineBody {
    pub deadline: Option<String>,
    pub zone: Option<meetifyr_core::Tz>,
    pub close_after_last_day: bool,
}

impl FromBody for DeadlineBody {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        let deadline = f.nullable_string("deadline");
        let zone = match f.optional_string("time_zone") {
            None => None,
            Some(None) => Some(None),
            Some(Some(name)) => match name.parse::<meetifyr_core::Tz>() {
                Ok(zone) => Some(Some(zone)),
                Err(_) => {
                    f.invalid("time_zone", "not a time zone of the tz database (e.g. Asia/Seoul)");
                    None
                }
            },
        };
        let close_after_last_day = f.optional_boolean("close_after_last_day", false);
        Some(Self {
            deadline: deadline?.map(str::to_owned),
            zone: zone?,
            close_after_last_day: close_after_last_day?,
        })
    }
}

/// `POST …/meetings/{code}/duplicate`: how far to move the copy's days.
#[derive(ToSchema)]
#[schema(example = json!({"shift_weeks": 1}))]
#[allow(dead_code)]
pub struct DuplicateMeetingRequest {
    /// Weeks to move every day by (negative: earlier), so weekdays stay the same.
    #[schema(minimum = -520, maximum = 520, example = 1)]
    shift_weeks: i32,
}

pub struct DuplicateBody {
    pub shift_weeks: i32,
}

impl FromBody for DuplicateBody {
    fn from_body(f: &mut Fields<'_>) -> Option<Self> {
        Some(Self {
            shift_weeks: f.int_within("shift_weeks", -520, 520)? as i32,
        })
    }
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
