//! Connections keyed by source node name, then connection type, then output index.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `{"A": {"main": [[{"node": "B", "type": "main", "index": 0}]]}}`.
pub type Connections = BTreeMap<String, NodeConnections>;

/// A source node's outputs by connection type (`main`, `ai_tool`, …); each output index holds
/// the list of targets it feeds (`null` is accepted for an unconnected output, as n8n writes it).
pub type NodeConnections = BTreeMap<String, Vec<Option<Vec<ConnectionTarget>>>>;

/// One edge's destination: the target node, its input type and its input index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionTarget {
    pub node: String,
    #[serde(rename = "type")]
    pub connection_type: String,
    pub index: u32,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
