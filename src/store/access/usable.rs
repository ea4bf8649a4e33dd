//! Which credentials a workflow may use: those its owner may use (the owner's own, those shared
//! with them, or any for the instance owner and admins). Checked when a workflow is saved or
//! activated, and again by every credential lookup of its runs.

use std::collections::HashSet;

use entity::{credential, user, workflow};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::Value;
use uuid::Uuid;

use super::{Actor, visible_credentials};
use crate::auth::Role;
use crate::db::Db;
use crate::store::StoreError;

/// The owner of workflow `id` as the one its credentials are checked for; `None` when the
/// workflow or its owner is gone, or it predates users (its runs are not limited).
pub async fn workflow_owner(db: &Db, id: Uuid) -> Result<Option<Actor>, StoreError> {
    match workflow_owner_id(db, id).await? {
        Some(owner) => actor_of_user(db, owner).await,
        None => Ok(None),
    }
}

/// The id of the user workflow `id` belongs to (`None`: no such workflow, or one from before
/// users).
pub async fn workflow_owner_id(db: &Db, id: Uuid) -> Result<Option<Uuid>, StoreError> {
    let owner: Option<Option<Uuid>> = workflow::Entity::find_by_id(id)
        .select_only()
        .column(workflow::Column::OwnerId)
        .into_tuple()
        .one(db.reader())
        .await?;
    Ok(owner.flatten())
}

/// User `id` as an [`Actor`], if they exist.
pub async fn actor_of_user(db: &Db, id: Uuid) -> Result<Option<Actor>, StoreError> {
    let role: Option<String> = user::Entity::find_by_id(id)
        .select_only()
        .column(user::Column::Role)
        .into_tuple()
        .one(db.reader())
        .await?;
    Ok(role.map(|role| Actor {
        user_id: id,
        sees_all: Role::parse(&role) != Some(Role::Member),
    }))
}

/// The credential ids the nodes' `credentials` objects name that exist but `actor` may not
/// use. References by name only, or to ids this server does not have, are left to the run.
pub async fn unusable_credentials<'a>(
    db: &Db,
    actor: Actor,
    node_credentials: impl IntoIterator<Item = &'a Value>,
) -> Result<Vec<Uuid>, StoreError> {
    if actor.sees_all {
        return Ok(Vec::new());
    }
    let named: HashSet<Uuid> = node_credentials
        .into_iter()
        .filter_map(Value::as_object)
        .flat_map(|creds| creds.values())
        .filter_map(|c| {
            c.get("id")?
                .as_str()
                .and_then(|id| Uuid::try_parse(id.trim()).ok())
        })
        .collect();
    if named.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = named.into_iter().collect();
    let existing: Vec<Uuid> = credential::Entity::find()
        .select_only()
        .column(credential::Column::Id)
        .filter(credential::Column::Id.is_in(ids.clone()))
        .into_tuple()
        .all(db.reader())
        .await?;
    let usable: HashSet<Uuid> = credential::Entity::find()
        .select_only()
        .column(credential::Column::Id)
        .filter(credential::Column::Id.is_in(ids))
        .filter(visible_credentials(
            Expr::col((credential::Entity, credential::Column::Id)),
            actor.user_id,
        ))
        .into_tuple::<Uuid>()
        .all(db.reader())
        .await?
        .into_iter()
        .collect();
    let mut refused: Vec<Uuid> = existing
        .into_iter()
        .filter(|id| !usable.contains(id))
        .collect();
    refused.sort();
    Ok(refused)
}
