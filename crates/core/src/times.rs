//! Meetings over times of day: the grid of slots, resolved in the meeting's time zone.
//!
//! A slot is named by its date and its wall time in the meeting's zone, so the grid never
//! shifts when a viewer is elsewhere or a rule changes far away. Each slot is also the instant
//! it starts at. On a day that springs forward the wall times in the gap do not exist: their
//! cells stay in the grid (so every day has the same wall times) but are marked and cannot be
//! chosen. On a day that falls back the repeated wall times happen twice: each instant is its
//! own cell, in the order they happen. Cells are numbered day by day in that order; bit `k` of
//! an answer is cell `k`.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveTime, Offset as _, TimeZone as _, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::DateRange;

/// Days a time meeting may have.
pub const MAX_TIME_DAYS: usize = 63;
/// The slot lengths offered, in minutes.
pub const SLOT_MINUTES: [u16; 3] = [15, 30, 60];
const DAY_MINUTES: u16 = 24 * 60;

/// Why a time grid is refused; the `Display` is the API's `detail`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeGridError {
    #[error("a time meeting needs at least one date")]
    NoDates,
    #[error("a time meeting has at most {MAX_TIME_DAYS} dates")]
    TooManyDates,
    #[error("the date {0} is listed twice")]
    RepeatedDate(NaiveDate),
    #[error("slot_minutes must be 15, 30 or 60")]
    SlotMinutes,
    #[error("{0} is not a time of day (HH:MM, 00:00 to 24:00)")]
    Time(String),
    #[error("day_start must be before day_end")]
    EmptyDay,
    #[error("day_start and day_end must fall on the {0}-minute slots (minutes a multiple of {0})")]
    Misaligned(u16),
    #[error("{0:?} is not a time zone of the IANA database (for example Asia/Seoul)")]
    Zone(String),
}

/// One cell of a time grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Which date of the meeting (index into [`TimeGrid::dates`]).
    pub day: usize,
    pub date: NaiveDate,
    /// Wall time in the meeting's zone, in minutes after midnight.
    pub minute: u16,
    /// When it starts, with the zone's offset then; `None` in a spring-forward gap.
    pub start: Option<DateTime<FixedOffset>>,
}

impl Slot {
    pub fn wall_time(&self) -> NaiveTime {
        NaiveTime::from_hms_opt(u32::from(self.minute / 60), u32::from(self.minute % 60), 0).expect("minute < 1440")
    }

    /// A wall time that does not exist that day (a spring-forward gap).
    pub fn is_gap(&self) -> bool {
        self.start.is_none()
    }
}

/// What a time meeting asks about, as created: validated, immutable, cheap to clone.
#[derive(Clone, PartialEq, Eq)]
pub struct TimeGrid(Arc<Inner>);

#[derive(PartialEq, Eq)]
struct Inner {
    spec: TimeGridSpec,
    zone: Tz,
    cells: Vec<Slot>,
    /// The first cell of each day, and one past the last.
    day_starts: Vec<usize>,
    /// Each cell's start as RFC 3339 in the zone and in UTC (`None` in a gap), written once:
    /// every GET of the meeting lists them.
    texts: Vec<Option<(String, String)>>,
    /// The slots as the JSON array every GET of the meeting sends, written once: it is most of
    /// that body, and a grid is built once per stored text and shared.
    slots_json: String,
    /// Every cell that starts at an instant, by that instant (seconds): a stroke names up to
    /// thousands of them.
    by_instant: Vec<(i64, usize)>,
}

/// The stored and sent form of a grid: what the organiser chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeGridSpec {
    /// Ascending, distinct.
    pub dates: Vec<NaiveDate>,
    /// `HH:MM`, the first slot's wall time.
    pub day_start: String,
    /// `HH:MM` (`24:00` for midnight), where the last slot ends.
    pub day_end: String,
    pub slot_minutes: u16,
    pub time_zone: String,
}

impl fmt::Debug for TimeGrid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.spec.fmt(f)
    }
}

