//! Lists a user's keys, newest first.

use entity::api_key;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::ApiKeyRecord;
use crate::db::Db;
use crate::store::StoreError;

pub async fn list_for_user(db: &Db, user_id: Uuid) -> Result<Vec<ApiKeyRecord>, StoreError> {
    api_key::Entity::find()
        .filter(api_key::Column::UserId.eq(user_id))
        .order_by_desc(api_key::Column::CreatedAt)
        .order_by_desc(api_key::Column::Id)
        .all(db.reader())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}
