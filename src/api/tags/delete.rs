//! `DELETE /api/v1/tags/{id}`.

use actix_web::{HttpResponse, delete, web};

use super::TagResponse;
use crate::api::error::{ApiError, Problem};
use crate::api::extract::parse_id;
use crate::state::AppState;
use crate::store;

/// Delete a tag
///
/// Workflows that carried it lose it. Returns the deleted tag.
#[utoipa::path(
    tag = "tags",
    params(("id" = String, Path, description = "Tag id")),
    responses(
        (status = 200, description = "The deleted tag", body = TagResponse),
        (status = 404, description = "No such tag", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/tags/{id}")]
pub async fn delete_tag(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "tag")?;
    Ok(HttpResponse::Ok().json(TagResponse::from(store::tags::delete(&state.db, id).await?)))
}
