//! `GET /api/v1/workflows`: keyset pages, newest-updated first.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{WorkflowList, WorkflowResponse};
use crate::api::error::{ApiError, Problem};
use crate::api::pagination::{next_cursor, page_request};
use crate::auth::Principal;
use crate::state::AppState;
use crate::store;
use crate::store::access::Actor;
use crate::store::workflows::WorkflowFilter;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListWorkflowsParams {
    /// How many workflows to return, 1 to 250.
    #[param(minimum = 1, maximum = 250, default = 100)]
    pub limit: Option<u64>,
    /// The `nextCursor` of the previous page.
    #[param(pattern = "^([A-Za-z0-9_-]{32})?$")]
    pub cursor: Option<String>,
    /// Only active (`true`) or inactive (`false`) workflows.
    pub active: Option<bool>,
    /// Comma-separated tag names: workflows carrying any of them.
    pub tags: Option<String>,
    /// Case-insensitive part of the name.
    pub name: Option<String>,
    /// Leave `pinData` out of each workflow.
    #[serde(default)]
    pub exclude_pinned_data: bool,
}

/// List workflows
///
/// Newest-updated first, in pages of `limit` (default 100, at most 250). Paging is by
/// keyset: rows created while a client pages through are never repeated or skipped.
#[utoipa::path(
    tag = "workflows",
    params(ListWorkflowsParams),
    responses(
        (status = 200, description = "A page of workflows", body = WorkflowList),
        (status = 400, description = "Bad limit, cursor or filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/workflows")]
pub async fn list_workflows(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<ListWorkflowsParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let page = page_request(params.limit, params.cursor.as_deref())?;
    let filter = WorkflowFilter {
        visible_to: Actor::of(&principal).limited_to(),
        active: params.active,
        name: params.name,
        tags: params
            .tags
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    let page = store::workflows::list(&state.db, &filter, page).await?;
    let include_pin = !params.exclude_pinned_data;
    Ok(HttpResponse::Ok().json(WorkflowList {
        next_cursor: next_cursor(&page),
        data: page
            .items
            .into_iter()
            .map(|w| WorkflowResponse::new(w, include_pin))
            .collect(),
    }))
}
