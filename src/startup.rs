//! Start-up: connect, migrate, bind, and serve. `main` and the tests build the app the same way.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};

/// The stack of every thread of the async runtime, whose blocking threads run executions (and
/// with them the JavaScript sandbox, whose own stack limit is 512 KiB, and every walk over user
/// data, each bounded by `weft_engine::MAX_NESTING`). Only touched pages cost memory.
pub const THREAD_STACK_BYTES: usize = 8 << 20;
use anyhow::Context as _;
use utoipa_swagger_ui::SwaggerUi;

use crate::api;
use crate::config::Config;
use crate::config::ExecutionsMode;
use crate::db::Db;
use crate::runner::{Runner, RunnerSettings};
use crate::state::AppState;
use crate::store::credentials::Cipher;

/// A bound, not yet running server, and what tests need to reach it.
pub struct Application {
    port: u16,
    server: Server,
    db: Db,
}

/// The pool of Code node sandbox processes (`WEFT_CODE_SANDBOX=process`), checked to start.
fn code_host(config: &Config) -> anyhow::Result<weft_engine::expr::CodeHosting> {
    let crate::config::CodeSandbox::Process { program } = &config.executions.code_sandbox else {
        return Ok(weft_engine::expr::CodeHosting(None));
    };
    let ex = &config.executions;
    // The request's bytes, their parsed copy and the JavaScript heap, with room to spare.
    let data_limit = (3 * ex.max_bytes + 2 * ex.expression_memory_bytes + (256 << 20)) as u64;
    let host = crate::sandbox::ProcessHost::new(crate::sandbox::PoolSettings {
        program: program.clone(),
        data_limit,
        max_idle: ex.concurrency,
        // Items past the execution's data budget are refused anyway; JSON may be twice as long.
        max_answer: 2 * ex.max_bytes + (16 << 20),
    });
    host.check().map_err(|e| {
        anyhow::anyhow!("cannot start a Code node sandbox process ({e}); WEFT_CODE_SANDBOX=thread runs Code nodes without one")
    })?;
    Ok(weft_engine::expr::CodeHosting(Some(Arc::new(host))))
}

