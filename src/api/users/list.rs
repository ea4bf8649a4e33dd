//! `GET /api/v1/users`: keyset pages, oldest first.

use actix_web::{HttpResponse, get, web};

use super::{IncludeRole, UserList};
use crate::api::error::{ApiError, Problem};
use crate::api::pagination::{PageParams, next_cursor, page_request};
use crate::api::sessions::UserResponse;
use crate::state::AppState;
use crate::store;

/// List users
///
/// Every user of the instance (members see them too, to share with them).
#[utoipa::path(
    tag = "users",
    params(PageParams, IncludeRole),
    responses(
        (status = 200, description = "A page of users", body = UserList),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
    include: web::Query<IncludeRole>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(params.limit, params.cursor.as_deref())?;
    let page = store::users::list(&state.db, page).await?;
    Ok(HttpResponse::Ok().json(UserList {
        next_cursor: next_cursor(&page),
        data: page
            .items
            .into_iter()
            .map(|u| UserResponse::from(u).with_role(include.include_role.unwrap_or(false)))
            .collect(),
    }))
}
