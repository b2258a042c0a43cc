//! When a meeting stops taking answers (issue 23): at a deadline the organiser sets, once its
//! last day is over, or never. Answers are refused from then on until the organiser reopens.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::{Grid, Meeting};

/// What the organiser set: a deadline, closing after the last day, both, or neither.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deadline {
    /// Answers are refused from this instant on.
    pub at: Option<DateTime<Utc>>,
    /// The zone it was given in, shown with it; where a day meeting's days end.
    pub zone: Option<Tz>,
    /// Answers also close once the meeting's last day is over.
    pub after_last_day: bool,
}

impl Deadline {
    pub const NONE: Deadline = Deadline {
        at: None,
        zone: None,
        after_last_day: false,
    };

    /// The deadline as seconds since the epoch, as stored.
    pub fn at_seconds(&self) -> Option<i64> {
        self.at.map(|t| t.timestamp())
    }

    /// A stored deadline back: `None` for a zone the tz database no longer has (then the
    /// deadline is shown in UTC; the instant itself is unchanged).
    pub fn from_stored(at: Option<i64>, zone: Option<&str>, after_last_day: bool) -> Option<Deadline> {
        let at = match at {
            Some(s) => Some(DateTime::from_timestamp(s, 0)?),
            None => None,
        };
        Some(Deadline {
            at,
            zone: zone.and_then(|z| z.parse().ok()),
            after_last_day,
        })
    }
}

/// When day `last` is over: midnight after it in `zone`, else "anywhere on Earth" (UTC−12,
/// where a day ends last), so that nobody's last day is cut short.
pub fn day_over(last: NaiveDate, zone: Option<Tz>) -> Option<DateTime<Utc>> {
    let midnight = last.succ_opt()?.and_hms_opt(0, 0, 0)?;
    match zone {
        Some(zone) => local_instant(midnight, zone)
            .ok()
            // A zone that skips midnight on that day: its first hour instead.
            .or_else(|| local_instant(midnight + chrono::Duration::hours(1), zone).ok()),
        None => Some(Utc.from_utc_datetime(&midnight) + chrono::Duration::hours(12)),
    }
}

/// A wall time in `zone` as an instant: the earlier of a repeated hour; a time skipped by a
/// change of clocks is refused.
pub fn local_instant(local: NaiveDateTime, zone: Tz) -> Result<DateTime<Utc>, &'static str> {
    zone.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or("that time does not exist there: the clocks skip it")
}

impl Meeting {
    /// When answers close: the deadline, or the end of the last day when that is asked for
    /// and earlier. `None`: open.
    pub fn answers_close_at(&self) -> Option<DateTime<Utc>> {
        let d = &self.deadline;
        let last_day = match (&self.grid, d.after_last_day) {
            (_, false) => None,
            (Grid::Days(range), true) => range.and_then(|r| day_over(r.end(), d.zone)),
            (Grid::Times(grid), true) => grid.dates().last().and_then(|&l| day_over(l, Some(grid.zone()))),
        };
        match (d.at, last_day) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether answers are taken at `now`.
    pub fn answers_open(&self, now: DateTime<Utc>) -> bool {
        self.answers_close_at().is_none_or(|t| now < t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_day_is_over_at_midnight_in_its_zone_or_anywhere_on_earth() {
        let last = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        assert_eq!(
            day_over(last, Some(chrono_tz::Asia::Seoul)),
            Some(at("2026-12-10T15:00:00Z"))
        );
        assert_eq!(day_over(last, None), Some(at("2026-12-11T12:00:00Z")));
    }

    #[test]
    fn a_skipped_wall_time_is_refused_and_a_repeated_one_is_the_earlier() {
        let berlin = chrono_tz::Europe::Berlin;
        let gap = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert!(local_instant(gap, berlin).is_err());
        let twice = NaiveDate::from_ymd_opt(2026, 10, 25)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(local_instant(twice, berlin), Ok(at("2026-10-25T00:30:00Z")));
    }

    #[test]
    fn a_stored_deadline_reads_back() {
        let d = Deadline {
            at: Some(at("2026-12-10T09:00:00Z")),
            zone: Some(chrono_tz::Asia::Seoul),
            after_last_day: true,
        };
        let back = Deadline::from_stored(d.at_seconds(), Some("Asia/Seoul"), true);
        assert_eq!(back, Some(d));
        assert_eq!(Deadline::from_stored(None, None, false), Some(Deadline::NONE));
    }
}
