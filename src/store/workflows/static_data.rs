//! Saves the static data a production run left (`$getWorkflowStaticData`), without a new version.

use entity::workflow;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
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
