//! `GET /api/v1/tags/{id}`.

use actix_web::{HttpResponse, get, web};

use super::TagResponse;
use crate::api::error::{ApiError, Problem};
use crate::api::extract::parse_id;
use crate::state::AppState;
use crate::store;

/// Get a tag
#[utoipa::path(
    tag = "tags",
    params(("id" = String, Path, description = "Tag id")),
    responses(
        (status = 200, description = "The tag", body = TagResponse),
        (status = 404, description = "No such tag", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tags/{id}")]
pub async fn get_tag(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "tag")?;
    Ok(HttpResponse::Ok().json(TagResponse::from(store::tags::get(&state.db, id).await?)))
}
