//! Busy times read from a calendar file (issue 23): a participant's exported calendar, parsed
//! with `icalendar`, its recurrences (RRULE, RDATE, EXDATE, moved instances) expanded by
//! `rrule`, and turned into the days or slots of a meeting it overlaps. The file is read in
//! memory for the one request and never stored.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Days, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use icalendar::{Component, rrule};
use meetifyr_core::{DateRange, TimeGrid, Tz};

/// The largest calendar file read: a few years of a busy person's calendar.
pub const MAX_BYTES: usize = 1024 * 1024;

/// Occurrences an event's series is followed through at most, from its start: a daily event
/// since 1990 needs about 13,000. A rule that repeats more often (hourly for years) is reported
/// as skipped rather than followed for ever.
const STEPS_PER_EVENT: usize = 20_000;

/// Occurrences followed in the whole file at most: a 1 MiB file cannot keep a core busy for
/// more than a moment.
const STEPS_PER_FILE: usize = 400_000;

/// When one occurrence of an event keeps someone busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// Whole days: the first, and how many (all-day events).
    Days(NaiveDate, u32),
    /// From one instant to another.
    Between(DateTime<Utc>, DateTime<Utc>),
    /// Wall times without a zone (floating, or a zone this server does not know): read in the
    /// meeting's (or the reader's) zone.
    Wall(NaiveDateTime, NaiveDateTime),
}

/// What a file says about the days `from..=to`.
#[derive(Debug, Default)]
pub struct Read {
    pub busy: Vec<Busy>,
    /// Events left out, and why (the others still count).
    pub skipped: Vec<String>,
}

/// How a date-time value of the file is anchored.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Anchor {
    Utc,
    Zone(Tz),
    /// A date, a floating time, or an unknown TZID: handed to `rrule` as UTC and read back as
    /// a wall time.
    Wall,
}

