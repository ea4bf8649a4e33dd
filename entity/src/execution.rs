//! `executions`: one row per run of a workflow, written before it runs; the source of truth for its state.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "executions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workflow_id: Uuid,
    /// manual, webhook, trigger, retry, integrated.
    pub mode: String,
    /// new, running, success, error, canceled, waiting, crashed.
    pub status: String,
    pub retry_of: Option<Uuid>,
    pub retry_success_id: Option<Uuid>,
    /// When the execution was requested; set on insert so lists have a stable order.
    pub started_at: DateTimeUtc,
    pub stopped_at: Option<DateTimeUtc>,
    pub wait_till: Option<DateTimeUtc>,
    /// The worker holding the execution, and until when its claim is good.
    pub worker_id: Option<String>,
    pub lease_expires_at: Option<DateTimeUtc>,
    pub attempts: i32,
    /// The execution whose sub-workflow call started this one, if any.
    pub parent_execution_id: Option<Uuid>,
    /// How many sub-workflow calls up the chain this execution is (0 for one started otherwise).
    pub call_depth: i32,
    /// When a failed execution whose workflow retries it runs again (`settings.retry`).
    pub next_attempt_at: Option<DateTimeUtc>,
    /// How many times `settings.retry` has run it again after it failed.
    pub retry_attempts: i32,
    /// When retention marked it deleted (hidden; removed for good after the hard-delete buffer).
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
