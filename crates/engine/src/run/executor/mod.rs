//! The executor: walks a workflow from its start node in n8n's v1 (depth-first) or legacy v0
//! (breadth-first) order, runs each node with its options, and records run data.

mod pause;
mod scheduling;

pub use pause::{Paused, Suspend};

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::expr::{Evaluator, ExprLimits, LazySandbox, NodeScope};
use crate::run::data::{
    ErrorNode, ExecutionError, ExecutionResult, ExecutionStatus, ResultData, RunData, SourceData,
    TaskData, TaskOutput, TaskStatus,
};
use crate::run::graph::Graph;
use crate::run::item::{Inputs, Item, Outputs};
use crate::run::node_type::{NodeContext, NodeError, NodeRegistry};
use crate::run::{NodeContexts, lineage};
use crate::workflow::{Node, OnError, WorkflowDefinition};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionOrder {
    /// Depth-first; a node runs only when it has data (`settings.executionOrder = "v1"`).
    V1,
    /// Breadth-first legacy order, used when the setting is absent.
    V0,
}

impl ExecutionOrder {
    pub fn of(def: &WorkflowDefinition) -> Self {
        match def.settings().get("executionOrder").and_then(Value::as_str) {
            Some("v1") => Self::V1,
            _ => Self::V0,
        }
    }
}

/// n8n's zone for workflows that set none.
pub const DEFAULT_TIMEZONE: &str = "America/New_York";

/// How to run: where to start, with which items, with what pinned outputs, and a cancel flag.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub start_node: String,
    pub start_items: Vec<Item>,
    /// Pinned outputs by node name; a pinned node does not run (manual executions).
    pub pin_data: HashMap<String, Vec<Item>>,
    pub cancel: Arc<AtomicBool>,
    /// `$execution.id`, `$execution.mode` (`manual`, `webhook`, `trigger`, …), `$workflow.id`.
    pub execution_id: String,
    pub mode: String,
    pub workflow_id: String,
    pub expression_limits: ExprLimits,
    pub budget: Budget,
    /// The workflow's static data (`$getWorkflowStaticData`), an object.
    pub static_data: Value,
    /// Waits advance a virtual clock instead of sleeping (tests, conformance runs).
    pub virtual_clock: bool,
    /// Where a Respond to Webhook node sends its answer (webhook runs).
    pub responder: crate::run::Responder,
    /// Where Execute Workflow loads stored workflows from.
    pub workflows: crate::run::subworkflow::Workflows,
    /// Where nodes get the decrypted data of the credentials they name.
    pub credentials: crate::run::Credentials,
    /// How many workflows up the call chain this run is (0 for a top-level run).
    pub depth: u32,
    /// Waits longer than this pause the execution (status `waiting`) for the caller to resume
    /// later; `None`: every wait sleeps inside the run, and waits for a call are refused.
    pub pause_waits_over: Option<Duration>,
    /// Where Code node bodies run (a pool of sandbox processes), if not on this thread.
    pub code_host: crate::expr::CodeHosting,
    /// The zone of a workflow whose settings name none (n8n's `GENERIC_TIMEZONE`); empty:
    /// [`DEFAULT_TIMEZONE`].
    pub default_timezone: String,
    /// `$vars`: the instance's variables, `{key: value}` (read-only in the run).
    pub vars: std::sync::Arc<Value>,
}

/// How much one execution may do and hold before it is stopped with an error.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Items produced by all node runs together.
    pub max_items: usize,
    /// Approximate JSON size of those items, in bytes.
    pub max_bytes: usize,
    /// Node runs (a cycle in the connections may run a node again and again).
    pub max_node_runs: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            max_items: 1_000_000,
            max_bytes: 256 << 20,
            max_node_runs: DEFAULT_MAX_NODE_RUNS,
        }
    }
}

/// Node runs one execution may make unless configured otherwise (`WEFT_MAX_NODE_RUNS`).
pub const DEFAULT_MAX_NODE_RUNS: usize = 100_000;

