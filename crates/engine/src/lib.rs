//! The Weft engine: the n8n workflow model and its structural rules. It knows nothing of HTTP, SQL or Redis.

pub mod workflow;

pub use workflow::{
    WorkflowDraft,
    Connections, ConnectionTarget, Node, NodeConnections, ValidationIssue, WorkflowDefinition,
    WorkflowName,
};
