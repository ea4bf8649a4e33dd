//! Submitting a run: checked here (so a bad request is a 400 at once), written as an execution
//! row with its snapshot and run request in one transaction, then queued by id.

use std::sync::Arc;

use serde_json::Value;
use weft_engine::WorkflowDefinition;
use weft_engine::run::{Item, start_node};

use super::{Completion, RunError, RunRequest, Runner, Waits};
use crate::queue::Priority;
use crate::store::StoreError;
use crate::store::executions::{
    self, ExecutionMode, ExecutionRecord, NewExecution, StoredRequest, Wants,
};

/// What a run submitted here hands to this process's own worker, so it need not read it back.
pub(super) struct Prepared {
    pub record: ExecutionRecord,
    pub definition: WorkflowDefinition,
    pub request: StoredRequest,
    pub static_data: Option<Value>,
}

impl Runner {
    /// Writes the execution (status `new`) and queues it. The completion resolves when it ends
    /// or pauses (for callers that wait for it).
    pub async fn start(
        self: &Arc<Self>,
        req: RunRequest,
    ) -> Result<(ExecutionRecord, Completion), RunError> {
        let start = match &req.start_node {
            Some(name) => req
                .definition
                .nodes()
                .iter()
                .find(|n| &n.name == name)
                .ok_or_else(|| {
                    RunError::Invalid(format!("startNode {name:?} is not a node of this workflow"))
                })?
                .name
                .clone(),
            None => start_node(&req.definition, &self.registry)
                .ok_or_else(|| RunError::Invalid("the workflow has no node to start from".into()))?
                .name
                .clone(),
        };
        let missing = self.unsupported(&req.definition, &req.pin_data);
        if !missing.is_empty() {
            return Err(RunError::Invalid(format!(
                "unsupported node types: {}",
                missing.join(", ")
            )));
        }
        // Run by hand from a Schedule Trigger: n8n's item for now, as the node emits it then.
        let items = match req.items {
            None => req
                .definition
                .nodes()
                .iter()
                .find(|n| n.name == start && n.node_type == "n8n-nodes-base.scheduleTrigger")
                .map(|n| {
                    let zone = weft_engine::schedule::workflow_zone(
                        req.definition.settings(),
                        &self.generic_timezone,
                    );
                    vec![Item {
                        json: weft_engine::schedule::trigger_item(
                            &n.node_type,
                            chrono::Utc::now(),
                            zone,
                        ),
                        ..Default::default()
                    }]
                }),
            items => items,
        };
        let snapshot = serde_json::to_value(&req.definition)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let request = StoredRequest {
            start_node: start,
            items,
            pin_data: req.pin_data,
            resume: None,
            wants: Wants {
                outcome: req.waits != Waits::Nothing,
                response: req.waits == Waits::Response,
            },
        };
        let record = executions::create(
            &self.db,
            NewExecution {
                workflow_id: req.workflow_id,
                mode: req.mode,
                retry_of: req.retry_of,
                workflow: snapshot,
                parent: req.parent,
                request: request.clone(),
                tick: req.tick,
            },
        )
        .await?;
        let id = record.id;
        // Registered before the job is queued, so an outcome that comes at once is not missed.
        let completion = match req.waits {
            Waits::Nothing => Completion::none(),
            Waits::Outcome => self.notices.expect_outcome(id),
            Waits::Response => {
                let response = self.notices.expect_response(id);
                self.notices.expect_outcome(id).with_response(response)
            }
        };
        let priority = match req.waits {
            Waits::Nothing => Priority::Normal,
            Waits::Outcome | Waits::Response => Priority::High,
        };
        // A webhook call waiting for its run may run in this process (queue mode, by setting).
        let here = self
            .here
            .get()
            .filter(|_| req.mode == ExecutionMode::Webhook && req.waits != Waits::Nothing);
        if here.is_some() || matches!(self.queue.get(), Some(crate::queue::Queue::Local(_))) {
            self.lock_prepared().insert(
                id,
                Prepared {
                    record: record.clone(),
                    definition: req.definition,
                    request,
                    static_data: req.static_data,
                },
            );
        }
        match here.map(|local| local.push(id, priority, None)) {
            Some(Ok(())) => {}
            Some(Err(e)) => {
                tracing::warn!(error = %e, execution = %id, "a webhook run goes to the workers: this process stops");
                self.lock_prepared().remove(&id);
                self.enqueue(id, priority).await;
            }
            None => self.enqueue(id, priority).await,
        }
        Ok((record, completion))
    }

    /// Queues execution `id`. A failure leaves it `new` without a job; the reconciler queues
    /// it again, so it is logged, not returned.
    pub(super) async fn enqueue(&self, id: uuid::Uuid, priority: Priority) {
        let Some(queue) = self.queue.get() else {
            tracing::error!(execution = %id, "no queue is set; the execution waits for the reconciler");
            return;
        };
        if let Err(e) = queue.push(id, priority).await {
            tracing::warn!(error = %e, execution = %id, "an execution could not be queued yet; the reconciler will queue it");
        }
    }

    pub(super) fn lock_prepared(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<uuid::Uuid, Prepared>> {
        self.prepared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
