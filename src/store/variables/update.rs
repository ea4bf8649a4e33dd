//! Replaces a variable's key and value; a key another variable has is refused.

use entity::variable;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use uuid::Uuid;

use super::{NewVariable, VariableRecord, key_taken, not_found};
use crate::db::Db;
use crate::store::{StoreError, now};

pub async fn update(db: &Db, id: Uuid, new: &NewVariable) -> Result<VariableRecord, StoreError> {
    let current = variable::Entity::find_by_id(id)
        .one(db.writer())
        .await?
        .ok_or_else(|| not_found(id))?;
    let mut model = current.into_active_model();
    model.key = Set(new.key().to_owned());
    model.value = Set(new.value().to_owned());
    model.updated_at = Set(now());
    let saved = model
        .update(db.writer())
        .await
        .map_err(|e| key_taken(new.key())(e.into()))?;
    db.workflow_changed();
    Ok(saved.into())
}
