//! Pausing an execution at a node that waits (Wait resuming later or on a call) and resuming it:
//! everything the walk still owed is kept in a serialisable [`Paused`], stored with the
//! execution, and the walk continues from the waiting node's output when it is resumed.

use std::collections::HashMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Entry, Executor, RunOptions, Slot, now_ms};
use crate::run::data::{ExecutionError, ExecutionResult, ExecutionStatus, ResultData, SourceData};
use crate::run::item::{Inputs, Item};

/// What a node asked for when it paused the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suspend {
    /// Resume at this time (ms since the epoch), if the wait has an end.
    pub wait_till: Option<i64>,
    /// Resume when the execution's waiting webhook is called.
    pub webhook: bool,
}

/// A paused execution's walk: the waiting node with its input, and what was still to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paused {
    /// The node that paused (its run is recorded on resume).
    pub node: String,
    pub suspend: Suspend,
    inputs: Inputs,
    source: Vec<Option<SourceData>>,
    stack: Vec<Entry>,
    waiting: Vec<(String, Vec<Slot>)>,
    contexts: HashMap<String, Map<String, Value>>,
    execution_index: u32,
    items_held: usize,
    bytes_held: usize,
}

impl Executor<'_> {
    /// Stops the walk at `entry`'s node, keeping what the rest of it needs.
    pub(super) fn pause(&mut self, entry: Entry, suspend: Suspend) -> Paused {
        Paused {
            node: entry.node,
            suspend,
            inputs: entry.inputs,
            source: entry.source,
            stack: self.stack.drain(..).collect(),
            waiting: std::mem::take(&mut self.waiting),
            contexts: self.contexts.borrow().clone(),
            execution_index: self.execution_index,
            items_held: self.items_held,
            bytes_held: self.bytes_held,
        }
    }

    /// Continues a paused execution. The waiting node outputs `items` (the call that resumed it)
    /// or, when `None`, the items it was holding; `previous` is the result data of the pause.
    pub async fn resume(
        mut self,
        options: RunOptions,
        previous: ResultData,
        mut paused: Paused,
        items: Option<Vec<Item>>,
    ) -> ExecutionResult {
        self.restore(previous, &mut paused);
        let Some(node) = self.graph.node(&paused.node) else {
            let error = ExecutionError {
                message: format!(
                    "The waiting node \"{}\" is no longer in the workflow",
                    paused.node
                ),
                name: "WorkflowOperationError".into(),
                description: None,
                node: None,
                context: None,
            };
            return ExecutionResult {
                status: ExecutionStatus::Error,
                result_data: ResultData {
                    run_data: self.run_data,
                    last_node_executed: self.last_node,
                    error: Some(error),
                    metadata: self.custom_data.into_inner(),
                },
                static_data: None,
                paused: None,
                failed_at: None,
            };
        };
        let run_index = self.run_data.get(&node.name).map_or(0, Vec::len) as u32;
        let held = paused.inputs.first().cloned().flatten().unwrap_or_default();
        let entry = Entry {
            node: paused.node,
            inputs: paused.inputs,
            source: paused.source,
        };
        let outputs = self.finish_outputs(node, &entry.inputs, Some(vec![items.unwrap_or(held)]));
        if let Some(outputs) = outputs {
            self.last_node = Some(node.name.clone());
            self.enqueue_children(node, &outputs, run_index);
            self.record(node, &entry, now_ms(), Instant::now(), Some(outputs), None);
        }
        if self.stack.is_empty() {
            self.release_waiting();
        }
        self.drive(options).await
    }

    /// Takes over the state a pause or a failure kept (the walk's stack moves out of `paused`).
    fn restore(&mut self, previous: ResultData, paused: &mut Paused) {
        self.run_data = previous.run_data;
        *self.custom_data.get_mut() = previous.metadata;
        self.last_node = previous.last_node_executed;
        self.stack = std::mem::take(&mut paused.stack).into();
        self.waiting = std::mem::take(&mut paused.waiting);
        *self.contexts.borrow_mut() = std::mem::take(&mut paused.contexts);
        self.execution_index = paused.execution_index;
        self.items_held = paused.items_held;
        self.bytes_held = paused.bytes_held;
    }

    /// Retries a failed execution from the node that failed, as n8n does: the nodes that ran
    /// keep their data and do not run again; the failed node's failed run is dropped and it
    /// runs again with the input it had; then the walk goes on with what was still to run.
    /// `previous` is the failed execution's result data, `failed_at` where it stopped.
    pub async fn retry(
        mut self,
        options: RunOptions,
        previous: ResultData,
        mut failed_at: Paused,
    ) -> ExecutionResult {
        self.restore(previous, &mut failed_at);
        if let Some(runs) = self.run_data.get_mut(&failed_at.node) {
            if runs.last().is_some_and(|r| r.error.is_some()) {
                runs.pop();
            }
            if runs.is_empty() {
                self.run_data.remove(&failed_at.node);
            }
        }
        self.stack.push_front(Entry {
            node: failed_at.node,
            inputs: failed_at.inputs,
            source: failed_at.source,
        });
        self.drive(options).await
    }
}
