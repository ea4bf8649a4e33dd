//! Typed configuration, parsed once at start from `SettingsArgs`; a bad value names its variable.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::cli::SettingsArgs;

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database: DatabaseConfig,
    pub redis_url: Option<SecretUrl>,
    /// `WEFT_ENCRYPTION_KEY`: what stored credentials are encrypted with.
    pub encryption_key: Option<SecretText>,
    /// The owner to create at start when there is no user yet.
    pub owner: Option<OwnerBootstrap>,
    pub tokens: TokenConfig,
    pub rate: crate::rate::RateSettings,
    pub trusted_proxies: crate::rate::TrustedProxies,
    pub cors: crate::api::headers::CorsOrigins,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// How long a request body may take to arrive.
    pub body_timeout: Duration,
    /// HTTP worker threads; `None` means one per core.
    pub http_workers: Option<usize>,
    pub executions: ExecutionConfig,
    /// What nodes may reach on the host.
    pub nodes: weft_nodes::Settings,
    pub log: LogConfig,
}

#[derive(Debug, Clone)]
pub struct ExecutionConfig {
    /// Executions running at once in this process.
    pub concurrency: usize,
    /// How long a run request waits for the result before answering 202.
    pub run_wait: Duration,
    /// How long test webhook routes wait for their one call.
    pub test_webhook_ttl: Duration,
    /// How long a webhook `Idempotency-Key` is remembered.
    pub idempotency_window: Duration,
    /// Waits longer than this pause their execution.
    pub wait_pause_after: Duration,
    pub expression_timeout: Duration,
    pub expression_memory_bytes: usize,
    /// Most items and bytes one execution may hold.
    pub max_items: usize,
    pub max_bytes: usize,
    /// Most node runs one execution may make.
    pub max_node_runs: usize,
    /// Most executions sub-workflow calls that do not wait may start, per workflow and minute.
    pub subworkflow_starts_per_minute: u32,
    pub code_sandbox: CodeSandbox,
    /// `GENERIC_TIMEZONE`: the zone of workflows whose settings name none.
    pub generic_timezone: String,
}

/// Access and refresh tokens (`WEFT_JWT_*`).
#[derive(Debug, Clone)]
pub struct TokenConfig {
    pub secret: Option<SecretText>,
    pub access_ttl_secs: i64,
    pub refresh_ttl_secs: i64,
}

/// `WEFT_OWNER_EMAIL` and the password read from `WEFT_OWNER_PASSWORD_FILE`.
#[derive(Debug, Clone)]
pub struct OwnerBootstrap {
    pub email: String,
    pub password: SecretText,
}

/// Where Code node JavaScript runs (`WEFT_CODE_SANDBOX`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeSandbox {
    /// Sandbox processes started from `program` (by default this very binary).
    Process { program: PathBuf },
    /// The execution's own thread.
    Thread,
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub url: DatabaseUrl,
    pub replicas: Vec<SecretUrl>,
    pub pool_max: u32,
    pub pool_min: u32,
    pub acquire_timeout: Duration,
}

/// A secret string: printed as `***` by `Debug` and `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(String);

impl SecretText {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Which database, from the URL's scheme.
#[derive(Debug, Clone)]
pub enum DatabaseUrl {
    Postgres(SecretUrl),
    /// A SQLite URL (`sqlite://path?mode=rwc` or `sqlite::memory:`).
    Sqlite(String),
}

#[derive(Debug, Clone)]
pub struct LogConfig {
    pub filter: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy)]
pub enum LogFormat {
    Text,
    Json,
}

/// A URL that may carry a password; `Debug` and `Display` show it with the password masked.
#[derive(Clone)]
pub struct SecretUrl(Url);

impl SecretUrl {
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0.clone();
        if shown.password().is_some() {
            let _ = shown.set_password(Some("***"));
        }
        f.write_str(shown.as_str())
    }
}

/// A setting that could not be used: which variable, and why.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

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

