//! `POST /api/v1/owner/setup`.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{UserResponse, throttle};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::JsonBody;
use crate::auth::{Email, Role, hash_password};
use crate::state::AppState;
use crate::store::{self, users::NewUser};

/// The first user's details.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OwnerSetup {
    #[schema(
        pattern = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+$",
        max_length = 254,
        example = "ada@example.com"
    )]
    pub email: String,
    /// 8 to 64 characters with a digit and an upper-case letter.
    #[schema(min_length = 8, max_length = 64)]
    pub password: String,
    #[schema(max_length = 32)]
    #[serde(default)]
    pub first_name: Option<String>,
    #[schema(max_length = 32)]
    #[serde(default)]
    pub last_name: Option<String>,
}

/// Set up the owner
///
/// Creates the owner while there is no user at all (409 afterwards; the embedded database's
/// first start already makes one). Then sign in at `POST /api/v1/auth/login`.
#[utoipa::path(
    tag = "auth",
    request_body = OwnerSetup,
    responses(
        (status = 200, description = "The owner", body = UserResponse),
        (status = 400, description = "A bad email or a password that breaks the rules", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "There are users already", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/owner/setup")]
pub async fn setup_owner(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<OwnerSetup>,
) -> Result<HttpResponse, ApiError> {
    throttle(&state, &req, None).await?;
    let body = body.0;
    let email =
        Email::parse(&body.email).map_err(|e| ApiError::invalid_field("email", e.to_string()))?;
    for (field, name) in [
        ("firstName", &body.first_name),
        ("lastName", &body.last_name),
    ] {
        if name.as_ref().is_some_and(|n| n.chars().count() > 32) {
            return Err(ApiError::invalid_field(
                field,
                "must be at most 32 characters",
            ));
        }
    }
    if store::users::any_exists(&state.db).await? {
        return Err(ApiError::Conflict("the owner is already set up".into()));
    }
    let password = body.password;
    let hash = web::block(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::invalid_field("password", e.to_string()))?;
    let new = NewUser {
        email: email.to_string(),
        role: Role::Owner,
        password_hash: Some(hash),
        first_name: body.first_name,
        last_name: body.last_name,
    };
    let owner = store::users::create_first(&state.db, &new)
        .await?
        .ok_or_else(|| ApiError::Conflict("the owner is already set up".into()))?;
    tracing::info!(user = %owner.id, "owner set up");
    Ok(HttpResponse::Ok().json(UserResponse::from(owner)))
}
