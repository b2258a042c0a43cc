//! Meetings as iCalendar (RFC 5545): the finalized meeting as one event (all day for a day
//! meeting, timed in UTC for a time meeting, the zone named in the description), and the
//! feed a calendar subscribes to: the best candidates as tentative events until a date is
//! settled, then the settled event.

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

fn utc(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string()
}

/// When an event is: whole days (the first and the last), or from one instant to another in
/// the meeting's zone.
#[derive(Clone, Copy)]
pub enum When<'a> {
    Days(NaiveDate, NaiveDate),
    Between(DateTime<FixedOffset>, DateTime<FixedOffset>, &'a str),
}

impl When<'_> {
    /// A piece of a UID that names this time alone.
    fn key(&self) -> String {
        match self {
            When::Days(first, last) if first == last => date(*first),
            When::Days(first, last) => format!("{}-{}", date(*first), date(*last)),
            When::Between(start, _, _) => utc(*start),
        }
    }
}

/// One event of a calendar.
pub struct Event<'a> {
    pub when: When<'a>,
    /// Settled (`CONFIRMED`) or a candidate (`TENTATIVE`).
    pub tentative: bool,
    /// What follows the title in the summary, e.g. "candidate 1: 4 of 5 free".
    pub note: Option<String>,
}

/// The calendar's language: the feed's texts in Korean or English.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            _ => None,
        }
    }

    pub fn candidate(self, rank: usize, free: u32, of: usize) -> String {
        match self {
            Lang::En => format!("candidate {rank}: {free} of {of} free"),
            Lang::Ko => format!("후보 {rank}: {of}명 중 {free}명 가능"),
        }
    }

    pub fn required_missing(self) -> &'static str {
        match self {
            Lang::En => "a required person can’t come",
            Lang::Ko => "필수 참여자가 안 되는 날",
        }
    }

    fn not_settled(self) -> &'static str {
        match self {
            Lang::En => "Not settled yet: the organiser has not picked a date. Answer at",
            Lang::Ko => "아직 확정되지 않았습니다. 답하기:",
        }
    }

    fn untitled(self) -> &'static str {
        match self {
            Lang::En => "Meetifyr meeting",
            Lang::Ko => "Meetifyr 모임",
        }
    }
}

/// A calendar of one meeting's events. The settled event's UID is the meeting's code (the
/// same in every file and in the feed), a candidate's the code and its time; every event's
/// SEQUENCE is the meeting's version, so calendars take each change as newer.
pub struct Calendar<'a> {
    out: String,
    meeting: &'a Meeting,
    link: &'a str,
    now: DateTime<Utc>,
    lang: Lang,
}

impl<'a> Calendar<'a> {
    /// `feed`: the calendar is subscribed to, so it is named and says how often to refresh.
    pub fn new(meeting: &'a Meeting, link: &'a str, now: DateTime<Utc>, lang: Lang, feed: bool) -> Self {
        let mut calendar = Calendar {
            out: String::new(),
            meeting,
            link,
            now,
            lang,
        };
        for content in [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Meetifyr//Meetifyr//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
        ] {
            line(&mut calendar.out, content);
        }
        if feed {
            let name = escape(calendar.title());
            line(&mut calendar.out, &format!("NAME:{name}"));
            line(&mut calendar.out, &format!("X-WR-CALNAME:{name}"));
            // RFC 7986, and the name Apple and Outlook read: answers change by the hour.
            line(&mut calendar.out, "REFRESH-INTERVAL;VALUE=DURATION:PT1H");
            line(&mut calendar.out, "X-PUBLISHED-TTL:PT1H");
        }
        calendar
    }

    fn title(&self) -> &'a str {
        if self.meeting.title.trim().is_empty() {
            self.lang.untitled()
        } else {
            &self.meeting.title
        }
    }

    pub fn event(&mut self, event: &Event<'_>) {
        let m = self.meeting;
        let title = self.title();
        let out = &mut self.out;
        line(out, "BEGIN:VEVENT");
        let uid = if event.tentative {
            format!("UID:{}-{}@meetifyr", m.url_code, event.when.key())
        } else {
            format!("UID:{}@meetifyr", m.url_code)
        };
        line(out, &uid);
        line(out, &format!("DTSTAMP:{}", self.now.format("%Y%m%dT%H%M%SZ")));
        line(out, &format!("SEQUENCE:{}", m.version));
        // An all-day choice shows as free time in calendars, and so does any candidate; a
        // settled hour as busy.
        let (mut description, transparent) = match event.when {
            When::Days(first, last) => {
                line(out, &format!("DTSTART;VALUE=DATE:{}", date(first)));
                let next = last.succ_opt().unwrap_or(last);
                line(out, &format!("DTEND;VALUE=DATE:{}", date(next)));
                (String::new(), true)
            }
            When::Between(start, end, zone) => {
                // UTC needs no VTIMEZONE and is read alike by every calendar (RFC 5545 §3.3.5);
                // the meeting's own zone and wall times are in the description.
                line(out, &format!("DTSTART:{}", utc(start)));
                line(out, &format!("DTEND:{}", utc(end)));
                let local = format!(
                    "{} – {} ({zone})\n",
                    start.format("%Y-%m-%d %H:%M"),
                    end.format("%H:%M")
                );
                (local, event.tentative)
            }
        };
        if event.tentative {
            description.push_str(self.lang.not_settled());
            description.push(' ');
        }
        description.push_str(self.link);
        let summary = match &event.note {
            Some(note) => format!("{title} ({note})"),
            None => title.to_owned(),
        };
        line(out, &format!("SUMMARY:{}", escape(&summary)));
        if !m.location.trim().is_empty() {
            line(out, &format!("LOCATION:{}", escape(&m.location)));
        }
        line(out, &format!("URL:{}", self.link));
        line(out, &format!("DESCRIPTION:{}", escape(&description)));
        line(
            out,
            if event.tentative {
                "STATUS:TENTATIVE"
            } else {
                "STATUS:CONFIRMED"
            },
        );
        line(
            out,
            if transparent {
                "TRANSP:TRANSPARENT"
            } else {
                "TRANSP:OPAQUE"
            },
        );
        line(out, "END:VEVENT");
    }

    pub fn finish(mut self) -> String {
        line(&mut self.out, "END:VCALENDAR");
        self.out
    }
}

/// The finalized meeting as a file of one event.
pub fn event(meeting: &Meeting, when: When<'_>, link: &str, now: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new(meeting, link, now, Lang::En, false);
    calendar.event(&Event {
        when,
        tentative: false,
        note: None,
    });
    calendar.finish()
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
