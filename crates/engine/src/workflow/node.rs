//! `Node`: one node of a workflow, typed where Weft reads it, every other field kept verbatim.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

/// A workflow node as n8n exports it. Fields Weft does not interpret (credentials, notes,
/// webhookId, retry options, …) are kept in `extra` so an export round-trips unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// Unique within the workflow; connections refer to nodes by this name.
    pub name: String,
    /// The node type, e.g. `n8n-nodes-base.set`.
    #[serde(rename = "type")]
    pub node_type: String,
    /// Integer or decimal (`3.4`); kept as the JSON number it was written as.
    pub type_version: Number,
    #[serde(default = "empty_object")]
    pub parameters: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

impl Node {
    pub fn is_disabled(&self) -> bool {
        self.disabled.unwrap_or(false)
    }
}

/// What a node does when it throws (`onError`, or the older `continueOnFail`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    StopWorkflow,
    ContinueRegularOutput,
    ContinueErrorOutput,
}

impl Node {
    fn flag(&self, key: &str) -> bool {
        self.extra
            .get(key)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    pub fn always_output_data(&self) -> bool {
        self.flag("alwaysOutputData")
    }

    pub fn execute_once(&self) -> bool {
        self.flag("executeOnce")
    }

    pub fn on_error(&self) -> OnError {
        match self.extra.get("onError").and_then(Value::as_str) {
            Some("continueRegularOutput") => OnError::ContinueRegularOutput,
            Some("continueErrorOutput") => OnError::ContinueErrorOutput,
            _ if self.flag("continueOnFail") => OnError::ContinueRegularOutput,
            _ => OnError::StopWorkflow,
        }
    }

    /// `(tries, wait between them in ms)`, clamped as n8n does: 2–5 tries (default 3),
    /// 0–5000 ms (default 1000; a 0 also means the default). One try without `retryOnFail`.
    pub fn retry_policy(&self) -> (u32, u64) {
        if !self.flag("retryOnFail") {
            return (1, 0);
        }
        let number = |key: &str| {
            self.extra
                .get(key)
                .and_then(Value::as_f64)
                .filter(|v| *v != 0.0)
        };
        let tries = number("maxTries").unwrap_or(3.0).clamp(2.0, 5.0) as u32;
        let wait = number("waitBetweenTries")
            .unwrap_or(1000.0)
            .clamp(0.0, 5000.0) as u64;
        (tries, wait)
    }
}

#[cfg(test)]
mod tests {
    use super::{Node, OnError};

    fn node(extra: serde_json::Value) -> Node {
        let mut v = serde_json::json!({"name": "n", "type": "t", "typeVersion": 1});
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn retry_settings_are_clamped_like_n8n() {
        assert_eq!(node(serde_json::json!({})).retry_policy(), (1, 0));
        assert_eq!(
            node(serde_json::json!({"retryOnFail": true})).retry_policy(),
            (3, 1000)
        );
        let p =
            node(serde_json::json!({"retryOnFail": true, "maxTries": 10, "waitBetweenTries": 0}));
        assert_eq!(p.retry_policy(), (5, 1000));
        let p =
            node(serde_json::json!({"retryOnFail": true, "maxTries": 1, "waitBetweenTries": 9000}));
        assert_eq!(p.retry_policy(), (2, 5000));
    }

    #[test]
    fn on_error_prefers_the_new_setting_over_continue_on_fail() {
        assert_eq!(
            node(serde_json::json!({})).on_error(),
            OnError::StopWorkflow
        );
        assert_eq!(
            node(serde_json::json!({"continueOnFail": true})).on_error(),
            OnError::ContinueRegularOutput
        );
        let n = node(serde_json::json!({"continueOnFail": true, "onError": "continueErrorOutput"}));
        assert_eq!(n.on_error(), OnError::ContinueErrorOutput);
    }
}
