//! Structural rules for a workflow draft, each broken rule reported with the path it concerns.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::workflow::definition::WorkflowDraft;

/// The highest output or input index a connection may use. Per-type arity is checked once node
/// descriptions exist; this bound stops absurd indexes at the door.
pub const MAX_PORT_INDEX: usize = 255;

/// One broken rule: where (`nodes[2].name`, `connections["A"].main[0][1].node`) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationIssue {
    pub path: String,
    pub message: String,
}

impl ValidationIssue {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

pub(crate) fn validate(draft: &WorkflowDraft) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, node) in draft.nodes.iter().enumerate() {
        if node.name.trim().is_empty() {
            issues.push(ValidationIssue::new(
                format!("nodes[{i}].name"),
                "must not be empty",
            ));
        } else if let Some(first) = seen.insert(node.name.as_str(), i) {
            issues.push(ValidationIssue::new(
                format!("nodes[{i}].name"),
                format!("duplicate node name {:?} (also nodes[{first}])", node.name),
            ));
            seen.insert(node.name.as_str(), first);
        }
        if node.node_type.trim().is_empty() {
            issues.push(ValidationIssue::new(
                format!("nodes[{i}].type"),
                "must not be empty",
            ));
        }
        if node
            .type_version
            .as_f64()
            .is_none_or(|v| v <= 0.0 || !v.is_finite())
        {
            issues.push(ValidationIssue::new(
                format!("nodes[{i}].typeVersion"),
                "must be a positive number",
            ));
        }
        if !node.parameters.is_object() {
            issues.push(ValidationIssue::new(
                format!("nodes[{i}].parameters"),
                "must be an object",
            ));
        }
    }
    for (source, by_type) in &draft.connections {
        let at = format!("connections[{source:?}]");
        if !seen.contains_key(source.as_str()) {
            issues.push(ValidationIssue::new(
                at.clone(),
                format!("source node {source:?} does not exist"),
            ));
        }
        for (kind, outputs) in by_type {
            if outputs.len() > MAX_PORT_INDEX + 1 {
                issues.push(ValidationIssue::new(
                    format!("{at}.{kind}"),
                    format!("at most {} outputs are allowed", MAX_PORT_INDEX + 1),
                ));
            }
            for (out, targets) in outputs.iter().enumerate() {
                for (t, target) in targets.iter().flatten().enumerate() {
                    let here = format!("{at}.{kind}[{out}][{t}]");
                    if !seen.contains_key(target.node.as_str()) {
                        issues.push(ValidationIssue::new(
                            format!("{here}.node"),
                            format!("target node {:?} does not exist", target.node),
                        ));
                    }
                    if target.connection_type.trim().is_empty() {
                        issues.push(ValidationIssue::new(
                            format!("{here}.type"),
                            "must not be empty",
                        ));
                    }
                    if target.index as usize > MAX_PORT_INDEX {
                        issues.push(ValidationIssue::new(
                            format!("{here}.index"),
                            format!("input index must be at most {MAX_PORT_INDEX}"),
                        ));
                    }
                }
            }
        }
    }
    if let Some(pin) = &draft.pin_data {
        for (node, items) in pin {
            if !matches!(items, Value::Array(_)) {
                issues.push(ValidationIssue::new(
                    format!("pinData[{node:?}]"),
                    "must be an array of items",
                ));
            }
        }
    }
    if let Some(settings) = &draft.settings
        && let Err(message) = super::webhooks::webhook_rate_limit(settings)
    {
        issues.push(ValidationIssue::new("settings.webhookRateLimit", message));
    }
    if let Some(settings) = &draft.settings {
        if let Err(message) = super::queue_settings::retry_policy(settings) {
            issues.push(ValidationIssue::new("settings.retry", message));
        }
        if let Err(message) = super::queue_settings::max_concurrency(settings) {
            issues.push(ValidationIssue::new("settings.maxConcurrency", message));
        }
    }
    if let Some(data) = &draft.static_data
        && !(data.is_object() || data.is_null())
    {
        issues.push(ValidationIssue::new(
            "staticData",
            "must be an object or null",
        ));
    }
    issues
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::workflow::WorkflowDefinition;
    use crate::workflow::definition::WorkflowDraft;

    fn draft(v: serde_json::Value) -> WorkflowDraft {
        serde_json::from_value(v).unwrap()
    }

    fn paths(v: serde_json::Value) -> Vec<String> {
        WorkflowDefinition::try_from(draft(v))
            .unwrap_err()
            .into_iter()
            .map(|i| i.path)
            .collect()
    }

    #[test]
    fn a_wired_workflow_is_valid() {
        let wf = json!({"name": "ok", "nodes": [
            {"name": "A", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1},
            {"name": "B", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {}}],
            "connections": {"A": {"main": [[{"node": "B", "type": "main", "index": 0}]]}}});
        assert!(WorkflowDefinition::try_from(draft(wf)).is_ok());
    }

    #[test]
    fn duplicate_node_names_are_reported_at_the_second_node() {
        let wf = json!({"name": "d", "nodes": [
            {"name": "A", "type": "t", "typeVersion": 1},
            {"name": "A", "type": "t", "typeVersion": 1}], "connections": {}});
        assert_eq!(paths(wf), ["nodes[1].name"]);
    }

    #[test]
    fn dangling_sources_and_targets_are_reported() {
        let wf = json!({"name": "d", "nodes": [{"name": "A", "type": "t", "typeVersion": 1}],
            "connections": {
                "A": {"main": [[{"node": "Nope", "type": "main", "index": 0}]]},
                "Ghost": {"main": [[{"node": "A", "type": "main", "index": 0}]]}}});
        assert_eq!(
            paths(wf),
            [
                r#"connections["A"].main[0][0].node"#,
                r#"connections["Ghost"]"#
            ]
        );
    }

    #[test]
    fn out_of_range_indexes_and_bad_versions_are_reported() {
        let wf = json!({"name": "d", "nodes": [
            {"name": "A", "type": "t", "typeVersion": 0},
            {"name": "B", "type": "", "typeVersion": 1, "parameters": []}],
            "connections": {"A": {"main": [[{"node": "B", "type": "main", "index": 999}]]}}});
        assert_eq!(
            paths(wf),
            [
                "nodes[0].typeVersion",
                "nodes[1].type",
                "nodes[1].parameters",
                r#"connections["A"].main[0][0].index"#
            ]
        );
    }

    #[test]
    fn null_outputs_are_accepted_as_unconnected() {
        let wf = json!({"name": "n", "nodes": [{"name": "A", "type": "t", "typeVersion": 1}],
            "connections": {"A": {"main": [null, []]}}});
        assert!(WorkflowDefinition::try_from(draft(wf)).is_ok());
    }
}
