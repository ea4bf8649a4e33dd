//! `GET` and `PUT /api/v1/credentials/{id}/share`: who else may use or edit a credential.

use actix_web::{HttpResponse, get, put, web};

use crate::api::error::{ApiError, Problem};
use crate::api::extract::{JsonBody, parse_id};
use crate::api::shares::ShareList;
use crate::state::AppState;
use crate::store;

/// Who a credential is shared with
#[utoipa::path(
    tag = "credentials",
    params(("id" = String, Path, description = "Credential id")),
    responses(
        (status = 200, description = "The users it is shared with", body = ShareList),
        (status = 404, description = "No such credential", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/credentials/{id}/share")]
pub async fn get_credential_shares(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "credential")?;
    store::credentials::get(&state.db, id).await?;
    let shares = store::access::credential_shares(&state.db, id).await?;
    Ok(HttpResponse::Ok().json(ShareList::from_shares(&shares)))
}

/// Share a credential
///
/// Replaces the users the credential is shared with: a `viewer` sees it and may use it in their
/// own workflows, an `editor` also changes its name and data. Only its owner, admins and the
/// instance owner share; `[]` stops sharing.
#[utoipa::path(
    tag = "credentials",
    params(("id" = String, Path, description = "Credential id")),
    request_body = ShareList,
    responses(
        (status = 200, description = "The users it is now shared with", body = ShareList),
        (status = 400, description = "A bad user id or role, a user named twice, or the owner named", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such credential or user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/credentials/{id}/share")]
pub async fn share_credential(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<ShareList>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "credential")?;
    let shares = body.0.parse()?;
    let credential = store::credentials::get(&state.db, id).await?;
    store::access::set_credential_shares(&state.db, id, credential.owner_id, &shares).await?;
    tracing::info!(credential = %id, users = shares.len(), "credential shares set");
    Ok(HttpResponse::Ok().json(ShareList::from_shares(&shares)))
}
