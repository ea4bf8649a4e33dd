//! Changes to users that end their access.

use entity::user;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

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
