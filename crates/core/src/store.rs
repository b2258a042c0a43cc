//! The storage seam: one trait every backend implements, one error type they all return.

use async_trait::async_trait;
use chrono::NaiveDate;

use crate::{
    Availability, AvailabilityError, CreatedParticipant, DateRange, KeyHash, Location, Meeting, ParticipantName, Title,
    Toggle, UrlCode,
};

type Source = Box<dyn std::error::Error + Send + Sync>;

/// What can go wrong in a store. The `Display` of the first group is the API's `detail` text,
/// verbatim from the original service.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("meeting with url_code: {0} not found")]
    MeetingNotFound(String),
    #[error("participant with id: {0} not found")]
    ParticipantNotFound(i64),
    #[error("participant_date with id: {id} not found in meeting with url_code: {url_code}")]
    ParticipantDateNotFound { id: i64, url_code: String },
    #[error("meeting: {url_code} start: {} end: {} are already set", show(*.start), show(*.end))]
    DateRangeAlreadySet {
        url_code: String,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    },
    #[error("start and end should be set.")]
    DateRangeNotSet,
    /// A final date that is not a day of the meeting's range.
    #[error("the final date {date} is not a day of the meeting's range")]
    FinalDateOutsideRange { date: NaiveDate },
    /// Days of an answer that the meeting's range does not hold.
    #[error("the answer names days outside the meeting's range")]
    Availability(Vec<AvailabilityError>),
    /// A route for one kind of meeting used on the other (the text says which).
    #[error("{0}")]
    WrongKind(&'static str),
    /// The generated url code exists already; the caller draws another.
    #[error("url code already taken")]
    DuplicateUrlCode,
    /// The database cannot be reached right now (connection refused, pool exhausted, I/O).
    #[error("storage backend unavailable")]
    Unavailable(#[source] Source),
    /// Anything else the database reported. Never shown to clients.
    #[error("storage backend failed")]
    Backend(#[source] Source),
}

/// Connections a store holds: open in all, and idle among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
}

/// Python's `str(None)`, as the original printed missing dates.
fn show(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "None".to_owned(), |d| d.to_string())
}

