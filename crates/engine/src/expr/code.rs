//! Code/Function node bodies and workflow static data in a [`Sandbox`]: the run data and node
//! scope a body sees, rendered once as JSON so the same payload can enter a context in this
//! thread or in a sandbox process (see [`super::code_host`]).

use rquickjs::Function;
use serde_json::{Value, json};

use super::ExprError;
use super::sandbox::{NodeScope, Sandbox};
use crate::run::RunData;

/// What a context needs to see one node run: the runs of other nodes (`(node, run as JSON)`,
/// for `$()` and `$node`) and the scope to enter (`$input`, `$json`, parameters, clock).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ScopePayload {
    pub runs: Vec<(String, String)>,
    pub enter: String,
}

/// The scope of `scope` as JSON for `__enter`.
fn enter_json(scope: &NodeScope<'_>) -> String {
    json!({
        "node": {"name": scope.node, "runIndex": scope.run_index, "source": scope.source, "params": scope.params},
        "items": scope.items,
        "contexts": scope.contexts.map(|c| json!(*c.borrow())),
        "clockOffset": scope.clock_offset_ms,
    })
    .to_string()
}

/// One run of a node as `__record` takes it.
fn run_json(task: &crate::run::TaskData) -> String {
    let main = task.data.as_ref().map(|d| &d.main);
    json!({"source": task.source, "main": main}).to_string()
}

impl ScopePayload {
    /// Everything a fresh context needs to run code in `scope`.
    pub fn of(scope: &NodeScope<'_>, run_data: &RunData) -> Self {
        let runs = run_data
            .iter()
            .flat_map(|(name, tasks)| tasks.iter().map(|t| (name.clone(), run_json(t))))
            .collect();
        Self {
            runs,
            enter: enter_json(scope),
        }
    }
}

impl Sandbox {
    /// Copies runs the context has not seen yet, then makes `scope` current.
    pub(super) fn sync(&self, scope: &NodeScope<'_>, run_data: &RunData) -> Result<(), ExprError> {
        let mut pending: Vec<(String, String)> = Vec::new();
        {
            let mut recorded = self.recorded.borrow_mut();
            for (name, tasks) in run_data {
                let done = recorded.entry(name.clone()).or_insert(0);
                for task in tasks.get(*done..).unwrap_or_default() {
                    pending.push((name.clone(), run_json(task)));
                }
                *done = tasks.len();
            }
        }
        let key = (scope.node.to_owned(), scope.run_index);
        let enter = (self.entered.borrow().as_ref() != Some(&key)).then(|| enter_json(scope));
        if pending.is_empty() && enter.is_none() {
            return Ok(());
        }
        self.record(&pending, enter.as_deref())?;
        *self.entered.borrow_mut() = Some(key);
        Ok(())
    }

    fn record(&self, runs: &[(String, String)], enter: Option<&str>) -> Result<(), ExprError> {
        self.call(|ctx| {
            let record: Function = ctx.globals().get("__record")?;
            for (name, run) in runs {
                record.call::<_, ()>((name.as_str(), run.as_str()))?;
            }
            if let Some(enter) = enter {
                let f: Function = ctx.globals().get("__enter")?;
                f.call::<_, ()>((enter,))?;
            }
            Ok(())
        })
    }

    /// Loads a [`ScopePayload`] into a fresh context (a sandbox process does this once per
    /// Code node run).
    pub fn load(&self, payload: &ScopePayload) -> Result<(), ExprError> {
        self.record(&payload.runs, Some(&payload.enter))
    }

    /// Runs a Code/Function node body (`mode`: `runOnceForAllItems` or `runOnceForEachItem`
    /// for item `index`) and returns what it returned, after its promises settled.
    pub fn run_code(
        &self,
        code: &str,
        mode: &str,
        index: usize,
        scope: &NodeScope<'_>,
        run_data: &RunData,
    ) -> Result<Value, ExprError> {
        self.sync(scope, run_data)?;
        self.run_loaded_code(code, mode, index)
    }

    /// Runs a Code/Function node body in the scope the context already entered.
    pub fn run_loaded_code(
        &self,
        code: &str,
        mode: &str,
        index: usize,
    ) -> Result<Value, ExprError> {
        let outcome: String = self.call(|ctx| {
            let f: Function = ctx.globals().get("__runCode")?;
            f.call::<_, ()>((code, mode, index as u32))?;
            while ctx.execute_pending_job() {}
            let result: Function = ctx.globals().get("__codeResult")?;
            result.call(())
        })?;
        let outcome: Value =
            serde_json::from_str(&outcome).map_err(|e| ExprError::Engine(e.to_string()))?;
        if outcome["ok"] == Value::Bool(true) {
            return Ok(outcome["value"].clone());
        }
        let message = outcome["message"].as_str().unwrap_or("the code failed");
        if message.contains("out of memory") {
            // The code's promise caught QuickJS's out-of-memory error: the runtime is spent.
            self.thread.poisoned.set(true);
            return Err(ExprError::OutOfMemory(self.limits.memory_bytes));
        }
        Err(ExprError::Thrown(message.to_owned()))
    }

    /// Retires this context's runtime if its heap is near the cap: user code that caught an
    /// out-of-memory error itself leaves no other trace, and garbage stays counted until the
    /// next collection, so a heap this full after a Code node run is treated as spent.
    pub fn retire_if_near_cap(&self) {
        if self.thread.poisoned.get() {
            return;
        }
        let used = self.thread.runtime.memory_usage().malloc_size.max(0) as usize;
        if used > self.limits.memory_bytes / 10 * 9 {
            self.thread.poisoned.set(true);
        }
    }

    /// Gives code the workflow's static data (`$getWorkflowStaticData`).
    pub fn set_static_data(&self, data: &Value) -> Result<(), ExprError> {
        let text = data.to_string();
        self.call(|ctx| {
            let f: Function = ctx.globals().get("__setStatic")?;
            f.call::<_, ()>((text,))
        })
    }

    /// The static data as code left it.
    pub fn static_data(&self) -> Result<Value, ExprError> {
        let text: String = self.call(|ctx| {
            let f: Function = ctx.globals().get("__getStatic")?;
            f.call(())
        })?;
        serde_json::from_str(&text).map_err(|e| ExprError::Engine(e.to_string()))
    }
}
