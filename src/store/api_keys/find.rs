//! Finds the key a request presents, and notes its use.

use chrono::{DateTime, Utc};
use entity::{api_key, user};
use sea_orm::{
    ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationDef, sea_query::Expr,
};
use uuid::Uuid;

use super::ApiKeyRecord;
use crate::db::Db;
use crate::store::StoreError;
use crate::store::users::UserRecord;

/// The key stored under `prefix` and its user, in one query (every API call makes it).
///
/// Replica note: this reads `db.reader()`, the primary until replicas are routed. A replica
/// router must send it to the primary for a short window after a change generation bump, or a
/// revoked key or disabled user could pass on a lagging replica.
pub async fn find_with_user(
    db: &Db,
    prefix: &str,
) -> Result<Option<(ApiKeyRecord, UserRecord)>, StoreError> {
    let owner: RelationDef = api_key::Entity::belongs_to(user::Entity)
        .from(api_key::Column::UserId)
        .to(user::Column::Id)
        .into();
    let found = api_key::Entity::find()
        .filter(api_key::Column::Prefix.eq(prefix))
        .join(JoinType::InnerJoin, owner)
        .select_also(user::Entity)
        .one(db.reader())
        .await?;
    match found {
        Some((key, Some(user))) => Ok(Some((key.try_into()?, user.try_into()?))),
        _ => Ok(None),
    }
}

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
