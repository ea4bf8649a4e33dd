//! `n8n-nodes-base.stopAndError`: fails the execution with a message or an error object.

use serde_json::Value;
use weft_engine::run::{NodeContext, NodeError, NodeFuture, NodeType};

pub struct StopAndError;

impl NodeType for StopAndError {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.stopAndError"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let kind = ctx.parameter("errorType", 0)?;
            let message = if kind.as_str() == Some("errorObject") {
                let object = ctx.parameter("errorObject", 0)?;
                let object = match object {
                    Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
                    other => other,
                };
                object
                    .get("message")
                    .or_else(|| object.get("description"))
                    .or_else(|| object.get("error"))
                    .and_then(Value::as_str)
                    .map_or_else(|| object.to_string(), str::to_owned)
            } else {
                let m = ctx.parameter("errorMessage", 0)?;
                m.as_str().map_or_else(|| m.to_string(), str::to_owned)
            };
            Err(NodeError::new(message))
        })
    }
}
