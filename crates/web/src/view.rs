//! What the meeting page shows, computed from the meeting as `GET /v1/meetings/{code}` returns
//! it (the page reads nothing the API does not give): month grids with counts, the best dates,
//! people, one day's details, and the answer grid of the person in this browser.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate};
use serde::Deserialize;

use super::i18n::{Lang, Texts};

#[derive(Debug, Clone, Deserialize)]
pub struct MeetingData {
    pub url_code: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub title: String,
    pub location: String,
    pub participants: Vec<PersonData>,
    pub best_dates: Vec<NaiveDate>,
    #[serde(default)]
    pub final_date: Option<NaiveDate>,
    /// `times` for a meeting over times of day.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub time_grid: Option<TimeGridData>,
    #[serde(default)]
    pub slots: Vec<SlotData>,
    #[serde(default)]
    pub best_slots: Vec<String>,
    #[serde(default)]
    pub final_slot: Option<FinalSlotData>,
    /// The organiser's deadline, in the zone it was given in (RFC 3339).
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub deadline_time_zone: Option<String>,
    #[serde(default)]
    pub close_after_last_day: bool,
    /// When answers close (UTC), whatever closes them.
    #[serde(default)]
    pub answers_close_at: Option<String>,
    #[serde(default = "open")]
    pub answers_open: bool,
}

fn open() -> bool {
    true
}

/// When answers close, as the page says it.
pub struct Closing {
    /// The instant, for `<time datetime>`.
    pub at: String,
    /// Its day and wall time in the deadline's zone (else the meeting's, else UTC), and the zone.
    pub label: String,
    /// Already closed.
    pub closed: bool,
}

impl MeetingData {
    /// The zone the deadline is shown in.
    fn deadline_zone(&self) -> Option<meetifyr_core::Tz> {
        let name = self
            .deadline_time_zone
            .as_deref()
            .or(self.time_grid.as_ref().map(|g| g.time_zone.as_str()))?;
        name.parse().ok()
    }

    pub fn closing(&self, lang: Lang) -> Option<Closing> {
        let at = self.answers_close_at.as_deref()?;
        let instant = chrono::DateTime::parse_from_rfc3339(at).ok()?;
        let (local, zone) = match self.deadline_zone() {
            Some(zone) => (instant.with_timezone(&zone).naive_local(), zone.name()),
            None => (instant.naive_utc(), "UTC"),
        };
        Some(Closing {
            at: at.to_owned(),
            label: format!("{} {} ({zone})", lang.day(local.date()), local.format("%H:%M")),
            closed: !self.answers_open,
        })
    }

