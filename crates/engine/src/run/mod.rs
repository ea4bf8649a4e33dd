//! Running a workflow: items, node types, the graph walk in n8n's v1 and v0 orders, run data.

pub mod clock;
pub mod credentials;
pub mod data;
mod executor;
pub mod graph;
pub mod item;
mod lineage;
pub mod node_type;
pub mod respond;
mod start;
pub mod subworkflow;

pub use data::{
    ExecutionError, ExecutionResult, ExecutionStatus, ResultData, RunData, SourceData, TaskData,
    TaskOutput, TaskStatus,
};
/// Each node's context: state a node keeps between its runs in one execution.
pub type NodeContexts = std::cell::RefCell<
    std::collections::HashMap<String, serde_json::Map<String, serde_json::Value>>,
>;

pub use clock::Clock;
pub use credentials::{CredentialFuture, CredentialRef, CredentialSource, Credentials};
pub use executor::{Budget, ExecutionOrder, Executor, Paused, RunOptions, Suspend};
pub use item::{Inputs, Item, Outputs, PairedItem, PairedItemRef};
pub use node_type::{
    NodeContext, NodeError, NodeFuture, NodeKind, NodeRegistry, NodeResult, NodeType,
    RequiredInputs, SuspendSlot,
};
pub use respond::{Responder, ResponseBody, ResponseSink, WebhookResponse};
pub use start::start_node;
pub use subworkflow::{SubRunner, WorkflowSource, Workflows};
