//! What the page of a time meeting shows, from its GET body: a table of days × wall times
//! (one row per wall time, and one more for a repeated hour), the group's counts in each
//! slot, and the answer grid of the person in this browser.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::i18n::{Lang, Texts};
use crate::view::{LEVELS, MeetingData, PersonData, fill};

pub struct TimeTable {
    pub days: Vec<String>,
    pub rows: Vec<TimeRow>,
}

pub struct TimeRow {
    /// The wall time, and the offset when that wall time happens twice that day.
    pub label: String,
    pub cells: Vec<TimeCell>,
}

/// One slot of one day, or nothing (`start` empty and not a gap) where that day has no such
/// row (a repeated hour on another day).
pub struct TimeCell {
    /// Its index in the meeting's slots.
    pub index: usize,
    pub start: String,
    pub gap: bool,
    pub free: usize,
    /// How many of the people shown star it.
    pub stars: usize,
    pub level: usize,
    pub everyone: bool,
    pub mine: bool,
    /// This browser's person stars it.
    pub my_star: bool,
    pub star_label: String,
    /// The slot as read out: its day and time.
    pub when: String,
    /// The group's count as read out.
    pub label: String,
    /// Coordinates for painting rectangles.
    pub row: usize,
    pub col: usize,
}

/// `+09:00` of an RFC 3339 instant.
fn offset(start: &str) -> &str {
    start.get(19..).unwrap_or_default()
}

/// The table: days as columns, wall times as rows in order (a repeated wall time gets a row
/// per occurrence, labelled with its offset).
pub fn table(m: &MeetingData, shown: &BTreeSet<i64>, me: Option<&PersonData>, lang: Lang, t: &Texts) -> TimeTable {
    let people: Vec<&PersonData> = m.participants.iter().filter(|p| shown.contains(&p.id)).collect();
    let total = people.len();
    let mut dates: Vec<NaiveDate> = m.slots.iter().map(|s| s.date).collect();
    dates.dedup();
    // Row keys: (wall time, occurrence that day), in order.
    let mut keys: Vec<(String, usize)> = Vec::new();
    let mut placed: Vec<(usize, (String, usize), usize)> = Vec::new();
    for (col, date) in dates.iter().enumerate() {
        let mut seen: Vec<&str> = Vec::new();
        for (k, slot) in m.slots.iter().enumerate().filter(|(_, s)| s.date == *date) {
            let occurrence = seen.iter().filter(|w| **w == slot.time).count();
            seen.push(&slot.time);
            let key = (slot.time.clone(), occurrence);
            if !keys.contains(&key) {
                keys.push(key.clone());
            }
            placed.push((col, key, k));
        }
    }
    keys.sort();
    let mine: BTreeSet<usize> = me.map(|p| p.free.iter().copied().collect()).unwrap_or_default();
    let my_stars: BTreeSet<usize> = me.map(|p| p.starred.iter().copied().collect()).unwrap_or_default();
    let free_sets: Vec<BTreeSet<usize>> = people.iter().map(|p| p.free.iter().copied().collect()).collect();
    let star_sets: Vec<BTreeSet<usize>> = people.iter().map(|p| p.starred.iter().copied().collect()).collect();
    let rows = keys
        .iter()
        .enumerate()
        .map(|(row, key)| {
            let repeated = keys.iter().filter(|k| k.0 == key.0).count() > 1;
            let mut label = key.0.clone();
            let cells: Vec<TimeCell> = (0..dates.len())
                .map(|col| {
                    let slot = placed
                        .iter()
                        .find(|(c, k, _)| *c == col && k == key)
                        .map(|(_, _, i)| (*i, &m.slots[*i]));
                    let when = format!("{} {}", lang.day(dates[col]), key.0);
                    let Some((index, slot)) = slot else {
                        return TimeCell {
                            index: 0,
                            start: String::new(),
                            gap: false,
                            free: 0,
                            stars: 0,
                            level: 0,
                            everyone: false,
                            mine: false,
                            my_star: false,
                            star_label: String::new(),
                            when,
                            label: String::new(),
                            row,
                            col,
                        };
                    };
                    let Some(start) = slot.start.clone() else {
                        return TimeCell {
                            index,
                            start: String::new(),
                            gap: true,
                            free: 0,
                            stars: 0,
                            level: 0,
                            everyone: false,
                            mine: false,
                            my_star: false,
                            star_label: String::new(),
                            label: format!("{when}: {}", t.gap_label),
                            when,
                            row,
                            col,
                        };
                    };
                    if repeated && !label.contains('+') && !label.contains('-') {
                        label = format!("{} ({})", key.0, offset(&start));
                    }
                    let when = if repeated {
                        format!("{when} ({})", offset(&start))
                    } else {
                        when
                    };
                    let free = free_sets.iter().filter(|f| f.contains(&index)).count();
                    let stars = star_sets.iter().filter(|f| f.contains(&index)).count();
                    let level = (free * LEVELS + total / 2).checked_div(total).unwrap_or(0);
                    let everyone = total > 0 && free == total;
                    let mut label = fill(
                        t.slot_free_of,
                        &[
                            ("when", &when),
                            ("free", &free.to_string()),
                            ("total", &total.to_string()),
                        ],
                    );
                    if stars > 0 {
                        label.push_str(&format!(", ★ {stars}"));
                    }
                    if everyone {
                        label.push_str(&format!(" ({})", t.legend_all));
                    }
                    TimeCell {
                        mine: mine.contains(&index),
                        my_star: my_stars.contains(&index),
                        star_label: fill(t.star_on, &[("day", &when)]),
                        index,
                        start,
                        gap: false,
                        free,
                        stars,
                        level,
                        everyone,
                        when,
                        label,
                        row,
                        col,
                    }
                })
                .collect();
            TimeRow { label, cells }
        })
        .collect();
    TimeTable {
        days: dates.iter().map(|d| lang.day(*d)).collect(),
        rows,
    }
}

/// The best slots as shown: their day and time in the meeting's zone, and how many are free.
pub fn best(m: &MeetingData, lang: Lang, t: &Texts) -> Vec<crate::view::Best> {
    let total = m.participants.len();
    m.best_slots
        .iter()
        .enumerate()
        .filter_map(|(i, start)| {
            let index = m
                .slots
                .iter()
                .position(|s| s.start.as_deref() == Some(start.as_str()))?;
            let slot = &m.slots[index];
            let free = m.participants.iter().filter(|p| p.free.contains(&index)).count();
            let stars = m.participants.iter().filter(|p| p.starred.contains(&index)).count();
            Some(crate::view::Best {
                rank: i + 1,
                date: start.clone(),
                day: format!("{} {}", lang.day(slot.date), slot.time),
                text: fill(
                    t.free_of,
                    &[
                        ("free", &free.to_string()),
                        ("total", &total.to_string()),
                        ("stars", &stars.to_string()),
                    ],
                ),
            })
        })
        .collect()
}
