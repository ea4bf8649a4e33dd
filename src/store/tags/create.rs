//! Creates a tag; a taken name is a conflict.

use entity::tag;
use sea_orm::{ActiveModelTrait, Set};

use super::{TagName, TagRecord, name_taken};
use crate::db::Db;
use crate::store::{StoreError, new_id, now};

pub async fn create(db: &Db, name: &TagName) -> Result<TagRecord, StoreError> {
    let at = now();
    let model = tag::ActiveModel {
        id: Set(new_id()),
        name: Set(name.as_str().to_owned()),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db.writer())
    .await
    .map_err(|e| name_taken(name)(e.into()))?;
    Ok(model.into())
}
