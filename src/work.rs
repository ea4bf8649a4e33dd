//! `weft worker`: a queue-mode worker process. It takes executions from Redis, runs them, and
//! answers Kubernetes' probes on its own port. On SIGTERM or SIGINT it stops taking jobs, lets
//! running executions finish (up to `WEFT_SHUTDOWN_TIMEOUT_SECS`), then gives the rest back so
//! another worker starts them at once, and exits 0.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context as _;

use crate::bus::Bus;
use crate::config::{Config, ExecutionsMode};
use crate::db::Db;
use crate::queue::streams::{Streams, StreamsSettings};
use crate::queue::{Priority, Queue};
use crate::runner::Runner;

/// What the probes look at.
struct Probe {
    db: Db,
    bus: Arc<Bus>,
    stopping: std::sync::atomic::AtomicBool,
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// Ready while not stopping and both the database and Redis answer.
async fn readiness(probe: web::Data<Probe>) -> HttpResponse {
    if probe.stopping.load(std::sync::atomic::Ordering::Relaxed) {
        return HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "stopping"}));
    }
    let db_ok = probe.db.ping().await.is_ok();
    let redis_ok = match probe.bus.conn().await {
        Ok(mut conn) => redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .is_ok(),
        Err(_) => false,
    };
    if db_ok && redis_ok {
        HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
    } else {
        HttpResponse::ServiceUnavailable().json(serde_json::json!({
            "status": "error",
            "database": if db_ok { "ok" } else { "unreachable" },
            "redis": if redis_ok { "ok" } else { "unreachable" },
        }))
    }
}

/// Resolves on SIGTERM or SIGINT.
async fn stop_signal() -> std::io::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => {}
        r = tokio::signal::ctrl_c() => r?,
    }
    tracing::info!("stopping: no new executions are taken");
    Ok(())
}

/// Runs a worker until SIGTERM or SIGINT.
pub async fn work(config: Config, concurrency: usize) -> anyhow::Result<()> {
    work_until(config, concurrency, stop_signal()).await
}

/// Runs a worker until `stop` resolves (a signal for `weft worker`; tests run one in process).
pub async fn work_until(
    config: Config,
    concurrency: usize,
    stop: impl std::future::Future<Output = std::io::Result<()>> + Send + 'static,
) -> anyhow::Result<()> {
    if config.queue.mode != ExecutionsMode::Queue {
        anyhow::bail!(
            "weft worker runs in queue mode only: set EXECUTIONS_MODE=queue and REDIS_URL"
        );
    }
    let url = config
        .redis_url
        .as_ref()
        .context("queue mode needs REDIS_URL")?;
    let db = Db::connect(&config.database)
        .await
        .context("cannot connect to the database")?;
    let bus = Arc::new(Bus::new(
        redis::Client::open(url.expose()).context("REDIS_URL is not usable")?,
        &crate::startup::database_scope(&config),
    ));
    // The API processes (and other workers) share this database: caches stay coherent
    // through Redis, with SQLite too.
    bus.start_change_feed(&db);
    let cipher = crate::startup::credential_cipher(&config)?.map(Arc::new);
    let mut config = config;
    config.executions.concurrency = concurrency.max(1);
    let runner = crate::startup::build_runner(&config, &db, cipher)?;
    let streams = Streams::connect(bus.client().clone(), &bus.key("queue"))
        .await
        .context("cannot reach Redis for the queue")?;
    let queue = Queue::Streams(streams.clone());
    runner.set_queue(queue.clone());
    runner.notices().publish_through(bus.clone());
    runner.share_stops(bus.clone());
    crate::startup::spawn_reconciler(&runner, &bus, queue.clone(), &config);
    tokio::spawn(crate::queue::workers::heartbeat(
        runner.clone(),
        bus.clone(),
    ));
    let probe = web::Data::new(Probe {
        db: db.clone(),
        bus: bus.clone(),
        stopping: Default::default(),
    });
    let listener = TcpListener::bind(config.queue.worker_listen)
        .with_context(|| format!("cannot listen on {}", config.queue.worker_listen))?;
    let port = listener.local_addr()?.port();
    let probes = probe.clone();
    let health = HttpServer::new(move || {
        App::new()
            .app_data(probes.clone())
            .route("/healthz", web::get().to(healthz))
            .route("/healthz/readiness", web::get().to(readiness))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    let health_handle = health.handle();
    tokio::spawn(health);
    let backend = streams
        .backend(StreamsSettings {
            consumer: runner.worker_id().to_owned(),
            block: Duration::from_secs(2),
            claim_idle: Duration::from_secs(30),
        })
        .await
        .context("cannot read the queue")?;
    tracing::info!(
        worker = runner.worker_id(),
        concurrency,
        port,
        "weft worker running"
    );
    let signalled = probe.clone();
    let stop = async move {
        let r = stop.await;
        signalled
            .stopping
            .store(true, std::sync::atomic::Ordering::Relaxed);
        r
    };
    crate::queue::worker::run(
        runner.clone(),
        backend,
        concurrency,
        config.queue.shutdown_timeout,
        stop,
    )
    .await?;
    give_back(&runner, &queue).await;
    health_handle.stop(true).await;
    tracing::info!("worker stopped");
    Ok(())
}

/// Gives back the executions still running here (the grace period ran out): `new` again and
/// queued, for another worker to start now rather than when their lease lapses.
async fn give_back(runner: &Arc<Runner>, queue: &Queue) {
    // Released first, then stopped: a run that ends at the stop no longer holds its lease,
    // so it is not recorded as canceled.
    let released = crate::store::executions::release(runner.db(), runner.worker_id()).await;
    runner.stop_all_here();
    match released {
        Ok(ids) => {
            for id in &ids {
                if let Err(e) = queue.push(*id, Priority::High).await {
                    tracing::warn!(error = %e, execution = %id, "a released execution could not be queued; the reconciler will");
                }
            }
            if !ids.is_empty() {
                tracing::warn!(
                    executions = ids.len(),
                    "executions still running at the end of the grace period were given back"
                );
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "running executions could not be given back; they run again when their lease lapses")
        }
    }
}
