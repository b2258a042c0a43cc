//! The web app over HTTP: headers, escaping, assets, page weight, and every form working without
//! JavaScript (the browser suite in tests/browser drives the same pages in Chromium).

use reqwest::{Client, StatusCode, redirect::Policy};
use serde_json::json;

use crate::helpers::*;

/// A client that shows redirects instead of following them, and bodies as sent (reqwest would
/// otherwise decompress gzip and drop `Content-Encoding` when the workspace turns its gzip on).
fn browser() -> Client {
    Client::builder().redirect(Policy::none()).no_gzip().build().unwrap()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencoding(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn post_form(app: &TestApp, path: &str, body: String, cookie: Option<&str>) -> reqwest::Response {
    let mut request = browser()
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(c) = cookie {
        request = request.header("cookie", c);
    }
    request.send().await.unwrap()
}

async fn page(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut request = browser().get(app.url(path));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

/// The `src`/`href` values of a page.
fn references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for part in html.split(attribute).skip(1) {
            out.push(part.split('"').next().unwrap_or("").to_owned());
        }
    }
    out
}

#[tokio::test]
async fn pages_have_a_strict_policy_and_load_nothing_from_elsewhere() {
    // Given a meeting
    let app = spawn_app().await;
    let code = app.meeting_with_range("2026-03-01", "2026-03-31").await;
    for path in ["/".to_owned(), format!("/m/{code}")] {
        // When its page and the create page are fetched
        let (status, headers, html) = page(&app, &path, &[]).await;
        // Then a CSP without inline code guards them, and every reference is to this server
        assert_eq!(status, StatusCode::OK, "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        for reference in references(&html) {
            assert!(reference.starts_with(['/', '#', '?']), "{path}: {reference}");
        }
        assert!(!html.contains("<style") && !html.contains(" style="), "{path}");
    }
}

#[tokio::test]
async fn user_text_shows_literally() {
    // Given a title and a name written as markup
    let app = spawn_app().await;
    let code = app.meeting_with_range("2026-03-01", "2026-03-03").await;
    app.patch(
        &format!("/v1/meetings/{code}/title"),
        json!({"title": "<img src=x onerror=alert(1)>"}),
    )
    .await;
    app.add_participant(&code, "<script>alert(1)</script>").await;
    // When the meeting page is shown
    let (_, _, html) = page(&app, &format!("/m/{code}"), &[]).await;
    // Then the text is escaped in the HTML, and cannot close the data block
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&#60;script&#62;"));
    assert!(!html.contains("<script>alert(1)"));
    assert!(!html.contains("<img src=x"));
    assert_eq!(
        html.matches("</script>").count(),
        2,
        "the module and the data block only"
    );
}

#[tokio::test]
async fn assets_are_named_by_content_cached_for_a_year_and_compressed() {
    // Given the create page's stylesheet and script
    let app = spawn_app().await;
    let (_, _, html) = page(&app, "/", &[]).await;
    let assets: Vec<String> = references(&html)
        .into_iter()
        .filter(|r| r.starts_with("/assets/"))
        .collect();
    assert_eq!(assets.len(), 3, "{assets:?}");
    for asset in &assets {
        // When fetched by a browser that takes gzip
        let (status, headers, _) = page(&app, asset, &[("accept-encoding", "gzip")]).await;
        // Then they are immutable for a year, and compressed (the icon too)
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(headers["content-encoding"], "gzip", "{asset}");
        let name = asset.rsplit('/').next().unwrap();
        assert_eq!(name.split('.').nth(1).unwrap().len(), 12, "{name}");
    }
    let (status, _, _) = page(&app, "/assets/app.000000000000.js", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_full_meeting_page_weighs_at_most_60_kb() {
    // Given a 63-day meeting with 12 people, seen by one of them (the answer grid shows too)
    let app = spawn_app().await;
    let code = app.meeting_with_range("2026-01-01", "2026-03-04").await;
    let mut me = 0;
    for i in 0..12 {
        me = app.add_participant(&code, &format!("참가자 {i}")).await["participant_id"]
            .as_i64()
            .unwrap();
    }
    let cookie = format!("me_{code}={me}");
    let (_, _, html) = page(&app, &format!("/m/{code}"), &[("cookie", &cookie)]).await;
    assert!(html.contains("id=\"answer\""));
    // When the page and what it loads are added up, uncompressed
    let mut bytes = html.len();
    for asset in references(&html)
        .into_iter()
        .filter(|r| r.ends_with(".css") || r.ends_with(".js"))
    {
        let size = page(&app, &asset, &[]).await.2.len();
        println!("{asset}: {size} bytes");
        bytes += size;
    }
    println!("html: {} bytes", html.len());
    // Then they stay within 60 KB
    println!("meeting page of 63 days and 12 people, with the answer grid: {bytes} bytes");
    assert!(bytes <= 60 * 1024, "{bytes} bytes");
}

#[tokio::test]
async fn a_meeting_is_created_joined_and_answered_without_javascript() {
    // Given the create form, sent as a browser without JavaScript sends it
    let app = spawn_app().await;
    let created = post_form(
        &app,
        "/",
        form(&[
            ("title", "송년회"),
            ("location", "강남"),
            ("start", "2026-12-01"),
            ("end", "2026-12-05"),
        ]),
        None,
    )
    .await;
    // Then it lands on the new meeting with its share card, everything set
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    // with the organiser key in the fragment, which browsers keep and never send to a server
    let (path, key) = location.split_once("#organiser=").unwrap();
    assert!(
        key.len() >= 22 && key.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{key}"
    );
    let code = path
        .strip_prefix("/m/")
        .unwrap()
        .strip_suffix("?new=1")
        .unwrap()
        .to_owned();
    let meeting = app.meeting(&code).await;
    assert_eq!(
        (
            &meeting["title"],
            &meeting["location"],
            &meeting["start_date"],
            &meeting["end_date"]
        ),
        (
            &json!("송년회"),
            &json!("강남"),
            &json!("2026-12-01"),
            &json!("2026-12-05")
        )
    );
    let (_, _, html) = page(&app, &location, &[]).await;
    assert!(html.contains("<svg") && html.contains("id=\"share-link\""));
    // When someone joins with the form
    let joined = post_form(&app, &format!("/m/{code}/join"), form(&[("name", "민지")]), None).await;
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    let cookie = joined.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with(&format!("me_{code}=")), "{cookie}");
    // And ticks two days free, one of them starred, and a star on a busy day
    let answered = post_form(
        &app,
        &format!("/m/{code}/answer"),
        "free=2026-12-01&free=2026-12-02&star=2026-12-02&star=2026-12-04".into(),
        Some(&cookie),
    )
    .await;
    assert_eq!(answered.status(), StatusCode::SEE_OTHER);
    // Then the API shows that answer (a starred day is free)
    let meeting = app.meeting(&code).await;
    let days = answer(&meeting, meeting["participants"][0]["id"].as_i64().unwrap());
    let expect = |d: &str, f: bool, s: bool| (d.to_owned(), f, s);
    assert_eq!(
        days,
        [
            expect("2026-12-01", true, false),
            expect("2026-12-02", true, true),
            expect("2026-12-03", false, false),
            expect("2026-12-04", true, true),
            expect("2026-12-05", false, false),
        ]
    );
    // And the page shows the answer grid to this browser only
    let (_, _, mine) = page(&app, &format!("/m/{code}"), &[("cookie", &cookie)]).await;
    let (_, _, theirs) = page(&app, &format!("/m/{code}"), &[]).await;
    assert!(mine.contains("id=\"answer\"") && !mine.contains("id=\"join-form\""));
    assert!(theirs.contains("id=\"join-form\"") && !theirs.contains("id=\"answer\""));
}

#[tokio::test]
async fn the_create_form_explains_what_is_wrong_and_creates_nothing() {
    let app = spawn_app().await;
    for (start, end, says) in [
        ("2026-12-10", "2026-12-01", "on or after the start"),
        ("2026-01-01", "2026-03-15", "at most 62 days"),
    ] {
        // When a reversed or too long range is sent
        let response = post_form(&app, "/", form(&[("title", "x"), ("start", start), ("end", end)]), None).await;
        // Then the form comes back with the reason and the values kept
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains(says), "{says}");
        assert!(html.contains(&format!("value=\"{start}\"")));
    }
}

/// A server whose clock is stopped on `today`.
async fn app_on(today: &str) -> TestApp {
    let options = meetifyr_api::ApiOptions {
        clock: meetifyr_api::Clock::fixed_on(today.parse().unwrap()),
        ..Default::default()
    };
    spawn_app_with_options(&[("main", backend())], &options).await
}

#[tokio::test]
async fn a_quick_pick_without_javascript_counts_from_the_servers_today() {
    for (today, pick, start, end) in [
        // the last day of a month: "this month" is that one day, "next month" a short February
        ("2027-01-31", "this", "2027-01-31", "2027-01-31"),
        ("2027-01-31", "next", "2027-02-01", "2027-02-28"),
        ("2028-01-15", "next", "2028-02-01", "2028-02-29"),
        ("2026-12-20", "next", "2027-01-01", "2027-01-31"),
        ("2026-12-20", "4w", "2026-12-20", "2027-01-16"),
    ] {
        // Given a server whose today is fixed
        let app = app_on(today).await;
        // When a quick pick is sent without JavaScript
        let response = post_form(&app, "/", form(&[("title", "x"), ("pick", pick)]), None).await;
        // Then the form comes back with that range filled in for a check, and nothing created
        assert_eq!(response.status(), StatusCode::OK);
        let html = response.text().await.unwrap();
        for (field, value) in [("start", start), ("end", end)] {
            let want = format!("id=\"{field}\" name=\"{field}\" type=\"date\" value=\"{value}\" min=\"{today}\"");
            assert!(html.contains(&want), "{today} {pick}: {want}");
        }
    }
}

#[tokio::test]
async fn html_pages_vary_by_language_and_cookie_and_are_never_shared() {
    // Given a meeting
    let app = spawn_app().await;
    let code = app.meeting_with_range("2027-03-01", "2027-03-03").await;
    // When each kind of page is fetched
    for path in [
        "/".to_owned(),
        format!("/m/{code}"),
        format!("/m/{code}/organiser"),
        "/m/nope".to_owned(),
    ] {
        let (_, headers, _) = page(&app, &path, &[]).await;
        // Then it may be kept only by this browser, checked each time, and told apart by language and cookie
        assert!(
            headers["content-type"].to_str().unwrap().starts_with("text/html"),
            "{path}"
        );
        assert_eq!(headers["cache-control"], "private, no-cache", "{path}");
        assert_eq!(headers["vary"], "Accept-Language, Cookie", "{path}");
    }
    // And the assets, which never change under their names, are public for a year
    let (_, _, html) = page(&app, "/", &[]).await;
    let css = references(&html).into_iter().find(|r| r.ends_with(".css")).unwrap();
    let (_, headers, _) = page(&app, &css, &[]).await;
    assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
    assert!(
        headers
            .get("vary")
            .is_none_or(|v| !v.to_str().unwrap().contains("Cookie"))
    );
}

#[tokio::test]
async fn the_organiser_panel_is_sent_only_when_asked_for() {
    // Given a meeting
    let app = spawn_app().await;
    let code = app.meeting_with_range("2027-03-01", "2027-03-03").await;
    // Then its page carries only an empty place for the panel
    let (_, _, html) = page(&app, &format!("/m/{code}"), &[]).await;
    assert!(html.contains("<div id=\"organiser\" hidden></div>") && !html.contains("org-delete"));
    // When the organiser's script asks for the panel, Then it gets the panel with the range filled in
    let (status, _, panel) = page(&app, &format!("/m/{code}/organiser"), &[("accept-language", "ko")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(panel.starts_with("<section class=\"card organiser\" id=\"organiser\""));
    assert!(panel.contains("value=\"2027-03-01\"") && panel.contains("value=\"2027-03-03\""));
    assert!(panel.contains("주최자 메뉴") && panel.contains("id=\"org-delete\""));
    // And an unknown meeting has none
    assert_eq!(
        page(&app, "/m/nope0000nope/organiser", &[]).await.0,
        StatusCode::NOT_FOUND
    );
}

/// The code, share link and organiser key of a meeting created through the form.
async fn share_link(app: &TestApp, headers: &[(&str, &str)]) -> (String, String, String) {
    let mut request = browser()
        .post(app.url("/"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("title", "x"), ("start", "2027-03-01"), ("end", "2027-03-02")]));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let created = request.send().await.unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let code = location.trim_start_matches("/m/").split('?').next().unwrap().to_owned();
    let (path, key) = location.split_once("#organiser=").unwrap();
    let (_, _, html) = page(app, path, headers).await;
    let link = html
        .split("id=\"share-link\" readonly value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    (code, link, key.to_owned())
}

/// The `Set-Cookie` of joining a meeting through the form.
async fn join_cookie(app: &TestApp, code: &str, headers: &[(&str, &str)]) -> String {
    let mut request = browser()
        .post(app.url(&format!("/m/{code}/join")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=Kim");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response.headers()["set-cookie"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn links_and_calendar_files_use_the_public_url_and_cookies_are_secure_under_https() {
    // Given a server told that people reach it at https://meet.example.org
    let options = meetifyr_api::ApiOptions {
        public: meetifyr_api::PublicOrigin {
            url: Some("https://meet.example.org/".parse().unwrap()),
            trust_forwarded: false,
        },
        ..Default::default()
    };
    let app = spawn_app_with_options(&[("main", backend())], &options).await;
    // When a meeting is created through the page, whatever Host the request names
    let (code, link, key) = share_link(&app, &[("host", "10.1.2.3:8000")]).await;
    // Then its share link (and QR code) is on the public address
    assert_eq!(link, format!("https://meet.example.org/m/{code}"));
    // And so is the link in its calendar file, once a date is settled
    let settled = app
        .client
        .put(app.url(&format!("/v1/meetings/{code}/final_date")))
        .bearer_auth(&key)
        .json(&json!({"date": "2027-03-02"}))
        .send()
        .await
        .unwrap();
    assert_eq!(settled.status(), StatusCode::OK);
    let ics = page(
        &app,
        &format!("/v1/meetings/{code}/event.ics"),
        &[("host", "10.1.2.3:8000")],
    )
    .await
    .2;
    assert!(
        ics.replace("\r\n ", "")
            .contains(&format!("URL:https://meet.example.org/m/{code}\r\n")),
        "{ics}"
    );
    // And joining remembers the person in a Secure cookie, for this meeting only
    let cookie = join_cookie(&app, &code, &[]).await;
    assert!(cookie.starts_with(&format!("me_{code}=")), "{cookie}");
    for part in ["Secure", "HttpOnly"] {
        assert_eq!(cookie.contains(part), part == "Secure", "{cookie}");
    }
    assert!(
        cookie.contains(&format!("Path=/m/{code}")) && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    // And the language switch's cookie is Secure too
    let switched = browser().get(app.url("/lang/ko?back=/")).send().await.unwrap();
    assert!(switched.headers()["set-cookie"].to_str().unwrap().contains("Secure"));
}

#[tokio::test]
async fn without_a_public_url_links_follow_the_host_and_forwarded_headers_only_behind_a_trusted_proxy() {
    let forwarded = [
        ("host", "10.1.2.3:8000"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "meet.example.org"),
    ];
    // Given a server reached directly, When a client sends forwarded headers
    let direct = spawn_app().await;
    let (code, link, _) = share_link(&direct, &forwarded).await;
    // Then they are ignored: the link names the Host, over http, and the cookie is not Secure
    assert_eq!(link, format!("http://10.1.2.3:8000/m/{code}"));
    assert!(!join_cookie(&direct, &code, &forwarded).await.contains("Secure"));
    // Given a server behind a proxy it trusts (--trusted-proxy-header)
    let options = meetifyr_api::ApiOptions {
        public: meetifyr_api::PublicOrigin {
            url: None,
            trust_forwarded: true,
        },
        ..Default::default()
    };
    let proxied = spawn_app_with_options(&[("main", backend())], &options).await;
    // Then the proxy's forwarded scheme and host make the link, and cookies are Secure
    let (code, link, _) = share_link(&proxied, &forwarded).await;
    assert_eq!(link, format!("https://meet.example.org/m/{code}"));
    assert!(join_cookie(&proxied, &code, &forwarded).await.contains("Secure"));
}

#[tokio::test]
async fn the_language_follows_the_browser_and_the_switch_sticks() {
    let app = spawn_app().await;
    // Given a Korean browser, Then Korean, with weeks from Sunday
    let code = app.meeting_with_range("2026-11-01", "2026-11-07").await;
    let (_, _, ko) = page(&app, &format!("/m/{code}"), &[("accept-language", "ko-KR,ko;q=0.9")]).await;
    assert!(ko.contains("<html lang=\"ko\"") && ko.contains("모두의 일정"));
    assert!(ko.contains("<thead><tr><th abbr=\"일요일\">일</th>"));
    let (_, _, en) = page(&app, &format!("/m/{code}"), &[("accept-language", "en-GB")]).await;
    assert!(en.contains("<html lang=\"en\"") && en.contains("<thead><tr><th abbr=\"Monday\">Mon</th>"));
    // When the switch is pressed, Then it remembers and goes back to the same page only
    let response = browser()
        .get(app.url(&format!("/lang/en?back=/m/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], format!("/m/{code}").as_str());
    assert!(
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("lang=en;")
    );
    let (_, _, switched) = page(&app, "/", &[("accept-language", "ko"), ("cookie", "lang=en")]).await;
    assert!(switched.contains("Create a meeting"));
    let away = browser()
        .get(app.url("/lang/ko?back=//evil.example/"))
        .send()
        .await
        .unwrap();
    assert_eq!(away.headers()["location"], "/");
}

#[tokio::test]
async fn an_unknown_meeting_is_a_404_page() {
    let app = spawn_app().await;
    let (status, _, html) = page(&app, "/m/NoSuchCode12", &[("accept-language", "ko")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("모임을 찾을 수 없어요"));
}

#[tokio::test]
async fn creating_from_the_page_is_limited_like_the_api() {
    // Given the default limits, When one address sends the create form 30 times
    let app = spawn_app().await;
    let mut statuses = Vec::new();
    for _ in 0..30 {
        let body = form(&[("title", "x"), ("start", "2026-12-01"), ("end", "2026-12-02")]);
        statuses.push(post_form(&app, "/", body, None).await.status());
    }
    // Then the first 20 create and the rest are refused
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::SEE_OTHER).count(), 20);
    assert!(statuses[20..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS));
}

/// The `me_…` cookie a join or claim sets.
fn me_cookie(response: &reqwest::Response) -> String {
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_protected_answer_needs_its_password_without_javascript_too() {
    // Given someone who joins with a password through the form
    let app = spawn_app_unlimited().await;
    let code = app.meeting_with_range("2026-12-01", "2026-12-03").await;
    let joined = post_form(
        &app,
        &format!("/m/{code}/join"),
        form(&[("name", "민지"), ("password", "비밀 123")]),
        None,
    )
    .await;
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    let cookie = me_cookie(&joined);
    let me = app.meeting(&code).await["participants"][0].clone();
    assert_eq!(me["protected"], true);
    let me = me["id"].as_i64().unwrap();
    // Then the page asks for it with the answer grid
    let (_, _, html) = page(&app, &format!("/m/{code}"), &[("cookie", &cookie)]).await;
    assert!(html.contains("id=\"answer-password\""));
    // When the form is sent without it, or with a wrong one, Then it comes back saying so and
    // nothing changes
    for body in ["free=2026-12-01", "free=2026-12-01&password=nope"] {
        let sent = post_form(&app, &format!("/m/{code}/answer"), body.into(), Some(&cookie)).await;
        assert_eq!(sent.status(), StatusCode::SEE_OTHER);
        let back = sent.headers()["location"].to_str().unwrap().to_owned();
        assert!(back.contains("error=password"), "{back}");
        let (_, _, html) = page(&app, &back, &[("cookie", &cookie), ("accept-language", "en")]).await;
        assert!(html.contains("That password is not right."));
    }
    assert!(answer(&app.meeting(&code).await, me).iter().all(|d| d.1));
    // When it is sent with the password, Then the answer is saved
    let body = format!("free=2026-12-01&password={}", urlencoding("비밀 123"));
    let sent = post_form(&app, &format!("/m/{code}/answer"), body, Some(&cookie)).await;
    assert_eq!(sent.headers()["location"], format!("/m/{code}#answer").as_str());
    let days: Vec<bool> = answer(&app.meeting(&code).await, me).iter().map(|d| d.1).collect();
    assert_eq!(days, [true, false, false]);
}

#[tokio::test]
async fn another_browser_becomes_a_protected_participant_only_with_the_password() {
    // Given a protected participant and an open one
    let app = spawn_app_unlimited().await;
    let code = app.meeting_with_range("2026-12-01", "2026-12-03").await;
    let kim = app
        .post(
            "/v1/participants",
            Some(json!({"meeting_url_code": code, "name": "Kim", "password": "s3cret"})),
        )
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["participant_id"]
        .as_i64()
        .unwrap();
    let lee = app.add_participant(&code, "Lee").await["participant_id"]
        .as_i64()
        .unwrap();
    // Then a new browser is offered both names, the protected one marked
    let (_, _, html) = page(&app, &format!("/m/{code}"), &[]).await;
    assert!(html.contains("id=\"claim-form\"") && html.contains("Kim 🔒") && html.contains(">Lee<"));
    // When it says "that's me" for Kim with a wrong password, Then no cookie and a message
    let path = format!("/m/{code}/me");
    let claim = |who: i64, password: &str| {
        post_form(
            &app,
            &path,
            form(&[("participant", &who.to_string()), ("password", password)]),
            None,
        )
    };
    let refused = claim(kim, "guess").await;
    assert!(refused.headers().get("set-cookie").is_none());
    assert!(
        refused.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=password")
    );
    // When with the right one (or for Lee, with none), Then this browser answers as them
    let accepted = claim(kim, "s3cret").await;
    assert_eq!(me_cookie(&accepted), format!("me_{code}={kim}"));
    assert_eq!(me_cookie(&claim(lee, "").await), format!("me_{code}={lee}"));
}

#[tokio::test]
async fn a_time_meeting_is_created_joined_and_answered_without_javascript() {
    // Given the create form with times of day: Mondays and Wednesdays of a week, 09:00–11:00
    let app = spawn_app().await;
    let created = post_form(
        &app,
        "/",
        "title=Sync&location=&start=2026-12-07&end=2026-12-13&kind=times&weekday=1&weekday=3\
         &day_start=09%3A00&day_end=11%3A00&slot_minutes=60&time_zone=Asia%2FSeoul"
            .into(),
        None,
    )
    .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let code = location
        .strip_prefix("/m/")
        .and_then(|p| p.split_once('?'))
        .unwrap()
        .0
        .to_owned();
    // Then the meeting is over those two days' hours in Seoul
    let meeting = app.meeting(&code).await;
    assert_eq!(
        meeting["time_grid"],
        json!({"dates": ["2026-12-07", "2026-12-09"], "day_start": "09:00", "day_end": "11:00",
               "slot_minutes": 60, "time_zone": "Asia/Seoul"})
    );
    // And its page is the days × times table, in the meeting's zone
    let (status, _, html) = page(&app, &format!("/m/{code}"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("id=\"times-group\"") && html.contains("Asia/Seoul"),
        "{html}"
    );
    // When someone joins, ticks one slot and stars another it left unticked
    let joined = post_form(&app, &format!("/m/{code}/join"), form(&[("name", "민지")]), None).await;
    let cookie = joined.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let answered = post_form(
        &app,
        &format!("/m/{code}/answer"),
        "free=2026-12-07T10%3A00%3A00%2B09%3A00&star=2026-12-09T09%3A00%3A00%2B09%3A00".into(),
        Some(&cookie),
    )
    .await;
    assert_eq!(answered.status(), StatusCode::SEE_OTHER);
    // Then the API has both free (a star makes its slot free) and the second starred
    let meeting = app.meeting(&code).await;
    assert_eq!(
        meeting["participants"][0]["free"],
        json!([1, 2]),
        "10:00 of the 7th and 09:00 of the 9th, as indices into slots"
    );
    assert_eq!(meeting["participants"][0]["starred"], json!([2]));
    // And the page shows them ticked and the one star
    let (_, _, html) = page(&app, &format!("/m/{code}"), &[("cookie", &cookie)]).await;
    let ticked = |name: &str| {
        html.split("<input")
            .filter(|i| i.contains(&format!("name=\"{name}\"")) && i.split('>').next().unwrap().contains(" checked"))
            .count()
    };
    assert_eq!((ticked("free"), ticked("star")), (2, 1), "{html}");
    // And a zone that does not exist is refused on the form, with what was entered kept
    let refused = post_form(
        &app,
        "/",
        "title=X&start=2026-12-07&end=2026-12-08&kind=times&day_start=09%3A00&day_end=11%3A00\
         &slot_minutes=60&time_zone=Mars%2FOlympus"
            .into(),
        None,
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("Not a time zone we know") && html.contains("Mars/Olympus"),
        "{html}"
    );
}

#[tokio::test]
async fn a_time_meetings_days_are_picked_one_by_one_without_javascript() {
    let app = spawn_app().await;
    let fields = "title=Picked&location=&start=2026-12-07&end=2026-12-13&kind=times\
                  &day_start=09%3A00&day_end=11%3A00&slot_minutes=60&time_zone=Asia%2FSeoul";
    // Given the form sent with "choose days one by one" and Mondays and Fridays
    let shown = post_form(&app, "/", format!("{fields}&weekday=1&weekday=5&pick=days"), None).await;
    // Then the page comes back with the week's seven days to tick, those two ticked
    assert_eq!(shown.status(), StatusCode::OK);
    let html = shown.text().await.unwrap();
    let boxes: Vec<&str> = html
        .split("<input")
        .skip(1)
        .filter(|i| i.contains("name=\"date\""))
        .collect();
    assert_eq!(boxes.len(), 7, "{html}");
    let ticked: Vec<bool> = boxes
        .iter()
        .map(|i| i.split('>').next().unwrap().contains(" checked"))
        .collect();
    assert_eq!(ticked, [true, false, false, false, true, false, false]);
    assert!(html.contains("name=\"dates_shown\""), "{html}");
    // When the Monday is unticked, the Wednesday ticked and the form sent
    let created = post_form(
        &app,
        "/",
        format!("{fields}&weekday=1&weekday=5&dates_shown=1&date=2026-12-09&date=2026-12-11&date=2027-01-20"),
        None,
    )
    .await;
    // Then the meeting asks about those two days only (a day outside the range is not one)
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let code = location.strip_prefix("/m/").and_then(|p| p.split_once('?')).unwrap().0;
    let meeting = app.meeting(code).await;
    assert_eq!(meeting["time_grid"]["dates"], json!(["2026-12-09", "2026-12-11"]));
    // And a calendar sent with no day ticked is refused, saying why
    let refused = post_form(&app, "/", format!("{fields}&dates_shown=1"), None).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("Choose at least one day."));
}
