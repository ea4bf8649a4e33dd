//! `Node`: one node of a workflow, typed where Weft reads it, every other field kept verbatim.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

/// A workflow node as n8n exports it. Fields Weft does not interpret (credentials, notes,
/// webhookId, retry options, …) are kept in `extra` so an export round-trips unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// Unique within the workflow; connections refer to nodes by this name.
    pub name: String,
    /// The node type, e.g. `n8n-nodes-base.set`.
    #[serde(rename = "type")]
    pub node_type: String,
    /// Integer or decimal (`3.4`); kept as the JSON number it was written as.
    pub type_version: Number,
    #[serde(default = "empty_object")]
    pub parameters: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

impl Node {
    pub fn is_disabled(&self) -> bool {
        self.disabled.unwrap_or(false)
    }
}
