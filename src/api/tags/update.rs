//! `PUT /api/v1/tags/{id}`.

use actix_web::{HttpResponse, put, web};

use super::{TagResponse, TagWrite};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::{JsonBody, parse_id};
use crate::state::AppState;
use crate::store;

/// Rename a tag
#[utoipa::path(
    tag = "tags",
    params(("id" = String, Path, description = "Tag id")),
    request_body = TagWrite,
    responses(
        (status = 200, description = "The renamed tag", body = TagResponse),
        (status = 400, description = "Malformed body or bad name", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tag", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another tag has this name", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/tags/{id}")]
pub async fn update_tag(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<TagWrite>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "tag")?;
    let name = body.0.name()?;
    Ok(HttpResponse::Ok().json(TagResponse::from(
        store::tags::rename(&state.db, id, &name).await?,
    )))
}
