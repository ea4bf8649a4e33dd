//! State changes of an execution: finish, cancel, delete (claims and leases are in `lease`).

use chrono::{DateTime, Utc};
use entity::execution;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use super::{ExecutionRecord, Status, data, not_found};
use crate::db::Db;
use crate::store::{StoreError, now};

pub async fn get(db: &Db, id: Uuid) -> Result<ExecutionRecord, StoreError> {
    execution::Entity::find_by_id(id)
        .filter(execution::Column::DeletedAt.is_null())
        .one(db.reader())
        .await?
        .ok_or_else(|| not_found(id))?
        .try_into()
}

/// Records the outcome of a run: its final status, when it stopped, and its run data. With a
/// `holder`, only while that worker still holds the running execution's lease; `false` (and
/// nothing written) when it does not: another worker took the execution over.
pub async fn finish(
    db: &Db,
    id: Uuid,
    holder: Option<&str>,
    status: Status,
    result: &Value,
) -> Result<bool, StoreError> {
    let stopped = now();
    let txn = db.begin_write().await?;
    let mut update = execution::Entity::update_many()
        .col_expr(execution::Column::Status, Expr::value(status.as_str()))
        .col_expr(execution::Column::StoppedAt, Expr::value(stopped))
        .col_expr(
            execution::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(execution::Column::Id.eq(id));
    if let Some(worker) = holder {
        update = update
            .filter(execution::Column::WorkerId.eq(worker))
            .filter(execution::Column::Status.eq(Status::Running.as_str()));
    }
    if update.exec(&txn).await?.rows_affected == 0 {
        return Ok(false);
    }
    data::store(&txn, id, result).await?;
    txn.commit().await?;
    Ok(true)
}

/// Ends as `crashed` every execution left `new` or `running` by a process that stopped (only
/// safe where this process is the only one using the database, as with SQLite); returns their
/// ids.
pub async fn crash_orphans(db: &Db) -> Result<Vec<Uuid>, StoreError> {
    use sea_orm::QuerySelect;
    let orphans: Vec<(Uuid, String)> = execution::Entity::find()
        .select_only()
        .column(execution::Column::Id)
        .column(execution::Column::Status)
        .filter(execution::Column::Status.is_in([Status::New.as_str(), Status::Running.as_str()]))
        // A failed execution waiting for its retry is not lost: it is queued again.
        .filter(
            execution::Column::Status
                .eq(Status::Running.as_str())
                .or(execution::Column::NextAttemptAt.is_null()),
        )
        .into_tuple()
        .all(db.reader())
        .await?;
    for (id, status) in &orphans {
        let message = if status == Status::New.as_str() {
            "The server stopped before this execution started"
        } else {
            "The server stopped while this execution ran, so it did not finish"
        };
        let data = serde_json::json!({"resultData": {"runData": {}, "error": {
            "message": message, "name": "WorkflowCrashed"}}});
        finish(db, *id, None, Status::Crashed, &data).await?;
    }
    Ok(orphans.into_iter().map(|(id, _)| id).collect())
}

/// Cancels an execution that has not started (or is waiting). `false` if it is past that.
pub async fn cancel_if_pending(db: &Db, id: Uuid) -> Result<bool, StoreError> {
    let result = execution::Entity::update_many()
        .col_expr(
            execution::Column::Status,
            Expr::value(Status::Canceled.as_str()),
        )
        .col_expr(execution::Column::StoppedAt, Expr::value(now()))
        .filter(execution::Column::Id.eq(id))
        .filter(execution::Column::Status.is_in([Status::New.as_str(), Status::Waiting.as_str()]))
        .exec(db.writer())
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn set_retry_success(db: &Db, original: Uuid, retry: Uuid) -> Result<(), StoreError> {
    execution::Entity::update_many()
        .col_expr(execution::Column::RetrySuccessId, Expr::value(retry))
        .filter(execution::Column::Id.eq(original))
        .exec(db.writer())
        .await?;
    Ok(())
}

pub async fn delete(db: &Db, id: Uuid) -> Result<ExecutionRecord, StoreError> {
    let txn = db.begin_write().await?;
    let row = execution::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| not_found(id))?;
    execution::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    row.try_into()
}