/// `HH:MM` as minutes after midnight; `24:00` allowed.
fn minutes(text: &str) -> Result<u16, TimeGridError> {
    let bad = || TimeGridError::Time(text.to_owned());
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h * 60 + m > DAY_MINUTES {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

impl TimeGrid {
    /// Checks and resolves a grid: dates in any order are sorted; a repeated one is refused.
    pub fn new(
        mut dates: Vec<NaiveDate>,
        day_start: &str,
        day_end: &str,
        slot_minutes: u16,
        time_zone: &str,
    ) -> Result<Self, TimeGridError> {
        if dates.is_empty() {
            return Err(TimeGridError::NoDates);
        }
        dates.sort_unstable();
        if let Some(w) = dates.windows(2).find(|w| w[0] == w[1]) {
            return Err(TimeGridError::RepeatedDate(w[0]));
        }
        if dates.len() > MAX_TIME_DAYS {
            return Err(TimeGridError::TooManyDates);
        }
        if !SLOT_MINUTES.contains(&slot_minutes) {
            return Err(TimeGridError::SlotMinutes);
        }
        let (start, end) = (minutes(day_start)?, minutes(day_end)?);
        if start >= end {
            return Err(TimeGridError::EmptyDay);
        }
        if start % slot_minutes != 0 || end % slot_minutes != 0 {
            return Err(TimeGridError::Misaligned(slot_minutes));
        }
        let zone: Tz = time_zone
            .parse()
            .map_err(|_| TimeGridError::Zone(time_zone.to_owned()))?;
        let mut cells = Vec::with_capacity(dates.len() * usize::from((end - start) / slot_minutes));
        let mut day_starts = Vec::with_capacity(dates.len() + 1);
        for (day, &date) in dates.iter().enumerate() {
            day_starts.push(cells.len());
            // (sort key, cell): instants in the order they happen; a gap right after the wall
            // time before it.
            let mut today: Vec<(i64, Slot)> = Vec::new();
            let mut last = i64::MIN;
            for minute in (start..end).step_by(usize::from(slot_minutes)) {
                let wall = date
                    .and_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0)
                    .expect("valid");
                let cell = |start: Option<DateTime<Tz>>| Slot {
                    day,
                    date,
                    minute,
                    start: start.map(|t| t.with_timezone(&t.offset().fix())),
                };
                match zone.from_local_datetime(&wall) {
                    LocalResult::Single(t) => {
                        last = t.timestamp();
                        today.push((last, cell(Some(t))));
                    }
                    LocalResult::Ambiguous(a, b) => {
                        last = a.timestamp();
                        today.push((last, cell(Some(a))));
                        today.push((b.timestamp(), cell(Some(b))));
                    }
                    LocalResult::None => today.push((last, cell(None))),
                }
            }
            today.sort_by_key(|(key, _)| *key);
            cells.extend(today.into_iter().map(|(_, c)| c));
        }
        day_starts.push(cells.len());
        let spec = TimeGridSpec {
            dates,
            day_start: hhmm(start),
            day_end: hhmm(end),
            slot_minutes,
            time_zone: zone.name().to_owned(),
        };
        let texts: Vec<_> = cells
            .iter()
            .map(|c| {
                c.start
                    .map(|t| (format_instant(t), utc(t).format("%Y-%m-%dT%H:%M:%SZ").to_string()))
            })
            .collect();
        let slots_json = slots_json(&cells, &texts);
        let mut by_instant: Vec<(i64, usize)> = cells
            .iter()
            .enumerate()
            .filter_map(|(k, c)| Some((c.start?.timestamp(), k)))
            .collect();
        by_instant.sort_unstable();
        Ok(Self(Arc::new(Inner {
            by_instant,
            spec,
            zone,
            cells,
            day_starts,
            texts,
            slots_json,
        })))
    }

    /// Every day of a range.
    pub fn over_range(
        range: DateRange,
        day_start: &str,
        day_end: &str,
        slot_minutes: u16,
        time_zone: &str,
    ) -> Result<Self, TimeGridError> {
        Self::new(range.days().collect(), day_start, day_end, slot_minutes, time_zone)
    }

    pub fn from_spec(spec: &TimeGridSpec) -> Result<Self, TimeGridError> {
        Self::new(
            spec.dates.clone(),
            &spec.day_start,
            &spec.day_end,
            spec.slot_minutes,
            &spec.time_zone,
        )
    }

    pub fn spec(&self) -> &TimeGridSpec {
        &self.0.spec
    }

    pub fn dates(&self) -> &[NaiveDate] {
        &self.0.spec.dates
    }

    pub fn zone(&self) -> Tz {
        self.0.zone
    }

    pub fn slot_minutes(&self) -> u16 {
        self.0.spec.slot_minutes
    }

    /// Every cell, day by day, each day in the order its instants happen.
    pub fn cells(&self) -> &[Slot] {
        &self.0.cells
    }

    pub fn len(&self) -> usize {
        self.0.cells.len()
    }

    /// Cell `k`'s start as sent: RFC 3339 with the zone's offset, and in UTC; `None` in a gap.
    /// Every slot as JSON: `[{"start": local RFC 3339, "utc": …}, …]`, a gap (which has no
    /// instant) as `{"date", "time", "gap": true}`. The texts need no escaping.
    pub fn slots_json(&self) -> &str {
        &self.0.slots_json
    }

    pub fn start_texts(&self, k: usize) -> Option<(&str, &str)> {
        self.0
            .texts
            .get(k)?
            .as_ref()
            .map(|(local, utc)| (local.as_str(), utc.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.cells.is_empty()
    }

    /// The cells of day `day` (an index into [`TimeGrid::dates`]).
    pub fn day_cells(&self, day: usize) -> std::ops::Range<usize> {
        self.0.day_starts[day]..self.0.day_starts[day + 1]
    }

    /// The cell starting at `instant`, if the grid has one; `Err` says why not. An instant
    /// written at a wall time that does not exist in the meeting's zone that day (a gap) is
    /// refused as such, whatever instant its offset makes of it.
    pub fn cell_at(&self, instant: DateTime<FixedOffset>) -> Result<usize, SlotProblem> {
        use chrono::Timelike as _;
        // Most often a cell's own start, written with the offset the zone has then (so at a
        // wall time that exists): found without converting between zones.
        if let Ok(i) = self
            .0
            .by_instant
            .binary_search_by_key(&instant.timestamp(), |&(t, _)| t)
        {
            let k = self.0.by_instant[i].1;
            if self.0.cells[k].start.is_some_and(|s| s.offset() == instant.offset()) && instant.nanosecond() == 0 {
                return Ok(k);
            }
        }
        let written = instant.naive_local();
        if self.0.spec.dates.binary_search(&written.date()).is_ok()
            && matches!(self.0.zone.from_local_datetime(&written), LocalResult::None)
        {
            return Err(SlotProblem::Gap);
        }
        let local = instant.with_timezone(&self.0.zone).naive_local();
        let Ok(day) = self.0.spec.dates.binary_search(&local.date()) else {
            return Err(SlotProblem::Outside);
        };
        let minute = local.hour() * 60 + local.minute();
        if !minute.is_multiple_of(u32::from(self.slot_minutes())) || local.second() != 0 || local.nanosecond() != 0 {
            return Err(SlotProblem::Misaligned);
        }
        self.day_cells(day)
            .find(|&k| self.0.cells[k].start.is_some_and(|s| s == instant))
            .ok_or(SlotProblem::Outside)
    }

    /// The cells where a window of `n` consecutive cells may start: within one day, none in a
    /// gap (nobody can be free at a time that does not exist).
    pub fn window_starts(&self, n: usize) -> CellSet {
        let mut starts = CellSet::empty(self.len());
        if n == 0 {
            return starts;
        }
        for day in 0..self.dates().len() {
            let cells = self.day_cells(day);
            let mut run = 0;
            for k in cells {
                run = if self.0.cells[k].is_gap() { 0 } else { run + 1 };
                if run >= n {
                    starts.insert(k + 1 - n);
                }
            }
        }
        starts
    }

    /// The cells one can choose: every one but the gaps.
    pub fn choosable(&self) -> CellSet {
        self.window_starts(1)
    }
}

/// A run of consecutive cells of a time grid: a slot or a window the organiser settles on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotWindow {
    /// Its first cell.
    pub start: usize,
    /// How many cells it spans (at least one).
    pub len: usize,
}

impl TimeGrid {
    /// The window of `minutes` starting at `instant`, if the grid has one there (within one
    /// day, through no gap); `Err` says why not.
    pub fn window_at(&self, instant: DateTime<FixedOffset>, minutes: u32) -> Result<SlotWindow, String> {
        let slot = u32::from(self.slot_minutes());
        if minutes == 0 || !minutes.is_multiple_of(slot) {
            return Err(format!("minutes must be a positive multiple of {slot}"));
        }
        let start = self.cell_at(instant).map_err(|p| p.to_string())?;
        let len = (minutes / slot) as usize;
        if !self.window_starts(len).contains(start) {
            return Err("the window does not fit in that day's slots (or runs through a daylight-saving gap)".into());
        }
        Ok(SlotWindow { start, len })
    }

    /// When a window starts and ends, with the zone's offsets then.
    pub fn window_bounds(&self, w: SlotWindow) -> Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
        let first = self.0.cells.get(w.start)?.start?;
        let last = self.0.cells.get(w.start + w.len - 1)?.start?;
        let end = last + chrono::Duration::minutes(i64::from(self.slot_minutes()));
        Some((first, end.with_timezone(&self.0.zone).fixed_offset()))
    }
}

/// Why an instant cannot be part of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlotProblem {
    #[error("Slot is not one of the meeting's (outside its dates or daily hours)")]
    Outside,
    #[error("Slot does not start on the meeting's slot grid")]
    Misaligned,
    #[error("Slot falls in a daylight-saving gap: that time does not exist that day")]
    Gap,
    #[error("Slot is listed more than once")]
    Duplicate,
    #[error("A starred slot must also be free")]
    StarredNotFree,
}

