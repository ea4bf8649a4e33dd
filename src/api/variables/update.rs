//! `PUT /api/v1/variables/{id}`.

use actix_web::{HttpResponse, put, web};

use super::VariableWrite;
use crate::api::error::{ApiError, Problem};
use crate::api::extract::{JsonBody, parse_id};
use crate::state::AppState;
use crate::store;

/// Update a variable
///
/// Replaces its key and value; 204 as n8n. The next execution on every instance sees it.
#[utoipa::path(
    tag = "variables",
    params(("id" = String, Path, description = "Variable id")),
    request_body = VariableWrite,
    responses(
        (status = 204, description = "Updated"),
        (status = 400, description = "Malformed body, a bad key or value, or a key another variable has", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such variable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/variables/{id}")]
pub async fn update_variable(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<VariableWrite>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "variable")?;
    let new = body.0.parse()?;
    store::variables::update(&state.db, id, &new).await?;
    Ok(HttpResponse::NoContent().finish())
}
