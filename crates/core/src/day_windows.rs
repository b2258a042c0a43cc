//! Issue 23's ranking of day meetings: runs of consecutive days for trips, weekday filters,
//! required participants and a floor on how many are free.

use chrono::{Datelike, NaiveDate};

use crate::Meeting;

/// A set of weekdays, Monday = bit 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Weekdays(u8);

impl Weekdays {
    pub const NONE: Weekdays = Weekdays(0);
    pub const ALL: Weekdays = Weekdays(0x7f);
    pub const WEEKEND: Weekdays = Weekdays(0b110_0000);

    /// The one weekday of ISO number `n` (Monday = 1), or `None` outside 1–7.
    pub fn iso(n: u8) -> Option<Weekdays> {
        (1..=7).contains(&n).then(|| Weekdays(1 << (n - 1)))
    }

    pub fn contains(self, day: chrono::Weekday) -> bool {
        self.0 >> day.num_days_from_monday() & 1 == 1
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// `fri`, `friday`, `5` (ISO, Monday = 1) or `금`, comma-separated, case-insensitive;
    /// the part that is none of these is the error.
    pub fn parse(text: &str) -> Result<Weekdays, String> {
        const NAMES: [(&str, &str, &str); 7] = [
            ("mon", "monday", "월"),
            ("tue", "tuesday", "화"),
            ("wed", "wednesday", "수"),
            ("thu", "thursday", "목"),
            ("fri", "friday", "금"),
            ("sat", "saturday", "토"),
            ("sun", "sunday", "일"),
        ];
        let mut set = 0u8;
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let lower = part.to_lowercase();
            let found = NAMES.iter().position(|(short, long, ko)| {
                lower == *short || lower == *long || lower == *ko || lower == format!("{ko}요일")
            });
            let day = match found {
                Some(i) => i,
                None => match lower.parse::<usize>() {
                    Ok(n @ 1..=7) => n - 1,
                    _ => return Err(part.to_owned()),
                },
            };
            set |= 1 << day;
        }
        Ok(Weekdays(set))
    }
}

/// What [`rank_day_windows`] ranks: runs of `len` days, those that start on `starts_on`,
/// leaving out the days of `skip` (a run steps over them, so 2 days skipping the weekend
/// includes Friday and Monday), and keeping those with at least `min_free` people free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayWindowQuery {
    pub len: usize,
    pub starts_on: Weekdays,
    pub skip: Weekdays,
    pub min_free: u32,
}

impl Default for DayWindowQuery {
    fn default() -> Self {
        DayWindowQuery {
            len: 1,
            starts_on: Weekdays::ALL,
            skip: Weekdays::NONE,
            min_free: 0,
        }
    }
}

/// A run of days of a day meeting with its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedDayWindow {
    /// Its days, in order (bits of the range, as in a [`crate::DaySet`]).
    pub days: Vec<usize>,
    /// Participants free on every one of them.
    pub free: u32,
    /// Stars those participants gave on them.
    pub starred: u32,
    /// Every required participant is free on all of them.
    pub required_free: bool,
}

