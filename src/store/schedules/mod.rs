//! Fired schedule ticks (`schedule_ticks`): a tick's claim is written with its execution (see
//! `executions::create`); here they are read back (the last tick of a rule, for "every N days"
//! rules) and old ones deleted.

use chrono::{DateTime, Utc};
use entity::schedule_tick as row;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::db::Db;
use crate::store::StoreError;

/// The newest tick rule `rule` of `node` in `workflow` fired before `before`.
pub async fn last_tick(
    db: &Db,
    workflow: Uuid,
    node: &str,
    rule: u32,
    before: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(row::Entity::find()
        .select_only()
        .column(row::Column::TickAt)
        .filter(row::Column::WorkflowId.eq(workflow))
        .filter(row::Column::Node.eq(node))
        .filter(row::Column::RuleIndex.eq(i32::try_from(rule).unwrap_or(i32::MAX)))
        .filter(row::Column::TickAt.lt(before))
        .order_by_desc(row::Column::TickAt)
        .limit(1)
        .into_tuple()
        .one(db.writer())
        .await?)
}

/// Whether the tick was fired (claimed) already.
pub async fn fired(
    db: &Db,
    workflow: Uuid,
    node: &str,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(row::Entity::find_by_id((workflow, node.to_owned(), at))
        .one(db.writer())
        .await?
        .is_some())
}

/// Deletes claims of ticks older than `before` (at most `limit`); returns how many.
pub async fn prune(db: &Db, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = row::Entity::delete_many()
        .filter(row::Column::TickAt.lt(before))
        .exec(db.writer())
        .await?;
    Ok(done.rows_affected)
}
