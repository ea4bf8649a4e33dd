//! `execution_data`: the workflow snapshot an execution ran and its run data (compressed).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "execution_data")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub execution_id: Uuid,
    pub workflow_data: Json,
    /// Run data, encoded as `data_encoding` says.
    pub data: Vec<u8>,
    pub data_encoding: String,
    /// What the run starts from (start node, items, pin data), encoded as
    /// `run_request_encoding` says; `None` for executions written before queue mode.
    pub run_request: Option<Vec<u8>>,
    pub run_request_encoding: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
