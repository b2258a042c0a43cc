//! The web app, served by the same binary on the first configured store: the create page (`/`),
//! the meeting page (`/m/{code}`), their assets under content-hashed names, and form posts that
//! make every page work without JavaScript. Pages are compiled askama templates (HTML-escaped);
//! one hand-written ES module enhances them with the public API, the stroke route and the live
//! stream. Nothing is loaded from anywhere else (see the Content-Security-Policy).

mod i18n;
mod view;

use std::collections::BTreeSet;
use std::sync::LazyLock;

use askama::Template;
use axum::{
    Router,
    body::Bytes,
    extract::{Path, Query, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::NaiveDate;
use meetifyr_core::{Availability, DateRange, Location, ParticipantName, StoreError, Title, UrlCode};
use serde::Deserialize;

use i18n::{Lang, Texts};
use meetifyr_api::{ApiError, StoreState};
use meetifyr_service::ServiceError;
use view::{Best, Chip, Detail, MeetingData, Month, fill};

/// A static file built into the binary, served under a name carrying its content's hash.
struct Asset {
    path: String,
    body: Vec<u8>,
    content_type: &'static str,
}

/// The script as sent: without indentation and whole-line comments (a sixth of its bytes), line
/// numbers kept. No line of it continues a string or template literal, so this changes no code.
fn compact(source: &str) -> Vec<u8> {
    let mut out = String::with_capacity(source.len());
    for line in source.lines() {
        let line = line.trim_start();
        if !line.starts_with("//") {
            out.push_str(line);
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// The stylesheet as sent: without comments and the white space that means nothing (around
/// `{};,` and after `:`), strings kept as written.
fn compact_css(source: &str) -> Vec<u8> {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    let mut quote = None;
    let mut space = false;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut last = ' ';
            for c in chars.by_ref() {
                if last == '*' && c == '/' {
                    break;
                }
                last = c;
            }
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        // Never before `:`: `a :hover` and `a:hover` select different things.
        if space && !out.is_empty() && !"{};,".contains(c) && !out.ends_with(|p| "{};,:".contains(p)) {
            out.push(' ');
        }
        space = false;
        if c == '}' && out.ends_with(';') {
            out.pop();
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
        }
        out.push(c);
    }
    out.into_bytes()
}

impl Asset {
    fn new(stem: &str, ext: &str, body: Vec<u8>, content_type: &'static str) -> Self {
        // FNV-1a: a cache key, not a secret.
        let hash = body.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
        Asset {
            path: format!("/assets/{stem}.{:012x}.{ext}", hash & 0xffff_ffff_ffff),
            body,
            content_type,
        }
    }
}

static CSS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "app",
        "css",
        compact_css(include_str!("../assets/app.css")),
        "text/css; charset=utf-8",
    )
});
static JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "app",
        "js",
        compact(include_str!("../assets/app.js")),
        "text/javascript; charset=utf-8",
    )
});
/// The create page's script: imported by app.js on that page only.
static CREATE_JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "create",
        "js",
        compact(include_str!("../assets/create.js")),
        "text/javascript; charset=utf-8",
    )
});
/// The organiser's controls: imported by app.js only where the organiser key is known.
static ORGANISER_JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "organiser",
        "js",
        compact(include_str!("../assets/organiser.js")),
        "text/javascript; charset=utf-8",
    )
});
static ICON: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "icon",
        "svg",
        include_bytes!("../assets/icon.svg").to_vec(),
        "image/svg+xml",
    )
});

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; manifest-src 'self'";

