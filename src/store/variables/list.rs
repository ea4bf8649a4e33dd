//! Lists variables oldest first with keyset pagination over `(created_at, id)`.

use entity::variable;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::VariableRecord;
use crate::db::Db;
use crate::store::{Cursor, Page, PageRequest, StoreError};

/// `empty_only`: only variables whose value is empty (n8n's `state=empty`).
pub async fn list(
    db: &Db,
    page: PageRequest,
    empty_only: bool,
) -> Result<Page<VariableRecord>, StoreError> {
    let mut q = variable::Entity::find();
    if empty_only {
        q = q.filter(Expr::col(variable::Column::Value).eq(""));
    }
    if let Some(after) = page.after {
        q = q.filter(
            Expr::tuple([
                Expr::col(variable::Column::CreatedAt),
                Expr::col(variable::Column::Id),
            ])
            .gt(Expr::tuple([Expr::val(after.at), Expr::val(after.id)])),
        );
    }
    let rows = q
        .order_by_asc(variable::Column::CreatedAt)
        .order_by_asc(variable::Column::Id)
        .limit(page.limit + 1)
        .all(db.reader())
        .await?;
    Ok(Page::from_rows(rows, page.limit, |m| Cursor {
        at: m.created_at,
        id: m.id,
    })
    .map(Into::into))
}
