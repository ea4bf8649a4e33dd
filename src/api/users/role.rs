//! `PATCH /api/v1/users/{id}/role`: n8n's role change.

use actix_web::{HttpResponse, patch, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{given_role, may_change};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::{JsonBody, parse_id};
use crate::auth::Principal;
use crate::state::AppState;
use crate::store::{self, users::UserChanges};

/// The new role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleChange {
    /// `global:admin` or `global:member`.
    #[schema(example = "global:admin", pattern = "^(global:)?(admin|member)$")]
    pub new_role_name: String,
}

/// Change a user's role
///
/// Makes a member an admin or an admin a member (the owner and admins; only the owner changes
/// an admin; the owner's role never changes).
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "User id")),
    request_body = RoleChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "Not a role a user can be given", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}/role")]
pub async fn change_role(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: JsonBody<RoleChange>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "user")?;
    let role = given_role(&body.0.new_role_name, "newRoleName")?;
    let target = store::users::get(&state.db, id).await?;
    may_change(&principal, &target)?;
    let changes = UserChanges {
        role: Some(role),
        ..UserChanges::default()
    };
    store::users::update(&state.db, id, changes).await?;
    tracing::info!(user = %id, role = %role, by = %principal.user_id, "user role changed");
    Ok(HttpResponse::NoContent().finish())
}
