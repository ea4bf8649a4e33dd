//! Reads one credential's name and type.

use entity::credential;
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::{CredentialRecord, not_found};
use crate::db::Db;
use crate::store::StoreError;

pub async fn get(db: &Db, id: Uuid) -> Result<CredentialRecord, StoreError> {
    credential::Entity::find_by_id(id)
        .one(db.reader())
        .await?
        .map(Into::into)
        .ok_or_else(|| not_found(id))
}
