//! The JavaScript context of one execution: made on the first expression that needs
//! JavaScript, and replaced by a fresh one around each Code node run, so no node sees globals
//! or prototype changes another node's code made (as n8n's task runner gives each task a new
//! context). Workflow static data is carried from a context to the next. With a
//! [`CodeHost`], Code node runs happen in the host (a process that can be killed) instead.

use std::cell::{Cell, Ref, RefCell};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde_json::{Map, Value};

use super::ExprError;
use super::code::ScopePayload;
use super::code_host::{CodeHost, CodeRequest, CodeSession};
use super::sandbox::{ExprLimits, NodeScope, Sandbox};
use crate::run::RunData;

/// A Code node run open in a host: its node, run index and session.
type OpenRun = (String, u32, Box<dyn CodeSession>);

pub struct LazySandbox {
    current: RefCell<Option<Sandbox>>,
    /// The Code node run (`node`, `run index`) that owns the current context, if one does.
    code_owner: RefCell<Option<(String, u32)>>,
    /// The current context has run something (a fresh one is needed for a Code node).
    used: Cell<bool>,
    limits: ExprLimits,
    execution: Value,
    workflow: Value,
    timezone: String,
    /// `$vars`.
    vars: std::sync::Arc<Value>,
    /// The static data the run started with, and as the last retired context left it.
    initial_static: Value,
    carried_static: RefCell<Value>,
    /// Where Code node runs go, and the execution's stop flag; `None`: this thread.
    host: Option<(Arc<dyn CodeHost>, Arc<AtomicBool>)>,
    open_run: RefCell<Option<OpenRun>>,
}

impl LazySandbox {
    /// `timezone`: the workflow's zone (`settings.timezone`), used by `$now` and Luxon.
    pub fn new(limits: ExprLimits, execution: Value, workflow: Value, timezone: &str) -> Self {
        Self {
            current: RefCell::new(None),
            code_owner: RefCell::new(None),
            used: Cell::new(false),
            limits,
            execution,
            workflow,
            timezone: timezone.to_owned(),
            vars: Default::default(),
            initial_static: Value::Object(Map::new()),
            carried_static: RefCell::new(Value::Object(Map::new())),
            host: None,
            open_run: RefCell::new(None),
        }
    }

    /// Runs Code node bodies in `host`, stopping them when `cancel` is set.
    pub fn with_code_host(mut self, host: Arc<dyn CodeHost>, cancel: Arc<AtomicBool>) -> Self {
        self.host = Some((host, cancel));
        self
    }

    /// The workflow's static data the run starts with.
    /// `$vars` of the run (`{key: value}`).
    pub fn with_vars(mut self, vars: std::sync::Arc<Value>) -> Self {
        self.vars = vars;
        self
    }

    pub fn with_static_data(mut self, data: Value) -> Self {
        if data.is_object() {
            self.initial_static = data.clone();
            self.carried_static = RefCell::new(data);
        }
        self
    }

    /// The static data after the run, if code changed it.
    pub fn static_data_if_changed(&self) -> Option<Value> {
        self.end_code_run();
        let now = match self.current.borrow().as_ref() {
            Some(sandbox) if !sandbox.is_broken() => sandbox.static_data().ok()?,
            _ => self.carried_static.borrow().clone(),
        };
        (now != self.initial_static).then_some(now)
    }

