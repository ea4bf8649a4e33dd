//! `/webhook-waiting/{executionId}`: resumes an execution paused at a Wait node that resumes on
//! a webhook call; the request (parsed as strictly as any webhook's) becomes the Wait node's item.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Mode, answer, request};
use crate::runner::ResumeError;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::webhooks::WebhookMatch;

pub async fn handle(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let raw = path.into_inner();
    let missing = || {
        answer(
            StatusCode::NOT_FOUND,
            format!("The execution \"{raw}\" does not exist."),
            None,
        )
    };
    let Ok(id) = Uuid::try_parse(raw.trim_matches('/')) else {
        return missing();
    };
    let route = WebhookMatch {
        workflow_id: Uuid::nil(),
        node: String::new(),
        params: Vec::new(),
    };
    let item = match request::item(
        &req,
        payload,
        &route,
        state.body,
        Mode::Production,
        &Value::Null,
    )
    .await
    {
        Ok(item) => item,
        Err(refused) => return refused.response(),
    };
    match state.runner.resume(id, Some(vec![item])).await {
        Ok(_) => HttpResponse::Ok().json(json!({"message": "Workflow was started"})),
        Err(ResumeError::Store(StoreError::NotFound { .. })) => missing(),
        Err(ResumeError::NotWaiting(status)) => answer(
            StatusCode::CONFLICT,
            format!("The execution \"{id}\" is not waiting for a webhook call (it is {status})."),
            None,
        ),
        Err(ResumeError::NotForCalls) => answer(
            StatusCode::CONFLICT,
            format!("The execution \"{id}\" is waiting for a time, not for a webhook call."),
            None,
        ),
        Err(ResumeError::Store(e)) => {
            tracing::error!(execution = %id, error = %e, "resuming a waiting execution failed");
            answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The execution could not be resumed".into(),
                None,
            )
        }
    }
}
