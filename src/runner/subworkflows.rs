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
            let stored = self
                .handle
                .spawn(async move { store::workflows::get(&db, uuid).await })
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| not_found(id, e))?;
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
            self.handle
                .spawn(async move {
                    let stored = store::workflows::get(&runner.db, uuid)
                        .await
                        .map_err(|e| not_found(&owned_id, e))?;
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
                            mode: "integrated",
                            retry_of: None,
                            definition,
                            pin_data: Default::default(),
                            start_node: start,
                            items: Some(items),
                            static_data: stored.static_data,
                            responder: Default::default(),
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
