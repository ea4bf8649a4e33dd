//! `POST /api/v1/tags`.

use actix_web::{HttpResponse, post, web};

use super::{TagResponse, TagWrite};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::JsonBody;
use crate::state::AppState;
use crate::store;

/// Create a tag
#[utoipa::path(
    tag = "tags",
    request_body = TagWrite,
    responses(
        (status = 201, description = "The new tag", body = TagResponse),
        (status = 400, description = "Malformed body or bad name", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A tag with this name exists", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tags")]
pub async fn create_tag(
    state: web::Data<AppState>,
    body: JsonBody<TagWrite>,
) -> Result<HttpResponse, ApiError> {
    let name = body.0.name()?;
    let tag = store::tags::create(&state.db, &name).await?;
    Ok(HttpResponse::Created().json(TagResponse::from(tag)))
}