pub fn routes(state: StoreState) -> Router {
    Router::new()
        .route("/", get(create_page).post(create))
        .route("/m/{code}", get(meeting_page))
        .route("/m/{code}/organiser", get(organiser_panel))
        .route("/m/{code}/join", post(join))
        .route("/m/{code}/answer", post(answer))
        .route("/m/{code}/forget", post(forget))
        .route("/m/{code}/me", post(claim))
        .route("/lang/{lang}", get(switch_language))
        .route("/theme/{theme}", get(switch_theme))
        .route("/assets/{name}", get(asset))
        .with_state(state)
        .layer(axum::middleware::from_fn(security_headers))
        // Pages and assets are text: gzip roughly quarters them.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .gzip(true)
                .quality(tower_http::CompressionLevel::Fastest),
        )
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // A page differs by language, theme and who this browser answers as: shared caches must not
    // hand one person's page to another, and browsers must ask again each time.
    let html = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if html {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Language, Cookie"));
    }
    response
}

async fn asset(Path(name): Path<String>) -> Response {
    for asset in [&*CSS, &*JS, &*CREATE_JS, &*ORGANISER_JS, &*ICON] {
        if asset.path.strip_prefix("/assets/") == Some(name.as_str()) {
            return (
                [
                    (header::CONTENT_TYPE, asset.content_type),
                    (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
                ],
                asset.body.clone(),
            )
                .into_response();
        }
    }
    meetifyr_api::detail_response(StatusCode::NOT_FOUND, "Not Found")
}

/// A cookie's value.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers).get(name).map(|c| c.value().to_owned())
}

/// A cookie this site sets for a year (or, with `None`, removes), `Secure` when people reach
/// the site over https.
fn set_cookie(jar: CookieJar, secure: bool, name: String, value: Option<String>, path: String) -> CookieJar {
    let age = if value.is_some() {
        cookie::time::Duration::days(365)
    } else {
        cookie::time::Duration::ZERO
    };
    let cookie = Cookie::build((name, value.unwrap_or_default()))
        .path(path)
        .max_age(age)
        .same_site(SameSite::Lax)
        .secure(secure);
    jar.add(cookie)
}

/// The person this browser answers as in a meeting: a cookie, set on joining.
fn me_cookie(code: &str) -> String {
    format!("me_{code}")
}

/// What every page's frame needs.
struct Frame {
    lang: Lang,
    t: &'static Texts,
    css: &'static str,
    js: &'static str,
    icon: &'static str,
    /// Where the language switch goes (it comes back to this page).
    switch_href: String,
    /// `light` or `dark` when chosen with the toggle; else the system's.
    theme: Option<&'static str>,
    dark: bool,
    /// This page, for the switches to come back to.
    back: String,
}

impl Frame {
    fn new(headers: &HeaderMap, here: &str) -> Self {
        let lang = Lang::of(headers);
        let theme = match cookie(headers, "theme").as_deref() {
            Some("dark") => Some("dark"),
            Some("light") => Some("light"),
            _ => None,
        };
        let dark = theme == Some("dark");
        Frame {
            lang,
            t: lang.texts(),
            css: &CSS.path,
            js: &JS.path,
            icon: &ICON.path,
            switch_href: format!("/lang/{}?back={}", lang.other().code(), urlencode(here)),
            theme,
            dark,
            back: here.to_owned(),
        }
    }
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

// ---------- the create page ----------

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
}

impl CreatePage {
    fn create_js(&self) -> &'static str {
        &CREATE_JS.path
    }
}

