//! Retention passes over finished executions, in small batches so no statement runs long or
//! holds many locks: marking those past the age or count limit deleted (never `new`, `running`
//! or `waiting` ones), then removing, data first, those marked longer ago than the buffer. On
//! Postgres each batch takes a transaction-scoped advisory lock, so one process at a time does it.

use chrono::{DateTime, Utc};
use entity::{execution, execution_data};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};
use uuid::Uuid;

use super::Status;
use crate::db::Db;
use crate::store::{StoreError, now};

/// Statuses retention never touches: the execution is not over.
const LIVE: [Status; 3] = [Status::New, Status::Running, Status::Waiting];

/// Takes this pass's lock for the transaction; `false` when another process holds it.
async fn lock<C: ConnectionTrait>(conn: &C, db: &Db) -> Result<bool, StoreError> {
    if db.backend() != DbBackend::Postgres {
        return Ok(true);
    }
    let row = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock(hashtext('weft:retention'))",
        ))
        .await?;
    Ok(row
        .and_then(|r| r.try_get_by_index::<bool>(0).ok())
        .unwrap_or(false))
}

/// The id of the newest execution beyond the newest `keep` (ids are time-ordered), if any.
async fn count_cutoff<C: ConnectionTrait>(conn: &C, keep: u64) -> Result<Option<Uuid>, StoreError> {
    Ok(execution::Entity::find()
        .select_only()
        .column(execution::Column::Id)
        .filter(execution::Column::DeletedAt.is_null())
        .order_by_desc(execution::Column::Id)
        .offset(keep)
        .limit(1)
        .into_tuple()
        .one(conn)
        .await?)
}

/// Marks up to `batch` finished executions deleted that stopped before `older_than` or are not
/// among the newest `keep`; returns how many (`None`: another process is at it).
pub async fn mark_deleted(
    db: &Db,
    older_than: Option<DateTime<Utc>>,
    keep: Option<u64>,
    batch: u64,
) -> Result<Option<u64>, StoreError> {
    let txn = db.begin_write().await?;
    if !lock(&txn, db).await? {
        return Ok(None);
    }
    let beyond = match keep {
        Some(keep) => count_cutoff(&txn, keep).await?,
        None => None,
    };
    let mut past = sea_orm::Condition::any();
    if let Some(cutoff) = older_than {
        past = past.add(execution::Column::StoppedAt.lt(cutoff));
    }
    if let Some(id) = beyond {
        past = past.add(execution::Column::Id.lte(id));
    }
    if older_than.is_none() && beyond.is_none() {
        txn.commit().await?;
        return Ok(Some(0));
    }
    let ids: Vec<Uuid> = execution::Entity::find()
        .select_only()
        .column(execution::Column::Id)
        .filter(execution::Column::DeletedAt.is_null())
        .filter(execution::Column::Status.is_not_in(LIVE.map(Status::as_str)))
        .filter(past)
        .order_by_asc(execution::Column::Id)
        .limit(batch)
        .into_tuple()
        .all(&txn)
        .await?;
    if ids.is_empty() {
        txn.commit().await?;
        return Ok(Some(0));
    }
    let done = execution::Entity::update_many()
        .col_expr(execution::Column::DeletedAt, Expr::value(now()))
        .filter(execution::Column::Id.is_in(ids))
        // Checked again: one may have been resumed or retried since it was read.
        .filter(execution::Column::Status.is_not_in(LIVE.map(Status::as_str)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Some(done.rows_affected))
}

/// Removes up to `batch` executions marked deleted before `before`, their data first; returns
/// how many (`None`: another process is at it).
pub async fn remove_deleted(
    db: &Db,
    before: DateTime<Utc>,
    batch: u64,
) -> Result<Option<u64>, StoreError> {
    let txn = db.begin_write().await?;
    if !lock(&txn, db).await? {
        return Ok(None);
    }
    let ids: Vec<Uuid> = execution::Entity::find()
        .select_only()
        .column(execution::Column::Id)
        .filter(execution::Column::DeletedAt.lt(before))
        .order_by_asc(execution::Column::DeletedAt)
        .limit(batch)
        .into_tuple()
        .all(&txn)
        .await?;
    if ids.is_empty() {
        txn.commit().await?;
        return Ok(Some(0));
    }
    execution_data::Entity::delete_many()
        .filter(execution_data::Column::ExecutionId.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    let done = execution::Entity::delete_many()
        .filter(execution::Column::Id.is_in(ids))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Some(done.rows_affected))
}

/// Lets Postgres reuse the space removed rows left (plain `VACUUM`: no lock that blocks reads or
/// writes). Nothing to do on SQLite.
pub async fn reclaim(db: &Db) -> Result<(), StoreError> {
    if db.backend() == DbBackend::Postgres {
        db.writer()
            .execute_unprepared("VACUUM (ANALYZE) execution_data, executions")
            .await?;
    }
    Ok(())
}
