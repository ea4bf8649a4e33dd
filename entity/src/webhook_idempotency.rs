//! `webhook_idempotency`: a webhook call's `Idempotency-Key` and, once answered, its response.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_idempotency")]
pub struct Model {
    /// `{workflow id}:{node name}`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub webhook: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// `false` while the first call is still being answered.
    pub done: bool,
    pub status: Option<i32>,
    /// `[[name, value], …]`.
    pub headers: Option<Json>,
    pub body: Option<Vec<u8>>,
    pub created_at: DateTimeUtc,
    /// The execution the first call started, once it has one.
    pub execution_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