/// A refused item of an answer: which list, which item, what it said and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}")]
pub struct SlotError {
    pub field: &'static str,
    pub index: usize,
    pub input: String,
    pub problem: SlotProblem,
}

/// A participant's whole answer to a time meeting, checked against its grid: every slot one
/// of its cells, none in a gap, none twice, every starred slot free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotAnswer {
    free: CellSet,
    starred: CellSet,
}

impl SlotAnswer {
    /// From the slot start times a client lists; every refused item is named.
    pub fn parse(
        grid: &TimeGrid,
        free: &[DateTime<FixedOffset>],
        starred: &[DateTime<FixedOffset>],
    ) -> Result<Self, Vec<SlotError>> {
        let mut errors = Vec::new();
        let mut cells = |field: &'static str, list: &[DateTime<FixedOffset>]| {
            let mut set = CellSet::empty(grid.len());
            for (index, &t) in list.iter().enumerate() {
                let problem = match grid.cell_at(t) {
                    Ok(k) if set.contains(k) => SlotProblem::Duplicate,
                    Ok(k) => {
                        set.insert(k);
                        continue;
                    }
                    Err(p) => p,
                };
                errors.push(SlotError {
                    field,
                    index,
                    input: format_instant(t),
                    problem,
                });
            }
            set
        };
        let free_set = cells("free", free);
        let starred_set = cells("starred", starred);
        for (index, &t) in starred.iter().enumerate() {
            if grid.cell_at(t).is_ok_and(|k| !free_set.contains(k)) {
                errors.push(SlotError {
                    field: "starred",
                    index,
                    input: format_instant(t),
                    problem: SlotProblem::StarredNotFree,
                });
            }
        }
        if errors.is_empty() {
            Ok(Self {
                free: free_set,
                starred: starred_set,
            })
        } else {
            Err(errors)
        }
    }

    pub fn free(&self) -> &CellSet {
        &self.free
    }

    pub fn starred(&self) -> &CellSet {
        &self.starred
    }

    pub fn into_answer(self) -> crate::Answer {
        crate::Answer::Times {
            free: self.free,
            starred: self.starred,
        }
    }
}

