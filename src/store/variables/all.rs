//! Every variable as `{key: value}`: what a run sees as `$vars` (read through the cache in
//! `crate::cache::VariablesCache`).

use entity::variable;
use sea_orm::{EntityTrait, QuerySelect};
use serde_json::{Map, Value};

use crate::db::Db;
use crate::store::StoreError;

pub async fn all(db: &Db) -> Result<Map<String, Value>, StoreError> {
    let rows: Vec<(String, String)> = variable::Entity::find()
        .select_only()
        .column(variable::Column::Key)
        .column(variable::Column::Value)
        .into_tuple()
        .all(db.reader())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect())
}
