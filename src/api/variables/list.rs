//! `GET /api/v1/variables`: keyset pages, oldest first.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{VariableList, VariableResponse};
use crate::api::error::{ApiError, Problem};
use crate::api::pagination::{next_cursor, page_request};
use crate::state::AppState;
use crate::store;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListVariablesParams {
    /// `empty`: only variables whose value is empty (n8n's filter).
    #[param(pattern = "^empty$")]
    pub state: Option<String>,
    #[param(minimum = 1, maximum = 250, default = 100)]
    pub limit: Option<u64>,
    /// The `nextCursor` of the previous page.
    #[param(pattern = "^([A-Za-z0-9_-]{32})?$")]
    pub cursor: Option<String>,
}

/// List variables
///
/// Oldest first, in pages of `limit` (default 100, at most 250). Every user may read them.
#[utoipa::path(
    tag = "variables",
    params(ListVariablesParams),
    responses(
        (status = 200, description = "A page of variables", body = VariableList),
        (status = 400, description = "Bad limit, cursor or state", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/variables")]
pub async fn list_variables(
    state: web::Data<AppState>,
    params: web::Query<ListVariablesParams>,
) -> Result<HttpResponse, ApiError> {
    let empty_only = match params.state.as_deref() {
        None => false,
        Some("empty") => true,
        Some(other) => {
            return Err(ApiError::invalid_field(
                "state",
                format!("{other:?} is not a state (empty)"),
            ));
        }
    };
    let page = page_request(params.limit, params.cursor.as_deref())?;
    let page = store::variables::list(&state.db, page, empty_only).await?;
    Ok(HttpResponse::Ok().json(VariableList {
        next_cursor: next_cursor(&page),
        data: page.items.into_iter().map(VariableResponse::from).collect(),
    }))
}
