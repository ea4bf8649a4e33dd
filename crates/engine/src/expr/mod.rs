//! Expressions: `={{ … }}` parameter strings, resolved by a native fast path for plain property
//! paths and otherwise by JavaScript in a sandbox that exposes only what we inject.

mod code;
pub mod code_host;
mod evaluator;
pub mod fast_path;
mod lazy;
mod sandbox;
pub mod sql;
mod template;

pub use code::ScopePayload;
pub use code_host::{CodeHost, CodeHosting, CodeRequest, CodeSession};
pub use evaluator::{Evaluator, Helped, LazySandbox, Raised};
pub use sandbox::{ExprLimits, NodeScope, Sandbox};
pub use template::{Segment, Template, to_display_string};

/// Why an expression could not be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "camelCase")]
pub enum ExprError {
    #[error("invalid expression: {0}")]
    Syntax(String),
    #[error("{0}")]
    Thrown(String),
    #[error("expression timed out after {0} ms")]
    Timeout(u64),
    #[error("expression ran out of memory (limit {0} bytes)")]
    OutOfMemory(usize),
    #[error("expression engine failure: {0}")]
    Engine(String),
    /// The execution was stopped (a stop request or its timeout) while code ran.
    #[error("the execution was stopped while the code ran")]
    Stopped,
}
