//! Lists executions newest first with keyset pagination, by workflow and/or status.

use entity::execution;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use uuid::Uuid;

use crate::db::Db;
use crate::store::{Cursor, Page, PageRequest, StoreError};

#[derive(Debug, Clone, Default)]
pub struct ExecutionFilter {
    /// Only executions of workflows this user owns or is given (`None`: all).
    pub visible_to: Option<Uuid>,
    pub workflow_id: Option<Uuid>,
    pub status: Option<String>,
}

/// `ORDER BY started_at DESC, id DESC` after the cursor; one of the four
/// `executions([workflow_id,] [status,] started_at DESC, id DESC)` indexes serves each filter.
pub fn list_query(filter: &ExecutionFilter, page: &PageRequest) -> Select<execution::Entity> {
    // Executions retention marked deleted are gone as far as anyone asking can tell.
    let mut q = execution::Entity::find().filter(execution::Column::DeletedAt.is_null());
    if let Some(user) = filter.visible_to {
        q = q.filter(crate::store::access::visible_workflows(
            Expr::col((execution::Entity, execution::Column::WorkflowId)),
            user,
        ));
    }
    if let Some(id) = filter.workflow_id {
        q = q.filter(execution::Column::WorkflowId.eq(id));
    }
    if let Some(status) = &filter.status {
        q = q.filter(execution::Column::Status.eq(status.as_str()));
    }
    if let Some(after) = page.after {
        q = q.filter(
            Expr::tuple([
                Expr::col(execution::Column::StartedAt),
                Expr::col(execution::Column::Id),
            ])
            .lt(Expr::tuple([Expr::val(after.at), Expr::val(after.id)])),
        );
    }
    q.order_by_desc(execution::Column::StartedAt)
        .order_by_desc(execution::Column::Id)
        .limit(page.limit + 1)
}

pub async fn list(
    db: &Db,
    filter: &ExecutionFilter,
    page: PageRequest,
) -> Result<Page<execution::Model>, StoreError> {
    let rows = list_query(filter, &page).all(db.reader()).await?;
    Ok(Page::from_rows(rows, page.limit, |m| Cursor {
        at: m.started_at,
        id: m.id,
    }))
}

/// How many executions of `workflow_id` sub-workflow calls started since `since` (the
/// `executions(workflow_id, started_at DESC, id DESC)` index bounds the scan).
pub async fn started_by_calls_since(
    db: &Db,
    workflow_id: Uuid,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(execution::Entity::find()
        .filter(execution::Column::WorkflowId.eq(workflow_id))
        .filter(execution::Column::StartedAt.gte(since))
        .filter(execution::Column::ParentExecutionId.is_not_null())
        .count(db.reader())
        .await?)
}
