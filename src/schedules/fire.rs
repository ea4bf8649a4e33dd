//! Firing one tick: its rule's "every N" check, then the execution and the tick's claim in one
//! transaction; a tick another process claimed first starts nothing here.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use weft_engine::WorkflowDefinition;
use weft_engine::run::Item;

use super::armed::Armed;
use crate::runner::{RunError, RunRequest, Runner, Waits};
use crate::store::executions::{ExecutionMode, TickClaim};
use crate::store::{self, StoreError};

pub async fn fire(runner: &Arc<Runner>, armed: &Armed, rule: usize, tick: DateTime<Utc>) {
    if let Err(e) = try_fire(runner, armed, rule, tick).await {
        tracing::warn!(workflow = %armed.workflow_id, node = %armed.node, %tick, error = %e, "a schedule tick did not fire");
    }
}

async fn try_fire(
    runner: &Arc<Runner>,
    armed: &Armed,
    rule_index: usize,
    tick: DateTime<Utc>,
) -> Result<(), String> {
    let db = runner.db();
    let rule = &armed.rules[rule_index];
    let index = u32::try_from(rule_index).unwrap_or(u32::MAX);
    if let Some(recurrence) = &rule.recurrence {
        let last = store::schedules::last_tick(db, armed.workflow_id, &armed.node, index, tick)
            .await
            .map_err(|e| e.to_string())?;
        if !recurrence.allows(tick, last, armed.tz) {
            return Ok(());
        }
    }
    if store::schedules::fired(db, armed.workflow_id, &armed.node, tick)
        .await
        .map_err(|e| e.to_string())?
    {
        return Ok(());
    }
    let stored = store::workflows::get(db, armed.workflow_id)
        .await
        .map_err(|e| e.to_string())?;
    if !stored.active {
        return Ok(());
    }
    let static_data = stored.static_data.clone();
    let definition = WorkflowDefinition::from_parts(
        &stored.name,
        stored.nodes,
        stored.connections,
        stored.settings,
    )
    .map_err(|e| format!("the stored workflow is not valid: {e:?}"))?;
    let item = Item {
        json: weft_engine::schedule::trigger_item(&armed.node_type, tick, armed.tz),
        ..Default::default()
    };
    let started = runner
        .start(RunRequest {
            parent: None,
            workflow_id: armed.workflow_id,
            mode: ExecutionMode::Trigger,
            retry_of: None,
            definition,
            pin_data: Default::default(),
            start_node: Some(armed.node.clone()),
            items: Some(vec![item]),
            static_data,
            waits: Waits::Nothing,
            tick: Some(TickClaim {
                node: armed.node.clone(),
                at: tick,
                rule: index,
            }),
        })
        .await;
    match started {
        Ok((record, _)) => {
            tracing::debug!(workflow = %armed.workflow_id, execution = %record.id, %tick, "schedule tick fired");
            Ok(())
        }
        // Another process fired it first.
        Err(RunError::Store(StoreError::Conflict(_))) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}
