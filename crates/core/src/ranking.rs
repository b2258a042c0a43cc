//! The best-dates ranking of seed 000.

use chrono::NaiveDate;

use crate::Meeting;

/// How many dates the ranking returns at most.
pub const BEST_DATES: usize = 3;

/// The best dates of a meeting: most participants free, then most stars among the free,
/// then earliest. Dates no participant has are not ranked, so no participants means `[]`.
pub fn best_dates(meeting: &Meeting) -> Vec<NaiveDate> {
    ranking(meeting).into_iter().take(BEST_DATES).map(|d| d.date).collect()
}

/// One day of a meeting with its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankedDay {
    pub date: NaiveDate,
    /// Participants free that day.
    pub free: u32,
    /// Participants free and starring that day.
    pub starred: u32,
}

/// Per cell of the meeting's grid, in order: how many participants are free, and how many are
/// free and star it. What every kind of meeting's ranking starts from.
pub fn tally(meeting: &Meeting) -> Vec<(u32, u32)> {
    let mut cells = vec![(0, 0); meeting.grid.len()];
    for p in &meeting.participants {
        for (k, cell) in cells.iter_mut().enumerate() {
            cell.0 += u32::from(p.answer.is_free(k));
            cell.1 += u32::from(p.answer.is_starred(k));
        }
    }
    cells
}

/// Every day of the range, best first (see [`best_dates`]); empty without participants.
pub fn ranking(meeting: &Meeting) -> Vec<RankedDay> {
    let crate::Grid::Days(Some(range)) = meeting.grid else {
        return Vec::new();
    };
    if meeting.participants.is_empty() {
        return Vec::new();
    }
    let mut days: Vec<RankedDay> = range
        .days()
        .zip(tally(meeting))
        .map(|(date, (free, starred))| RankedDay { date, free, starred })
        .collect();
    days.sort_by(|a, b| {
        b.free
            .cmp(&a.free)
            .then(b.starred.cmp(&a.starred))
            .then(a.date.cmp(&b.date))
    });
    days
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DateRange, DaySet, Participant, UrlCode};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A participant free on every day of `range` except `busy`, starring `starred`.
    fn participant(id: i64, range: DateRange, busy: &[&str], starred: &[&str]) -> Participant {
        let (mut free, mut stars) = (DaySet::EMPTY, DaySet::EMPTY);
        for (k, day) in range.days().enumerate() {
            let day = day.to_string();
            if !busy.contains(&day.as_str()) {
                free.insert(k);
            }
            if starred.contains(&day.as_str()) {
                stars.insert(k);
            }
        }
        Participant {
            id,
            name: format!("p{id}"),
            answer: crate::Answer::Days { free, starred: stars },
            password_hash: None,
        }
    }

    fn range(start: &str, end: &str) -> DateRange {
        DateRange::new(d(start), d(end)).unwrap()
    }

    fn meeting(range: DateRange, participants: Vec<Participant>) -> Meeting {
        Meeting {
            url_code: UrlCode::generate(),
            title: String::new(),
            location: String::new(),
            grid: crate::Grid::Days(Some(range)),
            version: 1,
            participants,
            final_date: None,
            organiser_key_hash: None,
        }
    }

    #[test]
    fn best_dates_of_the_seed_scenario() {
        // Given December 2025; both free on the 3rd and 10th, one stars the 10th,
        // only one is free on the 11th, and everything else is busy for both.
        let december = range("2025-12-01", "2025-12-31");
        let days: Vec<String> = (1..=31).map(|n| format!("2025-12-{n:02}")).collect();
        let days: Vec<&str> = days.iter().map(String::as_str).collect();
        let busy1: Vec<&str> = days
            .iter()
            .copied()
            .filter(|d| !["2025-12-03", "2025-12-10", "2025-12-11"].contains(d))
            .collect();
        let busy2: Vec<&str> = days
            .iter()
            .copied()
            .filter(|d| !["2025-12-03", "2025-12-10"].contains(d))
            .collect();
        let m = meeting(
            december,
            vec![
                participant(1, december, &busy1, &["2025-12-10"]),
                participant(2, december, &busy2, &[]),
            ],
        );
        // When / Then
        assert_eq!(best_dates(&m), vec![d("2025-12-10"), d("2025-12-03"), d("2025-12-11")]);
        let top = ranking(&m)[0];
        assert_eq!((top.free, top.starred), (2, 1));
    }

    #[test]
    fn best_dates_prefers_stars_when_free_counts_tie() {
        let r = range("2025-01-01", "2025-01-04");
        let m = meeting(r, vec![participant(1, r, &[], &["2025-01-04"])]);
        assert_eq!(best_dates(&m), vec![d("2025-01-04"), d("2025-01-01"), d("2025-01-02")]);
    }

    #[test]
    fn a_star_on_a_busy_day_does_not_count() {
        let r = range("2025-01-01", "2025-01-02");
        // Only reachable through corrupt data; the stores keep starred within free.
        let p = participant(1, r, &["2025-01-02"], &["2025-01-02"]);
        let q = participant(2, r, &["2025-01-01", "2025-01-02"], &[]);
        let m = meeting(r, vec![p, q]);
        assert_eq!(best_dates(&m), vec![d("2025-01-01"), d("2025-01-02")]);
    }

    #[test]
    fn everyone_busy_gives_the_earliest_dates() {
        let r = range("2025-01-01", "2025-01-04");
        let all = ["2025-01-03", "2025-01-01", "2025-01-02", "2025-01-04"];
        let m = meeting(r, vec![participant(1, r, &all, &[])]);
        assert_eq!(best_dates(&m), vec![d("2025-01-01"), d("2025-01-02"), d("2025-01-03")]);
    }

    #[test]
    fn fewer_than_three_days_give_fewer_results() {
        let r = range("2025-01-01", "2025-01-02");
        let m = meeting(r, vec![participant(1, r, &[], &[])]);
        assert_eq!(best_dates(&m).len(), 2);
    }

    #[test]
    fn no_participants_give_no_best_dates() {
        assert!(best_dates(&meeting(range("2025-01-01", "2025-01-09"), vec![])).is_empty());
    }

    #[test]
    fn the_ranking_lists_every_day_with_its_counts() {
        let r = range("2025-01-01", "2025-01-03");
        let m = meeting(
            r,
            vec![
                participant(1, r, &["2025-01-01"], &["2025-01-03"]),
                participant(2, r, &[], &[]),
            ],
        );
        let days: Vec<(NaiveDate, u32, u32)> = ranking(&m).iter().map(|d| (d.date, d.free, d.starred)).collect();
        assert_eq!(
            days,
            vec![
                (d("2025-01-03"), 2, 1),
                (d("2025-01-02"), 2, 0),
                (d("2025-01-01"), 1, 0)
            ]
        );
    }
}
