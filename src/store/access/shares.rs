//! Who a workflow or credential is shared with: read, and replaced as a whole.

use entity::{credential_share, user, workflow_share};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{Share, ShareRole};
use crate::db::Db;
use crate::store::{StoreError, now};

fn to_share(user_id: Uuid, role: &str) -> Option<Share> {
    ShareRole::parse(role).map(|role| Share { user_id, role })
}

/// The users workflow `id` is shared with.
pub async fn workflow_shares(db: &Db, id: Uuid) -> Result<Vec<Share>, StoreError> {
    Ok(workflow_share::Entity::find()
        .filter(workflow_share::Column::WorkflowId.eq(id))
        .order_by_asc(workflow_share::Column::CreatedAt)
        .all(db.reader())
        .await?
        .into_iter()
        .filter_map(|s| to_share(s.user_id, &s.role))
        .collect())
}

/// The users credential `id` is shared with.
pub async fn credential_shares(db: &Db, id: Uuid) -> Result<Vec<Share>, StoreError> {
    Ok(credential_share::Entity::find()
        .filter(credential_share::Column::CredentialId.eq(id))
        .order_by_asc(credential_share::Column::CreatedAt)
        .all(db.reader())
        .await?
        .into_iter()
        .filter_map(|s| to_share(s.user_id, &s.role))
        .collect())
}

/// Checks every user exists and is not the resource's owner; a missing one is a `NotFound`.
async fn check_users<C: sea_orm::ConnectionTrait>(
    conn: &C,
    shares: &[Share],
    owner: Option<Uuid>,
) -> Result<(), StoreError> {
    for share in shares {
        if Some(share.user_id) == owner {
            return Err(StoreError::Invalid(vec![(
                "shares".into(),
                format!("user {} owns it already", share.user_id),
            )]));
        }
        let exists = user::Entity::find_by_id(share.user_id).count(conn).await? > 0;
        if !exists {
            return Err(StoreError::NotFound {
                entity: "user",
                id: share.user_id.to_string(),
            });
        }
    }
    Ok(())
}

/// Replaces the users workflow `id` (owned by `owner`) is shared with.
pub async fn set_workflow_shares(
    db: &Db,
    id: Uuid,
    owner: Option<Uuid>,
    shares: &[Share],
) -> Result<(), StoreError> {
    let tx = db.begin_write().await?;
    check_users(&tx, shares, owner).await?;
    workflow_share::Entity::delete_many()
        .filter(workflow_share::Column::WorkflowId.eq(id))
        .exec(&tx)
        .await?;
    let at = now();
    if !shares.is_empty() {
        workflow_share::Entity::insert_many(shares.iter().map(|s| workflow_share::ActiveModel {
            workflow_id: Set(id),
            user_id: Set(s.user_id),
            role: Set(s.role.as_str().to_owned()),
            created_at: Set(at),
        }))
        .exec(&tx)
        .await?;
    }
    tx.commit().await?;
    db.workflow_changed();
    Ok(())
}

/// Replaces the users credential `id` (owned by `owner`) is shared with.
pub async fn set_credential_shares(
    db: &Db,
    id: Uuid,
    owner: Option<Uuid>,
    shares: &[Share],
) -> Result<(), StoreError> {
    let tx = db.begin_write().await?;
    check_users(&tx, shares, owner).await?;
    credential_share::Entity::delete_many()
        .filter(credential_share::Column::CredentialId.eq(id))
        .exec(&tx)
        .await?;
    let at = now();
    if !shares.is_empty() {
        credential_share::Entity::insert_many(shares.iter().map(|s| {
            credential_share::ActiveModel {
                credential_id: Set(id),
                user_id: Set(s.user_id),
                role: Set(s.role.as_str().to_owned()),
                created_at: Set(at),
            }
        }))
        .exec(&tx)
        .await?;
    }
    tx.commit().await?;
    db.workflow_changed();
    Ok(())
}
