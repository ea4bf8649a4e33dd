//! The Weft engine: the n8n workflow model and its structural rules. It knows nothing of HTTP, SQL or Redis.

pub mod workflow;

pub use workflow::{
    ConnectionTarget, Connections, Node, NodeConnections, ValidationIssue, WorkflowDefinition,
    WorkflowDraft, WorkflowName,
};

pub mod expr;
pub mod run;
