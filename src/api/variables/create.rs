//! `POST /api/v1/variables`.

use actix_web::{HttpResponse, post, web};

use super::{VariableResponse, VariableWrite};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::JsonBody;
use crate::state::AppState;
use crate::store;

/// Create a variable
///
/// Answers 201 with the variable (n8n answers 201 with no body).
#[utoipa::path(
    tag = "variables",
    request_body = VariableWrite,
    responses(
        (status = 201, description = "The new variable", body = VariableResponse),
        (status = 400, description = "Malformed body, a bad key or value, or a key another variable has", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/variables")]
pub async fn create_variable(
    state: web::Data<AppState>,
    body: JsonBody<VariableWrite>,
) -> Result<HttpResponse, ApiError> {
    let new = body.0.parse()?;
    let created = store::variables::create(&state.db, &new).await?;
    Ok(HttpResponse::Created().json(VariableResponse::from(created)))
}
