//! The finalized meeting as an iCalendar file (RFC 5545): one event, all day for a day
//! meeting, timed (in UTC, the zone named in the description) for a time meeting.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use meetifyr_core::Meeting;

/// TEXT values escape `\`, `;`, `,` and line breaks (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded at 75 octets without splitting a character (§3.1).
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// The calendar: the event's UID is the meeting's code (the same file each time), its
/// SEQUENCE the meeting's version (so a calendar updates a moved date).
/// When the event is: a whole day, or from one instant to another in the meeting's zone.
pub enum When<'a> {
    Day(NaiveDate),
    Between(DateTime<FixedOffset>, DateTime<FixedOffset>, &'a str),
}

pub fn event(meeting: &Meeting, when: When<'_>, link: &str, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let title = if meeting.title.trim().is_empty() {
        "Meetifyr meeting"
    } else {
        &meeting.title
    };
    for content in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Meetifyr//Meetifyr//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
    ] {
        line(&mut out, content);
    }
    line(&mut out, &format!("UID:{}@meetifyr", meeting.url_code));
    line(&mut out, &format!("DTSTAMP:{}", now.format("%Y%m%dT%H%M%SZ")));
    line(&mut out, &format!("SEQUENCE:{}", meeting.version));
    // An all-day choice shows as free time in calendars; a settled hour as busy.
    let (description, transparency) = match when {
        When::Day(day) => {
            line(&mut out, &format!("DTSTART;VALUE=DATE:{}", date(day)));
            let next = day.succ_opt().unwrap_or(day);
            line(&mut out, &format!("DTEND;VALUE=DATE:{}", date(next)));
            (link.to_owned(), "TRANSPARENT")
        }
        When::Between(start, end, zone) => {
            // UTC needs no VTIMEZONE and is read alike by every calendar (RFC 5545 §3.3.5);
            // the meeting's own zone and wall times are in the description.
            let utc = |t: DateTime<FixedOffset>| t.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string();
            line(&mut out, &format!("DTSTART:{}", utc(start)));
            line(&mut out, &format!("DTEND:{}", utc(end)));
            let local = format!("{} – {} ({zone})", start.format("%Y-%m-%d %H:%M"), end.format("%H:%M"));
            (format!("{local}\n{link}"), "OPAQUE")
        }
    };
    line(&mut out, &format!("SUMMARY:{}", escape(title)));
    if !meeting.location.trim().is_empty() {
        line(&mut out, &format!("LOCATION:{}", escape(&meeting.location)));
    }
    line(&mut out, &format!("URL:{link}"));
    line(&mut out, &format!("DESCRIPTION:{}", escape(&description)));
    line(&mut out, &format!("TRANSP:{transparency}"));
    line(&mut out, "END:VEVENT");
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_fold_between_characters() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "가".repeat(40));
        line(&mut out, &long);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{long}\r\n"));
    }
}
