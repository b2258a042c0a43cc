//! The GET body of a meeting (the shape `meetifyr_api` documents as `GetMeetingResponse`),
//! written by hand.

use chrono::NaiveDate;
use meetifyr_core::{
    Answer, BEST_DATES, DateId, Grid, Meeting, TimeGrid, best_dates, best_slots, format_instant, format_iso_date,
};

/// How every GET body ends while answers are open; once they closed, `false}` instead (see
/// [`crate::MeetingSnapshot::as_of`]).
pub(crate) const OPEN_TAIL: &[u8] = b",\"answers_open\":true}";
pub(crate) const CLOSED_TAIL: &[u8] = b",\"answers_open\":false}";

/// The JSON of a meeting's GET body, written by hand straight from the stored meeting: a
/// participant's dates are expanded from its bit sets while writing. Only user text goes
/// through serde_json's escaping; the hundreds of date objects are fixed shapes, and writing
/// them directly costs a fraction of a generic serializer (measured: `bench/core.sh`).
pub struct MeetingJson<'a>(pub &'a Meeting);

impl MeetingJson<'_> {
    /// An upper bound of the JSON's length, for allocating once.
    pub fn size_hint(&self) -> usize {
        let m = self.0;
        if let Grid::Times(grid) = &m.grid {
            // An index is at most 5 bytes in a participant's lists; a best slot 40.
            let text = |s: &str| 2 + 6 * s.len();
            let indices = |p: &meetifyr_core::Participant| match &p.answer {
                Answer::Times { free, starred } => 5 * (free.count() + starred.count()) as usize,
                Answer::Days { .. } => 0,
            };
            return 1000
                + text(&m.title)
                + text(&m.location)
                + grid.slots_json().len()
                + 30 * grid.dates().len()
                + 40 * BEST_DATES
                + m.participants
                    .iter()
                    .map(|p| 84 + text(&p.name) + indices(p))
                    .sum::<usize>();
        }
        let days = m.grid.len();
        // A date object is at most 79 bytes (a 16-digit id, "enabled":false,"starred":false).
        let text = |s: &str| 2 + 6 * s.len();
        500 + text(&m.title)
            + text(&m.location)
            + m.participants
                .iter()
                .map(|p| 84 + text(&p.name) + 80 * days)
                .sum::<usize>()
    }

    /// Appends the JSON to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        let m = self.0;
        if let Grid::Times(grid) = &m.grid {
            return write_times(m, grid, out);
        }
        out.extend_from_slice(b"{\"url_code\":");
        serde_json::to_writer(&mut *out, m.url_code.as_str())?;
        out.extend_from_slice(b",\"start_date\":");
        opt_date(out, m.start_date());
        out.extend_from_slice(b",\"end_date\":");
        opt_date(out, m.end_date());
        out.extend_from_slice(b",\"title\":");
        serde_json::to_writer(&mut *out, &m.title)?;
        out.extend_from_slice(b",\"location\":");
        serde_json::to_writer(&mut *out, &m.location)?;
        out.extend_from_slice(b",\"participants\":[");
        // What every participant's k-th date shares: `,"date":"YYYY-MM-DD","enabled":`, and the
        // day's part of the date id (ids are `participant << 22 | day`: see `DateId`).
        let range = m.grid.range();
        let days: Vec<([u8; 31], i64)> = range
            .map(|r| r.days())
            .into_iter()
            .flatten()
            .map(|d| {
                let mut fragment = *b",\"date\":\"0000-00-00\",\"enabled\":";
                fragment[9..19].copy_from_slice(&format_iso_date(d));
                (fragment, DateId::of_day(d))
            })
            .collect();
        let mut ids = itoa::Buffer::new();
        for (i, p) in m.participants.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"id\":");
            out.extend_from_slice(ids.format(p.id).as_bytes());
            out.extend_from_slice(b",\"name\":");
            serde_json::to_writer(&mut *out, &p.name)?;
            out.extend_from_slice(b",\"dates\":[");
            let base = DateId::of_participant(p.id);
            let Answer::Days { free, starred } = p.answer else {
                continue;
            };
            for (k, (fragment, day)) in days.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"id\":");
                out.extend_from_slice(ids.format(base | day).as_bytes());
                out.extend_from_slice(fragment);
                out.extend_from_slice(if free.contains(k) { b"true" } else { b"false" });
                out.extend_from_slice(if starred.contains(k) {
                    b",\"starred\":true}"
                } else {
                    b",\"starred\":false}"
                });
            }
            out.extend_from_slice(if p.password_hash.is_some() {
                b"],\"protected\":true"
            } else {
                b"],\"protected\":false"
            });
            out.extend_from_slice(if p.required {
                b",\"required\":true}"
            } else {
                b",\"required\":false}"
            });
        }
        out.extend_from_slice(b"],\"best_dates\":[");
        for (i, d) in best_dates(m).into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            date(out, d);
        }
        out.extend_from_slice(b"],\"final_date\":");
        opt_date(out, m.final_date);
        write_deadline(m, out);
        Ok(())
    }
}

