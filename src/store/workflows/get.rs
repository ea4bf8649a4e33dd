//! Reads one workflow with its tags: every read of a workflow goes through here, so a cache can wrap it.

use entity::workflow;
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::{StoredWorkflow, not_found, tags_of};
use crate::db::Db;
use crate::store::StoreError;

pub async fn get(db: &Db, id: Uuid) -> Result<StoredWorkflow, StoreError> {
    let model = workflow::Entity::find_by_id(id)
        .one(db.reader())
        .await?
        .ok_or_else(|| not_found(id))?;
    let tags = tags_of(db.reader(), &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(StoredWorkflow::from_model(model, tags))
}
