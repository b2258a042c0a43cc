//! The best-dates ranking of seed 000.

use chrono::NaiveDate;

use crate::Meeting;

/// How many dates the ranking returns at most.
pub const BEST_DATES: usize = 3;

/// The best dates of a meeting: most participants free, then most stars among the free,
/// then earliest. Dates no participant has are not ranked, so no participants means `[]`.
pub fn best_dates(meeting: &Meeting) -> Vec<NaiveDate> {
    // (date, enabled, starred-and-enabled), kept sorted by date: every participant has the same
    // days, so this stays as small as the range.
    let mut counts: Vec<(NaiveDate, u32, u32)> = Vec::new();
    for date in meeting.participants.iter().flat_map(|p| &p.dates) {
        let at = match counts.binary_search_by_key(&date.date, |c| c.0) {
            Ok(i) => i,
            Err(i) => {
                counts.insert(i, (date.date, 0, 0));
                i
            }
        };
        if date.enabled {
            counts[at].1 += 1;
            if date.starred {
                counts[at].2 += 1;
            }
        }
    }
    counts.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    counts.into_iter().take(BEST_DATES).map(|c| c.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Participant, ParticipantDate, UrlCode};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A participant free on every day of `days` except `busy`, starring `starred`.
    fn participant(id: i64, days: &[&str], busy: &[&str], starred: &[&str]) -> Participant {
        Participant {
            id,
            name: format!("p{id}"),
            dates: days
                .iter()
                .enumerate()
                .map(|(i, day)| ParticipantDate {
                    id: id * 100 + i as i64,
                    date: d(day),
                    enabled: !busy.contains(day),
                    starred: starred.contains(day),
                })
                .collect(),
        }
    }

    fn meeting(participants: Vec<Participant>) -> Meeting {
        Meeting {
            url_code: UrlCode::generate(),
            title: String::new(),
            location: String::new(),
            start_date: None,
            end_date: None,
            participants,
        }
    }

    #[test]
    fn best_dates_of_the_seed_scenario() {
        // Given December 2025; both free on the 3rd and 10th, one stars the 10th,
        // only one is free on the 11th, and everything else is busy for both.
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
        let m = meeting(vec![
            participant(1, &days, &busy1, &["2025-12-10"]),
            participant(2, &days, &busy2, &[]),
        ]);
        // When / Then
        assert_eq!(best_dates(&m), vec![d("2025-12-10"), d("2025-12-03"), d("2025-12-11")]);
    }

    #[test]
    fn best_dates_prefers_stars_when_free_counts_tie() {
        let days = ["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"];
        let m = meeting(vec![participant(1, &days, &[], &["2025-01-04"])]);
        assert_eq!(best_dates(&m), vec![d("2025-01-04"), d("2025-01-01"), d("2025-01-02")]);
    }

    #[test]
    fn a_star_on_a_busy_day_does_not_count() {
        let days = ["2025-01-01", "2025-01-02"];
        let mut p = participant(1, &days, &["2025-01-02"], &[]);
        p.dates[1].starred = true; // only reachable through old data; the API never stores it
        let q = participant(2, &days, &["2025-01-01", "2025-01-02"], &[]);
        let m = meeting(vec![p, q]);
        assert_eq!(best_dates(&m), vec![d("2025-01-01"), d("2025-01-02")]);
    }

    #[test]
    fn everyone_busy_gives_the_earliest_dates() {
        let days = ["2025-01-03", "2025-01-01", "2025-01-02", "2025-01-04"];
        let m = meeting(vec![participant(1, &days, &days, &[])]);
        assert_eq!(best_dates(&m), vec![d("2025-01-01"), d("2025-01-02"), d("2025-01-03")]);
    }

    #[test]
    fn fewer_than_three_days_give_fewer_results() {
        let days = ["2025-01-01", "2025-01-02"];
        let m = meeting(vec![participant(1, &days, &[], &[])]);
        assert_eq!(best_dates(&m).len(), 2);
    }

    #[test]
    fn no_participants_give_no_best_dates() {
        assert!(best_dates(&meeting(vec![])).is_empty());
    }
}
