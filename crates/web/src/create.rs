//! The create page (`/`) and its form post.

use askama::Template;
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use chrono::NaiveDate;
use meetifyr_core::{DateRange, Location, TimeGrid, TimeGridError, Title};
use serde::Deserialize;

use crate::assets::CREATE_JS;
use crate::frame::{Frame, render};
use crate::i18n::{Lang, Texts};
use crate::view;
use meetifyr_api::{ApiError, StoreState};

#[derive(Template)]
#[template(path = "create.html")]
struct CreatePage {
    f: Frame,
    title: String,
    location: String,
    start: String,
    end: String,
    today: String,
    errors: Vec<String>,
    /// The "times of day" kind is chosen.
    times: bool,
    /// `(ISO weekday number, name, chosen)`, in the week's order of the language.
    weekdays: Vec<(u32, &'static str, bool)>,
    hours_from: Vec<(String, bool)>,
    hours_to: Vec<(String, bool)>,
    slots: Vec<(u16, bool)>,
    time_zone: String,
    zones: Vec<&'static str>,
    /// The range's days to tick one by one (empty until a range is known).
    pick_days: Vec<view::AnswerMonth>,
}

impl CreatePage {
    fn create_js(&self) -> &'static str {
        &CREATE_JS.path
    }
}

/// What the form said about times of day (defaults: 09:00 to 18:00 in 30-minute slots, in
/// Seoul for Korean and UTC otherwise; the script puts the browser's zone in).
struct TimesForm {
    times: bool,
    weekdays: Vec<u32>,
    day_start: String,
    day_end: String,
    slot_minutes: u16,
    time_zone: String,
    /// The days ticked on the form's calendar, when it was shown (`dates_shown`).
    dates: Vec<NaiveDate>,
    dates_shown: bool,
}

impl TimesForm {
    fn parse(body: &[u8], lang: Lang) -> Self {
        let mut form = TimesForm {
            times: false,
            weekdays: Vec::new(),
            day_start: "09:00".into(),
            day_end: "18:00".into(),
            slot_minutes: 30,
            time_zone: if lang == Lang::Ko { "Asia/Seoul" } else { "UTC" }.into(),
            dates: Vec::new(),
            dates_shown: false,
        };
        for (key, value) in form_urlencoded::parse(body) {
            match key.as_ref() {
                "kind" => form.times = value == "times",
                "weekday" => form
                    .weekdays
                    .extend(value.parse::<u32>().ok().filter(|n| (1..=7).contains(n))),
                "day_start" => form.day_start = value.into_owned(),
                "day_end" => form.day_end = value.into_owned(),
                "slot_minutes" => form.slot_minutes = value.parse().unwrap_or(0),
                "time_zone" => form.time_zone = value.trim().to_owned(),
                "date" => form.dates.extend(value.parse::<NaiveDate>().ok()),
                "dates_shown" => form.dates_shown = true,
                _ => {}
            }
        }
        form
    }

    /// The page with what was entered (`entered`'s dates as shown: a quick pick's).
    fn page(self, f: Frame, entered: CreateForm, today: String, errors: Vec<String>) -> CreatePage {
        let lang = f.lang;
        let hours = |from: u32, chosen: &str| -> Vec<(String, bool)> {
            (from..from + 24)
                .map(|h| format!("{h:02}:00"))
                .map(|h| {
                    let on = h == chosen;
                    (h, on)
                })
                .collect()
        };
        CreatePage {
            weekdays: lang
                .weekdays()
                .into_iter()
                .enumerate()
                .map(|(i, name)| {
                    let n = (i as u32 + 7 - lang.monday_offset()) % 7 + 1;
                    (n, name, self.weekdays.contains(&n))
                })
                .collect(),
            pick_days: match (entered.start.parse(), entered.end.parse()) {
                (Ok(s), Ok(e)) => match DateRange::new(s, e) {
                    Ok(range) => {
                        let days: Vec<NaiveDate> = range.days().collect();
                        view::days_to_pick(lang, &days, |d| self.chosen(d))
                    }
                    Err(_) => Vec::new(),
                },
                _ => Vec::new(),
            },
            hours_from: hours(0, &self.day_start),
            hours_to: hours(1, &self.day_end),
            slots: meetifyr_core::SLOT_MINUTES
                .iter()
                .map(|&n| (n, n == self.slot_minutes))
                .collect(),
            zones: meetifyr_core::time_zone_names().collect(),
            times: self.times,
            time_zone: self.time_zone,
            f,
            title: entered.title,
            location: entered.location,
            start: entered.start,
            end: entered.end,
            today,
            errors,
        }
    }

