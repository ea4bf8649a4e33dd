//! Renames a tag; a taken name is a conflict.

use entity::tag;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use uuid::Uuid;

use super::{TagName, TagRecord, name_taken, not_found};
use crate::db::Db;
use crate::store::{StoreError, now};

pub async fn rename(db: &Db, id: Uuid, name: &TagName) -> Result<TagRecord, StoreError> {
    let current = tag::Entity::find_by_id(id)
        .one(db.writer())
        .await?
        .ok_or_else(|| not_found(id))?;
    let mut model = current.into_active_model();
    model.name = Set(name.as_str().to_owned());
    model.updated_at = Set(now());
    let saved = model
        .update(db.writer())
        .await
        .map_err(|e| name_taken(name)(e.into()))?;
    Ok(saved.into())
}
