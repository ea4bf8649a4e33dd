//! `NodeType`: what a node does (a description plus `execute`), and the registry of types.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::expr::{Evaluator, ExprError};
use crate::run::NodeContexts;
use crate::run::item::{Inputs, Item, Outputs};
use crate::workflow::Node;

/// How a node is started: triggers start executions, regular nodes process input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Trigger,
    Regular,
}

/// Which inputs must hold data before a waiting multi-input node may run with partial input
/// (n8n's `requiredInputs`, honoured in the v1 order only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequiredInputs {
    /// No requirement: released with whatever arrived.
    Any,
    /// At least this many inputs must have data.
    Count(usize),
    /// These input indexes must have data.
    Indexes(Vec<usize>),
}

/// Why a node failed: a message for people, and the item it failed on when there is one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct NodeError {
    pub message: String,
    pub description: Option<String>,
    pub item_index: Option<usize>,
}

impl NodeError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            description: None,
            item_index: None,
        }
    }

    /// Adds the longer explanation n8n shows under the message.
    /// The same error, naming item `index` (unless it already names one).
    pub fn at_item(mut self, index: usize) -> Self {
        self.item_index.get_or_insert(index);
        self
    }

    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// What a node sees when it runs.
pub struct NodeContext<'a> {
    pub node: &'a Node,
    /// Items per input index; `None` where nothing arrived.
    pub inputs: &'a Inputs,
    /// How many times this node already ran in this execution.
    pub run_index: u32,
    /// Resolves this node's expressions; its scope's items are [`NodeContext::items`].
    pub evaluator: Evaluator<'a>,
    /// Every node's context in this execution.
    pub contexts: &'a NodeContexts,
    /// Custom data of the execution (`resultData.metadata`).
    pub custom_data: &'a std::cell::RefCell<Map<String, Value>>,
    /// The execution's clock (real or virtual), for nodes that wait.
    pub clock: &'a crate::run::Clock,
    /// Answers the webhook call that started the execution (Respond to Webhook).
    pub responder: &'a crate::run::Responder,
    /// The decrypted data of credentials this node names (`credentials.for_node`).
    pub credentials: &'a crate::run::Credentials,
    /// Loads and runs other workflows (Execute Workflow).
    pub subworkflows: crate::run::subworkflow::SubRunner<'a>,
    /// Where a node asks to pause the execution (Wait).
    pub suspend: SuspendSlot<'a>,
    /// The workflow's graph and nodes, for nodes that look at their ancestors.
    pub graph: &'a crate::run::graph::Graph<'a>,
    pub workflow: &'a crate::workflow::WorkflowDefinition,
}

impl NodeContext<'_> {
    /// The types of every node upstream of this one (disabled ones too, as n8n's
    /// `getParentNodes`).
    pub fn ancestor_types(&self) -> Vec<&str> {
        let names = self.graph.ancestors(&self.node.name);
        self.workflow
            .nodes()
            .iter()
            .filter(|n| names.contains(n.name.as_str()))
            .map(|n| n.node_type.as_str())
            .collect()
    }
}

/// A node's way to pause its execution until a time or a call.
pub struct SuspendSlot<'a> {
    pub(crate) slot: &'a std::cell::RefCell<Option<crate::run::executor::Suspend>>,
    pub(crate) after: Option<std::time::Duration>,
}

impl SuspendSlot<'_> {
    /// Waits longer than this pause the run; `None` when this run cannot pause.
    pub fn threshold(&self) -> Option<std::time::Duration> {
        self.after
    }

    /// Pauses the execution after this node returns (it should return `Ok(None)`); the caller
    /// resumes it at `wait_till` (ms since the epoch) or on a call to its waiting webhook.
    pub fn pause(&self, wait_till: Option<i64>, webhook: bool) {
        *self.slot.borrow_mut() = Some(crate::run::executor::Suspend { wait_till, webhook });
    }
}

impl NodeContext<'_> {
    /// The items expressions iterate over (`$input`): the first input with data in the v1
    /// order, input 0 in v0.
    pub fn items(&self) -> &[Item] {
        self.evaluator.scope.items
    }

    /// Every parameter, expressions resolved for item `index`.
    pub fn parameters(&self, index: usize) -> Result<Value, NodeError> {
        self.evaluator
            .resolve(&self.node.parameters, index)
            .map_err(|e| expr_error(e, index))
    }

    /// The decrypted data of this node's credential of `credential_type`.
    pub async fn credential(
        &self,
        credential_type: &str,
    ) -> Result<serde_json::Map<String, Value>, NodeError> {
        self.credentials.for_node(self.node, credential_type).await
    }

    /// One top-level parameter (`Null` when absent), resolved for item `index`.
    pub fn parameter(&self, name: &str, index: usize) -> Result<Value, NodeError> {
        match self.node.parameters.get(name) {
            None => Ok(Value::Null),
            Some(v) => self
                .evaluator
                .resolve(v, index)
                .map_err(|e| expr_error(e, index)),
        }
    }

    /// This node's context: what it kept from its earlier runs in this execution.
    pub fn context(&self) -> Map<String, Value> {
        self.contexts
            .borrow()
            .get(&self.node.name)
            .cloned()
            .unwrap_or_default()
    }

    /// Replaces this node's context.
    pub fn set_context(&self, context: Map<String, Value>) {
        self.contexts
            .borrow_mut()
            .insert(self.node.name.clone(), context);
    }

    /// Resolves `value` with the extra variables of `extras` in scope (see
    /// [`Evaluator::resolve_with`]).
    pub fn resolve_with(
        &self,
        value: &Value,
        index: usize,
        extras: &Value,
    ) -> Result<Value, NodeError> {
        self.evaluator
            .resolve_with(value, index, extras)
            .map_err(|e| expr_error(e, index))
    }

    /// Resolves any parameter value (for nodes that walk their own parameter trees).
    pub fn resolve(&self, value: &Value, index: usize) -> Result<Value, NodeError> {
        self.evaluator
            .resolve(value, index)
            .map_err(|e| expr_error(e, index))
    }
}

