//! Run data storage: JSON compressed with zlib, and reading it back.

use std::io::{Read, Write};

use entity::execution_data;
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use super::not_found;
use crate::db::Db;
use crate::store::StoreError;

pub const NO_DATA: &str = "none";
pub const ZLIB_JSON: &str = "json+zlib";

pub fn encode(value: &Value) -> Result<Vec<u8>, StoreError> {
    let json = serde_json::to_vec(value).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut enc = ZlibEncoder::new(Vec::with_capacity(json.len() / 4), Compression::fast());
    enc.write_all(&json)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    enc.finish().map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Replaces an execution's stored data with `value` (compressed), inside the caller's transaction.
pub(super) async fn store<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    value: &Value,
) -> Result<(), StoreError> {
    execution_data::Entity::update_many()
        .col_expr(execution_data::Column::Data, Expr::value(encode(value)?))
        .col_expr(execution_data::Column::DataEncoding, Expr::value(ZLIB_JSON))
        .filter(execution_data::Column::ExecutionId.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub(super) fn decode(bytes: &[u8], encoding: &str) -> Result<Option<Value>, StoreError> {
    match encoding {
        NO_DATA => Ok(None),
        ZLIB_JSON => {
            let mut json = Vec::new();
            ZlibDecoder::new(bytes)
                .read_to_end(&mut json)
                .map_err(|e| StoreError::Corrupt(format!("run data: {e}")))?;
            serde_json::from_slice(&json)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(format!("run data: {e}")))
        }
        other => Err(StoreError::Corrupt(format!(
            "unknown run data encoding {other:?}"
        ))),
    }
}

/// What an execution ran and what it produced (`None` until it finished).
pub struct ExecutionData {
    pub workflow: Value,
    pub result: Option<Value>,
}

pub async fn get_data(db: &Db, id: Uuid) -> Result<ExecutionData, StoreError> {
    use sea_orm::QuerySelect;
    // Not the run request: nobody reading an execution needs it.
    let row: Option<(Value, Vec<u8>, String)> = execution_data::Entity::find()
        .select_only()
        .column(execution_data::Column::WorkflowData)
        .column(execution_data::Column::Data)
        .column(execution_data::Column::DataEncoding)
        .filter(execution_data::Column::ExecutionId.eq(id))
        .into_tuple()
        .one(db.reader())
        .await?;
    let (workflow, data, encoding) = row.ok_or_else(|| not_found(id))?;
    Ok(ExecutionData {
        result: decode(&data, &encoding)?,
        workflow,
    })
}