/// A cheap estimate of an item's JSON size (no serialisation) and how deeply it nests, walked
/// without recursion so no shape of data can exhaust the stack here.
fn approx_size(json: &serde_json::Map<String, Value>) -> (usize, usize) {
    let mut size = 2;
    let mut deepest = 1;
    let mut pending: Vec<(&Value, usize)> = Vec::new();
    for (k, v) in json {
        size += k.len() + 4;
        pending.push((v, 2));
    }
    while let Some((value, depth)) = pending.pop() {
        deepest = deepest.max(depth);
        size += match value {
            Value::Null | Value::Bool(_) => 4,
            Value::Number(_) => 8,
            Value::String(s) => s.len() + 2,
            Value::Array(a) => {
                pending.extend(a.iter().map(|v| (v, depth + 1)));
                2 + a.len()
            }
            Value::Object(o) => {
                for (k, v) in o {
                    size += k.len() + 4;
                    pending.push((v, depth + 1));
                }
                2
            }
        };
    }
    (size, deepest)
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Entry {
    node: String,
    inputs: Inputs,
    source: Vec<Option<SourceData>>,
}

/// Partial inputs of a multi-input node waiting for its other parents.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Slot {
    inputs: Inputs,
    source: Vec<Option<SourceData>>,
}

pub struct Executor<'w> {
    def: &'w WorkflowDefinition,
    graph: Graph<'w>,
    registry: &'w NodeRegistry,
    order: ExecutionOrder,
    stack: VecDeque<Entry>,
    waiting: Vec<(String, Vec<Slot>)>,
    run_data: RunData,
    last_node: Option<String>,
    execution_index: u32,
    items_held: usize,
    bytes_held: usize,
    contexts: NodeContexts,
    custom_data: std::cell::RefCell<serde_json::Map<String, Value>>,
    /// Set by a node (Wait) that asks to pause the execution.
    suspended: std::cell::RefCell<Option<Suspend>>,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn error_of(node: &Node, err: &NodeError) -> ExecutionError {
    ExecutionError {
        message: err.message.clone(),
        name: "NodeOperationError".into(),
        description: err.description.clone(),
        node: Some(ErrorNode {
            name: node.name.clone(),
            node_type: node.node_type.clone(),
        }),
        context: err
            .item_index
            .map(|i| serde_json::json!({ "itemIndex": i })),
    }
}

/// An item a node flagged as failed: it goes to the error output under `continueErrorOutput`.
fn is_error_item(item: &Item) -> bool {
    item.error.is_some()
        || (item
            .json
            .get("error")
            .is_some_and(|e| !e.is_null() && e != &Value::Bool(false))
            && item
                .json
                .keys()
                .all(|k| matches!(k.as_str(), "error" | "message" | "details")))
}

impl<'w> Executor<'w> {
    pub fn new(def: &'w WorkflowDefinition, registry: &'w NodeRegistry) -> Self {
        Self {
            def,
            graph: Graph::new(def),
            registry,
            order: ExecutionOrder::of(def),
            stack: VecDeque::new(),
            waiting: Vec::new(),
            run_data: RunData::new(),
            last_node: None,
            execution_index: 0,
            items_held: 0,
            bytes_held: 0,
            contexts: NodeContexts::default(),
            custom_data: Default::default(),
            suspended: Default::default(),
        }
    }

    pub async fn run(mut self, options: RunOptions) -> ExecutionResult {
        self.stack.push_back(Entry {
            node: options.start_node.clone(),
            inputs: vec![Some(options.start_items.clone())],
            source: Vec::new(),
        });
        self.drive(options).await
    }

