//! Domain types that are valid once built.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The longest allowed range: `end - start` may be at most this many days (63 calendar days).
pub const MAX_RANGE_DAYS: i64 = 62;
/// Names, titles and locations are at most this many characters (the original's VARCHAR(255)).
pub const MAX_TEXT_CHARS: usize = 255;

/// A meeting's public, unguessable identifier.
///
/// Generated codes are 12 characters of `[A-Za-z0-9]` (base62, as the original's `Base62(uuid4)`)
/// drawn uniformly from the OS random source: 71 bits, never enumerable. Only letters and
/// digits, so a double click selects the whole code and chat apps keep it in the link. Codes
/// copied from other systems (and this service's earlier base64url codes with `-` and `_`) are
/// accepted on lookup if they are URL-safe and not too long.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UrlCode(String);

impl UrlCode {
    const LEN: usize = 12;
    const MAX_LEN: usize = 64;

    /// A fresh random code.
    pub fn generate() -> Self {
        Self(crate::secret::random_base62(Self::LEN))
    }

    /// Accepts strings that could be a code: 1 to 64 characters of `[A-Za-z0-9_-]`.
    /// Anything else names no meeting, so callers can answer "not found" without a query.
    pub fn parse(s: &str) -> Option<Self> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UrlCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A meeting's date range: `start <= end`, at most [`MAX_RANGE_DAYS`] apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateRangeError {
    #[error("start {start} and end {end} should be within {MAX_RANGE_DAYS} days")]
    TooLong { start: NaiveDate, end: NaiveDate },
    #[error("start {start} should not be after end {end}")]
    EndBeforeStart { start: NaiveDate, end: NaiveDate },
}

impl DateRange {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, DateRangeError> {
        // The original checks the length first; keep that order so its error text wins.
        if (end - start).num_days() > MAX_RANGE_DAYS {
            return Err(DateRangeError::TooLong { start, end });
        }
        if end < start {
            return Err(DateRangeError::EndBeforeStart { start, end });
        }
        Ok(Self { start, end })
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// Number of calendar days in the range, both ends included.
    pub fn len(&self) -> usize {
        (self.end - self.start).num_days() as usize + 1
    }

    /// Never true: a range holds at least one day. Here for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The position of `date` in the range (its bit in a [`DaySet`]), if it lies within.
    pub fn offset(&self, date: NaiveDate) -> Option<usize> {
        (self.start <= date && date <= self.end).then(|| (date - self.start).num_days() as usize)
    }

    /// Every day of the range, as a set.
    pub fn all_days(&self) -> DaySet {
        DaySet::first(self.len())
    }

    /// The days of `set` (over this range) that `to` also holds, as a set over `to`: how an
    /// answer follows a range that moved, grew or shrank.
    pub fn remap(&self, set: DaySet, to: DateRange) -> DaySet {
        let mut out = DaySet::EMPTY;
        for (k, date) in self.days().enumerate() {
            if set.contains(k)
                && let Some(j) = to.offset(date)
            {
                out.insert(j);
            }
        }
        out
    }

    /// Every day of the range, ascending.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let end = self.end;
        self.start.iter_days().take_while(move |d| *d <= end)
    }
}

/// Why a text field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("String should have at least {min} character")]
    TooShort { min: usize },
    #[error("String should have at most {max} characters")]
    TooLong { max: usize },
    /// U+0000, which PostgreSQL cannot store: refused on every backend alike.
    #[error("String should not contain the character U+0000")]
    Nul,
}

fn check_len(s: &str, min: usize) -> Result<(), TextError> {
    if s.contains('\0') {
        return Err(TextError::Nul);
    }
    let n = s.chars().count();
    if n < min {
        Err(TextError::TooShort { min })
    } else if n > MAX_TEXT_CHARS {
        Err(TextError::TooLong { max: MAX_TEXT_CHARS })
    } else {
        Ok(())
    }
}

/// A participant's display name: at most 255 characters as sent, at least one of them not white
/// space; surrounding white space is removed. White space is what JSON Schema's `\s` and Rust
/// agree on, plus U+0085 and U+FEFF where they differ, so that the OpenAPI pattern
/// `[^\s\u0085]` accepts exactly the names this accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantName(String);

