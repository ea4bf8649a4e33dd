//! Error workflows (n8n's `settings.errorWorkflow`): when an execution not started by hand ends
//! `error` or `crashed`, or is stopped or times out while it runs, the workflow its settings name
//! (or the workflow itself, when it names none and has an Error Trigger) runs from its Error
//! Trigger with n8n's payload, in mode `error`, if it is active (n8n 2 runs only published error
//! workflows). Beyond n8n, an execution in mode `error` never starts another error workflow, so
//! error workflows cannot loop (in n8n two that name each other do).

use std::sync::Arc;

use serde_json::{Map, Value, json};
use uuid::Uuid;
use weft_engine::WorkflowDefinition;
use weft_engine::run::Item;

use super::{RunRequest, Runner, Waits};
use crate::store;
use crate::store::executions::{ExecutionMode, ExecutionRecord, Status};

const ERROR_TRIGGER: &str = "n8n-nodes-base.errorTrigger";

/// What a failed execution's workflow says about its errors, read from the workflow as it ran.
#[derive(Debug, Clone)]
pub struct ErrorRoute {
    name: String,
    /// `settings.errorWorkflow`, when set.
    error_workflow: Option<String>,
    /// The workflow has an enabled Error Trigger of its own.
    has_error_trigger: bool,
    /// The node the failed execution started from: name and type.
    trigger: Option<(String, String)>,
}

impl ErrorRoute {
    /// The route of an execution of `definition` that started from node `start`.
    pub fn of(definition: &WorkflowDefinition, start: &str) -> Self {
        Self {
            name: definition.name().as_str().to_owned(),
            error_workflow: definition
                .settings()
                .get("errorWorkflow")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            has_error_trigger: definition
                .nodes()
                .iter()
                .any(|n| n.node_type == ERROR_TRIGGER && !n.is_disabled()),
            trigger: definition
                .nodes()
                .iter()
                .find(|n| n.name == start)
                .map(|n| (n.name.clone(), n.node_type.clone())),
        }
    }

    /// The same, from an execution's stored workflow snapshot (`None` if it cannot be read).
    pub fn of_snapshot(snapshot: &Value, start: &str) -> Option<Self> {
        let draft: weft_engine::WorkflowDraft = serde_json::from_value(snapshot.clone()).ok()?;
        WorkflowDefinition::try_from(draft)
            .ok()
            .map(|d| Self::of(&d, start))
    }
}

/// n8n's payload for the Error Trigger of an execution that failed.
pub fn payload(
    public_url: &str,
    record: &ExecutionRecord,
    route: &ErrorRoute,
    result: Option<&Value>,
) -> Value {
    let result = result.map(|d| &d["resultData"]);
    let mut error = result
        .and_then(|r| r["error"].as_object())
        .cloned()
        .unwrap_or_else(|| {
            let mut e = Map::new();
            e.insert("message".into(), json!("The execution failed"));
            e
        });
    if !error.contains_key("stack") {
        // No JavaScript stack here: the error's name and message, as a stack's first line.
        let name = error.get("name").and_then(Value::as_str).unwrap_or("Error");
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        error.insert("stack".into(), json!(format!("{name}: {message}")));
    }
    let mut execution = Map::new();
    execution.insert("id".into(), json!(record.id.to_string()));
    execution.insert(
        "url".into(),
        json!(format!(
            "{}/api/v1/executions/{}",
            public_url.trim_end_matches('/'),
            record.id
        )),
    );
    if let Some(retry_of) = record.retry_of {
        execution.insert("retryOf".into(), json!(retry_of.to_string()));
    }
    execution.insert("error".into(), Value::Object(error));
    execution.insert(
        "lastNodeExecuted".into(),
        result
            .and_then(|r| r["lastNodeExecuted"].as_str())
            .map_or(Value::Null, |s| json!(s)),
    );
    execution.insert("mode".into(), json!(record.mode.as_str()));
    // n8n 2's runtime data of the failed run: when and how it started.
    let mut context = Map::new();
    context.insert("version".into(), json!(1));
    context.insert(
        "establishedAt".into(),
        json!(record.started_at.timestamp_millis()),
    );
    context.insert("source".into(), json!(record.mode.as_str()));
    if let Some((name, node_type)) = &route.trigger {
        context.insert(
            "triggerNode".into(),
            json!({"name": name, "type": node_type}),
        );
    }
    execution.insert("executionContext".into(), Value::Object(context));
    json!({
        "execution": execution,
        "workflow": {"id": record.workflow_id.to_string(), "name": route.name},
    })
}

