//! The schedules of the active workflows, as this process arms them.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;
use weft_engine::schedule::{Rule, SCHEDULE_TYPES, rules_of};

use super::ScheduleSettings;
use crate::db::Db;
use crate::store::{self, StoreError};

/// One schedule node of an active workflow.
#[derive(Debug, Clone)]
pub struct Armed {
    pub workflow_id: Uuid,
    pub node: String,
    pub node_type: String,
    pub rules: Vec<Rule>,
    pub tz: Tz,
    /// Since when it is armed here (ticks before it are not this process's to fire).
    pub armed_at: DateTime<Utc>,
}

impl Armed {
    fn same_schedule(&self, other: &Armed) -> bool {
        self.workflow_id == other.workflow_id
            && self.node == other.node
            && self.rules == other.rules
            && self.tz == other.tz
    }
}

/// Reads the schedules of the active workflows; one already armed keeps its arming time.
pub async fn load(
    db: &Db,
    settings: &ScheduleSettings,
    before: &[Armed],
    now: DateTime<Utc>,
) -> Result<Vec<Armed>, StoreError> {
    let workflows = store::workflows::active_with_types(db, SCHEDULE_TYPES).await?;
    let mut armed = Vec::new();
    for wf in workflows {
        let tz = weft_engine::schedule::workflow_zone(
            wf.settings.as_object().unwrap_or(&serde_json::Map::new()),
            &settings.generic_timezone,
        );
        let nodes: Vec<weft_engine::Node> =
            serde_json::from_value(wf.nodes.clone()).unwrap_or_default();
        for node in nodes
            .iter()
            .filter(|n| !n.is_disabled() && SCHEDULE_TYPES.contains(&n.node_type.as_str()))
        {
            let rules = match rules_of(node, &wf.id.to_string()) {
                Ok(rules) => rules,
                Err(e) => {
                    // Activation refuses these; one stored before that check is skipped.
                    tracing::warn!(workflow = %wf.id, node = %node.name, error = %e, "a schedule cannot be armed");
                    continue;
                }
            };
            let mut next = Armed {
                workflow_id: wf.id,
                node: node.name.clone(),
                node_type: node.node_type.clone(),
                rules,
                tz,
                armed_at: now,
            };
            if let Some(old) = before.iter().find(|b| b.same_schedule(&next)) {
                next.armed_at = old.armed_at;
            }
            armed.push(next);
        }
    }
    Ok(armed)
}
