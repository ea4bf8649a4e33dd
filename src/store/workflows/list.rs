//! Lists workflows newest-updated first with keyset pagination, filtered by active, name and tags.

use entity::{tag, workflow, workflow_tag};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};

use super::{StoredWorkflow, tags_of};
use crate::db::Db;
use crate::store::{Cursor, Page, PageRequest, StoreError};

/// Filters of `GET /workflows`, as n8n defines them.
#[derive(Debug, Clone, Default)]
pub struct WorkflowFilter {
    /// Only workflows this user owns or is given (`None`: all).
    pub visible_to: Option<uuid::Uuid>,
    pub active: Option<bool>,
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    /// Workflows carrying any of these tag names.
    pub tags: Vec<String>,
}

fn like_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The query behind a page: `ORDER BY updated_at DESC, id DESC` after the cursor, one extra row
/// to tell whether another page follows. The indexes `(updated_at, id)` and
/// `(active, updated_at, id)` serve it without a sort.
pub fn list_query(filter: &WorkflowFilter, page: &PageRequest) -> Select<workflow::Entity> {
    let mut q = workflow::Entity::find();
    if let Some(user) = filter.visible_to {
        q = q.filter(crate::store::access::visible_workflows(
            Expr::col((workflow::Entity, workflow::Column::Id)),
            user,
        ));
    }
    if let Some(active) = filter.active {
        q = q.filter(workflow::Column::Active.eq(active));
    }
    if let Some(name) = filter
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        q = q.filter(
            Expr::expr(Func::lower(Expr::col((
                workflow::Entity,
                workflow::Column::Name,
            ))))
            .like(sea_orm::sea_query::LikeExpr::new(like_pattern(name)).escape('\\')),
        );
    }
    if !filter.tags.is_empty() {
        let tagged = Query::select()
            .column((workflow_tag::Entity, workflow_tag::Column::WorkflowId))
            .from(workflow_tag::Entity)
            .inner_join(
                tag::Entity,
                Expr::col((tag::Entity, tag::Column::Id))
                    .equals((workflow_tag::Entity, workflow_tag::Column::TagId)),
            )
            .and_where(
                Expr::col((tag::Entity, tag::Column::Name)).is_in(filter.tags.iter().cloned()),
            )
            .to_owned();
        q = q.filter(Expr::col((workflow::Entity, workflow::Column::Id)).in_subquery(tagged));
    }
    if let Some(after) = page.after {
        q = q.filter(
            Expr::tuple([
                Expr::col((workflow::Entity, workflow::Column::UpdatedAt)),
                Expr::col((workflow::Entity, workflow::Column::Id)),
            ])
            .lt(Expr::tuple([Expr::val(after.at), Expr::val(after.id)])),
        );
    }
    q.order_by_desc(workflow::Column::UpdatedAt)
        .order_by_desc(workflow::Column::Id)
        .limit(page.limit + 1)
}

pub async fn list(
    db: &Db,
    filter: &WorkflowFilter,
    page: PageRequest,
) -> Result<Page<StoredWorkflow>, StoreError> {
    let rows = list_query(filter, &page).all(db.reader()).await?;
    let page = Page::from_rows(rows, page.limit, |m| Cursor {
        at: m.updated_at,
        id: m.id,
    });
    let ids: Vec<_> = page.items.iter().map(|m| m.id).collect();
    let mut tags = tags_of(db.reader(), &ids).await?;
    Ok(page.map(|m| {
        let t = tags.remove(&m.id).unwrap_or_default();
        StoredWorkflow::from_model(m, t)
    }))
}
