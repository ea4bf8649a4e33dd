//! `api_keys`: hashed API keys (`X-N8N-API-KEY`) belonging to users.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub label: String,
    /// The key's public part: found by it, shown in lists, never enough to use the key.
    #[sea_orm(unique)]
    pub prefix: String,
    /// A hash of the key; the key itself is shown once, at creation.
    #[sea_orm(unique)]
    pub key_hash: String,
    pub scopes: Json,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub expires_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
