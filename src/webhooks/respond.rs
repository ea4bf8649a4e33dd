//! Running the workflow for a webhook call and answering per the Webhook node's response mode:
//! `onReceived` (at once), `lastNode` (the last node's items, when the run finishes) or
//! `responseNode` (whatever a Respond to Webhook node sends, while the run goes on).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use serde_json::{Value, json};
use weft_engine::WorkflowDefinition;
use weft_engine::run::{Item, ResponseBody, WebhookResponse};

use super::{WebhookError, answer};
use crate::runner::{RunRequest, Waits};
use crate::state::AppState;
use crate::store;
use crate::store::executions::Status;
use crate::store::webhooks::WebhookMatch;

pub(super) fn error_in_workflow() -> HttpResponse {
    WebhookError::WorkflowFailed.response()
}

/// The answer to a call whose execution outlasts the run wait.
pub(super) fn still_running(id: uuid::Uuid) -> HttpResponse {
    answer(
        StatusCode::GATEWAY_TIMEOUT,
        format!("The workflow is still running (execution {id})"),
        None,
    )
}

/// The answer to an `onReceived` call.
pub(super) fn started(code: StatusCode) -> HttpResponse {
    HttpResponse::build(code).json(json!({"message": "Workflow was started"}))
}

/// The answer of a `responseNode` call whose run ended with no Respond to Webhook response.
pub(super) fn ended_without_response(status: Status) -> HttpResponse {
    if status == Status::Success {
        HttpResponse::Ok().json(json!({"message": "Workflow executed successfully"}))
    } else {
        error_in_workflow()
    }
}

/// When a webhook call is answered (the Webhook node's `responseMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    /// At once, before the run.
    OnReceived,
    /// With the last node's items when the run ends.
    LastNode,
    /// With what a Respond to Webhook node sends.
    ResponseNode,
}

impl ResponseMode {
    /// n8n's names; anything else (n8n 2.x's `streaming` included) answers at once, as an
    /// unknown mode always has here.
    pub fn parse(params: &Value) -> Self {
        match params.get("responseMode").and_then(Value::as_str) {
            Some("lastNode") => Self::LastNode,
            Some("responseNode") => Self::ResponseNode,
            _ => Self::OnReceived,
        }
    }
}

/// What a `lastNode` answer holds (the Webhook node's `responseData`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseData {
    /// The first item's json (n8n's default).
    FirstEntryJson,
    /// Every item's json, as an array.
    AllEntries,
    /// No body.
    NoBody,
}

impl ResponseData {
    pub fn parse(params: &Value) -> Self {
        match params.get("responseData").and_then(Value::as_str) {
            Some("allEntries") => Self::AllEntries,
            Some("noResponseBody" | "noData") => Self::NoBody,
            _ => Self::FirstEntryJson,
        }
    }
}

/// The workflow behind a webhook route.
#[derive(Clone)]
pub struct Target {
    pub definition: WorkflowDefinition,
    pub static_data: Option<Value>,
    /// The Webhook node's parameters.
    pub params: Value,
    /// `settings.webhookRateLimit`, calls per minute.
    pub rate_limit: Option<u32>,
    /// The node's authentication, its credential decrypted.
    pub auth: super::auth::Auth,
    /// Some node reads `$getWorkflowStaticData`, so a cached copy must refresh it per call
    /// when other instances may have saved newer data.
    pub uses_static_data: bool,
    pub response_mode: ResponseMode,
    pub response_data: ResponseData,
}

impl Target {
    /// The Webhook node's `options` (empty object when absent).
    pub fn options(&self) -> &Value {
        static EMPTY: Value = Value::Null;
        self.params.get("options").unwrap_or(&EMPTY)
    }
}

