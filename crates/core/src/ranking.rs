//! The best-dates ranking of seed 000.

use chrono::NaiveDate;

use crate::Meeting;

/// How many dates the ranking returns at most.
pub const BEST_DATES: usize = 3;

/// The best dates of a meeting: most participants free, then most stars among the free,
/// then earliest. Dates no participant has are not ranked, so no participants means `[]`.
/// Days a required participant cannot come rank below every day all of them can.
pub fn best_dates(meeting: &Meeting) -> Vec<NaiveDate> {
    if !meeting.participants.iter().any(|p| p.required) {
        return ranking(meeting).into_iter().take(BEST_DATES).map(|d| d.date).collect();
    }
    let Some(range) = meeting.grid.range() else {
        return Vec::new();
    };
    crate::rank_day_windows(meeting, &crate::DayWindowQuery::default())
        .into_iter()
        .take(BEST_DATES)
        .map(|w| range.start() + chrono::Days::new(w.days[0] as u64))
        .collect()
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

/// A run of consecutive cells of a time meeting, with its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankedWindow {
    /// Its first cell.
    pub start: usize,
    /// How many cells it spans.
    pub len: usize,
    /// Participants free in every cell of it.
    pub free: u32,
    /// Stars those participants gave inside it.
    pub starred: u32,
}

/// Every window of `n` consecutive cells of a time meeting (within one day, through no gap),
/// best first: most participants free for the whole window, then most stars among them, then
/// earliest. `n = 1` ranks the slots. Empty for a day meeting or `n = 0`.
pub fn rank_windows(meeting: &Meeting, n: usize) -> Vec<RankedWindow> {
    let crate::Grid::Times(grid) = &meeting.grid else {
        return Vec::new();
    };
    let valid = grid.window_starts(n);
    let mut counts = vec![(0u32, 0u32); grid.len()];
    for p in &meeting.participants {
        let crate::Answer::Times { free, starred } = &p.answer else {
            continue;
        };
        for k in free.runs(n).intersection(&valid).iter() {
            counts[k].0 += 1;
            counts[k].1 += (k..k + n).filter(|&j| starred.contains(j)).count() as u32;
        }
    }
    let mut windows: Vec<RankedWindow> = valid
        .iter()
        .map(|k| RankedWindow {
            start: k,
            len: n,
            free: counts[k].0,
            starred: counts[k].1,
        })
        .collect();
    // Cells are numbered in the order they happen, so the lower start is the earlier.
    windows.sort_by(|a, b| {
        b.free
            .cmp(&a.free)
            .then(b.starred.cmp(&a.starred))
            .then(a.start.cmp(&b.start))
    });
    windows
}

/// A time meeting's best `n` slots (cells): as `rank_windows(meeting, 1)` ranks them, slots
/// nobody is free in left out. What every GET lists, so counted from the set bits alone and
/// selected without sorting every slot.
pub fn best_slots(meeting: &Meeting, n: usize) -> Vec<usize> {
    let crate::Grid::Times(grid) = &meeting.grid else {
        return Vec::new();
    };
    // Counted 64 cells at a time: each count is kept as bit planes (plane b holds bit b of
    // every cell's count), and adding a person's set is a ripple of carries through them.
    let words = grid.len().div_ceil(64);
    let (mut free_planes, mut star_planes) = (BitCounts::new(words), BitCounts::new(words));
    for p in &meeting.participants {
        let crate::Answer::Times { free, starred } = &p.answer else {
            continue;
        };
        free_planes.add(|w| free.word(w));
        // A star counts where its person is free (stored stars always are).
        star_planes.add(|w| starred.word(w) & free.word(w));
    }
    let counts: Vec<(u32, u32)> = free_planes
        .counts(grid.len())
        .into_iter()
        .zip(star_planes.counts(grid.len()))
        .collect();
    // The best n so far, best first: one pass, each cell compared with the few kept.
    let better = |a: usize, b: usize| {
        let (x, y) = (counts[a], counts[b]);
        (x.0, x.1) > (y.0, y.1) // ties keep the earlier cell, which came first
    };
    let mut best: Vec<usize> = Vec::with_capacity(n + 1);
    for k in (0..counts.len()).filter(|&k| counts[k].0 > 0) {
        if best.len() == n && best.last().is_none_or(|&last| !better(k, last)) {
            continue;
        }
        let at = best.iter().position(|&b| better(k, b)).unwrap_or(best.len());
        best.insert(at, k);
        best.truncate(n);
    }
    best
}

