//! Choosing where a run starts, as n8n does when no start node is given.

use crate::run::graph::{Graph, STICKY_NOTE};
use crate::run::node_type::{NodeKind, NodeRegistry};
use crate::workflow::{Node, WorkflowDefinition};

/// Node types that start a run by hand or from another workflow, in n8n's order of preference.
const STARTING_TYPES: &[&str] = &[
    "n8n-nodes-base.manualTrigger",
    "n8n-nodes-base.executeWorkflowTrigger",
    "n8n-nodes-base.errorTrigger",
    "n8n-nodes-base.evaluationTrigger",
    "n8n-nodes-base.formTrigger",
    "n8n-nodes-base.start",
];

/// The node a run begins at: the only enabled root, else the first enabled root that is a
/// trigger, else the first enabled node of a starting type.
pub fn start_node<'w>(def: &'w WorkflowDefinition, registry: &NodeRegistry) -> Option<&'w Node> {
    let graph = Graph::new(def);
    let roots: Vec<&Node> = def
        .nodes()
        .iter()
        .filter(|n| n.node_type != STICKY_NOTE && !n.is_disabled() && !graph.has_parents(&n.name))
        .collect();
    if let [only] = roots.as_slice() {
        return Some(only);
    }
    let is_trigger = |n: &Node| {
        registry
            .get(&n.node_type, n.type_version.as_f64().unwrap_or(0.0))
            .is_some_and(|t| t.kind() == NodeKind::Trigger)
    };
    if let Some(n) = roots.iter().find(|n| is_trigger(n)) {
        return Some(n);
    }
    STARTING_TYPES.iter().find_map(|t| {
        def.nodes()
            .iter()
            .find(|n| !n.is_disabled() && n.node_type == *t)
    })
}
