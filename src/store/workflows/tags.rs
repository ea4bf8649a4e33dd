//! Reads and replaces the set of tags a workflow carries.

use std::collections::BTreeSet;

use entity::{tag, workflow, workflow_tag};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{not_found, tags_of};
use crate::db::Db;
use crate::store::StoreError;
use crate::store::tags::TagRecord;

pub async fn get_tags(db: &Db, id: Uuid) -> Result<Vec<TagRecord>, StoreError> {
    let exists = workflow::Entity::find_by_id(id).count(db.reader()).await? > 0;
    if !exists {
        return Err(not_found(id));
    }
    Ok(tags_of(db.reader(), &[id])
        .await?
        .remove(&id)
        .unwrap_or_default())
}

/// Makes `tag_ids` the workflow's tags (duplicates collapse); every tag must exist.
pub async fn set_tags(db: &Db, id: Uuid, tag_ids: &[Uuid]) -> Result<Vec<TagRecord>, StoreError> {
    let wanted: BTreeSet<Uuid> = tag_ids.iter().copied().collect();
    let txn = db.begin_write().await?;
    if workflow::Entity::find_by_id(id).count(&txn).await? == 0 {
        return Err(not_found(id));
    }
    let found = tag::Entity::find()
        .filter(tag::Column::Id.is_in(wanted.iter().copied()))
        .count(&txn)
        .await?;
    if found != wanted.len() as u64 {
        return Err(StoreError::NotFound {
            entity: "tag",
            id: "(some of the given tags)".into(),
        });
    }
    workflow_tag::Entity::delete_many()
        .filter(workflow_tag::Column::WorkflowId.eq(id))
        .exec(&txn)
        .await?;
    if !wanted.is_empty() {
        workflow_tag::Entity::insert_many(wanted.iter().map(|tag_id| workflow_tag::ActiveModel {
            workflow_id: Set(id),
            tag_id: Set(*tag_id),
        }))
        .exec(&txn)
        .await?;
    }
    let tags = tags_of(&txn, &[id]).await?.remove(&id).unwrap_or_default();
    txn.commit().await?;
    Ok(tags)
}