impl ParticipantName {
    pub fn parse(s: &str) -> Result<Self, TextError> {
        check_len(s, 1)?;
        let s = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        check_len(s, 1)?;
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A meeting title: 0 to 255 characters (empty is the default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub fn parse(s: &str) -> Result<Self, TextError> {
        check_len(s, 0)?;
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A meeting location: 0 to 255 characters (empty is the default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location(String);

impl Location {
    pub fn parse(s: &str) -> Result<Self, TextError> {
        check_len(s, 0)?;
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A change to one participant date. All four are idempotent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toggle {
    /// Free: `enabled = true`.
    On,
    /// Busy: `enabled = false, starred = false` (a busy day cannot stay preferred).
    Off,
    /// Preferred: `enabled = true, starred = true` (starring a busy day frees it).
    Star,
    /// Not preferred: `starred = false`.
    Unstar,
}

impl Toggle {
    /// The state a date has after this toggle, given the state before.
    pub fn apply(self, enabled: bool, starred: bool) -> (bool, bool) {
        match self {
            Toggle::On => (true, starred),
            Toggle::Off => (false, false),
            Toggle::Star => (true, true),
            Toggle::Unstar => (enabled, false),
        }
    }
}

/// A set of days of a meeting's range: bit `k` stands for `start + k` days. A range has at most
/// 63 days, so every set fits in the non-negative half of a signed 64-bit integer (BIGINT).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DaySet(u64);

impl DaySet {
    /// Days a set can hold: bits 0 to 62.
    pub const CAPACITY: usize = MAX_RANGE_DAYS as usize + 1;

    /// The empty set.
    pub const EMPTY: Self = Self(0);

    /// Every day of a range of `len` days (`len` at most [`DaySet::CAPACITY`]).
    pub fn first(len: usize) -> Self {
        Self((1u64 << len.min(Self::CAPACITY)) - 1)
    }

    /// The set stored as `bits`; `None` for a negative number (bit 63), which no range reaches.
    pub fn from_bits(bits: i64) -> Option<Self> {
        u64::try_from(bits).ok().map(Self)
    }

    /// The stored form: a non-negative BIGINT.
    pub fn bits(self) -> i64 {
        self.0 as i64
    }

    pub fn contains(self, k: usize) -> bool {
        k < 64 && self.0 >> k & 1 == 1
    }

    pub fn insert(&mut self, k: usize) {
        debug_assert!(k < Self::CAPACITY);
        self.0 |= 1 << k;
    }

    pub fn is_subset(self, of: Self) -> bool {
        self.0 & !of.0 == 0
    }

    /// The days either set holds.
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The days of this set that `other` does not hold.
    pub fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// The days both sets hold.
    pub fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// How many days the set holds.
    pub fn len(self) -> u32 {
        self.0.count_ones()
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// The public id of one participant's day: `participant_id * 2^22 + day`, where `day` counts days
/// from 0000-01-01 (every `YYYY-MM-DD` fits in 22 bits). It is derived, not stored: it stays the
/// same if the range moves, decodes without a lookup, and stays below 2^53 (JavaScript's exact
/// integers) for every participant id below 2^31.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateId;

impl DateId {
    const DAY_BITS: u32 = 22;
    /// `num_days_from_ce` of 0000-01-01 is -365; day numbers start at 1.
    const DAY_OFFSET: i32 = 366;

    pub fn encode(participant_id: i64, date: NaiveDate) -> i64 {
        Self::of_participant(participant_id) | Self::of_day(date)
    }

    /// The participant's part of its ids: `encode(p, d) == of_participant(p) | of_day(d)`
    /// (for writers of many ids).
    pub fn of_participant(participant_id: i64) -> i64 {
        participant_id << Self::DAY_BITS
    }

    /// The day's part of the ids: below 2^22.
    pub fn of_day(date: NaiveDate) -> i64 {
        i64::from(date.num_days_from_ce() + Self::DAY_OFFSET)
    }

    /// The participant and day an id names, or `None` when it names none.
    pub fn decode(id: i64) -> Option<(i64, NaiveDate)> {
        if id <= 0 {
            return None;
        }
        let participant = id >> Self::DAY_BITS;
        let day = (id & ((1 << Self::DAY_BITS) - 1)) as i32;
        let date = NaiveDate::from_num_days_from_ce_opt(day - Self::DAY_OFFSET)?;
        // Only days a client could have been given: years 0 to 9999, participant ids from 1.
        (participant > 0 && (0..=9999).contains(&date.year())).then_some((participant, date))
    }
}

/// One day of one participant, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParticipantDate {
    pub id: i64,
    pub date: NaiveDate,
    pub enabled: bool,
    pub starred: bool,
}

/// A participant and its whole answer over the meeting's grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub id: i64,
    pub name: String,
    pub answer: crate::Answer,
    /// The Argon2id hash (PHC string) of the password protecting this answer, if any.
    pub password_hash: Option<String>,
    /// The organiser marked them as someone the meeting needs: a day they cannot come ranks
    /// below every day all such people can.
    pub required: bool,
}

/// A meeting with everything GET shows: participants in creation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub url_code: UrlCode,
    pub title: String,
    pub location: String,
    /// What it asks about: for a day meeting, the days of its range.
    pub grid: crate::Grid,
    /// Grows with every write to the meeting or its participants.
    pub version: i64,
    pub participants: Vec<Participant>,
    /// The day the organiser settled on: a day of the range.
    pub final_date: Option<NaiveDate>,
    /// The hash of the organiser's key; `None` for meetings created before keys existed.
    pub organiser_key_hash: Option<crate::KeyHash>,
    /// The slot or window a time meeting's organiser settled on.
    pub final_slots: Option<crate::SlotWindow>,
    /// When it stops taking answers.
    pub deadline: crate::Deadline,
}

impl Meeting {
    pub fn start_date(&self) -> Option<NaiveDate> {
        let range = self.grid.range();
        range.map(|r| r.start())
    }

    pub fn end_date(&self) -> Option<NaiveDate> {
        let range = self.grid.range();
        range.map(|r| r.end())
    }

    /// A participant's days, one per day of the range, ascending (none for a time meeting).
    pub fn dates<'a>(&self, participant: &'a Participant) -> impl Iterator<Item = ParticipantDate> + use<'a> {
        let range = self.grid.range();
        let days = range.map(|r| r.days()).into_iter().flatten();
        days.enumerate().map(move |(k, date)| ParticipantDate {
            id: DateId::encode(participant.id, date),
            date,
            enabled: participant.answer.is_free(k),
            starred: participant.answer.is_starred(k),
        })
    }
}

/// What creating a participant returns: its id and its dates' ids, ascending by date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedParticipant {
    pub id: i64,
    pub dates: Vec<(i64, NaiveDate)>,
}

impl CreatedParticipant {
    /// A new participant of a meeting with this range: one date per day.
    pub fn new(id: i64, range: DateRange) -> Self {
        Self {
            id,
            dates: range.days().map(|d| (DateId::encode(id, d), d)).collect(),
        }
    }
}

/// A participant's whole answer as a client sends it (one stroke): the free days and the
/// starred days, each listed once, every starred day also free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    free: Vec<NaiveDate>,
    starred: Vec<NaiveDate>,
}

/// Why an answer was refused; `field` and `index` say which item of the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct AvailabilityError {
    pub field: &'static str,
    pub index: usize,
    pub date: NaiveDate,
    pub kind: AvailabilityProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AvailabilityProblem {
    #[error("Date is listed more than once")]
    Duplicate,
    #[error("A starred date must also be free")]
    StarredNotFree,
    #[error("Date is outside the meeting's range")]
    OutsideRange,
}

impl Availability {
    /// Every problem of the answer, in body order.
    pub fn new(free: Vec<NaiveDate>, starred: Vec<NaiveDate>) -> Result<Self, Vec<AvailabilityError>> {
        let mut errors = Vec::new();
        let mut report = |field, index, date, kind| {
            errors.push(AvailabilityError {
                field,
                index,
                date,
                kind,
            })
        };
        let mut seen = std::collections::HashSet::new();
        for (i, d) in free.iter().enumerate() {
            if !seen.insert(*d) {
                report("free", i, *d, AvailabilityProblem::Duplicate);
            }
        }
        let mut seen_starred = std::collections::HashSet::new();
        for (i, d) in starred.iter().enumerate() {
            if !seen_starred.insert(*d) {
                report("starred", i, *d, AvailabilityProblem::Duplicate);
            } else if !seen.contains(d) {
                report("starred", i, *d, AvailabilityProblem::StarredNotFree);
            }
        }
        if errors.is_empty() {
            Ok(Self { free, starred })
        } else {
            Err(errors)
        }
    }

    pub fn free(&self) -> &[NaiveDate] {
        &self.free
    }

    pub fn starred(&self) -> &[NaiveDate] {
        &self.starred
    }

    /// The answer as day sets over `range`; every day outside it is reported.
    pub fn in_range(&self, range: DateRange) -> Result<(DaySet, DaySet), Vec<AvailabilityError>> {
        let mut errors = Vec::new();
        let mut to_set = |field: &'static str, days: &[NaiveDate]| {
            let mut set = DaySet::EMPTY;
            for (index, &date) in days.iter().enumerate() {
                match range.offset(date) {
                    Some(k) => set.insert(k),
                    None => errors.push(AvailabilityError {
                        field,
                        index,
                        date,
                        kind: AvailabilityProblem::OutsideRange,
                    }),
                }
            }
            set
        };
        let free = to_set("free", &self.free);
        let starred = to_set("starred", &self.starred);
        if errors.is_empty() {
            Ok((free, starred))
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_range_of_exactly_62_days_is_accepted_and_has_63_days() {
        let r = DateRange::new(d("2025-01-01"), d("2025-03-04")).unwrap();
        assert_eq!(r.len(), 63);
        assert_eq!(r.days().count(), 63);
        assert_eq!(r.days().last(), Some(d("2025-03-04")));
    }

    #[test]
    fn a_range_of_63_days_is_rejected_with_the_original_text() {
        let err = DateRange::new(d("2025-01-01"), d("2025-03-05")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "start 2025-01-01 and end 2025-03-05 should be within 62 days"
        );
    }

    #[test]
    fn a_range_ending_before_it_starts_is_rejected() {
        let err = DateRange::new(d("2025-01-02"), d("2025-01-01")).unwrap_err();
        assert!(matches!(err, DateRangeError::EndBeforeStart { .. }));
    }

    #[test]
    fn a_single_day_range_has_one_day() {
        let r = DateRange::new(d("2025-01-01"), d("2025-01-01")).unwrap();
        assert_eq!(r.days().collect::<Vec<_>>(), vec![d("2025-01-01")]);
    }

    #[test]
    fn a_range_across_a_leap_day_lists_it() {
        let r = DateRange::new(d("2028-02-28"), d("2028-03-01")).unwrap();
        assert_eq!(r.days().count(), 3);
    }

    #[test]
    fn generated_codes_are_base62_distinct_and_parse_back() {
        let codes: std::collections::HashSet<_> = (0..1000).map(|_| UrlCode::generate()).collect();
        assert_eq!(codes.len(), 1000);
        let mut seen = std::collections::HashSet::new();
        for c in &codes {
            assert_eq!(c.as_str().len(), 12);
            assert!(c.as_str().bytes().all(|b| b.is_ascii_alphanumeric()), "{c}");
            seen.extend(c.as_str().bytes());
            assert_eq!(UrlCode::parse(c.as_str()).as_ref(), Some(c));
        }
        assert_eq!(seen.len(), 62, "12,000 draws show every letter and digit");
    }

    #[test]
    fn codes_with_unsafe_characters_or_too_long_do_not_parse() {
        assert!(UrlCode::parse("").is_none());
        assert!(UrlCode::parse("a/b").is_none());
        assert!(UrlCode::parse("a b").is_none());
        assert!(UrlCode::parse(&"a".repeat(65)).is_none());
        assert!(UrlCode::parse("0c0e6ea1-abc").is_some());
    }

    #[test]
    fn names_are_trimmed_and_must_not_be_blank() {
        assert_eq!(ParticipantName::parse("  kim ").unwrap().as_str(), "kim");
        assert_eq!(ParticipantName::parse("   "), Err(TextError::TooShort { min: 1 }));
        assert_eq!(ParticipantName::parse(""), Err(TextError::TooShort { min: 1 }));
        for blank in ["\u{a0}", "\u{c}", "\u{85}", "\u{feff}", "\u{3000}\t"] {
            assert!(ParticipantName::parse(blank).is_err(), "{blank:?}");
        }
        // The length counts what was sent, as the documented maxLength does.
        assert!(ParticipantName::parse(&format!(" {}", "a".repeat(255))).is_err());
    }

    #[test]
    fn text_limits_count_characters_not_bytes() {
        assert!(ParticipantName::parse(&"가".repeat(255)).is_ok());
        assert_eq!(
            ParticipantName::parse(&"가".repeat(256)),
            Err(TextError::TooLong { max: 255 })
        );
        assert!(Title::parse("").is_ok());
        assert!(Location::parse(&"x".repeat(256)).is_err());
    }

    #[test]
    fn toggles_apply_the_original_rules() {
        assert_eq!(Toggle::On.apply(false, false), (true, false));
        assert_eq!(Toggle::Off.apply(true, true), (false, false));
        assert_eq!(Toggle::Star.apply(false, false), (true, true));
        assert_eq!(Toggle::Unstar.apply(true, true), (true, false));
        assert_eq!(Toggle::Unstar.apply(false, false), (false, false));
    }

    #[test]
    fn day_sets_hold_up_to_63_days_in_a_non_negative_bigint() {
        assert_eq!(DaySet::first(0), DaySet::EMPTY);
        assert_eq!(DaySet::first(3).bits(), 0b111);
        let all = DaySet::first(63);
        assert_eq!(all.bits(), i64::MAX);
        assert_eq!(all.len(), 63);
        assert!(all.contains(62) && !all.contains(63));
        assert_eq!(DaySet::from_bits(-1), None);
        assert!(DaySet::first(2).is_subset(DaySet::first(3)));
        assert!(!DaySet::first(3).is_subset(DaySet::first(2)));
    }

    #[test]
    fn date_ids_decode_back_and_stay_below_2_pow_53() {
        for (participant, day) in [(1, "0000-01-01"), (7, "2025-12-31"), ((1 << 31) - 1, "9999-12-31")] {
            let id = DateId::encode(participant, d(day));
            assert!(id > 0 && id < 1 << 53, "{id}");
            assert_eq!(DateId::decode(id), Some((participant, d(day))));
        }
        assert_ne!(DateId::encode(1, d("2025-01-02")), DateId::encode(2, d("2025-01-02")));
        assert_eq!(DateId::decode(0), None);
        assert_eq!(DateId::decode(-5), None);
        assert_eq!(DateId::decode(424_242), None, "no participant 0");
        assert_eq!(DateId::decode((1 << 22) | ((1 << 22) - 1)), None, "after 9999");
    }

    #[test]
    fn a_participants_dates_follow_the_range_and_its_bits() {
        let range = DateRange::new(d("2025-01-01"), d("2025-01-03")).unwrap();
        let mut free = DaySet::EMPTY;
        free.insert(0);
        free.insert(2);
        let mut starred = DaySet::EMPTY;
        starred.insert(2);
        let p = Participant {
            id: 9,
            name: "p".into(),
            answer: crate::Answer::Days { free, starred },
            password_hash: None,
            required: false,
        };
        let m = Meeting {
            url_code: UrlCode::generate(),
            title: String::new(),
            location: String::new(),
            grid: crate::Grid::Days(Some(range)),
            version: 1,
            participants: vec![],
            final_date: None,
            organiser_key_hash: None,
            final_slots: None,
            deadline: crate::Deadline::NONE,
        };
        let flags: Vec<(bool, bool)> = m.dates(&p).map(|pd| (pd.enabled, pd.starred)).collect();
        assert_eq!(flags, vec![(true, false), (false, false), (true, true)]);
        assert_eq!(m.dates(&p).nth(1).unwrap().id, DateId::encode(9, d("2025-01-02")));
    }

    #[test]
    fn an_answer_with_duplicates_or_stars_on_busy_days_is_refused_naming_each_item() {
        let errors = Availability::new(
            vec![d("2025-01-01"), d("2025-01-01")],
            vec![d("2025-01-02"), d("2025-01-01"), d("2025-01-01")],
        )
        .unwrap_err();
        let found: Vec<(&str, usize, AvailabilityProblem)> =
            errors.iter().map(|e| (e.field, e.index, e.kind)).collect();
        assert_eq!(
            found,
            vec![
                ("free", 1, AvailabilityProblem::Duplicate),
                ("starred", 0, AvailabilityProblem::StarredNotFree),
                ("starred", 2, AvailabilityProblem::Duplicate),
            ]
        );
    }

    #[test]
    fn an_answer_follows_a_range_that_moves_grows_or_shrinks() {
        let old = DateRange::new(d("2025-01-10"), d("2025-01-14")).unwrap();
        let set = DaySet::from_bits(0b10101).unwrap(); // the 10th, 12th and 14th
        let later = DateRange::new(d("2025-01-12"), d("2025-01-20")).unwrap();
        assert_eq!(old.remap(set, later).bits(), 0b101, "the 12th and 14th remain");
        let earlier = DateRange::new(d("2025-01-08"), d("2025-01-12")).unwrap();
        assert_eq!(old.remap(set, earlier).bits(), 0b10100, "the 10th and 12th remain");
        let apart = DateRange::new(d("2025-02-01"), d("2025-02-03")).unwrap();
        assert_eq!(old.remap(set, apart), DaySet::EMPTY);
        let added = later.all_days().difference(old.remap(old.all_days(), later));
        assert_eq!(added.len(), 6, "the 15th to the 20th are new");
    }

    #[test]
    fn an_answer_becomes_day_sets_over_the_range() {
        let range = DateRange::new(d("2025-01-01"), d("2025-01-05")).unwrap();
        let a = Availability::new(vec![d("2025-01-05"), d("2025-01-02")], vec![d("2025-01-05")]).unwrap();
        let (free, starred) = a.in_range(range).unwrap();
        assert_eq!((free.bits(), starred.bits()), (0b10010, 0b10000));
        let outside = Availability::new(vec![d("2024-12-31"), d("2025-01-06")], vec![]).unwrap();
        let errors = outside.in_range(range).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors.iter().all(|e| e.kind == AvailabilityProblem::OutsideRange));
    }
}
