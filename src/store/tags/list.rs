//! Lists tags oldest first with keyset pagination over `(created_at, id)`.

use entity::tag;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};

use super::TagRecord;
use crate::db::Db;
use crate::store::{Cursor, Page, PageRequest, StoreError};

pub fn list_query(page: &PageRequest) -> Select<tag::Entity> {
    let mut q = tag::Entity::find();
    if let Some(after) = page.after {
        q = q.filter(
            Expr::tuple([
                Expr::col(tag::Column::CreatedAt),
                Expr::col(tag::Column::Id),
            ])
            .gt(Expr::tuple([Expr::val(after.at), Expr::val(after.id)])),
        );
    }
    q.order_by_asc(tag::Column::CreatedAt)
        .order_by_asc(tag::Column::Id)
        .limit(page.limit + 1)
}

pub async fn list(db: &Db, page: PageRequest) -> Result<Page<TagRecord>, StoreError> {
    let rows = list_query(&page).all(db.reader()).await?;
    Ok(Page::from_rows(rows, page.limit, |m| Cursor {
        at: m.created_at,
        id: m.id,
    })
    .map(Into::into))
}
