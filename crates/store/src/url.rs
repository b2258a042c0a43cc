//! Database URLs that never print their password, and pool options.

use std::time::Duration;

/// A database URL. `Display` and `Debug` show it with the password replaced by `***`, so it
/// can be logged; [`DatabaseUrl::expose`] gives the real string to the driver.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The scheme before `:`, lowercased (`sqlite`, `postgres`, `mysql`, …).
    pub fn scheme(&self) -> String {
        self.0
            .split_once(':')
            .map(|(s, _)| s.to_ascii_lowercase())
            .unwrap_or_default()
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    fn redacted(&self) -> String {
        // scheme://user:password@host... → scheme://user:***@host...
        let Some((scheme, rest)) = self.0.split_once("://") else {
            return self.0.clone();
        };
        let authority_end = rest.find('/').unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        match authority.rsplit_once('@') {
            Some((userinfo, host)) => match userinfo.split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
                None => self.0.clone(),
            },
            None => self.0.clone(),
        }
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = String;

    /// Any `scheme:…` string; whether the scheme is supported is decided when connecting.
    fn from_str(s: &str) -> Result<Self, String> {
        let url = Self::new(s);
        if url.scheme().is_empty() || !url.scheme().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+') {
            return Err(format!(
                "{url} is not a database URL (sqlite://…, postgres://…, mysql://…)"
            ));
        }
        Ok(url)
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

/// Connection pool settings, the same for every backend.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Connections per store (for SQLite: readers; it always has one writer besides).
    pub pool_size: u32,
    /// How long a request waits for a free connection before the store reports unavailable.
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            pool_size: 10,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DatabaseUrl;

    #[test]
    fn passwords_never_print() {
        let url = DatabaseUrl::new("postgres://meetifyr:s3cret@localhost:5432/db?sslmode=disable");
        assert_eq!(
            url.to_string(),
            "postgres://meetifyr:***@localhost:5432/db?sslmode=disable"
        );
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.scheme(), "postgres");
    }

    #[test]
    fn urls_without_a_password_print_as_they_are() {
        for u in ["sqlite://meetifyr.db", "sqlite::memory:", "mysql://root@localhost/db"] {
            assert_eq!(DatabaseUrl::new(u).to_string(), u);
        }
    }
}
