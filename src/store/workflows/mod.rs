//! Workflow repository: the one place workflows are read and written.

mod activation;
mod create;
mod delete;
mod get;
mod import;
mod list;
mod scheduled;
mod static_data;
mod tags;
mod update;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{tag, workflow, workflow_history, workflow_tag};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

pub use activation::set_active;
pub use create::create;
pub use delete::delete;
pub use get::get;
pub use import::{Imported, ImportedTag, ImportedWorkflow, import};
pub use list::{WorkflowFilter, list, list_query};
pub use scheduled::{ScheduledWorkflow, active_with_types};
pub use static_data::{save_static_data, static_data};
pub use tags::{get_tags, set_tags};
pub use update::update;

use crate::store::StoreError;
use crate::store::tags::TagRecord;

/// A stored workflow as the API returns it: the saved definition plus its state and tags.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredWorkflow {
    pub id: Uuid,
    pub name: String,
    pub active: bool,
    pub nodes: Value,
    pub connections: Value,
    pub settings: Value,
    pub static_data: Option<Value>,
    pub pin_data: Option<Value>,
    pub meta: Option<Value>,
    pub version_id: Uuid,
    pub trigger_count: i32,
    /// The user it belongs to (`None`: made before users existed).
    pub owner_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub tags: Vec<TagRecord>,
}

impl StoredWorkflow {
    fn from_model(m: workflow::Model, tags: Vec<TagRecord>) -> Self {
        Self {
            id: m.id,
            name: m.name,
            active: m.active,
            nodes: m.nodes,
            connections: m.connections,
            settings: m.settings,
            static_data: m.static_data,
            pin_data: m.pin_data,
            meta: m.meta,
            version_id: m.version_id,
            trigger_count: m.trigger_count,
            owner_id: m.owner_id,
            created_at: m.created_at,
            updated_at: m.updated_at,
            tags,
        }
    }
}

fn not_found(id: Uuid) -> StoreError {
    StoreError::NotFound {
        entity: "workflow",
        id: id.to_string(),
    }
}

/// A conditional write (`WHERE version_id = <the one read>`) that touched no row: another
/// request saved the workflow in between.
fn changed_concurrently() -> StoreError {
    StoreError::Conflict(
        "the workflow was changed by another request; fetch it and try again".into(),
    )
}

/// The columns a definition fills, as JSON values ready for the row.
struct DefinitionColumns {
    nodes: Value,
    connections: Value,
    settings: Value,
    static_data: Option<Value>,
    pin_data: Option<Value>,
    meta: Option<Value>,
}

fn definition_columns(
    def: &weft_engine::WorkflowDefinition,
) -> Result<DefinitionColumns, StoreError> {
    let to =
        |v: Result<Value, serde_json::Error>| v.map_err(|e| StoreError::Corrupt(e.to_string()));
    Ok(DefinitionColumns {
        nodes: to(serde_json::to_value(def.nodes()))?,
        connections: to(serde_json::to_value(def.connections()))?,
        settings: Value::Object(def.settings().clone()),
        static_data: def.static_data().cloned(),
        pin_data: def.pin_data().map(|p| Value::Object(p.clone())),
        meta: def.meta().cloned(),
    })
}

/// Records the saved version in `workflow_history`.
async fn insert_history(
    conn: &impl ConnectionTrait,
    m: &workflow::Model,
) -> Result<(), StoreError> {
    let snapshot = json!({
        "id": m.id, "name": m.name, "nodes": m.nodes, "connections": m.connections,
        "settings": m.settings, "pinData": m.pin_data, "meta": m.meta, "versionId": m.version_id,
    });
    workflow_history::ActiveModel {
        version_id: Set(m.version_id),
        workflow_id: Set(m.id),
        snapshot: Set(snapshot),
        created_at: Set(m.updated_at),
    }
    .insert(conn)
    .await?;
    Ok(())
}

fn tag_join() -> RelationDef {
    workflow_tag::Entity::belongs_to(tag::Entity)
        .from(workflow_tag::Column::TagId)
        .to(tag::Column::Id)
        .into()
}

/// `(workflow_id, tag id, name, created_at, updated_at)`.
type TagRow = (Uuid, Uuid, String, DateTime<Utc>, DateTime<Utc>);

/// The tags of each of `ids`, in one query, each list ordered by name.
async fn tags_of(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<TagRecord>>, StoreError> {
    let mut by_workflow: HashMap<Uuid, Vec<TagRecord>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by_workflow);
    }
    let rows: Vec<TagRow> = workflow_tag::Entity::find()
        .select_only()
        .column(workflow_tag::Column::WorkflowId)
        .column(tag::Column::Id)
        .column(tag::Column::Name)
        .column(tag::Column::CreatedAt)
        .column(tag::Column::UpdatedAt)
        .join(JoinType::InnerJoin, tag_join())
        .filter(workflow_tag::Column::WorkflowId.is_in(ids.iter().copied()))
        .order_by_asc(tag::Column::Name)
        .into_tuple()
        .all(conn)
        .await?;
    for (workflow_id, id, name, created_at, updated_at) in rows {
        by_workflow.entry(workflow_id).or_default().push(TagRecord {
            id,
            name,
            created_at,
            updated_at,
        });
    }
    Ok(by_workflow)
}