    /// Runs nodes from the stack until it is empty, a node fails, or a node pauses the run.
    async fn drive(mut self, options: RunOptions) -> ExecutionResult {
        let sandbox = LazySandbox::new(
            options.expression_limits,
            serde_json::json!({"id": options.execution_id, "mode": options.mode, "resumeUrl": ""}),
            serde_json::json!({"id": options.workflow_id, "name": self.def.name().as_str(), "active": false}),
            self.def
                .settings()
                .get("timezone")
                .and_then(Value::as_str)
                .filter(|z| !z.is_empty() && *z != "DEFAULT")
                .unwrap_or(if options.default_timezone.is_empty() {
                    DEFAULT_TIMEZONE
                } else {
                    &options.default_timezone
                }),
        )
        .with_static_data(options.static_data.clone())
        .with_vars(options.vars.clone());
        let sandbox = match &options.code_host.0 {
            Some(host) => sandbox.with_code_host(host.clone(), options.cancel.clone()),
            None => sandbox,
        };
        let clock = crate::run::Clock::new(options.virtual_clock, options.cancel.clone());
        let mut paused = None;
        let mut failed_at = None;
        let mut status = ExecutionStatus::Success;
        let mut error = None;
        // Node runs so far, counting those that produced nothing (they are not recorded).
        let mut steps = self.execution_index as usize;
        // As n8n: the error of a node that failed but continued (its input passed on) ends the
        // execution as failed when that node is the last to run.
        let mut trailing_error = None;
        while let Some(mut entry) = self.stack.pop_front() {
            trailing_error = None;
            if options.cancel.load(Ordering::Relaxed) {
                status = ExecutionStatus::Canceled;
                break;
            }
            let Some(node) = self.graph.node(&entry.node) else {
                continue;
            };
            steps += 1;
            if steps > options.budget.max_node_runs {
                let err = ExecutionError {
                    message: format!(
                        "The execution ran {} nodes, the most one execution may run",
                        options.budget.max_node_runs
                    ),
                    name: "NodeRunLimitExceeded".into(),
                    description: Some(
                        "The workflow's connections loop without end, or it needs a higher \
                         WEFT_MAX_NODE_RUNS."
                            .into(),
                    ),
                    node: Some(ErrorNode {
                        name: node.name.clone(),
                        node_type: node.node_type.clone(),
                    }),
                    context: None,
                };
                self.last_node = Some(node.name.clone());
                status = ExecutionStatus::Error;
                error = Some(err);
                break;
            }
            lineage::stamp_inputs(&mut entry.inputs);
            let run_index = self.run_data.get(&node.name).map_or(0, Vec::len) as u32;
            let started = Instant::now();
            let start_time = now_ms();
            let outcome = self
                .run_node(node, &entry, run_index, &options, &sandbox, &clock)
                .await;
            // A Code node run open in a sandbox process ends with its node run.
            sandbox.end_code_run();
            if let Some(suspend) = self.suspended.take() {
                paused = Some(self.pause(entry, suspend));
                status = ExecutionStatus::Waiting;
                break;
            }
            let (outputs, task_error) = match outcome {
                Ok(outputs) => (outputs, None),
                Err(_) if options.cancel.load(Ordering::Relaxed) => {
                    // Stopped while the node ran (its sandbox killed): the run is canceled,
                    // not failed.
                    self.last_node = Some(node.name.clone());
                    status = ExecutionStatus::Canceled;
                    break;
                }
                Err(err) => {
                    let err = error_of(node, &err);
                    self.last_node = Some(node.name.clone());
                    if node.on_error() == OnError::StopWorkflow {
                        self.record(node, &entry, start_time, started, None, Some(err.clone()));
                        failed_at = Some(self.pause(entry, Suspend::default()));
                        status = ExecutionStatus::Error;
                        error = Some(err);
                        break;
                    }
                    trailing_error = Some(err.clone());
                    (
                        entry
                            .inputs
                            .first()
                            .cloned()
                            .flatten()
                            .map(|items| vec![items]),
                        Some(err),
                    )
                }
            };
            let outputs = self.finish_outputs(node, &entry.inputs, outputs);
            let Some(outputs) = outputs else {
                continue;
            };
            self.last_node = Some(node.name.clone());
            if let Some(over) = self.charge(&outputs, options.budget) {
                let err = ExecutionError {
                    message: over,
                    name: "ExecutionBudgetExceeded".into(),
                    description: Some(
                        "The workflow produced more data than one execution may hold.".into(),
                    ),
                    node: Some(ErrorNode {
                        name: node.name.clone(),
                        node_type: node.node_type.clone(),
                    }),
                    context: None,
                };
                self.record(node, &entry, start_time, started, None, Some(err.clone()));
                status = ExecutionStatus::Error;
                error = Some(err);
                break;
            }
            self.enqueue_children(node, &outputs, run_index);
            self.record(node, &entry, start_time, started, Some(outputs), task_error);
            if self.stack.is_empty() {
                self.release_waiting();
            }
        }
        if status == ExecutionStatus::Success
            && let Some(err) = trailing_error
        {
            status = ExecutionStatus::Error;
            error = Some(err);
        }
        let static_data = sandbox.static_data_if_changed();
        ExecutionResult {
            status,
            result_data: ResultData {
                run_data: self.run_data,
                last_node_executed: self.last_node,
                error,
                metadata: self.custom_data.into_inner(),
            },
            static_data,
            paused,
            failed_at,
        }
    }

