//! The command line: subcommands and every setting as a flag with its environment variable.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "weft",
    version,
    about = "Weft: an n8n-compatible workflow automation backend",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// The settings of `weft` alone (which serves); each subcommand takes its own.
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Apply migrations and serve the HTTP API (the default).
    Serve(ServerArgs),
    /// Apply database migrations and exit.
    Migrate(ServerArgs),
    /// Run executions from the Redis queue (queue mode), until SIGTERM or SIGINT.
    Worker(WorkerArgs),
    /// Print the OpenAPI document and exit.
    Openapi,
    /// Run a workflow file once, with no server and no database, and print the result as JSON.
    Execute(ExecuteArgs),
    /// Manage API keys against the configured database.
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Manage users against the configured database.
    #[command(subcommand)]
    User(UserCommand),
    /// Export workflows as JSON (n8n's command).
    #[command(name = "export:workflow")]
    ExportWorkflow(crate::ops::args::ExportArgs),
    /// Import workflows from an export (n8n's command); they are imported inactive.
    #[command(name = "import:workflow")]
    ImportWorkflow(crate::ops::args::ImportArgs),
    /// Export credentials, encrypted as stored or with --decrypted (n8n's command).
    #[command(name = "export:credentials")]
    ExportCredentials(crate::ops::args::ExportArgs),
    /// Import credentials from an export (n8n's command).
    #[command(name = "import:credentials")]
    ImportCredentials(crate::ops::args::ImportArgs),
    /// List workflows as `id|name` lines (n8n's command).
    #[command(name = "list:workflow")]
    ListWorkflow(crate::ops::args::ListArgs),
    /// Activate or deactivate workflows (n8n's command).
    #[command(name = "update:workflow")]
    UpdateWorkflow(crate::ops::args::UpdateArgs),
    /// Apply the retention limits now (EXECUTIONS_DATA_*).
    #[command(name = "executions:prune")]
    PruneExecutions(ServerArgs),
    /// Internal: the sandbox process the server runs Code nodes in (speaks on stdin/stdout).
    #[command(hide = true)]
    CodeSandbox(CodeSandboxArgs),
}

