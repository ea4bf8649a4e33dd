//! Stored workflows for Execute Workflow: loaded through the store's one read function and
//! started as executions of their own, on the server's runtime (a run's engine thread has its own).

use std::future::Future;
use std::pin::Pin;
use std::sync::Weak;

use tokio::runtime::Handle;
use uuid::Uuid;
use weft_engine::WorkflowDefinition;
use weft_engine::run::{Item, WorkflowSource};

use super::{RunRequest, Runner};
use crate::store::{self, StoreError};

pub struct StoreWorkflows {
    pub(super) runner: Weak<Runner>,
    pub(super) handle: Handle,
    /// The execution whose nodes call, and its call depth.
    pub(super) caller: Uuid,
    /// The workflow of that execution (whose owner `workflowsFromSameOwner` compares).
    pub(super) caller_workflow: Uuid,
    pub(super) depth: u32,
    /// The caller runs by hand: it may call workflows that are not active (n8n 2 runs their
    /// draft then; production runs call only published ones).
    pub(super) draft: bool,
}

/// Reads the called workflow and checks that this caller may run it.
async fn callee(
    db: &crate::db::Db,
    id: Uuid,
    raw_id: &str,
    caller_workflow: Uuid,
    draft: bool,
) -> Result<store::workflows::StoredWorkflow, String> {
    let stored = store::workflows::get(db, id)
        .await
        .map_err(|e| not_found(raw_id, e))?;
    if !draft && !stored.active {
        return Err("Workflow is not active and cannot be executed.".into());
    }
    check_same_owner(db, caller_workflow, &stored).await?;
    Ok(stored)
}

/// n8n's default `callerPolicy`, `workflowsFromSameOwner`: a stored workflow whose policy is
/// that (or unset) may be called only by workflows of its owner. The other policies are the
/// engine's to check (they need no users).
pub(super) async fn check_same_owner(
    db: &crate::db::Db,
    caller_workflow: Uuid,
    callee: &store::workflows::StoredWorkflow,
) -> Result<(), String> {
    let policy = callee
        .settings
        .get("callerPolicy")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("workflowsFromSameOwner");
    if policy != "workflowsFromSameOwner" {
        return Ok(());
    }
    let caller_owner = store::access::workflow_owner_id(db, caller_workflow)
        .await
        .map_err(|e| format!("The sub-workflow's caller could not be checked: {e}"))?;
    if caller_owner == callee.owner_id {
        return Ok(());
    }
    Err(format!(
        "The sub-workflow ({}) cannot be called by this workflow: its settings (callerPolicy) \
         allow only workflows of the same owner",
        callee.id
    ))
}

fn id_of(id: &str) -> Result<Uuid, String> {
    Uuid::try_parse(id.trim()).map_err(|_| format!("The workflow ID \"{id}\" is not valid"))
}

fn not_found(id: &str, e: StoreError) -> String {
    match e {
        StoreError::NotFound { .. } => {
            format!("Workflow does not exist: no workflow with ID \"{id}\"")
        }
        other => format!("The workflow \"{id}\" could not be loaded: {other}"),
    }
}

impl WorkflowSource for StoreWorkflows {
    fn load<'a>(
        &'a self,
        id: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<WorkflowDefinition, String>> + 'a>> {
        Box::pin(async move {
            let uuid = id_of(id)?;
            let runner = self.runner.upgrade().ok_or("the server is shutting down")?;
            let db = runner.db.clone();
            let (caller_workflow, draft) = (self.caller_workflow, self.draft);
            let raw_id = id.to_owned();
            let stored = self
                .handle
                .spawn(async move { callee(&db, uuid, &raw_id, caller_workflow, draft).await })
                .await
                .map_err(|e| e.to_string())??;
            WorkflowDefinition::from_parts(
                &stored.name,
                stored.nodes,
                stored.connections,
                stored.settings,
            )
            .map_err(|e| format!("The stored workflow \"{id}\" is not valid: {e:?}"))
        })
    }

    fn start<'a>(
        &'a self,
        id: &'a str,
        items: Vec<Item>,
    ) -> Pin<Box<dyn Future<Output = Result<String, String>> + 'a>> {
        Box::pin(async move {
            let uuid = id_of(id)?;
            let runner = self.runner.upgrade().ok_or("the server is shutting down")?;
            let owned_id = id.to_owned();
            let parent = (self.caller, self.depth.saturating_add(1));
            let (caller_workflow, draft) = (self.caller_workflow, self.draft);
            self.handle
                .spawn(async move {
                    let stored =
                        callee(&runner.db, uuid, &owned_id, caller_workflow, draft).await?;
                    runner.check_call_rate(uuid).await?;
                    let definition = WorkflowDefinition::from_parts(
                        &stored.name,
                        stored.nodes,
                        stored.connections,
                        stored.settings,
                    )
                    .map_err(|e| {
                        format!("The stored workflow \"{owned_id}\" is not valid: {e:?}")
                    })?;
                    let start = definition
                        .nodes()
                        .iter()
                        .find(|n| {
                            !n.is_disabled()
                                && n.node_type == "n8n-nodes-base.executeWorkflowTrigger"
                        })
                        .map(|n| n.name.clone());
                    let (record, _) = runner
                        .start(RunRequest {
                            workflow_id: uuid,
                            mode: crate::store::executions::ExecutionMode::Integrated,
                            retry_of: None,
                            definition,
                            pin_data: Default::default(),
                            start_node: start,
                            items: Some(items),
                            static_data: stored.static_data,
                            waits: crate::runner::Waits::Nothing,
                            tick: None,
                            parent: Some(parent),
                        })
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok(record.id.to_string())
                })
                .await
                .map_err(|e| e.to_string())?
        })
    }
}

impl Runner {
    /// Refuses a start when sub-workflow calls already started the most executions of
    /// `workflow_id` a minute may have (counted in the database, so across processes).
    async fn check_call_rate(&self, workflow_id: Uuid) -> Result<(), String> {
        let cap = self.subworkflow_starts_per_minute;
        let since = chrono::Utc::now() - chrono::Duration::seconds(60);
        let started = store::executions::started_by_calls_since(&self.db, workflow_id, since)
            .await
            .map_err(|e| format!("The sub-workflow could not be started: {e}"))?;
        if started >= u64::from(cap) {
            return Err(format!(
                "The workflow \"{workflow_id}\" was started by sub-workflow calls {started} times in \
                 the last minute, the most allowed (WEFT_SUBWORKFLOW_STARTS_PER_MINUTE = {cap})"
            ));
        }
        Ok(())
    }
}
