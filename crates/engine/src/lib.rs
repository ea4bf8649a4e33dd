//! The Weft engine: the n8n workflow model, expressions and the executor. It knows nothing of
//! HTTP, SQL, queues or Redis.

pub mod expr;
pub mod limits;
pub mod run;
pub mod schedule;
pub mod workflow;

pub use limits::MAX_NESTING;
pub use workflow::{
    ConnectionTarget, Connections, Node, NodeConnections, OnError, ValidationIssue,
    WorkflowDefinition, WorkflowDraft, WorkflowName,
};
