//! Stores a new credential, its data encrypted.

use entity::credential;
use sea_orm::{ActiveModelTrait, Set};

use super::{Cipher, CredentialRecord, NewCredential, seal};
use crate::db::Db;
use crate::store::{StoreError, new_id, now};

/// Stores `new`, owned by `owner`.
pub async fn create(
    db: &Db,
    cipher: &Cipher,
    new: &NewCredential,
    owner: uuid::Uuid,
) -> Result<CredentialRecord, StoreError> {
    let id = new_id();
    let at = now();
    let model = credential::ActiveModel {
        id: Set(id),
        name: Set(new.name.clone()),
        credential_type: Set(new.credential_type.name.to_owned()),
        data: Set(seal(cipher, id, &new.data)?),
        owner_id: Set(Some(owner)),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db.writer())
    .await?;
    db.workflow_changed();
    Ok(model.into())
}
