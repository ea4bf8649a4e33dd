//! Deletes a workflow (its history, tags links, webhooks and executions go with it) and returns it.

use entity::workflow;
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::{StoredWorkflow, not_found, tags_of};
use crate::db::Db;
use crate::store::StoreError;

pub async fn delete(db: &Db, id: Uuid) -> Result<StoredWorkflow, StoreError> {
    let txn = db.begin_write().await?;
    let model = workflow::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| not_found(id))?;
    let tags = tags_of(&txn, &[id]).await?.remove(&id).unwrap_or_default();
    let deleted = workflow::Entity::delete_by_id(id).exec(&txn).await?;
    if deleted.rows_affected != 1 {
        return Err(not_found(id));
    }
    txn.commit().await?;
    db.workflow_changed();
    Ok(StoredWorkflow::from_model(model, tags))
}
