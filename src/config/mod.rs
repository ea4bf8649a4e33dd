//! Typed configuration, parsed once at start from `SettingsArgs`; a bad value names its variable.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

mod cors;
mod load;
mod parse;
#[cfg(test)]
mod tests;

pub use cors::CorsOrigins;
pub use parse::node_settings;

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
    pub cors: CorsOrigins,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// How long a request body may take to arrive.
    pub body_timeout: Duration,
    /// HTTP worker threads; `None` means one per core.
    pub http_workers: Option<usize>,
    pub executions: ExecutionConfig,
    pub queue: QueueConfig,
    pub retention: RetentionConfig,
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
    /// `WEFT_PUBLIC_URL`: where this instance is reached (execution links in error workflows).
    pub public_url: String,
    /// `WEFT_SCHEDULE_CATCH_UP_SECS`: at start-up, each schedule trigger runs once for its latest
    /// tick missed within this long (zero: none, as n8n).
    pub schedule_catch_up: Duration,
}

/// Execution retention (n8n's `EXECUTIONS_DATA_*` pruning settings).
#[derive(Debug, Clone)]
pub struct RetentionConfig {
    /// `EXECUTIONS_DATA_PRUNE`.
    pub prune: bool,
    /// `EXECUTIONS_DATA_MAX_AGE` (hours).
    pub max_age: Duration,
    /// `EXECUTIONS_DATA_PRUNE_MAX_COUNT` (0: no limit).
    pub max_count: u64,
    /// `EXECUTIONS_DATA_HARD_DELETE_BUFFER` (hours).
    pub hard_delete_buffer: Duration,
    /// `EXECUTIONS_DATA_PRUNE_SOFT_DELETE_INTERVAL` (minutes).
    pub soft_delete_every: Duration,
    /// `EXECUTIONS_DATA_PRUNE_HARD_DELETE_INTERVAL` (minutes).
    pub hard_delete_every: Duration,
}

/// Queue mode: where executions run, and how workers hold and give back executions.
#[derive(Debug, Clone)]
pub struct QueueConfig {
    /// `EXECUTIONS_MODE`.
    pub mode: ExecutionsMode,
    /// `WEFT_WORKER_LISTEN`.
    pub worker_listen: SocketAddr,
    pub lease: Duration,
    pub max_attempts: u32,
    pub shutdown_timeout: Duration,
    pub reconcile_every: Duration,
    /// `WEFT_SYNC_WEBHOOKS_IN_API`: queue mode runs webhook calls whose caller waits in the
    /// API process.
    pub sync_webhooks_here: bool,
}

/// Where executions run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionsMode {
    /// In the process that received them.
    Regular,
    /// Through Redis, in `weft worker` processes.
    Queue,
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