/// Per-cell counts of many cell sets, as bit planes of 64-cell words.
struct BitCounts {
    words: usize,
    /// `planes[b * words + w]`: bit `b` of the counts of the cells of word `w`.
    planes: Vec<u64>,
}

impl BitCounts {
    fn new(words: usize) -> Self {
        Self {
            words,
            planes: Vec::new(),
        }
    }

    fn add(&mut self, word: impl Fn(usize) -> u64) {
        for w in 0..self.words {
            let mut carry = word(w);
            let mut b = 0;
            while carry != 0 {
                if b * self.words >= self.planes.len() {
                    self.planes.resize(self.planes.len() + self.words, 0);
                }
                let plane = &mut self.planes[b * self.words + w];
                let next = *plane & carry;
                *plane ^= carry;
                carry = next;
                b += 1;
            }
        }
    }

    /// The counts of cells `0..len`: each plane's set bits add their weight.
    fn counts(&self, len: usize) -> Vec<u32> {
        let mut out = vec![0; len];
        for (b, plane) in self.planes.chunks_exact(self.words.max(1)).enumerate() {
            for (w, &bits) in plane.iter().enumerate() {
                let mut bits = bits;
                while bits != 0 {
                    if let Some(count) = out.get_mut(w * 64 + bits.trailing_zeros() as usize) {
                        *count += 1 << b;
                    }
                    bits &= bits - 1;
                }
            }
        }
        out
    }
}

