//! `GET /api/v1/credentials`: keyset pages, oldest first.

use actix_web::{HttpResponse, get, web};

use super::{CredentialList, CredentialResponse};
use crate::api::error::{ApiError, Problem};
use crate::api::pagination::{PageParams, next_cursor, page_request};
use crate::auth::Principal;
use crate::state::AppState;
use crate::store;
use crate::store::access::Actor;

/// List credentials
#[utoipa::path(
    tag = "credentials",
    params(PageParams),
    responses(
        (status = 200, description = "A page of credentials, without their data", body = CredentialList),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/credentials")]
pub async fn list_credentials(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(params.limit, params.cursor.as_deref())?;
    let visible_to = Actor::of(&principal).limited_to();
    let page = store::credentials::list(&state.db, page, visible_to).await?;
    Ok(HttpResponse::Ok().json(CredentialList {
        next_cursor: next_cursor(&page),
        data: page
            .items
            .into_iter()
            .map(CredentialResponse::from)
            .collect(),
    }))
}