/// Every run of a day meeting's days that `query` asks for, best first: those where every
/// required participant is free above all others, then most participants free on all of
/// the days, then most stars among those, then earliest. Empty without a range or for a time
/// meeting.
pub fn rank_day_windows(meeting: &Meeting, query: &DayWindowQuery) -> Vec<RankedDayWindow> {
    let crate::Grid::Days(Some(range)) = meeting.grid else {
        return Vec::new();
    };
    let len = query.len.max(1);
    let kept: Vec<(usize, NaiveDate)> = range
        .days()
        .enumerate()
        .filter(|(_, d)| !query.skip.contains(d.weekday()))
        .collect();
    // Each answer as two words: a window is free for someone when its mask lies in their set.
    let answers: Vec<(u64, u64, bool)> = meeting
        .participants
        .iter()
        .filter_map(|p| match &p.answer {
            crate::Answer::Days { free, starred } => {
                Some((free.bits() as u64, (starred.bits() & free.bits()) as u64, p.required))
            }
            crate::Answer::Times { .. } => None,
        })
        .collect();
    let mut windows: Vec<RankedDayWindow> = kept
        .windows(len)
        .filter(|w| query.starts_on.contains(w[0].1.weekday()))
        .map(|w| {
            let mask = w.iter().fold(0u64, |m, (k, _)| m | 1 << k);
            let (mut free, mut starred, mut required_free) = (0, 0, true);
            for &(f, s, is_required) in &answers {
                let all_free = f & mask == mask;
                free += u32::from(all_free);
                if all_free {
                    starred += (s & mask).count_ones();
                }
                required_free &= all_free || !is_required;
            }
            RankedDayWindow {
                days: w.iter().map(|(k, _)| *k).collect(),
                free,
                starred,
                required_free,
            }
        })
        .filter(|w| w.free >= query.min_free)
        .collect();
    windows.sort_by(|a, b| {
        b.required_free
            .cmp(&a.required_free)
            .then(b.free.cmp(&a.free))
            .then(b.starred.cmp(&a.starred))
            .then(a.days[0].cmp(&b.days[0]))
    });
    windows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Answer, DateRange, DaySet, Grid, Participant, UrlCode};
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn meeting(start: NaiveDate, days: usize, answers: &[(u64, u64)]) -> Meeting {
        let range = DateRange::new(start, start + chrono::Days::new(days as u64 - 1)).unwrap();
        let participants = answers
            .iter()
            .enumerate()
            .map(|(i, &(free, starred))| {
                let (mut f, mut s) = (DaySet::EMPTY, DaySet::EMPTY);
                for k in (0..days).filter(|k| free >> k & 1 == 1) {
                    f.insert(k);
                    if starred >> k & 1 == 1 {
                        s.insert(k);
                    }
                }
                Participant {
                    id: i as i64 + 1,
                    name: format!("p{i}"),
                    answer: Answer::Days { free: f, starred: s },
                    password_hash: None,
                    required: false,
                }
            })
            .collect();
        Meeting {
            url_code: UrlCode::generate(),
            title: String::new(),
            location: String::new(),
            grid: Grid::Days(Some(range)),
            version: 1,
            participants,
            final_date: None,
            organiser_key_hash: None,
            final_slots: None,
            deadline: crate::Deadline::NONE,
        }
    }

    fn dates(m: &Meeting, w: &RankedDayWindow) -> Vec<String> {
        let start = m.grid.range().unwrap().start();
        w.days
            .iter()
            .map(|&k| (start + chrono::Days::new(k as u64)).to_string())
            .collect()
    }

    #[test]
    fn weekdays_are_read_in_english_korean_and_iso_numbers() {
        let set = Weekdays::parse("Fri, saturday,일,7").unwrap();
        assert!(set.contains(chrono::Weekday::Fri) && set.contains(chrono::Weekday::Sat));
        assert!(set.contains(chrono::Weekday::Sun) && !set.contains(chrono::Weekday::Mon));
        assert_eq!(Weekdays::parse("월요일").unwrap(), Weekdays::parse("1").unwrap());
        assert_eq!(Weekdays::parse("fri,funday"), Err("funday".to_owned()));
        assert_eq!(Weekdays::parse("8"), Err("8".to_owned()));
        assert_eq!(Weekdays::parse("sat,sun").unwrap(), Weekdays::WEEKEND);
        assert_eq!(Weekdays::iso(5), Some(Weekdays::parse("fri").unwrap()));
        assert_eq!(Weekdays::iso(0), None);
    }

    #[test]
    fn a_three_day_trip_goes_where_everyone_is_free_for_all_three_days() {
        // Given 2025-01-06 (a Monday) to 01-12, one person free Mon–Thu, another Wed–Sun
        let m = meeting(d("2025-01-06"), 7, &[(0b000_1111, 0), (0b111_1100, 0b000_0100)]);
        // When 3-day windows are ranked
        let q = DayWindowQuery {
            len: 3,
            ..Default::default()
        };
        let ranked = rank_day_windows(&m, &q);
        // Then there are 5 windows; none has both, and the earliest with a star leads the ties
        assert_eq!(ranked.len(), 5);
        assert_eq!(dates(&m, &ranked[0]), ["2025-01-08", "2025-01-09", "2025-01-10"]);
        assert_eq!((ranked[0].free, ranked[0].starred), (1, 1));
        assert_eq!(dates(&m, &ranked[1]), ["2025-01-06", "2025-01-07", "2025-01-08"]);
        assert!(ranked.iter().all(|w| w.free == 1));
    }

    #[test]
    fn skipped_weekdays_are_stepped_over_and_starts_are_limited_to_the_weekdays_asked() {
        // Given Fri 2025-01-10 to Tue 01-14, everyone free on every day
        let m = meeting(d("2025-01-10"), 5, &[(0b1_1111, 0)]);
        // When 2-day windows skip the weekend and start on a Friday
        let q = DayWindowQuery {
            len: 2,
            starts_on: Weekdays::parse("fri").unwrap(),
            skip: Weekdays::parse("sat,sun").unwrap(),
            min_free: 0,
        };
        let ranked = rank_day_windows(&m, &q);
        // Then the one window is Friday and Monday
        assert_eq!(ranked.len(), 1);
        assert_eq!(dates(&m, &ranked[0]), ["2025-01-10", "2025-01-13"]);
    }

    #[test]
    fn a_day_a_required_person_misses_ranks_below_every_day_they_can_come() {
        // Given three people free on day 0, and the required person (id 4) free on day 1 only
        let m = meeting(d("2025-03-03"), 2, &[(0b01, 0), (0b01, 0), (0b01, 0), (0b10, 0)]);
        // When days are ranked with person 4 required
        let mut m = m;
        m.participants[3].required = true;
        let ranked = rank_day_windows(&m, &DayWindowQuery::default());
        // Then day 1 (one free, the required one) comes before day 0 (three free, not them)
        assert_eq!(dates(&m, &ranked[0]), ["2025-03-04"]);
        assert!(ranked[0].required_free && !ranked[1].required_free);
        assert_eq!(ranked[1].free, 3);
        // And min_free drops what has fewer free
        let q = DayWindowQuery {
            min_free: 2,
            ..Default::default()
        };
        let kept = rank_day_windows(&m, &q);
        assert_eq!(kept.len(), 1);
        assert_eq!(dates(&m, &kept[0]), ["2025-03-03"]);
    }

    /// The ranking, naively: walk the calendar from each start date, ask each person about each
    /// day.
    fn naive(m: &Meeting, q: &DayWindowQuery) -> Vec<(Vec<usize>, u32, u32, bool)> {
        let range = m.grid.range().unwrap();
        let all: Vec<NaiveDate> = range.days().collect();
        let mut out = Vec::new();
        for (start, date) in all.iter().enumerate() {
            if q.skip.contains(date.weekday()) || !q.starts_on.contains(date.weekday()) {
                continue;
            }
            let days: Vec<usize> = (start..all.len())
                .filter(|&k| !q.skip.contains(all[k].weekday()))
                .take(q.len)
                .collect();
            if days.len() < q.len {
                continue;
            }
            let free_all = |p: &Participant| days.iter().all(|&k| p.answer.is_free(k));
            let free = m.participants.iter().filter(|p| free_all(p)).count() as u32;
            let starred = m
                .participants
                .iter()
                .filter(|p| free_all(p))
                .map(|p| days.iter().filter(|&&k| p.answer.is_starred(k)).count() as u32)
                .sum();
            let required_free = m.participants.iter().filter(|p| p.required).all(free_all);
            if free >= q.min_free {
                out.push((days, free, starred, required_free));
            }
        }
        out.sort_by_key(|(days, free, starred, req)| (!req, std::cmp::Reverse((*free, *starred)), days[0]));
        out
    }

    proptest! {
        #[test]
        fn the_ranking_is_the_naive_one_on_random_meetings(
            start in 0u64..3000,
            days in 1usize..=62,
            answers in proptest::collection::vec((any::<u64>(), any::<u64>()), 0..8),
            len in 1usize..8,
            starts_on in 1u8..=0x7f,
            skip in 0u8..0x7f,
            min_free in 0u32..4,
            required in proptest::collection::vec(1i64..9, 0..3),
        ) {
            let mut m = meeting(d("2024-01-01") + chrono::Days::new(start), days, &answers);
            for p in &mut m.participants {
                p.required = required.contains(&p.id);
            }
            let q = DayWindowQuery { len, starts_on: Weekdays(starts_on), skip: Weekdays(skip), min_free };
            let fast: Vec<_> = rank_day_windows(&m, &q)
                .into_iter()
                .map(|w| (w.days, w.free, w.starred, w.required_free))
                .collect();
            prop_assert_eq!(fast, naive(&m, &q));
        }
    }
}
