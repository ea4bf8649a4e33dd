//! `GET /api/v1/executions`: keyset pages, newest first, by status and workflow.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{ExecutionList, ExecutionResponse};
use crate::api::error::{ApiError, Problem};
use crate::api::pagination::{next_cursor, page_request};
use crate::auth::Principal;
use crate::state::AppState;
use crate::store::access::Actor;
use crate::store::executions::{self, ExecutionFilter, Status};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListExecutionsParams {
    /// new, running, success, error, canceled, waiting, crashed.
    #[param(pattern = "^(new|running|success|error|canceled|waiting|crashed)$")]
    pub status: Option<String>,
    /// Only executions of this workflow.
    #[param(
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub workflow_id: Option<String>,
    /// Include each execution's run data.
    #[serde(default)]
    pub include_data: bool,
    #[param(minimum = 1, maximum = 250, default = 100)]
    pub limit: Option<u64>,
    /// The `nextCursor` of the previous page.
    #[param(pattern = "^([A-Za-z0-9_-]{32})?$")]
    pub cursor: Option<String>,
}

/// List executions
///
/// Newest first, in pages of `limit` (default 100, at most 250).
#[utoipa::path(
    tag = "executions",
    params(ListExecutionsParams),
    responses(
        (status = 200, description = "A page of executions", body = ExecutionList),
        (status = 400, description = "Bad status, workflowId, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/executions")]
pub async fn list_executions(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<ListExecutionsParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let page = page_request(p.limit, p.cursor.as_deref())?;
    let status = match p.status.as_deref() {
        None => None,
        Some(raw) => Some(Status::parse(raw).ok_or_else(|| {
            ApiError::invalid_field(
                "status",
                format!(
                    "{raw:?} is not one of new, running, success, error, canceled, waiting, crashed"
                ),
            )
        })?),
    };
    let workflow_id = match p.workflow_id.as_deref() {
        None => None,
        // The hyphenated form only, as the schema states.
        Some(raw) => Some(
            uuid::Uuid::try_parse(raw)
                .ok()
                .filter(|_| raw.len() == 36)
                .ok_or_else(|| ApiError::invalid_field("workflowId", "is not a workflow id"))?,
        ),
    };
    let filter = ExecutionFilter {
        visible_to: Actor::of(&principal).limited_to(),
        workflow_id,
        status: status.map(|s| s.as_str().to_owned()),
    };
    let rows = executions::list(&state.db, &filter, page).await?;
    let next = next_cursor(&rows);
    let mut data = Vec::with_capacity(rows.items.len());
    for row in rows.items {
        let record = row.try_into()?;
        data.push(if p.include_data {
            ExecutionResponse::with_data(&state, record).await?
        } else {
            ExecutionResponse::new(record, None)
        });
    }
    Ok(HttpResponse::Ok().json(ExecutionList {
        data,
        next_cursor: next,
    }))
}
