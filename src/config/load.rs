//! `Config::from_args`: every setting checked once, at start.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::parse::{bad, database_url, flag, number, parse_url, postgres_url};
use super::*;
use crate::cli::SettingsArgs;

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
        let queue = queue_config(args, redis_url.is_some())?;
        let retention = retention_config(args)?;
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
        let public_url = args.public_url.trim().trim_end_matches('/').to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(bad(
                "WEFT_PUBLIC_URL",
                format!("{:?} is not an http(s) URL", args.public_url),
            ));
        }
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
        let cors =
            CorsOrigins::parse(&args.cors_origins).map_err(|e| bad("WEFT_CORS_ORIGINS", e))?;
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
                public_url,
                schedule_catch_up: Duration::from_secs(number(
                    "WEFT_SCHEDULE_CATCH_UP_SECS",
                    &args.schedule_catch_up_secs,
                )?),
            },
            queue,
            retention,
            nodes,
            log: LogConfig {
                filter: args.log.clone(),
                format,
            },
        })
    }
}

/// `EXECUTIONS_MODE` and the worker settings; queue mode needs Redis.
fn retention_config(args: &SettingsArgs) -> Result<super::RetentionConfig, ConfigError> {
    let hours = |name: &'static str, raw: &str| -> Result<Duration, ConfigError> {
        Ok(Duration::from_secs(
            number::<u64>(name, raw)?.saturating_mul(3600),
        ))
    };
    let minutes = |name: &'static str, raw: &str| -> Result<Duration, ConfigError> {
        let m: u64 = number(name, raw)?;
        if m == 0 {
            return Err(bad(name, "must be at least 1"));
        }
        Ok(Duration::from_secs(m.saturating_mul(60)))
    };
    Ok(super::RetentionConfig {
        prune: flag("EXECUTIONS_DATA_PRUNE", &args.executions_data_prune)?,
        max_age: hours("EXECUTIONS_DATA_MAX_AGE", &args.executions_data_max_age)?,
        max_count: number(
            "EXECUTIONS_DATA_PRUNE_MAX_COUNT",
            &args.executions_data_prune_max_count,
        )?,
        hard_delete_buffer: hours(
            "EXECUTIONS_DATA_HARD_DELETE_BUFFER",
            &args.executions_data_hard_delete_buffer,
        )?,
        soft_delete_every: minutes(
            "EXECUTIONS_DATA_PRUNE_SOFT_DELETE_INTERVAL",
            &args.executions_data_prune_soft_delete_interval,
        )?,
        hard_delete_every: minutes(
            "EXECUTIONS_DATA_PRUNE_HARD_DELETE_INTERVAL",
            &args.executions_data_prune_hard_delete_interval,
        )?,
    })
}

fn queue_config(args: &SettingsArgs, has_redis: bool) -> Result<super::QueueConfig, ConfigError> {
    let mode = match args.executions_mode.trim() {
        "regular" | "" => super::ExecutionsMode::Regular,
        "queue" => super::ExecutionsMode::Queue,
        other => {
            return Err(bad(
                "EXECUTIONS_MODE",
                format!("{other:?} is not a mode (regular or queue)"),
            ));
        }
    };
    if mode == super::ExecutionsMode::Queue && !has_redis {
        return Err(bad(
            "EXECUTIONS_MODE",
            "queue mode needs Redis: set REDIS_URL (redis://host:6379)",
        ));
    }
    let worker_listen = args.worker_listen.trim().parse().map_err(|_| {
        bad(
            "WEFT_WORKER_LISTEN",
            format!("{:?} is not an address (host:port)", args.worker_listen),
        )
    })?;
    let lease_ms: u64 = number("WEFT_LEASE_MS", &args.lease_ms)?;
    if lease_ms < 300 {
        return Err(bad("WEFT_LEASE_MS", "must be at least 300"));
    }
    let max_attempts: u32 = number("WEFT_MAX_ATTEMPTS", &args.max_attempts)?;
    if max_attempts == 0 {
        return Err(bad("WEFT_MAX_ATTEMPTS", "must be at least 1"));
    }
    let shutdown_secs: u64 = number("WEFT_SHUTDOWN_TIMEOUT_SECS", &args.shutdown_timeout_secs)?;
    let reconcile_ms: u64 = number("WEFT_RECONCILE_EVERY_MS", &args.reconcile_every_ms)?;
    if reconcile_ms < 100 {
        return Err(bad("WEFT_RECONCILE_EVERY_MS", "must be at least 100"));
    }
    Ok(super::QueueConfig {
        mode,
        worker_listen,
        lease: Duration::from_millis(lease_ms),
        max_attempts,
        shutdown_timeout: Duration::from_secs(shutdown_secs),
        reconcile_every: Duration::from_millis(reconcile_ms),
        sync_webhooks_here: flag("WEFT_SYNC_WEBHOOKS_IN_API", &args.sync_webhooks_in_api)?,
    })
}