pub async fn load(state: &AppState, route: &WebhookMatch) -> Result<Target, WebhookError> {
    let stored = match store::workflows::get(&state.db, route.workflow_id).await {
        Ok(w) => w,
        Err(e) => {
            tracing::error!(error = %e, "webhook workflow load failed");
            return Err(WebhookError::WorkflowFailed);
        }
    };
    let definition = match WorkflowDefinition::from_parts(
        &stored.name,
        stored.nodes,
        stored.connections,
        stored.settings,
    ) {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(issues = ?e, "stored workflow is invalid");
            return Err(WebhookError::WorkflowFailed);
        }
    };
    let node = definition.nodes().iter().find(|n| n.name == route.node);
    let params = node.map(|n| n.parameters.clone()).unwrap_or(Value::Null);
    let auth = match node {
        Some(node) => super::auth::load(state, node, stored.owner_id).await,
        None => super::auth::Auth::None,
    };
    let uses_static_data = serde_json::to_string(definition.nodes())
        .is_ok_and(|text| text.contains("getWorkflowStaticData"));
    let rate_limit = weft_engine::workflow::webhook_rate_limit(definition.settings())
        .ok()
        .flatten();
    Ok(Target {
        definition,
        static_data: stored.static_data,
        response_mode: ResponseMode::parse(&params),
        response_data: ResponseData::parse(&params),
        params,
        rate_limit,
        auth,
        uses_static_data,
    })
}

/// Starts the run for a call and answers it. `claim`: the call's `(webhook, Idempotency-Key)`,
/// which is told the execution it started.
pub async fn run(
    state: &AppState,
    route: &WebhookMatch,
    target: Target,
    item: Item,
    call: super::Mode,
    claim: Option<(&str, &str)>,
) -> HttpResponse {
    let Target {
        definition,
        static_data,
        params,
        response_mode,
        response_data,
        ..
    } = target;
    let code = response_code(&params);
    let waits = match response_mode {
        ResponseMode::OnReceived => Waits::Nothing,
        ResponseMode::LastNode => Waits::Outcome,
        ResponseMode::ResponseNode => Waits::Response,
    };
    let submitted = state
        .runner
        .start(RunRequest {
            parent: None,
            workflow_id: route.workflow_id,
            mode: call.execution_mode(),
            retry_of: None,
            definition,
            pin_data: Default::default(),
            start_node: Some(route.node.clone()),
            items: Some(vec![item]),
            static_data,
            waits,
            tick: None,
        })
        .await;
    let (record, mut completion) = match submitted {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "webhook execution could not start");
            return error_in_workflow();
        }
    };
    if let Some((webhook, key)) = claim {
        super::idempotent::attach(state, webhook, key, record.id).await;
    }
    let still_running = || still_running(record.id);
    match response_mode {
        ResponseMode::LastNode => {}
        ResponseMode::ResponseNode => {
            let Some(mut response) = completion.take_response() else {
                return error_in_workflow();
            };
            // A response comes before the run's outcome; an outcome with none means no
            // Respond to Webhook node answered.
            let waited = tokio::time::timeout(state.run_wait, async {
                tokio::select! {
                    biased;
                    sent = response.wait() => Ok(sent),
                    ended = completion.outcome() => Err(ended),
                }
            })
            .await;
            return match waited {
                Ok(Ok(sent)) => node_response(sent),
                Ok(Err(ended)) => match response.try_take().await {
                    Some(sent) => node_response(sent),
                    None => match ended {
                        Ok(f) => ended_without_response(f.record.status),
                        Err(_) => error_in_workflow(),
                    },
                },
                Err(_) => still_running(),
            };
        }
        ResponseMode::OnReceived => return started(code),
    }
    let finished = match tokio::time::timeout(state.run_wait, completion.outcome()).await {
        Ok(Ok(f)) => f,
        Ok(_) => return error_in_workflow(),
        Err(_) => return still_running(),
    };
    last_node_answer(
        code,
        response_data,
        finished.record.status,
        finished.data.as_ref(),
    )
}

