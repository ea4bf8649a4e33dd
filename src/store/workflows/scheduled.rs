//! The active workflows a scheduler arms: id, name, nodes and settings of each active workflow
//! with an enabled node of one of the given types.

use entity::workflow;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::Value;
use uuid::Uuid;

use crate::db::Db;
use crate::store::StoreError;

/// What a scheduler needs of an active workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledWorkflow {
    pub id: Uuid,
    pub name: String,
    pub nodes: Value,
    pub connections: Value,
    pub settings: Value,
}

pub async fn active_with_types(
    db: &Db,
    types: &[&str],
) -> Result<Vec<ScheduledWorkflow>, StoreError> {
    let rows: Vec<(Uuid, String, Value, Value, Value)> = workflow::Entity::find()
        .select_only()
        .column(workflow::Column::Id)
        .column(workflow::Column::Name)
        .column(workflow::Column::Nodes)
        .column(workflow::Column::Connections)
        .column(workflow::Column::Settings)
        .filter(workflow::Column::Active.eq(true))
        .into_tuple()
        .all(db.reader())
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, nodes, _, _)| {
            nodes.as_array().is_some_and(|nodes| {
                nodes.iter().any(|n| {
                    n["type"].as_str().is_some_and(|t| types.contains(&t))
                        && n["disabled"].as_bool() != Some(true)
                })
            })
        })
        .map(
            |(id, name, nodes, connections, settings)| ScheduledWorkflow {
                id,
                name,
                nodes,
                connections,
                settings,
            },
        )
        .collect())
}
