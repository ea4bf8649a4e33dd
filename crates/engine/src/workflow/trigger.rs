//! Which node types can start an active workflow on their own (webhook, schedule, polling triggers).

use crate::workflow::Node;

/// Types that start a workflow only when a person or another workflow asks: they do not make
/// a workflow activatable, as in n8n.
const MANUAL_STARTS: &[&str] = &[
    "n8n-nodes-base.manualTrigger",
    "n8n-nodes-base.start",
    "@n8n/n8n-nodes-langchain.manualChatTrigger",
];

/// Legacy trigger types whose names do not end in `Trigger`.
const LEGACY_TRIGGERS: &[&str] = &[
    "n8n-nodes-base.webhook",
    "n8n-nodes-base.cron",
    "n8n-nodes-base.interval",
];

/// True when `node` is enabled and of a type that starts executions by itself once the
/// workflow is active: a webhook, a schedule or a `…Trigger` node.
pub fn is_activation_trigger(node: &Node) -> bool {
    if node.is_disabled() || MANUAL_STARTS.contains(&node.node_type.as_str()) {
        return false;
    }
    if LEGACY_TRIGGERS.contains(&node.node_type.as_str()) {
        return true;
    }
    let local_name = node
        .node_type
        .rsplit_once('.')
        .map_or(node.node_type.as_str(), |(_, n)| n);
    local_name.ends_with("Trigger")
}

#[cfg(test)]
mod tests {
    use super::is_activation_trigger;
    use crate::workflow::Node;

    fn node(node_type: &str, disabled: bool) -> Node {
        serde_json::from_value(serde_json::json!({
            "name": "n", "type": node_type, "typeVersion": 1, "disabled": disabled
        }))
        .unwrap()
    }

    #[test]
    fn webhooks_schedules_and_app_triggers_activate_a_workflow() {
        for t in [
            "n8n-nodes-base.webhook",
            "n8n-nodes-base.scheduleTrigger",
            "n8n-nodes-base.cron",
            "n8n-nodes-base.githubTrigger",
            // Error workflows and sub-workflows are activated so that failures and callers
            // run them (n8n 2 runs only published ones).
            "n8n-nodes-base.errorTrigger",
            "n8n-nodes-base.executeWorkflowTrigger",
        ] {
            assert!(is_activation_trigger(&node(t, false)), "{t}");
        }
    }

    #[test]
    fn manual_starts_and_disabled_triggers_do_not() {
        for t in [
            "n8n-nodes-base.manualTrigger",
            "n8n-nodes-base.start",
            "n8n-nodes-base.set",
        ] {
            assert!(!is_activation_trigger(&node(t, false)), "{t}");
        }
        assert!(!is_activation_trigger(&node(
            "n8n-nodes-base.webhook",
            true
        )));
    }
}
