//! Creates a workflow (inactive, first version) and records that version in its history.

use entity::workflow;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;
use weft_engine::WorkflowDefinition;

use super::{StoredWorkflow, definition_columns, insert_history};
use crate::db::Db;
use crate::store::{StoreError, new_id, now};

/// Creates `def` owned by `owner`.
pub async fn create(
    db: &Db,
    def: &WorkflowDefinition,
    owner: Uuid,
) -> Result<StoredWorkflow, StoreError> {
    let cols = definition_columns(def)?;
    let at = now();
    let txn = db.begin_write().await?;
    let model = workflow::ActiveModel {
        id: Set(new_id()),
        name: Set(def.name().as_str().to_owned()),
        active: Set(false),
        nodes: Set(cols.nodes),
        connections: Set(cols.connections),
        settings: Set(cols.settings),
        static_data: Set(cols.static_data),
        pin_data: Set(cols.pin_data),
        meta: Set(cols.meta),
        version_id: Set(new_id()),
        trigger_count: Set(0),
        owner_id: Set(Some(owner)),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    insert_history(&txn, &model).await?;
    txn.commit().await?;
    Ok(StoredWorkflow::from_model(model, Vec::new()))
}
