//! Waiting executions: paused with their state (and maybe a time to resume), claimed back to
//! `running` exactly once when resumed, and listed at start-up so their timers are set again.

use chrono::{DateTime, Utc};
use entity::execution;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::Value;
use uuid::Uuid;

use super::{Status, data};
use crate::db::Db;
use crate::store::StoreError;

/// Marks a running execution `waiting` until `wait_till` (or a call) and stores its state,
/// while `holder` still holds its lease; `false` (nothing written) when it does not.
pub async fn pause(
    db: &Db,
    id: Uuid,
    holder: &str,
    wait_till: Option<DateTime<Utc>>,
    state: &Value,
) -> Result<bool, StoreError> {
    let txn = db.begin_write().await?;
    let result = execution::Entity::update_many()
        .col_expr(
            execution::Column::Status,
            Expr::value(Status::Waiting.as_str()),
        )
        .col_expr(execution::Column::WaitTill, Expr::value(wait_till))
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
    data::store(&txn, id, state).await?;
    txn.commit().await?;
    Ok(true)
}

/// Moves a `waiting` execution back to `new`, to be queued and resumed with `call` (the items
/// of the call that resumed it; `None` at its time). `false` when it is not waiting (already
/// resumed, canceled, or never paused): the caller must not queue it.
pub async fn claim_waiting(
    db: &Db,
    id: Uuid,
    mut request: super::StoredRequest,
    call: Option<Vec<weft_engine::run::Item>>,
) -> Result<bool, StoreError> {
    let txn = db.begin_write().await?;
    let result = execution::Entity::update_many()
        .col_expr(execution::Column::Status, Expr::value(Status::New.as_str()))
        .col_expr(
            execution::Column::WaitTill,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(execution::Column::Id.eq(id))
        .filter(execution::Column::Status.eq(Status::Waiting.as_str()))
        .exec(&txn)
        .await?;
    if result.rows_affected == 0 {
        return Ok(false);
    }
    request.resume = Some(super::ResumeCall { items: call });
    super::request::set_request(&txn, id, &request).await?;
    txn.commit().await?;
    Ok(true)
}

/// Waiting executions that resume at a time, with that time.
pub async fn timed(db: &Db) -> Result<Vec<(Uuid, DateTime<Utc>)>, StoreError> {
    let rows: Vec<(Uuid, Option<DateTime<Utc>>)> = execution::Entity::find()
        .select_only()
        .column(execution::Column::Id)
        .column(execution::Column::WaitTill)
        .filter(execution::Column::Status.eq(Status::Waiting.as_str()))
        .filter(execution::Column::WaitTill.is_not_null())
        .into_tuple()
        .all(db.reader())
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, till)| till.map(|t| (id, t)))
        .collect())
}