impl Application {
    /// Connects to the database, applies migrations and binds `config.listen` (port 0 picks a free one).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let db = Db::connect(&config.database)
            .await
            .with_context(|| format!("cannot connect to the database ({})", describe(&config)))?;
        db.migrate().await.context("cannot apply migrations")?;
        crate::owner::bootstrap(&db, &config)
            .await
            .context("cannot create the owner")?;
        let redis = match &config.redis_url {
            None => None,
            Some(url) => Some(Arc::new(crate::bus::Bus::new(
                redis::Client::open(url.expose())
                    .with_context(|| format!("REDIS_URL {url} is not usable"))?,
                &database_scope(&config),
            ))),
        };
        if let Some(bus) = &redis {
            // Other instances (or queue mode's workers) may share this database: keep caches
            // coherent through Redis.
            bus.start_change_feed(&db);
        }
        // In regular mode this process is the only one on an SQLite database: whatever was
        // running or about to run when the last one stopped will never finish. (In queue mode
        // workers hold them, and the reconciler takes over those whose lease lapses.)
        let orphans = if db.backend() == sea_orm::DbBackend::Sqlite
            && config.queue.mode == ExecutionsMode::Regular
        {
            let crashed = crate::store::executions::crash_orphans(&db)
                .await
                .context("cannot read the executions left by the last run")?;
            if !crashed.is_empty() {
                tracing::warn!(
                    executions = crashed.len(),
                    "executions left unfinished by the last run marked crashed"
                );
            }
            crashed
        } else {
            Vec::new()
        };
        let cipher = credential_cipher(&config)?.map(Arc::new);
        let tokens = token_keys(&config)?;
        let listener = TcpListener::bind(config.listen)
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let port = listener.local_addr()?.port();
        let runner = build_runner(&config, &db, cipher.clone())?;
        match config.queue.mode {
            ExecutionsMode::Regular => {
                // This process's own worker drains an in-process queue.
                let local = crate::queue::local::LocalQueue::default();
                runner.set_queue(crate::queue::Queue::Local(local.clone()));
                // Failed executions waiting for their retry when the last process stopped.
                match crate::store::executions::stale_new(&db, std::time::Duration::ZERO, 10_000)
                    .await
                {
                    Ok(pending) => {
                        for (id, due) in pending {
                            let due = due.unwrap_or_else(chrono::Utc::now);
                            let _ = local.push(id, crate::queue::Priority::Normal, Some(due));
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "executions waiting to run could not be listed")
                    }
                }
                spawn_local_worker(&runner, &local, &config);
                if db.backend() == sea_orm::DbBackend::Postgres {
                    // Other processes may share this database: what a stopped one left is found.
                    tokio::spawn(crate::queue::sweep::run(
                        runner.clone(),
                        local.clone(),
                        config.queue.reconcile_every,
                    ));
                }
            }
            ExecutionsMode::Queue => {
                let bus = redis.clone().context("queue mode needs REDIS_URL")?;
                let streams = crate::queue::streams::Streams::connect(
                    bus.client().clone(),
                    &bus.key("queue"),
                )
                .await
                .context("cannot reach Redis for the queue")?;
                let queue = crate::queue::Queue::Streams(streams);
                runner.set_queue(queue.clone());
                // Outcomes and webhook responses come back from the workers.
                runner.notices().listen(bus.clone());
                spawn_reconciler(&runner, &bus, queue, &config);
                if config.queue.sync_webhooks_here {
                    let local = crate::queue::local::LocalQueue::default();
                    runner.run_sync_webhooks_here(local.clone());
                    spawn_local_worker(&runner, &local, &config);
                }
            }
        }
        if let Some(bus) = &redis
            && (db.backend() == sea_orm::DbBackend::Postgres
                || config.queue.mode == ExecutionsMode::Queue)
        {
            // Another instance (or a worker) may be running the execution a stop request names.
            runner.share_stops(bus.clone());
        }
        if !orphans.is_empty() {
            // Their error workflows run once this process can run executions.
            let runner = runner.clone();
            tokio::spawn(async move {
                for id in orphans {
                    runner.error_workflow_of_stored(id).await;
                }
            });
        }
        match runner.reschedule_waiting().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(executions = n, "timers set for waiting executions"),
            Err(e) => tracing::warn!(error = %e, "waiting executions could not be listed"),
        }
        let state = web::Data::new(AppState {
            db: db.clone(),
            redis: redis.clone(),
            cipher,
            body: crate::body::BodyLimits {
                max_bytes: config.max_body_bytes,
                timeout: config.body_timeout,
            },
            runner,
            run_wait: config.executions.run_wait,
            test_webhooks: crate::webhooks::TestWebhooks::new(
                config.executions.test_webhook_ttl,
                redis.clone(),
            ),
            rate_limits: Default::default(),
            idempotency_window: config.executions.idempotency_window,
            webhook_cache: crate::webhooks::WebhookCache::new(),
            tokens,
            refresh_ttl_secs: config.tokens.refresh_ttl_secs,
            limits: crate::rate::RateLimits::new(config.rate, redis.clone()),
            cors: config.cors.clone(),
            keys: Default::default(),
            trusted_proxies: config.trusted_proxies.clone(),
        });
        spawn_idempotency_sweep(db.clone(), config.executions.idempotency_window);
        if config.retention.prune {
            tokio::spawn(crate::retention::run(db.clone(), config.retention.clone()));
        }
        // Every API process arms the schedules; each tick's claim lets one of them fire it.
        tokio::spawn(crate::schedules::run(
            state.runner.clone(),
            crate::schedules::ScheduleSettings {
                generic_timezone: config.executions.generic_timezone.clone(),
                catch_up: config.executions.schedule_catch_up,
            },
        ));
        let spec = api::openapi();
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(api::extract::query_config())
                .wrap(actix_web::middleware::from_fn(
                    api::headers::security_and_cors,
                ))
                .wrap(actix_web::middleware::Compress::default())
                .route("/docs", web::get().to(docs_redirect))
                .configure(crate::webhooks::routes)
                .service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", spec.clone()))
                .configure(|cfg| {
                    api::routes(&mut utoipa_actix_web::service_config::ServiceConfig::new(
                        cfg,
                    ))
                })
                .default_service(web::to(api::no_route))
        })
        .listen(listener)?;
        if let Some(workers) = config.http_workers {
            server = server.workers(workers);
        }
        tracing::info!(address = %config.listen, port, database = %describe(&config), "weft listening");
        Ok(Self {
            port,
            server: server.run(),
            db,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Serves until the process is told to stop (SIGINT/SIGTERM: in-flight requests finish first).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// What stored credentials are encrypted with: `WEFT_ENCRYPTION_KEY`; else, for SQLite, a key
/// kept in the data directory (random per process for an in-memory database); else none.
pub fn credential_cipher(config: &Config) -> anyhow::Result<Option<Cipher>> {
    use crate::config::DatabaseUrl;
    Ok(match (&config.encryption_key, &config.database.url) {
        (Some(key), _) => Some(Cipher::from_passphrase(key.expose())),
        (None, DatabaseUrl::Sqlite(url))
            if url.contains(":memory:") || url.contains("mode=memory") =>
        {
            Some(Cipher::ephemeral())
        }
        (None, DatabaseUrl::Sqlite(_)) => {
            Some(Cipher::load_or_create(&config.data_dir).with_context(|| {
                format!(
                    "cannot read or create the credentials key in {}",
                    config.data_dir.display()
                )
            })?)
        }
        (None, DatabaseUrl::Postgres(_)) => {
            tracing::warn!(
                "WEFT_ENCRYPTION_KEY is not set: credentials cannot be stored or used until it is"
            );
            None
        }
    })
}

/// The access-token keys: `WEFT_JWT_SECRET`, or on SQLite a secret kept in the data directory.
fn token_keys(config: &Config) -> anyhow::Result<crate::auth::TokenKeys> {
    use crate::config::DatabaseUrl;
    let ttl = config.tokens.access_ttl_secs;
    let secret = match (&config.tokens.secret, &config.database.url) {
        (Some(secret), _) => secret.expose().to_owned(),
        (None, DatabaseUrl::Sqlite(_)) => {
            crate::local_secret::load_or_create(&config.data_dir, "jwt-secret").with_context(
                || {
                    format!(
                        "cannot read or create jwt-secret in {}",
                        config.data_dir.display()
                    )
                },
            )?
        }
        (None, DatabaseUrl::Postgres(_)) => anyhow::bail!(
            "WEFT_JWT_SECRET is required with Postgres (the same secret, of 32 characters or \
             more, on every instance)"
        ),
    };
    Ok(crate::auth::TokenKeys::new(secret.as_bytes(), ttl))
}

/// `/docs` without the slash: Swagger UI lives at `/docs/`.
async fn docs_redirect() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/docs/"))
        .finish()
}

/// Which database this is, without credentials: instances agreeing on it share a change feed.
pub fn database_scope(config: &Config) -> String {
    match &config.database.url {
        crate::config::DatabaseUrl::Postgres(url) => match url::Url::parse(url.expose()) {
            Ok(u) => format!(
                "{}:{}{}",
                u.host_str().unwrap_or_default(),
                u.port().unwrap_or(5432),
                u.path()
            ),
            Err(_) => String::new(),
        },
        crate::config::DatabaseUrl::Sqlite(url) => url.clone(),
    }
}

fn describe(config: &Config) -> String {
    match &config.database.url {
        crate::config::DatabaseUrl::Postgres(url) => url.to_string(),
        crate::config::DatabaseUrl::Sqlite(url) => url.clone(),
    }
}

/// The runner of this process, with the configured limits.
pub fn build_runner(
    config: &Config,
    db: &Db,
    cipher: Option<Arc<Cipher>>,
) -> anyhow::Result<Arc<Runner>> {
    let limits = weft_engine::expr::ExprLimits {
        timeout: config.executions.expression_timeout,
        memory_bytes: config.executions.expression_memory_bytes,
    };
    let code_host = code_host(config)?;
    let runner = Arc::new(
        Runner::new(
            db.clone(),
            Arc::new(weft_nodes::registry_with(&config.nodes)),
            RunnerSettings {
                limits,
                budget: weft_engine::run::Budget {
                    max_items: config.executions.max_items,
                    max_bytes: config.executions.max_bytes,
                    max_node_runs: config.executions.max_node_runs,
                },
                concurrency: config.executions.concurrency,
                pause_after: config.executions.wait_pause_after,
                subworkflow_starts_per_minute: config.executions.subworkflow_starts_per_minute,
                cipher,
                code_host,
                generic_timezone: config.executions.generic_timezone.clone(),
                lease: config.queue.lease,
                public_url: config.executions.public_url.clone(),
            },
        )
        .context("cannot start the engine threads")?,
    );
    runner
        .notices()
        .keep_copies_for(config.executions.run_wait * 2 + std::time::Duration::from_secs(60));
    Ok(runner)
}

/// Starts this process's own worker on an in-process queue (regular mode; queue mode's
/// webhook runs kept in the API process).
fn spawn_local_worker(
    runner: &Arc<Runner>,
    local: &crate::queue::local::LocalQueue,
    config: &Config,
) {
    let (runner, backend) = (runner.clone(), local.backend());
    let (concurrency, grace) = (config.executions.concurrency, config.queue.shutdown_timeout);
    tokio::spawn(async move {
        let forever = std::future::pending::<std::io::Result<()>>();
        if let Err(e) =
            crate::queue::worker::run(runner, backend, concurrency, grace, forever).await
        {
            tracing::error!(error = %e, "the in-process worker stopped");
        }
    });
}

/// Starts the queue reconciler of this process (one process at a time does the work).
pub fn spawn_reconciler(
    runner: &Arc<Runner>,
    bus: &Arc<crate::bus::Bus>,
    queue: crate::queue::Queue,
    config: &Config,
) {
    let settings = crate::queue::reconcile::ReconcileSettings {
        every: config.queue.reconcile_every,
        max_attempts: config.queue.max_attempts,
        grace: (config.queue.reconcile_every * 2).max(std::time::Duration::from_secs(2)),
    };
    tokio::spawn(crate::queue::reconcile::run(
        runner.clone(),
        bus.clone(),
        queue,
        settings,
    ));
}

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    app.run_until_stopped()
        .await
        .context("the HTTP server failed")
}

pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let db = Db::connect(&config.database)
        .await
        .with_context(|| format!("cannot connect to the database ({})", describe(config)))?;
    db.migrate().await.context("cannot apply migrations")?;
    tracing::info!("migrations applied");
    db.close().await;
    Ok(())
}

/// Forgets webhook idempotency keys older than their window, every ten minutes.
fn spawn_idempotency_sweep(db: crate::db::Db, window: std::time::Duration) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            match crate::store::webhooks::idempotency::sweep(&db, window).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(removed = n, "expired idempotency keys removed"),
                Err(e) => tracing::warn!(error = %e, "idempotency sweep failed"),
            }
        }
    });
}
