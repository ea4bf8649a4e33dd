//! Running another workflow from a node (Execute Workflow): where stored workflows come from,
//! the sub-workflow's caller policy, and the nested run itself.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

use crate::run::executor::{Executor, RunOptions};
use crate::run::{ExecutionStatus, Item, NodeError, NodeRegistry};
use crate::workflow::WorkflowDefinition;

/// How deep workflows may call workflows before a run is refused (guards against a workflow
/// calling itself forever).
pub const MAX_DEPTH: u32 = 16;

/// Loads stored workflows by id for Execute Workflow; the server implements it over its store.
pub trait WorkflowSource: Send + Sync {
    /// The stored workflow `id`, or why it cannot be had.
    fn load<'a>(
        &'a self,
        id: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<WorkflowDefinition, String>> + 'a>>;

    /// Starts workflow `id` as an execution of its own with `items`, without waiting for it;
    /// the new execution's id.
    fn start<'a>(
        &'a self,
        id: &'a str,
        items: Vec<Item>,
    ) -> Pin<Box<dyn Future<Output = Result<String, String>> + 'a>>;
}

/// The workflow source of a run, if it has one.
#[derive(Clone, Default)]
pub struct Workflows(pub Option<Arc<dyn WorkflowSource>>);

impl fmt::Debug for Workflows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Workflows(store)"
        } else {
            "Workflows(none)"
        })
    }
}

/// What a node needs to load and run a sub-workflow on behalf of its execution.
pub struct SubRunner<'a> {
    pub(crate) registry: &'a NodeRegistry,
    pub(crate) options: &'a RunOptions,
}

impl SubRunner<'_> {
    /// The stored workflow `id`.
    pub async fn load(&self, id: &str) -> Result<WorkflowDefinition, NodeError> {
        let Some(source) = self.options.workflows.0.as_ref() else {
            return Err(NodeError::new(
                "This run cannot load stored workflows; give the workflow as JSON instead",
            ));
        };
        source.load(id).await.map_err(NodeError::new)
    }

    /// Starts the stored workflow `id` on its own (fire and forget); the new execution's id.
    pub async fn start(&self, id: &str, items: Vec<Item>) -> Result<String, NodeError> {
        let Some(source) = self.options.workflows.0.as_ref() else {
            return Err(NodeError::new("This run cannot start stored workflows"));
        };
        if self.options.depth >= MAX_DEPTH {
            return Err(NodeError::new(format!(
                "Workflows call each other more than {MAX_DEPTH} levels deep"
            )));
        }
        let def = self.load(id).await?;
        check_caller_policy(&def, id, &self.options.workflow_id)?;
        source.start(id, items).await.map_err(NodeError::new)
    }

    /// The id of the workflow this run belongs to.
    pub fn caller_id(&self) -> &str {
        &self.options.workflow_id
    }

    /// Runs `def` (stored as `id`, if it is) with `items` and returns what its last node output.
    pub async fn run(
        &self,
        def: &WorkflowDefinition,
        id: Option<&str>,
        items: Vec<Item>,
    ) -> Result<Vec<Item>, NodeError> {
        if self.options.depth >= MAX_DEPTH {
            return Err(NodeError::new(format!(
                "Workflows call each other more than {MAX_DEPTH} levels deep"
            )));
        }
        if let Some(id) = id {
            check_caller_policy(def, id, &self.options.workflow_id)?;
        }
        let start = def
            .nodes()
            .iter()
            .filter(|n| !n.is_disabled())
            .find(|n| n.node_type == "n8n-nodes-base.executeWorkflowTrigger")
            .or_else(|| {
                def.nodes()
                    .iter()
                    .filter(|n| !n.is_disabled())
                    .find(|n| n.node_type == "n8n-nodes-base.start")
            })
            .ok_or_else(|| {
                NodeError::new("Missing node to start execution")
                    .with_description("Please make sure that the workflow you're calling contains an Execute Workflow Trigger node")
            })?;
        // What the caller gets back: from Execute Workflow Trigger 1.2 every run of the last
        // node (n8n's `mergeRunsPerBranch`); before, its last run unless `returnOutput: allRuns`.
        let all_runs = start.node_type == "n8n-nodes-base.executeWorkflowTrigger"
            && (start.type_version.as_f64().unwrap_or(1.0) >= 1.2
                || start.parameters.get("returnOutput").and_then(Value::as_str) == Some("allRuns"));
        let missing = self.registry.unsupported(def.nodes());
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(|(t, v)| format!("{t}@{v}")).collect();
            return Err(NodeError::new(format!(
                "The sub-workflow uses node types this server does not run: {}",
                names.join(", ")
            )));
        }
        let options = RunOptions {
            start_node: start.name.clone(),
            start_items: items,
            mode: "integrated".into(),
            workflow_id: id.unwrap_or_default().to_owned(),
            depth: self.options.depth + 1,
            pin_data: Default::default(),
            static_data: Value::Object(Default::default()),
            responder: Default::default(),
            // A sub-workflow runs inside its caller: its waits sleep there, they cannot pause.
            pause_waits_over: None,
            ..self.options.clone()
        };
        let result = Box::pin(Executor::new(def, self.registry).run(options)).await;
        if result.status != ExecutionStatus::Success {
            let message = result
                .result_data
                .error
                .map(|e| e.message)
                .unwrap_or_else(|| "The sub-workflow did not finish".into());
            return Err(NodeError::new(message));
        }
        let data = &result.result_data;
        let runs = data
            .last_node_executed
            .as_ref()
            .and_then(|last| data.run_data.get(last))
            .map(Vec::as_slice)
            .unwrap_or_default();
        if all_runs {
            // Every run of the last node, its first branch joined in run order.
            return Ok(runs
                .iter()
                .filter_map(|task| task.data.as_ref())
                .filter_map(|d| d.main.first())
                .flat_map(|items| items.iter().cloned())
                .collect());
        }
        Ok(runs
            .last()
            .and_then(|task| task.data.as_ref())
            .and_then(|d| d.main.first().cloned())
            .unwrap_or_default())
    }
}

/// n8n's `settings.callerPolicy`: who may call a workflow. `workflowsFromSameOwner` (the
/// default) needs to know owners, so the server's [`WorkflowSource`] checks it when it loads the
/// workflow.
fn check_caller_policy(def: &WorkflowDefinition, id: &str, caller: &str) -> Result<(), NodeError> {
    let settings = def.settings();
    let refuse = || {
        NodeError::new(format!(
            "The sub-workflow ({id}) cannot be called by this workflow"
        ))
        .with_description("Its settings (callerPolicy) do not allow it")
    };
    match settings.get("callerPolicy").and_then(Value::as_str) {
        Some("none") => Err(refuse()),
        Some("workflowsFromAList") => {
            let allowed = settings
                .get("callerIds")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if allowed.split(',').map(str::trim).any(|a| a == caller) {
                Ok(())
            } else {
                Err(refuse())
            }
        }
        _ => Ok(()),
    }
}
