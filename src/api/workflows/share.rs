//! `GET` and `PUT /api/v1/workflows/{id}/share`: who else sees or edits a workflow.

use actix_web::{HttpResponse, get, put, web};

use crate::api::error::{ApiError, Problem};
use crate::api::extract::{JsonBody, parse_id};
use crate::api::shares::ShareList;
use crate::state::AppState;
use crate::store;

/// Who a workflow is shared with
#[utoipa::path(
    tag = "workflows",
    params(("id" = String, Path, description = "Workflow id")),
    responses(
        (status = 200, description = "The users it is shared with", body = ShareList),
        (status = 404, description = "No such workflow", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/workflows/{id}/share")]
pub async fn get_workflow_shares(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "workflow")?;
    store::workflows::get(&state.db, id).await?;
    let shares = store::access::workflow_shares(&state.db, id).await?;
    Ok(HttpResponse::Ok().json(ShareList::from_shares(&shares)))
}

/// Share a workflow
///
/// Replaces the users the workflow is shared with: a `viewer` reads it and its executions, an
/// `editor` also changes, runs and activates it. Only its owner, admins and the instance owner
/// share; `[]` stops sharing.
#[utoipa::path(
    tag = "workflows",
    params(("id" = String, Path, description = "Workflow id")),
    request_body = ShareList,
    responses(
        (status = 200, description = "The users it is now shared with", body = ShareList),
        (status = 400, description = "A bad user id or role, a user named twice, or the owner named", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such workflow or user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/workflows/{id}/share")]
pub async fn share_workflow(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<ShareList>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "workflow")?;
    let shares = body.0.parse()?;
    let workflow = store::workflows::get(&state.db, id).await?;
    store::access::set_workflow_shares(&state.db, id, workflow.owner_id, &shares).await?;
    tracing::info!(workflow = %id, users = shares.len(), "workflow shares set");
    Ok(HttpResponse::Ok().json(ShareList::from_shares(&shares)))
}
