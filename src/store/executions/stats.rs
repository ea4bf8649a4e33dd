//! What the queue status reports from the rows: executions running, failed lately, and the
//! oldest one waiting to start.

use chrono::{DateTime, Utc};
use entity::execution;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{PARKED, Status};
use crate::db::Db;
use crate::store::{StoreError, now};

pub struct QueueCounts {
    pub running: u64,
    /// Ended `error` or `crashed` since the time asked.
    pub failed: u64,
    /// When the oldest execution waiting to start (due, or parked under its workflow's limit)
    /// was written.
    pub oldest_waiting: Option<DateTime<Utc>>,
}

pub async fn queue_counts(db: &Db, failed_since: DateTime<Utc>) -> Result<QueueCounts, StoreError> {
    let running = execution::Entity::find()
        .filter(execution::Column::Status.eq(Status::Running.as_str()))
        .count(db.reader())
        .await?;
    let failed = execution::Entity::find()
        .filter(execution::Column::Status.is_in([Status::Error.as_str(), Status::Crashed.as_str()]))
        .filter(execution::Column::StoppedAt.gte(failed_since))
        .count(db.reader())
        .await?;
    let oldest_waiting: Option<DateTime<Utc>> = execution::Entity::find()
        .select_only()
        .column(execution::Column::StartedAt)
        .filter(execution::Column::Status.eq(Status::New.as_str()))
        .filter(
            execution::Column::NextAttemptAt
                .is_null()
                .or(execution::Column::NextAttemptAt.lte(now()))
                .or(execution::Column::WorkerId.eq(PARKED)),
        )
        .order_by_asc(execution::Column::StartedAt)
        .limit(1)
        .into_tuple()
        .one(db.reader())
        .await?;
    Ok(QueueCounts {
        running,
        failed,
        oldest_waiting,
    })
}
