//! The JavaScript context of one execution: made on the first expression that needs
//! JavaScript, and replaced by a fresh one around each Code node run, so no node sees globals
//! or prototype changes another node's code made (as n8n's task runner gives each task a new
//! context). Workflow static data is carried from a context to the next.

use std::cell::{Cell, Ref, RefCell};

use serde_json::{Map, Value};

use super::ExprError;
use super::sandbox::{ExprLimits, Sandbox};

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
    /// The static data the run started with, and as the last retired context left it.
    initial_static: Value,
    carried_static: RefCell<Value>,
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
            initial_static: Value::Object(Map::new()),
            carried_static: RefCell::new(Value::Object(Map::new())),
        }
    }

    /// The workflow's static data the run starts with.
    pub fn with_static_data(mut self, data: Value) -> Self {
        if data.is_object() {
            self.initial_static = data.clone();
            self.carried_static = RefCell::new(data);
        }
        self
    }

    /// The static data after the run, if code changed it.
    pub fn static_data_if_changed(&self) -> Option<Value> {
        let now = match self.current.borrow().as_ref() {
            Some(sandbox) if !sandbox.is_broken() => sandbox.static_data().ok()?,
            _ => self.carried_static.borrow().clone(),
        };
        (now != self.initial_static).then_some(now)
    }

    /// The context for expressions and helpers: the current one, unless a Code node ran in it
    /// or it broke (then a fresh one).
    pub fn get(&self) -> Result<Ref<'_, Sandbox>, ExprError> {
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

    fn is_broken(&self) -> bool {
        self.current
            .borrow()
            .as_ref()
            .is_some_and(Sandbox::is_broken)
    }

    fn current_or_new(&self) -> Result<Ref<'_, Sandbox>, ExprError> {
        if self.current.borrow().is_none() {
            let sandbox =
                Sandbox::new(self.limits, &self.execution, &self.workflow, &self.timezone)?;
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