/// A `lastNode` call's answer from how its run ended and the run data (`{resultData: …}`).
pub(super) fn last_node_answer(
    code: StatusCode,
    response_data: ResponseData,
    status: Status,
    data: Option<&Value>,
) -> HttpResponse {
    if status != Status::Success {
        return error_in_workflow();
    }
    let result = data.map(|d| &d["resultData"]);
    let last = result
        .and_then(|r| r["lastNodeExecuted"].as_str())
        .unwrap_or_default();
    let items = result
        .and_then(|r| r["runData"][last].as_array())
        .and_then(|runs| runs.last())
        .map(|run| run["data"]["main"][0].clone())
        .unwrap_or(Value::Array(Vec::new()));
    let jsons: Vec<Value> = items
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| i["json"].clone())
        .collect();
    match response_data {
        ResponseData::NoBody => HttpResponse::build(code).finish(),
        ResponseData::AllEntries => HttpResponse::build(code).json(jsons),
        // n8n answers 500 when the last node returned nothing, although the run succeeded.
        ResponseData::FirstEntryJson => match jsons.into_iter().next() {
            Some(first) => HttpResponse::build(code).json(first),
            None => HttpResponse::InternalServerError()
                .json(json!({"code": 0, "message": "No item to return was found"})),
        },
    }
}

/// The HTTP response a Respond to Webhook node asked for.
pub(super) fn node_response(sent: WebhookResponse) -> HttpResponse {
    let status = StatusCode::from_u16(sent.status).unwrap_or(StatusCode::OK);
    let mut builder = HttpResponse::build(status);
    let mut has_type = false;
    for (name, value) in &sent.headers {
        // The node checks names and values; one that still cannot be sent is dropped, never
        // left to fail the whole answer.
        match (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            (Ok(n), Ok(v)) => {
                has_type |= n == actix_web::http::header::CONTENT_TYPE;
                builder.insert_header((n, v));
            }
            _ => tracing::warn!(header = %name, "dropped a response header that cannot be sent"),
        }
    }
    match sent.body {
        ResponseBody::Json(v) => {
            if !has_type {
                builder.content_type("application/json");
            }
            builder.body(v.to_string())
        }
        ResponseBody::Text(t) => {
            if !has_type {
                builder.content_type("text/plain; charset=utf-8");
            }
            builder.body(t)
        }
        ResponseBody::Bytes(b) => {
            if !has_type {
                builder.content_type("application/octet-stream");
            }
            builder.body(b)
        }
        ResponseBody::Empty => builder.finish(),
    }
}

/// n8n's `getResponseCode`: the `responseCode` parameter (Webhook 1, 1.1), else the
/// `options.responseCode.values` collection (`customCode` over `responseCode`), else 200. A
/// plain number under `options.responseCode` is not one of those and is ignored, as in n8n.
pub(super) fn response_code(params: &Value) -> StatusCode {
    let number = |v: Option<&Value>| {
        v.and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        })
        .filter(|c| *c != 0)
    };
    let values = params.pointer("/options/responseCode/values");
    number(params.get("responseCode"))
        .or_else(|| number(values.and_then(|v| v.get("customCode"))))
        .or_else(|| number(values.and_then(|v| v.get("responseCode"))))
        .and_then(|c| u16::try_from(c).ok())
        .and_then(|c| StatusCode::from_u16(c).ok())
        .unwrap_or(StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{ResponseData, ResponseMode};

    #[test]
    fn response_modes_read_n8ns_names_and_answer_at_once_for_any_other() {
        let mode = |m: &str| ResponseMode::parse(&json!({ "responseMode": m }));
        assert_eq!(mode("lastNode"), ResponseMode::LastNode);
        assert_eq!(mode("responseNode"), ResponseMode::ResponseNode);
        assert_eq!(mode("onReceived"), ResponseMode::OnReceived);
        assert_eq!(mode("streaming"), ResponseMode::OnReceived);
        assert_eq!(ResponseMode::parse(&json!({})), ResponseMode::OnReceived);
    }

    #[test]
    fn response_data_reads_n8ns_names_with_the_first_entry_by_default() {
        let data = |d: &str| ResponseData::parse(&json!({ "responseData": d }));
        assert_eq!(data("allEntries"), ResponseData::AllEntries);
        assert_eq!(data("noData"), ResponseData::NoBody);
        assert_eq!(data("noResponseBody"), ResponseData::NoBody);
        assert_eq!(data("firstEntryJson"), ResponseData::FirstEntryJson);
        assert_eq!(
            ResponseData::parse(&json!({})),
            ResponseData::FirstEntryJson
        );
    }
}
