//! Deletes a tag (workflows lose it) and returns it.

use entity::tag;
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::{TagRecord, not_found};
use crate::db::Db;
use crate::store::StoreError;

pub async fn delete(db: &Db, id: Uuid) -> Result<TagRecord, StoreError> {
    let txn = db.begin_write().await?;
    let model = tag::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| not_found(id))?;
    tag::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    Ok(model.into())
}
