//! Resolving parameter values for one item: fast path first, JavaScript when needed.

use serde_json::{Map, Value};

pub use super::lazy::LazySandbox;
use super::sandbox::NodeScope;
use super::template::{Segment, Template, to_display_string};
use super::{ExprError, fast_path};
use crate::run::RunData;

/// An error JavaScript raised on purpose: its message and, if any, its description.
pub type Raised = (String, Option<String>);

/// The outcome of a helper run in the sandbox: its value, or the error it raised.
pub type Helped<T> = Result<Result<T, Raised>, ExprError>;

/// Evaluates the expressions of one node run.
pub struct Evaluator<'a> {
    pub sandbox: &'a LazySandbox,
    pub scope: NodeScope<'a>,
    pub run_data: &'a RunData,
}

impl Evaluator<'_> {
    /// One `{{ }}` body for item `index`.
    pub fn eval_code(&self, code: &str, index: usize) -> Result<Value, ExprError> {
        if let Some(item) = self.scope.items.get(index)
            && let Some(value) = fast_path::resolve(code, &item.json)
        {
            return Ok(value);
        }
        self.eval_js(code, index)
    }

    /// One `{{ }}` body for item `index`, always in JavaScript (the reference for the fast path).
    pub fn eval_js(&self, code: &str, index: usize) -> Result<Value, ExprError> {
        self.sandbox
            .get()?
            .eval(code, index, &self.scope, self.run_data)
    }

    /// Runs a Code/Function node body in a context no other node has run in (see
    /// [`LazySandbox::run_code`]).
    pub fn run_code(&self, code: &str, mode: &str, index: usize) -> Result<Value, ExprError> {
        self.sandbox
            .run_code(code, mode, index, &self.scope, self.run_data)
    }

    /// Evaluates a filter value (n8n's `filter` parameter, expressions resolved) for item `index`:
    /// `Ok(Ok(pass))`, or `Ok(Err((message, description)))` when a condition cannot be checked.
    pub fn filter(&self, value: &Value, index: usize) -> Helped<bool> {
        let out =
            self.sandbox
                .get()?
                .call_helper("__filter", &value.to_string(), Value::from(index))?;
        Ok(helper_outcome(out))
    }

    /// If/Filter v1 conditions (`{boolean, dateTime, number, string}` lists), combined by
    /// `combine` (`all`/`any`, or `AND`/`OR`).
    pub fn conditions_v1(&self, value: &Value, combine: &str) -> Helped<bool> {
        let out = self.sandbox.get()?.call_helper(
            "__conditionsV1",
            &value.to_string(),
            Value::from(combine),
        )?;
        Ok(helper_outcome(out))
    }

    /// One If/Switch v1 comparison: `{operation, value1, value2, kind}`.
    pub fn compare_v1(&self, comparison: &Value) -> Helped<bool> {
        let out =
            self.sandbox
                .get()?
                .call_helper("__compareV1", &comparison.to_string(), Value::Null)?;
        Ok(helper_outcome(out))
    }

    /// Runs an item transform whose input and output are any JSON (several inputs or outputs).
    pub fn transform_value(
        &self,
        name: &str,
        input: &Value,
        params: &Value,
        extra: Value,
    ) -> Helped<Value> {
        let out =
            self.sandbox
                .get()?
                .transform(name, &input.to_string(), &params.to_string(), extra)?;
        if out["ok"] == Value::Bool(true) {
            Ok(Ok(out["items"].clone()))
        } else {
            Ok(Err((
                out["message"]
                    .as_str()
                    .unwrap_or("transform failed")
                    .to_owned(),
                out["description"].as_str().map(str::to_owned),
            )))
        }
    }

    /// Runs an item transform in the sandbox (see `transforms.js`): the new items, or the
    /// `(message, description)` of the error it raised.
    pub fn transform(
        &self,
        name: &str,
        items: &[crate::run::Item],
        params: &Value,
        extra: Value,
    ) -> Helped<Vec<crate::run::Item>> {
        let items = serde_json::to_string(items).map_err(|e| ExprError::Engine(e.to_string()))?;
        let out = self
            .sandbox
            .get()?
            .transform(name, &items, &params.to_string(), extra)?;
        if out["ok"] == Value::Bool(true) {
            serde_json::from_value(out["items"].clone())
                .map(Ok)
                .map_err(|e| ExprError::Engine(e.to_string()))
        } else {
            Ok(Err((
                out["message"]
                    .as_str()
                    .unwrap_or("transform failed")
                    .to_owned(),
                out["description"].as_str().map(str::to_owned),
            )))
        }
    }

    /// One Date & Time result for resolved parameters: `Some((output field, value))`, or `None`
    /// when node v1 drops the item.
    pub fn date_time(&self, version: u8, params: &Value) -> Helped<Option<(String, Value)>> {
        let out = self
            .sandbox
            .get()?
            .date_time(version, &params.to_string())?;
        if out["ok"] == Value::Bool(true) && out["skip"] == Value::Bool(true) {
            Ok(Ok(None))
        } else if out["ok"] == Value::Bool(true) {
            Ok(Ok(Some((
                out["field"].as_str().unwrap_or("").to_owned(),
                out["value"].clone(),
            ))))
        } else {
            Ok(Err((
                out["message"].as_str().unwrap_or("date failed").to_owned(),
                None,
            )))
        }
    }

    /// A parameter string: returned as is unless it starts with `=`.
    pub fn resolve_str(&self, raw: &str, index: usize) -> Result<Value, ExprError> {
        let Some(template) = Template::parse(raw) else {
            return Ok(Value::String(raw.to_owned()));
        };
        if let Some(code) = template.single_code() {
            return self.eval_code(code, index);
        }
        let mut out = String::new();
        for segment in &template.segments {
            match segment {
                Segment::Text(t) => out.push_str(t),
                Segment::Code(c) => out.push_str(&to_display_string(&self.eval_code(c, index)?)),
            }
        }
        Ok(Value::String(out))
    }

    /// Like [`Evaluator::resolve`], with the variables of `extras` (an object, e.g.
    /// `{"$response": …}`) in scope and, as n8n evaluates such parameters, a TypeError making
    /// an expression's value undefined (`null` here) instead of an error.
    pub fn resolve_with(
        &self,
        value: &Value,
        index: usize,
        extras: &Value,
    ) -> Result<Value, ExprError> {
        let sandbox = self.sandbox.get()?;
        sandbox.set_extras(Some(extras))?;
        drop(sandbox);
        let out = self.resolve(value, index);
        self.sandbox.get()?.set_extras(None)?;
        out
    }

    /// A whole parameter tree, every expression string in it resolved for item `index`.
    pub fn resolve(&self, value: &Value, index: usize) -> Result<Value, ExprError> {
        Ok(match value {
            Value::String(s) if s.starts_with('=') => self.resolve_str(s, index)?,
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.resolve(v, index))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                let mut out = Map::with_capacity(map.len());
                for (k, v) in map {
                    out.insert(k.clone(), self.resolve(v, index)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }
}

fn helper_outcome(out: Value) -> Result<bool, Raised> {
    if out["ok"] == Value::Bool(true) {
        Ok(out["pass"] == Value::Bool(true))
    } else {
        Err((
            out["message"]
                .as_str()
                .unwrap_or("condition failed")
                .to_owned(),
            out["description"].as_str().map(str::to_owned),
        ))
    }
}
