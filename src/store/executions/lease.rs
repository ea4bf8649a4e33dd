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

/// An update putting executions back to `new`, held by no worker.
fn back_to_new() -> sea_orm::UpdateMany<execution::Entity> {
    execution::Entity::update_many()
        .col_expr(execution::Column::Status, Expr::value(Status::New.as_str()))
        .col_expr(
            execution::Column::WorkerId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            execution::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
}

fn until(lease: Duration) -> DateTime<Utc> {
    now() + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60))
}

/// The worker name a `new` execution carries while it waits for a free place under its
/// workflow's `maxConcurrency` (no worker is named so: theirs are host, pid and a random part).
pub const PARKED: &str = "parked";

/// How a claim went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The caller holds it now and runs it.
    Claimed,
    /// It is not `new` (claimed elsewhere, finished, canceled) or its retry is not due.
    Taken,
    /// Its workflow already runs as many executions as its `maxConcurrency` allows.
    Full,
}

/// Moves a `new` execution to `running`, held by `worker` for `lease`, and counts the attempt;
/// with `limit` (its workflow and `maxConcurrency`), only while fewer of that workflow's
/// executions run (checked and claimed atomically: under a per-workflow lock on Postgres, on
/// the one writer connection on SQLite).
pub async fn claim(
    db: &Db,
    id: Uuid,
    worker: &str,
    lease: Duration,
    limit: Option<(Uuid, u32)>,
) -> Result<Claim, StoreError> {
    use sea_orm::PaginatorTrait;
    let Some((workflow, max)) = limit else {
        // No limit: one statement, no transaction (the hot path).
        return claim_now(db.writer(), id, worker, lease).await;
    };
    let txn = db.begin_write().await?;
    lock_workflow(&txn, workflow).await?;
    let running = execution::Entity::find()
        .filter(execution::Column::WorkflowId.eq(workflow))
        .filter(execution::Column::Status.eq(Status::Running.as_str()))
        .count(&txn)
        .await?;
    if running >= u64::from(max) {
        // Parked in the same transaction, under the same lock as the wake-up that looks
        // for parked executions, so a wake-up cannot miss it.
        execution::Entity::update_many()
            .col_expr(execution::Column::WorkerId, Expr::value(PARKED))
            .col_expr(
                execution::Column::NextAttemptAt,
                Expr::value(until(PARK_SAFETY)),
            )
            .filter(execution::Column::Id.eq(id))
            .filter(execution::Column::Status.eq(Status::New.as_str()))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        return Ok(Claim::Full);
    }
    let claimed = claim_now(&txn, id, worker, lease).await?;
    txn.commit().await?;
    Ok(claimed)
}

/// The claiming update itself, on `conn`.
async fn claim_now<C: sea_orm::ConnectionTrait>(
    conn: &C,
    id: Uuid,
    worker: &str,
    lease: Duration,
) -> Result<Claim, StoreError> {
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
                .or(execution::Column::NextAttemptAt.lte(now()))
                .or(execution::Column::WorkerId.eq(PARKED)),
        )
        .exec(conn)
        .await?;
    Ok(if result.rows_affected == 1 {
        Claim::Claimed
    } else {
        Claim::Taken
    })
}

/// How long a parked execution waits for its wake-up before the reconciler queues it anyway.
const PARK_SAFETY: Duration = Duration::from_secs(30);

/// Takes the per-workflow lock claims under a limit take (Postgres; SQLite's one writer
/// serialises anyway).
async fn lock_workflow<C: sea_orm::ConnectionTrait>(
    txn: &C,
    workflow: Uuid,
) -> Result<(), StoreError> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        let key = i64::from_be_bytes(workflow.as_bytes()[..8].try_into().expect("8 bytes"));
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The oldest `n` executions of `workflow` waiting for a free place (read under the lock a
/// claim parks them under, so none being parked is missed).
pub async fn parked(db: &Db, workflow: Uuid, n: u64) -> Result<Vec<Uuid>, StoreError> {
    let txn = db.begin_write().await?;
    lock_workflow(&txn, workflow).await?;
    let ids = execution::Entity::find()
        .select_only()
        .column(execution::Column::Id)
        .filter(execution::Column::WorkflowId.eq(workflow))
        .filter(execution::Column::Status.eq(Status::New.as_str()))
        .filter(execution::Column::WorkerId.eq(PARKED))
        .order_by_asc(execution::Column::StartedAt)
        .limit(n)
        .into_tuple()
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(ids)
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
        let result = back_to_new()
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
    let result = back_to_new()
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
        // Parked executions are queued again by their workflow's next finish; only a lost
        // wake-up (past its safety time) is the reconciler's.
        .filter(
            execution::Column::WorkerId
                .ne(PARKED)
                .or(execution::Column::WorkerId.is_null())
                .or(execution::Column::NextAttemptAt.lte(now())),
        )
        .order_by_asc(execution::Column::StartedAt)
        .limit(limit)
        .into_tuple()
        .all(db.writer())
        .await?)
}

/// Ends a running execution whose lease lapsed as `crashed` with `message`; `false` if it is
/// no longer so.
pub async fn crash_expired(db: &Db, id: Uuid, message: &str) -> Result<bool, StoreError> {
    let txn = db.begin_write().await?;
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
    let txn = db.begin_write().await?;
    let result = back_to_new()
        .col_expr(execution::Column::NextAttemptAt, Expr::value(due))
        .col_expr(
            execution::Column::RetryAttempts,
            Expr::col(execution::Column::RetryAttempts).add(1),
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
