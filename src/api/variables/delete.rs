//! `DELETE /api/v1/variables/{id}`.

use actix_web::{HttpResponse, delete, web};

use crate::api::error::{ApiError, Problem};
use crate::api::extract::parse_id;
use crate::state::AppState;
use crate::store;

/// Delete a variable
#[utoipa::path(
    tag = "variables",
    params(("id" = String, Path, description = "Variable id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such variable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/variables/{id}")]
pub async fn delete_variable(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "variable")?;
    store::variables::delete(&state.db, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