fn bad(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

fn number<T: std::str::FromStr>(variable: &'static str, raw: &str) -> Result<T, ConfigError>
where
    T::Err: fmt::Display,
{
    raw.trim()
        .parse()
        .map_err(|e| bad(variable, format!("{raw:?} is not a valid number ({e})")))
}

fn parse_url(variable: &'static str, raw: &str) -> Result<Url, ConfigError> {
    Url::parse(raw.trim()).map_err(|e| bad(variable, format!("not a valid URL ({e})")))
}

fn postgres_url(variable: &'static str, raw: &str) -> Result<SecretUrl, ConfigError> {
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

fn database_url(raw: Option<&str>, data_dir: &std::path::Path) -> Result<DatabaseUrl, ConfigError> {
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

impl Config {
    pub fn from_args(args: &SettingsArgs) -> Result<Self, ConfigError> {
        let listen = args.listen.trim().parse::<SocketAddr>().map_err(|e| {
            bad(
                "WEFT_LISTEN",
                format!("{:?} is not a host:port address ({e})", args.listen),
            )
        })?;
        let data_dir = PathBuf::from(args.data_dir.trim());
        if data_dir.as_os_str().is_empty() {
            return Err(bad("WEFT_DATA_DIR", "must not be empty"));
        }
        let url = database_url(args.database_url.as_deref(), &data_dir)?;
        let replicas = args
            .database_replica_urls
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|raw| postgres_url("DATABASE_REPLICA_URLS", raw))
            .collect::<Result<Vec<_>, _>>()?;
        if !replicas.is_empty() && matches!(url, DatabaseUrl::Sqlite(_)) {
            return Err(bad(
                "DATABASE_REPLICA_URLS",
                "read replicas need a Postgres DATABASE_URL",
            ));
        }
        let pool_max: u32 = number("DATABASE_POOL_MAX", &args.database_pool_max)?;
        if pool_max == 0 {
            return Err(bad("DATABASE_POOL_MAX", "must be at least 1"));
        }
        let pool_min: u32 = number("DATABASE_POOL_MIN", &args.database_pool_min)?;
        if pool_min > pool_max {
            return Err(bad(
                "DATABASE_POOL_MIN",
                format!("{pool_min} is more than DATABASE_POOL_MAX ({pool_max})"),
            ));
        }
        let acquire_ms: u64 = number(
            "DATABASE_ACQUIRE_TIMEOUT_MS",
            &args.database_acquire_timeout_ms,
        )?;
        if acquire_ms == 0 {
            return Err(bad("DATABASE_ACQUIRE_TIMEOUT_MS", "must be at least 1"));
        }
        let redis_url = match args
            .redis_url
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => {
                let url = parse_url("REDIS_URL", raw)?;
                if !matches!(url.scheme(), "redis" | "rediss") {
                    return Err(bad(
                        "REDIS_URL",
                        format!("unsupported scheme {:?}, expected redis://", url.scheme()),
                    ));
                }
                Some(SecretUrl(url))
            }
        };
        let encryption_key = match args.encryption_key.as_deref() {
            None | Some("") => None,
            Some(key) if key.chars().count() < 16 => {
                return Err(bad("WEFT_ENCRYPTION_KEY", "must be at least 16 characters"));
            }
            Some(key) => Some(SecretText(key.to_owned())),
        };
        let max_body_bytes: usize = number("WEFT_MAX_BODY_BYTES", &args.max_body_bytes)?;
        if max_body_bytes < 1024 {
            return Err(bad("WEFT_MAX_BODY_BYTES", "must be at least 1024"));
        }
        let workers: usize = number("WEFT_HTTP_WORKERS", &args.http_workers)?;
        let concurrency: usize = number("WEFT_EXECUTION_CONCURRENCY", &args.execution_concurrency)?;
        let concurrency = if concurrency == 0 {
            2 * std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        } else {
            concurrency
        };
        let run_wait_ms: u64 = number("WEFT_RUN_WAIT_MS", &args.run_wait_ms)?;
        let test_ttl_ms: u64 = number("WEFT_TEST_WEBHOOK_TTL_MS", &args.test_webhook_ttl_ms)?;
        let idem_secs: u64 = number(
            "WEFT_IDEMPOTENCY_WINDOW_SECS",
            &args.idempotency_window_secs,
        )?;
        if idem_secs == 0 {
            return Err(bad("WEFT_IDEMPOTENCY_WINDOW_SECS", "must be at least 1"));
        }
        let pause_secs: u64 = number("WEFT_WAIT_PAUSE_AFTER_SECS", &args.wait_pause_after_secs)?;
        let expr_ms: u64 = number("WEFT_EXPRESSION_TIMEOUT_MS", &args.expression_timeout_ms)?;
        if expr_ms == 0 {
            return Err(bad("WEFT_EXPRESSION_TIMEOUT_MS", "must be at least 1"));
        }
        let max_items: usize = number("WEFT_EXECUTION_MAX_ITEMS", &args.execution_max_items)?;
        let max_mb: usize = number("WEFT_EXECUTION_MAX_MB", &args.execution_max_mb)?;
        if max_items == 0 || max_mb == 0 {
            let var = if max_items == 0 {
                "WEFT_EXECUTION_MAX_ITEMS"
            } else {
                "WEFT_EXECUTION_MAX_MB"
            };
            return Err(bad(var, "must be at least 1"));
        }
        let max_node_runs: usize = number("WEFT_MAX_NODE_RUNS", &args.max_node_runs)?;
        if max_node_runs == 0 {
            return Err(bad("WEFT_MAX_NODE_RUNS", "must be at least 1"));
        }
        let sub_starts: u32 = number(
            "WEFT_SUBWORKFLOW_STARTS_PER_MINUTE",
            &args.subworkflow_starts_per_minute,
        )?;
        let body_ms: u64 = number("WEFT_BODY_TIMEOUT_MS", &args.body_timeout_ms)?;
        if body_ms == 0 {
            return Err(bad("WEFT_BODY_TIMEOUT_MS", "must be at least 1"));
        }
        let expr_mb: usize = number("WEFT_EXPRESSION_MEMORY_MB", &args.expression_memory_mb)?;
        if !(8..=65536).contains(&expr_mb) {
            return Err(bad(
                "WEFT_EXPRESSION_MEMORY_MB",
                "must be between 8 and 65536",
            ));
        }
        let nodes = node_settings(&args.nodes)?;
        let generic_timezone = args.generic_timezone.trim().to_owned();
        if generic_timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(bad(
                "GENERIC_TIMEZONE",
                format!("{generic_timezone:?} is not an IANA time zone (such as Europe/Berlin)"),
            ));
        }
        let rate = crate::rate::RateSettings {
            login_per_minute: number(
                "WEFT_RATE_LIMIT_LOGIN_PER_MINUTE",
                &args.rate_limit_login_per_minute,
            )?,
            api_per_minute: number(
                "WEFT_RATE_LIMIT_API_PER_MINUTE",
                &args.rate_limit_api_per_minute,
            )?,
        };
        let trusted_proxies = crate::rate::TrustedProxies::parse(&args.trusted_proxies)
            .map_err(|e| bad("WEFT_TRUSTED_PROXIES", e))?;
        let cors = crate::api::headers::CorsOrigins::parse(&args.cors_origins)
            .map_err(|e| bad("WEFT_CORS_ORIGINS", e))?;
        let jwt_secret = match args.jwt_secret.as_deref() {
            None => None,
            Some(s) if s.chars().count() >= 32 => Some(SecretText(s.to_owned())),
            Some(_) => return Err(bad("WEFT_JWT_SECRET", "must be at least 32 characters")),
        };
        let access_ttl: i64 = number("WEFT_JWT_ACCESS_TTL_SECS", &args.jwt_access_ttl_secs)?;
        if !(1..=86_400).contains(&access_ttl) {
            return Err(bad(
                "WEFT_JWT_ACCESS_TTL_SECS",
                "must be between 1 and 86400",
            ));
        }
        let refresh_ttl: i64 = number("WEFT_JWT_REFRESH_TTL_SECS", &args.jwt_refresh_ttl_secs)?;
        if !(60..=31_536_000).contains(&refresh_ttl) {
            return Err(bad(
                "WEFT_JWT_REFRESH_TTL_SECS",
                "must be between 60 and 31536000",
            ));
        }
        let owner = match (
            args.owner_email.as_deref(),
            args.owner_password_file.as_deref(),
        ) {
            (None, None) => None,
            (Some(email), Some(file)) => {
                let email = email.trim();
                if !email.contains('@') || email.chars().any(char::is_whitespace) {
                    return Err(bad(
                        "WEFT_OWNER_EMAIL",
                        format!("{email:?} is not an email"),
                    ));
                }
                let password = std::fs::read_to_string(file)
                    .map_err(|e| bad("WEFT_OWNER_PASSWORD_FILE", format!("{file:?}: {e}")))?;
                let password = password.trim_end_matches(['\n', '\r']).to_owned();
                Some(OwnerBootstrap {
                    email: email.to_owned(),
                    password: SecretText(password),
                })
            }
            (Some(_), None) => {
                return Err(bad(
                    "WEFT_OWNER_PASSWORD_FILE",
                    "is needed with WEFT_OWNER_EMAIL",
                ));
            }
            (None, Some(_)) => {
                return Err(bad(
                    "WEFT_OWNER_EMAIL",
                    "is needed with WEFT_OWNER_PASSWORD_FILE",
                ));
            }
        };
        let code_sandbox = match args.code_sandbox.trim() {
            "process" => CodeSandbox::Process {
                program: std::env::current_exe().map_err(|e| {
                    bad(
                        "WEFT_CODE_SANDBOX",
                        format!("this program's path is unknown ({e}); use thread"),
                    )
                })?,
            },
            "thread" => CodeSandbox::Thread,
            other => {
                return Err(bad(
                    "WEFT_CODE_SANDBOX",
                    format!("{other:?} is not process or thread"),
                ));
            }
        };
        let format = match args.log_format.trim() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(bad(
                    "WEFT_LOG_FORMAT",
                    format!("{other:?} is not text or json"),
                ));
            }
        };
        Ok(Self {
            listen,
            data_dir,
            database: DatabaseConfig {
                url,
                replicas,
                pool_max,
                pool_min,
                acquire_timeout: Duration::from_millis(acquire_ms),
            },
            redis_url,
            encryption_key,
            owner,
            rate,
            trusted_proxies,
            cors,
            tokens: TokenConfig {
                secret: jwt_secret,
                access_ttl_secs: access_ttl,
                refresh_ttl_secs: refresh_ttl,
            },
            max_body_bytes,
            body_timeout: Duration::from_millis(body_ms),
            http_workers: (workers > 0).then_some(workers),
            executions: ExecutionConfig {
                concurrency,
                run_wait: Duration::from_millis(run_wait_ms),
                test_webhook_ttl: Duration::from_millis(test_ttl_ms),
                idempotency_window: Duration::from_secs(idem_secs),
                wait_pause_after: Duration::from_secs(pause_secs),
                expression_timeout: Duration::from_millis(expr_ms),
                expression_memory_bytes: expr_mb << 20,
                max_items,
                max_bytes: max_mb << 20,
                max_node_runs,
                subworkflow_starts_per_minute: sub_starts,
                generic_timezone,
                code_sandbox,
            },
            nodes,
            log: LogConfig {
                filter: args.log.clone(),
                format,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Config, DatabaseUrl};
    use crate::cli::Cli;

    fn parse(args: &[&str]) -> Result<Config, super::ConfigError> {
        let mut argv = vec!["weft"];
        argv.extend_from_slice(args);
        Config::from_args(&Cli::try_parse_from(argv).expect("arguments parse").settings)
    }

    #[test]
    fn defaults_give_an_embedded_sqlite_service_on_port_5678() {
        let c = parse(&[]).unwrap();
        assert_eq!(c.listen.port(), 5678);
        assert!(matches!(c.database.url, DatabaseUrl::Sqlite(ref u) if u.contains("weft.db")));
        assert!(c.redis_url.is_none());
        assert_eq!(c.max_body_bytes, 16 * 1024 * 1024);
        assert_eq!((c.database.pool_max, c.database.pool_min), (20, 5));
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let cases: &[(&[&str], &str)] = &[
            (&["--listen", "127.0.0.1:70000"], "WEFT_LISTEN"),
            (&["--database-url", "mysql://x/y"], "DATABASE_URL"),
            (&["--database-url", "postgres://h:99999/db"], "DATABASE_URL"),
            (&["--database-url", "not a url"], "DATABASE_URL"),
            (
                &["--database-replica-urls", "postgres://a/b"],
                "DATABASE_REPLICA_URLS",
            ),
            (&["--redis-url", "http://x"], "REDIS_URL"),
            (&["--encryption-key", "too-short"], "WEFT_ENCRYPTION_KEY"),
            (&["--database-pool-max", "lots"], "DATABASE_POOL_MAX"),
            (&["--database-pool-min", "50"], "DATABASE_POOL_MIN"),
            (
                &["--database-acquire-timeout-ms=-1"],
                "DATABASE_ACQUIRE_TIMEOUT_MS",
            ),
            (&["--max-body-bytes", "1e9"], "WEFT_MAX_BODY_BYTES"),
            (&["--log-format", "xml"], "WEFT_LOG_FORMAT"),
            (&["--run-wait-ms", "soon"], "WEFT_RUN_WAIT_MS"),
            (
                &["--expression-timeout-ms", "0"],
                "WEFT_EXPRESSION_TIMEOUT_MS",
            ),
            (
                &["--expression-memory-mb", "1"],
                "WEFT_EXPRESSION_MEMORY_MB",
            ),
        ];
        for (args, var) in cases {
            let err = parse(args).expect_err(&format!("{args:?} should fail"));
            assert_eq!(err.variable, *var, "{args:?}");
        }
    }

    #[test]
    fn a_postgres_password_never_prints() {
        let c = parse(&["--database-url", "postgres://u:hunter2@db/weft"]).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