/// Meetings, participants and their dates. Implementations must make every method atomic:
/// a failed call leaves nothing half-written.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The backend's kind, e.g. `"sqlite"`.
    fn backend(&self) -> &'static str;

    /// Connections of this store's pools, if it has any.
    fn pool_stats(&self) -> Option<PoolStats> {
        None
    }

    /// Ok when the database answers a trivial query.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Stores a new meeting with empty title and location and no range, and the hash of its
    /// organiser's key. `DuplicateUrlCode` when the code exists.
    async fn insert_meeting(&self, code: &UrlCode, organiser_key: Option<&KeyHash>) -> Result<(), StoreError>;

    /// Stores a new meeting over times of day with its grid (which never changes), empty title
    /// and location. `DuplicateUrlCode` when the code exists.
    async fn insert_time_meeting(
        &self,
        code: &UrlCode,
        organiser_key: Option<&KeyHash>,
        grid: &crate::TimeGrid,
    ) -> Result<(), StoreError>;

    /// Replaces a participant's answer to a time meeting and bumps the version, atomically.
    /// `grid` is the meeting's, which the answer was checked against. `MeetingNotFound`,
    /// `ParticipantNotFound` (also for another meeting's participant), `WrongKind` for a day
    /// meeting.
    async fn replace_slots(
        &self,
        code: &UrlCode,
        participant_id: i64,
        grid: &crate::TimeGrid,
        answer: &crate::SlotAnswer,
    ) -> Result<(), StoreError>;

    /// The hash of the meeting's organiser key (`None`: created without one).
    /// `MeetingNotFound`.
    async fn organiser_key_hash(&self, code: &UrlCode) -> Result<Option<KeyHash>, StoreError>;

    /// Replaces the range, set or not, and bumps the version, atomically: each participant keeps
    /// its answers on the days that remain, days added start free and unstarred, days removed
    /// are dropped, and a final date outside the new range is cleared. `MeetingNotFound`.
    async fn replace_date_range(&self, code: &UrlCode, range: DateRange) -> Result<(), StoreError>;

    /// Deletes the meeting and everything in it. `MeetingNotFound`.
    async fn delete_meeting(&self, code: &UrlCode) -> Result<(), StoreError>;

    /// Sets (or with `None` clears) the final date and bumps the version. `MeetingNotFound`,
    /// `DateRangeNotSet`, or `FinalDateOutsideRange`.
    async fn set_final_date(&self, code: &UrlCode, date: Option<NaiveDate>) -> Result<(), StoreError>;

    /// Sets (or with `None` clears) the window a time meeting settled on and bumps the
    /// version; the window was checked against the meeting's grid. `MeetingNotFound`,
    /// `WrongKind` for a day meeting.
    async fn set_final_slots(&self, code: &UrlCode, window: Option<crate::SlotWindow>) -> Result<(), StoreError>;

    /// The meeting a participant belongs to and its password hash, or `Ok(None)` when there is
    /// no such participant.
    async fn participant_password_hash(&self, id: i64) -> Result<Option<(UrlCode, Option<String>)>, StoreError>;

    /// The meeting with everything GET shows, or `Ok(None)`.
    async fn find_meeting(&self, code: &UrlCode) -> Result<Option<Meeting>, StoreError>;

    /// The meeting's current version alone (one indexed row), or `Ok(None)`: what a cached copy
    /// is checked against when several instances share the database.
    async fn meeting_version(&self, code: &UrlCode) -> Result<Option<i64>, StoreError>;

    /// Sets the range once (and bumps the version). `MeetingNotFound`, or `DateRangeAlreadySet` with the stored values;
    /// of two racing calls exactly one succeeds.
    async fn update_date_range(&self, code: &UrlCode, range: DateRange) -> Result<(), StoreError>;

    /// Bumps the version. `MeetingNotFound` only when no such meeting exists (writing the same
    /// value is fine).
    async fn update_title(&self, code: &UrlCode, title: &Title) -> Result<(), StoreError>;

    /// As [`Store::update_title`].
    async fn update_location(&self, code: &UrlCode, location: &Location) -> Result<(), StoreError>;

    /// Creates a participant free on every day of the meeting's range (of a time meeting: free
    /// in no slot), none starred, protected by `password_hash` if given, and bumps the
    /// meeting's version, atomically. `MeetingNotFound`, `DateRangeNotSet`.
    async fn insert_participant(
        &self,
        code: &UrlCode,
        name: &ParticipantName,
        password_hash: Option<&str>,
    ) -> Result<CreatedParticipant, StoreError>;

    /// Deletes a participant and bumps its meeting's version; returns that meeting's code.
    /// `ParticipantNotFound`.
    async fn delete_participant(&self, id: i64) -> Result<UrlCode, StoreError>;

    /// Replaces when the meeting stops taking answers (`Deadline::NONE`: never), bumping the
    /// version. `MeetingNotFound`.
    async fn set_deadline(&self, code: &UrlCode, deadline: &crate::Deadline) -> Result<(), StoreError>;

    /// Marks participant `id` of meeting `code` as required or not, bumping the version in the
    /// same statement; [`StoreError::ParticipantNotFound`] if it is not that meeting's.
    async fn set_required(&self, code: &UrlCode, id: i64, required: bool) -> Result<(), StoreError>;

    /// How many meetings are stored.
    async fn count_meetings(&self) -> Result<u64, StoreError>;

    /// Codes of stored meetings in ascending order, after `after`, at most `limit`: for walking
    /// every meeting (see `meetifyr copy`).
    async fn list_meeting_codes(&self, after: Option<&UrlCode>, limit: u32) -> Result<Vec<UrlCode>, StoreError>;

    /// Stores a meeting exactly as given, keeping its participants' ids and its version, in one
    /// transaction; ids created later continue after them. `DuplicateUrlCode` if the code exists.
    async fn import_meeting(&self, meeting: &Meeting) -> Result<(), StoreError>;

    /// Applies a toggle to one day (a [`crate::DateId`]) of a participant of that meeting, and
    /// bumps the version, in one atomic step that concurrent toggles cannot undo. A day outside
    /// the range, another meeting's participant or an id naming nothing modifies nothing:
    /// `MeetingNotFound` or `ParticipantDateNotFound`.
    async fn update_participant_date(&self, code: &UrlCode, date_id: i64, toggle: Toggle) -> Result<(), StoreError>;

    /// Replaces a participant's whole answer and bumps the version, atomically.
    /// `MeetingNotFound`, `ParticipantNotFound` (also for another meeting's participant),
    /// `DateRangeNotSet`, or `Availability` naming the days outside the range.
    async fn replace_availability(
        &self,
        code: &UrlCode,
        participant_id: i64,
        answer: &Availability,
    ) -> Result<(), StoreError>;

    /// A deliberately slow read taking about `target` in the database itself (the profiling
    /// exercise's `/slow/db-query`), without holding up the async runtime; returns what the
    /// query computed.
    async fn slow_query(&self, target: std::time::Duration) -> Result<i64, StoreError>;
}

/// The error for a range update that matched no row, given what the store holds for that code
/// (`None`: no such meeting). Shared by the backends so they all answer alike.
pub fn range_not_applied(code: &UrlCode, stored: Option<(Option<NaiveDate>, Option<NaiveDate>)>) -> StoreError {
    match stored {
        None => StoreError::MeetingNotFound(code.to_string()),
        Some((start, end)) => StoreError::DateRangeAlreadySet {
            url_code: code.to_string(),
            start,
            end,
        },
    }
}

/// The error for a toggle that matched no row, given whether the meeting exists.
pub fn toggle_not_applied(code: &UrlCode, date_id: i64, meeting_exists: bool) -> StoreError {
    if meeting_exists {
        StoreError::ParticipantDateNotFound {
            id: date_id,
            url_code: code.to_string(),
        }
    } else {
        StoreError::MeetingNotFound(code.to_string())
    }
}

