//! Reads users.

use entity::user;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::UserRecord;
use crate::db::Db;
use crate::store::StoreError;

/// The user with `id`.
pub async fn get(db: &Db, id: Uuid) -> Result<UserRecord, StoreError> {
    user::Entity::find_by_id(id)
        .one(db.reader())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "user",
            id: id.to_string(),
        })?
        .try_into()
}

/// The owner, if there is one yet.
pub async fn owner(db: &Db) -> Result<Option<UserRecord>, StoreError> {
    user::Entity::find()
        .filter(user::Column::Role.eq("owner"))
        .order_by_asc(user::Column::CreatedAt)
        .one(db.writer())
        .await?
        .map(TryInto::try_into)
        .transpose()
}

/// Whether any user exists (read from the primary: it decides first-start work).
pub async fn any_exists(db: &Db) -> Result<bool, StoreError> {
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .limit(1)
        .into_tuple::<Uuid>()
        .one(db.writer())
        .await?
        .is_some())
}

/// The user with `email` (any case) and their password hash, for sign-in.
pub async fn password_hash_by_email(
    db: &Db,
    email: &str,
) -> Result<Option<(UserRecord, Option<String>)>, StoreError> {
    let Some(model) = user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db.reader())
        .await?
    else {
        return Ok(None);
    };
    let hash = model.password_hash.clone();
    Ok(Some((model.try_into()?, hash)))
}

/// The user whose id or email (any case) is `key`, as n8n's `GET /users/{id}` finds them.
pub async fn by_id_or_email(db: &Db, key: &str) -> Result<Option<UserRecord>, StoreError> {
    let filter = match Uuid::try_parse(key.trim()) {
        Ok(id) => user::Column::Id.eq(id),
        Err(_) => user::Column::Email.eq(key.trim().to_lowercase()),
    };
    user::Entity::find()
        .filter(filter)
        .one(db.reader())
        .await?
        .map(TryInto::try_into)
        .transpose()
}