fn slots_json(cells: &[Slot], texts: &[Option<(String, String)>]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(2 + 70 * cells.len());
    out.push('[');
    for (k, (cell, text)) in cells.iter().zip(texts).enumerate() {
        if k > 0 {
            out.push(',');
        }
        let _ = match text {
            Some((local, utc)) => write!(out, r#"{{"start":"{local}","utc":"{utc}"}}"#),
            None => write!(
                out,
                r#"{{"date":"{}","time":"{}","gap":true}}"#,
                cell.date,
                hhmm(cell.minute)
            ),
        };
    }
    out.push(']');
    out
}

/// A set of cells of a time grid, as bits (bit `k` = cell `k`); stored as bytes, cell `k` in
/// byte `k / 8`, bit `k % 8`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CellSet(Vec<u64>);

impl CellSet {
    pub fn empty(len: usize) -> Self {
        Self(vec![0; len.div_ceil(64)])
    }

    /// The bytes stored for `len` cells: exactly `len.div_ceil(8)` of them, no bit at or past
    /// `len`. An empty byte string is the empty set (what a new participant stores).
    pub fn from_bytes(bytes: &[u8], len: usize) -> Option<Self> {
        if bytes.is_empty() {
            return Some(Self::empty(len));
        }
        if bytes.len() != len.div_ceil(8) {
            return None;
        }
        let set = Self(
            bytes
                .chunks(8)
                .map(|chunk| {
                    let mut le = [0; 8];
                    le[..chunk.len()].copy_from_slice(chunk);
                    u64::from_le_bytes(le)
                })
                .collect(),
        );
        // Only the last word can hold bits at or past `len`.
        let beyond = !len.is_multiple_of(64) && set.0.last().is_some_and(|w| w >> (len % 64) != 0);
        (!beyond).then_some(set)
    }

    /// The stored form for a grid of `len` cells (see [`CellSet::from_bytes`]).
    pub fn to_bytes(&self, len: usize) -> Vec<u8> {
        (0..len.div_ceil(8))
            .map(|i| self.0.get(i / 8).map_or(0, |w| (w >> (8 * (i % 8))) as u8))
            .collect()
    }

    pub fn contains(&self, k: usize) -> bool {
        self.0.get(k / 64).is_some_and(|w| w >> (k % 64) & 1 == 1)
    }

    /// Adds cell `k` (growing the set if needed).
    pub fn insert(&mut self, k: usize) {
        if self.0.len() <= k / 64 {
            self.0.resize(k / 64 + 1, 0);
        }
        self.0[k / 64] |= 1 << (k % 64);
    }

    pub fn count(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    /// Cells `64 * w` to `64 * w + 63` as bits (0 past the end).
    pub fn word(&self, w: usize) -> u64 {
        self.0.get(w).copied().unwrap_or(0)
    }

    pub fn is_subset(&self, of: &CellSet) -> bool {
        self.0
            .iter()
            .enumerate()
            .all(|(i, w)| w & !of.0.get(i).copied().unwrap_or(0) == 0)
    }

    pub fn union(&self, other: &CellSet) -> CellSet {
        let n = self.0.len().max(other.0.len());
        CellSet(
            (0..n)
                .map(|i| self.0.get(i).copied().unwrap_or(0) | other.0.get(i).copied().unwrap_or(0))
                .collect(),
        )
    }

    pub fn intersection(&self, other: &CellSet) -> CellSet {
        CellSet(self.0.iter().zip(&other.0).map(|(a, b)| a & b).collect())
    }

    /// Cells `k` with `k + s` in the set: the set moved `s` cells down.
    fn shifted_down(&self, s: usize) -> CellSet {
        let (words, bits) = (s / 64, s % 64);
        CellSet(
            (0..self.0.len())
                .map(|i| {
                    let lo = self.0.get(i + words).copied().unwrap_or(0);
                    let hi = self.0.get(i + words + 1).copied().unwrap_or(0);
                    if bits == 0 { lo } else { lo >> bits | hi << (64 - bits) }
                })
                .collect(),
        )
    }

    /// Cells `k` where `k`, `k + 1`, … `k + n - 1` are all in the set.
    pub fn runs(&self, n: usize) -> CellSet {
        // Doubling: after each step `have` covers runs of `len` cells.
        let (mut have, mut len) = (self.clone(), 1);
        if n == 0 {
            return CellSet(vec![0; self.0.len()]);
        }
        while len * 2 <= n {
            have = have.intersection(&have.shifted_down(len));
            len *= 2;
        }
        if len < n {
            have = have.intersection(&have.shifted_down(n - len));
        }
        have
    }

    /// The cells in the set, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        Cells {
            words: &self.0,
            next: 0,
            word: 0,
            base: 0,
        }
    }
}

