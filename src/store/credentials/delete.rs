//! Deletes a credential and returns what it was; nodes naming it fail from then on.

use entity::credential;
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::{CredentialRecord, not_found};
use crate::db::Db;
use crate::store::StoreError;

pub async fn delete(db: &Db, id: Uuid) -> Result<CredentialRecord, StoreError> {
    let txn = db.begin_write().await?;
    let model = credential::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| not_found(id))?;
    credential::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    db.workflow_changed();
    Ok(model.into())
}
