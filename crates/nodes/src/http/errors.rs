//! HTTP error answers as n8n words them: `NodeApiError`'s message per status and the description
//! it finds in the body, and the error item (axios's error, and from 4.5 its details) that
//! continue-on-fail outputs.

use serde_json::{Map, Value, json};
use weft_engine::run::{Item, NodeError};

use super::Answer;
use crate::util::paired;

/// n8n's message for an HTTP error status.
pub(super) fn status_message(status: u16) -> String {
    match status {
        400 => "Bad request - please check your parameters",
        401 => "Authorization failed - please check your credentials",
        402 => "Payment required - perhaps check your payment details?",
        403 => "Forbidden - perhaps check your credentials?",
        404 => "The resource you are requesting could not be found",
        405 => "Method not allowed - please check you are using the right HTTP method",
        429 => "The service is receiving too many requests from you",
        500 => "The service was not able to process your request",
        502 => "Bad gateway - the service failed to handle your request",
        503 => "Service unavailable - try again later or consider setting this node to retry automatically (in the node settings)",
        504 => "Gateway timed out - perhaps try again later?",
        _ => match status / 100 {
            4 => "Your request is invalid or could not be processed by the service",
            5 => "The service failed to process your request",
            _ => "UNKNOWN ERROR - check the detailed error for more information",
        },
    }
    .to_owned()
}

/// Keys n8n looks for an error's description under, in order, and those it looks inside.
const MESSAGE_KEYS: &[&str] = &[
    "cause",
    "error",
    "message",
    "Message",
    "msg",
    "messages",
    "description",
    "reason",
    "detail",
    "details",
    "errors",
    "errorMessage",
    "errorMessages",
    "ErrorMessage",
    "error_message",
    "_error_message",
    "errorDescription",
    "error_description",
    "error_summary",
    "error_info",
    "title",
    "text",
    "field",
    "err",
    "type",
];
const NESTED_KEYS: &[&str] = &["Error", "error", "err", "response", "body", "data"];

/// n8n's `findProperty`: the first message-like value in an error body.
fn find_property(value: &Value, traverse: bool, depth: usize) -> Option<String> {
    let map = value.as_object()?;
    if depth > 16 {
        return None;
    }
    for key in MESSAGE_KEYS {
        match map.get(*key) {
            None | Some(Value::Null | Value::Bool(false)) => {}
            Some(Value::String(s)) if s.is_empty() => {}
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(Value::String(inner)) => return Some(inner),
                Ok(v @ Value::Object(_)) => {
                    if let Some(found) = find_property(&v, false, depth + 1) {
                        return Some(found);
                    }
                }
                Ok(Value::Number(n)) => return Some(n.to_string()),
                Ok(_) | Err(_) => return Some(s.clone()),
            },
            Some(Value::Number(n)) => return Some(n.to_string()),
            Some(Value::Array(list)) => {
                let found: Vec<String> = list
                    .iter()
                    .filter_map(|v| match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        Value::Object(_) => find_property(v, false, depth + 1),
                        _ => None,
                    })
                    .collect();
                if found.is_empty() {
                    return None;
                }
                return Some(found.join(" | "));
            }
            Some(v @ Value::Object(_)) => {
                if let Some(found) = find_property(v, false, depth + 1) {
                    return Some(found);
                }
            }
            Some(_) => {}
        }
    }
    if traverse {
        for key in NESTED_KEYS {
            if let Some(v @ Value::Object(_)) = map.get(*key)
                && let Some(found) = find_property(v, true, depth + 1)
            {
                return Some(found);
            }
        }
    }
    None
}

/// The body of an error answer as JSON if it is JSON, else as text.
fn error_body(answer: &Answer) -> Value {
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

/// What n8n's `NodeApiError` describes an error answer with: the body's `message`, its
/// `error.message`, or the first message-like field.
fn status_description(body: &Value, message: &str) -> Option<String> {
    let found = match body {
        Value::Object(map) => map
            .get("message")
            .filter(|m| !matches!(m, Value::Null | Value::Bool(false)))
            .map(crate::util::js_string)
            .filter(|m| !m.is_empty())
            .or_else(|| {
                map.get("error")
                    .and_then(|e| e.get("message"))
                    .map(crate::util::js_string)
            })
            .or_else(|| find_property(body, true, 0)),
        Value::String(s) if !s.is_empty() => Some(s.chars().take(2000).collect()),
        _ => None,
    };
    found.filter(|d| d != message)
}

/// The node error for an error answer (4xx/5xx), as n8n's `NodeApiError` words it.
pub fn status_error(answer: &Answer) -> NodeError {
    let status = answer.status.as_u16();
    let message = if status == 429 {
        "Try spacing your requests out using the batching settings under 'Options'".to_owned()
    } else {
        status_message(status)
    };
    let description = status_description(&error_body(answer), &message);
    NodeError {
        message,
        description,
        item_index: None,
    }
}

/// The error item n8n's HTTP Request node outputs under continue-on-fail for an error answer
/// to input item `index`: axios's error (without its stack, which names the server's files) and,
/// from 4.5, the error's `details`.
pub fn status_error_item(answer: &Answer, version: f64, index: usize) -> Item {
    let status = answer.status.as_u16();
    let body = error_body(answer);
    let text = match &body {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut json = Map::new();
    json.insert(
        "error".into(),
        json!({
            // axios's message quotes the body as JSON text; v1/v2 read a JSON body as JSON first.
            "message": match &body {
                Value::Object(_) | Value::Array(_) if version < 3.0 => format!("{status} - {body}"),
                _ => format!("{status} - {}", Value::String(text)),
            },
            "name": "AxiosError",
            "code": if status >= 500 { "ERR_BAD_RESPONSE" } else { "ERR_BAD_REQUEST" },
            "status": status,
        }),
    );
    if version >= 4.5 {
        let message = status_message(status);
        let mut details = Map::new();
        details.insert("message".into(), json!(message));
        if let Some(d) = status_description(&body, &message) {
            details.insert("description".into(), json!(d));
        }
        details.insert("httpCode".into(), json!(status.to_string()));
        details.insert("body".into(), body);
        details.insert("context".into(), json!({"itemIndex": index}));
        json.insert("details".into(), Value::Object(details));
    }
    paired(Item::new(json), index)
}