fn expr_error(err: ExprError, index: usize) -> NodeError {
    NodeError {
        message: err.to_string(),
        description: None,
        item_index: Some(index),
    }
}

/// `Ok(None)`: the node produced nothing (its branch ends, no run is recorded).
pub type NodeResult = Result<Option<Outputs>, NodeError>;
/// Not `Send`: an execution (and its JavaScript sandbox) stays on one thread.
pub type NodeFuture<'a> = Pin<Box<dyn Future<Output = NodeResult> + 'a>>;

pub trait NodeType: Send + Sync {
    /// The n8n type name, e.g. `n8n-nodes-base.noOp`.
    fn type_name(&self) -> &'static str;
    /// The `typeVersion`s this implementation runs.
    fn versions(&self) -> &'static [f64];
    fn kind(&self) -> NodeKind {
        NodeKind::Regular
    }
    /// Number of main inputs (may depend on parameters, as Merge's `numberInputs`).
    fn inputs(&self, _node: &Node) -> usize {
        usize::from(self.kind() == NodeKind::Regular)
    }
    /// Number of main outputs, not counting the error output `onError` adds.
    fn outputs(&self, _node: &Node) -> usize {
        1
    }
    fn required_inputs(&self, _node: &Node) -> RequiredInputs {
        RequiredInputs::Any
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a>;
}

/// The node types an executor can run, by type name.
#[derive(Default, Clone)]
pub struct NodeRegistry {
    types: HashMap<&'static str, Arc<dyn NodeType>>,
}

impl NodeRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register(&mut self, node_type: Arc<dyn NodeType>) -> &mut Self {
        self.types.insert(node_type.type_name(), node_type);
        self
    }

    /// The implementation of `type_name` at `version`, if this registry has one. A version
    /// newer than any this registry knows runs as the newest it knows, as n8n does
    /// ([`Self::effective_version`] says which).
    pub fn get(&self, type_name: &str, version: f64) -> Option<&Arc<dyn NodeType>> {
        self.effective_version(type_name, version)
            .and_then(|_| self.types.get(type_name))
    }

    /// The version `type_name` at `version` runs as: itself when known, the newest known when
    /// `version` is newer than all of them, `None` otherwise (an unknown type, or an old or
    /// in-between version this registry does not have).
    pub fn effective_version(&self, type_name: &str, version: f64) -> Option<f64> {
        let versions = self.types.get(type_name)?.versions();
        if versions.iter().any(|v| (v - version).abs() < 1e-9) {
            return Some(version);
        }
        let newest = versions.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (version > newest).then_some(newest)
    }

    /// `(type, version, runs as)` for each node of `nodes` whose version is newer than any
    /// this registry knows, once per pair: what a save or activation warns about.
    pub fn newer_than_known<'n>(
        &self,
        nodes: impl IntoIterator<Item = &'n Node>,
    ) -> Vec<(String, f64, f64)> {
        let mut newer: Vec<(String, f64, f64)> = Vec::new();
        for node in nodes {
            let version = node.type_version.as_f64().unwrap_or(0.0);
            if let Some(runs_as) = self.effective_version(&node.node_type, version)
                && (runs_as - version).abs() > 1e-9
                && !newer
                    .iter()
                    .any(|(t, v, _)| t == &node.node_type && (*v - version).abs() < 1e-9)
            {
                newer.push((node.node_type.clone(), version, runs_as));
            }
        }
        newer
    }

    /// Every registered type, by name.
    pub fn types(&self) -> Vec<&Arc<dyn NodeType>> {
        let mut all: Vec<&Arc<dyn NodeType>> = self.types.values().collect();
        all.sort_by_key(|t| t.type_name());
        all
    }

    /// Every `(type, version)` of `nodes` this registry cannot run (sticky notes never run).
    pub fn unsupported<'n>(&self, nodes: impl IntoIterator<Item = &'n Node>) -> Vec<(String, f64)> {
        let mut missing: Vec<(String, f64)> = Vec::new();
        for node in nodes {
            if node.node_type == crate::run::graph::STICKY_NOTE {
                continue;
            }
            let version = node.type_version.as_f64().unwrap_or(0.0);
            if self.get(&node.node_type, version).is_none()
                && !missing
                    .iter()
                    .any(|(t, v)| t == &node.node_type && (*v - version).abs() < 1e-9)
            {
                missing.push((node.node_type.clone(), version));
            }
        }
        missing
    }
}