    /// Whether day `d` of the range is asked about: ticked on the calendar when it was shown,
    /// else one of the chosen weekdays (every day when none is chosen).
    fn chosen(&self, d: NaiveDate) -> bool {
        use chrono::Datelike;
        if self.dates_shown {
            return self.dates.contains(&d);
        }
        self.weekdays.is_empty() || self.weekdays.contains(&d.weekday().number_from_monday())
    }

    /// The grid over the days of `range` that are asked about.
    fn grid(&self, range: DateRange, t: &Texts) -> Result<TimeGrid, String> {
        let dates: Vec<NaiveDate> = range.days().filter(|&d| self.chosen(d)).collect();
        if dates.is_empty() && self.dates_shown {
            return Err(t.no_days_chosen.to_owned());
        }
        TimeGrid::new(
            dates,
            &self.day_start,
            &self.day_end,
            self.slot_minutes,
            &self.time_zone,
        )
        .map_err(|e| match e {
            TimeGridError::Zone(_) => t.zone_unknown.to_owned(),
            TimeGridError::EmptyDay | TimeGridError::Time(_) => t.hours_invalid.to_owned(),
            TimeGridError::NoDates => t.dates_label.to_owned(),
            other => other.to_string(),
        })
    }
}

pub(crate) async fn create_page(State(state): State<StoreState>, headers: HeaderMap) -> Response {
    let f = Frame::new(&headers, "/");
    let times = TimesForm::parse(b"", f.lang);
    let today = state.clock.today().to_string();
    let page = times.page(f, CreateForm::default(), today, Vec::new());
    render(page, StatusCode::OK)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CreateForm {
    title: String,
    location: String,
    start: String,
    end: String,
    /// A quick pick (`4w`, `this`, `next`) pressed without JavaScript.
    pick: String,
}

/// Creates the meeting, then sets its range (or creates it over times of day), title and
/// location, as a client of the API would; then shows the meeting with its share card.
pub(crate) async fn create(
    State(state): State<StoreState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    // Weekdays repeat: TimesForm reads them; serde_urlencoded ignores what it does not know.
    let form: CreateForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let f = Frame::new(&headers, "/");
    let t = f.t;
    let mut times = TimesForm::parse(&body, f.lang);
    let mut errors = Vec::new();
    let (mut start, mut end) = (form.start.clone(), form.end.clone());
    if let Some((s, e)) = view::quick_pick(&form.pick, state.clock.today()) {
        (start, end) = (s.to_string(), e.to_string());
        // Other days: the ticks of the old ones do not carry over.
        times.dates_shown = false;
    }
    let title = Title::parse(form.title.trim()).map_err(|e| e.to_string());
    let location = Location::parse(form.location.trim()).map_err(|e| e.to_string());
    for e in [title.as_ref().err(), location.as_ref().err()].into_iter().flatten() {
        errors.push(e.clone());
    }
    let range = match (start.parse::<NaiveDate>(), end.parse::<NaiveDate>()) {
        (Ok(s), Ok(e)) if e < s => Err(t.end_before_start.to_owned()),
        (Ok(s), Ok(e)) => DateRange::new(s, e).map_err(|_| t.too_long.to_owned()),
        _ => Err(t.dates_label.to_owned()),
    };
    if let Err(e) = &range {
        errors.push(e.clone());
    }
    let grid = match (&range, times.times) {
        (Ok(range), true) => match times.grid(*range, t) {
            Ok(grid) => Some(Ok(grid)),
            Err(e) => {
                errors.push(e.clone());
                Some(Err(e))
            }
        },
        _ => None,
    };
    let grid = match grid {
        Some(Ok(grid)) => Ok(Some(grid)),
        Some(Err(e)) => Err(e),
        None => Ok(None),
    };
    let (Ok(title), Ok(location), Ok(range), Ok(grid), true) = (title, location, range, grid, form.pick.is_empty())
    else {
        // A quick pick without JavaScript fills the dates and shows them for a check.
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let errors = if form.pick.is_empty() { errors } else { Vec::new() };
        let today = state.clock.today().to_string();
        return Ok(render(
            times.page(f, CreateForm { start, end, ..form }, today, errors),
            status,
        ));
    };
    let (code, key) = meetifyr_core::create_meeting_over(state.store.as_ref(), grid.as_ref()).await?;
    if grid.is_none() {
        state.store.update_date_range(&code, range).await?;
    }
    state.store.update_title(&code, &title).await?;
    state.store.update_location(&code, &location).await?;
    state.meeting_changed(&code);
    // The key rides in the fragment: browsers keep it across the redirect, and never send it
    // to a server (logs) or in a Referer. The page's script keeps it in this browser.
    Ok(Redirect::to(&format!("/m/{code}?new=1#organiser={}", key.as_str())).into_response())
}
