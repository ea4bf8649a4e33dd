//! `POST /api/v1/workflows`.

use actix_web::{HttpResponse, post, web};

use super::dto::{WorkflowResponse, WorkflowWrite, check_credentials, check_supported};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::JsonBody;
use crate::auth::Principal;
use crate::state::AppState;
use crate::store;
use crate::store::access::Actor;

/// Create a workflow
///
/// Stores a new, inactive workflow. An n8n export can be sent as is.
#[utoipa::path(
    tag = "workflows",
    request_body = WorkflowWrite,
    responses(
        (status = 200, description = "The stored workflow", body = WorkflowResponse),
        (status = 400, description = "Malformed JSON, an invalid workflow, or node types this server does not support", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over WEFT_MAX_BODY_BYTES", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Content-Type is not JSON", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/workflows")]
pub async fn create_workflow(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<WorkflowWrite>,
) -> Result<HttpResponse, ApiError> {
    let def = body.0.into_definition()?;
    check_supported(&def, state.runner.registry())?;
    check_credentials(&state, &def, Some(Actor::of(&principal))).await?;
    let saved = store::workflows::create(&state.db, &def, principal.user_id).await?;
    Ok(WorkflowResponse::new(saved, true)
        .warn_about(&def, state.runner.registry())
        .ok())
}