/// Every time zone name of the IANA database this build knows, for pickers.
pub fn time_zone_names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|z| z.name())
}

/// The instant a slot starts, as sent: RFC 3339 with the zone's offset then.
pub fn format_instant(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// The same instant in UTC.
pub fn utc(t: DateTime<FixedOffset>) -> DateTime<Utc> {
    t.with_timezone(&Utc)
}

/// The cells of a [`CellSet`] in order: a word at a time, its lowest set bit first.
struct Cells<'a> {
    words: &'a [u64],
    /// The index of the next word to load.
    next: usize,
    /// What is left of the current word, and its first cell.
    word: u64,
    base: usize,
}

impl Iterator for Cells<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.word == 0 {
            self.word = *self.words.get(self.next)?;
            self.base = self.next * 64;
            self.next += 1;
        }
        let b = self.word.trailing_zeros() as usize;
        self.word &= self.word - 1;
        Some(self.base + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn grid(dates: &[&str], start: &str, end: &str, slot: u16, zone: &str) -> TimeGrid {
        TimeGrid::new(dates.iter().map(|s| d(s)).collect(), start, end, slot, zone).unwrap()
    }

    fn starts(g: &TimeGrid, day: usize) -> Vec<String> {
        g.day_cells(day)
            .map(|k| {
                let c = g.cells()[k];
                c.start
                    .map_or_else(|| format!("gap {}", hhmm(c.minute)), format_instant)
            })
            .collect()
    }

    #[test]
    fn a_day_in_seoul_has_one_cell_per_slot_at_plus_nine() {
        // Given a day from 09:00 to 12:00 in 30-minute slots in Seoul (no DST)
        let g = grid(&["2026-03-29"], "09:00", "12:00", 30, "Asia/Seoul");
        // Then it has six cells, each at +09:00
        assert_eq!(g.len(), 6);
        assert_eq!(starts(&g, 0)[0], "2026-03-29T09:00:00+09:00");
        assert_eq!(starts(&g, 0)[5], "2026-03-29T11:30:00+09:00");
    }

    #[test]
    fn the_spring_forward_gap_in_berlin_is_marked_and_keeps_the_wall_times() {
        // Given 01:00 to 04:00 hourly in Berlin on the day clocks go from 02:00 to 03:00
        let g = grid(&["2026-03-28", "2026-03-29"], "01:00", "04:00", 60, "Europe/Berlin");
        // Then the day before has three plain hours, and the day itself a gap at 02:00
        assert_eq!(
            starts(&g, 0),
            [
                "2026-03-28T01:00:00+01:00",
                "2026-03-28T02:00:00+01:00",
                "2026-03-28T03:00:00+01:00"
            ]
        );
        assert_eq!(
            starts(&g, 1),
            ["2026-03-29T01:00:00+01:00", "gap 02:00", "2026-03-29T03:00:00+02:00"]
        );
        // And the gap cannot be chosen, nor can a window run through it
        assert!(!g.choosable().contains(4));
        assert_eq!(g.window_starts(2).iter().collect::<Vec<_>>(), vec![0, 1]);
    }

    #[test]
    fn the_repeated_hour_in_new_york_appears_once_per_instant_in_the_order_they_happen() {
        // Given 00:00 to 03:00 in 30-minute slots on the day New York falls back at 02:00 EDT
        let g = grid(&["2026-11-01"], "00:00", "03:00", 30, "America/New_York");
        // Then 01:00 and 01:30 each happen twice: first in EDT, then in EST, and the cells
        // follow real time
        assert_eq!(
            starts(&g, 0),
            [
                "2026-11-01T00:00:00-04:00",
                "2026-11-01T00:30:00-04:00",
                "2026-11-01T01:00:00-04:00",
                "2026-11-01T01:30:00-04:00",
                "2026-11-01T01:00:00-05:00",
                "2026-11-01T01:30:00-05:00",
                "2026-11-01T02:00:00-05:00",
                "2026-11-01T02:30:00-05:00",
            ]
        );
        let utc: Vec<i64> = g.cells().iter().map(|c| c.start.unwrap().timestamp()).collect();
        assert!(utc.windows(2).all(|w| w[1] - w[0] == 30 * 60));
    }

    #[test]
    fn an_instant_names_its_cell_and_others_say_why_not() {
        let g = grid(&["2026-11-01"], "00:00", "03:00", 30, "America/New_York");
        let at = |s: &str| g.cell_at(DateTime::parse_from_rfc3339(s).unwrap());
        // The second 01:00, named in EST or in UTC
        assert_eq!(at("2026-11-01T01:00:00-05:00"), Ok(4));
        assert_eq!(at("2026-11-01T06:00:00Z"), Ok(4));
        assert_eq!(at("2026-11-01T01:00:00-04:00"), Ok(2));
        assert_eq!(at("2026-11-01T01:10:00-05:00"), Err(SlotProblem::Misaligned));
        assert_eq!(at("2026-11-01T03:00:00-05:00"), Err(SlotProblem::Outside));
        assert_eq!(at("2026-11-02T01:00:00-05:00"), Err(SlotProblem::Outside));
        // Berlin's 02:30 on the spring-forward day does not exist, whatever the offset says
        let berlin = grid(&["2026-03-29"], "01:00", "04:00", 30, "Europe/Berlin");
        let at = |s: &str| berlin.cell_at(DateTime::parse_from_rfc3339(s).unwrap());
        assert_eq!(at("2026-03-29T02:30:00+01:00"), Err(SlotProblem::Gap));
        assert_eq!(at("2026-03-29T03:00:00+02:00"), Ok(4));
    }

    #[test]
    fn grids_are_refused_with_the_reason() {
        let dates = || vec![d("2026-01-05")];
        let err =
            |start: &str, end: &str, slot: u16, zone: &str| TimeGrid::new(dates(), start, end, slot, zone).unwrap_err();
        assert_eq!(err("09:00", "18:00", 20, "UTC"), TimeGridError::SlotMinutes);
        assert_eq!(err("18:00", "09:00", 30, "UTC"), TimeGridError::EmptyDay);
        assert_eq!(err("09:15", "18:00", 30, "UTC"), TimeGridError::Misaligned(30));
        assert_eq!(err("9:00", "18:00", 30, "UTC"), TimeGridError::Time("9:00".into()));
        assert_eq!(err("09:00", "24:01", 30, "UTC"), TimeGridError::Time("24:01".into()));
        assert_eq!(
            err("09:00", "18:00", 30, "Mars/Olympus"),
            TimeGridError::Zone("Mars/Olympus".into())
        );
        assert_eq!(
            TimeGrid::new(vec![], "09:00", "10:00", 60, "UTC").unwrap_err(),
            TimeGridError::NoDates
        );
        let two = vec![d("2026-01-05"), d("2026-01-05")];
        assert_eq!(
            TimeGrid::new(two, "09:00", "10:00", 60, "UTC").unwrap_err(),
            TimeGridError::RepeatedDate(d("2026-01-05"))
        );
        let many: Vec<NaiveDate> = (0..64).map(|i| d("2026-01-01") + chrono::Days::new(i)).collect();
        assert_eq!(
            TimeGrid::new(many, "09:00", "10:00", 60, "UTC").unwrap_err(),
            TimeGridError::TooManyDates
        );
        // The largest grid: 63 whole days of 15-minute slots
        let most: Vec<NaiveDate> = (0..63).map(|i| d("2026-01-01") + chrono::Days::new(i)).collect();
        assert_eq!(TimeGrid::new(most, "00:00", "24:00", 15, "UTC").unwrap().len(), 63 * 96);
    }

    #[test]
    fn chosen_dates_need_not_be_consecutive_and_come_back_in_order() {
        let g = grid(&["2026-01-08", "2026-01-06"], "09:00", "10:00", 60, "Asia/Seoul");
        assert_eq!(g.dates(), &[d("2026-01-06"), d("2026-01-08")]);
        assert_eq!(g.spec().time_zone, "Asia/Seoul");
        assert_eq!(TimeGrid::from_spec(g.spec()).unwrap(), g);
    }

    #[test]
    fn cell_sets_round_trip_through_bytes_and_refuse_stray_bits() {
        let mut s = CellSet::empty(70);
        for k in [0, 9, 63, 64, 69] {
            s.insert(k);
        }
        let bytes = s.to_bytes(70);
        assert_eq!(bytes.len(), 9);
        assert_eq!(CellSet::from_bytes(&bytes, 70), Some(s.clone()));
        assert_eq!(CellSet::from_bytes(&[], 70), Some(CellSet::empty(70)));
        assert_eq!(CellSet::from_bytes(&bytes[..8], 70), None);
        let mut stray = bytes.clone();
        stray[8] |= 0x80;
        assert_eq!(CellSet::from_bytes(&stray, 70), None);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![0, 9, 63, 64, 69]);
    }

    #[test]
    fn runs_find_every_start_of_n_consecutive_cells_across_words() {
        let mut s = CellSet::empty(200);
        for k in (60..70).chain(130..133) {
            s.insert(k);
        }
        for n in 1..12 {
            let naive: Vec<usize> = (0..200).filter(|&k| (k..k + n).all(|j| s.contains(j))).collect();
            assert_eq!(s.runs(n).iter().collect::<Vec<_>>(), naive, "n = {n}");
        }
    }
}
