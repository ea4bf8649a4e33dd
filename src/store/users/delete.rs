//! Deletes a user. Their workflows and credentials go to another user when one is named, and
//! are deleted with them otherwise (as n8n's `DELETE /users/{id}` without `transferId`); their
//! keys, sign-ins and shares go with them.

use entity::{credential, credential_share, user, workflow, workflow_share};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::UserRecord;
use crate::db::Db;
use crate::store::{StoreError, now};

fn missing(id: Uuid) -> StoreError {
    StoreError::NotFound {
        entity: "user",
        id: id.to_string(),
    }
}

pub async fn delete(
    db: &Db,
    id: Uuid,
    transfer_to: Option<Uuid>,
) -> Result<UserRecord, StoreError> {
    let tx = db.begin_write().await?;
    let gone: UserRecord = user::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or_else(|| missing(id))?
        .try_into()?;
    if let Some(heir) = transfer_to {
        if user::Entity::find_by_id(heir).one(&tx).await?.is_none() {
            return Err(StoreError::NotFound {
                entity: "user",
                id: heir.to_string(),
            });
        }
        // What the heir now owns needs no share of theirs.
        let owned_wf = sea_orm::sea_query::Query::select()
            .column(workflow::Column::Id)
            .from(workflow::Entity)
            .and_where(Expr::col(workflow::Column::OwnerId).eq(id))
            .to_owned();
        workflow_share::Entity::delete_many()
            .filter(workflow_share::Column::UserId.eq(heir))
            .filter(Expr::col(workflow_share::Column::WorkflowId).in_subquery(owned_wf))
            .exec(&tx)
            .await?;
        let owned_cred = sea_orm::sea_query::Query::select()
            .column(credential::Column::Id)
            .from(credential::Entity)
            .and_where(Expr::col(credential::Column::OwnerId).eq(id))
            .to_owned();
        credential_share::Entity::delete_many()
            .filter(credential_share::Column::UserId.eq(heir))
            .filter(Expr::col(credential_share::Column::CredentialId).in_subquery(owned_cred))
            .exec(&tx)
            .await?;
        let at = now();
        workflow::Entity::update_many()
            .col_expr(workflow::Column::OwnerId, Expr::value(heir))
            .col_expr(workflow::Column::UpdatedAt, Expr::value(at))
            .filter(workflow::Column::OwnerId.eq(id))
            .exec(&tx)
            .await?;
        credential::Entity::update_many()
            .col_expr(credential::Column::OwnerId, Expr::value(heir))
            .col_expr(credential::Column::UpdatedAt, Expr::value(at))
            .filter(credential::Column::OwnerId.eq(id))
            .exec(&tx)
            .await?;
    } else {
        workflow::Entity::delete_many()
            .filter(workflow::Column::OwnerId.eq(id))
            .exec(&tx)
            .await?;
        credential::Entity::delete_many()
            .filter(credential::Column::OwnerId.eq(id))
            .exec(&tx)
            .await?;
    }
    let res = user::Entity::delete_by_id(id).exec(&tx).await?;
    if res.rows_affected != 1 {
        return Err(missing(id));
    }
    tx.commit().await?;
    db.workflow_changed();
    Ok(gone)
}
