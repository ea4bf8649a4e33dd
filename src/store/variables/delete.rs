//! Deletes a variable.

use entity::variable;
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::not_found;
use crate::db::Db;
use crate::store::StoreError;

pub async fn delete(db: &Db, id: Uuid) -> Result<(), StoreError> {
    let done = variable::Entity::delete_by_id(id).exec(db.writer()).await?;
    if done.rows_affected == 0 {
        return Err(not_found(id));
    }
    db.workflow_changed();
    Ok(())
}