/// A time meeting's GET body: the day shape's keys (no range, no dates, no best dates), with
/// `kind`, the grid as created, every slot (its start with the zone's offset and in UTC, or for
/// a gap its date and wall time) and each participant's free and starred slots (indices into
/// `slots`).
fn write_times(m: &Meeting, grid: &TimeGrid, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    out.extend_from_slice(b"{\"url_code\":");
    serde_json::to_writer(&mut *out, m.url_code.as_str())?;
    out.extend_from_slice(b",\"kind\":\"times\",\"start_date\":null,\"end_date\":null,\"title\":");
    serde_json::to_writer(&mut *out, &m.title)?;
    out.extend_from_slice(b",\"location\":");
    serde_json::to_writer(&mut *out, &m.location)?;
    out.extend_from_slice(b",\"time_grid\":");
    serde_json::to_writer(&mut *out, grid.spec())?;
    // A slot is its start (whose local part is its date and wall time) and its UTC instant; a
    // gap, which has neither, its date and wall time: written once per grid, copied here.
    out.extend_from_slice(b",\"slots\":");
    out.extend_from_slice(grid.slots_json().as_bytes());
    let mut ids = itoa::Buffer::new();
    out.extend_from_slice(b",\"participants\":[");
    for (i, p) in m.participants.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"id\":");
        out.extend_from_slice(ids.format(p.id).as_bytes());
        out.extend_from_slice(b",\"name\":");
        serde_json::to_writer(&mut *out, &p.name)?;
        out.extend_from_slice(b",\"dates\":[],\"free\":");
        let Answer::Times { free, starred } = &p.answer else {
            continue;
        };
        indices(out, free.iter());
        out.extend_from_slice(b",\"starred\":");
        indices(out, starred.iter().filter(|&k| free.contains(k)));
        out.extend_from_slice(if p.password_hash.is_some() {
            b",\"protected\":true"
        } else {
            b",\"protected\":false"
        });
        out.extend_from_slice(if p.required {
            b",\"required\":true}"
        } else {
            b",\"required\":false}"
        });
    }
    out.extend_from_slice(b"],\"best_dates\":[],\"best_slots\":");
    out.push(b'[');
    for (i, k) in best_slots(m, BEST_DATES).into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if let Some((start, _)) = grid.start_texts(k) {
            quoted(out, start);
        }
    }
    out.push(b']');
    out.extend_from_slice(b",\"final_date\":null,\"final_slot\":");
    match m.final_slots.and_then(|w| Some((w, grid.window_bounds(w)?))) {
        Some((w, (start, end))) => {
            let minutes = w.len as u32 * u32::from(grid.slot_minutes());
            let body = serde_json::json!({
                "start": format_instant(start),
                "end": format_instant(end),
                "minutes": minutes,
            });
            serde_json::to_writer(&mut *out, &body)?;
        }
        None => out.extend_from_slice(b"null"),
    }
    write_deadline(m, out);
    Ok(())
}

