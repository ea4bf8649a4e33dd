//! `GET|PUT /api/v1/workflows/{id}/tags`.

use actix_web::{HttpResponse, get, put, web};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::error::{ApiError, Problem};
use crate::api::extract::{JsonBody, parse_id};
use crate::api::tags::TagResponse;
use crate::state::AppState;
use crate::store;

/// A reference to an existing tag.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TagRef {
    pub id: String,
}

/// Get a workflow's tags
#[utoipa::path(
    tag = "workflows",
    params(("id" = String, Path, description = "Workflow id")),
    responses(
        (status = 200, description = "The workflow's tags, by name", body = Vec<TagResponse>),
        (status = 404, description = "No such workflow", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/workflows/{id}/tags")]
pub async fn get_workflow_tags(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "workflow")?;
    let tags = store::workflows::get_tags(&state.db, id).await?;
    Ok(HttpResponse::Ok().json(tags.into_iter().map(TagResponse::from).collect::<Vec<_>>()))
}

/// Replace a workflow's tags
///
/// The body lists the tags the workflow should carry, `[{"id": "…"}]`; every one must exist.
#[utoipa::path(
    tag = "workflows",
    params(("id" = String, Path, description = "Workflow id")),
    request_body = Vec<TagRef>,
    responses(
        (status = 200, description = "The workflow's tags now", body = Vec<TagResponse>),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such workflow, or some tags do not exist", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/workflows/{id}/tags")]
pub async fn update_workflow_tags(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<Vec<TagRef>>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "workflow")?;
    let tag_ids = body
        .0
        .iter()
        .enumerate()
        .map(|(i, t)| {
            uuid::Uuid::try_parse(t.id.trim())
                .map_err(|_| ApiError::NotFound(format!("tag {} (at [{i}]) was not found", t.id)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let tags = store::workflows::set_tags(&state.db, id, &tag_ids).await?;
    Ok(HttpResponse::Ok().json(tags.into_iter().map(TagResponse::from).collect::<Vec<_>>()))
}