    /// Adds a node run's output to what the execution holds; the reason if over budget.
    fn charge(&mut self, outputs: &Outputs, budget: Budget) -> Option<String> {
        for item in outputs.iter().flatten() {
            self.items_held += 1;
            let (size, depth) = approx_size(&item.json);
            self.bytes_held += size;
            if depth > crate::MAX_NESTING {
                return Some(format!(
                    "An item is nested {depth} levels deep, more than the {} allowed",
                    crate::MAX_NESTING
                ));
            }
        }
        if self.items_held > budget.max_items {
            return Some(format!(
                "The execution holds {} items, more than its budget of {}",
                self.items_held, budget.max_items
            ));
        }
        if self.bytes_held > budget.max_bytes {
            return Some(format!(
                "The execution holds about {} bytes of data, more than its budget of {}",
                self.bytes_held, budget.max_bytes
            ));
        }
        None
    }

    fn record(
        &mut self,
        node: &Node,
        entry: &Entry,
        start_time: i64,
        started: Instant,
        outputs: Option<Outputs>,
        error: Option<ExecutionError>,
    ) {
        let task = TaskData {
            start_time,
            execution_time: started.elapsed().as_millis() as i64,
            execution_index: self.execution_index,
            execution_status: if error.is_some() {
                TaskStatus::Error
            } else {
                TaskStatus::Success
            },
            source: entry.source.clone(),
            data: outputs.map(|main| TaskOutput { main }),
            error,
        };
        self.execution_index += 1;
        self.run_data
            .entry(node.name.clone())
            .or_default()
            .push(task);
    }

