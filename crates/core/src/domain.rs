//! Domain types that are valid once built.

use base64::Engine as _;
use chrono::NaiveDate;
use serde::Serialize;

/// The longest allowed range: `end - start` may be at most this many days (63 calendar days).
pub const MAX_RANGE_DAYS: i64 = 62;
/// Names, titles and locations are at most this many characters (the original's VARCHAR(255)).
pub const MAX_TEXT_CHARS: usize = 255;

/// A meeting's public, unguessable identifier.
///
/// Generated codes carry 72 bits from the OS random source, base64url-encoded to 12 characters.
/// Codes copied from other systems are accepted on lookup if they are URL-safe and not too long.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UrlCode(String);

impl UrlCode {
    const RANDOM_BYTES: usize = 9;
    const MAX_LEN: usize = 64;

    /// A fresh random code.
    pub fn generate() -> Self {
        let mut bytes = [0u8; Self::RANDOM_BYTES];
        // The OS random source failing is not something a request can recover from.
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
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
}

fn check_len(s: &str, min: usize) -> Result<(), TextError> {
    let n = s.chars().count();
    if n < min {
        Err(TextError::TooShort { min })
    } else if n > MAX_TEXT_CHARS {
        Err(TextError::TooLong { max: MAX_TEXT_CHARS })
    } else {
        Ok(())
    }
}

/// A participant's display name: surrounding white space removed, 1 to 255 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantName(String);

impl ParticipantName {
    pub fn parse(s: &str) -> Result<Self, TextError> {
        let s = s.trim();
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

/// One day of one participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParticipantDate {
    pub id: i64,
    pub date: NaiveDate,
    pub enabled: bool,
    pub starred: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub id: i64,
    pub name: String,
    /// Ascending by date.
    pub dates: Vec<ParticipantDate>,
}

/// A meeting with everything GET shows: participants in creation order, their dates ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub url_code: UrlCode,
    pub title: String,
    pub location: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub participants: Vec<Participant>,
}

/// What creating a participant returns: its id and its dates' ids, ascending by date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedParticipant {
    pub id: i64,
    pub dates: Vec<(i64, NaiveDate)>,
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
    fn generated_codes_are_url_safe_distinct_and_parse_back() {
        let codes: std::collections::HashSet<_> = (0..1000).map(|_| UrlCode::generate()).collect();
        assert_eq!(codes.len(), 1000);
        for c in &codes {
            assert_eq!(c.as_str().len(), 12);
            assert_eq!(UrlCode::parse(c.as_str()).as_ref(), Some(c));
        }
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
}
