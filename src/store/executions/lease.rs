//! Leases: a worker claims an execution for a while (`worker_id`, `lease_expires_at`) and
//! renews the claim while it runs it; an execution whose lease lapsed (its worker died) is
//! put back to `new` for another worker, and one left `new` without a job is found again.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::execution;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::Status;
use crate::db::Db;
use crate::store::{StoreError, now};

fn until(lease: Duration) -> DateTime<Utc> {
    now() + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60))
}

/// Moves a `new` execution to `running`, held by `worker` for `lease`, and counts the attempt.
/// `false` when it is not `new` (another worker claimed it, it finished or was canceled, or
/// its retry is not due yet): the caller must not run it.
pub async fn claim(db: &Db, id: Uuid, worker: &str, lease: Duration) -> Result<bool, StoreError> {
    let result = execution::Entity::update_many()
        .col_expr(
            execution::Column::Status,
            Expr::value(Status::Running.as_str()),
        )
        .col_expr(execution::Column::WorkerId, Expr::value(worker))
        .col_expr(execution::Column::LeaseExpiresAt, Expr::value(until(lease)))
        .col_expr(
            execution::Column::NextAttemptAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            execution::Column::Attempts,
            Expr::col(execution::Column::Attempts).add(1),
        )
        .filter(execution::Column::Id.eq(id))
        .filter(execution::Column::Status.eq(Status::New.as_str()))
        .filter(
            execution::Column::NextAttemptAt
                .is_null()
                .or(execution::Column::NextAttemptAt.lte(now())),
        )
        .exec(db.writer())
        .await?;
    Ok(result.rows_affected == 1)
}

/// Extends `worker`'s lease on running execution `id`; `false` when it no longer holds it.
pub async fn renew(db: &Db, id: Uuid, worker: &str, lease: Duration) -> Result<bool, StoreError> {
    let result = execution::Entity::update_many()
        .col_expr(execution::Column::LeaseExpiresAt, Expr::value(until(lease)))
        .filter(execution::Column::Id.eq(id))
        .filter(execution::Column::WorkerId.eq(worker))
        .filter(execution::Column::Status.eq(Status::Running.as_str()))
        .exec(db.writer())
        .await?;
    Ok(result.rows_affected == 1)
}

