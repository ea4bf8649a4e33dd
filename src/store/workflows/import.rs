//! Imports a workflow from an export (the operator's `import:workflow`), as n8n does: its id is
//! kept (an existing workflow with it is replaced, keeping its owner), it is imported inactive,
//! and its tags are found by id or name or made. Beyond n8n, its version id and timestamps are
//! kept when free, so exporting again gives the same JSON.

use chrono::{DateTime, Utc};
use entity::{tag, workflow, workflow_history, workflow_tag};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;
use weft_engine::WorkflowDefinition;

use super::{StoredWorkflow, definition_columns, insert_history, tags_of};
use crate::db::Db;
use crate::store::tags::TagName;
use crate::store::{StoreError, new_id, now};

/// A tag of an imported workflow.
#[derive(Debug, Clone)]
pub struct ImportedTag {
    pub id: Option<Uuid>,
    pub name: TagName,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A workflow read from an export.
#[derive(Debug, Clone)]
pub struct ImportedWorkflow {
    /// `None`: the export's id is not one of ours (n8n's ids are not UUIDs); a new one is made.
    pub id: Option<Uuid>,
    pub definition: WorkflowDefinition,
    pub version_id: Option<Uuid>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub tags: Vec<ImportedTag>,
}

/// Whether the import made a workflow or replaced one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    Created,
    Replaced,
}

pub async fn import(
    db: &Db,
    w: &ImportedWorkflow,
    owner: Uuid,
) -> Result<(StoredWorkflow, Imported), StoreError> {
    let cols = definition_columns(&w.definition)?;
    let id = w.id.unwrap_or_else(new_id);
    let txn = db.begin_write().await?;
    let existing = workflow::Entity::find_by_id(id).one(&txn).await?;
    let version_id = match w.version_id {
        Some(v)
            if workflow_history::Entity::find_by_id(v)
                .one(&txn)
                .await?
                .is_none() =>
        {
            v
        }
        _ => new_id(),
    };
    let at = now();
    let model = workflow::ActiveModel {
        id: Set(id),
        name: Set(w.definition.name().as_str().to_owned()),
        active: Set(false),
        nodes: Set(cols.nodes),
        connections: Set(cols.connections),
        settings: Set(cols.settings),
        static_data: Set(cols.static_data),
        pin_data: Set(cols.pin_data),
        meta: Set(cols.meta),
        version_id: Set(version_id),
        trigger_count: Set(0),
        owner_id: Set(existing.as_ref().map_or(Some(owner), |e| e.owner_id)),
        created_at: Set(w
            .created_at
            .or(existing.as_ref().map(|e| e.created_at))
            .unwrap_or(at)),
        updated_at: Set(w.updated_at.unwrap_or(at)),
    };
    let (model, how) = if existing.is_some() {
        crate::store::webhooks::clear(&txn, id).await?;
        (model.update(&txn).await?, Imported::Replaced)
    } else {
        (model.insert(&txn).await?, Imported::Created)
    };
    insert_history(&txn, &model).await?;
    workflow_tag::Entity::delete_many()
        .filter(workflow_tag::Column::WorkflowId.eq(id))
        .exec(&txn)
        .await?;
    let mut linked = std::collections::HashSet::new();
    for t in &w.tags {
        let by_id = match t.id {
            Some(tid) => tag::Entity::find_by_id(tid).one(&txn).await?,
            None => None,
        };
        let found = match by_id {
            Some(found) => Some(found),
            None => {
                tag::Entity::find()
                    .filter(tag::Column::Name.eq(t.name.as_str()))
                    .one(&txn)
                    .await?
            }
        };
        let tag_id = match found {
            Some(found) => found.id,
            None => {
                tag::ActiveModel {
                    id: Set(t.id.unwrap_or_else(new_id)),
                    name: Set(t.name.as_str().to_owned()),
                    created_at: Set(t.created_at.unwrap_or(at)),
                    updated_at: Set(t.updated_at.unwrap_or(at)),
                }
                .insert(&txn)
                .await?
                .id
            }
        };
        if !linked.insert(tag_id) {
            continue;
        }
        workflow_tag::ActiveModel {
            workflow_id: Set(id),
            tag_id: Set(tag_id),
        }
        .insert(&txn)
        .await?;
    }
    let tags = tags_of(&txn, &[id]).await?.remove(&id).unwrap_or_default();
    txn.commit().await?;
    db.workflow_changed();
    Ok((StoredWorkflow::from_model(model, tags), how))
}
