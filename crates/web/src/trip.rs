//! "Find days in a row" on the meeting page: the API's run ranking (issue 23) drawn by the
//! server, so it works without JavaScript; app.js asks the API for the same on each change.

use meetifyr_core::{DayWindowQuery, Meeting, Weekdays, rank_day_windows};

use crate::i18n::{Lang, Texts};
use crate::view::fill;

/// The runs shown at most.
const SHOWN: usize = 5;

/// The form's values and, once asked, its results.
pub struct Trip {
    pub days: usize,
    /// The range's length: the longest run one can ask for.
    pub max_days: usize,
    /// ISO weekday a run starts on (1 = Monday), 0 for any.
    pub start_on: u8,
    pub skip_weekends: bool,
    pub min_free: u32,
    /// `(value, name, selected)` for the "starting on" list, Monday first.
    pub weekdays: Vec<(u8, &'static str, bool)>,
    /// `None` until the form is sent.
    pub results: Option<Vec<TripItem>>,
}

pub struct TripItem {
    pub first: String,
    pub label: String,
    pub text: String,
    pub required_missing: bool,
}

impl Trip {
    /// The form as `?window=&start_on=&skip_weekends=&min_free=` left it (out-of-range values
    /// are brought in range: it is a form, not the API).
    pub fn new(max_days: usize, query: &TripQuery, lang: Lang) -> Trip {
        let number = |v: &Option<String>| v.as_deref().and_then(|t| t.trim().parse::<usize>().ok());
        let days = number(&query.window).unwrap_or(2).clamp(1, max_days.max(1));
        let start_on = number(&query.start_on).filter(|n| *n <= 7).unwrap_or(0) as u8;
        let names = lang.weekday_names();
        // weekday_names follows the page's week, which starts on Sunday in Korean.
        let monday = lang
            .weekdays()
            .iter()
            .position(|w| *w == lang.short_days()[0])
            .unwrap_or(0);
        let weekdays = (1..=7u8)
            .map(|n| (n, names[(monday + n as usize - 1) % 7], n == start_on))
            .collect();
        Trip {
            days,
            max_days: max_days.max(1),
            start_on,
            skip_weekends: query.skip_weekends.is_some(),
            min_free: number(&query.min_free).unwrap_or(0).min(u32::MAX as usize) as u32,
            weekdays,
            results: None,
        }
    }

    /// Ranks the meeting's runs as the form asks.
    pub fn rank(&mut self, meeting: &Meeting, lang: Lang, t: &Texts) {
        let Some(start) = meeting.start_date() else {
            self.results = Some(Vec::new());
            return;
        };
        let query = DayWindowQuery {
            len: self.days,
            starts_on: Weekdays::iso(self.start_on).unwrap_or(Weekdays::ALL),
            skip: if self.skip_weekends {
                Weekdays::WEEKEND
            } else {
                Weekdays::NONE
            },
            min_free: self.min_free,
        };
        let total = meeting.participants.len().to_string();
        let date = |k: usize| start + chrono::Days::new(k as u64);
        let items = rank_day_windows(meeting, &query)
            .into_iter()
            .take(SHOWN)
            .map(|w| {
                let (first, last) = (date(w.days[0]), date(w.days[w.days.len() - 1]));
                TripItem {
                    first: first.to_string(),
                    label: if first == last {
                        lang.day(first)
                    } else {
                        format!("{} – {}", lang.day(first), lang.day(last))
                    },
                    text: fill(
                        t.trip_free,
                        &[
                            ("free", &w.free.to_string()),
                            ("total", &total),
                            ("stars", &w.starred.to_string()),
                        ],
                    ),
                    required_missing: !w.required_free,
                }
            })
            .collect();
        self.results = Some(items);
    }
}

/// The form's fields in the page's query.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct TripQuery {
    pub window: Option<String>,
    pub start_on: Option<String>,
    pub skip_weekends: Option<String>,
    pub min_free: Option<String>,
}
