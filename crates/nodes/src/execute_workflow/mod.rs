//! `n8n-nodes-base.executeWorkflow` v1–v1.4: runs another workflow — stored (by id) or given as
//! JSON — once with all items or once per item, waiting for its result or not. In per-item mode
//! a failed call under continue-on-fail is an error item: in output 0 from 1.3, in output i
//! (the item's index) before, as n8n. Inputs are mapped and type-checked in [`inputs`].

mod inputs;

use serde_json::{Value, json};
use weft_engine::run::{
    Item, NodeContext, NodeError, NodeFuture, NodeType, PairedItem, PairedItemRef,
};
use weft_engine::{OnError, WorkflowDefinition, WorkflowDraft};

use crate::util::{js_string, paired};

pub struct ExecuteWorkflow;

/// Where the sub-workflow comes from.
enum Source {
    Stored(String),
    Json(Box<WorkflowDefinition>),
}

impl NodeType for ExecuteWorkflow {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.executeWorkflow"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 1.1, 1.2, 1.3, 1.4]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let each = ctx.parameter("mode", 0)?.as_str() == Some("each");
            // As n8n, the inputs are mapped and checked first: a value that does not fit its
            // declared type fails the node whatever its error setting.
            let items = inputs::workflow_inputs(&ctx, ctx.items().to_vec(), 0)?;
            if each {
                let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
                let continues = ctx.node.on_error() != OnError::StopWorkflow;
                let mut outputs: Vec<Vec<Item>> = vec![Vec::new()];
                for (i, item) in items.into_iter().enumerate() {
                    match call(&ctx, vec![item.clone()], i).await {
                        Ok(result) => {
                            let returned = result.unwrap_or_else(|| vec![item]);
                            outputs[0].extend(returned.into_iter().map(|r| paired(r, i)));
                        }
                        // As n8n: a failed call gives an error item, in output 0 from 1.3, in
                        // output i (one per item) before.
                        Err(e) if continues => {
                            let at = if version >= 1.3 { 0 } else { i };
                            if outputs.len() <= at {
                                outputs.resize_with(at + 1, Vec::new);
                            }
                            let failed = Item::from_value(json!({"error": e.message}));
                            outputs[at].push(paired(failed, i));
                        }
                        Err(e) => {
                            return Err(NodeError {
                                message: format!("Error executing workflow with item at index {i}"),
                                description: Some(e.message),
                                item_index: Some(i),
                            });
                        }
                    }
                }
                Ok(Some(outputs))
            } else {
                match call(&ctx, items.clone(), 0).await {
                    Ok(result) => Ok(Some(vec![result.unwrap_or(items)])),
                    // As n8n: one error item standing for every input item.
                    Err(e) if ctx.node.on_error() != OnError::StopWorkflow => {
                        let mut failed = Item::from_value(json!({"error": e.message}));
                        failed.paired_item = Some(PairedItem::Many(
                            (0..items.len() as u32)
                                .map(|item| PairedItemRef { item, input: None })
                                .collect(),
                        ));
                        Ok(Some(vec![vec![failed]]))
                    }
                    Err(e) => Err(e),
                }
            }
        })
    }
}

fn source(ctx: &NodeContext<'_>, i: usize) -> Result<Source, NodeError> {
    let kind = ctx.parameter("source", i)?;
    match kind.as_str().unwrap_or("database") {
        "database" => {
            let id = match ctx.parameter("workflowId", i)? {
                // v1.1+: a resource locator `{__rl, value, mode}`.
                Value::Object(rl) => rl.get("value").map(js_string).unwrap_or_default(),
                Value::Null => String::new(),
                other => js_string(&other),
            };
            if id.trim().is_empty() {
                return Err(NodeError::new("No workflow to run: set the workflow ID"));
            }
            Ok(Source::Stored(id.trim().to_owned()))
        }
        "parameter" => {
            let raw = ctx.parameter("workflowJson", i)?;
            let value = match raw {
                Value::String(text) => serde_json::from_str(&text).map_err(|e| {
                    NodeError::new(format!("The workflow JSON is not valid JSON: {e}"))
                })?,
                other => other,
            };
            let mut value = value;
            if let Some(o) = value.as_object_mut()
                && !o.get("name").is_some_and(Value::is_string)
            {
                o.insert("name".into(), Value::String("Sub-workflow".into()));
            }
            let draft: WorkflowDraft = serde_json::from_value(value)
                .map_err(|e| NodeError::new(format!("The workflow JSON is not a workflow: {e}")))?;
            let def = WorkflowDefinition::try_from(draft).map_err(|issues| {
                let text: Vec<String> = issues
                    .iter()
                    .map(|i| format!("{}: {}", i.path, i.message))
                    .collect();
                NodeError::new(format!(
                    "The workflow JSON is not a valid workflow: {}",
                    text.join("; ")
                ))
            })?;
            Ok(Source::Json(Box::new(def)))
        }
        "localFile" => Err(NodeError::new(
            "Loading a workflow from a local file is not supported; store it and use its ID",
        )),
        "url" => Err(NodeError::new(
            "Loading a workflow from a URL is not supported; store it and use its ID",
        )),
        other => Err(NodeError::new(format!(
            "The source \"{other}\" is not known"
        ))),
    }
}

/// Runs the sub-workflow for `items`; `None` when not waiting for it (the caller passes its
/// input through, as n8n does).
async fn call(
    ctx: &NodeContext<'_>,
    items: Vec<Item>,
    i: usize,
) -> Result<Option<Vec<Item>>, NodeError> {
    let at = |e: NodeError| NodeError {
        item_index: Some(i),
        ..e
    };
    let wait = ctx
        .parameter("options", i)?
        .get("waitForSubWorkflow")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let items: Vec<Item> = items
        .into_iter()
        .map(|mut item| {
            item.paired_item = None;
            item
        })
        .collect();
    match source(ctx, i).map_err(at)? {
        Source::Stored(id) => {
            if !wait {
                ctx.subworkflows.start(&id, items).await.map_err(at)?;
                return Ok(None);
            }
            let def = ctx.subworkflows.load(&id).await.map_err(at)?;
            ctx.subworkflows
                .run(&def, Some(&id), items)
                .await
                .map(Some)
                .map_err(at)
        }
        Source::Json(def) => {
            let result = ctx.subworkflows.run(&def, None, items).await.map_err(at)?;
            Ok(wait.then_some(result))
        }
    }
}
