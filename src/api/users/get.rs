//! `GET /api/v1/users/{id}`: by id or by email, as n8n.

use actix_web::{HttpResponse, get, web};

use super::IncludeRole;
use crate::api::error::{ApiError, Problem};
use crate::api::sessions::UserResponse;
use crate::state::AppState;
use crate::store::{self, StoreError};

/// Get a user
///
/// By id or by email address.
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "User id or email"), IncludeRole),
    responses(
        (status = 200, description = "The user", body = UserResponse),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    id: web::Path<String>,
    include: web::Query<IncludeRole>,
) -> Result<HttpResponse, ApiError> {
    let user = store::users::by_id_or_email(&state.db, &id)
        .await?
        .ok_or_else(|| {
            ApiError::from(StoreError::NotFound {
                entity: "user",
                id: id.into_inner(),
            })
        })?;
    Ok(HttpResponse::Ok()
        .json(UserResponse::from(user).with_role(include.include_role.unwrap_or(false))))
}