/// The settings of a command that opens the database (and of `serve`, every setting).
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Executions this worker runs at once (n8n's flag and default).
    #[arg(long, default_value_t = 10)]
    pub concurrency: usize,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ApiKeyCommand {
    /// Print a new API key for the owner (creating the owner if there is no user yet).
    Create(ApiKeyCreateArgs),
}

#[derive(Debug, Clone, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input (never a flag), and an empty
    /// input makes a user without one (they use API keys).
    Create(UserCreateArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct UserCreateArgs {
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[arg(long)]
    pub email: String,
    /// `owner` (only while there is none), `admin` or `member`.
    #[arg(long, default_value = "member")]
    pub role: String,
    #[arg(long = "first-name")]
    pub first_name: Option<String>,
    #[arg(long = "last-name")]
    pub last_name: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ApiKeyCreateArgs {
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// The key is the owner's (making the owner first if there is no user yet).
    #[arg(long, required_unless_present = "user", conflicts_with = "user")]
    pub owner: bool,
    /// The key is this user's (by email).
    #[arg(long)]
    pub user: Option<String>,
    /// A label to recognise the key by in lists.
    #[arg(long, default_value = "created with weft api-key create")]
    pub label: String,
    /// Comma-separated scopes (`*`, `workflow:*`, `workflow:read`, …).
    #[arg(long, default_value = "*")]
    pub scopes: String,
    /// Days until the key stops working; absent: it does not expire.
    #[arg(long = "expires-in")]
    pub expires_in: Option<u32>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CodeSandboxArgs {
    /// The process's data segment limit in bytes.
    #[arg(long)]
    pub data_limit_bytes: u64,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ExecuteArgs {
    /// What nodes may reach on the host, as for the server.
    #[command(flatten)]
    pub nodes: NodeArgs,
    /// An n8n workflow export (JSON).
    #[arg(long)]
    pub file: std::path::PathBuf,
    /// A JSON array of items (`{"json": …}` or plain objects) for the trigger node to emit.
    #[arg(long)]
    pub input: Option<std::path::PathBuf>,
    /// `all`: n8n's execution data (`resultData`); `last`: the last node's items.
    #[arg(long, value_enum, default_value = "last")]
    pub output: OutputMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputMode {
    All,
    Last,
}

/// Raw settings as given on the command line or in the environment; `Config::from_args`
/// turns them into typed values and names the variable of any bad one.
#[derive(Debug, Clone, clap::Args)]
pub struct SettingsArgs {
    /// What nodes may reach on the host.
    #[command(flatten)]
    pub nodes: NodeArgs,
    /// Address the HTTP server listens on.
    #[arg(long = "listen", env = "WEFT_LISTEN", default_value = "127.0.0.1:5678")]
    pub listen: String,
    /// Directory for the embedded database and other local state.
    #[arg(long = "data-dir", env = "WEFT_DATA_DIR", default_value = "./.weft")]
    pub data_dir: String,
    /// `postgres://…` or `sqlite://…`; default: SQLite file `weft.db` in the data directory.
    #[arg(long = "database-url", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Comma-separated read replica URLs (Postgres only).
    #[arg(
        long = "database-replica-urls",
        env = "DATABASE_REPLICA_URLS",
        hide_env_values = true
    )]
    pub database_replica_urls: Option<String>,
    /// Most connections in the database pool.
    #[arg(
        long = "database-pool-max",
        env = "DATABASE_POOL_MAX",
        default_value = "20"
    )]
    pub database_pool_max: String,
    /// Connections the pool keeps open when idle.
    #[arg(
        long = "database-pool-min",
        env = "DATABASE_POOL_MIN",
        default_value = "5"
    )]
    pub database_pool_min: String,
    /// Milliseconds to wait for a free pool connection before failing a request.
    #[arg(
        long = "database-acquire-timeout-ms",
        env = "DATABASE_ACQUIRE_TIMEOUT_MS",
        default_value = "5000"
    )]
    pub database_acquire_timeout_ms: String,
    /// `redis://…`; when absent Weft runs fully embedded.
    #[arg(long = "redis-url", env = "REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Key that encrypts stored credentials (at least 16 characters; the same on every
    /// instance). Default: SQLite keeps a random key in `<data dir>/encryption-key`; Postgres
    /// has none, and credentials cannot be stored until one is set.
    #[arg(
        long = "encryption-key",
        env = "WEFT_ENCRYPTION_KEY",
        hide_env_values = true
    )]
    pub encryption_key: Option<String>,
    /// The secret access tokens are signed with (HS256, at least 32 characters). Default:
    /// SQLite keeps a random one in `<data dir>/jwt-secret`; Postgres needs it set.
    #[arg(long = "jwt-secret", env = "WEFT_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// How long an access token from login or refresh is valid, in seconds.
    #[arg(
        long = "jwt-access-ttl-secs",
        env = "WEFT_JWT_ACCESS_TTL_SECS",
        default_value = "900"
    )]
    pub jwt_access_ttl_secs: String,
    /// How long a refresh token is valid, in seconds.
    #[arg(
        long = "jwt-refresh-ttl-secs",
        env = "WEFT_JWT_REFRESH_TTL_SECS",
        default_value = "1209600"
    )]
    pub jwt_refresh_ttl_secs: String,
    /// Sign-in and owner-setup attempts per minute, per client IP and per account (0: no limit).
    #[arg(
        long = "rate-limit-login-per-minute",
        env = "WEFT_RATE_LIMIT_LOGIN_PER_MINUTE",
        default_value = "10"
    )]
    pub rate_limit_login_per_minute: String,
    /// `/api/v1` calls per minute per API key or signed-in user (0: no limit).
    #[arg(
        long = "rate-limit-api-per-minute",
        env = "WEFT_RATE_LIMIT_API_PER_MINUTE",
        default_value = "600"
    )]
    pub rate_limit_api_per_minute: String,
    /// Proxies (IPs and CIDR networks, comma-separated) whose `X-Forwarded-For` is believed.
    #[arg(
        long = "trusted-proxies",
        env = "WEFT_TRUSTED_PROXIES",
        default_value = ""
    )]
    pub trusted_proxies: String,
    /// Browser origins allowed to call the API (CORS), comma-separated, or `*`; empty: none.
    #[arg(long = "cors-origins", env = "WEFT_CORS_ORIGINS", default_value = "")]
    pub cors_origins: String,
    /// The owner's email, to create the owner at start when there is no user yet (with
    /// `WEFT_OWNER_PASSWORD_FILE`; race-free when several processes start together).
    #[arg(long = "owner-email", env = "WEFT_OWNER_EMAIL")]
    pub owner_email: Option<String>,
    /// A file holding the owner's password (read once at start; never pass it as a flag).
    #[arg(long = "owner-password-file", env = "WEFT_OWNER_PASSWORD_FILE")]
    pub owner_password_file: Option<String>,
    /// Largest request body accepted, in bytes.
    #[arg(
        long = "max-body-bytes",
        env = "WEFT_MAX_BODY_BYTES",
        default_value = "16777216"
    )]
    pub max_body_bytes: String,
    /// HTTP worker threads; 0 means one per CPU core.
    #[arg(long = "http-workers", env = "WEFT_HTTP_WORKERS", default_value = "0")]
    pub http_workers: String,
    /// Executions running at once in this process; 0 means two per CPU core.
    #[arg(
        long = "execution-concurrency",
        env = "WEFT_EXECUTION_CONCURRENCY",
        default_value = "0"
    )]
    pub execution_concurrency: String,
    /// Where Code node JavaScript runs: `process` (a pool of sandbox processes, killed and
    /// replaced when code overruns its limits or its execution is stopped) or `thread` (on the
    /// execution's own thread: faster to start, but a native loop can hold its slot).
    #[arg(
        long = "code-sandbox",
        env = "WEFT_CODE_SANDBOX",
        default_value = "process"
    )]
    pub code_sandbox: String,
    /// Milliseconds `POST /workflows/{id}/run` waits for the result before answering 202.
    #[arg(
        long = "run-wait-ms",
        env = "WEFT_RUN_WAIT_MS",
        default_value = "30000"
    )]
    pub run_wait_ms: String,
    /// How long test webhook routes wait for their one call, in milliseconds.
    #[arg(
        long = "test-webhook-ttl-ms",
        env = "WEFT_TEST_WEBHOOK_TTL_MS",
        default_value = "120000"
    )]
    pub test_webhook_ttl_ms: String,
    /// Waits longer than this many seconds pause their execution (status `waiting`, resumed by a
    /// timer or a call to `/webhook-waiting/{id}`) instead of holding a thread.
    #[arg(
        long = "wait-pause-after-secs",
        env = "WEFT_WAIT_PAUSE_AFTER_SECS",
        default_value = "65"
    )]
    pub wait_pause_after_secs: String,
    /// How long a webhook `Idempotency-Key` is remembered, in seconds.
    #[arg(
        long = "idempotency-window-secs",
        env = "WEFT_IDEMPOTENCY_WINDOW_SECS",
        default_value = "86400"
    )]
    pub idempotency_window_secs: String,
    /// Longest a single expression or Code node call may run, in milliseconds.
    #[arg(
        long = "expression-timeout-ms",
        env = "WEFT_EXPRESSION_TIMEOUT_MS",
        default_value = "5000"
    )]
    pub expression_timeout_ms: String,
    /// Memory cap of the JavaScript sandbox of one execution thread, in MiB.
    #[arg(
        long = "expression-memory-mb",
        env = "WEFT_EXPRESSION_MEMORY_MB",
        default_value = "128"
    )]
    pub expression_memory_mb: String,
    /// Most items one execution may hold (all node outputs together).
    #[arg(
        long = "execution-max-items",
        env = "WEFT_EXECUTION_MAX_ITEMS",
        default_value = "1000000"
    )]
    pub execution_max_items: String,
    /// Most data one execution may hold, in MiB (approximate JSON size of all node outputs).
    #[arg(
        long = "execution-max-mb",
        env = "WEFT_EXECUTION_MAX_MB",
        default_value = "256"
    )]
    pub execution_max_mb: String,
    /// Most node runs one execution may make (a cycle in the connections ends there).
    #[arg(
        long = "max-node-runs",
        env = "WEFT_MAX_NODE_RUNS",
        default_value = "100000"
    )]
    pub max_node_runs: String,
    /// Most executions a workflow may have started by sub-workflow calls that do not wait, per
    /// minute (a workflow that starts itself ends there).
    #[arg(
        long = "subworkflow-starts-per-minute",
        env = "WEFT_SUBWORKFLOW_STARTS_PER_MINUTE",
        default_value = "600"
    )]
    pub subworkflow_starts_per_minute: String,
    /// The time zone of workflows that set none in their settings (n8n's variable and default).
    #[arg(
        long = "generic-timezone",
        env = "GENERIC_TIMEZONE",
        default_value = "America/New_York"
    )]
    pub generic_timezone: String,
    /// Where this instance is reached from outside (links to executions in error workflows'
    /// payloads).
    #[arg(
        long = "public-url",
        env = "WEFT_PUBLIC_URL",
        default_value = "http://localhost:5678"
    )]
    pub public_url: String,
    /// At start-up, each schedule trigger runs once for its latest tick missed within this many
    /// seconds while no server ran (0: missed ticks are skipped, as in n8n).
    #[arg(
        long = "schedule-catch-up-secs",
        env = "WEFT_SCHEDULE_CATCH_UP_SECS",
        default_value = "0"
    )]
    pub schedule_catch_up_secs: String,
    /// Delete finished executions past the age or count limit (n8n's variable and default).
    #[arg(
        long = "executions-data-prune",
        env = "EXECUTIONS_DATA_PRUNE",
        default_value = "true"
    )]
    pub executions_data_prune: String,
    /// Hours after which finished executions are deleted.
    #[arg(
        long = "executions-data-max-age",
        env = "EXECUTIONS_DATA_MAX_AGE",
        default_value = "336"
    )]
    pub executions_data_max_age: String,
    /// Finished executions kept at most (0: no limit).
    #[arg(
        long = "executions-data-prune-max-count",
        env = "EXECUTIONS_DATA_PRUNE_MAX_COUNT",
        default_value = "10000"
    )]
    pub executions_data_prune_max_count: String,
    /// Hours a deleted execution is kept hidden before it is removed for good.
    #[arg(
        long = "executions-data-hard-delete-buffer",
        env = "EXECUTIONS_DATA_HARD_DELETE_BUFFER",
        default_value = "1"
    )]
    pub executions_data_hard_delete_buffer: String,
    /// Minutes between the passes marking executions past the limits deleted.
    #[arg(
        long = "executions-data-prune-soft-delete-interval",
        env = "EXECUTIONS_DATA_PRUNE_SOFT_DELETE_INTERVAL",
        default_value = "60"
    )]
    pub executions_data_prune_soft_delete_interval: String,
    /// Minutes between the passes removing deleted executions for good.
    #[arg(
        long = "executions-data-prune-hard-delete-interval",
        env = "EXECUTIONS_DATA_PRUNE_HARD_DELETE_INTERVAL",
        default_value = "15"
    )]
    pub executions_data_prune_hard_delete_interval: String,
    /// `regular`: executions run in the process that received them; `queue`: they go through
    /// Redis to `weft worker` processes (needs REDIS_URL). n8n's variable and values.
    #[arg(
        long = "executions-mode",
        env = "EXECUTIONS_MODE",
        default_value = "regular"
    )]
    pub executions_mode: String,
    /// Where a worker answers Kubernetes' probes (`/healthz`, `/healthz/readiness`).
    #[arg(
        long = "worker-listen",
        env = "WEFT_WORKER_LISTEN",
        default_value = "127.0.0.1:5679"
    )]
    pub worker_listen: String,
    /// How long a worker's claim on a running execution holds without renewal, in
    /// milliseconds (it renews every third of it); past it, the execution runs elsewhere.
    #[arg(long = "lease-ms", env = "WEFT_LEASE_MS", default_value = "30000")]
    pub lease_ms: String,
    /// Starts after which an execution whose workers keep dying ends `crashed`.
    #[arg(long = "max-attempts", env = "WEFT_MAX_ATTEMPTS", default_value = "3")]
    pub max_attempts: String,
    /// How long a stopping worker lets running executions finish before giving them back.
    #[arg(
        long = "shutdown-timeout-secs",
        env = "WEFT_SHUTDOWN_TIMEOUT_SECS",
        default_value = "30"
    )]
    pub shutdown_timeout_secs: String,
    /// Time between the queue reconciler's rounds, in milliseconds.
    #[arg(
        long = "reconcile-every-ms",
        env = "WEFT_RECONCILE_EVERY_MS",
        default_value = "5000"
    )]
    pub reconcile_every_ms: String,
    /// Queue mode: webhook calls whose caller waits for the run (`lastNode`, `responseNode`)
    /// run in the API process that holds the call instead of on a worker (one hop less; the
    /// API processes do that work).
    #[arg(
        long = "sync-webhooks-in-api",
        env = "WEFT_SYNC_WEBHOOKS_IN_API",
        default_value = "false"
    )]
    pub sync_webhooks_in_api: String,
    /// How long a request body may take to arrive, in milliseconds (slower: 408).
    #[arg(
        long = "body-timeout-ms",
        env = "WEFT_BODY_TIMEOUT_MS",
        default_value = "30000"
    )]
    pub body_timeout_ms: String,
    /// Log filter, in `tracing` env-filter syntax.
    #[arg(long = "log", env = "RUST_LOG", default_value = "info")]
    pub log: String,
    /// Log format: `text` or `json`.
    #[arg(long = "log-format", env = "WEFT_LOG_FORMAT", default_value = "text")]
    pub log_format: String,
}

