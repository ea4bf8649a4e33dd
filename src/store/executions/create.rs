//! Writes a new execution (status `new`), the workflow snapshot it will run and its run
//! request, before it is queued.

use entity::{execution, execution_data};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::Value;
use uuid::Uuid;

use super::ExecutionRecord;
use crate::db::Db;
use crate::store::{StoreError, new_id, now};

/// The schedule tick an execution fires: its trigger node, its time and which of the node's
/// rules it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TickClaim {
    pub node: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub rule: u32,
}

pub struct NewExecution {
    pub workflow_id: Uuid,
    /// manual, webhook, trigger, retry, integrated.
    pub mode: super::ExecutionMode,
    pub retry_of: Option<Uuid>,
    /// The workflow as it will run (name, nodes, connections, settings, pinData).
    pub workflow: Value,
    /// The execution whose sub-workflow call starts this one, and this one's call depth.
    pub parent: Option<(Uuid, u32)>,
    /// What the run starts from.
    pub request: super::StoredRequest,
    /// The schedule tick this execution fires, `(trigger node, tick time)`: claimed in the same
    /// transaction, so a tick another process fired is a `Conflict` and nothing is written.
    pub tick: Option<TickClaim>,
}

pub async fn create(db: &Db, new: NewExecution) -> Result<ExecutionRecord, StoreError> {
    let id = new_id();
    let txn = db.begin_write().await?;
    if let Some(TickClaim { node, at, rule }) = &new.tick {
        entity::schedule_tick::ActiveModel {
            workflow_id: Set(new.workflow_id),
            node: Set(node.clone()),
            tick_at: Set(*at),
            rule_index: Set(i32::try_from(*rule).unwrap_or(i32::MAX)),
            execution_id: Set(id),
            created_at: Set(now()),
        }
        .insert(&txn)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("the tick of {node:?} at {at} was fired already"))
            }
            other => other,
        })?;
    }
    let model = execution::ActiveModel {
        id: Set(id),
        workflow_id: Set(new.workflow_id),
        mode: Set(new.mode.as_str().to_owned()),
        status: Set("new".to_owned()),
        retry_of: Set(new.retry_of),
        retry_success_id: Set(None),
        started_at: Set(now()),
        stopped_at: Set(None),
        wait_till: Set(None),
        worker_id: Set(None),
        lease_expires_at: Set(None),
        attempts: Set(0),
        parent_execution_id: Set(new.parent.map(|(id, _)| id)),
        call_depth: Set(new
            .parent
            .map_or(0, |(_, depth)| depth.min(i32::MAX as u32) as i32)),
        next_attempt_at: Set(None),
        retry_attempts: Set(0),
        deleted_at: Set(None),
    }
    .insert(&txn)
    .await?;
    execution_data::ActiveModel {
        execution_id: Set(id),
        workflow_data: Set(new.workflow),
        data: Set(Vec::new()),
        data_encoding: Set(super::data::NO_DATA.to_owned()),
        run_request: Set(Some(super::request::encode(&new.request)?)),
        run_request_encoding: Set(Some(super::data::ZLIB_JSON.to_owned())),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    model.try_into()
}
