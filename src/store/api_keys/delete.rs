//! Revokes a key: deleted, so it stops working on the next request.

use entity::api_key;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::db::Db;
use crate::store::StoreError;

/// Deletes key `id` of user `user_id` (another user's key is "not found").
pub async fn delete(db: &Db, user_id: Uuid, id: Uuid) -> Result<(), StoreError> {
    let res = api_key::Entity::delete_many()
        .filter(api_key::Column::Id.eq(id))
        .filter(api_key::Column::UserId.eq(user_id))
        .exec(db.writer())
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound {
            entity: "API key",
            id: id.to_string(),
        });
    }
    // Caches of authenticated keys drop what they hold, here and on other instances.
    db.workflow_changed();
    Ok(())
}