/// A DATE or DATE-TIME value with its parameters, as a wall time and its anchor.
fn value(text: &str, tzid: Option<&str>, date: bool) -> Option<(NaiveDateTime, Anchor, bool)> {
    let text = text.trim();
    if date || text.len() == 8 {
        let day = NaiveDate::parse_from_str(text, "%Y%m%d").ok()?;
        return Some((day.and_hms_opt(0, 0, 0)?, Anchor::Wall, true));
    }
    if let Some(utc) = text.strip_suffix('Z') {
        return Some((
            NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?,
            Anchor::Utc,
            false,
        ));
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").ok()?;
    // Outlook's TZIDs are often Windows names, and some exports quote them.
    let zone = tzid.and_then(|z| z.trim_matches('"').parse::<Tz>().ok());
    Some((local, zone.map_or(Anchor::Wall, Anchor::Zone), false))
}

fn property_value(p: &icalendar::Property) -> Vec<(NaiveDateTime, Anchor, bool)> {
    let tzid = p.params().get("TZID").map(|t| t.value().to_owned());
    let date = p
        .params()
        .get("VALUE")
        .is_some_and(|v| v.value().eq_ignore_ascii_case("DATE"));
    p.value()
        .split(',')
        .filter_map(|v| value(v, tzid.as_deref(), date))
        .collect()
}

/// A value as `rrule` reads it, in the anchor of the event's start.
fn rrule_line(name: &str, (local, anchor, _): (NaiveDateTime, Anchor, bool)) -> String {
    let text = local.format("%Y%m%dT%H%M%S");
    match anchor {
        Anchor::Utc => format!("{name}:{text}Z"),
        Anchor::Zone(zone) => format!("{name};TZID={}:{text}", zone.name()),
        Anchor::Wall => format!("{name};TZID=UTC:{text}"),
    }
}

/// RRULE's UNTIL in UTC, as `rrule` requires with a zoned start: a date is the end of that day.
fn until_in_utc(rule: &str, anchor: Anchor) -> String {
    rule.split(';')
        .map(|part| {
            let Some(until) = part.strip_prefix("UNTIL=") else {
                return part.to_owned();
            };
            if until.ends_with('Z') {
                return part.to_owned();
            }
            let local = match value(until, None, false) {
                Some((local, _, true)) => local + Duration::seconds(86_399),
                Some((local, _, false)) => local,
                None => return part.to_owned(),
            };
            let utc = match anchor {
                Anchor::Zone(zone) => zone
                    .from_local_datetime(&local)
                    .earliest()
                    .map_or(local, |t| t.naive_utc()),
                Anchor::Utc | Anchor::Wall => local,
            };
            format!("UNTIL={}Z", utc.format("%Y%m%dT%H%M%S"))
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// `DURATION` (RFC 5545 §3.3.6): `P1D`, `PT1H30M`, `P2W`, `-PT15M`…
fn duration(text: &str) -> Option<Duration> {
    let (sign, text) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let mut rest = text.strip_prefix('P')?;
    let mut total = Duration::zero();
    let mut in_time = false;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('T') {
            in_time = true;
            rest = after;
            continue;
        }
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        let n: i64 = rest[..digits].parse().ok()?;
        let unit = rest[digits..].chars().next()?;
        total += match (unit, in_time) {
            ('W', false) => Duration::weeks(n),
            ('D', false) => Duration::days(n),
            ('H', true) => Duration::hours(n),
            ('M', true) => Duration::minutes(n),
            ('S', true) => Duration::seconds(n),
            _ => return None,
        };
        rest = &rest[digits + 1..];
    }
    Some(total * sign)
}

/// Reads the events of `text` that overlap the days `from..=to` (give or take the widest
/// time-zone offsets).
pub fn read(text: &str, from: NaiveDate, to: NaiveDate) -> Result<Read, String> {
    let upper = text.to_ascii_uppercase();
    if !upper.contains("BEGIN:VCALENDAR") {
        return Err("not an iCalendar file: it has no BEGIN:VCALENDAR".into());
    }
    if !upper.contains("END:VCALENDAR") {
        return Err("the calendar file ends before END:VCALENDAR: it may have been cut short".into());
    }
    let calendar: icalendar::Calendar = text.parse().map_err(|e: String| {
        let first = e.lines().next().unwrap_or("").chars().take(200).collect::<String>();
        format!("not a valid iCalendar file: {first}")
    })?;
    let window_start = from.checked_sub_days(Days::new(2)).unwrap_or(from).and_hms_opt(0, 0, 0);
    let window_end = to.checked_add_days(Days::new(3)).unwrap_or(to).and_hms_opt(0, 0, 0);
    let (Some(window_start), Some(window_end)) = (window_start, window_end) else {
        return Err("the meeting's days are out of range".into());
    };
    // Instances moved or changed on their own (RECURRENCE-ID): their series skips them.
    let mut moved: HashMap<String, Vec<(NaiveDateTime, Anchor, bool)>> = HashMap::new();
    for event in calendar.events() {
        if let (Some(uid), Some(id)) = (event.get_uid(), event.properties().get("RECURRENCE-ID")) {
            moved.entry(uid.to_owned()).or_default().extend(property_value(id));
        }
    }
    let mut read = Read::default();
    let mut budget = STEPS_PER_FILE;
    for event in calendar.events() {
        let name = event.get_summary().unwrap_or("an event without a title");
        let status = event.property_value("STATUS").unwrap_or("");
        let transparency = event.property_value("TRANSP").unwrap_or("");
        // Cancelled, or marked as free time: not busy.
        if status.eq_ignore_ascii_case("CANCELLED") || transparency.eq_ignore_ascii_case("TRANSPARENT") {
            continue;
        }
        let Some(start) = event
            .properties()
            .get("DTSTART")
            .and_then(|p| property_value(p).into_iter().next())
        else {
            read.skipped.push(format!("{name}: no readable DTSTART"));
            continue;
        };
        let (start_local, anchor, all_day) = start;
        let end = event
            .properties()
            .get("DTEND")
            .and_then(|p| property_value(p).into_iter().next());
        let length = match (end, event.property_value("DURATION").and_then(duration)) {
            (Some((end_local, end_anchor, _)), _) => match (anchor, end_anchor) {
                (Anchor::Zone(a), Anchor::Zone(b)) => {
                    let s = a.from_local_datetime(&start_local).earliest();
                    let e = b.from_local_datetime(&end_local).earliest();
                    match (s, e) {
                        (Some(s), Some(e)) => e.naive_utc() - s.naive_utc(),
                        _ => end_local - start_local,
                    }
                }
                _ => end_local - start_local,
            },
            (None, Some(d)) => d,
            (None, None) if all_day => Duration::days(1),
            (None, None) => Duration::zero(),
        };
        let length = length.max(Duration::zero());
        let mut rules = vec![rrule_line("DTSTART", start)];
        match event.property_value("RRULE") {
            Some(rule) => rules.push(format!("RRULE:{}", until_in_utc(rule, anchor))),
            None => rules.push(rrule_line("RDATE", start)),
        }
        for (name, list) in [("RDATE", "RDATE"), ("EXDATE", "EXDATE")] {
            for p in event.multi_properties().get(list).into_iter().flatten() {
                rules.extend(property_value(p).into_iter().map(|v| rrule_line(name, v)));
            }
        }
        if event.properties().get("RECURRENCE-ID").is_none()
            && let Some(ids) = event.get_uid().and_then(|uid| moved.get(uid))
        {
            rules.extend(ids.iter().map(|&v| rrule_line("EXDATE", v)));
        }
        let set: rrule::RRuleSet = match rules.join("\n").parse() {
            Ok(set) => set,
            Err(e) => {
                read.skipped.push(format!("{name}: {e}"));
                continue;
            }
        };
        let utc = |t: NaiveDateTime| rrule::Tz::UTC.from_utc_datetime(&t);
        let (after, before) = (utc(window_start - length - Duration::days(1)), utc(window_end));
        // Followed step by step, counting each: `rrule` walks from DTSTART however far back it is.
        let mut occurrences = Vec::new();
        let mut reached = false;
        let mut steps = 0;
        for occurrence in set.limit().into_iter().take(STEPS_PER_EVENT.min(budget)) {
            steps += 1;
            if occurrence >= before {
                reached = true;
                break;
            }
            if occurrence >= after {
                occurrences.push(occurrence);
            }
        }
        budget -= steps;
        if !reached && steps == STEPS_PER_EVENT {
            read.skipped
                .push(format!("{name}: it repeats too often to follow to these days"));
        }
        for occurrence in occurrences {
            read.busy.push(match (anchor, all_day) {
                (_, true) => {
                    let days = length.num_days().max(1);
                    Busy::Days(occurrence.naive_utc().date(), u32::try_from(days).unwrap_or(u32::MAX))
                }
                (Anchor::Wall, false) => {
                    let wall = occurrence.naive_utc();
                    Busy::Wall(wall, wall + length)
                }
                (Anchor::Utc | Anchor::Zone(_), false) => {
                    let s = occurrence.with_timezone(&Utc);
                    Busy::Between(s, s + length)
                }
            });
        }
        if budget == 0 {
            read.skipped
                .push("the rest of the file: it repeats events too often to follow them all".into());
            break;
        }
    }
    Ok(read)
}

/// An instant for a wall time in `zone`: the earlier of a repeated one, and for one the clocks
/// skip, the moment they resume.
fn instant(wall: NaiveDateTime, zone: Tz) -> Option<DateTime<Utc>> {
    let at = |t: NaiveDateTime| zone.from_local_datetime(&t).earliest();
    at(wall)
        .or_else(|| at(wall + Duration::hours(1)))
        .map(|t| t.with_timezone(&Utc))
}

/// The days of `range` that `busy` overlaps, a timed event's days read in `zone`.
pub fn busy_days(busy: &[Busy], range: DateRange, zone: Tz) -> BTreeSet<NaiveDate> {
    let mut days = BTreeSet::new();
    let mut mark = |first: NaiveDate, last: NaiveDate| {
        for day in range.days().filter(|d| (first..=last).contains(d)) {
            days.insert(day);
        }
    };
    for b in busy {
        match *b {
            Busy::Days(first, n) => {
                let last = first
                    .checked_add_days(Days::new(u64::from(n.max(1)) - 1))
                    .unwrap_or(first);
                mark(first, last);
            }
            Busy::Between(s, e) => {
                let last = if e > s { e - Duration::seconds(1) } else { s };
                mark(
                    s.with_timezone(&zone).date_naive(),
                    last.with_timezone(&zone).date_naive(),
                );
            }
            Busy::Wall(s, e) => {
                let last = if e > s { e - Duration::seconds(1) } else { s };
                mark(s.date(), last.date());
            }
        }
    }
    days
}

/// The cells of `grid` that `busy` overlaps: a slot is busy when any of it is.
pub fn busy_cells(busy: &[Busy], grid: &TimeGrid) -> BTreeSet<usize> {
    let slot = Duration::minutes(i64::from(grid.slot_minutes()));
    let mut cells = BTreeSet::new();
    for (k, cell) in grid.cells().iter().enumerate() {
        let Some(start) = cell.start.map(|t| t.with_timezone(&Utc)) else {
            continue;
        };
        let end = start + slot;
        let overlaps = |s: DateTime<Utc>, e: DateTime<Utc>| {
            if e > s {
                s < end && e > start
            } else {
                (start..end).contains(&s)
            }
        };
        let hit = busy.iter().any(|b| match *b {
            Busy::Days(first, n) => {
                let last = first
                    .checked_add_days(Days::new(u64::from(n.max(1)) - 1))
                    .unwrap_or(first);
                (first..=last).contains(&cell.date)
            }
            Busy::Between(s, e) => overlaps(s, e),
            Busy::Wall(s, e) => match (instant(s, grid.zone()), instant(e, grid.zone())) {
                (Some(s), Some(e)) => overlaps(s, e),
                _ => false,
            },
        });
        if hit {
            cells.insert(k);
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn durations_read_as_rfc_5545_writes_them() {
        assert_eq!(duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(duration("P2W"), Some(Duration::weeks(2)));
        assert_eq!(duration("P1DT12H"), Some(Duration::hours(36)));
        assert_eq!(duration("-PT15M"), Some(Duration::minutes(-15)));
        assert_eq!(duration("1H"), None);
        assert_eq!(duration("PT1D"), None);
    }

    #[test]
    fn an_until_date_becomes_the_end_of_that_day_in_utc() {
        let seoul: Tz = "Asia/Seoul".parse().unwrap();
        assert_eq!(
            until_in_utc("FREQ=DAILY;UNTIL=20250110", Anchor::Wall),
            "FREQ=DAILY;UNTIL=20250110T235959Z"
        );
        assert_eq!(
            until_in_utc("FREQ=WEEKLY;UNTIL=20250110T090000;BYDAY=MO", Anchor::Zone(seoul)),
            "FREQ=WEEKLY;UNTIL=20250110T000000Z;BYDAY=MO"
        );
    }

    #[test]
    fn text_that_is_no_calendar_is_refused_with_why() {
        assert!(
            read("hello", d("2025-01-01"), d("2025-01-02"))
                .unwrap_err()
                .contains("BEGIN:VCALENDAR")
        );
    }
}