/// Free in every cell of the window.
pub fn free_for(answer: &crate::Answer, window: &RankedWindow) -> bool {
    (window.start..window.start + window.len).all(|k| answer.is_free(k))
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
            required: false,
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
            final_slots: None,
            deadline: crate::Deadline::NONE,
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

    /// A time meeting's windows, ranked by brute force: every start, every cell checked.
    fn naive_windows(m: &Meeting, n: usize) -> Vec<RankedWindow> {
        let crate::Grid::Times(grid) = &m.grid else {
            unreachable!()
        };
        let cells = grid.cells();
        let mut out = Vec::new();
        for k in 0..cells.len() {
            let span = k..k + n;
            if span.end > cells.len() || span.clone().any(|j| cells[j].is_gap() || cells[j].day != cells[k].day) {
                continue;
            }
            let whole: Vec<&Participant> = m
                .participants
                .iter()
                .filter(|p| span.clone().all(|j| p.answer.is_free(j)))
                .collect();
            let starred = whole
                .iter()
                .map(|p| span.clone().filter(|&j| p.answer.is_starred(j)).count() as u32)
                .sum();
            out.push(RankedWindow {
                start: k,
                len: n,
                free: whole.len() as u32,
                starred,
            });
        }
        out.sort_by(|a, b| {
            b.free
                .cmp(&a.free)
                .then(b.starred.cmp(&a.starred))
                .then(a.start.cmp(&b.start))
        });
        out
    }

    /// `n` people answering a grid of `len` cells from a xorshift seeded with `seed`: one draw
    /// `r` per cell of `cells`, and `answer(r)` says whether it is free and starred.
    fn random_people(
        n: i64,
        len: usize,
        cells: &[usize],
        seed: u64,
        answer: impl Fn(u64) -> (bool, bool),
    ) -> Vec<Participant> {
        let mut seed = seed;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        (0..n)
            .map(|id| {
                let (mut free, mut starred) = (crate::CellSet::empty(len), crate::CellSet::empty(len));
                for &k in cells {
                    let (is_free, is_starred) = answer(next());
                    if is_free {
                        free.insert(k);
                    }
                    if is_starred {
                        starred.insert(k);
                    }
                }
                Participant {
                    id,
                    name: format!("p{id}"),
                    answer: crate::Answer::Times { free, starred },
                    password_hash: None,
                    required: false,
                }
            })
            .collect()
    }

    #[test]
    fn best_slots_count_many_people_over_several_words_as_a_naive_tally_does() {
        // Given 3 days of 09:00-18:00 in 15-minute slots (108 cells, two words) and 100
        // people with pseudo-random answers (counts up to 100: seven bit planes)
        let grid = crate::TimeGrid::new(
            vec![d("2026-06-01"), d("2026-06-02"), d("2026-06-04")],
            "09:00",
            "18:00",
            15,
            "Asia/Seoul",
        )
        .unwrap();
        let every: Vec<usize> = (0..grid.len()).collect();
        // Some stars on busy cells too: they must not count.
        let participants = random_people(100, grid.len(), &every, 0x2545_f491, |r| (r % 4 != 0, r % 7 == 0));
        let cells = grid.len();
        let m = Meeting {
            grid: crate::Grid::Times(grid),
            ..meeting(range("2026-06-01", "2026-06-04"), participants)
        };
        // When the best slots are taken, Then they are a naive tally's order
        let tally = |k: usize| {
            let free = m.participants.iter().filter(|p| p.answer.is_free(k)).count();
            let stars = m
                .participants
                .iter()
                .filter(|p| matches!(&p.answer, crate::Answer::Times { free, starred } if free.contains(k) && starred.contains(k)))
                .count();
            (free, stars)
        };
        let mut naive: Vec<usize> = (0..cells).filter(|&k| tally(k).0 > 0).collect();
        naive.sort_by(|&a, &b| tally(b).cmp(&tally(a)).then(a.cmp(&b)));
        for n in [1, 5, 40, cells + 1] {
            assert_eq!(
                best_slots(&m, n),
                naive.iter().copied().take(n).collect::<Vec<_>>(),
                "n = {n}"
            );
        }
    }

    #[test]
    fn windows_rank_as_a_brute_force_count_does_through_a_dst_gap() {
        // Given two days around Berlin's spring-forward in 30-minute slots, and five people
        // with pseudo-random answers
        let grid = crate::TimeGrid::new(
            vec![d("2026-03-28"), d("2026-03-29")],
            "00:00",
            "06:00",
            30,
            "Europe/Berlin",
        )
        .unwrap();
        let choosable: Vec<usize> = grid.choosable().iter().collect();
        let participants = random_people(5, grid.len(), &choosable, 0x9e37_79b9, |r| {
            (r % 3 != 0, r % 3 != 0 && r % 5 == 0)
        });
        let m = Meeting {
            grid: crate::Grid::Times(grid),
            ..meeting(range("2026-03-28", "2026-03-29"), participants)
        };
        // Then every window length ranks as the brute force does
        for n in 1..=8 {
            assert_eq!(rank_windows(&m, n), naive_windows(&m, n), "n = {n}");
        }
        // And the best slots are the first of the one-slot windows that someone is free in
        let slots: Vec<usize> = rank_windows(&m, 1)
            .into_iter()
            .filter(|w| w.free > 0)
            .map(|w| w.start)
            .collect();
        for n in [0, 1, 3, 10, slots.len() + 5] {
            assert_eq!(
                best_slots(&m, n),
                slots.iter().copied().take(n).collect::<Vec<_>>(),
                "n = {n}"
            );
        }
        // And no window contains the gap (02:00 and 02:30 of the second day)
        let crate::Grid::Times(grid) = &m.grid else {
            unreachable!()
        };
        for w in rank_windows(&m, 3) {
            assert!((w.start..w.start + 3).all(|k| !grid.cells()[k].is_gap()));
        }
    }
}
