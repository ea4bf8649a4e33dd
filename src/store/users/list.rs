//! Lists users oldest first with keyset pagination over `(created_at, id)`.

use entity::user;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::UserRecord;
use crate::db::Db;
use crate::store::{Cursor, Page, PageRequest, StoreError};

pub async fn list(db: &Db, page: PageRequest) -> Result<Page<UserRecord>, StoreError> {
    let mut q = user::Entity::find();
    if let Some(after) = page.after {
        q = q.filter(
            Expr::tuple([
                Expr::col(user::Column::CreatedAt),
                Expr::col(user::Column::Id),
            ])
            .gt(Expr::tuple([Expr::val(after.at), Expr::val(after.id)])),
        );
    }
    let rows = q
        .order_by_asc(user::Column::CreatedAt)
        .order_by_asc(user::Column::Id)
        .limit(page.limit + 1)
        .all(db.reader())
        .await?;
    let page = Page::from_rows(rows, page.limit, |m| Cursor {
        at: m.created_at,
        id: m.id,
    });
    let mut items = Vec::with_capacity(page.items.len());
    for m in page.items {
        items.push(UserRecord::try_from(m)?);
    }
    Ok(Page {
        items,
        next: page.next,
    })
}
