//! The static data production runs keep (`$getWorkflowStaticData`): saved without a new
//! version, and read alone for callers that hold the rest of the workflow already.

use entity::workflow;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::Value;
use uuid::Uuid;

use crate::db::Db;
use crate::store::StoreError;

pub async fn save_static_data(db: &Db, id: Uuid, data: &Value) -> Result<(), StoreError> {
    workflow::Entity::update_many()
        .col_expr(workflow::Column::StaticData, Expr::value(data.clone()))
        .filter(workflow::Column::Id.eq(id))
        .exec(db.writer())
        .await?;
    db.workflow_changed();
    Ok(())
}

/// The workflow's stored static data, read from the writer so a save just made is seen.
pub async fn static_data(db: &Db, id: Uuid) -> Result<Option<Value>, StoreError> {
    let found: Option<Option<Value>> = workflow::Entity::find_by_id(id)
        .select_only()
        .column(workflow::Column::StaticData)
        .into_tuple()
        .one(db.writer())
        .await?;
    found.ok_or_else(|| StoreError::NotFound {
        entity: "workflow",
        id: id.to_string(),
    })
}
