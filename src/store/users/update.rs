//! Changes to users: names, password, role, and the disabled flag that ends their access.

use entity::user;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::UserRecord;
use crate::auth::Role;
use crate::db::Db;
use crate::store::{StoreError, now};

/// Disables (or enables) user `id`: a disabled user's keys and tokens stop working at once on
/// every instance (caches of authenticated keys are told).
pub async fn set_disabled(db: &Db, id: Uuid, disabled: bool) -> Result<(), StoreError> {
    let res = user::Entity::update_many()
        .col_expr(user::Column::Disabled, Expr::value(disabled))
        .col_expr(user::Column::UpdatedAt, Expr::value(now()))
        .filter(user::Column::Id.eq(id))
        .exec(db.writer())
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound {
            entity: "user",
            id: id.to_string(),
        });
    }
    db.workflow_changed();
    Ok(())
}

/// What `PATCH /users/{id}` may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    /// A new password, hashed.
    pub password_hash: Option<String>,
    pub disabled: Option<bool>,
    pub role: Option<Role>,
}

/// Applies `changes` to user `id` and returns the user as stored. A new role or a disabled
/// user is told to every instance's caches at once.
pub async fn update(db: &Db, id: Uuid, changes: UserChanges) -> Result<UserRecord, StoreError> {
    let mut q = user::Entity::update_many()
        .col_expr(user::Column::UpdatedAt, Expr::value(now()))
        .filter(user::Column::Id.eq(id));
    if let Some(v) = changes.first_name {
        q = q.col_expr(user::Column::FirstName, Expr::value(v));
    }
    if let Some(v) = changes.last_name {
        q = q.col_expr(user::Column::LastName, Expr::value(v));
    }
    if let Some(v) = changes.password_hash {
        q = q.col_expr(user::Column::PasswordHash, Expr::value(v));
    }
    if let Some(v) = changes.disabled {
        q = q.col_expr(user::Column::Disabled, Expr::value(v));
    }
    if let Some(v) = changes.role {
        q = q.col_expr(user::Column::Role, Expr::value(v.as_str()));
    }
    let res = q
        .exec(db.writer())
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("there is an owner already".into()),
            other => other,
        })?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound {
            entity: "user",
            id: id.to_string(),
        });
    }
    db.workflow_changed();
    user::Entity::find_by_id(id)
        .one(db.writer())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "user",
            id: id.to_string(),
        })?
        .try_into()
}
