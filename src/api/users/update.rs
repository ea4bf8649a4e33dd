//! `PATCH /api/v1/users/{id}`: names, password, disabled.

use actix_web::{HttpResponse, patch, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{check_name, may_change};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::{JsonBody, parse_id};
use crate::api::sessions::UserResponse;
use crate::auth::{Principal, hash_password};
use crate::state::AppState;
use crate::store::{self, users::UserChanges};

/// The fields to change; absent ones stay as they are.
// No `Debug`: it holds a password.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserPatch {
    #[schema(max_length = 32)]
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub first_name: Option<Option<String>>,
    #[schema(max_length = 32)]
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub last_name: Option<Option<String>>,
    /// 8 to 64 characters with a digit and an upper-case letter.
    #[schema(min_length = 8, max_length = 64)]
    #[serde(default)]
    pub password: Option<String>,
    /// A disabled user's keys and sign-ins stop working at once.
    #[serde(default)]
    pub disabled: Option<bool>,
}

/// A field that is present, even as `null` (`Some(None)`), as opposed to absent (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Change a user
///
/// The owner and admins change a user's names, password or disabled flag (only the owner
/// changes an admin; nobody changes the owner through the API, nor disables themselves).
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "User id")),
    request_body = UserPatch,
    responses(
        (status = 200, description = "The user as changed", body = UserResponse),
        (status = 400, description = "A bad name or password", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: JsonBody<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "user")?;
    let patch = body.0;
    check_name(
        "firstName",
        patch.first_name.as_ref().and_then(Option::as_ref),
    )?;
    check_name(
        "lastName",
        patch.last_name.as_ref().and_then(Option::as_ref),
    )?;
    let target = store::users::get(&state.db, id).await?;
    may_change(&principal, &target)?;
    if patch.disabled == Some(true) && target.id == principal.user_id {
        return Err(ApiError::invalid_field(
            "disabled",
            "you cannot disable yourself",
        ));
    }
    let password_hash = match patch.password {
        Some(password) => Some(
            web::block(move || hash_password(&password))
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))?
                .map_err(|e| ApiError::invalid_field("password", e.to_string()))?,
        ),
        None => None,
    };
    let changes = UserChanges {
        first_name: patch.first_name,
        last_name: patch.last_name,
        password_hash,
        disabled: patch.disabled,
        role: None,
    };
    let user = store::users::update(&state.db, id, changes).await?;
    tracing::info!(user = %user.id, by = %principal.user_id, "user changed");
    Ok(HttpResponse::Ok().json(UserResponse::from(user)))
}
