//! `GET /api/v1/tags`: keyset pages, oldest first.

use actix_web::{HttpResponse, get, web};

use super::{TagList, TagResponse};
use crate::api::error::{ApiError, Problem};
use crate::api::pagination::{PageParams, next_cursor, page_request};
use crate::state::AppState;
use crate::store;

/// List tags
#[utoipa::path(
    tag = "tags",
    params(PageParams),
    responses(
        (status = 200, description = "A page of tags", body = TagList),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tags")]
pub async fn list_tags(
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(params.limit, params.cursor.as_deref())?;
    let page = store::tags::list(&state.db, page).await?;
    Ok(HttpResponse::Ok().json(TagList {
        next_cursor: next_cursor(&page),
        data: page.items.into_iter().map(TagResponse::from).collect(),
    }))
}
