//! Registering an active workflow's webhook routes (same transaction as the activation).

use entity::{webhook, workflow};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;
use weft_engine::workflow::WebhookRoute;

use crate::store::StoreError;

/// Removes a workflow's routes.
pub async fn clear(conn: &impl ConnectionTrait, workflow_id: Uuid) -> Result<(), StoreError> {
    webhook::Entity::delete_many()
        .filter(webhook::Column::WorkflowId.eq(workflow_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Makes `routes` the workflow's routes; a `(method, path)` another workflow holds is a conflict.
pub async fn sync(
    conn: &impl ConnectionTrait,
    workflow_id: Uuid,
    routes: &[WebhookRoute],
) -> Result<(), StoreError> {
    clear(conn, workflow_id).await?;
    for route in routes {
        if let Some(taken) = webhook::Entity::find_by_id((route.method.clone(), route.path.clone()))
            .one(conn)
            .await?
        {
            let name = workflow::Entity::find_by_id(taken.workflow_id)
                .one(conn)
                .await?
                .map_or_else(|| taken.workflow_id.to_string(), |w| w.name);
            return Err(StoreError::Conflict(format!(
                "The webhook \"{} {}\" is already used by the active workflow \"{name}\" ({})",
                route.method, route.path, taken.workflow_id
            )));
        }
        webhook::ActiveModel {
            method: Set(route.method.clone()),
            path: Set(route.path.clone()),
            workflow_id: Set(workflow_id),
            node: Set(route.node.clone()),
            webhook_id: Set(route.webhook_id.clone()),
            path_segments: Set(route.segments as i32),
            is_dynamic: Set(route.dynamic),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}
