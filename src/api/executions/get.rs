//! `GET /api/v1/executions/{id}`.

use actix_web::{HttpResponse, get, web};

use super::dto::{ExecutionResponse, IncludeData};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::parse_id;
use crate::state::AppState;
use crate::store::executions;

/// Get an execution
#[utoipa::path(
    tag = "executions",
    params(("id" = String, Path, description = "Execution id"), IncludeData),
    responses(
        (status = 200, description = "The execution", body = ExecutionResponse),
        (status = 404, description = "No such execution", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/executions/{id}")]
pub async fn get_execution(
    state: web::Data<AppState>,
    id: web::Path<String>,
    params: web::Query<IncludeData>,
) -> Result<HttpResponse, ApiError> {
    let record = executions::get(&state.db, parse_id(&id, "execution")?).await?;
    let body = if params.include_data {
        ExecutionResponse::with_data(&state, record).await?
    } else {
        ExecutionResponse::new(record, None)
    };
    Ok(HttpResponse::Ok().json(body))
}
