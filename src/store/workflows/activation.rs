//! Activates or deactivates a workflow; activation needs at least one enabled trigger node.

use entity::workflow;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;
use weft_engine::WorkflowDefinition;

use super::{StoredWorkflow, changed_concurrently, not_found, tags_of};
use crate::db::Db;
use crate::store::StoreError;

/// As n8n 2 on publishing: every stored workflow its Execute Workflow nodes call by a fixed id
/// must exist and be active (a call to itself is fine).
pub(super) async fn check_sub_workflows(
    txn: &sea_orm::DatabaseTransaction,
    def: &WorkflowDefinition,
    id: Uuid,
) -> Result<(), StoreError> {
    let mut refused = Vec::new();
    for (node, called) in weft_engine::workflow::stored_workflow_calls(def) {
        let found = match Uuid::try_parse(&called) {
            Ok(uuid) if uuid == id => continue,
            Ok(uuid) => workflow::Entity::find_by_id(uuid).one(txn).await?,
            Err(_) => None,
        };
        match found {
            Some(w) if w.active => {}
            Some(w) => refused.push(format!(
                "Node \"{node}\" references workflow {called} (\"{}\") which is not published",
                w.name
            )),
            None => refused.push(format!(
                "Node \"{node}\" references workflow {called} which is not published"
            )),
        }
    }
    if refused.is_empty() {
        return Ok(());
    }
    Err(StoreError::Rule(format!(
        "Cannot publish workflow: {}. Please publish all referenced sub-workflows first.",
        refused.join("; ")
    )))
}

/// Refuses an active workflow whose schedule nodes cannot be armed (a bad cron expression, an
/// interval out of range), naming the node.
pub(super) fn check_schedules(def: &WorkflowDefinition, id: Uuid) -> Result<(), StoreError> {
    for node in def.nodes().iter().filter(|n| {
        !n.is_disabled() && weft_engine::schedule::SCHEDULE_TYPES.contains(&n.node_type.as_str())
    }) {
        weft_engine::schedule::rules_of(node, &id.to_string())
            .map_err(|e| StoreError::Rule(format!("{}: {e}", node.name)))?;
    }
    Ok(())
}

pub async fn set_active(db: &Db, id: Uuid, active: bool) -> Result<StoredWorkflow, StoreError> {
    let txn = db.begin_write().await?;
    let current = workflow::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| not_found(id))?;
    let trigger_count = if active {
        let def = WorkflowDefinition::from_parts(
            &current.name,
            current.nodes.clone(),
            current.connections.clone(),
            current.settings.clone(),
        )
        .map_err(|issues| StoreError::Corrupt(format!("workflow {id}: {issues:?}")))?;
        let count = def.activation_triggers().count();
        if count == 0 {
            // n8n's words (a Manual Trigger only starts runs by hand).
            return Err(StoreError::Rule(
                "Workflow cannot be activated because it has no trigger node. At least one \
                 trigger, webhook, or polling node is required."
                    .into(),
            ));
        }
        check_schedules(&def, id)?;
        check_sub_workflows(&txn, &def, id).await?;
        let routes = def.webhook_routes().map_err(StoreError::Rule)?;
        crate::store::webhooks::sync(&txn, id, &routes).await?;
        count as i32
    } else {
        crate::store::webhooks::clear(&txn, id).await?;
        0
    };
    let result = workflow::Entity::update_many()
        .col_expr(workflow::Column::Active, Expr::value(active))
        .col_expr(workflow::Column::TriggerCount, Expr::value(trigger_count))
        .filter(workflow::Column::Id.eq(id))
        .filter(workflow::Column::VersionId.eq(current.version_id))
        .exec(&txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(changed_concurrently());
    }
    let tags = tags_of(&txn, &[id]).await?.remove(&id).unwrap_or_default();
    txn.commit().await?;
    db.workflow_changed();
    let mut saved = StoredWorkflow::from_model(current, tags);
    saved.active = active;
    saved.trigger_count = trigger_count;
    Ok(saved)
}
