//! Replaces a workflow's definition as a new version, optionally only if the caller saw the current one.

use entity::workflow;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;
use weft_engine::WorkflowDefinition;

use super::{
    StoredWorkflow, changed_concurrently, definition_columns, insert_history, not_found, tags_of,
};
use crate::db::Db;
use crate::store::{StoreError, new_id, now};

/// Saves `def` as the workflow's new version. With `expected_versions` non-empty, the save happens
/// only if one of them is still the stored version (`If-Match`). Another writer saving in between is reported
/// as a conflict rather than silently overwritten.
pub async fn update(
    db: &Db,
    id: Uuid,
    def: &WorkflowDefinition,
    expected_versions: &[Uuid],
) -> Result<StoredWorkflow, StoreError> {
    let cols = definition_columns(def)?;
    let txn = db.begin_write().await?;
    let current = workflow::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| not_found(id))?;
    if !expected_versions.is_empty() && !expected_versions.contains(&current.version_id) {
        return Err(StoreError::VersionMismatch {
            current: current.version_id.to_string(),
        });
    }
    let triggers = def.activation_triggers().count();
    if current.active && triggers == 0 {
        return Err(StoreError::Rule(
            "the workflow is active and this version has no trigger node; deactivate it first"
                .into(),
        ));
    }
    let trigger_count = if current.active { triggers as i32 } else { 0 };
    if current.active {
        super::activation::check_schedules(def, id)?;
        super::activation::check_sub_workflows(&txn, def, id).await?;
        let routes = def.webhook_routes().map_err(StoreError::Rule)?;
        crate::store::webhooks::sync(&txn, id, &routes).await?;
    }
    let version_id = new_id();
    let updated_at = now().max(current.updated_at);
    let result = workflow::Entity::update_many()
        .col_expr(workflow::Column::Name, Expr::value(def.name().as_str()))
        .col_expr(workflow::Column::Nodes, Expr::value(cols.nodes))
        .col_expr(workflow::Column::Connections, Expr::value(cols.connections))
        .col_expr(workflow::Column::Settings, Expr::value(cols.settings))
        .col_expr(workflow::Column::StaticData, Expr::value(cols.static_data))
        .col_expr(workflow::Column::PinData, Expr::value(cols.pin_data))
        .col_expr(workflow::Column::Meta, Expr::value(cols.meta))
        .col_expr(workflow::Column::VersionId, Expr::value(version_id))
        .col_expr(workflow::Column::TriggerCount, Expr::value(trigger_count))
        .col_expr(workflow::Column::UpdatedAt, Expr::value(updated_at))
        .filter(workflow::Column::Id.eq(id))
        .filter(workflow::Column::VersionId.eq(current.version_id))
        .exec(&txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(changed_concurrently());
    }
    let saved = workflow::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| not_found(id))?;
    insert_history(&txn, &saved).await?;
    let tags = tags_of(&txn, &[id]).await?.remove(&id).unwrap_or_default();
    txn.commit().await?;
    db.workflow_changed();
    Ok(StoredWorkflow::from_model(saved, tags))
}
