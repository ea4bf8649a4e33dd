//! Run data in n8n's shape: per node, one `TaskData` per run, plus the execution's result.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::run::item::Item;

/// Where a node's input came from: `{previousNode, previousNodeOutput, previousNodeRun}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceData {
    pub previous_node: String,
    pub previous_node_output: u32,
    pub previous_node_run: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    Success,
    Error,
    Waiting,
    Canceled,
}

/// An error as run data stores it: n8n's `{message, name, description, node: {name}, …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionError {
    pub message: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<ErrorNode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorNode {
    pub name: String,
    #[serde(rename = "type")]
    pub node_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskOutput {
    pub main: Vec<Vec<Item>>,
}

/// One run of one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskData {
    /// Milliseconds since the Unix epoch.
    pub start_time: i64,
    /// Milliseconds.
    pub execution_time: i64,
    pub execution_index: u32,
    pub execution_status: TaskStatus,
    pub source: Vec<Option<SourceData>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<TaskOutput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ExecutionError>,
}

pub type RunData = BTreeMap<String, Vec<TaskData>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExecutionStatus {
    Success,
    Error,
    Canceled,
    Waiting,
}

/// `resultData` of an execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultData {
    pub run_data: RunData,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_node_executed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ExecutionError>,
    /// Custom execution data saved by nodes (Execution Data), shown with the execution.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub metadata: serde_json::Map<String, Value>,
}

/// What an execution produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionResult {
    pub status: ExecutionStatus,
    pub result_data: ResultData,
    /// The workflow's static data after the run, when code changed it.
    #[serde(skip)]
    pub static_data: Option<Value>,
    /// What a resume needs, when a node paused the execution (status `waiting`).
    #[serde(skip)]
    pub paused: Option<crate::run::executor::Paused>,
    /// Where a retry starts, when a node failed the execution (status `error`): the failed
    /// node with its input, and what was still to run.
    #[serde(skip)]
    pub failed_at: Option<crate::run::executor::Paused>,
}