impl Runner {
    /// Starts the error workflow for `record` (its run data `{resultData: …}` in `result`) if
    /// it ended `error` or `crashed`, was not started by hand or as an error workflow, and its
    /// workflow has one. Problems are logged: a missing or unusable error workflow is not the
    /// failed execution's concern.
    pub async fn start_error_workflow(
        self: &Arc<Self>,
        record: &ExecutionRecord,
        route: &ErrorRoute,
        result: Option<&Value>,
    ) {
        // As n8n: a run that failed, crashed, or was stopped or timed out (canceled with an
        // error); not one canceled before it started.
        let failed = match record.status {
            Status::Error | Status::Crashed => true,
            Status::Canceled => result.is_some_and(|d| d["resultData"]["error"].is_object()),
            _ => false,
        };
        if !failed || matches!(record.mode, ExecutionMode::Manual | ExecutionMode::Error) {
            return;
        }
        let target = match (&route.error_workflow, route.has_error_trigger) {
            (Some(id), _) => match Uuid::try_parse(id) {
                Ok(id) => id,
                Err(_) => {
                    tracing::warn!(workflow = %record.workflow_id, error_workflow = %id, "settings.errorWorkflow is not a workflow id");
                    return;
                }
            },
            (None, true) => record.workflow_id,
            (None, false) => return,
        };
        if let Err(why) = self.run_error_workflow(target, record, route, result).await {
            tracing::warn!(execution = %record.id, error_workflow = %target, "the error workflow did not start: {why}");
        }
    }

    /// The same for an execution that ended outside a run (crashed by the reconciler), read
    /// back from the store.
    pub async fn error_workflow_of_stored(self: &Arc<Self>, id: Uuid) {
        let read = async {
            let record = store::executions::get(&self.db, id).await?;
            let data = store::executions::get_data(&self.db, id).await?;
            let (_, request) = store::executions::get_request(&self.db, id).await?;
            let start = request.map(|r| r.start_node).unwrap_or_default();
            Ok::<_, store::StoreError>((record, data, start))
        };
        match read.await {
            Ok((record, data, start)) => match ErrorRoute::of_snapshot(&data.workflow, &start) {
                Some(route) => {
                    self.start_error_workflow(&record, &route, data.result.as_ref())
                        .await
                }
                None => {
                    tracing::warn!(execution = %id, "a crashed execution's workflow snapshot cannot be read for its error workflow")
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, execution = %id, "a crashed execution could not be read for its error workflow");
            }
        }
    }

    async fn run_error_workflow(
        self: &Arc<Self>,
        target: Uuid,
        record: &ExecutionRecord,
        route: &ErrorRoute,
        result: Option<&Value>,
    ) -> Result<(), String> {
        let stored = store::workflows::get(&self.db, target)
            .await
            .map_err(|e| format!("it cannot be read ({e})"))?;
        // As n8n 2: only an active (published) error workflow runs.
        if !stored.active {
            return Err("it is not active".into());
        }
        super::subworkflows::check_same_owner(&self.db, record.workflow_id, &stored).await?;
        let static_data = stored.static_data.clone();
        let definition = WorkflowDefinition::from_parts(
            &stored.name,
            stored.nodes,
            stored.connections,
            stored.settings,
        )
        .map_err(|e| format!("it is not valid ({e:?})"))?;
        let trigger = definition
            .nodes()
            .iter()
            .find(|n| n.node_type == ERROR_TRIGGER && !n.is_disabled())
            .map(|n| n.name.clone())
            .ok_or("it has no enabled Error Trigger")?;
        let payload = payload(&self.public_url, record, route, result);
        let json = match payload {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let item = Item {
            json,
            ..Default::default()
        };
        self.start(RunRequest {
            parent: None,
            workflow_id: target,
            mode: ExecutionMode::Error,
            retry_of: None,
            definition,
            pin_data: Default::default(),
            start_node: Some(trigger),
            items: Some(vec![item]),
            static_data,
            waits: Waits::Nothing,
            tick: None,
        })
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
    }
}
