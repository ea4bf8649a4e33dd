//! Repositories over sea-orm: entity rows <-> domain records, constraint violations -> `StoreError`.

pub mod access;
pub mod api_keys;
pub mod credentials;
pub mod executions;
pub mod pagination;
pub mod refresh_tokens;
pub mod schedules;
pub mod tags;
pub mod users;
pub mod variables;
pub mod webhooks;
pub mod workflows;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{DbErr, SqlErr};

pub use pagination::{Cursor, Page, PageRequest};

/// What can go wrong in the store, in terms the API can answer with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} {id} was not found")]
    NotFound { entity: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    /// A conditional write whose expected version is not the stored one.
    #[error("the stored version is {current}, not the one the request expected")]
    VersionMismatch { current: String },
    /// A write that breaks a rule of the domain (e.g. activating a workflow with no trigger).
    #[error("{0}")]
    Rule(String),
    /// Values that break the rules of their fields: `(field path, message)` each.
    #[error("{}", .0.iter().map(|(p, m)| format!("{p}: {m}")).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<(String, String)>),
    /// A stored value that can no longer be read back (a bug or manual tampering).
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => {
                StoreError::Conflict(format!("already exists ({detail})"))
            }
            _ => StoreError::Database(err),
        }
    }
}

/// The current time at the precision every backend stores (microseconds), so a timestamp read
/// back equals the one written and keyset cursors match exactly.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A new time-ordered id.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
