//! `DELETE /api/v1/users/{id}`.

use actix_web::{HttpResponse, delete, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::may_change;
use crate::api::error::{ApiError, Problem};
use crate::api::extract::parse_id;
use crate::auth::Principal;
use crate::state::AppState;
use crate::store;

/// Where the user's workflows and credentials go.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// The user who receives them; without it they are deleted with the user (as n8n).
    pub transfer_id: Option<String>,
}

/// Delete a user
///
/// Removes the user with their API keys and sign-ins. Their workflows and credentials go to
/// `transferId`, or are deleted when none is given. Nobody deletes the owner or themselves.
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "User id"), DeleteParams),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Transferring to the user deleted", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user (or no such transferId)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/users/{id}")]
pub async fn delete_user(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    params: web::Query<DeleteParams>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "user")?;
    let transfer = params
        .transfer_id
        .as_deref()
        .map(|t| parse_id(t, "user"))
        .transpose()?;
    if id == principal.user_id {
        return Err(ApiError::Forbidden("you cannot delete yourself".into()));
    }
    if transfer == Some(id) {
        return Err(ApiError::invalid_field(
            "transferId",
            "must be another user than the one deleted",
        ));
    }
    let target = store::users::get(&state.db, id).await?;
    may_change(&principal, &target)?;
    store::users::delete(&state.db, id, transfer).await?;
    tracing::info!(user = %id, by = %principal.user_id, transfer = ?transfer, "user deleted");
    Ok(HttpResponse::NoContent().finish())
}
