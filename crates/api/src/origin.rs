//! The address people use to reach this server, for the links it hands out (the share link, its
//! QR code, the `.ics` file): `--public-url` when set; else the request's `Host`, with
//! `X-Forwarded-Proto`/`-Host` believed only behind a trusted proxy.

use std::{fmt, str::FromStr};

use axum::http::{HeaderMap, header};

/// `--public-url`: `http(s)://host[:port][/prefix]`, without a query or fragment.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

impl fmt::Debug for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for PublicUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let err = |why: &str| format!("{s:?}: {why}, e.g. https://meet.example.org");
        let s = s.trim().trim_end_matches('/');
        let rest = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .ok_or_else(|| err("expected an http:// or https:// URL"))?;
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if !valid_host(host) {
            return Err(err("the host is missing or not a plain host name"));
        }
        let path_ok = path.chars().all(|c| c.is_ascii_alphanumeric() || "/-._~".contains(c));
        if !path_ok {
            return Err(err("the path may hold only letters, digits, '/', '-', '.', '_', '~'"));
        }
        Ok(PublicUrl(s.to_owned()))
    }
}

/// A host as it may appear in `Host`: name or address, optional port, nothing else.
fn valid_host(host: &str) -> bool {
    !host.is_empty() && host.len() <= 255 && host.chars().all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c))
}

/// How the links are made. [`PublicOrigin::default`]: from each request's `Host`.
#[derive(Debug, Clone, Default)]
pub struct PublicOrigin {
    /// Every link starts with this when set.
    pub url: Option<PublicUrl>,
    /// A proxy in front sets `X-Forwarded-Proto` and `X-Forwarded-Host` (set with
    /// `--trusted-proxy-header`): clients could send them too, so they are believed only then.
    pub trust_forwarded: bool,
}

impl PublicOrigin {
    /// `scheme://host[/prefix]` as the client reached this server.
    pub fn base(&self, headers: &HeaderMap) -> String {
        if let Some(url) = &self.url {
            return url.as_str().to_owned();
        }
        let forwarded = |name: &str| self.trust_forwarded.then(|| last_value(headers, name)).flatten();
        let host = forwarded("x-forwarded-host")
            .filter(|h| valid_host(h))
            .or_else(|| {
                headers
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .filter(|h| valid_host(h))
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "127.0.0.1:8000".to_owned());
        let scheme = match forwarded("x-forwarded-proto").as_deref() {
            Some("https") => "https",
            _ => "http",
        };
        format!("{scheme}://{host}")
    }

    /// Cookies get `Secure` when people reach the server over https.
    pub fn secure(&self, headers: &HeaderMap) -> bool {
        self.base(headers).starts_with("https://")
    }
}

/// The last value of a header that a proxy may append to (`a, b` or repeated lines).
fn last_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|v| !v.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn a_public_url_wins_over_every_header() {
        let origin = PublicOrigin {
            url: Some("https://meet.example.org/".parse().unwrap()),
            trust_forwarded: true,
        };
        let h = headers(&[("host", "internal:8000"), ("x-forwarded-host", "evil.example")]);
        assert_eq!(origin.base(&h), "https://meet.example.org");
        assert!(origin.secure(&h));
    }

    #[test]
    fn forwarded_headers_are_believed_only_behind_a_trusted_proxy() {
        let h = headers(&[
            ("host", "10.0.0.5:8000"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "meet.example.org"),
        ]);
        let direct = PublicOrigin::default();
        assert_eq!(direct.base(&h), "http://10.0.0.5:8000");
        assert!(!direct.secure(&h));
        let proxied = PublicOrigin {
            url: None,
            trust_forwarded: true,
        };
        assert_eq!(proxied.base(&h), "https://meet.example.org");
        assert!(proxied.secure(&h));
    }

    #[test]
    fn a_host_that_is_not_a_plain_name_is_not_used() {
        let h = headers(&[("host", "a.example/<script>")]);
        assert_eq!(PublicOrigin::default().base(&h), "http://127.0.0.1:8000");
    }

    #[test]
    fn public_urls_are_checked() {
        for good in [
            "http://localhost:8000",
            "https://meet.example.org/team/",
            "https://[::1]:8443",
        ] {
            assert!(good.parse::<PublicUrl>().is_ok(), "{good}");
        }
        for bad in [
            "meet.example.org",
            "ftp://x",
            "https://",
            "https://x/?q=1",
            "https://x/#f",
            "https://a b",
        ] {
            assert!(bad.parse::<PublicUrl>().is_err(), "{bad}");
        }
        assert_eq!(
            "https://x.org/p/".parse::<PublicUrl>().unwrap().as_str(),
            "https://x.org/p"
        );
    }
}
