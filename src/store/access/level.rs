//! One user's level on one resource.

use entity::{credential, credential_share, execution, workflow, workflow_share};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{Actor, Level, ShareRole};
use crate::db::Db;
use crate::store::StoreError;

/// What a check found: no such resource, one the user may not see (answered as if missing), or
/// the user's level on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Missing,
    Hidden,
    At(Level),
}

fn from_share(role: Option<String>) -> Found {
    role.as_deref()
        .and_then(ShareRole::parse)
        .map_or(Found::Hidden, |r| Found::At(r.level()))
}

/// The level of `actor` on a resource whose `owner_id` lookup gave `owner` (`None`: no such
/// resource); `share_role` reads the role it is shared with, and runs only when needed.
async fn level_of(
    actor: Actor,
    owner: Option<Option<Uuid>>,
    share_role: impl std::future::Future<Output = Result<Option<String>, sea_orm::DbErr>>,
) -> Result<Found, StoreError> {
    let Some(owner) = owner else {
        return Ok(Found::Missing);
    };
    if actor.sees_all || owner == Some(actor.user_id) {
        return Ok(Found::At(Level::Owner));
    }
    Ok(from_share(share_role.await?))
}

/// `actor`'s level on workflow `id`.
pub async fn workflow_level(db: &Db, actor: Actor, id: Uuid) -> Result<Found, StoreError> {
    let owner = workflow::Entity::find_by_id(id)
        .select_only()
        .column(workflow::Column::OwnerId)
        .into_tuple()
        .one(db.reader())
        .await?;
    let role = workflow_share::Entity::find()
        .select_only()
        .column(workflow_share::Column::Role)
        .filter(workflow_share::Column::WorkflowId.eq(id))
        .filter(workflow_share::Column::UserId.eq(actor.user_id))
        .into_tuple()
        .one(db.reader());
    level_of(actor, owner, role).await
}

/// `actor`'s level on credential `id`.
pub async fn credential_level(db: &Db, actor: Actor, id: Uuid) -> Result<Found, StoreError> {
    let owner = credential::Entity::find_by_id(id)
        .select_only()
        .column(credential::Column::OwnerId)
        .into_tuple()
        .one(db.reader())
        .await?;
    let role = credential_share::Entity::find()
        .select_only()
        .column(credential_share::Column::Role)
        .filter(credential_share::Column::CredentialId.eq(id))
        .filter(credential_share::Column::UserId.eq(actor.user_id))
        .into_tuple()
        .one(db.reader());
    level_of(actor, owner, role).await
}

/// `actor`'s level on execution `id`: its workflow's (an execution of a deleted workflow only
/// for those who see everything).
pub async fn execution_level(db: &Db, actor: Actor, id: Uuid) -> Result<Found, StoreError> {
    let workflow: Option<Uuid> = execution::Entity::find_by_id(id)
        .select_only()
        .column(execution::Column::WorkflowId)
        .into_tuple()
        .one(db.reader())
        .await?;
    let Some(workflow) = workflow else {
        return Ok(Found::Missing);
    };
    if actor.sees_all {
        return Ok(Found::At(Level::Owner));
    }
    Ok(match workflow_level(db, actor, workflow).await? {
        Found::Missing => Found::Hidden,
        found => found,
    })
}