fn render(page: impl Template, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot render a page");
            meetifyr_api::detail_response(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

async fn create_page(State(state): State<StoreState>, headers: HeaderMap) -> Response {
    render(
        CreatePage {
            f: Frame::new(&headers, "/"),
            title: String::new(),
            location: String::new(),
            start: String::new(),
            end: String::new(),
            today: state.clock.today().to_string(),
            errors: Vec::new(),
        },
        StatusCode::OK,
    )
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

/// Creates the meeting, then sets its range, title and location, as a client of the API would;
/// then shows the meeting with its share card.
async fn create(State(state): State<StoreState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let form: CreateForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let f = Frame::new(&headers, "/");
    let t = f.t;
    let mut errors = Vec::new();
    let (mut start, mut end) = (form.start.clone(), form.end.clone());
    if let Some((s, e)) = view::quick_pick(&form.pick, state.clock.today()) {
        (start, end) = (s.to_string(), e.to_string());
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
    let (Ok(title), Ok(location), Ok(range), true) = (title, location, range, form.pick.is_empty()) else {
        // A quick pick without JavaScript fills the dates and shows them for a check.
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let errors = if form.pick.is_empty() { errors } else { Vec::new() };
        return Ok(render(
            CreatePage {
                f,
                title: form.title,
                location: form.location,
                start,
                end,
                today: state.clock.today().to_string(),
                errors,
            },
            status,
        ));
    };
    let (code, key) = meetifyr_core::create_meeting(state.store.as_ref()).await?;
    state.store.update_date_range(&code, range).await?;
    state.store.update_title(&code, &title).await?;
    state.store.update_location(&code, &location).await?;
    state.meeting_changed(&code);
    // The key rides in the fragment: browsers keep it across the redirect, and never send it
    // to a server (logs) or in a Referer. The page's script keeps it in this browser.
    Ok(Redirect::to(&format!("/m/{code}?new=1#organiser={}", key.as_str())).into_response())
}

// ---------- the meeting page ----------

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
    /// A message after a refused form (`?error=…`).
    error: &'static str,
    levels: usize,
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
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    f: Frame,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MeetingQuery {
    new: Option<String>,
    /// Comma-separated participant ids to show; all when absent.
    people: Option<String>,
    day: Option<NaiveDate>,
    /// Why a form was refused: `password` or `attempts`.
    error: Option<String>,
    ranking: Option<String>,
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

async fn meeting_page(
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
    let (lang, t) = (f.lang, f.t);
    let everyone: BTreeSet<i64> = m.participants.iter().map(|p| p.id).collect();
    let shown: BTreeSet<i64> = match &query.people {
        Some(list) => list
            .split(',')
            .filter_map(|id| id.trim().parse().ok())
            .filter(|id| everyone.contains(id))
            .collect(),
        None => everyone.clone(),
    };
    let me = cookie(&headers, &me_cookie(&m.url_code))
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(|id| m.person(id))
        .map(|p| Me {
            id: p.id,
            name: p.name.clone(),
        });
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
    let others = m
        .participants
        .iter()
        .map(|p| Other {
            id: p.id,
            name: p.name.clone(),
            protected: p.protected,
        })
        .collect();
    let final_day = m.final_date.map(|d| (d.to_string(), lang.day(d)));
    let error = match query.error.as_deref() {
        Some("password") => t.wrong_password,
        Some("attempts") => t.too_many_attempts,
        _ => "",
    };
    let data = serde_json::json!({
        "code": m.url_code,
        "api": "/v1",
        "version": version,
        "me": me.as_ref().map(|me| me.id),
        "protected": me_protected,
        "organiser_js": ORGANISER_JS.path,
        "lang": lang.code(),
        "t": {
            "free_of": t.free_of, "free": t.free, "busy": t.busy, "starred": t.starred,
            "saved": t.saved, "save_failed": t.save_failed, "offline": t.offline, "online": t.online,
            "copied": t.copied, "legend_all": t.legend_all, "best_none": t.best_none,
            "everyone": t.everyone, "close": t.close, "deleted": t.deleted,
            "wrong_password": t.wrong_password, "too_many_attempts": t.too_many_attempts,
            "password_needed": t.password_needed,
        },
    });
    // Inside <script type="application/json">: nothing may close the element.
    let data = data.to_string().replace('<', "\\u003c");
    let page = MeetingPage {
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
        link,
        data,
        m,
        f,
    };
    Ok(render(page, StatusCode::OK))
}

/// The organiser's panel, for organiser.js to put in the page.
async fn organiser_panel(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let f = Frame::new(&headers, &format!("/m/{raw}"));
    Ok(match load(&state, &raw).await? {
        Some((m, _)) => render(OrganiserPanel { f, m }, StatusCode::OK),
        None => render(NotFoundPage { f }, StatusCode::NOT_FOUND),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct JoinForm {
    name: String,
    /// Empty: not protected.
    password: String,
}

/// A password as a form sends it: empty is none; else as the API's `password` field.
fn form_password(raw: &str) -> Option<String> {
    let ok = !raw.is_empty() && !raw.contains('\0') && raw.chars().count() <= meetifyr_service::MAX_PASSWORD_CHARS;
    ok.then(|| raw.to_owned())
}

/// Back to the page after a refused password (403) or too many attempts (429).
fn password_refused(code: &UrlCode, e: &ServiceError) -> Option<Response> {
    let why = match e {
        ServiceError::Forbidden(_) => "password",
        ServiceError::TooManyRequests { .. } => "attempts",
        _ => return None,
    };
    Some(Redirect::to(&format!("/m/{code}?error={why}#answer-section")).into_response())
}

/// Remembers in this browser who it answers as (`None`: forgets it).
fn remember(state: &StoreState, headers: &HeaderMap, code: &UrlCode, id: Option<i64>) -> Response {
    let jar = set_cookie(
        CookieJar::new(),
        state.public.secure(headers),
        me_cookie(code.as_str()),
        id.map(|id| id.to_string()),
        format!("/m/{code}"),
    );
    let to = if id.is_some() { "answer" } else { "join" };
    (jar, Redirect::to(&format!("/m/{code}#{to}"))).into_response()
}

/// Joins without JavaScript: creates the participant and remembers it in this browser.
async fn join(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form: JoinForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let code = meetifyr_api::parse_url_code(&raw)?;
    let Ok(name) = ParticipantName::parse(&form.name) else {
        return Ok(Redirect::to(&format!("/m/{code}#join")).into_response());
    };
    let hash = match form_password(&form.password) {
        Some(password) => Some(state.auth.hash(password).await?),
        None => None,
    };
    let created = state
        .wrote(
            &code,
            state.store.insert_participant(&code, &name, hash.as_deref()).await,
        )
        .await?;
    Ok(remember(&state, &headers, &code, Some(created.id)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ClaimForm {
    participant: i64,
    password: String,
}

/// "That's me": this browser answers as an existing participant; a protected one needs its
/// password.
async fn claim(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form: ClaimForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let code = meetifyr_api::parse_url_code(&raw)?;
    match state.store.participant_password_hash(form.participant).await? {
        Some((of, _)) if of == code => {}
        _ => return Ok(Redirect::to(&format!("/m/{code}#join")).into_response()),
    }
    let password = form_password(&form.password);
    if let Err(e) = state
        .authorize_participant(form.participant, Some(&code), password.as_deref())
        .await
    {
        return password_refused(&code, &e).ok_or(e.into());
    }
    Ok(remember(&state, &headers, &code, Some(form.participant)))
}

/// Saves a whole answer without JavaScript: the boxes ticked are the free and starred days.
async fn answer(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let code = meetifyr_api::parse_url_code(&raw)?;
    let me = cookie(&headers, &me_cookie(code.as_str())).and_then(|v| v.parse::<i64>().ok());
    let Some(me) = me else {
        return Ok(Redirect::to(&format!("/m/{code}#join")).into_response());
    };
    let (mut free, mut starred, mut password) = (Vec::new(), Vec::new(), None);
    for (key, value) in form_urlencoded::parse(&body) {
        if key == "password" {
            password = form_password(&value);
            continue;
        }
        let Ok(date) = value.parse::<NaiveDate>() else { continue };
        match key.as_ref() {
            "free" => free.push(date),
            "star" => starred.push(date),
            _ => {}
        }
    }
    if let Err(e) = state.authorize_participant(me, Some(&code), password.as_deref()).await {
        return password_refused(&code, &e).ok_or(e.into());
    }
    // A star ticked on a day left busy makes the day free, as the toggles do.
    for d in &starred {
        if !free.contains(d) {
            free.push(*d);
        }
    }
    free.sort_unstable();
    free.dedup();
    starred.sort_unstable();
    starred.dedup();
    let answer = Availability::new(free, starred).map_err(StoreError::Availability)?;
    state
        .wrote(&code, state.store.replace_availability(&code, me, &answer).await)
        .await?;
    Ok(Redirect::to(&format!("/m/{code}#answer")).into_response())
}

/// "Not you?": this browser forgets who it answered as.
async fn forget(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let code = meetifyr_api::parse_url_code(&raw)?;
    Ok(remember(&state, &headers, &code, None))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Back {
    back: String,
}

/// Back to the page a switch was pressed on, remembering the choice in a cookie.
fn back_with_cookie(secure: bool, back: Back, name: &str, value: &str) -> Response {
    // Only paths of this site: never `//host` or a scheme.
    let back = if back.back.starts_with('/') && !back.back.starts_with("//") && !back.back.contains('\\') {
        back.back
    } else {
        "/".to_owned()
    };
    let jar = set_cookie(
        CookieJar::new(),
        secure,
        name.to_owned(),
        Some(value.to_owned()),
        "/".to_owned(),
    );
    (jar, Redirect::to(&back)).into_response()
}

/// The language switch.
async fn switch_language(
    State(state): State<StoreState>,
    Path(lang): Path<String>,
    Query(back): Query<Back>,
    headers: HeaderMap,
) -> Response {
    match Lang::parse(&lang) {
        Some(lang) => back_with_cookie(state.public.secure(&headers), back, "lang", lang.code()),
        None => meetifyr_api::detail_response(StatusCode::NOT_FOUND, "Not Found"),
    }
}

/// The light/dark toggle without JavaScript.
async fn switch_theme(
    State(state): State<StoreState>,
    Path(theme): Path<String>,
    Query(back): Query<Back>,
    headers: HeaderMap,
) -> Response {
    match theme.as_str() {
        "light" | "dark" => back_with_cookie(state.public.secure(&headers), back, "theme", &theme),
        _ => meetifyr_api::detail_response(StatusCode::NOT_FOUND, "Not Found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_is_sent_without_comments_and_idle_white_space() {
        let css = ".a, .b { color: red; }\n/* note */\n.c :focus { content: \"a: b; c\" }\n@media (max-width: 40rem) { .d > .e { margin: 0 auto; } }";
        let sent = String::from_utf8(compact_css(css)).unwrap();
        assert_eq!(
            sent,
            ".a,.b{color:red}.c :focus{content:\"a: b; c\"}@media (max-width:40rem){.d > .e{margin:0 auto}}"
        );
        let real = String::from_utf8(compact_css(include_str!("../assets/app.css"))).unwrap();
        let source = include_str!("../assets/app.css");
        assert_eq!(real.matches('{').count(), source.matches('{').count());
        assert!(
            !real.contains("/*") && real.len() < source.len() * 9 / 10,
            "{}",
            real.len()
        );
    }

    #[test]
    fn the_script_is_sent_without_indentation_and_comment_lines_keeping_line_numbers() {
        let source = include_str!("../assets/app.js");
        let sent = String::from_utf8(compact(source)).unwrap();
        assert_eq!(sent.lines().count(), source.lines().count());
        assert!(sent.lines().all(|l| !l.starts_with(' ') && !l.starts_with("//")));
        assert!(sent.len() < source.len() * 7 / 8, "{} of {}", sent.len(), source.len());
        // No line of the source may continue a template literal across lines.
        for line in source.lines() {
            assert_eq!(line.matches('`').count() % 2, 0, "{line}");
        }
    }
}