    /// The deadline as a `datetime-local` value in its zone (`2026-12-10T18:00`).
    pub fn deadline_local(&self) -> String {
        let Some(instant) = self
            .deadline
            .as_deref()
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        else {
            return String::new();
        };
        match self.deadline_zone() {
            Some(zone) => instant.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string(),
            None => instant.format("%Y-%m-%dT%H:%M").to_string(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct TimeGridData {
    pub time_zone: String,
    pub slot_minutes: u32,
}

/// A slot: its date and wall time in the meeting's zone, and its start (`None` in a gap).
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawSlot")]
pub struct SlotData {
    pub date: NaiveDate,
    pub time: String,
    pub start: Option<String>,
}

/// A slot as the API sends it: `start` (whose local part is the date and time), or for a gap
/// `date` and `time`.
#[derive(Deserialize)]
struct RawSlot {
    start: Option<String>,
    date: Option<String>,
    time: Option<String>,
}

impl TryFrom<RawSlot> for SlotData {
    type Error = String;

    fn try_from(raw: RawSlot) -> Result<Self, String> {
        let (date, time) = match &raw.start {
            Some(start) => (start.get(..10), start.get(11..16)),
            None => (raw.date.as_deref(), raw.time.as_deref()),
        };
        let date = date
            .and_then(meetifyr_core::parse_iso_date)
            .ok_or("a slot without a date")?;
        let time = time.ok_or("a slot without a time")?.to_owned();
        Ok(SlotData {
            date,
            time,
            start: raw.start,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct FinalSlotData {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PersonData {
    pub id: i64,
    pub name: String,
    pub dates: Vec<DayData>,
    /// A time meeting's: the slots this person is free in (indices into the meeting's slots).
    #[serde(default)]
    pub free: Vec<usize>,
    /// A time meeting's: the free slots this person prefers.
    #[serde(default)]
    pub starred: Vec<usize>,
    #[serde(default)]
    pub protected: bool,
    /// The organiser marked them as required.
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DayData {
    #[serde(deserialize_with = "iso_date")]
    pub date: NaiveDate,
    pub enabled: bool,
    pub starred: bool,
}

/// `YYYY-MM-DD` by the core's parser: chrono's general one was a tenth of the page's time.
fn iso_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let text = <&str>::deserialize(d)?;
    meetifyr_core::parse_iso_date(text).ok_or_else(|| serde::de::Error::custom("not a YYYY-MM-DD date"))
}

impl MeetingData {
    pub fn days(&self) -> Vec<NaiveDate> {
        match (self.start_date, self.end_date) {
            (Some(start), Some(end)) => start.iter_days().take_while(|d| *d <= end).collect(),
            _ => Vec::new(),
        }
    }

    pub fn person(&self, id: i64) -> Option<&PersonData> {
        self.participants.iter().find(|p| p.id == id)
    }
}

impl PersonData {
    /// The API lists a person's days in order, one per day of the range: index by distance
    /// from the first (a scan per lookup made the page's grids quadratic in days).
    fn day(&self, date: NaiveDate) -> Option<&DayData> {
        let first = self.dates.first()?.date;
        usize::try_from((date - first).num_days())
            .ok()
            .and_then(|i| self.dates.get(i))
            .filter(|d| d.date == date)
            .or_else(|| self.dates.iter().find(|d| d.date == date))
    }

    pub fn is_free(&self, date: NaiveDate) -> bool {
        self.day(date).is_some_and(|d| d.enabled)
    }

    pub fn has_starred(&self, date: NaiveDate) -> bool {
        self.day(date).is_some_and(|d| d.starred)
    }
}

/// Shades of the count scale: a count shows as `round(count × LEVELS ÷ people)`, so up to 12
/// people every count has its own shade.
pub const LEVELS: usize = 12;

pub struct Cell {
    /// `None` for the padding before the first and after the last day.
    pub date: Option<String>,
    pub day: u32,
    pub free: usize,
    pub stars: usize,
    pub level: usize,
    pub everyone: bool,
    pub label: String,
}

pub struct Month {
    pub label: String,
    pub weeks: Vec<Vec<Cell>>,
}

pub struct Best {
    pub rank: usize,
    pub date: String,
    pub day: String,
    pub text: String,
}

pub struct Chip {
    pub id: i64,
    pub name: String,
    pub shown: bool,
    /// The `people` shown with this person's chip toggled (the chip's value without JavaScript).
    pub people: String,
    pub required: bool,
}

pub struct Detail {
    pub day: String,
    pub free: Vec<String>,
    pub busy: Vec<String>,
    pub starred: Vec<String>,
}

pub struct AnswerCell {
    pub date: Option<String>,
    pub day: u32,
    pub free: bool,
    pub starred: bool,
    pub free_label: String,
    pub star_label: String,
}

pub struct AnswerMonth {
    pub label: String,
    pub weeks: Vec<Vec<AnswerCell>>,
}

/// Fills `{name}`-style holes.
pub fn fill(template: &str, holes: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in holes {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// Splits days into months of weeks in the language's week order, padding with `blank`.
fn months<C>(
    lang: Lang,
    days: &[NaiveDate],
    mut cell: impl FnMut(NaiveDate) -> C,
    blank: impl Fn() -> C,
) -> Vec<(String, Vec<Vec<C>>)> {
    let mut out: Vec<(String, Vec<Vec<C>>)> = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let first = days[i];
        let mut month_days = Vec::new();
        while i < days.len() && days[i].month() == first.month() && days[i].year() == first.year() {
            month_days.push(days[i]);
            i += 1;
        }
        let column = |d: NaiveDate| ((d.weekday().num_days_from_monday() + lang.monday_offset()) % 7) as usize;
        let mut weeks = Vec::new();
        let mut week: Vec<C> = (0..column(first)).map(|_| blank()).collect();
        for d in month_days {
            week.push(cell(d));
            if week.len() == 7 {
                weeks.push(std::mem::take(&mut week));
            }
        }
        if !week.is_empty() {
            while week.len() < 7 {
                week.push(blank());
            }
            weeks.push(week);
        }
        out.push((lang.month(first.year(), first.month()), weeks));
    }
    out
}

/// The group view over the people in `shown`.
pub fn group(m: &MeetingData, shown: &BTreeSet<i64>, lang: Lang, t: &Texts) -> Vec<Month> {
    let people: Vec<&PersonData> = m.participants.iter().filter(|p| shown.contains(&p.id)).collect();
    let total = people.len();
    let cell = |date: NaiveDate| {
        let free = people.iter().filter(|p| p.is_free(date)).count();
        let stars = people.iter().filter(|p| p.has_starred(date)).count();
        let level = (free * LEVELS + total / 2).checked_div(total).unwrap_or(0);
        let counts = fill(
            t.free_of,
            &[
                ("free", &free.to_string()),
                ("total", &total.to_string()),
                ("stars", &stars.to_string()),
            ],
        );
        // "· 0★" says nothing: a day without stars is read out as its free count alone.
        let counts = if stars == 0 {
            counts.split(" · ").next().unwrap_or_default()
        } else {
            &counts
        };
        let mut label = format!("{}: {counts}", lang.day(date));
        if total > 0 && free == total {
            label.push_str(&format!(" ({})", t.legend_all));
        }
        Cell {
            date: Some(date.to_string()),
            day: date.day(),
            free,
            stars,
            level,
            everyone: total > 0 && free == total,
            label,
        }
    };
    let blank = || Cell {
        date: None,
        day: 0,
        free: 0,
        stars: 0,
        level: 0,
        everyone: false,
        label: String::new(),
    };
    months(lang, &m.days(), cell, blank)
        .into_iter()
        .map(|(label, weeks)| Month { label, weeks })
        .collect()
}

/// The API's best dates (most free, then most stars, then earliest) with their counts among
/// everyone.
pub fn best(m: &MeetingData, lang: Lang, t: &Texts) -> Vec<Best> {
    ranked(m, &m.best_dates, lang, t)
}

/// Every day of the range, ranked as `best_dates` ranks them (the list "best dates" expands to).
pub fn ranking(m: &MeetingData, lang: Lang, t: &Texts) -> Vec<Best> {
    let (Some(start), Some(end)) = (m.start_date, m.end_date) else {
        return Vec::new();
    };
    // Days a required person cannot come go below the rest, as the API ranks them.
    let mut days: Vec<(bool, usize, usize, NaiveDate)> = start
        .iter_days()
        .take_while(|d| *d <= end)
        .map(|d| {
            let free = m.participants.iter().filter(|p| p.is_free(d)).count();
            let stars = m.participants.iter().filter(|p| p.has_starred(d)).count();
            let required_free = m.participants.iter().all(|p| !p.required || p.is_free(d));
            (required_free, free, stars, d)
        })
        .collect();
    days.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(b.2.cmp(&a.2))
            .then(a.3.cmp(&b.3))
    });
    let dates: Vec<NaiveDate> = days.into_iter().map(|(_, _, _, d)| d).collect();
    ranked(m, &dates, lang, t)
}

fn ranked(m: &MeetingData, dates: &[NaiveDate], lang: Lang, t: &Texts) -> Vec<Best> {
    let total = m.participants.len();
    if total == 0 {
        return Vec::new();
    }
    dates
        .iter()
        .enumerate()
        .map(|(i, date)| {
            let free = m.participants.iter().filter(|p| p.is_free(*date)).count();
            let stars = m.participants.iter().filter(|p| p.has_starred(*date)).count();
            let mut text = fill(
                t.free_of,
                &[
                    ("free", &free.to_string()),
                    ("total", &total.to_string()),
                    ("stars", &stars.to_string()),
                ],
            );
            if !m.participants.iter().all(|p| !p.required || p.is_free(*date)) {
                text = format!("{text} · {}", t.required_missing);
            }
            Best {
                rank: i + 1,
                date: date.to_string(),
                day: lang.day(*date),
                text,
            }
        })
        .collect()
}

pub fn chips(m: &MeetingData, shown: &BTreeSet<i64>) -> Vec<Chip> {
    m.participants
        .iter()
        .map(|p| {
            let mut toggled = shown.clone();
            if !toggled.remove(&p.id) {
                toggled.insert(p.id);
            }
            let list: Vec<String> = toggled.iter().map(i64::to_string).collect();
            Chip {
                id: p.id,
                name: p.name.clone(),
                shown: shown.contains(&p.id),
                people: list.join(","),
                required: p.required,
            }
        })
        .collect()
}

/// Who is free, busy and starred on `date`, among the people shown.
pub fn detail(m: &MeetingData, shown: &BTreeSet<i64>, date: NaiveDate, lang: Lang) -> Option<Detail> {
    if !m.days().contains(&date) {
        return None;
    }
    let people = m.participants.iter().filter(|p| shown.contains(&p.id));
    let (mut free, mut busy, mut starred) = (Vec::new(), Vec::new(), Vec::new());
    for p in people {
        if p.is_free(date) {
            free.push(p.name.clone());
        } else {
            busy.push(p.name.clone());
        }
        if p.has_starred(date) {
            starred.push(p.name.clone());
        }
    }
    Some(Detail {
        day: lang.day(date),
        free,
        busy,
        starred,
    })
}

pub fn answer(m: &MeetingData, me: &PersonData, lang: Lang, t: &Texts) -> Vec<AnswerMonth> {
    let cell = |date: NaiveDate| {
        let day = lang.day(date);
        AnswerCell {
            date: Some(date.to_string()),
            day: date.day(),
            free: me.is_free(date),
            starred: me.has_starred(date),
            free_label: fill(t.free_on, &[("day", &day)]),
            star_label: fill(t.star_on, &[("day", &day)]),
        }
    };
    answer_months(lang, &m.days(), cell)
}

/// `days` as months of answer cells, padded with blank ones.
fn answer_months(lang: Lang, days: &[NaiveDate], cell: impl FnMut(NaiveDate) -> AnswerCell) -> Vec<AnswerMonth> {
    let blank = || AnswerCell {
        date: None,
        day: 0,
        free: false,
        starred: false,
        free_label: String::new(),
        star_label: String::new(),
    };
    months(lang, days, cell, blank)
        .into_iter()
        .map(|(label, weeks)| AnswerMonth { label, weeks })
        .collect()
}

/// The create form's calendar of `days`, each ticked when `chosen`.
pub fn days_to_pick(lang: Lang, days: &[NaiveDate], chosen: impl Fn(NaiveDate) -> bool) -> Vec<AnswerMonth> {
    let cell = |date: NaiveDate| AnswerCell {
        date: Some(date.to_string()),
        day: date.day(),
        free: chosen(date),
        starred: false,
        free_label: lang.day(date),
        star_label: String::new(),
    };
    answer_months(lang, days, cell)
}

/// The range a quick pick means, from `today`.
pub fn quick_pick(pick: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let first_of = |d: NaiveDate| d.with_day(1).expect("day 1 exists");
    let last_of = |d: NaiveDate| {
        let next = first_of(d)
            .checked_add_months(chrono::Months::new(1))
            .expect("a month later");
        next.pred_opt().expect("a day before")
    };
    match pick {
        "4w" => Some((today, today.checked_add_days(Days::new(27))?)),
        "this" => Some((today, last_of(today))),
        "next" => {
            let start = first_of(today).checked_add_months(chrono::Months::new(1))?;
            Some((start, last_of(start)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn quick_picks_cover_the_expected_days() {
        let today = d("2026-11-30");
        assert_eq!(quick_pick("4w", today), Some((today, d("2026-12-27"))));
        assert_eq!(quick_pick("this", today), Some((today, today)));
        assert_eq!(quick_pick("next", today), Some((d("2026-12-01"), d("2026-12-31"))));
        assert_eq!(
            quick_pick("next", d("2027-01-31")),
            Some((d("2027-02-01"), d("2027-02-28")))
        );
        assert_eq!(quick_pick("x", today), None);
    }

    #[test]
    fn weeks_start_on_sunday_in_korean_and_monday_in_english() {
        // 2026-11-01 is a Sunday
        let days: Vec<NaiveDate> = d("2026-11-01").iter_days().take(30).collect();
        let ko = months(Lang::Ko, &days, |d| d.day(), || 0);
        let en = months(Lang::En, &days, |d| d.day(), || 0);
        assert_eq!(ko[0].1[0][0], 1);
        assert_eq!(&en[0].1[0][..], &[0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(ko[0].0, "2026년 11월");
        assert_eq!(en[0].0, "November 2026");
    }
}
