//! Reads one tag.

use entity::tag;
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::{TagRecord, not_found};
use crate::db::Db;
use crate::store::StoreError;

pub async fn get(db: &Db, id: Uuid) -> Result<TagRecord, StoreError> {
    tag::Entity::find_by_id(id)
        .one(db.reader())
        .await?
        .map(Into::into)
        .ok_or_else(|| not_found(id))
}
