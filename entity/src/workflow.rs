//! `workflows`: the current version of each stored workflow.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "workflows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub active: bool,
    pub nodes: Json,
    pub connections: Json,
    pub settings: Json,
    pub static_data: Option<Json>,
    pub pin_data: Option<Json>,
    pub meta: Option<Json>,
    pub version_id: Uuid,
    pub trigger_count: i32,
    /// The user it belongs to (`None`: made before users existed; the owner and admins see it).
    pub owner_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
