//! Expressions: `={{ … }}` parameter strings, resolved by a native fast path for plain property
//! paths and otherwise by JavaScript in a sandbox that exposes only what we inject.

mod evaluator;
pub mod fast_path;
mod lazy;
mod sandbox;
mod template;

pub use evaluator::{Evaluator, Helped, LazySandbox, Raised};
pub use sandbox::{ExprLimits, NodeScope, Sandbox};
pub use template::{Segment, Template, to_display_string};

/// Why an expression could not be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
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
}
