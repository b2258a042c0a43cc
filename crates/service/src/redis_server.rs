//! A Redis server as the bus and the shared rate limits reach it: `redis://` in the clear or
//! `rediss://` over TLS (rustls), trusting the system's CAs or one given CA.

/// Where Redis is, and for `rediss://` which CA signs its certificate (`None`: the system's).
#[derive(Clone, PartialEq, Eq)]
pub struct RedisServer {
    url: String,
    root_cert: Option<Vec<u8>>,
}

impl RedisServer {
    /// `url` is `redis://…` or `rediss://…`; `root_cert` a PEM file's contents.
    pub fn new(url: impl Into<String>, root_cert: Option<Vec<u8>>) -> Result<Self, String> {
        let server = Self {
            url: url.into(),
            root_cert,
        };
        if server.root_cert.is_some() && !server.url.starts_with("rediss://") {
            return Err(format!("{}: a CA file is only for rediss:// (TLS)", server.redacted()));
        }
        server.client()?;
        Ok(server)
    }

    pub fn client(&self) -> Result<redis::Client, String> {
        // redis-rs asks rustls for the process's provider, and with more than one compiled
        // in (the load tool's HTTP client brings aws-lc-rs) there is none until one is
        // chosen: ring, as sqlx uses. A second call changes nothing.
        let _ = rustls::crypto::ring::default_provider().install_default();
        match &self.root_cert {
            None => redis::Client::open(self.url.as_str()),
            Some(pem) => redis::Client::build_with_tls(
                self.url.as_str(),
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem.clone()),
                },
            ),
        }
        .map_err(|e| format!("{}: {e}", self.redacted()))
    }

    /// The address without its password, for logs and errors.
    pub fn redacted(&self) -> String {
        match url::Url::parse(&self.url) {
            Ok(mut u) if u.password().is_some() => {
                let _ = u.set_password(Some("***"));
                u.to_string()
            }
            Ok(u) => u.to_string(),
            Err(_) => "(an unparsable Redis address)".to_owned(),
        }
    }
}

impl std::fmt::Debug for RedisServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisServer")
            .field("url", &self.redacted())
            .field("own_ca", &self.root_cert.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_shows_in_what_is_logged() {
        // Given a Redis address with a password
        let server = RedisServer::new("redis://:hunter2@127.0.0.1:6379/0", None).unwrap();
        // When it is printed
        let shown = format!("{} {server:?}", server.redacted());
        // Then the password is not
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("127.0.0.1:6379"), "{shown}");
    }

    #[test]
    fn a_ca_file_needs_tls() {
        // Given a CA but a cleartext address, Then it is refused with a reason
        let e = RedisServer::new("redis://127.0.0.1:6379", Some(b"-----BEGIN CERTIFICATE-----".to_vec())).unwrap_err();
        assert!(e.contains("rediss://"), "{e}");
    }
}
