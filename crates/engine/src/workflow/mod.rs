//! The workflow model in n8n's JSON shape: nodes, connections keyed by node name, settings.

mod calls;
mod connections;
mod definition;
mod name;
mod node;
mod queue_settings;
mod trigger;
mod validate;
mod webhooks;

pub use calls::stored_workflow_calls;
pub use connections::{ConnectionTarget, Connections, NodeConnections};
pub use definition::{WorkflowDefinition, WorkflowDraft};
pub use name::WorkflowName;
pub use node::{Node, OnError};
pub use queue_settings::{RetryPolicy, max_concurrency, retry_policy};
pub use trigger::is_activation_trigger;
pub use validate::{MAX_PORT_INDEX, ValidationIssue};
pub use webhooks::{
    DEFAULT_WEBHOOK_RATE_LIMIT, WEBHOOK_TYPE, WebhookRoute, match_path, normalize_path,
    webhook_rate_limit,
};