/// What every GET body ends with: the organiser's deadline (in the zone it was given in, else
/// UTC), whether answers also close after the last day, when they close, and last of all
/// `answers_open`, written true: [`crate::MeetingSnapshot::as_of`] serves it false from then.
fn write_deadline(m: &Meeting, out: &mut Vec<u8>) {
    let d = &m.deadline;
    out.extend_from_slice(b",\"deadline\":");
    match (d.at, d.zone) {
        (Some(at), Some(zone)) => quoted(out, &at.with_timezone(&zone).format("%Y-%m-%dT%H:%M:%S%:z").to_string()),
        (Some(at), None) => quoted(out, &utc_text(at)),
        (None, _) => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"deadline_time_zone\":");
    match d.zone {
        Some(zone) => quoted(out, zone.name()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(if d.after_last_day {
        b",\"close_after_last_day\":true,\"answers_close_at\":"
    } else {
        b",\"close_after_last_day\":false,\"answers_close_at\":"
    });
    match m.answers_close_at() {
        Some(at) => quoted(out, &utc_text(at)),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(OPEN_TAIL);
}

fn utc_text(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A participant's slots as a JSON list of indices into `slots` (a few bytes each, not a
/// timestamp). Thousands per GET: each is copied as a fixed five bytes from a table and the
/// excess cut, rather than formatted.
fn indices(out: &mut Vec<u8>, cells: impl Iterator<Item = usize>) {
    static TEXTS: std::sync::LazyLock<Vec<([u8; 5], u8)>> = std::sync::LazyLock::new(|| {
        // Every cell of the largest grid (63 days of 96 slots, and a repeated hour or two).
        (0..64 * 100)
            .map(|k| {
                let text = format!(",{k}");
                let mut bytes = [0; 5];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                (bytes, text.len() as u8)
            })
            .collect()
    });
    let open = out.len();
    for k in cells {
        match TEXTS.get(k) {
            Some((bytes, len)) => {
                out.extend_from_slice(bytes);
                out.truncate(out.len() - 5 + usize::from(*len));
            }
            None => {
                out.push(b',');
                out.extend_from_slice(itoa::Buffer::new().format(k).as_bytes());
            }
        }
    }
    // The first index's comma is the list's opening bracket.
    match out.get_mut(open) {
        Some(first) => *first = b'[',
        None => out.push(b'['),
    }
    out.push(b']');
}

/// A text that needs no escaping (ASCII digits, `-`, `:`, `+`, `T`, `Z`), in quotes.
fn quoted(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

fn date(out: &mut Vec<u8>, d: NaiveDate) {
    out.push(b'"');
    out.extend_from_slice(&format_iso_date(d));
    out.push(b'"');
}

fn opt_date(out: &mut Vec<u8>, d: Option<NaiveDate>) {
    match d {
        Some(d) => date(out, d),
        None => out.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests {
    use meetifyr_core::{DateRange, DaySet, Participant, UrlCode};
    use serde_json::{Value, json};

    use super::*;

    impl MeetingJson<'_> {
        fn to_vec(&self) -> Vec<u8> {
            let mut out = Vec::with_capacity(self.size_hint());
            self.write(&mut out).unwrap();
            assert!(out.len() <= self.size_hint(), "the size hint is an upper bound");
            out
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_hand_written_json_is_the_documented_shape_with_text_escaped() {
        let name = "Kim \"the\" \\ 김 <script>\u{1}\n";
        let m = Meeting {
            url_code: UrlCode::parse("Abc123").unwrap(),
            title: "t\"itle".into(),
            location: "".into(),
            grid: Grid::Days(Some(DateRange::new(d("2025-01-30"), d("2025-02-01")).unwrap())),
            version: 3,
            participants: vec![
                Participant {
                    id: 7,
                    name: name.into(),
                    answer: Answer::Days {
                        free: DaySet::from_bits(0b110).unwrap(),
                        starred: DaySet::from_bits(0b100).unwrap(),
                    },
                    password_hash: None,
                    required: false,
                },
                Participant {
                    id: 9,
                    name: "b".into(),
                    answer: Answer::Days {
                        free: DaySet::from_bits(0b011).unwrap(),
                        starred: DaySet::EMPTY,
                    },
                    password_hash: Some("$argon2id$…".into()),
                    required: false,
                },
            ],
            final_date: Some(d("2025-01-31")),
            organiser_key_hash: Some(meetifyr_core::KeyHash::of("k")),
            final_slots: None,
            deadline: meetifyr_core::Deadline {
                at: chrono::DateTime::from_timestamp(1_738_141_200, 0),
                zone: Some(meetifyr_core::Tz::Asia__Seoul),
                after_last_day: true,
            },
        };
        let written: Value = serde_json::from_slice(&MeetingJson(&m).to_vec()).unwrap();
        let day = |p: i64, s: &str, enabled: bool, starred: bool| json!({"id": DateId::encode(p, d(s)), "date": s, "enabled": enabled, "starred": starred});
        assert_eq!(
            written,
            json!({
                "url_code": "Abc123", "start_date": "2025-01-30", "end_date": "2025-02-01",
                "title": "t\"itle", "location": "",
                "participants": [
                    {"id": 7, "name": name, "dates": [
                        day(7, "2025-01-30", false, false), day(7, "2025-01-31", true, false),
                        day(7, "2025-02-01", true, true)], "protected": false, "required": false},
                    {"id": 9, "name": "b", "dates": [
                        day(9, "2025-01-30", true, false), day(9, "2025-01-31", true, false),
                        day(9, "2025-02-01", false, false)], "protected": true, "required": false},
                ],
                "best_dates": ["2025-01-31", "2025-02-01", "2025-01-30"],
                "final_date": "2025-01-31",
                // The deadline in the zone it was given in; it comes before the last day ends.
                "deadline": "2025-01-29T18:00:00+09:00", "deadline_time_zone": "Asia/Seoul",
                "close_after_last_day": true, "answers_close_at": "2025-01-29T09:00:00Z",
                "answers_open": true,
            })
        );
        // Key order is the original's too; no hash is ever written.
        let text = String::from_utf8(MeetingJson(&m).to_vec()).unwrap();
        assert!(!text.contains("argon2") && !text.contains(m.organiser_key_hash.as_ref().unwrap().as_str()));
        assert!(text.starts_with(r#"{"url_code":"Abc123","start_date":"2025-01-30","end_date":"2025-02-01","title""#));
        assert!(text.contains(r#"{"id":7,"name":"#));
    }

    #[test]
    fn a_meeting_without_range_or_people_is_written_with_nulls_and_empty_lists() {
        let m = Meeting {
            url_code: UrlCode::parse("x").unwrap(),
            title: String::new(),
            location: String::new(),
            grid: Grid::Days(None),
            version: 1,
            participants: vec![],
            final_date: None,
            organiser_key_hash: None,
            final_slots: None,
            deadline: meetifyr_core::Deadline::NONE,
        };
        let text = String::from_utf8(MeetingJson(&m).to_vec()).unwrap();
        assert_eq!(
            text,
            concat!(
                r#"{"url_code":"x","start_date":null,"end_date":null,"title":"","location":"","participants":[],"#,
                r#""best_dates":[],"final_date":null,"deadline":null,"deadline_time_zone":null,"#,
                r#""close_after_last_day":false,"answers_close_at":null,"answers_open":true}"#
            )
        );
    }
}
