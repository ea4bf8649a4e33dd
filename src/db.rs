//! Database handles: a writer and a reader connection (a replica router splits them later), connect and migrate.

use std::str::FromStr;
use std::time::Duration;

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
    /// Bumped after every committed change to a workflow, so caches of workflows can tell.
    changes: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Db {
    pub fn writer(&self) -> &DatabaseConnection {
        &self.writer
    }

    pub fn reader(&self) -> &DatabaseConnection {
        &self.reader
    }

    /// Counts a committed change to a workflow (definition, activation, static data).
    pub fn workflow_changed(&self) {
        self.changes
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// How many workflow changes this process has committed; read it before a query whose
    /// result is cached, and the cache knows when the result may be stale.
    pub fn workflow_generation(&self) -> u64 {
        self.changes.load(std::sync::atomic::Ordering::Acquire)
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
