//! `WorkflowDefinition`: a structurally valid workflow (name, nodes, connections, settings, data).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::workflow::validate::{ValidationIssue, validate};
use crate::workflow::{Connections, Node, WorkflowName, is_activation_trigger};

/// What a client sends: an n8n workflow export's structural part. Unknown top-level keys of an
/// export (`id`, `active`, `tags`, `versionId`, …) are read-only here and ignored.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowDraft {
    pub name: WorkflowName,
    pub nodes: Vec<Node>,
    pub connections: Connections,
    #[serde(default)]
    pub settings: Option<Map<String, Value>>,
    #[serde(default)]
    pub static_data: Option<Value>,
    #[serde(default)]
    pub pin_data: Option<Map<String, Value>>,
    #[serde(default)]
    pub meta: Option<Value>,
}

/// A workflow whose node names are unique and whose connections all name existing nodes.
/// Only [`WorkflowDefinition::try_from`] builds one, so holding one means it passed those checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowDefinition {
    name: WorkflowName,
    nodes: Vec<Node>,
    connections: Connections,
    settings: Map<String, Value>,
    static_data: Option<Value>,
    pin_data: Option<Map<String, Value>>,
    meta: Option<Value>,
}

impl TryFrom<WorkflowDraft> for WorkflowDefinition {
    type Error = Vec<ValidationIssue>;

    fn try_from(draft: WorkflowDraft) -> Result<Self, Self::Error> {
        let issues = validate(&draft);
        if !issues.is_empty() {
            return Err(issues);
        }
        Ok(Self {
            name: draft.name,
            nodes: draft.nodes,
            connections: draft.connections,
            settings: draft.settings.unwrap_or_default(),
            static_data: draft.static_data.filter(|v| !v.is_null()),
            pin_data: draft.pin_data,
            meta: draft.meta.filter(|v| !v.is_null()),
        })
    }
}

impl WorkflowDefinition {
    pub fn name(&self) -> &WorkflowName {
        &self.name
    }
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
    pub fn connections(&self) -> &Connections {
        &self.connections
    }
    pub fn settings(&self) -> &Map<String, Value> {
        &self.settings
    }
    pub fn static_data(&self) -> Option<&Value> {
        self.static_data.as_ref()
    }
    pub fn pin_data(&self) -> Option<&Map<String, Value>> {
        self.pin_data.as_ref()
    }
    pub fn meta(&self) -> Option<&Value> {
        self.meta.as_ref()
    }

    /// The enabled nodes that start executions by themselves once the workflow is active.
    pub fn activation_triggers(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| is_activation_trigger(n))
    }

    /// Rebuilds a definition from storage, re-checking it (stored rows were valid when written).
    pub fn from_parts(
        name: &str,
        nodes: Value,
        connections: Value,
        settings: Value,
    ) -> Result<Self, Vec<ValidationIssue>> {
        let draft = WorkflowDraft {
            name: WorkflowName::parse(name).map_err(|m| vec![ValidationIssue::new("name", m)])?,
            nodes: serde_json::from_value(nodes)
                .map_err(|e| vec![ValidationIssue::new("nodes", e.to_string())])?,
            connections: serde_json::from_value(connections)
                .map_err(|e| vec![ValidationIssue::new("connections", e.to_string())])?,
            settings: serde_json::from_value(settings)
                .map_err(|e| vec![ValidationIssue::new("settings", e.to_string())])?,
            static_data: None,
            pin_data: None,
            meta: None,
        };
        Self::try_from(draft)
    }
}
