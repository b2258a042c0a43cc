//! Static files built into the binary (stylesheet, scripts, icon), compacted once and served
//! under names carrying their content's hash, so browsers may keep them for a year.

use std::sync::LazyLock;

use axum::{
    extract::Path,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

/// A static file built into the binary, served under a name carrying its content's hash.
pub(crate) struct Asset {
    pub(crate) path: String,
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

pub(crate) static CSS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "app",
        "css",
        compact_css(include_str!("../assets/app.css")),
        "text/css; charset=utf-8",
    )
});
pub(crate) static JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "app",
        "js",
        compact(include_str!("../assets/app.js")),
        "text/javascript; charset=utf-8",
    )
});
/// The create page's script: imported by app.js on that page only.
pub(crate) static CREATE_JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "create",
        "js",
        compact(include_str!("../assets/create.js")),
        "text/javascript; charset=utf-8",
    )
});
/// A time meeting's table: linked by such pages only.
pub(crate) static TIMES_CSS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "times",
        "css",
        compact_css(include_str!("../assets/times.css")),
        "text/css; charset=utf-8",
    )
});
/// A time meeting's page: imported by app.js on such pages only.
pub(crate) static TIMES_JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "times",
        "js",
        compact(include_str!("../assets/times.js")),
        "text/javascript; charset=utf-8",
    )
});
/// The organiser's controls: imported by app.js only where the organiser key is known.
pub(crate) static ORGANISER_JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "organiser",
        "js",
        compact(include_str!("../assets/organiser.js")),
        "text/javascript; charset=utf-8",
    )
});
/// "Find days in a row" and the organiser's required people: linked where they are shown.
pub(crate) static TRIP_CSS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "trip",
        "css",
        compact_css(include_str!("../assets/trip.css")),
        "text/css; charset=utf-8",
    )
});
/// "Find days in a row": imported by app.js where that form is shown.
pub(crate) static TRIP_JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "trip",
        "js",
        compact(include_str!("../assets/trip.js")),
        "text/javascript; charset=utf-8",
    )
});
/// Busy days from a calendar file: loaded by the view that offers it (`?import=1`).
pub(crate) static IMPORT_JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "import",
        "js",
        compact(include_str!("../assets/import.js")),
        "text/javascript; charset=utf-8",
    )
});
pub(crate) static ICON: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "icon",
        "svg",
        include_bytes!("../assets/icon.svg").to_vec(),
        "image/svg+xml",
    )
});

pub(crate) async fn asset(Path(name): Path<String>) -> Response {
    for asset in [
        &*CSS,
        &*JS,
        &*CREATE_JS,
        &*ORGANISER_JS,
        &*TRIP_JS,
        &*TRIP_CSS,
        &*IMPORT_JS,
        &*TIMES_JS,
        &*TIMES_CSS,
        &*ICON,
    ] {
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