/// What nodes may reach on the host: the server's and `weft execute`'s, read the same way.
#[derive(Debug, Clone, clap::Args)]
pub struct NodeArgs {
    /// The one folder Read Binary Files may read (absolute selectors are taken relative to it);
    /// empty: nodes cannot read the host's files.
    #[arg(long = "files-root", env = "WEFT_FILES_ROOT", default_value = "")]
    pub files_root: String,
    /// Internal hosts, IPs or CIDR networks HTTP Request may reach (comma-separated); by default
    /// loopback, private, link-local and cloud-metadata addresses are refused.
    #[arg(long = "http-allow", env = "WEFT_HTTP_ALLOW", default_value = "")]
    pub http_allow: String,
    /// Consecutive failures (connection errors, timeouts, 5xx) that open a host's circuit breaker.
    #[arg(
        long = "http-breaker-failures",
        env = "WEFT_HTTP_BREAKER_FAILURES",
        default_value = "5"
    )]
    pub http_breaker_failures: String,
    /// How long an open circuit breaker refuses requests before one trial, in milliseconds.
    #[arg(
        long = "http-breaker-cooldown-ms",
        env = "WEFT_HTTP_BREAKER_COOLDOWN_MS",
        default_value = "30000"
    )]
    pub http_breaker_cooldown_ms: String,
}
