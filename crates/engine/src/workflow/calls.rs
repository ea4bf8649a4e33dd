//! The stored workflows a workflow calls by a fixed id (Execute Workflow nodes), which n8n 2
//! requires to be published (here: active) before the caller is.

use serde_json::Value;

use crate::workflow::WorkflowDefinition;

const EXECUTE_WORKFLOW: &str = "n8n-nodes-base.executeWorkflow";

/// `(node name, workflow id)` of each enabled Execute Workflow node that calls a stored
/// workflow by a fixed id: source `database` (the default), an id that is not an expression;
/// as n8n's check when a workflow is published.
pub fn stored_workflow_calls(def: &WorkflowDefinition) -> Vec<(&str, String)> {
    def.nodes()
        .iter()
        .filter(|n| n.node_type == EXECUTE_WORKFLOW && !n.is_disabled())
        .filter(|n| {
            n.parameters
                .get("source")
                .and_then(Value::as_str)
                .is_none_or(|s| s == "database")
        })
        .filter_map(|n| {
            let id = match n.parameters.get("workflowId") {
                Some(Value::Object(rl)) => rl.get("value").and_then(Value::as_str),
                Some(Value::String(s)) => Some(s.as_str()),
                _ => None,
            }?;
            (!id.is_empty() && !id.starts_with('=')).then(|| (n.name.as_str(), id.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::stored_workflow_calls;
    use crate::workflow::{WorkflowDefinition, WorkflowDraft};
    use serde_json::json;

    #[test]
    fn fixed_ids_of_enabled_database_calls_are_listed_and_expressions_and_json_sources_are_not() {
        let call = |name: &str, params: serde_json::Value, disabled: bool| {
            json!({"name": name, "type": "n8n-nodes-base.executeWorkflow", "typeVersion": 1.2,
                   "parameters": params, "disabled": disabled})
        };
        let draft: WorkflowDraft = serde_json::from_value(json!({
            "name": "calls",
            "nodes": [
                call("Locator", json!({"workflowId": {"__rl": true, "value": "a", "mode": "id"}}), false),
                call("Plain", json!({"source": "database", "workflowId": "b"}), false),
                call("Expression", json!({"workflowId": {"__rl": true, "value": "={{ $json.id }}", "mode": "id"}}), false),
                call("Json", json!({"source": "parameter", "workflowJson": "{}"}), false),
                call("Off", json!({"workflowId": "c"}), true),
                call("Empty", json!({}), false),
            ],
            "connections": {}
        }))
        .unwrap();
        let def = WorkflowDefinition::try_from(draft).unwrap();
        assert_eq!(
            stored_workflow_calls(&def),
            [("Locator", "a".to_owned()), ("Plain", "b".to_owned())]
        );
    }
}
