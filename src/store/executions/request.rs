//! An execution's run request, stored with it so any worker can run it from its id alone:
//! where it starts, with which items and pinned outputs, and who waits for its outcome.

use std::collections::HashMap;

use entity::execution_data;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;
use weft_engine::run::Item;

use super::{data, not_found};
use crate::db::Db;
use crate::store::StoreError;

/// What a run starts from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredRequest {
    /// The node the run starts at (resolved when the execution was written).
    pub start_node: String,
    /// The items the start node emits; one empty item when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Item>>,
    /// Pinned outputs by node name.
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub pin_data: HashMap<String, Vec<Item>>,
    /// Set when a waiting execution is resumed: the run continues from where it paused, with
    /// these items when a call resumed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<ResumeCall>,
    /// Who waits for this execution, so its runner knows what to publish.
    #[serde(default)]
    pub wants: Wants,
}

/// A resume of a paused execution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResumeCall {
    /// The items of the webhook call that resumed it (`None`: resumed at its time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Item>>,
}

/// What a caller waits for: the outcome (run API, `lastNode` webhooks), a Respond to Webhook
/// response (`responseNode` webhooks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wants {
    #[serde(default)]
    pub outcome: bool,
    #[serde(default)]
    pub response: bool,
}

pub(super) fn encode(request: &StoredRequest) -> Result<Vec<u8>, StoreError> {
    let value = serde_json::to_value(request).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    data::encode(&value)
}

/// The workflow snapshot and run request of execution `id` (`None` for an execution written
/// before run requests were stored).
pub async fn get_request(db: &Db, id: Uuid) -> Result<(Value, Option<StoredRequest>), StoreError> {
    let row: Option<(Value, Option<Vec<u8>>, Option<String>)> = execution_data::Entity::find()
        .select_only()
        .column(execution_data::Column::WorkflowData)
        .column(execution_data::Column::RunRequest)
        .column(execution_data::Column::RunRequestEncoding)
        .filter(execution_data::Column::ExecutionId.eq(id))
        .into_tuple()
        .one(db.writer())
        .await?;
    let (workflow, bytes, encoding) = row.ok_or_else(|| not_found(id))?;
    let request =
        match (bytes, encoding) {
            (Some(bytes), Some(encoding)) => match data::decode(&bytes, &encoding)? {
                Some(value) => Some(serde_json::from_value(value).map_err(|e| {
                    StoreError::Corrupt(format!("run request of execution {id}: {e}"))
                })?),
                None => None,
            },
            _ => None,
        };
    Ok((workflow, request))
}

/// Replaces the run request of execution `id`, inside the caller's transaction or not.
pub(super) async fn set_request<C: sea_orm::ConnectionTrait>(
    conn: &C,
    id: Uuid,
    request: &StoredRequest,
) -> Result<(), StoreError> {
    execution_data::Entity::update_many()
        .col_expr(
            execution_data::Column::RunRequest,
            Expr::value(encode(request)?),
        )
        .col_expr(
            execution_data::Column::RunRequestEncoding,
            Expr::value(data::ZLIB_JSON),
        )
        .filter(execution_data::Column::ExecutionId.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_round_trips_through_its_stored_form() {
        let mut pin = HashMap::new();
        pin.insert("Set".to_owned(), vec![Item::default()]);
        let request = StoredRequest {
            start_node: "Webhook".into(),
            items: Some(vec![Item::default(), Item::default()]),
            pin_data: pin,
            resume: Some(ResumeCall { items: None }),
            wants: Wants {
                outcome: true,
                response: false,
            },
        };
        let bytes = encode(&request).unwrap();
        let back = data::decode(&bytes, data::ZLIB_JSON).unwrap().unwrap();
        let back: StoredRequest = serde_json::from_value(back).unwrap();
        assert_eq!(back, request);
    }
}
