//! `webhooks`: the routing table from (method, path) to the workflow node that answers it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhooks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub method: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub path: String,
    pub workflow_id: Uuid,
    pub node: String,
    pub webhook_id: Option<String>,
    /// Number of `/`-separated segments; dynamic paths (`:id`) are matched by segment count.
    pub path_segments: i32,
    pub is_dynamic: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
