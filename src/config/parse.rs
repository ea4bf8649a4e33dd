//! Reading single values: numbers, URLs, the database URL, and the node settings `serve` and `execute` share.

use std::fmt;
use std::time::Duration;

use url::Url;

use super::{ConfigError, DatabaseUrl, SecretUrl};

/// What nodes may reach on the host (`WEFT_FILES_ROOT`, `WEFT_HTTP_ALLOW`, the HTTP circuit
/// breaker): the server's and `weft execute`'s, read the same way.
pub fn node_settings(args: &crate::cli::NodeArgs) -> Result<weft_nodes::Settings, ConfigError> {
    let files_root = match args.files_root.trim() {
        "" => None,
        raw => Some(
            std::fs::canonicalize(raw)
                .ok()
                .filter(|p| p.is_dir())
                .ok_or_else(|| bad("WEFT_FILES_ROOT", format!("{raw:?} is not a folder")))?,
        ),
    };
    let allow = weft_nodes::http::guard::Allowlist::parse(&args.http_allow)
        .map_err(|e| bad("WEFT_HTTP_ALLOW", e))?;
    let breaker_failures: u32 = number("WEFT_HTTP_BREAKER_FAILURES", &args.http_breaker_failures)?;
    if breaker_failures == 0 {
        return Err(bad("WEFT_HTTP_BREAKER_FAILURES", "must be at least 1"));
    }
    let cooldown_ms: u64 = number(
        "WEFT_HTTP_BREAKER_COOLDOWN_MS",
        &args.http_breaker_cooldown_ms,
    )?;
    Ok(weft_nodes::Settings {
        files_root,
        http: weft_nodes::http::HttpSettings {
            allow,
            breaker_failures,
            breaker_cooldown: Duration::from_millis(cooldown_ms),
        },
    })
}

pub(super) fn bad(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

pub(super) fn number<T: std::str::FromStr>(
    variable: &'static str,
    raw: &str,
) -> Result<T, ConfigError>
where
    T::Err: fmt::Display,
{
    raw.trim()
        .parse()
        .map_err(|e| bad(variable, format!("{raw:?} is not a valid number ({e})")))
}

pub(super) fn parse_url(variable: &'static str, raw: &str) -> Result<Url, ConfigError> {
    Url::parse(raw.trim()).map_err(|e| bad(variable, format!("not a valid URL ({e})")))
}

pub(super) fn postgres_url(variable: &'static str, raw: &str) -> Result<SecretUrl, ConfigError> {
    let url = parse_url(variable, raw)?;
    match url.scheme() {
        "postgres" | "postgresql" if url.host_str().is_some_and(|h| !h.is_empty()) => {
            Ok(SecretUrl(url))
        }
        "postgres" | "postgresql" => Err(bad(variable, "a Postgres URL needs a host")),
        other => Err(bad(
            variable,
            format!("unsupported scheme {other:?}, expected postgres://"),
        )),
    }
}

pub(super) fn database_url(
    raw: Option<&str>,
    data_dir: &std::path::Path,
) -> Result<DatabaseUrl, ConfigError> {
    const VAR: &str = "DATABASE_URL";
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        let file = data_dir.join("weft.db");
        return Ok(DatabaseUrl::Sqlite(format!(
            "sqlite://{}?mode=rwc",
            file.display()
        )));
    };
    if raw.starts_with("sqlite:") {
        if raw == "sqlite:" || raw == "sqlite://" {
            return Err(bad(VAR, "a SQLite URL needs a file path or :memory:"));
        }
        return Ok(DatabaseUrl::Sqlite(raw.to_owned()));
    }
    if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
        return postgres_url(VAR, raw).map(DatabaseUrl::Postgres);
    }
    let url = parse_url(VAR, raw)?;
    Err(bad(
        VAR,
        format!(
            "unsupported scheme {:?}, expected postgres:// or sqlite://",
            url.scheme()
        ),
    ))
}

/// A yes/no setting: `true`/`false` (also `1`/`0`, `yes`/`no`, any case).
pub(super) fn flag(variable: &'static str, raw: &str) -> Result<bool, ConfigError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(bad(variable, format!("{raw:?} is not true or false"))),
    }
}
