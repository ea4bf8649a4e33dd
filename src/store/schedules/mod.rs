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

/// Deletes claims of ticks fired before `before`, except each rule's newest (an "every N
/// months" rule counts from it); returns how many.
pub async fn prune(db: &Db, before: DateTime<Utc>) -> Result<u64, StoreError> {
    use sea_orm::ConnectionTrait;
    let backend = db.backend();
    let sql = "DELETE FROM schedule_ticks WHERE tick_at < $1 AND (workflow_id, node, rule_index, tick_at) \
               NOT IN (SELECT workflow_id, node, rule_index, MAX(tick_at) FROM schedule_ticks \
               GROUP BY workflow_id, node, rule_index)";
    let sql = if backend == sea_orm::DbBackend::Sqlite {
        sql.replace("$1", "?")
    } else {
        sql.to_owned()
    };
    let done = db
        .writer()
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            sql,
            [before.into()],
        ))
        .await?;
    Ok(done.rows_affected())
}
