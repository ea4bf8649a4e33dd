//! Lists credentials oldest first with keyset pagination over `(created_at, id)`.

use entity::credential;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};

use super::CredentialRecord;
use crate::db::Db;
use crate::store::{Cursor, Page, PageRequest, StoreError};

pub fn list_query(
    page: &PageRequest,
    visible_to: Option<uuid::Uuid>,
) -> Select<credential::Entity> {
    let mut q = credential::Entity::find().select_only().columns([
        credential::Column::Id,
        credential::Column::Name,
        credential::Column::CredentialType,
        credential::Column::OwnerId,
        credential::Column::CreatedAt,
        credential::Column::UpdatedAt,
    ]);
    if let Some(user) = visible_to {
        q = q.filter(crate::store::access::visible_credentials(
            Expr::col((credential::Entity, credential::Column::Id)),
            user,
        ));
    }
    if let Some(after) = page.after {
        q = q.filter(
            Expr::tuple([
                Expr::col(credential::Column::CreatedAt),
                Expr::col(credential::Column::Id),
            ])
            .gt(Expr::tuple([Expr::val(after.at), Expr::val(after.id)])),
        );
    }
    q.order_by_asc(credential::Column::CreatedAt)
        .order_by_asc(credential::Column::Id)
        .limit(page.limit + 1)
}

/// The row without its ciphertext: listing never reads secrets.
#[derive(Debug, sea_orm::FromQueryResult)]
struct Row {
    id: uuid::Uuid,
    name: String,
    credential_type: String,
    owner_id: Option<uuid::Uuid>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

/// A page of the credentials `visible_to` owns or is given (`None`: all).
pub async fn list(
    db: &Db,
    page: PageRequest,
    visible_to: Option<uuid::Uuid>,
) -> Result<Page<CredentialRecord>, StoreError> {
    let rows = list_query(&page, visible_to)
        .into_model::<Row>()
        .all(db.reader())
        .await?;
    Ok(Page::from_rows(rows, page.limit, |r| Cursor {
        at: r.created_at,
        id: r.id,
    })
    .map(|r| CredentialRecord {
        id: r.id,
        name: r.name,
        credential_type: r.credential_type,
        owner_id: r.owner_id,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }))
}