/// The error for a final date (`None`: clearing it) that matched no row, given the meeting's
/// range as stored (`None`: no such meeting).
pub fn final_date_not_applied(
    code: &UrlCode,
    date: Option<NaiveDate>,
    stored: Option<Option<DateRange>>,
) -> StoreError {
    match (stored, date) {
        (None, _) | (_, None) => StoreError::MeetingNotFound(code.to_string()),
        (Some(None), Some(_)) => StoreError::DateRangeNotSet,
        (Some(Some(_)), Some(date)) => StoreError::FinalDateOutsideRange { date },
    }
}

/// How an answer follows a range replaced by `to`: `(free, starred)` over the new range, days
/// added free (as a new participant's are), days removed dropped. Shared by every backend.
pub fn remap_answer(
    from: Option<DateRange>,
    to: DateRange,
    free: crate::DaySet,
    starred: crate::DaySet,
) -> (crate::DaySet, crate::DaySet) {
    match from {
        None => (to.all_days(), crate::DaySet::EMPTY),
        Some(from) => {
            let added = to.all_days().difference(from.remap(from.all_days(), to));
            (from.remap(free, to).union(added), from.remap(starred, to))
        }
    }
}

/// Creates a meeting under a fresh random code with a fresh organiser key, drawing again on
/// the (astronomically rare) collision. The key is returned once; only its hash is stored.
pub async fn create_meeting(store: &dyn Store) -> Result<(UrlCode, crate::OrganiserKey), StoreError> {
    create_meeting_over(store, None).await
}

/// As [`create_meeting`], for a time meeting when `grid` is given.
pub async fn create_meeting_over(
    store: &dyn Store,
    grid: Option<&crate::TimeGrid>,
) -> Result<(UrlCode, crate::OrganiserKey), StoreError> {
    const ATTEMPTS: usize = 5;
    let key = crate::OrganiserKey::generate();
    for _ in 0..ATTEMPTS {
        let code = UrlCode::generate();
        let inserted = match grid {
            None => store.insert_meeting(&code, Some(&key.hash())).await,
            Some(grid) => store.insert_time_meeting(&code, Some(&key.hash()), grid).await,
        };
        match inserted {
            Ok(()) => return Ok((code, key)),
            Err(StoreError::DuplicateUrlCode) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Backend(
        format!("{ATTEMPTS} random url codes in a row were taken").into(),
    ))
}

/// A copy of `source` under a fresh code and organiser key, for the same group another time:
/// its title and location, its days (a time meeting's grid) moved by `shift_weeks` weeks, and
/// its participants' names, passwords and required marks, but none of their answers, and no
/// final date. Written through the store step by step; if a step fails, the copy is deleted.
pub async fn duplicate_meeting(
    store: &dyn Store,
    source: &crate::Meeting,
    shift_weeks: i32,
) -> Result<(UrlCode, crate::OrganiserKey), StoreError> {
    let moved = |d: NaiveDate| {
        let days = chrono::Days::new(7 * u64::from(shift_weeks.unsigned_abs()));
        if shift_weeks >= 0 {
            d.checked_add_days(days)
        } else {
            d.checked_sub_days(days)
        }
        .ok_or_else(|| StoreError::Backend(format!("{d} moved by {shift_weeks} weeks is no date").into()))
    };
    let invalid =
        |what: &str, why: String| StoreError::Backend(format!("the stored {what} is not valid: {why}").into());
    let grid = match &source.grid {
        crate::Grid::Times(grid) => {
            let mut spec = grid.spec().clone();
            spec.dates = spec.dates.iter().map(|&d| moved(d)).collect::<Result<_, _>>()?;
            Some(crate::TimeGrid::from_spec(&spec).map_err(|e| invalid("grid", e.to_string()))?)
        }
        crate::Grid::Days(_) => None,
    };
    let (code, key) = create_meeting_over(store, grid.as_ref()).await?;
    let filled = async {
        if let crate::Grid::Days(Some(range)) = source.grid {
            let range = DateRange::new(moved(range.start())?, moved(range.end())?)
                .map_err(|e| invalid("range", e.to_string()))?;
            store.update_date_range(&code, range).await?;
        }
        if !source.title.is_empty() {
            let title = crate::Title::parse(&source.title).map_err(|e| invalid("title", e.to_string()))?;
            store.update_title(&code, &title).await?;
        }
        if !source.location.is_empty() {
            let location = crate::Location::parse(&source.location).map_err(|e| invalid("location", e.to_string()))?;
            store.update_location(&code, &location).await?;
        }
        for p in &source.participants {
            let name = ParticipantName::parse(&p.name).map_err(|e| invalid("name", e.to_string()))?;
            let created = store
                .insert_participant(&code, &name, p.password_hash.as_deref())
                .await?;
            if p.required {
                store.set_required(&code, created.id, true).await?;
            }
        }
        Ok::<_, StoreError>(())
    }
    .await;
    match filled {
        Ok(()) => Ok((code, key)),
        Err(e) => {
            // Best effort: the error the caller sees is the one that stopped the copy.
            let _ = store.delete_meeting(&code).await;
            Err(e)
        }
    }
}
