//! Creates a variable; a taken key is refused.

use entity::variable;
use sea_orm::{ActiveModelTrait, Set};

use super::{NewVariable, VariableRecord, key_taken};
use crate::db::Db;
use crate::store::{StoreError, new_id, now};

pub async fn create(db: &Db, new: &NewVariable) -> Result<VariableRecord, StoreError> {
    let at = now();
    let model = variable::ActiveModel {
        id: Set(new_id()),
        key: Set(new.key().to_owned()),
        value: Set(new.value().to_owned()),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db.writer())
    .await
    .map_err(|e| key_taken(new.key())(e.into()))?;
    // Runs read variables through a cache dropped on every change.
    db.workflow_changed();
    Ok(model.into())
}
