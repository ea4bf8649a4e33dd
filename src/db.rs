//! Database handles: a writer and a reader connection (a replica router splits them later), connect and migrate.

use std::str::FromStr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{DatabaseConnection, DbBackend, DbErr, SqlxPostgresConnector, SqlxSqliteConnector};

use crate::config::{DatabaseConfig, DatabaseUrl};

/// Every query goes through one of these two handles: writes (and reads that must see them)
/// through `writer`, list and lookup reads through `reader`.
#[derive(Clone, Debug)]
pub struct Db {
    writer: DatabaseConnection,
    reader: DatabaseConnection,
    /// Committed changes to workflows and credentials, so caches of them can tell.
    changes: std::sync::Arc<Changes>,
}

/// The change generation and how it is shared with other instances.
#[derive(Debug, Default)]
struct Changes {
    generation: AtomicU64,
    /// Another instance's changes reach this one (the Redis feed is subscribed).
    feed_live: AtomicBool,
    /// Where this process's changes go to be published.
    outbox: OnceLock<UnboundedSender<()>>,
}

impl Db {
    pub fn writer(&self) -> &DatabaseConnection {
        &self.writer
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a deferred one that read first fails outright (`SQLITE_BUSY`, no waiting)
    /// when another process wrote in between, while this one waits its turn (busy timeout).
    pub async fn begin_write(&self) -> Result<sea_orm::DatabaseTransaction, DbErr> {
        use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
        self.writer
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
    }

    pub fn reader(&self) -> &DatabaseConnection {
        &self.reader
    }

    /// Counts a committed change to a workflow (definition, activation, static data), a
    /// credential, an API key or a user, and tells other instances when a change feed is
    /// running.
    pub fn workflow_changed(&self) {
        self.changes.generation.fetch_add(1, Ordering::AcqRel);
        if let Some(outbox) = self.changes.outbox.get() {
            let _ = outbox.send(());
        }
    }

    /// Counts a change another instance committed.
    pub fn remote_change(&self) {
        self.changes.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// How many changes this process knows of; read it before a query whose result is cached,
    /// and the cache knows when the result may be stale.
    pub fn workflow_generation(&self) -> u64 {
        self.changes.generation.load(Ordering::Acquire)
    }

    /// Whether a cache of workflows can trust [`Db::workflow_generation`]: while the change
    /// feed is live when there is one (Redis: other processes may share the database, as queue
    /// mode's workers share an SQLite file); without one, only with SQLite (one process owns
    /// the database).
    pub fn caches_are_coherent(&self) -> bool {
        if self.changes.outbox.get().is_some() {
            return self.changes.feed_live.load(Ordering::Acquire);
        }
        self.backend() == DbBackend::Sqlite
    }

    pub(crate) fn set_change_outbox(&self, outbox: UnboundedSender<()>) {
        let _ = self.changes.outbox.set(outbox);
    }

    pub(crate) fn set_feed_live(&self, live: bool) {
        self.changes.feed_live.store(live, Ordering::Release);
    }

    pub fn backend(&self) -> DbBackend {
        self.writer.get_database_backend()
    }

    /// Connects with the configured pool sizes. SQLite gets one writer connection (SQLite
    /// serialises writers anyway; one connection avoids lock-upgrade failures) and a reader pool.
    pub async fn connect(config: &DatabaseConfig) -> Result<Self, DbErr> {
        match &config.url {
            DatabaseUrl::Postgres(url) => {
                let pool = PgPoolOptions::new()
                    .max_connections(config.pool_max)
                    .min_connections(config.pool_min)
                    .acquire_timeout(config.acquire_timeout)
                    .connect(url.expose())
                    .await
                    .map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::Internal(e.to_string())))?;
                let conn = SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
                Ok(Self {
                    writer: conn.clone(),
                    reader: conn,
                    changes: Default::default(),
                })
            }
            DatabaseUrl::Sqlite(url) => connect_sqlite(url, config).await,
        }
    }

    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.writer, None).await
    }

    pub async fn ping(&self) -> Result<(), DbErr> {
        self.writer.ping().await
    }

    pub async fn close(self) {
        let _ = self.writer.close_by_ref().await;
        let _ = self.reader.close_by_ref().await;
    }
}

async fn connect_sqlite(url: &str, config: &DatabaseConfig) -> Result<Db, DbErr> {
    let conn_err =
        |e: sea_orm::sqlx::Error| DbErr::Conn(sea_orm::RuntimeErr::Internal(e.to_string()));
    let options = SqliteConnectOptions::from_str(url)
        .map_err(conn_err)?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    if in_memory {
        // Every connection to `:memory:` is its own database, so reader and writer share one.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(conn_err)?;
        let conn = SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
        return Ok(Db {
            writer: conn.clone(),
            reader: conn,
            changes: Default::default(),
        });
    }
    if let Some(dir) = sqlite_file(url).and_then(|p| p.parent().map(ToOwned::to_owned))
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(&dir).map_err(|e| {
            DbErr::Conn(sea_orm::RuntimeErr::Internal(format!(
                "cannot create {}: {e}",
                dir.display()
            )))
        })?;
    }
    let options = options
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let writer = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(config.acquire_timeout)
        .connect_with(options.clone())
        .await
        .map_err(conn_err)?;
    let reader = SqlitePoolOptions::new()
        .max_connections(config.pool_max)
        .min_connections(config.pool_min.min(config.pool_max))
        .acquire_timeout(config.acquire_timeout)
        .connect_with(options.read_only(true))
        .await
        .map_err(conn_err)?;
    Ok(Db {
        writer: SqlxSqliteConnector::from_sqlx_sqlite_pool(writer),
        reader: SqlxSqliteConnector::from_sqlx_sqlite_pool(reader),
        changes: Default::default(),
    })
}

/// The file path inside a `sqlite://path?query` URL.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty()).then(|| std::path::PathBuf::from(path))
}
