//! Finds the key a request presents, and notes its use.

use chrono::{DateTime, Utc};
use entity::api_key;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::ApiKeyRecord;
use crate::db::Db;
use crate::store::StoreError;

/// The key stored under `prefix`, if any (its hash still has to match).
pub async fn find_by_prefix(db: &Db, prefix: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
    api_key::Entity::find()
        .filter(api_key::Column::Prefix.eq(prefix))
        .one(db.reader())
        .await?
        .map(TryInto::try_into)
        .transpose()
}

/// Records that key `id` was used at `at`.
pub async fn touch(db: &Db, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
    api_key::Entity::update_many()
        .col_expr(api_key::Column::LastUsedAt, Expr::value(at))
        .filter(api_key::Column::Id.eq(id))
        .exec(db.writer())
        .await?;
    Ok(())
}