    /// Runs one node: disabled pass-through, pinned data, or its type (with retries).
    async fn run_node(
        &self,
        node: &Node,
        entry: &Entry,
        run_index: u32,
        options: &RunOptions,
        sandbox: &LazySandbox,
        clock: &crate::run::Clock,
    ) -> Result<Option<Outputs>, NodeError> {
        let inputs = &entry.inputs;
        if node.is_disabled() {
            return Ok(inputs.first().cloned().flatten().map(|items| vec![items]));
        }
        if let Some(pinned) = options.pin_data.get(&node.name) {
            return Ok(Some(vec![pinned.clone()]));
        }
        let version = node.type_version.as_f64().unwrap_or(0.0);
        let Some(node_type) = self.registry.get(&node.node_type, version) else {
            return Err(NodeError::new(format!(
                "Unrecognized node type: {} (version {version})",
                node.node_type
            )));
        };
        // A version newer than any known runs as the newest known, and sees itself as that.
        let clamped;
        let node = match self.registry.effective_version(&node.node_type, version) {
            Some(runs_as) if (runs_as - version).abs() > 1e-9 => {
                let mut copy = node.clone();
                copy.type_version =
                    serde_json::Number::from_f64(runs_as).map_or(copy.type_version, Into::into);
                clamped = copy;
                &clamped
            }
            _ => node,
        };
        let has_parents = self.graph.has_parents(&node.name);
        let has_data = match self.order {
            ExecutionOrder::V1 => inputs.iter().flatten().any(|i| !i.is_empty()),
            ExecutionOrder::V0 => inputs
                .first()
                .and_then(Option::as_ref)
                .is_some_and(|i| !i.is_empty()),
        };
        if has_parents && !has_data {
            return Ok(None);
        }
        // executeOnce: the node gets each input's first item; expressions still see all of them.
        let once: Option<Inputs> = node.execute_once().then(|| {
            inputs
                .iter()
                .map(|i| {
                    i.as_ref()
                        .map(|items| items.iter().take(1).cloned().collect())
                })
                .collect()
        });
        let node_inputs: &Inputs = once.as_ref().unwrap_or(inputs);
        let items: &[Item] = match self.order {
            ExecutionOrder::V1 => inputs.iter().flatten().find(|i| !i.is_empty()),
            ExecutionOrder::V0 => inputs.first().and_then(Option::as_ref),
        }
        .map_or(&[], Vec::as_slice);
        let (tries, wait_ms) = node.retry_policy();
        let mut attempt = 1;
        loop {
            let ctx = NodeContext {
                node,
                inputs: node_inputs,
                run_index,
                evaluator: Evaluator {
                    sandbox,
                    scope: NodeScope {
                        node: &node.name,
                        run_index,
                        source: &entry.source,
                        items,
                        params: &node.parameters,
                        contexts: Some(&self.contexts),
                        clock_offset_ms: clock.offset_ms(),
                    },
                    run_data: &self.run_data,
                },
                contexts: &self.contexts,
                custom_data: &self.custom_data,
                clock,
                responder: &options.responder,
                credentials: &options.credentials,
                subworkflows: crate::run::subworkflow::SubRunner {
                    registry: self.registry,
                    options,
                },
                suspend: crate::run::node_type::SuspendSlot {
                    slot: &self.suspended,
                    after: options.pause_waits_over,
                },
                graph: &self.graph,
                workflow: self.def,
            };
            match node_type.execute(ctx).await {
                Err(_) if attempt < tries => {
                    tokio::time::sleep(Duration::from_millis(wait_ms)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Applies `continueErrorOutput` routing, `pairedItem` defaults and `alwaysOutputData`.
    fn finish_outputs(
        &self,
        node: &Node,
        inputs: &Inputs,
        outputs: Option<Outputs>,
    ) -> Option<Outputs> {
        let mut outputs = outputs;
        if let Some(outs) = outputs.as_mut() {
            lineage::fill_outputs(inputs, outs);
            if node.on_error() == OnError::ContinueErrorOutput && !node.is_disabled() {
                let declared = self
                    .registry
                    .get(&node.node_type, node.type_version.as_f64().unwrap_or(0.0))
                    .map_or(outs.len().max(1), |t| t.outputs(node));
                outs.resize_with(declared.max(outs.len()), Vec::new);
                let mut errors = Vec::new();
                for out in outs.iter_mut() {
                    let (bad, good): (Vec<Item>, Vec<Item>) =
                        out.drain(..).partition(is_error_item);
                    *out = good;
                    errors.extend(bad);
                }
                outs.push(errors);
            }
        }
        if node.always_output_data() {
            let outs = outputs.get_or_insert_with(|| vec![Vec::new()]);
            if outs.is_empty() {
                outs.push(Vec::new());
            }
            if outs[0].is_empty() {
                outs[0].push(lineage::placeholder_item(inputs));
            }
        }
        outputs
    }
}
