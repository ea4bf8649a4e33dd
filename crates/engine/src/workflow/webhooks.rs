//! The webhook routes a workflow's Webhook nodes ask for when it is active.

use serde_json::Value;

use crate::workflow::WorkflowDefinition;

pub const WEBHOOK_TYPE: &str = "n8n-nodes-base.webhook";
const METHODS: &[&str] = &["DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"];

/// One `(method, path)` a Webhook node answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRoute {
    pub method: String,
    /// Without surrounding slashes; a dynamic path (`:id` segments) is prefixed by the webhookId.
    pub path: String,
    pub node: String,
    pub webhook_id: Option<String>,
    pub dynamic: bool,
    pub segments: usize,
}

/// Trims slashes and collapses repeated ones: `/a//b/` → `a/b`.
pub fn normalize_path(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// The Webhook node's `authentication` values this server enforces.
pub const WEBHOOK_AUTHENTICATIONS: &[&str] =
    &["none", "basicAuth", "bearerAuth", "headerAuth", "jwtAuth"];

impl WorkflowDefinition {
    /// The routes of its enabled Webhook nodes, or why a node's settings cannot be routed.
    pub fn webhook_routes(&self) -> Result<Vec<WebhookRoute>, String> {
        let mut routes = Vec::new();
        for node in self
            .nodes()
            .iter()
            .filter(|n| n.node_type == WEBHOOK_TYPE && !n.is_disabled())
        {
            let webhook_id = node
                .extra
                .get("webhookId")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let raw_path = node
                .parameters
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or("");
            let path = normalize_path(raw_path);
            let path = if path.is_empty() {
                webhook_id.clone().unwrap_or_default()
            } else {
                path
            };
            if path.is_empty() {
                return Err(format!("the Webhook node {:?} has no path", node.name));
            }
            let auth = node
                .parameters
                .get("authentication")
                .and_then(Value::as_str)
                .unwrap_or("none");
            if !WEBHOOK_AUTHENTICATIONS.contains(&auth) {
                return Err(format!(
                    "the Webhook node {:?} uses authentication {auth:?}; this server supports {}",
                    node.name,
                    WEBHOOK_AUTHENTICATIONS.join(", ")
                ));
            }
            let methods: Vec<String> = match node.parameters.get("httpMethod") {
                Some(Value::Array(list)) => list
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_uppercase)
                    .collect(),
                Some(Value::String(m)) => vec![m.to_uppercase()],
                _ => vec!["GET".to_owned()],
            };
            for method in methods {
                if !METHODS.contains(&method.as_str()) {
                    return Err(format!(
                        "the Webhook node {:?} has an unknown method {method:?}",
                        node.name
                    ));
                }
                let dynamic = path.split('/').any(|s| s.starts_with(':'));
                let full = match (&webhook_id, dynamic) {
                    (Some(id), true) => format!("{id}/{path}"),
                    _ => path.clone(),
                };
                let segments = full.split('/').count();
                routes.push(WebhookRoute {
                    method,
                    path: full,
                    node: node.name.clone(),
                    webhook_id: webhook_id.clone(),
                    dynamic,
                    segments,
                });
            }
        }
        Ok(routes)
    }
}

/// Calls per minute when `settings.webhookRateLimit` is `true`.
pub const DEFAULT_WEBHOOK_RATE_LIMIT: u32 = 60;

/// `settings.webhookRateLimit`: off when absent, `null` or `false`; `true` is
/// [`DEFAULT_WEBHOOK_RATE_LIMIT`] calls per minute per webhook; a number sets the calls per minute.
pub fn webhook_rate_limit(
    settings: &serde_json::Map<String, Value>,
) -> Result<Option<u32>, &'static str> {
    match settings.get("webhookRateLimit") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => Ok(None),
        Some(Value::Bool(true)) => Ok(Some(DEFAULT_WEBHOOK_RATE_LIMIT)),
        Some(v) => v
            .as_u64()
            .filter(|n| (1..=1_000_000).contains(n))
            .map(|n| Some(n as u32))
            .ok_or("must be true, false or a whole number of calls per minute from 1 to 1000000"),
    }
}

/// Matches a request path against a route pattern: the `:name` parameters, or `None`.
pub fn match_path(pattern: &str, path: &str) -> Option<Vec<(String, String)>> {
    let (p, r): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    if p.len() != r.len() {
        return None;
    }
    let mut params = Vec::new();
    for (a, b) in p.iter().zip(&r) {
        if let Some(name) = a.strip_prefix(':') {
            if b.is_empty() {
                return None;
            }
            params.push((name.to_owned(), (*b).to_owned()));
        } else if a != b {
            return None;
        }
    }
    Some(params)
}

#[cfg(test)]
mod tests {
    use super::{DEFAULT_WEBHOOK_RATE_LIMIT, match_path, normalize_path, webhook_rate_limit};

    #[test]
    fn paths_are_normalized_and_parameters_matched() {
        assert_eq!(normalize_path("/orders//new/"), "orders/new");
        assert_eq!(
            match_path("abc/orders/:id/items/:n", "abc/orders/7/items/2"),
            Some(vec![("id".into(), "7".into()), ("n".into(), "2".into())])
        );
        assert_eq!(match_path("abc/orders/:id", "xyz/orders/7"), None);
        assert_eq!(match_path("a/:id", "a/"), None);
    }

    #[test]
    fn the_rate_limit_setting_is_off_true_or_a_count_per_minute() {
        let of = |v: serde_json::Value| {
            let mut m = serde_json::Map::new();
            if !v.is_null() {
                m.insert("webhookRateLimit".into(), v);
            }
            webhook_rate_limit(&m)
        };
        assert_eq!(of(serde_json::Value::Null), Ok(None));
        assert_eq!(of(serde_json::json!(false)), Ok(None));
        assert_eq!(
            of(serde_json::json!(true)),
            Ok(Some(DEFAULT_WEBHOOK_RATE_LIMIT))
        );
        assert_eq!(of(serde_json::json!(5)), Ok(Some(5)));
        assert!(of(serde_json::json!(0)).is_err());
        assert!(of(serde_json::json!(1.5)).is_err());
        assert!(of(serde_json::json!("60")).is_err());
    }
}