    /// The context for expressions and helpers: the current one, unless a Code node ran in it
    /// or it broke (then a fresh one).
    pub fn get(&self) -> Result<Ref<'_, Sandbox>, ExprError> {
        self.end_code_run();
        if self.code_owner.borrow().is_some() || self.is_broken() {
            self.retire()?;
        }
        self.used.set(true);
        self.current_or_new()
    }

    /// The context for the Code node run `(node, run_index)`: one no other node has run in,
    /// kept for the items of that run.
    pub fn for_code(&self, node: &str, run_index: u32) -> Result<Ref<'_, Sandbox>, ExprError> {
        let owned = self
            .code_owner
            .borrow()
            .as_ref()
            .is_some_and(|(n, r)| n == node && *r == run_index);
        if !owned && (self.used.get() || self.code_owner.borrow().is_some()) || self.is_broken() {
            self.retire()?;
        }
        *self.code_owner.borrow_mut() = Some((node.to_owned(), run_index));
        self.used.set(true);
        self.current_or_new()
    }

    /// Runs a Code/Function node body for item `index` of `scope`: in the host when there is
    /// one (a run stays open there for the run's next items), else in a fresh context here.
    pub fn run_code(
        &self,
        code: &str,
        mode: &str,
        index: usize,
        scope: &NodeScope<'_>,
        run_data: &RunData,
    ) -> Result<Value, ExprError> {
        let Some((host, cancel)) = &self.host else {
            return self
                .for_code(scope.node, scope.run_index)?
                .run_code(code, mode, index, scope, run_data);
        };
        if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            // Stopped: the remaining items of a per-item run start nothing.
            return Err(ExprError::Stopped);
        }
        let is_open = matches!(&*self.open_run.borrow(),
            Some((node, run, _)) if node == scope.node && *run == scope.run_index);
        if !is_open {
            self.end_code_run();
            // Static data an expression context changed goes with the request.
            self.retire()?;
            let request = CodeRequest {
                limits: self.limits,
                execution: self.execution.clone(),
                workflow: self.workflow.clone(),
                timezone: self.timezone.clone(),
                vars: (*self.vars).clone(),
                static_data: self.carried_static.borrow().clone(),
                scope: ScopePayload::of(scope, run_data),
                code: code.to_owned(),
                mode: mode.to_owned(),
            };
            let session = host.open(request, cancel.clone())?;
            *self.open_run.borrow_mut() = Some((scope.node.to_owned(), scope.run_index, session));
        }
        let mut open = self.open_run.borrow_mut();
        let Some((_, _, session)) = open.as_mut() else {
            return Err(ExprError::Engine("the Code node run is not open".into()));
        };
        let result = session.run(index);
        if let Err(
            ExprError::OutOfMemory(_)
            | ExprError::Timeout(_)
            | ExprError::Stopped
            | ExprError::Engine(_),
        ) = &result
        {
            // The host ended that run (and what it held): the next item starts a fresh one.
            *open = None;
        }
        result
    }

    /// Ends the Code node run open in the host, if any, keeping the static data it left.
    pub fn end_code_run(&self) {
        let Some((_, _, session)) = self.open_run.borrow_mut().take() else {
            return;
        };
        if let Ok(data) = session.close()
            && data.is_object()
        {
            *self.carried_static.borrow_mut() = data;
        }
    }

    fn is_broken(&self) -> bool {
        self.current
            .borrow()
            .as_ref()
            .is_some_and(Sandbox::is_broken)
    }

    fn current_or_new(&self) -> Result<Ref<'_, Sandbox>, ExprError> {
        if self.current.borrow().is_none() {
            let sandbox = Sandbox::new(
                self.limits,
                &self.execution,
                &self.workflow,
                &self.timezone,
                &self.vars,
            )?;
            sandbox.set_static_data(&self.carried_static.borrow())?;
            *self.current.borrow_mut() = Some(sandbox);
        }
        Ref::filter_map(self.current.borrow(), Option::as_ref)
            .map_err(|_| ExprError::Engine("the sandbox could not be created".into()))
    }

    /// Drops the current context, keeping its static data (unless it broke).
    fn retire(&self) -> Result<(), ExprError> {
        let old = self.current.borrow_mut().take();
        if let Some(old) = old {
            if self.code_owner.borrow().is_some() {
                old.retire_if_near_cap();
            }
            if !old.is_broken() {
                *self.carried_static.borrow_mut() = old.static_data()?;
            }
        }
        *self.code_owner.borrow_mut() = None;
        self.used.set(false);
        Ok(())
    }
}
