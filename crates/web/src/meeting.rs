//! The meeting page (`/m/{code}`) and the organiser's panel.

use std::collections::BTreeSet;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use chrono::NaiveDate;
use meetifyr_core::UrlCode;
use serde::Deserialize;

use crate::assets::{ORGANISER_JS, TRIP_JS};
use crate::cookies::{cookie, me_cookie};
use crate::frame::{Frame, render};
use crate::view::{self, Best, Chip, Detail, MeetingData, Month, fill};
use meetifyr_api::{ApiError, StoreState};

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    f: Frame,
    m: MeetingData,
    range_text: String,
    link: String,
    qr: String,
    new: bool,
    months: Vec<Month>,
    best: Vec<Best>,
    chips: Vec<Chip>,
    filtered: bool,
    detail: Option<Detail>,
    me: Option<Me>,
    answering_as: String,
    answer: Vec<view::AnswerMonth>,
    /// This browser's participant is protected: editing asks for the password.
    me_protected: bool,
    /// Participants one can say "that's me" for.
    others: Vec<Other>,
    final_day: Option<(String, String)>,
    /// Every day ranked, when asked for without JavaScript (`?ranking`); the script draws it.
    ranking: Vec<Best>,
    /// "Find days in a row", with its results once the form was sent.
    trip: crate::trip::Trip,
    trip_css: &'static str,
    /// A message after a refused form (`?error=…`).
    error: &'static str,
    levels: usize,
    /// When answers close, or closed (then nobody joins or answers).
    closing: Option<view::Closing>,
    closed: bool,
    /// The calendar import, asked for, and its script.
    importing: bool,
    import_js: &'static str,
    /// For the script: the API's base, the meeting, who this browser is and the words it shows.
    data: String,
}

struct Me {
    id: i64,
    name: String,
}

struct Other {
    id: i64,
    name: String,
    protected: bool,
}