/// Gives back every execution `worker` still runs (it is stopping): they are `new` again, for
/// another worker to start from the beginning. Returns their ids, to queue them again.
pub async fn release(db: &Db, worker: &str) -> Result<Vec<Uuid>, StoreError> {
    let held: Vec<Uuid> = execution::Entity::find()
        .select_only()
        .column(execution::Column::Id)
        .filter(execution::Column::WorkerId.eq(worker))
        .filter(execution::Column::Status.eq(Status::Running.as_str()))
        .into_tuple()
        .all(db.writer())
        .await?;
    let mut released = Vec::with_capacity(held.len());
    for id in held {
        let result = execution::Entity::update_many()
            .col_expr(execution::Column::Status, Expr::value(Status::New.as_str()))
            .col_expr(
                execution::Column::WorkerId,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                execution::Column::LeaseExpiresAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(execution::Column::Id.eq(id))
            .filter(execution::Column::WorkerId.eq(worker))
            .filter(execution::Column::Status.eq(Status::Running.as_str()))
            .exec(db.writer())
            .await?;
        if result.rows_affected == 1 {
            released.push(id);
        }
    }
    Ok(released)
}

/// Running executions whose lease lapsed (their worker died), with their attempts so far.
pub async fn expired(db: &Db, limit: u64) -> Result<Vec<(Uuid, i32)>, StoreError> {
    Ok(execution::Entity::find()
        .select_only()
        .column(execution::Column::Id)
        .column(execution::Column::Attempts)
        .filter(execution::Column::Status.eq(Status::Running.as_str()))
        .filter(execution::Column::LeaseExpiresAt.lt(now()))
        .order_by_asc(execution::Column::LeaseExpiresAt)
        .limit(limit)
        .into_tuple()
        .all(db.writer())
        .await?)
}

/// Puts a running execution whose lease lapsed back to `new`; `false` if it is no longer so
/// (its worker renewed or finished it meanwhile, or another reconciler took it).
pub async fn requeue_expired(db: &Db, id: Uuid) -> Result<bool, StoreError> {
    let result = execution::Entity::update_many()
        .col_expr(execution::Column::Status, Expr::value(Status::New.as_str()))
        .col_expr(
            execution::Column::WorkerId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            execution::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(execution::Column::Id.eq(id))
        .filter(execution::Column::Status.eq(Status::Running.as_str()))
        .filter(execution::Column::LeaseExpiresAt.lt(now()))
        .exec(db.writer())
        .await?;
    Ok(result.rows_affected == 1)
}

/// `new` executions written more than `age` ago and due (oldest first), with when they are due.
pub async fn stale_new(
    db: &Db,
    age: Duration,
    limit: u64,
) -> Result<Vec<(Uuid, Option<DateTime<Utc>>)>, StoreError> {
    let before = now() - chrono::Duration::from_std(age).unwrap_or_default();
    Ok(execution::Entity::find()
        .select_only()
        .column(execution::Column::Id)
        .column(execution::Column::NextAttemptAt)
        .filter(execution::Column::Status.eq(Status::New.as_str()))
        .filter(execution::Column::StartedAt.lt(before))
        .order_by_asc(execution::Column::StartedAt)
        .limit(limit)
        .into_tuple()
        .all(db.writer())
        .await?)
}

/// Ends a running execution whose lease lapsed as `crashed` with `message`; `false` if it is
/// no longer so.
pub async fn crash_expired(db: &Db, id: Uuid, message: &str) -> Result<bool, StoreError> {
    use sea_orm::TransactionTrait;
    let txn = db.writer().begin().await?;
    let result = execution::Entity::update_many()
        .col_expr(
            execution::Column::Status,
            Expr::value(Status::Crashed.as_str()),
        )
        .col_expr(execution::Column::StoppedAt, Expr::value(now()))
        .col_expr(
            execution::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(execution::Column::Id.eq(id))
        .filter(execution::Column::Status.eq(Status::Running.as_str()))
        .filter(execution::Column::LeaseExpiresAt.lt(now()))
        .exec(&txn)
        .await?;
    if result.rows_affected == 0 {
        return Ok(false);
    }
    let data = serde_json::json!({"resultData": {"runData": {}, "error": {
        "message": message, "name": "WorkflowCrashed"}}});
    super::data::store(&txn, id, &data).await?;
    txn.commit().await?;
    Ok(true)
}

/// Puts a failed execution back to `new`, due at `due` (its workflow retries it), with the
/// failed attempt's run data, while `holder` still holds it; `false` (nothing written) if not.
pub async fn schedule_retry(
    db: &Db,
    id: Uuid,
    holder: &str,
    due: DateTime<Utc>,
    data: &serde_json::Value,
) -> Result<bool, StoreError> {
    use sea_orm::TransactionTrait;
    let txn = db.writer().begin().await?;
    let result = execution::Entity::update_many()
        .col_expr(execution::Column::Status, Expr::value(Status::New.as_str()))
        .col_expr(execution::Column::NextAttemptAt, Expr::value(due))
        .col_expr(
            execution::Column::RetryAttempts,
            Expr::col(execution::Column::RetryAttempts).add(1),
        )
        .col_expr(
            execution::Column::WorkerId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            execution::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(execution::Column::Id.eq(id))
        .filter(execution::Column::WorkerId.eq(holder))
        .filter(execution::Column::Status.eq(Status::Running.as_str()))
        .exec(&txn)
        .await?;
    if result.rows_affected == 0 {
        return Ok(false);
    }
    super::data::store(&txn, id, data).await?;
    txn.commit().await?;
    Ok(true)
}
