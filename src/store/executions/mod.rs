//! Execution repository: the list query (newest first) that the executions API pages through.

mod list;

pub use list::{ExecutionFilter, list, list_query};
