//! Trigger nodes. In a run they emit the items the execution started with: `{json: {}}` for a
//! manual start, the request for a webhook, the tick for a schedule, the caller's items for a
//! sub-workflow, the failed execution for an error workflow.

use serde_json::{Map, Value};
use weft_engine::run::{NodeContext, NodeError, NodeFuture, NodeKind, NodeType};

use crate::util::first_input;

macro_rules! trigger {
    ($(#[$doc:meta])* $name:ident, $type_name:literal, [$($v:literal),+]) => {
        $(#[$doc])*
        pub struct $name;

        impl NodeType for $name {
            fn type_name(&self) -> &'static str {
                $type_name
            }
            fn versions(&self) -> &'static [f64] {
                &[$($v),+]
            }
            fn kind(&self) -> NodeKind {
                NodeKind::Trigger
            }
            fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
                Box::pin(async move { Ok(Some(vec![first_input(ctx.inputs)])) })
            }
        }
    };
}

trigger!(
    /// `n8n-nodes-base.manualTrigger`: a run started by hand.
    ManualTrigger, "n8n-nodes-base.manualTrigger", [1.0]
);
trigger!(
    /// `n8n-nodes-base.start` (legacy): passes its input through.
    Start, "n8n-nodes-base.start", [1.0]
);
trigger!(
    /// `n8n-nodes-base.webhook`: emits `{headers, params, query, body}` of the request (routing
    /// places it on the start of the run).
    Webhook, "n8n-nodes-base.webhook", [1.0, 1.1, 2.0, 2.1]
);
trigger!(
    /// `n8n-nodes-base.scheduleTrigger`: emits the tick the scheduler started the run with.
    ScheduleTrigger, "n8n-nodes-base.scheduleTrigger", [1.0, 1.1, 1.2, 1.3, 1.4]
);
/// `n8n-nodes-base.executeWorkflowTrigger`: emits the items the calling workflow passed —
/// as they are (`inputSource: passthrough`, v1's only way), or trimmed to the declared inputs
/// (`workflowInputs`, the default from 1.1, or the keys of `jsonExample`), missing ones `null`,
/// binary kept, no type conversion (the caller converts). From 1.2 the caller gets every run of
/// the sub-workflow's last node (see the engine's sub-workflow runner).
pub struct ExecuteWorkflowTrigger;

impl NodeType for ExecuteWorkflowTrigger {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.executeWorkflowTrigger"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 1.1, 1.2]
    }
    fn kind(&self) -> NodeKind {
        NodeKind::Trigger
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let items = first_input(ctx.inputs);
            let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
            let params = &ctx.node.parameters;
            let default_source = if version >= 1.1 {
                "workflowInputs"
            } else {
                "passthrough"
            };
            let source = params
                .get("inputSource")
                .and_then(Value::as_str)
                .unwrap_or(default_source);
            let names: Vec<String> = match source {
                "passthrough" => return Ok(Some(vec![items])),
                "workflowInputs" => params
                    .pointer("/workflowInputs/values")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|f| f.get("name").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect(),
                "jsonExample" => example_fields(params.get("jsonExample"))?,
                other => {
                    return Err(NodeError::new(format!(
                        "The input data mode \"{other}\" is not known"
                    )));
                }
            };
            if source == "workflowInputs" && names.is_empty() {
                // n8n refuses to run a trigger whose parameters have issues.
                return Err(NodeError::new(format!(
                    "The '{}' node has issues:\n- At least 1 field is required.",
                    ctx.node.name
                )));
            }
            let trimmed = items
                .into_iter()
                .map(|mut item| {
                    let mut json = Map::new();
                    for name in &names {
                        let value = item.json.remove(name).unwrap_or(Value::Null);
                        json.insert(name.clone(), value);
                    }
                    item.json = json;
                    item.paired_item = None;
                    item
                })
                .collect();
            Ok(Some(vec![trimmed]))
        })
    }
}

/// The top-level field names of the trigger's JSON example (it must be an object).
fn example_fields(example: Option<&Value>) -> Result<Vec<String>, NodeError> {
    let parsed = match example {
        Some(Value::String(text)) => serde_json::from_str::<Value>(text)
            .map_err(|e| NodeError::new(format!("The JSON example is not valid JSON: {e}")))?,
        Some(other) => other.clone(),
        None => Value::Object(Map::new()),
    };
    match parsed {
        Value::Object(fields) => Ok(fields.keys().cloned().collect()),
        other => Err(NodeError::new(format!(
            "Invalid JSON schema type. Only object type is supported, but got {}",
            match other {
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Number(_) => "number",
                Value::Bool(_) => "boolean",
                _ => "null",
            }
        ))),
    }
}
trigger!(
    /// `n8n-nodes-base.errorTrigger`: emits the failed execution an error workflow handles.
    ErrorTrigger, "n8n-nodes-base.errorTrigger", [1.0]
);
