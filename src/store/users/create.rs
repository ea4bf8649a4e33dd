//! Creates users; the owner only while there is none.

use entity::user;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};

use super::UserRecord;
use crate::auth::Role;
use crate::db::Db;
use crate::store::{StoreError, new_id, now};

/// A user to create: the password already hashed (or none: the user signs in with keys).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

fn model(new: &NewUser) -> user::ActiveModel {
    let at = now();
    user::ActiveModel {
        id: Set(new_id()),
        email: Set(new.email.trim().to_lowercase()),
        first_name: Set(new.first_name.clone()),
        last_name: Set(new.last_name.clone()),
        password_hash: Set(new.password_hash.clone()),
        role: Set(new.role.as_str().to_owned()),
        disabled: Set(false),
        created_at: Set(at),
        updated_at: Set(at),
    }
}

/// Creates a user; a taken email, or a second owner, is a conflict.
pub async fn create(db: &Db, new: &NewUser) -> Result<UserRecord, StoreError> {
    let model = model(new)
        .insert(db.writer())
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(detail)
                if detail.contains("uq_users_one_owner") || detail.contains("users.role") =>
            {
                StoreError::Conflict("there is an owner already".into())
            }
            StoreError::Conflict(_) => StoreError::Conflict(format!(
                "a user with the email {:?} already exists",
                new.email.trim().to_lowercase()
            )),
            other => other,
        })?;
    model.try_into()
}

/// Creates the owner if no user exists yet: `Some` with the new owner, `None` when users
/// exist. Safe when several processes start at once: the check and the insert share one
/// transaction, and the unique email lets only one of equal requests in.
pub async fn create_owner_if_none(
    db: &Db,
    email: &str,
    password_hash: Option<String>,
) -> Result<Option<UserRecord>, StoreError> {
    let new = NewUser {
        email: email.to_owned(),
        role: Role::Owner,
        password_hash,
        first_name: None,
        last_name: None,
    };
    create_first(db, &new).await
}

/// Creates `new` if no user exists yet (owner setup): `None` when users exist.
pub async fn create_first(db: &Db, new: &NewUser) -> Result<Option<UserRecord>, StoreError> {
    let txn = db.begin_write().await?;
    if user::Entity::find().count(&txn).await? > 0 {
        return Ok(None);
    }
    let inserted = match model(new).insert(&txn).await {
        Ok(m) => m,
        Err(e) => {
            return match StoreError::from(e) {
                // Another process made the owner between our count and insert.
                StoreError::Conflict(_) => Ok(None),
                other => Err(other),
            };
        }
    };
    match txn.commit().await {
        Ok(()) => Ok(Some(inserted.try_into()?)),
        Err(e) => match StoreError::from(e) {
            StoreError::Conflict(_) => Ok(None),
            other => Err(other),
        },
    }
}