#[derive(Template)]
#[template(path = "organiser.html")]
struct OrganiserPanel {
    f: Frame,
    m: MeetingData,
    /// A time meeting's window lengths to settle on: slot multiples up to four hours.
    durations: Vec<u32>,
    trip_css: &'static str,
    /// The deadline as the form shows it, and whether answers close at all.
    deadline_local: String,
    closing: bool,
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    f: Frame,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct MeetingQuery {
    new: Option<String>,
    /// Comma-separated participant ids to show; all when absent.
    people: Option<String>,
    day: Option<NaiveDate>,
    /// Why a form was refused: `password` or `attempts`.
    error: Option<String>,
    ranking: Option<String>,
    /// A time meeting's slot to show who is free in (its start).
    slot: Option<String>,
    /// Shows the calendar import (`?import=1`).
    import: Option<String>,
    /// "Find days in a row": the form's fields (`crate::trip`).
    window: Option<String>,
    start_on: Option<String>,
    skip_weekends: Option<String>,
    min_free: Option<String>,
}

#[derive(Template)]
#[template(path = "times.html")]
struct TimesPage {
    f: Frame,
    m: MeetingData,
    zone_text: String,
    final_text: String,
    link: String,
    qr: String,
    new: bool,
    best: Vec<Best>,
    chips: Vec<Chip>,
    filtered: bool,
    group: crate::times::TimeTable,
    answer: crate::times::TimeTable,
    detail: Option<Detail>,
    me: Option<Me>,
    answering_as: String,
    me_protected: bool,
    others: Vec<Other>,
    error: &'static str,
    levels: usize,
    closing: Option<view::Closing>,
    closed: bool,
    importing: bool,
    import_js: &'static str,
    times_js: &'static str,
    times_css: &'static str,
    data: String,
}

/// The page of a time meeting: the same parts as a day meeting's, over a days × times table.
fn times_page(
    state: &StoreState,
    m: MeetingData,
    version: i64,
    query: &MeetingQuery,
    headers: &HeaderMap,
    f: Frame,
) -> Response {
    let (lang, t) = (f.lang, f.t);
    let everyone: BTreeSet<i64> = m.participants.iter().map(|p| p.id).collect();
    let shown = shown(&query.people, &everyone);
    let me = me_of(headers, &m);
    let me_data = me.as_ref().and_then(|me| m.person(me.id));
    let me_protected = me_data.is_some_and(|p| p.protected);
    let link = format!("{}/m/{}", state.public.base(headers), m.url_code);
    let zone = m.time_grid.as_ref().map_or("UTC", |g| g.time_zone.as_str()).to_owned();
    let final_text = m
        .final_slot
        .as_ref()
        .map(|w| {
            let day = m
                .slots
                .iter()
                .find(|s| s.start.as_deref() == Some(w.start.as_str()))
                .map(|s| lang.day(s.date))
                .unwrap_or_default();
            format!(
                "{day} {} – {}",
                w.start.get(11..16).unwrap_or(""),
                w.end.get(11..16).unwrap_or("")
            )
        })
        .unwrap_or_default();
    let detail = query.slot.as_ref().and_then(|start| {
        let index = m
            .slots
            .iter()
            .position(|s| s.start.as_deref() == Some(start.as_str()))?;
        let slot = &m.slots[index];
        let people = m.participants.iter().filter(|p| shown.contains(&p.id));
        let (free, busy): (Vec<_>, Vec<_>) = people.partition(|p| p.free.contains(&index));
        Some(Detail {
            day: format!("{} {}", lang.day(slot.date), slot.time),
            free: free.iter().map(|p| p.name.clone()).collect(),
            busy: busy.iter().map(|p| p.name.clone()).collect(),
            starred: free
                .iter()
                .filter(|p| p.starred.contains(&index))
                .map(|p| p.name.clone())
                .collect(),
        })
    });
    let data = serde_json::json!({
        "code": m.url_code,
        "api": "/v1",
        "version": version,
        "me": me.as_ref().map(|me| me.id),
        "protected": me_protected,
        "organiser_js": ORGANISER_JS.path,
        "lang": lang.code(),
        "zone": zone,
        "open": m.answers_open,
        "closes": m.answers_close_at,
        "t": {
            "saved": t.saved, "save_failed": t.save_failed, "offline": t.offline, "online": t.online,
            "slot_free_of": t.slot_free_of, "free_of": t.free_of, "legend_all": t.legend_all, "deleted": t.deleted,
            "wrong_password": t.wrong_password, "too_many_attempts": t.too_many_attempts,
            "password_needed": t.password_needed, "show_my_zone": t.show_my_zone,
            "show_meeting_zone": t.show_meeting_zone, "times_in": t.times_in, "copied": t.copied,
        },
    });
    let page = TimesPage {
        zone_text: fill(t.times_in, &[("zone", &zone)]),
        final_text,
        qr: if query.new.is_some() {
            qr_svg(&link)
        } else {
            String::new()
        },
        new: query.new.is_some(),
        best: crate::times::best(&m, lang, t),
        chips: view::chips(&m, &shown),
        filtered: shown != everyone,
        group: crate::times::table(&m, &shown, None, lang, t),
        answer: crate::times::table(&m, &shown, me_data, lang, t),
        detail,
        answering_as: me
            .as_ref()
            .map(|me| fill(t.answering_as, &[("name", &me.name)]))
            .unwrap_or_default(),
        me_protected,
        others: others_of(&m),
        error: error_text(query, t),
        levels: view::LEVELS,
        closing: m.closing(lang),
        closed: !m.answers_open,
        importing: query.import.is_some(),
        import_js: &crate::assets::IMPORT_JS.path,
        times_js: &crate::assets::TIMES_JS.path,
        times_css: &crate::assets::TIMES_CSS.path,
        data: data.to_string().replace('<', "\\u003c"),
        link,
        me,
        m,
        f,
    };
    render(page, StatusCode::OK)
}

/// The people to show: `?people=` ids that exist, else everyone.
fn shown(people: &Option<String>, everyone: &BTreeSet<i64>) -> BTreeSet<i64> {
    match people {
        Some(list) => list
            .split(',')
            .filter_map(|id| id.trim().parse().ok())
            .filter(|id| everyone.contains(id))
            .collect(),
        None => everyone.clone(),
    }
}

/// The participant this browser answers as, from its cookie.
fn me_of(headers: &HeaderMap, m: &MeetingData) -> Option<Me> {
    cookie(headers, &me_cookie(&m.url_code))
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(|id| m.person(id))
        .map(|p| Me {
            id: p.id,
            name: p.name.clone(),
        })
}

fn others_of(m: &MeetingData) -> Vec<Other> {
    m.participants
        .iter()
        .map(|p| Other {
            id: p.id,
            name: p.name.clone(),
            protected: p.protected,
        })
        .collect()
}

fn error_text(query: &MeetingQuery, t: &'static crate::i18n::Texts) -> &'static str {
    match query.error.as_deref() {
        Some("password") => t.wrong_password,
        Some("attempts") => t.too_many_attempts,
        _ => "",
    }
}

/// The meeting as the API's GET returns it.
async fn load(state: &StoreState, raw: &str) -> Result<Option<(MeetingData, i64)>, ApiError> {
    let Some(code) = UrlCode::parse(raw) else {
        return Ok(None);
    };
    let Some(snapshot) = state.meeting(&code).await? else {
        return Ok(None);
    };
    let data: MeetingData = serde_json::from_slice(&snapshot.json)?;
    Ok(Some((data, snapshot.version)))
}

fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(180, 180)
                .dark_color(qrcode::render::svg::Color("#000"))
                .light_color(qrcode::render::svg::Color("#fff"))
                .build();
            // The XML declaration is not allowed inside HTML.
            match svg.find("<svg") {
                Some(at) => svg[at..].to_owned(),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}

pub(crate) async fn meeting_page(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    Query(query): Query<MeetingQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let here = format!("/m/{raw}");
    let f = Frame::new(&headers, &here);
    let Some((m, version)) = load(&state, &raw).await? else {
        return Ok(render(NotFoundPage { f }, StatusCode::NOT_FOUND));
    };
    if m.kind.as_deref() == Some("times") {
        return Ok(times_page(&state, m, version, &query, &headers, f));
    }
    let (lang, t) = (f.lang, f.t);
    let everyone: BTreeSet<i64> = m.participants.iter().map(|p| p.id).collect();
    let shown = shown(&query.people, &everyone);
    let me = me_of(&headers, &m);
    let link = format!("{}/m/{}", state.public.base(&headers), m.url_code);
    let range_text = match (m.start_date, m.end_date) {
        (Some(s), Some(e)) => format!("{} – {}", lang.day(s), lang.day(e)),
        _ => t.no_range.to_owned(),
    };
    let answer = me
        .as_ref()
        .and_then(|me| m.person(me.id))
        .map(|p| view::answer(&m, p, lang, t))
        .unwrap_or_default();
    let me_protected = me.as_ref().and_then(|me| m.person(me.id)).is_some_and(|p| p.protected);
    let others = others_of(&m);
    let final_day = m.final_date.map(|d| (d.to_string(), lang.day(d)));
    let error = error_text(&query, t);
    let trip_query = crate::trip::TripQuery {
        window: query.window.clone(),
        start_on: query.start_on.clone(),
        skip_weekends: query.skip_weekends.clone(),
        min_free: query.min_free.clone(),
    };
    let mut trip = crate::trip::Trip::new(m.days().len(), &trip_query, lang);
    if query.window.is_some() {
        // Without JavaScript: the form came back to the page, which ranks as the API does.
        if let Some(code) = UrlCode::parse(&m.url_code)
            && let Some(meeting) = state.store.find_meeting(&code).await?
        {
            trip.rank(&meeting, lang, t);
        }
    }
    let data = serde_json::json!({
        "code": m.url_code,
        "api": "/v1",
        "version": version,
        "me": me.as_ref().map(|me| me.id),
        "protected": me_protected,
        "organiser_js": ORGANISER_JS.path,
        "trip_js": TRIP_JS.path,
        "lang": lang.code(),
        "open": m.answers_open,
        "closes": m.answers_close_at,
        "t": {
            "free_of": t.free_of, "free": t.free, "busy": t.busy, "starred": t.starred,
            "saved": t.saved, "save_failed": t.save_failed, "offline": t.offline, "online": t.online,
            "copied": t.copied, "legend_all": t.legend_all, "close": t.close, "deleted": t.deleted,
            "wrong_password": t.wrong_password, "too_many_attempts": t.too_many_attempts,
            "password_needed": t.password_needed,
            "required_missing": t.required_missing, "required_mark": t.required_mark,
        },
    });
    // Inside <script type="application/json">: nothing may close the element.
    let data = data.to_string().replace('<', "\\u003c");
    let page = MeetingPage {
        trip,
        trip_css: &crate::assets::TRIP_CSS.path,
        range_text,
        qr: if query.new.is_some() {
            qr_svg(&link)
        } else {
            String::new()
        },
        new: query.new.is_some(),
        months: view::group(&m, &shown, lang, t),
        best: view::best(&m, lang, t),
        ranking: if query.ranking.is_some() {
            view::ranking(&m, lang, t)
        } else {
            Vec::new()
        },
        me_protected,
        others,
        final_day,
        error,
        chips: view::chips(&m, &shown),
        filtered: shown != everyone,
        detail: query.day.and_then(|d| view::detail(&m, &shown, d, lang)),
        answering_as: me
            .as_ref()
            .map(|me| fill(t.answering_as, &[("name", &me.name)]))
            .unwrap_or_default(),
        me,
        answer,
        levels: view::LEVELS,
        closing: m.closing(lang),
        closed: !m.answers_open,
        importing: query.import.is_some(),
        import_js: &crate::assets::IMPORT_JS.path,
        link,
        data,
        m,
        f,
    };
    Ok(render(page, StatusCode::OK))
}

/// The organiser's panel, for organiser.js to put in the page.
pub(crate) async fn organiser_panel(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let f = Frame::new(&headers, &format!("/m/{raw}"));
    Ok(match load(&state, &raw).await? {
        Some((m, _)) => {
            let slot = m.time_grid.as_ref().map_or(60, |g| g.slot_minutes);
            let durations = (1..=240 / slot).map(|n| n * slot).collect();
            let trip_css = &crate::assets::TRIP_CSS.path;
            render(
                OrganiserPanel {
                    f,
                    deadline_local: m.deadline_local(),
                    closing: m.answers_close_at.is_some(),
                    m,
                    durations,
                    trip_css,
                },
                StatusCode::OK,
            )
        }
        None => render(NotFoundPage { f }, StatusCode::NOT_FOUND),
    })
}
